//! MQTT topic names of one namespace (the table in DESIGN.md) and the rule
//! for names that may appear inside them.

/// Builds the topics of one namespace, `agora/{ns}/...`.
///
/// ```
/// use agora_runtime::transport::Topics;
///
/// let topics = Topics::new("default");
/// assert_eq!(topics.inbox("echo"), "agora/default/agents/echo/inbox");
/// assert_eq!(topics.telemetry("r1", "lifecycle"), "agora/default/runs/r1/telemetry/lifecycle");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    /// Topics under `agora/{namespace}`.
    pub fn new(namespace: &str) -> Self {
        Self {
            prefix: format!("agora/{namespace}"),
        }
    }

    /// `agora/{ns}`.
    pub fn namespace(&self) -> &str {
        self.prefix.strip_prefix("agora/").unwrap_or(&self.prefix)
    }

    /// `agora/{namespace}`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Messages to one agent (QoS 1).
    pub fn inbox(&self, agent: &str) -> String {
        format!("{}/agents/{agent}/inbox", self.prefix)
    }

    /// Retained `online` / `offline` / `busy` of one agent.
    pub fn presence(&self, agent: &str) -> String {
        format!("{}/agents/{agent}/presence", self.prefix)
    }

    /// Retained owner of one agent name: `{"run": …, "host": …}`.
    pub fn owner(&self, agent: &str) -> String {
        format!("{}/agents/{agent}/owner", self.prefix)
    }

    /// Every agent name's owner (for the claims check).
    pub fn owners(&self) -> String {
        format!("{}/agents/+/owner", self.prefix)
    }

    /// Every host's heartbeat.
    pub fn host_statuses(&self) -> String {
        format!("{}/hosts/+/status", self.prefix)
    }

    /// Retained heartbeat of one host; its last will sets `offline`.
    pub fn host_status(&self, host: &str) -> String {
        format!("{}/hosts/{host}/status", self.prefix)
    }

    /// Commands to one run.
    pub fn run_control(&self, run: &str) -> String {
        format!("{}/runs/{run}/control", self.prefix)
    }

    /// Retained lifecycle state of one run.
    pub fn run_status(&self, run: &str) -> String {
        format!("{}/runs/{run}/status", self.prefix)
    }

    /// Telemetry of one kind (`step`, `episode`, `train`, `lifecycle`, …).
    pub fn telemetry(&self, run: &str, kind: &str) -> String {
        format!("{}/runs/{run}/telemetry/{kind}", self.prefix)
    }

    /// Finished episodes for live viewing.
    pub fn episodes(&self, run: &str) -> String {
        format!("{}/runs/{run}/episodes", self.prefix)
    }
}

/// Why a name cannot be one level of a topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("a name must not be empty")]
    Empty,
    /// The name holds a character MQTT gives meaning to.
    #[error("`{name}` cannot be used in an MQTT topic: it contains {what}")]
    Reserved {
        /// The offending name.
        name: String,
        /// Which character, in words.
        what: &'static str,
    },
}

/// Checks that `name` (an agent, host, run or namespace name) can be one
/// topic level: non-empty, without `/`, `+`, `#`, NUL or whitespace.
pub fn validate_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let what = if name.contains('/') {
        "'/' (the level separator)"
    } else if name.contains('+') || name.contains('#') {
        "a wildcard ('+' or '#')"
    } else if name.contains('\0') {
        "a NUL character"
    } else if name.chars().any(char::is_whitespace) {
        "white space"
    } else {
        return Ok(());
    };
    Err(NameError::Reserved {
        name: name.to_string(),
        what,
    })
}

/// Whether `topic` matches the subscription `filter` (with `+` and `#`).
pub fn filter_matches(filter: &str, topic: &str) -> bool {
    let mut filter_levels = filter.split('/');
    let mut topic_levels = topic.split('/');
    loop {
        match (filter_levels.next(), topic_levels.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(f), Some(t)) if f == t => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_topic_syntax_are_rejected() {
        assert!(validate_name("echo-1").is_ok());
        assert_eq!(validate_name(""), Err(NameError::Empty));
        for bad in ["a/b", "a+", "#", "two words"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcards_match_as_mqtt_defines() {
        assert!(filter_matches(
            "agora/+/runs/+/control",
            "agora/default/runs/r1/control"
        ));
        assert!(filter_matches(
            "agora/default/#",
            "agora/default/agents/a/inbox"
        ));
        assert!(filter_matches("a/b", "a/b"));
        assert!(!filter_matches("a/+", "a/b/c"));
        assert!(!filter_matches("a/b/c", "a/b"));
    }
}

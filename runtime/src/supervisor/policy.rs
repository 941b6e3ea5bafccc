//! Restart policies and strategies, OTP style.

use serde::Deserialize;

/// When a stopped agent is started again (OTP's restart types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicy {
    /// Never (OTP `temporary`).
    Never,
    /// Only when it failed: a panic or an error (OTP `transient`). The default.
    #[default]
    OnFailure,
    /// Whenever it stops, even normally (OTP `permanent`).
    Always,
}

impl RestartPolicy {
    /// Whether an agent that ended this way is started again.
    pub fn restarts(self, failed: bool) -> bool {
        match self {
            RestartPolicy::Never => false,
            RestartPolicy::OnFailure => failed,
            RestartPolicy::Always => true,
        }
    }
}

/// Which other agents restart with a failed one (OTP's strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Only the failed agent. The default.
    #[default]
    OneForOne,
    /// Every agent of the supervisor.
    OneForAll,
    /// The failed agent and those started after it.
    RestForOne,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_follow_otp_restart_types() {
        assert!(!RestartPolicy::Never.restarts(true));
        assert!(RestartPolicy::OnFailure.restarts(true));
        assert!(!RestartPolicy::OnFailure.restarts(false));
        assert!(RestartPolicy::Always.restarts(false));
    }
}

/// What a run does when one of its agents is marked failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnAgentFailure {
    /// The run goes on with the others.
    #[default]
    Continue,
    /// The whole run stops and is marked failed.
    FailRun,
}

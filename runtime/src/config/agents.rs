//! `[[agents]]` entries: the keys every agent has (name, kind, replicas,
//! restart, service, mailbox, max_restarts), and the rest handed to the
//! entry's kind, whose errors are placed at the key's line and column.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::kinds::{AgentRegistry, KindError, KindSettings};
use crate::settings::ConfigError;
use crate::supervisor::RestartPolicy;

/// The keys every `[[agents]]` entry may have, whatever its kind.
const COMMON_KEYS: &[&str] = &[
    "name",
    "kind",
    "replicas",
    "restart",
    "service",
    "mailbox",
    "max_restarts",
];

/// One `[[agents]]` entry: the common keys, and the kind's own settings.
#[derive(Debug, Clone)]
pub struct AgentSection {
    /// Agent name (its inbox topic level). With `replicas`, the prefix.
    pub name: String,
    /// Agent kind: one the registry knows (`echo`, `pinger`, `bdi`, …).
    pub kind: String,
    /// Start this many, named `{name}-1` … `{name}-N`.
    pub replicas: Option<u32>,
    /// `never`, `on-failure` (default) or `always`.
    pub restart: RestartPolicy,
    /// Whether the run waits for it to finish (false) or stops it when the
    /// others are done (true). Defaults per kind: echo and workers serve.
    pub service: Option<bool>,
    /// Inbound messages that may wait for it (default 16,384); beyond that
    /// they are dropped, counted (`inbox_overflow`) and logged.
    pub mailbox: Option<usize>,
    /// Override of `[supervisor] max_restarts` for this agent.
    pub max_restarts: Option<u32>,
    /// The kind's own keys, parsed by the kind.
    pub settings: KindSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonKeys {
    name: String,
    kind: String,
    #[serde(default)]
    replicas: Option<u32>,
    #[serde(default)]
    restart: RestartPolicy,
    #[serde(default)]
    service: Option<bool>,
    #[serde(default)]
    mailbox: Option<usize>,
    #[serde(default)]
    max_restarts: Option<u32>,
}

impl AgentSection {
    /// An entry of `kind` with default common keys.
    pub fn new(name: impl Into<String>, kind: impl Into<String>, settings: KindSettings) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            replicas: None,
            restart: RestartPolicy::default(),
            service: None,
            mailbox: None,
            max_restarts: None,
            settings,
        }
    }

    /// The names this entry starts (one, or `replicas` of them).
    pub fn instance_names(&self) -> Vec<String> {
        match self.replicas {
            Some(n) => (1..=n).map(|i| format!("{}-{i}", self.name)).collect(),
            None => vec![self.name.clone()],
        }
    }
}

/// Where the entries' errors point: the file and its text.
pub(super) struct Source<'a> {
    pub(super) file: &'a Path,
    pub(super) text: &'a str,
}

impl Source<'_> {
    fn setting(&self, at: Range<usize>, key: String, message: String) -> ConfigError {
        let before = &self.text[..at.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError::Setting {
            file: self.file.to_path_buf(),
            line,
            column,
            key,
            message,
        }
    }
}

/// Reads the `agents` array of a parsed document.
pub(super) fn parse_entries(
    agents: Option<Spanned<DeValue<'_>>>,
    source: &Source<'_>,
    registry: &AgentRegistry,
) -> Result<Vec<AgentSection>, ConfigError> {
    let Some(agents) = agents else {
        return Ok(Vec::new());
    };
    let span = agents.span();
    let DeValue::Array(entries) = agents.into_inner() else {
        return Err(source.setting(
            span,
            "agents".into(),
            "must be an array of tables ([[agents]])".into(),
        ));
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| parse_entry(index, entry.clone(), source, registry))
        .collect()
}

fn parse_entry(
    index: usize,
    entry: Spanned<DeValue<'_>>,
    source: &Source<'_>,
    registry: &AgentRegistry,
) -> Result<AgentSection, ConfigError> {
    let at = |key: &str| format!("agents[{index}].{key}");
    let span = entry.span();
    let DeValue::Table(table) = entry.into_inner() else {
        return Err(source.setting(span, format!("agents[{index}]"), "must be a table".into()));
    };
    let mut keys: Vec<(String, Range<usize>)> = table
        .iter()
        .map(|(key, _)| (key.get_ref().to_string(), key.span()))
        .collect();
    keys.sort_by_key(|(_, span)| span.start);
    let key_span = |key: &str| {
        keys.iter()
            .find(|(k, _)| k == key)
            .map_or(span.clone(), |(_, s)| s.clone())
    };
    let (common, own): (DeTable<'_>, DeTable<'_>) = table
        .into_iter()
        .partition(|(key, _)| COMMON_KEYS.contains(&key.get_ref().as_ref()));

    let common = CommonKeys::deserialize(table_deserializer(span.clone(), common))
        .map_err(|e| toml_error(e, index, &keys, &span, source))?;
    let Some(kind) = registry.kind(&common.kind) else {
        return Err(source.setting(
            key_span("kind"),
            at("kind"),
            format!(
                "unknown agent kind `{}` (known kinds: {})",
                common.kind,
                registry.kinds().join(", ")
            ),
        ));
    };
    let settings = kind
        .parse(table_deserializer(span.clone(), own))
        .map_err(|e| toml_error(e, index, &keys, &span, source))?;
    kind.validate(&settings)
        .map_err(|KindError { key, message }| match key {
            Some(key) => source.setting(key_span(&key), at(&key), message),
            None => source.setting(span.clone(), format!("agents[{index}]"), message),
        })?;
    Ok(AgentSection {
        name: common.name,
        kind: common.kind,
        replicas: common.replicas,
        restart: common.restart,
        service: common.service,
        mailbox: common.mailbox,
        max_restarts: common.max_restarts,
        settings,
    })
}

fn table_deserializer<'i>(span: Range<usize>, table: DeTable<'i>) -> ValueDeserializer<'i> {
    ValueDeserializer::from(Spanned::new(span, DeValue::Table(table)))
}

/// A serde error inside entry `index`, placed at the key it is about: the
/// key whose span holds the error, else the field a "missing field" names.
fn toml_error(
    error: toml::de::Error,
    index: usize,
    keys: &[(String, Range<usize>)],
    entry: &Range<usize>,
    source: &Source<'_>,
) -> ConfigError {
    let message = error.message().to_string();
    // `keys` is in source order, so the last key starting before the error
    // is the key itself (unknown field) or the key of the value (wrong type).
    let at_error = error
        .span()
        .filter(|span| span != entry)
        .and_then(|span| keys.iter().rev().find(|(_, key)| key.start <= span.start))
        .map(|(key, key_span)| (key.clone(), key_span.clone()));
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(|key| (key.to_string(), entry.clone()));
    match at_error.or(missing) {
        Some((key, span)) => source.setting(span, format!("agents[{index}].{key}"), message),
        None => source.setting(entry.clone(), format!("agents[{index}]"), message),
    }
}

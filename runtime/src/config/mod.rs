//! Experiment configs: the TOML files `agora run` takes.
//!
//! Every section denies unknown keys, so a typo fails before anything
//! starts, with the file, line, column and key in the message. The
//! run-wide sections live in [`sections`]; each `[[agents]]` entry has the
//! common keys of [`AgentSection`] and hands the rest to its kind.
//!
//! ```
//! use agora_runtime::config::ExperimentConfig;
//!
//! let config = ExperimentConfig::from_toml_str("demo.toml", r#"
//!     [run]
//!     name = "demo"
//!
//!     [[agents]]
//!     name = "echo"
//!     kind = "echo"
//! "#).unwrap();
//! assert_eq!(config.agents[0].kind, "echo");
//!
//! let typo = ExperimentConfig::from_toml_str("demo.toml", "[run]\nnmae = \"x\"\n").unwrap_err();
//! assert!(typo.to_string().contains("nmae"));
//! ```

mod agents;
mod overrides;
pub mod sections;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::learn::{EnvSection, LearnerSection};
pub use crate::settings::{ConfigError, duration, params_from_toml};
pub use crate::supervisor::OnAgentFailure;
pub use agents::AgentSection;
pub use overrides::Override;
pub use sections::{
    BrokerChoice, BrokerChoiceError, BrokerSection, RunSection, StoreSection, SupervisorSection,
    TelemetrySection, parse_broker_choice,
};

use crate::kinds::AgentRegistry;
use crate::learn::LearnerSpec;
use crate::transport::validate_name;

/// The largest packet MQTT can carry (its remaining-length field).
const MQTT_MAX_PACKET_SIZE: usize = 268_435_455;
/// Below this, ordinary envelopes and status messages would not fit.
const MIN_PACKET_SIZE: usize = 1024;

/// The hyperparameter sections, one per algorithm.
const ALGORITHM_SECTIONS: [&str; 4] = ["q_learning", "sarsa", "dqn", "ppo"];

/// A whole experiment file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// `[run]`: name, namespace, limits.
    #[serde(default)]
    pub run: RunSection,
    /// `[broker]`: embedded or external broker.
    #[serde(default)]
    pub broker: BrokerSection,
    /// `[store]`: where checkpoints and the run registry live.
    #[serde(default)]
    pub store: StoreSection,
    /// `[supervisor]`: restart strategy and intensity.
    #[serde(default)]
    pub supervisor: SupervisorSection,
    /// `[telemetry]`: sinks and rates.
    #[serde(default)]
    pub telemetry: TelemetrySection,
    /// `[[agents]]`: the agents to start, in order (read by their kinds,
    /// not by serde).
    #[serde(skip)]
    pub agents: Vec<AgentSection>,
    /// `[learner]`: a reinforcement-learning agent trained in this run.
    #[serde(default)]
    pub learner: Option<LearnerSection>,
    /// `[env]`: the environments the learner trains on.
    #[serde(default)]
    pub env: Option<EnvSection>,
    /// `[q_learning]`: hyperparameters (defaults: see `agora-agents`).
    #[serde(default)]
    pub q_learning: Option<toml::Table>,
    /// `[sarsa]`: hyperparameters.
    #[serde(default)]
    pub sarsa: Option<toml::Table>,
    /// `[dqn]`: hyperparameters (defaults: CleanRL's dqn.py).
    #[serde(default)]
    pub dqn: Option<toml::Table>,
    /// `[ppo]`: hyperparameters (defaults: CleanRL's ppo.py).
    #[serde(default)]
    pub ppo: Option<toml::Table>,
    /// Where the config came from (not a TOML key).
    #[serde(skip)]
    pub source: PathBuf,
    /// The config text (not a TOML key); kept in the run registry.
    #[serde(skip)]
    pub text: String,
}

impl ExperimentConfig {
    /// Reads and validates a config file that uses built-in kinds only.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::load_with_registry(path, &AgentRegistry::with_builtins())
    }

    /// Reads and validates a config file whose agents are of the kinds in
    /// `registry`.
    pub fn load_with_registry(
        path: impl AsRef<Path>,
        registry: &AgentRegistry,
    ) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str_with_registry(path, &text, registry)
    }

    /// Parses and validates config text that uses built-in kinds only;
    /// `source` names it in errors.
    pub fn from_toml_str(source: impl AsRef<Path>, text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_str_with_registry(source, text, &AgentRegistry::with_builtins())
    }

    /// Parses and validates config text whose agents are of the kinds in
    /// `registry`; `source` names it in errors.
    pub fn from_toml_str_with_registry(
        source: impl AsRef<Path>,
        text: &str,
        registry: &AgentRegistry,
    ) -> Result<Self, ConfigError> {
        let file = source.as_ref().to_path_buf();
        let syntax = |mut error: toml::de::Error| {
            error.set_input(Some(text));
            ConfigError::Syntax {
                file: file.clone(),
                message: error.to_string().trim_end().to_string(),
            }
        };
        let mut document = toml::de::DeTable::parse(text).map_err(syntax)?;
        let agents = document.get_mut().remove("agents");
        let algorithm_sections: Vec<_> = ALGORITHM_SECTIONS
            .iter()
            .filter_map(|name| Some((*name, document.get_ref().get(*name)?.clone())))
            .collect();
        let mut config = ExperimentConfig::deserialize(toml::de::Deserializer::from(document))
            .map_err(syntax)?;
        if let Some(algorithm) = config.learner.as_ref().map(|l| l.algorithm)
            && let Some((_, section)) = algorithm_sections
                .into_iter()
                .find(|(name, _)| *name == algorithm.name())
        {
            // Read from the spanned document, so a bad key has its line.
            agora_agents::learners::check_hyperparameters(
                algorithm,
                toml::de::ValueDeserializer::from(section),
            )
            .map_err(syntax)?;
        }
        let origin = agents::Source { file: &file, text };
        config.agents = agents::parse_entries(agents, &origin, registry)?;
        config.source = file;
        config.text = text.to_string();
        config.validate()?;
        Ok(config)
    }

    /// The run's name: `[run] name`, else the file stem, else `run`.
    pub fn run_name(&self) -> String {
        self.run.name.clone().unwrap_or_else(|| {
            self.source
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|s| !s.is_empty())
                .unwrap_or("run")
                .to_string()
        })
    }

    /// The learner, if the config has one, resolved and checked against
    /// its env (the env is built once to see that it fits).
    pub fn learner_spec(&self) -> Result<Option<LearnerSpec>, ConfigError> {
        let (Some(learner), Some(env)) = (&self.learner, &self.env) else {
            return Ok(None);
        };
        LearnerSpec::from_sections(learner, env, self.hyperparameters())
            .map(Some)
            .map_err(|e| self.invalid(e.key.as_deref().unwrap_or("learner"), e.message))
    }

    /// The hyperparameter section of the learner's algorithm.
    fn hyperparameters(&self) -> Option<&toml::Table> {
        let algorithm = self.learner.as_ref()?.algorithm.name();
        self.algorithm_sections()
            .into_iter()
            .find(|(name, _)| *name == algorithm)
            .and_then(|(_, table)| table)
    }

    fn algorithm_sections(&self) -> [(&'static str, Option<&toml::Table>); 4] {
        [
            ("q_learning", self.q_learning.as_ref()),
            ("sarsa", self.sarsa.as_ref()),
            ("dqn", self.dqn.as_ref()),
            ("ppo", self.ppo.as_ref()),
        ]
    }

    fn invalid(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.source.clone(),
            key: key.into(),
            message: message.into(),
        }
    }

    /// Checks what serde and the kinds cannot: names usable in topics,
    /// unique agent names, numbers in range, sections that fit together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_run_sections()?;
        self.validate_learner_sections()?;
        self.validate_agent_names()
    }

    fn validate_run_sections(&self) -> Result<(), ConfigError> {
        if let Some(name) = &self.run.name {
            validate_name(name).map_err(|e| self.invalid("run.name", e.to_string()))?;
        }
        validate_name(&self.run.namespace)
            .map_err(|e| self.invalid("run.namespace", e.to_string()))?;
        self.broker
            .choice()
            .map_err(|e| self.invalid("broker.url", e.to_string()))?;
        if !(MIN_PACKET_SIZE..=MQTT_MAX_PACKET_SIZE).contains(&self.broker.max_packet_size) {
            return Err(self.invalid(
                "broker.max_packet_size",
                format!(
                    "must be from {MIN_PACKET_SIZE} to {MQTT_MAX_PACKET_SIZE} bytes (MQTT's limit), got {}",
                    self.broker.max_packet_size
                ),
            ));
        }
        if self.broker.outbox_capacity == 0 {
            return Err(self.invalid("broker.outbox_capacity", "must be at least 1"));
        }
        if !(self.telemetry.metrics_hz > 0.0 && self.telemetry.metrics_hz.is_finite()) {
            return Err(self.invalid("telemetry.metrics_hz", "must be a positive number"));
        }
        if self.supervisor.within.is_zero() {
            return Err(self.invalid("supervisor.within", "must be longer than 0s"));
        }
        Ok(())
    }

    fn validate_learner_sections(&self) -> Result<(), ConfigError> {
        match (&self.learner, &self.env) {
            (Some(learner), Some(env)) => learner
                .validate(env)
                .map_err(|e| self.invalid(e.key.as_deref().unwrap_or("learner"), e.message))?,
            (Some(_), None) => {
                return Err(self.invalid(
                    "env",
                    "a [learner] needs an [env] section with the env `id`",
                ));
            }
            (None, Some(_)) => {
                return Err(
                    self.invalid("env", "[env] is for a [learner]; add one (or remove [env])")
                );
            }
            (None, None) => {}
        }
        let algorithm = self.learner.as_ref().map(|l| l.algorithm.name());
        for (section, table) in self.algorithm_sections() {
            if table.is_some() && algorithm != Some(section) {
                return Err(self.invalid(
                    section,
                    match algorithm {
                        Some(a) => {
                            format!("[{section}] does not apply: the learner's algorithm is `{a}`")
                        }
                        None => {
                            format!("[{section}] needs a [learner] with algorithm = \"{section}\"")
                        }
                    },
                ));
            }
        }
        Ok(())
    }

    fn validate_agent_names(&self) -> Result<(), ConfigError> {
        let mut seen = HashSet::new();
        if let Some(learner) = &self.learner {
            seen.insert(learner.name.clone());
        }
        for (index, agent) in self.agents.iter().enumerate() {
            let at = |key: &str| format!("agents[{index}].{key}");
            validate_name(&agent.name).map_err(|e| self.invalid(&at("name"), e.to_string()))?;
            if agent.replicas == Some(0) {
                return Err(self.invalid(&at("replicas"), "must be at least 1"));
            }
            if agent.mailbox == Some(0) {
                return Err(self.invalid(&at("mailbox"), "must be at least 1"));
            }
            for name in agent.instance_names() {
                if !seen.insert(name.clone()) {
                    return Err(
                        self.invalid(&at("name"), format!("agent name `{name}` is used twice"))
                    );
                }
            }
        }
        Ok(())
    }
}

//! Experiment configs: the TOML files `agora run` takes.
//!
//! Every section denies unknown keys, so a typo fails before anything
//! starts, with the file, line, column and key in the message.
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

pub mod duration;
mod error;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use error::ConfigError;

use crate::supervisor::{RestartPolicy, Strategy};
use crate::transport::{BrokerUrl, Encoding, validate_name};

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
    /// `[[agents]]`: the agents to start, in order.
    #[serde(default)]
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

/// `[run]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSection {
    /// Name of the run; the file stem when absent.
    pub name: Option<String>,
    /// Topic namespace, `agora/{namespace}/…`.
    pub namespace: String,
    /// Stop the run after this long, even if agents are still working.
    #[serde(deserialize_with = "duration::deserialize_option")]
    pub max_duration: Option<Duration>,
    /// What a failed agent does to the run.
    pub on_agent_failure: OnAgentFailure,
    /// How agents encode envelopes they send.
    pub encoding: Encoding,
    /// Coalesce the envelopes an agent sends to one receiver during one turn
    /// into one MQTT message (a JSON array or a postcard batch). Much faster
    /// with many messages in flight; every receiver must read batches (Agora
    /// agents do; other clients must accept a JSON array).
    pub batch: bool,
}

impl Default for RunSection {
    fn default() -> Self {
        Self {
            name: None,
            namespace: "default".into(),
            max_duration: None,
            on_agent_failure: OnAgentFailure::Continue,
            encoding: Encoding::Json,
            batch: false,
        }
    }
}

/// `[broker]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrokerSection {
    /// `"embedded"` (the default) or `mqtt://host:port`.
    pub url: String,
    /// Port of the embedded broker; taken → a free one.
    pub port: u16,
    /// User name for an external broker.
    pub username: Option<String>,
    /// Password for an external broker.
    pub password: Option<String>,
    /// How long to wait for the broker at start.
    #[serde(deserialize_with = "duration::deserialize")]
    pub connect_timeout: Duration,
    /// Publishes that may wait while the broker is away.
    pub outbox_capacity: usize,
    /// Largest MQTT packet in bytes, both directions.
    pub max_packet_size: usize,
}

impl Default for BrokerSection {
    fn default() -> Self {
        Self {
            url: "embedded".into(),
            port: 1883,
            username: None,
            password: None,
            connect_timeout: Duration::from_secs(5),
            outbox_capacity: 65_536,
            max_packet_size: 4 * 1024 * 1024,
        }
    }
}

/// Which broker a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerChoice {
    /// Start one in this process on the given port.
    Embedded {
        /// Port asked for (0: any free port).
        port: u16,
    },
    /// Connect to an external broker.
    External(BrokerUrl),
}

impl BrokerSection {
    /// Parses `url` (and applies `username`/`password`).
    pub fn choice(&self) -> Result<BrokerChoice, String> {
        parse_broker_choice(&self.url, self.port).map(|choice| match choice {
            BrokerChoice::External(mut url) => {
                if self.username.is_some() {
                    url.username.clone_from(&self.username);
                }
                if self.password.is_some() {
                    url.password.clone_from(&self.password);
                }
                BrokerChoice::External(url)
            }
            embedded => embedded,
        })
    }
}

/// Reads `embedded`, `embedded:PORT` or an MQTT URL.
pub fn parse_broker_choice(text: &str, default_port: u16) -> Result<BrokerChoice, String> {
    let text = text.trim();
    if text.is_empty() || text == "embedded" {
        return Ok(BrokerChoice::Embedded { port: default_port });
    }
    if let Some(port) = text.strip_prefix("embedded:") {
        return port
            .parse()
            .map(|port| BrokerChoice::Embedded { port })
            .map_err(|_| {
                format!("`{text}`: the port after `embedded:` must be a number from 0 to 65535")
            });
    }
    text.parse::<BrokerUrl>()
        .map(BrokerChoice::External)
        .map_err(|e| e.to_string())
}

/// `[store]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSection {
    /// The redb file; `<data-dir>/agora.redb` when absent.
    pub path: Option<PathBuf>,
}

/// `[supervisor]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SupervisorSection {
    /// Which siblings restart with a failed agent.
    pub strategy: Strategy,
    /// Restarts allowed per agent within `within` before it is marked failed.
    pub max_restarts: u32,
    /// The window for `max_restarts`.
    #[serde(deserialize_with = "duration::deserialize")]
    pub within: Duration,
    /// How long each agent gets to stop at shutdown.
    #[serde(deserialize_with = "duration::deserialize")]
    pub shutdown_timeout: Duration,
}

impl Default for SupervisorSection {
    fn default() -> Self {
        Self {
            strategy: Strategy::OneForOne,
            max_restarts: 3,
            within: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(5),
        }
    }
}

/// One `[[agents]]` entry. Which of the kind-specific keys apply depends on
/// `kind`; [`ExperimentConfig::validate`] rejects the others by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSection {
    /// Agent name (its inbox topic level). With `replicas`, the prefix.
    pub name: String,
    /// Agent kind: `echo`, `pinger`, `contract-net-manager`,
    /// `contract-net-worker`, or one registered from Rust.
    pub kind: String,
    /// Start this many, named `{name}-1` … `{name}-N`.
    #[serde(default)]
    pub replicas: Option<u32>,
    /// `never`, `on-failure` (default) or `always`.
    #[serde(default)]
    pub restart: RestartPolicy,
    /// Whether the run waits for it to finish (false) or stops it when the
    /// others are done (true). Defaults per kind: echo and workers serve.
    #[serde(default)]
    pub service: Option<bool>,
    /// Inbound messages that may wait for it (default 16,384); beyond that
    /// they are dropped, counted (`inbox_overflow`) and logged.
    #[serde(default)]
    pub mailbox: Option<usize>,
    /// Override of `[supervisor] max_restarts` for this agent.
    #[serde(default)]
    pub max_restarts: Option<u32>,

    /// pinger: the agent to ping.
    #[serde(default)]
    pub target: Option<String>,
    /// pinger: requests to send.
    #[serde(default)]
    pub count: Option<u64>,
    /// pinger: requests outstanding at once.
    #[serde(default)]
    pub window: Option<u32>,
    /// pinger: a request unanswered this long counts as lost.
    #[serde(default, deserialize_with = "duration::deserialize_option")]
    pub timeout: Option<Duration>,
    /// pinger: bytes of content per request.
    #[serde(default)]
    pub payload_bytes: Option<usize>,
    /// pinger: requests sent first and not measured.
    #[serde(default)]
    pub warmup: Option<u64>,

    /// contract-net-manager: the workers to ask for bids.
    #[serde(default)]
    pub workers: Option<Vec<String>>,
    /// contract-net-manager: what the task is called.
    #[serde(default)]
    pub task: Option<String>,
    /// contract-net-manager: how long to wait for bids and for the result.
    #[serde(default, deserialize_with = "duration::deserialize_option")]
    pub deadline: Option<Duration>,
    /// contract-net-manager: tasks to award one after another.
    #[serde(default)]
    pub rounds: Option<u32>,
    /// contract-net-worker: the bid; lower wins.
    #[serde(default)]
    pub cost: Option<f64>,
    /// contract-net-worker: answer calls for proposals with `refuse`.
    #[serde(default)]
    pub refuse: Option<bool>,

    /// bdi: the AgentSpeak program (relative to the config file's folder, or
    /// else to the current folder).
    #[serde(default)]
    pub program: Option<PathBuf>,
    /// bdi: beliefs added before the first cycle, as AgentSpeak text.
    #[serde(default)]
    pub beliefs: Option<Vec<String>>,
    /// bdi: seed of the agent's random numbers (default 0).
    #[serde(default)]
    pub seed: Option<u64>,
    /// bdi: publish beliefs and intentions after every turn on
    /// `runs/{run}/telemetry/agents/bdi/{agent}`.
    #[serde(default)]
    pub bdi_telemetry: Option<bool>,
    /// bdi: an environment (discrete states and actions) the program steps
    /// through `.env_reset` / `.env_step`, with a Q-table (`.q_action`, …).
    #[serde(default)]
    pub env: Option<String>,
    /// bdi: the env's `make()` parameters.
    #[serde(default)]
    pub env_params: Option<toml::Table>,
    /// bdi: Q-learning settings for the env's Q-table.
    #[serde(default)]
    pub q_learning: Option<crate::agent::builtin::QSettings>,
    /// bdi: a world shared with the other agents that name it, as Jason's
    /// centralised environment (`gold-miners`); actions change it at once
    /// and its percepts become beliefs every reasoning cycle.
    #[serde(default)]
    pub world: Option<String>,
    /// bdi: the world's parameters (`seed`, and those of the world; all
    /// agents of one world give the same ones, or only the first gives them).
    #[serde(default)]
    pub world_params: Option<toml::Table>,

    /// Settings of a kind registered from Rust, passed to its factory.
    #[serde(default)]
    pub params: Option<toml::Table>,
}

/// The kind-specific keys each built-in kind accepts.
const KIND_KEYS: &[(&str, &[&str])] = &[
    ("echo", &[]),
    (
        "pinger",
        &[
            "target",
            "count",
            "window",
            "timeout",
            "payload_bytes",
            "warmup",
        ],
    ),
    (
        "contract-net-manager",
        &["workers", "task", "deadline", "rounds"],
    ),
    ("contract-net-worker", &["cost", "refuse"]),
    (
        "bdi",
        &[
            "program",
            "beliefs",
            "seed",
            "bdi_telemetry",
            "env",
            "env_params",
            "q_learning",
            "world",
            "world_params",
        ],
    ),
];

impl AgentSection {
    /// The names this entry starts (one, or `replicas` of them).
    pub fn instance_names(&self) -> Vec<String> {
        match self.replicas {
            Some(n) => (1..=n).map(|i| format!("{}-{i}", self.name)).collect(),
            None => vec![self.name.clone()],
        }
    }

    fn kind_keys_set(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        let mut note = |present: bool, key: &'static str| {
            if present {
                set.push(key);
            }
        };
        note(self.target.is_some(), "target");
        note(self.count.is_some(), "count");
        note(self.window.is_some(), "window");
        note(self.timeout.is_some(), "timeout");
        note(self.payload_bytes.is_some(), "payload_bytes");
        note(self.warmup.is_some(), "warmup");
        note(self.workers.is_some(), "workers");
        note(self.task.is_some(), "task");
        note(self.deadline.is_some(), "deadline");
        note(self.rounds.is_some(), "rounds");
        note(self.cost.is_some(), "cost");
        note(self.refuse.is_some(), "refuse");
        note(self.program.is_some(), "program");
        note(self.beliefs.is_some(), "beliefs");
        note(self.seed.is_some(), "seed");
        note(self.bdi_telemetry.is_some(), "bdi_telemetry");
        note(self.env.is_some(), "env");
        note(self.env_params.is_some(), "env_params");
        note(self.q_learning.is_some(), "q_learning");
        note(self.world.is_some(), "world");
        note(self.world_params.is_some(), "world_params");
        note(self.params.is_some(), "params");
        set
    }
}

impl ExperimentConfig {
    /// Reads and validates a config file that uses built-in kinds only.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::load_with_kinds(path, &[])
    }

    /// Reads and validates a config file; `extra_kinds` are agent kinds
    /// registered from Rust.
    pub fn load_with_kinds(
        path: impl AsRef<Path>,
        extra_kinds: &[&str],
    ) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str_with_kinds(path, &text, extra_kinds)
    }

    /// Parses and validates config text that uses built-in kinds only;
    /// `source` names it in errors.
    pub fn from_toml_str(source: impl AsRef<Path>, text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_str_with_kinds(source, text, &[])
    }

    /// Parses and validates config text; `extra_kinds` are agent kinds
    /// registered from Rust.
    pub fn from_toml_str_with_kinds(
        source: impl AsRef<Path>,
        text: &str,
        extra_kinds: &[&str],
    ) -> Result<Self, ConfigError> {
        let file = source.as_ref().to_path_buf();
        let mut config: ExperimentConfig =
            toml::from_str(text).map_err(|e| ConfigError::Syntax {
                file: file.clone(),
                message: e.to_string().trim_end().to_string(),
            })?;
        config.source = file;
        config.text = text.to_string();
        config.validate(extra_kinds)?;
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

    /// Checks what serde cannot: names usable in topics, unique agent names,
    /// kind-specific keys, numbers in range. `extra_kinds` are kinds
    /// registered from Rust, which take their settings in `params`.
    pub fn validate(&self, extra_kinds: &[&str]) -> Result<(), ConfigError> {
        let invalid = |key: String, message: String| ConfigError::Invalid {
            file: self.source.clone(),
            key,
            message,
        };
        if let Some(name) = &self.run.name {
            validate_name(name).map_err(|e| invalid("run.name".into(), e.to_string()))?;
        }
        validate_name(&self.run.namespace)
            .map_err(|e| invalid("run.namespace".into(), e.to_string()))?;
        self.broker
            .choice()
            .map_err(|e| invalid("broker.url".into(), e))?;
        if self.broker.outbox_capacity == 0 {
            return Err(invalid(
                "broker.outbox_capacity".into(),
                "must be at least 1".into(),
            ));
        }
        if !(self.telemetry.metrics_hz > 0.0 && self.telemetry.metrics_hz.is_finite()) {
            return Err(invalid(
                "telemetry.metrics_hz".into(),
                "must be a positive number".into(),
            ));
        }
        if self.supervisor.within.is_zero() {
            return Err(invalid(
                "supervisor.within".into(),
                "must be longer than 0s".into(),
            ));
        }

        if let Some(learner) = &self.learner {
            validate_name(&learner.name)
                .map_err(|e| invalid("learner.name".into(), e.to_string()))?;
            if self.env.is_none() {
                return Err(invalid(
                    "env".into(),
                    "a [learner] needs an [env] section with the env `id`".into(),
                ));
            }
            if learner.threads == 0 {
                return Err(invalid(
                    "learner.threads".into(),
                    "must be at least 1".into(),
                ));
            }
            if !(learner.visual_fps > 0.0 && learner.visual_fps.is_finite()) {
                return Err(invalid(
                    "learner.visual_fps".into(),
                    "must be a positive number".into(),
                ));
            }
            if learner.best_window == 0 {
                return Err(invalid(
                    "learner.best_window".into(),
                    "must be at least 1".into(),
                ));
            }
        }
        if let Some(env) = &self.env {
            if self.learner.is_none() {
                return Err(invalid(
                    "env".into(),
                    "[env] is for a [learner]; add one (or remove [env])".into(),
                ));
            }
            if env.num_envs == Some(0) {
                return Err(invalid("env.num_envs".into(), "must be at least 1".into()));
            }
        }
        let algorithm = self.learner.as_ref().map(|l| l.algorithm.name());
        for (section, present) in [
            ("q_learning", self.q_learning.is_some()),
            ("sarsa", self.sarsa.is_some()),
            ("dqn", self.dqn.is_some()),
            ("ppo", self.ppo.is_some()),
        ] {
            if present && algorithm != Some(section) {
                return Err(invalid(
                    section.into(),
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
        let mut seen = std::collections::HashSet::new();
        if let Some(learner) = &self.learner {
            seen.insert(learner.name.clone());
        }
        for (index, agent) in self.agents.iter().enumerate() {
            let at = |key: &str| format!("agents[{index}].{key}");
            validate_name(&agent.name).map_err(|e| invalid(at("name"), e.to_string()))?;
            if agent.replicas == Some(0) {
                return Err(invalid(at("replicas"), "must be at least 1".into()));
            }
            for name in agent.instance_names() {
                if !seen.insert(name.clone()) {
                    return Err(invalid(
                        at("name"),
                        format!("agent name `{name}` is used twice"),
                    ));
                }
            }
            let allowed: &[&str] = match KIND_KEYS.iter().find(|(kind, _)| *kind == agent.kind) {
                Some((_, keys)) => keys,
                None if extra_kinds.contains(&agent.kind.as_str()) => &["params"],
                None => {
                    let mut known: Vec<&str> = KIND_KEYS.iter().map(|(k, _)| *k).collect();
                    known.extend_from_slice(extra_kinds);
                    return Err(invalid(
                        at("kind"),
                        format!(
                            "unknown agent kind `{}` (known kinds: {})",
                            agent.kind,
                            known.join(", ")
                        ),
                    ));
                }
            };
            for key in agent.kind_keys_set() {
                if !allowed.contains(&key) {
                    let settings = if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    };
                    return Err(invalid(
                        at(key),
                        format!(
                            "`{key}` is not a setting of agent kind `{}` (its settings: {settings})",
                            agent.kind
                        ),
                    ));
                }
            }
            if agent.kind == "pinger" {
                match &agent.target {
                    None => {
                        return Err(invalid(
                            at("target"),
                            "a pinger needs `target`, the agent to ping".into(),
                        ));
                    }
                    Some(target) => {
                        validate_name(target).map_err(|e| invalid(at("target"), e.to_string()))?
                    }
                }
                if agent.window == Some(0) {
                    return Err(invalid(at("window"), "must be at least 1".into()));
                }
            }
            if agent.kind == "contract-net-manager" {
                match &agent.workers {
                    Some(workers) if !workers.is_empty() => {
                        for worker in workers {
                            validate_name(worker)
                                .map_err(|e| invalid(at("workers"), e.to_string()))?;
                        }
                    }
                    _ => {
                        return Err(invalid(
                            at("workers"),
                            "a contract-net manager needs a non-empty `workers` list".into(),
                        ));
                    }
                }
            }
            if agent.world_params.is_some() && agent.world.is_none() {
                return Err(invalid(
                    at("world_params"),
                    format!(
                        "world_params without `world` (known worlds: {})",
                        crate::agent::builtin::WORLDS.join(", ")
                    ),
                ));
            }
            if agent.kind == "bdi" && agent.program.is_none() {
                return Err(invalid(
                    at("program"),
                    "a bdi agent needs `program`, the AgentSpeak file".into(),
                ));
            }
            if let Some(cost) = agent.cost
                && !cost.is_finite()
            {
                return Err(invalid(at("cost"), "must be a finite number".into()));
            }
            if agent.mailbox == Some(0) {
                return Err(invalid(at("mailbox"), "must be at least 1".into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ExperimentConfig, ConfigError> {
        ExperimentConfig::from_toml_str("configs/t.toml", text)
    }

    #[test]
    fn defaults_give_an_embedded_broker_and_one_for_one_supervision() {
        let config = parse("").expect("empty config is valid");
        assert_eq!(
            config.broker.choice(),
            Ok(BrokerChoice::Embedded { port: 1883 })
        );
        assert_eq!(config.supervisor.strategy, Strategy::OneForOne);
        assert_eq!(config.run_name(), "t");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("[broker]\nurl = \"embedded\"\nprot = 3\n").expect_err("typo");
        let text = err.to_string();
        assert!(text.starts_with("configs/t.toml:"), "{text}");
        assert!(text.contains("prot") && text.contains("line 3"), "{text}");
    }

    #[test]
    fn wrong_type_and_missing_field_are_named() {
        let err = parse(
            "[[agents]]\nname = \"p\"\nkind = \"pinger\"\ntarget = \"e\"\ncount = \"many\"\n",
        )
        .expect_err("type");
        assert!(err.to_string().contains("count"), "{err}");
        let err = parse("[[agents]]\nkind = \"echo\"\n").expect_err("missing name");
        assert!(err.to_string().contains("name"), "{err}");
    }

    #[test]
    fn kind_specific_keys_are_checked_against_the_kind() {
        let err = parse("[[agents]]\nname = \"e\"\nkind = \"echo\"\ncount = 3\n")
            .expect_err("echo has no count");
        assert!(err.to_string().contains("agents[0].count"), "{err}");
        let err = parse("[[agents]]\nname = \"p\"\nkind = \"pinger\"\n")
            .expect_err("pinger needs target");
        assert!(err.to_string().contains("agents[0].target"), "{err}");
    }

    #[test]
    fn unknown_kind_lists_the_known_ones_unless_registered() {
        let text = "[[agents]]\nname = \"x\"\nkind = \"robot\"\n";
        let err = parse(text).expect_err("unknown kind");
        assert!(
            err.to_string().contains("robot") && err.to_string().contains("echo"),
            "{err}"
        );
        ExperimentConfig::from_toml_str_with_kinds("t.toml", text, &["robot"])
            .expect("registered kind");
    }

    #[test]
    fn duplicate_and_topic_unsafe_names_are_rejected() {
        let err = parse("[[agents]]\nname = \"w\"\nkind = \"echo\"\n[[agents]]\nname = \"w\"\nkind = \"echo\"\n")
            .expect_err("duplicate");
        assert!(err.to_string().contains("used twice"), "{err}");
        let err = parse("[[agents]]\nname = \"a/b\"\nkind = \"echo\"\n").expect_err("slash");
        assert!(err.to_string().contains("agents[0].name"), "{err}");
    }

    #[test]
    fn replicas_expand_to_numbered_names() {
        let config =
            parse("[[agents]]\nname = \"worker\"\nkind = \"contract-net-worker\"\nreplicas = 3\n")
                .expect("valid");
        assert_eq!(
            config.agents[0].instance_names(),
            ["worker-1", "worker-2", "worker-3"]
        );
    }

    #[test]
    fn broker_choice_reads_embedded_ports_and_urls() {
        assert_eq!(
            parse_broker_choice("embedded:0", 1883),
            Ok(BrokerChoice::Embedded { port: 0 })
        );
        assert!(matches!(
            parse_broker_choice("mqtt://h:1", 1883),
            Ok(BrokerChoice::External(_))
        ));
        assert!(parse_broker_choice("embedded:x", 1883).is_err());
    }
}

/// `[learner]`: one reinforcement-learning agent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnerSection {
    /// Agent name (default `learner`).
    #[serde(default = "default_learner_name")]
    pub name: String,
    /// `q_learning`, `sarsa`, `dqn` or `ppo`; its hyperparameters are the
    /// section of the same name.
    pub algorithm: agora_agents::learners::Algorithm,
    /// Seed of everything random (envs, exploration, initial weights).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Compute threads of the networks (1 is fastest for small networks
    /// on a busy machine).
    #[serde(default = "default_threads")]
    pub threads: usize,
    /// Save a checkpoint every this many env steps (0: only at stop and as
    /// `best`).
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: u64,
    /// Episodes in the rolling mean return that decides the `best`
    /// checkpoint.
    #[serde(default = "default_best_window")]
    pub best_window: usize,
    /// `never`, `on-failure` (default) or `always`.
    #[serde(default)]
    pub restart: RestartPolicy,
    /// Frames per second published on the episodes topic in visual mode at
    /// speed 1 (`agora ctl RUN visual on`).
    #[serde(default = "default_visual_fps")]
    pub visual_fps: f64,
}

fn default_visual_fps() -> f64 {
    10.0
}

fn default_learner_name() -> String {
    "learner".into()
}
fn default_seed() -> u64 {
    1
}
fn default_threads() -> usize {
    1
}
fn default_checkpoint_every() -> u64 {
    50_000
}
fn default_best_window() -> usize {
    20
}

/// `[env]`: the learner's environments.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSection {
    /// Environment id, e.g. `CartPole-v1`.
    pub id: String,
    /// Envs stepped together (default: 4 for PPO as CleanRL, else 1).
    #[serde(default)]
    pub num_envs: Option<usize>,
    /// Env threads: 0 steps the batch on the learner's own thread (fastest
    /// for small batches, where an actor hop per step would dominate); N
    /// runs N shard actors. Default: 0 below 64 envs, else one per core
    /// minus the learner's.
    #[serde(default)]
    pub shards: Option<usize>,
    /// `make()` keyword arguments, e.g. `{ map_name = "8x8", is_slippery = false }`.
    #[serde(default)]
    pub params: toml::Table,
}

/// `[telemetry]`: which sinks get the run's telemetry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetrySection {
    /// Publish on `runs/{run}/telemetry/{kind}` and stream episodes.
    pub mqtt: bool,
    /// Append to `runs/{run}/events.jsonl` in the data folder.
    pub jsonl: bool,
    /// Write TensorBoard scalars to `runs/{run}/tensorboard/`.
    pub tensorboard: bool,
    /// Training metrics are sent at most this many times a second.
    pub metrics_hz: f64,
}

impl Default for TelemetrySection {
    fn default() -> Self {
        Self {
            mqtt: true,
            jsonl: true,
            tensorboard: true,
            metrics_hz: 10.0,
        }
    }
}

/// `make()` parameters from a TOML table (`[env] params`, `env_params`,
/// `world_params`): strings as they are, arrays as comma-separated values
/// (`depot = [3, 4]`), anything else written out. An error names the key.
pub fn params_from_toml(
    table: &toml::Table,
) -> Result<agora_agents::Params, (String, agora_agents::EnvError)> {
    let mut params = agora_agents::Params::new();
    for (key, value) in table {
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Array(items) => items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        params
            .set_pair(&format!("{key}={text}"))
            .map_err(|e| (key.clone(), e))?;
    }
    Ok(params)
}

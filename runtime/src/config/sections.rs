//! The run-wide sections of a config: `[run]`, `[broker]`, `[store]`,
//! `[supervisor]`, `[telemetry]`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::learn::RecordEpisodes;
use crate::settings::duration;
use crate::supervisor::{OnAgentFailure, Strategy};
use crate::transport::{BrokerUrl, BrokerUrlError, Encoding};

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
    pub fn choice(&self) -> Result<BrokerChoice, BrokerChoiceError> {
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

/// A broker choice that is neither `embedded[:PORT]` nor an MQTT URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokerChoiceError {
    /// `embedded:` followed by something that is not a port.
    #[error("`{0}`: the port after `embedded:` must be a number from 0 to 65535")]
    EmbeddedPort(String),
    /// Not a usable MQTT URL.
    #[error(transparent)]
    Url(#[from] BrokerUrlError),
}

/// Reads `embedded`, `embedded:PORT` or an MQTT URL.
pub fn parse_broker_choice(
    text: &str,
    default_port: u16,
) -> Result<BrokerChoice, BrokerChoiceError> {
    let text = text.trim();
    if text.is_empty() || text == "embedded" {
        return Ok(BrokerChoice::Embedded { port: default_port });
    }
    if let Some(port) = text.strip_prefix("embedded:") {
        return port
            .parse()
            .map(|port| BrokerChoice::Embedded { port })
            .map_err(|_| BrokerChoiceError::EmbeddedPort(text.to_string()));
    }
    Ok(BrokerChoice::External(text.parse::<BrokerUrl>()?))
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSection {
    /// The redb file; `<data-dir>/agora.redb` when absent.
    pub path: Option<PathBuf>,
    /// Checkpoints kept per agent besides the tagged ones (`best`); older
    /// ones are deleted when a new one is saved. 0 keeps every one.
    pub keep_checkpoints: usize,
}

impl Default for StoreSection {
    fn default() -> Self {
        Self {
            path: None,
            keep_checkpoints: 3,
        }
    }
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
    /// Which finished episodes of a learner's env 0 are kept in
    /// `runs/{run}/episodes/` for replay: `"every:N"`, `"best"`,
    /// `"every:N+best"` (the default, N = 100), `"all"` or `"off"`. Fast
    /// mode (`--no-telemetry`) keeps none.
    pub record_episodes: RecordEpisodes,
    /// Size cap of a run's kept episodes in MB (MiB); recording stops,
    /// saying so once, when the file reaches it.
    #[serde(deserialize_with = "at_least_one_megabyte")]
    pub record_max_mb: u64,
}

/// `record_max_mb`: a whole number of MB, at least 1 (`record_episodes =
/// "off"` is how to keep nothing), refused with its line otherwise.
fn at_least_one_megabyte<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<u64, D::Error> {
    let megabytes = u64::deserialize(deserializer)?;
    if megabytes == 0 || megabytes > u64::MAX / (1024 * 1024) {
        return Err(serde::de::Error::custom(format!(
            "record_max_mb: {megabytes} is not a size cap; write a whole number of MB from 1 up (record_episodes = \"off\" keeps nothing)"
        )));
    }
    Ok(megabytes)
}

impl Default for TelemetrySection {
    fn default() -> Self {
        Self {
            mqtt: true,
            jsonl: true,
            tensorboard: true,
            metrics_hz: 10.0,
            record_episodes: RecordEpisodes::default(),
            record_max_mb: 256,
        }
    }
}

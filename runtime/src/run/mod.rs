//! Running an experiment from its config on this host, in four phases:
//! prepare (check the config, build every child's factory), start (store,
//! broker, connection, run record, telemetry, supervisor), wait for the
//! end, finish (shut down in order, report, close the record).

mod broker;
mod children;
mod claims;
mod finish;
mod id;
mod prepare;
mod report;
mod start;
mod status;
mod wait;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

pub use crate::agent::RunSwitch;
pub use claims::NameTaken;
pub use id::new_run_id;
pub use report::RunReport;
pub use wait::stop_signal;

use crate::config::{ConfigError, ExperimentConfig};
use crate::kinds::AgentRegistry;
use crate::store::{CheckpointSelector, StoreError};
use crate::transport::TransportError;

/// How a run is started, beyond its config.
pub struct RunOptions {
    /// Broker override (`--broker`): `embedded`, `embedded:PORT` or a URL.
    pub broker: Option<String>,
    /// Folder for the store (unless the config names a file) and run files.
    pub data_dir: PathBuf,
    /// Agent kinds available to the config.
    pub registry: AgentRegistry,
    /// Where agents' console output goes (`.print`); logged when `None`.
    pub console: Option<crate::agent::Console>,
    /// Where learners' progress goes; logged when `None`.
    pub progress: Option<crate::learn::ProgressSink>,
    /// Build per-step and per-episode telemetry. Off is fast mode
    /// (`--no-telemetry`): only lifecycle events are sent.
    pub telemetry: bool,
    /// Continue this run (same id) from its agents' last checkpoints.
    pub resume: Option<String>,
    /// Start the learner from another run's weights: (run or unique
    /// prefix, which checkpoint).
    pub warm_start: Option<(String, CheckpointSelector)>,
    /// The store to use instead of the one the config names (a resumed
    /// run continues in the store it was found in).
    pub store_path: Option<PathBuf>,
    /// Start agents whose names another live run on the broker holds, taking
    /// the names over (`--take-over`); refused otherwise.
    pub take_over: bool,
}

impl RunOptions {
    /// Built-in kinds, data under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            broker: None,
            data_dir: data_dir.into(),
            registry: AgentRegistry::with_builtins(),
            console: None,
            progress: None,
            telemetry: true,
            resume: None,
            warm_start: None,
            store_path: None,
            take_over: false,
        }
    }
}

/// Milestones of a starting run, for the CLI to show.
#[derive(Debug, Clone)]
pub enum RunProgress {
    /// The embedded broker listens.
    BrokerStarted {
        /// Where it listens.
        addr: SocketAddr,
        /// The port the config asked for, when it was taken.
        port_taken: Option<u16>,
    },
    /// The run is registered and its agents are starting.
    Started {
        /// Run id.
        run_id: String,
        /// Broker in use.
        broker: String,
        /// Agents to start.
        agents: usize,
    },
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The embedded broker did not start.
    #[cfg(feature = "embedded-broker")]
    #[error(transparent)]
    Broker(#[from] crate::broker::BrokerError),
    /// This build has no embedded broker.
    #[error(
        "this build of agora has no embedded broker (feature `embedded-broker`); pass --broker mqtt://HOST:PORT"
    )]
    NoEmbeddedBroker,
    /// The broker cannot be reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The store cannot be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The broker did not acknowledge a subscription the run needs.
    #[error(transparent)]
    Subscribe(#[from] crate::transport::SubscribeTimeout),
    /// Another live run on the broker holds one of the run's agent names.
    #[error(transparent)]
    NameTaken(#[from] NameTaken),
}

/// Runs an experiment to its end on this host and reports.
///
/// Must be called inside an actix system. Ends when every non-service agent
/// is done, when an agent fails and the run is set to fail with it, after
/// `[run] max_duration`, or on Ctrl-C / SIGTERM (graceful: final
/// checkpoints, presence offline).
pub async fn run_experiment(
    config: &ExperimentConfig,
    options: RunOptions,
    mut progress: impl FnMut(RunProgress),
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let prepared = prepare::prepare(config, &options)?;
    let (live, outcome) = start::start(config, &options, prepared, &mut progress).await?;
    let (status, reason) =
        wait::wait_for_end(outcome, &live.run_switch, config.run.max_duration).await;
    Ok(finish::finish(live, status, reason, started).await)
}

/// Peak resident set size of this process (VmHWM), where the OS tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

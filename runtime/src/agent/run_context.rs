//! What an agent receives from the run it belongs to: the connection, the
//! store, telemetry, the run's end switch, and typed extensions for the
//! layers above the kernel.

use std::sync::Arc;

use actix::Addr;

use super::claims::Claims;
use super::extensions::Extensions;
use super::run_switch::RunSwitch;
use crate::store::StoreWriter;
use crate::telemetry::Telemetry;
use crate::transport::{Encoding, Transport};

/// What every agent of a run shares: the connection, the store, telemetry.
#[derive(Clone)]
pub struct RunContext {
    /// Id of the run the agents belong to.
    pub run_id: String,
    /// The host's MQTT connection.
    pub transport: Transport,
    /// How agents encode what they send.
    pub encoding: Encoding,
    /// Coalesce what an agent sends to one receiver during one turn into one
    /// MQTT message (a batch); receivers must read batches.
    pub batch: bool,
    /// The checkpoint store's writer.
    pub store: Addr<StoreWriter>,
    /// Lifecycle events and reports.
    pub telemetry: Telemetry,
    /// Counts agents whose setup has run, for start-up timing.
    pub ready: Arc<ReadyCounter>,
    /// The run's agent names, and which were taken over by another run.
    pub claims: Arc<Claims>,
    /// Asks the whole run to end (`.stopMAS`).
    pub run_switch: Arc<RunSwitch>,
    /// Every agent of the run, for broadcasts.
    pub agent_names: Arc<Vec<String>>,
    /// Where agents' console output (`.print`) goes; the CLI prints it.
    pub console: Option<Console>,
    /// What layers above the kernel hand their agents (a learner's
    /// progress sink, say), by type.
    pub extensions: Extensions,
    /// Build per-step and per-episode telemetry (off in fast mode).
    pub telemetry_enabled: bool,
    /// Training metrics are sent at most once per this interval.
    pub metrics_interval: std::time::Duration,
    /// Stream learners' episodes on `runs/{run}/episodes` (`[telemetry] mqtt`).
    pub stream_episodes: bool,
}

/// Receives console lines of agents: (agent, line).
pub type Console = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// How many agent incarnations have finished their setup.
#[derive(Debug, Default)]
pub struct ReadyCounter {
    count: std::sync::atomic::AtomicUsize,
    changed: tokio::sync::Notify,
}

impl ReadyCounter {
    pub(crate) fn bump(&self) {
        self.count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.changed.notify_waiters();
    }

    /// Incarnations set up so far.
    pub fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits until at least `n` incarnations are set up.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn reached(&self, n: usize) {
        loop {
            let changed = self.changed.notified();
            if self.count() >= n {
                return;
            }
            changed.await;
        }
    }
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext")
            .field("run_id", &self.run_id)
            .finish_non_exhaustive()
    }
}

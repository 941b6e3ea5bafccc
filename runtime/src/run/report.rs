//! What a finished run reports: the summary `agora run` prints.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::agent::AgentStatsSnapshot;
use crate::store::RunStatus;
use crate::supervisor::ChildReport;
use crate::transport::TransportStatsSnapshot;

/// The outcome and figures of one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Run id.
    pub run_id: String,
    /// Run name.
    pub name: String,
    /// How it ended.
    pub status: RunStatus,
    /// Why it ended, in words.
    pub reason: String,
    /// Wall time from start to end.
    #[serde(serialize_with = "seconds")]
    pub duration: Duration,
    /// Seconds from the supervisor's start (broker, store and connection
    /// up) until every agent had its inbox subscribed and its setup run.
    pub startup_seconds: Option<f64>,
    /// Peak resident memory of the process in KiB (Linux), broker included
    /// when it is embedded.
    pub peak_rss_kib: Option<u64>,
    /// The broker used.
    pub broker: String,
    /// The store file.
    pub store: String,
    /// Every agent's state and counters.
    pub agents: Vec<ChildReport>,
    /// Counters summed over all agents.
    pub totals: AgentStatsSnapshot,
    /// Restarts over all agents.
    pub restarts: u64,
    /// Agents that ended failed.
    pub failed: u64,
    /// The last report of each agent that made one.
    pub reports: BTreeMap<String, serde_json::Value>,
    /// Counters of the MQTT connection.
    pub transport: TransportStatsSnapshot,
    /// Count of each lifecycle event.
    pub events: BTreeMap<String, u64>,
    /// Telemetry events dropped because their queue was full.
    pub telemetry_dropped: u64,
    /// Telemetry sinks that failed and turned themselves off.
    pub telemetry_problems: Vec<String>,
}

fn seconds<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

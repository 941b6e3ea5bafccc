//! The run registry's record of one run.

use serde::{Deserialize, Serialize};

use crate::settings::Capabilities;

/// Lifecycle state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Started and not yet ended.
    Running,
    /// Paused by a control command.
    Paused,
    /// Ended normally.
    Completed,
    /// Ended because of a failure.
    Failed,
    /// Stopped by the user before it finished.
    Stopped,
    /// Its process died without ending it.
    Crashed,
}

impl RunStatus {
    /// Lower-case name, as in the status topic.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::Crashed => "crashed",
        }
    }
}

/// One run in the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique id, e.g. `quickstart-20261122-101500-3fa2`.
    pub id: String,
    /// Name from the config (`[run] name` or the file stem).
    pub name: String,
    /// The config text the run was started with.
    pub config: String,
    /// Path of the config file, if it came from one.
    #[serde(default)]
    pub config_path: Option<String>,
    /// Current state.
    pub status: RunStatus,
    /// Host that ran it.
    pub host: String,
    /// Process id on that host.
    pub pid: u32,
    /// Seconds since the Unix epoch.
    pub started_at: f64,
    /// Seconds since the Unix epoch, once ended.
    #[serde(default)]
    pub ended_at: Option<f64>,
    /// Why it ended, in words.
    #[serde(default)]
    pub reason: Option<String>,
    /// End-of-run summary (agents, messages, round trips, restarts).
    #[serde(default)]
    pub summary: serde_json::Value,
    /// The broker the run uses (for `agora ctl`).
    #[serde(default)]
    pub broker: Option<String>,
    /// Its topic namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// What `agora runs list` shows of it.
    #[serde(default)]
    pub digest: RunDigest,
}

/// The figures of a run kept up to date while it runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunDigest {
    /// `agents`, or the learner's algorithm (`dqn`, `ppo`, …).
    pub kind: String,
    /// The env id, or the programs / agent kinds.
    pub target: String,
    /// Training episodes finished.
    pub episodes: u64,
    /// Env steps taken.
    pub env_steps: u64,
    /// Latest rolling mean return.
    pub mean_return: Option<f64>,
    /// Best rolling mean return.
    pub best_mean_return: Option<f64>,
    /// Seconds the run has been running (all its sessions).
    pub wall_seconds: f64,
    /// What its agents can be asked to do (absent in runs recorded before
    /// runs declared it).
    #[serde(default)]
    pub capabilities: Option<Capabilities>,
    /// Whether it builds per-episode telemetry; `Some(false)` is fast mode
    /// (`--no-telemetry`), which has no curves.
    #[serde(default)]
    pub telemetry: Option<bool>,
}

impl RunRecord {
    /// A record for a run starting now on this host and process.
    pub fn started(
        id: impl Into<String>,
        name: impl Into<String>,
        config: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            config: config.into(),
            config_path: None,
            status: RunStatus::Running,
            host: crate::host_name(),
            pid: std::process::id(),
            started_at: crate::transport::unix_now(),
            ended_at: None,
            reason: None,
            summary: serde_json::Value::Null,
            broker: None,
            namespace: None,
            digest: RunDigest::default(),
        }
    }
}

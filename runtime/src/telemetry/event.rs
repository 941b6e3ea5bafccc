//! Lifecycle events: what happened to a run and its agents.

use serde::Serialize;

/// The lifecycle events that are always emitted, also in fast mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleKind {
    /// The run began.
    RunStarted,
    /// The run ended normally (or was stopped on purpose).
    RunCompleted,
    /// The run ended because of a failure.
    RunFailed,
    /// An agent started for the first time.
    AgentStarted,
    /// An agent was started again by its supervisor.
    AgentRestarted,
    /// An agent was given up on (no restart, or intensity exceeded).
    AgentFailed,
    /// An agent ended normally.
    AgentStopped,
    /// An agent published a result.
    AgentReport,
    /// The run was paused by a control command.
    Paused,
    /// The run was resumed by a control command.
    Resumed,
    /// The run was told to stop by a control command.
    Stopped,
}

impl LifecycleKind {
    /// The snake-case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RunStarted => "run_started",
            Self::RunCompleted => "run_completed",
            Self::RunFailed => "run_failed",
            Self::AgentStarted => "agent_started",
            Self::AgentRestarted => "agent_restarted",
            Self::AgentFailed => "agent_failed",
            Self::AgentStopped => "agent_stopped",
            Self::AgentReport => "agent_report",
            Self::Paused => "paused",
            Self::Resumed => "resumed",
            Self::Stopped => "stopped",
        }
    }
}

/// One lifecycle event, as published and written to `events.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleEvent {
    /// What happened.
    pub event: LifecycleKind,
    /// The run.
    pub run: String,
    /// The agent, for agent events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Seconds since the Unix epoch.
    pub at: f64,
    /// Event-specific facts (reason, incarnation, checkpoint, report body).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub detail: serde_json::Value,
}

impl LifecycleEvent {
    /// An event of `kind` for `run`, now.
    pub fn new(kind: LifecycleKind, run: impl Into<String>) -> Self {
        Self {
            event: kind,
            run: run.into(),
            agent: None,
            at: crate::transport::unix_now(),
            detail: serde_json::Value::Null,
        }
    }

    /// Names the agent.
    pub fn agent(mut self, agent: impl Into<String>) -> Self {
        self.agent = Some(agent.into());
        self
    }

    /// Adds event-specific facts.
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A finished training episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeEvent {
    /// The run.
    pub run: String,
    /// The learner.
    pub agent: String,
    /// Episodes finished so far, this one included.
    pub episode: u64,
    /// Row of the env in the batch.
    pub env_index: usize,
    /// Sum of rewards.
    pub episode_return: f64,
    /// Steps.
    pub length: u32,
    /// Env steps of the run when it ended.
    pub env_steps: u64,
    /// Seconds since the Unix epoch.
    pub at: f64,
}

/// Training metrics of a learner at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainEvent {
    /// The run.
    pub run: String,
    /// The learner.
    pub agent: String,
    /// Env steps, episodes, updates, losses, learning rate, epsilon, …
    #[serde(flatten)]
    pub metrics: agora_agents::learners::Metrics,
    /// Env steps per second since the previous event.
    pub sps: f64,
    /// Rolling mean return of the last episodes.
    pub mean_return: Option<f64>,
    /// Best rolling mean so far.
    pub best_mean_return: Option<f64>,
    /// Seconds since the Unix epoch.
    pub at: f64,
}

/// Telemetry that may be dropped under load (never lifecycle events).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A finished episode.
    Episode(EpisodeEvent),
    /// Training metrics.
    Train(Box<TrainEvent>),
}

impl Event {
    /// The telemetry kind, as in `runs/{run}/telemetry/{kind}`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Episode(_) => "episode",
            Event::Train(_) => "train",
        }
    }
}

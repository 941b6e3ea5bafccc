//! How the page sees a run: what it is, where it stands, and what it can
//! be asked to do, from its record in the store and its stored config.

use agora_runtime::settings::Capabilities;
use agora_runtime::store::{CheckpointMeta, RunStatus};
use agora_runtime::stored_run::StoredRun;
use serde::Serialize;

use crate::history::History;

/// A run as the runs list and the run view show it.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    /// Running or paused: controls and live updates make sense.
    pub live: bool,
    /// `learner`, `bdi` or `programmed`.
    pub kind: &'static str,
    pub algorithm: Option<String>,
    pub target: String,
    pub env: Option<EnvView>,
    pub episodes: u64,
    pub env_steps: u64,
    pub sps: Option<f64>,
    pub mean_return: Option<f64>,
    pub best_mean_return: Option<f64>,
    pub started_at: f64,
    pub ended_at: Option<f64>,
    pub host: String,
    pub reason: Option<String>,
    /// False for fast mode: no curves exist.
    pub telemetry: bool,
    pub capabilities: CapabilityView,
}

/// The env a learner trains on, enough to draw its frames.
#[derive(Debug, Clone, Serialize)]
pub struct EnvView {
    pub id: String,
    pub params: serde_json::Value,
}

/// The capability matrix as the page reads it: one flag per control.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CapabilityView {
    pub pause: bool,
    pub resume: bool,
    pub stop: bool,
    pub visual: bool,
    pub speed: bool,
    pub checkpoint: bool,
    pub warm_start: bool,
    pub eval: bool,
    pub live_beliefs: bool,
    pub live_episodes: bool,
    pub live_world: bool,
}

impl From<Capabilities> for CapabilityView {
    fn from(c: Capabilities) -> Self {
        Self {
            pause: c.pause,
            resume: c.pause,
            stop: c.stop,
            visual: c.visual,
            speed: c.visual,
            checkpoint: c.checkpoint,
            warm_start: c.warm_start,
            eval: c.eval,
            live_beliefs: c.live_beliefs,
            live_episodes: c.live_episodes,
            live_world: c.live_world,
        }
    }
}

/// A checkpoint, placed on the curves.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointView {
    pub sequence: u64,
    pub agent: String,
    pub tag: Option<String>,
    /// Where it sits on the steps axis (from the episodes around it).
    pub env_steps: Option<f64>,
    pub at: f64,
    pub bytes: u64,
}

impl CheckpointView {
    /// `meta`, placed by `history`'s episodes.
    pub fn new(meta: &CheckpointMeta, history: Option<&History>) -> Self {
        Self {
            sequence: meta.sequence,
            agent: meta.agent.clone(),
            tag: meta.tag.clone(),
            env_steps: history.and_then(|h| h.steps_at(meta.created_at)),
            at: meta.created_at,
            bytes: meta.size,
        }
    }
}

/// Whether a run in this state takes commands.
pub fn is_live(status: RunStatus) -> bool {
    matches!(status, RunStatus::Running | RunStatus::Paused)
}

impl RunView {
    /// What the page shows of `run`; `sps` from its history when read.
    pub fn of(run: &StoredRun, sps: Option<f64>) -> RunView {
        let record = run.record();
        let digest = &record.digest;
        let config = run.config().ok();
        let learner = config.as_ref().and_then(|c| c.learner.as_ref());
        let is_bdi = config
            .as_ref()
            .is_some_and(|c| c.agents.iter().any(|a| a.kind == "bdi"));
        let kind = match (learner.is_some(), is_bdi) {
            (true, _) => "learner",
            (false, true) => "bdi",
            (false, false) => "programmed",
        };
        let env = config
            .as_ref()
            .and_then(|c| c.env.as_ref())
            .map(|env| EnvView {
                id: env.id.clone(),
                params: serde_json::to_value(&env.params).unwrap_or(serde_json::Value::Null),
            });
        let capabilities = digest.capabilities.unwrap_or(if learner.is_some() {
            Capabilities::LEARNER
        } else {
            Capabilities::PROGRAMMED
        });
        let average_sps = (digest.wall_seconds > 0.0 && digest.env_steps > 0)
            .then(|| digest.env_steps as f64 / digest.wall_seconds);
        RunView {
            id: record.id.clone(),
            name: record.name.clone(),
            status: record.status.as_str(),
            live: is_live(record.status),
            kind,
            algorithm: learner.map(|l| l.algorithm.name().to_string()),
            target: digest.target.clone(),
            env,
            episodes: digest.episodes,
            env_steps: digest.env_steps,
            sps: sps.or(average_sps),
            mean_return: digest.mean_return,
            best_mean_return: digest.best_mean_return,
            started_at: record.started_at,
            ended_at: record.ended_at,
            host: record.host.clone(),
            reason: record.reason.clone(),
            telemetry: digest.telemetry.unwrap_or(true),
            capabilities: capabilities.into(),
        }
    }
}

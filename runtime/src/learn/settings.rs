//! The config sections a learner is set up by: `[learner]` and `[env]`.

use serde::Deserialize;

use crate::settings::KindError;
use crate::supervisor::RestartPolicy;

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
    /// Keep the replay buffer in `best` checkpoints too (eval, warm start
    /// and deploy need only the weights; a resume takes the latest full
    /// checkpoint).
    #[serde(default)]
    pub best_with_replay: bool,
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
    /// Env shards: 0 steps the batch on the learner's own thread; N splits
    /// it into N shards stepped in parallel, the first by the learner's
    /// thread and each other one by a thread of its own. Default: measured
    /// at start (one per core when splitting saves at least a fifth of a
    /// step, else 0). A checkpoint resumes with any shard count.
    #[serde(default)]
    pub shards: Option<usize>,
    /// `make()` keyword arguments, e.g. `{ map_name = "8x8", is_slippery = false }`.
    #[serde(default)]
    pub params: toml::Table,
}

impl LearnerSection {
    /// Checks what serde cannot; the error's key is the config key
    /// (`learner.threads`, `env.num_envs`).
    pub fn validate(&self, env: &EnvSection) -> Result<(), KindError> {
        crate::transport::validate_name(&self.name)
            .map_err(|e| KindError::at("learner.name", e.to_string()))?;
        if self.threads == 0 {
            return Err(KindError::at("learner.threads", "must be at least 1"));
        }
        if !(self.visual_fps > 0.0 && self.visual_fps.is_finite()) {
            return Err(KindError::at(
                "learner.visual_fps",
                "must be a positive number",
            ));
        }
        if self.best_window == 0 {
            return Err(KindError::at("learner.best_window", "must be at least 1"));
        }
        if env.num_envs == Some(0) {
            return Err(KindError::at("env.num_envs", "must be at least 1"));
        }
        Ok(())
    }
}

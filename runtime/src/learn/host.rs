//! Where a learner's envs step: on its own thread (when a hand-off per
//! step would cost more than it saves) or split into shards stepped in
//! parallel.

use agora_agents::{ActionBatch, Batch, VecEnvSnapshot, VectorEnv};

use crate::env::{EnvActorError, ShardedVecEnv};

/// A learner's env batch.
#[expect(
    clippy::large_enum_variant,
    reason = "one per learner, built once and never moved on the step path"
)]
pub enum EnvHost {
    /// Stepped on the learner's thread.
    Inline {
        /// The envs.
        envs: Box<dyn VectorEnv>,
        /// Their step buffers.
        batch: Batch,
    },
    /// Split into shards: the first stepped on the learner's thread, each
    /// other one on a thread of its own.
    Actors(ShardedVecEnv),
}

impl std::fmt::Debug for EnvHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvHost::Inline { envs, .. } => {
                write!(f, "EnvHost::Inline({} x {})", envs.num_envs(), envs.id())
            }
            EnvHost::Actors(envs) => write!(f, "EnvHost::Actors({envs:?})"),
        }
    }
}

impl EnvHost {
    /// The latest observations and step results.
    pub fn batch(&self) -> &Batch {
        match self {
            EnvHost::Inline { batch, .. } => batch,
            EnvHost::Actors(envs) => envs.batch(),
        }
    }

    /// A text board of env `i`, for envs stepped inline that have one.
    pub fn render_text(&self, i: usize) -> Option<String> {
        match self {
            EnvHost::Inline { envs, .. } => envs.render_text(i),
            EnvHost::Actors(_) => None,
        }
    }

    /// An RGB picture of env `i`, for envs stepped inline.
    pub fn render_rgb(&self, i: usize) -> Option<agora_agents::render::Frame> {
        match self {
            EnvHost::Inline { envs, .. } => envs.render_rgb(i),
            EnvHost::Actors(_) => None,
        }
    }

    /// Resets every env (env `g` with `seed + g`).
    pub async fn reset(&mut self, seed: u64) -> Result<(), EnvActorError> {
        match self {
            EnvHost::Inline { envs, batch } => Ok(envs.reset(Some(seed), batch.view_mut())?),
            EnvHost::Actors(envs) => envs.reset(Some(seed)).await.map(|_| ()),
        }
    }

    /// Steps every env with its action.
    pub async fn step(&mut self, actions: &[i64]) -> Result<usize, EnvActorError> {
        match self {
            EnvHost::Inline { envs, batch } => {
                Ok(envs.step(ActionBatch::Discrete(actions), batch.view_mut())?)
            }
            EnvHost::Actors(envs) => envs.step(ActionBatch::Discrete(actions)).await,
        }
    }

    /// Snapshots of the envs, one per shard.
    pub async fn snapshot(&self) -> Result<Vec<VecEnvSnapshot>, EnvActorError> {
        match self {
            EnvHost::Inline { envs, .. } => Ok(vec![envs.snapshot()?]),
            EnvHost::Actors(envs) => envs.snapshot().await,
        }
    }

    /// Puts snapshots back (one per shard).
    pub async fn restore(&mut self, snapshots: Vec<VecEnvSnapshot>) -> Result<(), EnvActorError> {
        match self {
            EnvHost::Inline { envs, .. } => {
                // Taken with any shard count: joined into the one batch.
                let whole = VecEnvSnapshot::regroup(snapshots, &[envs.num_envs()])?;
                Ok(envs.restore(&whole[0])?)
            }
            EnvHost::Actors(envs) => envs.restore(snapshots).await,
        }
    }
}

//! A learner as the config describes it, resolved and checked before the
//! run starts: the env exists, its parameters are valid, the algorithm fits
//! its spaces and the hyperparameters are in range.

use agora_agents::learners::{Algorithm, EnvBatchSpec, TrainError, Trainer, build_trainer};
use agora_agents::{AutoresetMode, Params, make_vec};

use super::host::EnvHost;
use super::settings::{EnvSection, LearnerSection};
use crate::env::ShardedVecEnv;
use crate::settings::KindError;
use crate::supervisor::RestartPolicy;

/// Shards when the config names none: as many as
/// [`ShardedVecEnv::auto_shards`] measures to pay off; when that is one,
/// the envs are stepped inline (the same thing, without the actor's
/// bookkeeping).
fn default_shards(env_id: &str, params: &Params, num_envs: usize) -> usize {
    match ShardedVecEnv::auto_shards(env_id, params, num_envs, AutoresetMode::SameStep) {
        1 => 0,
        shards => shards,
    }
}

/// Everything needed to build a learner, again on every (re)start.
#[derive(Debug, Clone)]
pub struct LearnerSpec {
    /// Agent name.
    pub name: String,
    /// Algorithm.
    pub algorithm: Algorithm,
    /// Seed.
    pub seed: u64,
    /// Compute threads.
    pub threads: usize,
    /// Checkpoint every this many env steps (0: only at stop and best).
    pub checkpoint_every: u64,
    /// Episodes in the rolling mean for `best`.
    pub best_window: usize,
    /// `best` checkpoints keep the replay buffer too.
    pub best_with_replay: bool,
    /// Restart policy.
    pub restart: RestartPolicy,
    /// Env id.
    pub env_id: String,
    /// Env parameters.
    pub params: Params,
    /// Envs in the batch.
    pub num_envs: usize,
    /// Shard actors; 0 steps inline.
    pub shards: usize,
    /// The algorithm's hyperparameter section.
    pub hyperparameters: toml::Table,
    /// Frames per second published in visual mode at speed 1.
    pub visual_fps: f64,
}

impl LearnerSpec {
    /// The learner the sections describe, checked. An error's key is the
    /// config key at fault (`env.shards`, `env.params.map_name`, `dqn`).
    pub fn from_sections(
        learner: &LearnerSection,
        env: &EnvSection,
        hyperparameters: Option<&toml::Table>,
    ) -> Result<LearnerSpec, KindError> {
        let params = crate::settings::params_from_toml(&env.params)
            .map_err(|(key, e)| KindError::at(&format!("env.params.{key}"), e.to_string()))?;
        let num_envs = env.num_envs.unwrap_or(match learner.algorithm {
            Algorithm::Ppo => 4,
            _ => 1,
        });
        let shards = env
            .shards
            .unwrap_or_else(|| default_shards(&env.id, &params, num_envs));
        if shards > num_envs {
            return Err(KindError::at(
                "env.shards",
                format!("{shards} shards for {num_envs} envs; at most one shard per env"),
            ));
        }
        let spec = LearnerSpec {
            name: learner.name.clone(),
            algorithm: learner.algorithm,
            seed: learner.seed,
            threads: learner.threads,
            checkpoint_every: learner.checkpoint_every,
            best_window: learner.best_window,
            best_with_replay: learner.best_with_replay,
            restart: learner.restart,
            env_id: env.id.clone(),
            params,
            num_envs,
            shards,
            hyperparameters: hyperparameters.cloned().unwrap_or_default(),
            visual_fps: learner.visual_fps,
        };
        // Build it once now: a bad env, parameter or hyperparameter, or an
        // algorithm that does not fit the env, fails before anything starts.
        spec.batch_spec()
            .map_err(|e| KindError::at("env", e.to_string()))?;
        spec.trainer()
            .map_err(|e| KindError::at(spec.algorithm.name(), e.to_string()))?;
        Ok(spec)
    }

    /// What the learner knows of its env batch.
    pub fn batch_spec(&self) -> Result<EnvBatchSpec, agora_agents::EnvError> {
        let probe = make_vec(&self.env_id, &self.params, 0..1, AutoresetMode::SameStep)?;
        let mut spec = EnvBatchSpec::of(probe.as_ref(), self.params.clone());
        spec.num_envs = self.num_envs;
        Ok(spec)
    }

    /// A fresh trainer.
    pub fn trainer(&self) -> Result<Box<dyn Trainer>, TrainError> {
        let spec = self.batch_spec()?;
        build_trainer(
            self.algorithm,
            toml::Value::Table(self.hyperparameters.clone()),
            &spec,
            self.seed,
        )
    }

    /// The env batch, inline or on shard threads.
    pub fn env_host(&self) -> Result<EnvHost, crate::env::EnvActorError> {
        if self.shards == 0 {
            let envs = make_vec(
                &self.env_id,
                &self.params,
                0..self.num_envs as u64,
                AutoresetMode::SameStep,
            )?;
            let batch = agora_agents::Batch::new(self.num_envs, envs.obs_dim());
            return Ok(EnvHost::Inline { envs, batch });
        }
        Ok(EnvHost::Actors(ShardedVecEnv::start(
            &self.env_id,
            &self.params,
            self.num_envs,
            self.shards,
            AutoresetMode::SameStep,
        )?))
    }
}

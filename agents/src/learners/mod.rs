//! Learning algorithms: tabular Q-learning and SARSA ([`q_table`]), DQN
//! ([`dqn`]) and PPO ([`ppo`]) on candle. Each reads top to bottom in its
//! own file with its hyperparameters in one documented struct whose
//! defaults are CleanRL's published ones.
//!
//! Every learner is a [`Trainer`]: a pure state machine the runtime drives
//! against a vector env, one batch step at a time. What they all keep (the
//! env batch, the seed, the metrics, the checkpoint framing) lives in one
//! [`TrainerCore`]; the range checks they share, in `hyperparams`.
//!
//! ```
//! use agora_agents::learners::{Algorithm, EnvBatchSpec, Trainer, build_trainer};
//! use agora_agents::{AutoresetMode, Batch, Params, make_vec};
//!
//! let mut env = make_vec("FrozenLake-v1", &Params::new(), 0..1, AutoresetMode::SameStep)?;
//! let spec = EnvBatchSpec::of(env.as_ref(), Params::new());
//! // A TOML section would be deserialized the same way (any serde format).
//! let config = serde_json::json!({ "total_episodes": 50 });
//! let mut trainer = build_trainer(Algorithm::QLearning, config, &spec, 7)?;
//! let mut batch = Batch::new(1, env.obs_dim());
//! trainer.start(env.as_mut(), &mut batch)?;
//! while !trainer.is_done() {
//!     trainer.step(env.as_mut(), &mut batch)?;
//! }
//! assert_eq!(trainer.metrics().episodes, 50);
//! let checkpoint = trainer.save_state(&[env.snapshot()?])?;
//! # let _ = checkpoint;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The runtime, whose env shards live on other threads, calls the two
//! halves of [`Trainer::step`] itself: [`Trainer::act`] for the actions of
//! the whole batch (one forward pass), then [`Trainer::observe`] with the
//! gathered batch the shards wrote.

pub mod checkpoint;
pub mod dqn;
pub mod eval;
mod hyperparams;
pub mod ppo;
pub mod q_function;
pub mod q_table;
#[cfg(test)]
mod torch_parity;
pub mod trainer_core;

use serde::{Deserialize, Serialize};

// Re-exported here, its public path; it lives below nn and replay, which
// return it, so that they need not import from the learners built on them.
pub use crate::train_error::TrainError;
pub use trainer_core::TrainerCore;

use crate::env::snapshot::VecEnvSnapshot;
use crate::{ActionBatch, AutoresetMode, Batch, Params, Space, VectorEnv};

/// The algorithms, as named in a run config's `algorithm` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Tabular Q-learning ([`q_table`]).
    QLearning,
    /// Tabular SARSA ([`q_table`]).
    Sarsa,
    /// Deep Q-network ([`dqn`]).
    Dqn,
    /// Proximal policy optimisation ([`ppo`]).
    Ppo,
}

impl Algorithm {
    /// The config name (`q_learning`, `sarsa`, `dqn`, `ppo`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::QLearning => "q_learning",
            Algorithm::Sarsa => "sarsa",
            Algorithm::Dqn => "dqn",
            Algorithm::Ppo => "ppo",
        }
    }
}

/// What a learner knows about the env batch it trains on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvBatchSpec {
    /// The env id.
    pub env_id: String,
    /// The env's `make()` parameters (recorded in checkpoints).
    pub params: Params,
    /// One env's observation space.
    pub observation_space: Space,
    /// One env's action space.
    pub action_space: Space,
    /// Envs in the whole batch (all shards together).
    pub num_envs: usize,
    /// The autoreset mode the envs run with.
    pub autoreset: AutoresetMode,
}

impl EnvBatchSpec {
    /// The spec of `env` taken as the whole batch (one shard).
    pub fn of(env: &dyn VectorEnv, params: Params) -> Self {
        Self {
            env_id: env.id().to_string(),
            params,
            observation_space: env.observation_space().clone(),
            action_space: env.action_space().clone(),
            num_envs: env.num_envs(),
            autoreset: env.autoreset_mode(),
        }
    }

    /// Observation length per env.
    pub fn obs_dim(&self) -> usize {
        self.observation_space.flat_dim()
    }

    /// The number of discrete actions, or an error naming the algorithm.
    pub(crate) fn discrete_actions(&self, algorithm: &'static str) -> Result<usize, TrainError> {
        match self.action_space {
            Space::Discrete { n } if n > 0 => Ok(n as usize),
            ref other => Err(TrainError::UnsupportedEnv {
                algorithm,
                env: self.env_id.clone(),
                reason: format!("it needs a Discrete action space, the env has {other}"),
            }),
        }
    }

    /// The number of rows in `obs` (`rows x obs_dim` values), or an error
    /// when it is not whole rows.
    pub(crate) fn obs_rows(&self, obs: &[f32]) -> Result<usize, TrainError> {
        let d = self.obs_dim();
        if !obs.len().is_multiple_of(d) {
            return Err(TrainError::BatchShape(format!(
                "{} observation values are not rows of {d}",
                obs.len()
            )));
        }
        Ok(obs.len() / d)
    }

    /// Fails unless `batch` has this spec's shape.
    pub(crate) fn check_batch(&self, batch: &Batch) -> Result<(), TrainError> {
        if batch.num_envs() != self.num_envs || batch.obs_dim() != self.obs_dim() {
            return Err(TrainError::BatchShape(format!(
                "got {} envs x {} obs values, the learner was built for {} x {}",
                batch.num_envs(),
                batch.obs_dim(),
                self.num_envs,
                self.obs_dim()
            )));
        }
        Ok(())
    }
}

/// One finished training episode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpisodeRecord {
    /// Row of the env in the batch.
    pub env_index: usize,
    /// Sum of rewards.
    pub episode_return: f64,
    /// Number of steps.
    pub length: u32,
}

/// What one [`Trainer::observe`] (or [`Trainer::step`]) did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepOutcome {
    /// Transitions in the batch (slots that were not autoreset-only).
    pub transitions: usize,
    /// Episodes that ended in this batch step.
    pub episodes: Vec<EpisodeRecord>,
    /// Gradient (or table) updates made in this step.
    pub updates: u32,
    /// The run reached its configured length.
    pub done: bool,
}

/// Training counters and the latest values of the training metrics
/// (`None`: the algorithm does not have it or it was not computed yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Batch steps taken (CleanRL's `global_step` for DQN and tabular).
    pub iterations: u64,
    /// Env transitions seen (all envs; the numerator of steps/s).
    pub env_steps: u64,
    /// Finished training episodes.
    pub episodes: u64,
    /// Gradient updates (optimizer steps) or table updates.
    pub updates: u64,
    /// Exploration rate in force.
    pub epsilon: Option<f64>,
    /// Learning rate in force.
    pub learning_rate: Option<f64>,
    /// DQN: mean squared TD error of the last update.
    pub td_loss: Option<f64>,
    /// DQN: mean Q-value of the taken actions in the last update.
    pub q_mean: Option<f64>,
    /// PPO: clipped policy loss of the last minibatch.
    pub policy_loss: Option<f64>,
    /// PPO: value loss of the last minibatch.
    pub value_loss: Option<f64>,
    /// PPO: mean policy entropy of the last minibatch.
    pub entropy: Option<f64>,
    /// PPO: approximate KL of the last minibatch.
    pub approx_kl: Option<f64>,
    /// PPO: fraction of clipped ratios over the last update.
    pub clip_fraction: Option<f64>,
    /// PPO: explained variance of the value function over the last rollout.
    pub explained_variance: Option<f64>,
    /// Global gradient norm before clipping, last update.
    pub grad_norm: Option<f64>,
    /// Return of the last finished episode.
    pub last_return: Option<f64>,
}

/// A learner the runtime can host; see the module doc.
pub trait Trainer: Send {
    /// The bookkeeping every learner keeps; the accessors below read it.
    fn core(&self) -> &TrainerCore;

    /// The algorithm.
    fn algorithm(&self) -> Algorithm {
        self.core().algorithm()
    }

    /// The env batch this learner was built for.
    fn spec(&self) -> &EnvBatchSpec {
        self.core().spec()
    }

    /// Takes the first observations after the envs were reset.
    fn begin(&mut self, batch: &Batch) -> Result<(), TrainError>;

    /// The actions for the current observations, one per env (one forward
    /// pass for the whole batch).
    fn act(&mut self) -> Result<&[i64], TrainError>;

    /// Takes the batch the envs wrote after stepping with the last
    /// [`act`](Trainer::act) and makes any update that is due.
    ///
    /// A non-finite loss or gradient is [`TrainError::NonFinite`]; the
    /// update is then not applied, so the last checkpoint stays good.
    fn observe(&mut self, batch: &Batch) -> Result<StepOutcome, TrainError>;

    /// Greedy actions for `obs` (`rows x obs_dim`), for evaluation; no
    /// exploration and no state change.
    fn act_greedy(&mut self, obs: &[f32]) -> Result<Vec<i64>, TrainError>;

    /// Counters and latest training metrics.
    fn metrics(&self) -> &Metrics {
        self.core().metrics()
    }

    /// Whether the configured length (steps or episodes) is reached.
    fn is_done(&self) -> bool;

    /// The whole learner state (weights, optimizer, counters, RNG states,
    /// exploration, replay buffer) plus the env shards' snapshots, as one
    /// checkpoint.
    fn save_state(&self, envs: &[VecEnvSnapshot]) -> Result<Vec<u8>, TrainError>;

    /// A checkpoint for playing the policy (eval, warm start, deploy): what
    /// [`load_state`](Trainer::load_state) restores, without what only
    /// training needs. The whole state unless the algorithm keeps more
    /// than its policy (DQN leaves its replay buffer out).
    fn save_policy_state(&self, envs: &[VecEnvSnapshot]) -> Result<Vec<u8>, TrainError> {
        self.save_state(envs)
    }

    /// Restores a [`save_state`](Trainer::save_state) checkpoint and
    /// returns the env snapshots to restore into the shards. A checkpoint
    /// of another algorithm, env or network shape, or corrupt bytes, is an
    /// error naming what did not fit; the learner is then unchanged.
    fn load_state(&mut self, bytes: &[u8]) -> Result<Vec<VecEnvSnapshot>, TrainError>;

    /// Loads only the weights (or table) of another checkpoint, when the
    /// shapes match; counters, optimizer and exploration start fresh.
    fn warm_start(&mut self, bytes: &[u8]) -> Result<(), TrainError>;

    /// The autoreset mode this algorithm wants its envs built with.
    fn preferred_autoreset(&self) -> AutoresetMode {
        AutoresetMode::SameStep
    }

    /// Resets `env` with the learner's seed and takes the first observations.
    fn start(&mut self, env: &mut dyn VectorEnv, batch: &mut Batch) -> Result<(), TrainError> {
        env.reset(Some(self.seed()), batch.view_mut())?;
        self.begin(batch)
    }

    /// One batch step against a single env shard: act, step, observe.
    fn step(
        &mut self,
        env: &mut dyn VectorEnv,
        batch: &mut Batch,
    ) -> Result<StepOutcome, TrainError> {
        let actions = self.act()?;
        env.step(ActionBatch::Discrete(actions), batch.view_mut())?;
        self.observe(batch)
    }

    /// The run's seed (envs are reset with it; global env `g` gets `seed + g`).
    fn seed(&self) -> u64 {
        self.core().seed()
    }

    /// What the last [`act`](Trainer::act) saw for env `env`: Q-values
    /// (DQN, tabular) or action probabilities (PPO), for live viewing.
    /// `None` when the last action was not chosen from them (a DQN
    /// exploration step) or the learner keeps none.
    fn last_action_values(&self, env: usize) -> Option<Vec<f64>> {
        let _ = env;
        None
    }
}

/// Builds a learner of `algorithm` from its config section (any serde
/// format: a `toml::Value`, JSON…; unknown keys are rejected, missing keys
/// take CleanRL's defaults) for the env batch `spec`, seeded with `seed`.
pub fn build_trainer<'de, D>(
    algorithm: Algorithm,
    section: D,
    spec: &EnvBatchSpec,
    seed: u64,
) -> Result<Box<dyn Trainer>, TrainError>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    fn parse<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
        algorithm: Algorithm,
        d: D,
    ) -> Result<T, TrainError>
    where
        D::Error: std::fmt::Display,
    {
        T::deserialize(d).map_err(|e| TrainError::config(algorithm.name(), e.to_string()))
    }
    Ok(match algorithm {
        Algorithm::QLearning | Algorithm::Sarsa => {
            let mut cfg: q_table::QTableConfig = parse(algorithm, section)?;
            if algorithm == Algorithm::Sarsa {
                cfg.rule = q_table::UpdateRule::Sarsa;
            }
            Box::new(q_table::QTableTrainer::new(cfg, spec.clone(), seed)?)
        }
        Algorithm::Dqn => Box::new(dqn::DqnTrainer::new(
            parse(algorithm, section)?,
            spec.clone(),
            seed,
        )?),
        Algorithm::Ppo => Box::new(ppo::PpoTrainer::new(
            parse(algorithm, section)?,
            spec.clone(),
            seed,
        )?),
    })
}

/// Reads `section` as `algorithm`'s hyperparameters and builds nothing,
/// so that a config reader can report an unknown key or a wrong type with
/// the deserializer's own location (file, line, column).
pub fn check_hyperparameters<'de, D: serde::Deserializer<'de>>(
    algorithm: Algorithm,
    section: D,
) -> Result<(), D::Error> {
    match algorithm {
        Algorithm::QLearning | Algorithm::Sarsa => {
            q_table::QTableConfig::deserialize(section).map(drop)
        }
        Algorithm::Dqn => dqn::DqnConfig::deserialize(section).map(drop),
        Algorithm::Ppo => ppo::PpoConfig::deserialize(section).map(drop),
    }
}

/// XOR-ed into the run seed for the network-initialisation stream, which
/// is kept apart from the action stream so that the initial weights do
/// not depend on how many draws acting takes.
pub(crate) const INIT_STREAM: u64 = 0x5eed_0f1a_7e00;

/// Collects the episodes that ended in `batch` into `out` and `metrics`.
pub(crate) fn collect_episodes(batch: &Batch, metrics: &mut Metrics, out: &mut Vec<EpisodeRecord>) {
    for i in 0..batch.num_envs() {
        if batch.terminated[i] || batch.truncated[i] {
            let rec = EpisodeRecord {
                env_index: i,
                episode_return: batch.episode_return[i],
                length: batch.episode_length[i],
            };
            metrics.episodes += 1;
            metrics.last_return = Some(rec.episode_return);
            out.push(rec);
        }
    }
}

//! DQN (Mnih et al. 2015) as CleanRL's `dqn.py`: replay buffer, target
//! network, linear epsilon schedule, MSE TD loss, Adam.
//!
//! Each batch step (CleanRL's `global_step`, counted from 0):
//!
//! 1. `epsilon = linear_schedule(start_e, end_e, exploration_fraction *
//!    total_timesteps, global_step)`; each env acts uniformly at random with
//!    probability `epsilon`, else greedily on one forward pass of the
//!    Q-network over the whole batch.
//! 2. The envs step; each transition is stored with its *real* next
//!    observation (the final one when an episode ended) and `terminated` as
//!    the done flag (a time-limit cut still bootstraps).
//! 3. After `learning_starts`, every `train_frequency` steps: sample
//!    `batch_size` transitions, `td_target = r + gamma * max_a Q_target(s', a)
//!    * (1 - done)`, loss `= mean((td_target - Q(s, a))^2)`, one Adam step.
//! 4. Every `target_network_frequency` steps: `target = tau * Q + (1 - tau)
//!    * target`.
//!
//! CleanRL runs one env; with `num_envs > 1` a batch step stores one
//! transition per env and still counts as one `global_step`, as in CleanRL.

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::env::snapshot::VecEnvSnapshot;
use crate::learners::INIT_STREAM;
use crate::learners::hyperparams::{ensure, ensure_adam, ensure_unit_interval};
use crate::learners::{
    Algorithm, EnvBatchSpec, Metrics, StepOutcome, TrainError, Trainer, TrainerCore,
    collect_episodes,
};
use crate::nn::adam::{Adam, AdamConfig};
use crate::nn::clip::grad_norm;
use crate::nn::device::DeviceKind;
use crate::nn::host_forward::HostForward;
use crate::nn::mlp::{Activation, LayerInit, Mlp};
use crate::nn::threads::set_compute_threads;
use crate::nn::weights::ParamSet;
use crate::policy::epsilon::{greedy, linear_schedule};
use crate::replay::buffer::{Minibatch, ReplayBuffer};
use crate::{AutoresetMode, Batch, Rng};

/// Hyperparameters (the `[dqn]` TOML section); defaults are CleanRL's
/// `dqn.py` for CartPole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DqnConfig {
    /// Batch steps to train for. Default 500,000.
    pub total_timesteps: u64,
    /// Adam learning rate, > 0. Default 2.5e-4.
    pub learning_rate: f64,
    /// Adam epsilon, > 0. Default 1e-8 (torch's).
    pub adam_eps: f64,
    /// Replay capacity in transitions, >= batch_size. Default 10,000.
    pub buffer_size: usize,
    /// Discount, in [0, 1]. Default 0.99.
    pub gamma: f64,
    /// Target update rate, in (0, 1] (1: hard copy). Default 1.0.
    pub tau: f64,
    /// Steps between target updates, > 0. Default 500.
    pub target_network_frequency: u64,
    /// Transitions per gradient step, > 0. Default 128.
    pub batch_size: usize,
    /// Epsilon at the start, in [0, 1]. Default 1.0.
    pub start_e: f64,
    /// Epsilon at the end of exploration, in [0, start_e]. Default 0.05.
    pub end_e: f64,
    /// Share of `total_timesteps` over which epsilon falls, in [0, 1]. Default 0.5.
    pub exploration_fraction: f64,
    /// Steps before learning begins. Default 10,000.
    pub learning_starts: u64,
    /// Steps between gradient steps, > 0. Default 10.
    pub train_frequency: u64,
    /// Hidden layer widths (ReLU between). Default [120, 84].
    pub hidden_sizes: Vec<usize>,
    /// CPU threads for tensor maths (process-wide; see `nn::threads`). Default 1.
    pub threads: usize,
    /// `cpu` or `cuda`. Default `cpu`.
    pub device: DeviceKind,
}

impl Default for DqnConfig {
    fn default() -> Self {
        Self {
            total_timesteps: 500_000,
            learning_rate: 2.5e-4,
            adam_eps: 1e-8,
            buffer_size: 10_000,
            gamma: 0.99,
            tau: 1.0,
            target_network_frequency: 500,
            batch_size: 128,
            start_e: 1.0,
            end_e: 0.05,
            exploration_fraction: 0.5,
            learning_starts: 10_000,
            train_frequency: 10,
            hidden_sizes: vec![120, 84],
            threads: 1,
            device: DeviceKind::Cpu,
        }
    }
}

impl DqnConfig {
    /// Checks every value's range; the error names the key.
    pub fn validate(&self) -> Result<(), TrainError> {
        let c = self;
        ensure(c.total_timesteps > 0, "total_timesteps", || {
            "must be positive".into()
        })?;
        ensure_adam(c.learning_rate, c.adam_eps)?;
        ensure(c.batch_size > 0, "batch_size", || "must be positive".into())?;
        ensure(c.buffer_size >= c.batch_size, "buffer_size", || {
            format!(
                "must be at least batch_size = {}, got {}",
                c.batch_size, c.buffer_size
            )
        })?;
        ensure_unit_interval("gamma", c.gamma)?;
        ensure(c.tau > 0.0 && c.tau <= 1.0, "tau", || {
            format!("must be in (0, 1], got {}", c.tau)
        })?;
        ensure(
            c.target_network_frequency > 0,
            "target_network_frequency",
            || "must be positive".into(),
        )?;
        ensure_unit_interval("start_e", c.start_e)?;
        ensure(c.end_e >= 0.0 && c.end_e <= c.start_e, "end_e", || {
            format!("must be in [0, start_e = {}], got {}", c.start_e, c.end_e)
        })?;
        ensure_unit_interval("exploration_fraction", c.exploration_fraction)?;
        ensure(c.train_frequency > 0, "train_frequency", || {
            "must be positive".into()
        })?;
        ensure(!c.hidden_sizes.contains(&0), "hidden_sizes", || {
            format!("widths must be positive, got {:?}", c.hidden_sizes)
        })?;
        ensure(c.threads > 0, "threads", || "must be at least 1".into())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DqnState {
    rng: [u64; 4],
    obs: Vec<f32>,
    metrics: Metrics,
    started: bool,
}

/// A DQN learner; see the module doc.
#[derive(Debug)]
pub struct DqnTrainer {
    config: DqnConfig,
    core: TrainerCore,
    device: Device,
    n_actions: usize,
    q_network: Mlp,
    target_network: Mlp,
    params: ParamSet,
    target_params: ParamSet,
    optimizer: Adam,
    replay: ReplayBuffer,
    rng: Rng,
    /// Current observations, `num_envs x obs_dim`.
    obs: Vec<f32>,
    actions: Vec<i64>,
    /// Q-values of the last act's batch, when any action was greedy.
    last_q: Option<Vec<f32>>,
    /// Which actions of the last act were greedy.
    greedy_mask: Vec<bool>,
    minibatch: Minibatch,
    /// The Q-network's forward pass for acting, on the host.
    acting: HostForward,
}

impl DqnTrainer {
    /// A learner for `spec`; fails on bad hyperparameters or a non-Discrete
    /// action space.
    pub fn new(config: DqnConfig, spec: EnvBatchSpec, seed: u64) -> Result<Self, TrainError> {
        config.validate()?;
        let n_actions = spec.discrete_actions("DQN")?;
        set_compute_threads(config.threads)?;
        let device = config.device.device()?;
        let d = spec.obs_dim();
        let mut sizes = vec![d];
        sizes.extend(&config.hidden_sizes);
        sizes.push(n_actions);
        let mut init_rng = Rng::seed_from_u64(seed ^ INIT_STREAM);
        let inits = vec![LayerInit::TorchDefault; sizes.len() - 1];
        let mut relu_mlp = |name: &str| {
            Mlp::new(
                name,
                &sizes,
                Activation::Relu,
                &inits,
                &mut init_rng,
                &device,
            )
        };
        let q_network = relu_mlp("q_network")?;
        let target_network = relu_mlp("target_network")?;
        target_network.update_from(&q_network, 1.0)?;
        let params = ParamSet::new(q_network.named_params());
        let target_params = ParamSet::new(target_network.named_params());
        let optimizer = Adam::new(
            params.vars(),
            AdamConfig::with_lr_eps(config.learning_rate, config.adam_eps),
        )?;
        let n = spec.num_envs;
        let metrics = Metrics {
            learning_rate: Some(config.learning_rate),
            epsilon: Some(config.start_e),
            ..Metrics::default()
        };
        Ok(Self {
            replay: ReplayBuffer::new(config.buffer_size, d),
            config,
            device,
            n_actions,
            q_network,
            target_network,
            params,
            target_params,
            optimizer,
            rng: Rng::seed_from_u64(seed),
            obs: vec![0.0; n * d],
            actions: vec![0; n],
            last_q: None,
            greedy_mask: Vec::with_capacity(n),
            minibatch: Minibatch::default(),
            acting: HostForward::default(),
            core: TrainerCore::new(Algorithm::Dqn, spec, seed, metrics),
        })
    }

    /// The replay buffer.
    pub fn replay(&self) -> &ReplayBuffer {
        &self.replay
    }

    /// The whole state, with `replay` as the replay buffer.
    fn checkpoint_with(
        &self,
        replay: &ReplayBuffer,
        envs: &[VecEnvSnapshot],
    ) -> Result<Vec<u8>, TrainError> {
        let sections = vec![
            ("weights", self.params.to_safetensors()?),
            ("target", self.target_params.to_safetensors()?),
            ("optimizer", self.optimizer.state_bytes()?),
            ("replay", replay.to_bytes()?),
        ];
        let state = DqnState {
            rng: self.rng.state(),
            obs: self.obs.clone(),
            metrics: self.core.metrics.clone(),
            started: self.core.started,
        };
        self.core.encode_checkpoint(sections, &state, envs)
    }

    /// The Q-network's weights as safetensors bytes.
    pub fn weights(&self) -> Result<Vec<u8>, TrainError> {
        self.params.to_safetensors()
    }

    fn epsilon(&self) -> f64 {
        let c = &self.config;
        linear_schedule(
            c.start_e,
            c.end_e,
            c.exploration_fraction * c.total_timesteps as f64,
            self.core.metrics.iterations as f64,
        )
    }

    /// Q-values of `rows` observations, flat `rows x n_actions`.
    fn q_values(&self, obs: &[f32], rows: usize) -> Result<Vec<f32>, TrainError> {
        let x = Tensor::from_slice(obs, (rows, self.core.spec.obs_dim()), &self.device)?;
        Ok(self
            .q_network
            .forward(&x)?
            .flatten_all()?
            .to_vec1::<f32>()?)
    }

    /// One gradient step on a sampled minibatch.
    fn train(&mut self) -> Result<(), TrainError> {
        let b = self.config.batch_size;
        self.replay.sample(b, &mut self.rng, &mut self.minibatch);
        self.learn_from_minibatch()
    }

    /// The TD loss on the current minibatch, with Q(s, a) of its transitions.
    fn td_loss(&self) -> Result<(Tensor, Tensor), TrainError> {
        let (b, d) = (self.minibatch.actions.len(), self.core.spec.obs_dim());
        let mb = &self.minibatch;
        // The target is computed on the host: no gradient flows through it.
        let next = Tensor::from_slice(&mb.next_obs, (b, d), &self.device)?;
        let next_q = self
            .target_network
            .forward(&next)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let gamma = self.config.gamma as f32;
        let td_target: Vec<f32> = (0..b)
            .map(|i| {
                let row = &next_q[i * self.n_actions..(i + 1) * self.n_actions];
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                mb.rewards[i] + gamma * max * (1.0 - mb.dones[i])
            })
            .collect();
        let obs = Tensor::from_slice(&mb.obs, (b, d), &self.device)?;
        let actions = Tensor::from_slice(&mb.actions, (b, 1), &self.device)?;
        let target = Tensor::from_slice(&td_target, b, &self.device)?;
        let old_val = self
            .q_network
            .forward(&obs)?
            .gather(&actions, 1)?
            .squeeze(1)?;
        let loss = (&old_val - &target)?.sqr()?.mean_all()?;
        Ok((loss, old_val))
    }

    /// One Adam step on the TD loss of the current minibatch.
    fn learn_from_minibatch(&mut self) -> Result<(), TrainError> {
        let (loss, old_val) = self.td_loss()?;
        let step = self.core.metrics.iterations;
        let loss_value =
            TrainError::check_finite("TD loss", f64::from(loss.to_scalar::<f32>()?), step)?;
        let grads = self.params.gradients(&loss)?;
        let norm = TrainError::check_finite("gradient norm", grad_norm(&grads), step)?;
        self.optimizer.step(&grads)?;
        let metrics = &mut self.core.metrics;
        metrics.td_loss = Some(loss_value);
        metrics.q_mean = Some(f64::from(old_val.mean_all()?.to_scalar::<f32>()?));
        metrics.grad_norm = Some(norm);
        metrics.updates += 1;
        Ok(())
    }
}

impl Trainer for DqnTrainer {
    fn core(&self) -> &TrainerCore {
        &self.core
    }

    fn last_action_values(&self, env: usize) -> Option<Vec<f64>> {
        if !*self.greedy_mask.get(env)? {
            return None;
        }
        let q = self.last_q.as_ref()?;
        let row = q.get(env * self.n_actions..(env + 1) * self.n_actions)?;
        Some(row.iter().map(|v| f64::from(*v)).collect())
    }

    fn begin(&mut self, batch: &Batch) -> Result<(), TrainError> {
        self.core.spec.check_batch(batch)?;
        self.obs.copy_from_slice(&batch.obs);
        self.core.started = true;
        Ok(())
    }

    fn act(&mut self) -> Result<&[i64], TrainError> {
        self.core.check_started()?;
        let epsilon = self.epsilon();
        self.core.metrics.epsilon = Some(epsilon);
        let n = self.core.spec.num_envs;
        let mut any_greedy = false;
        for a in self.actions.iter_mut() {
            if self.rng.next_f64() < epsilon {
                *a = self.rng.below(self.n_actions as u64) as i64;
            } else {
                *a = -1;
                any_greedy = true;
            }
        }
        self.greedy_mask.clear();
        self.greedy_mask.extend(self.actions.iter().map(|a| *a < 0));
        if any_greedy {
            // On the host copy the optimizer keeps: a batch step's few rows
            // cost more in candle's per-op overhead than in arithmetic.
            let q = self.acting.forward(
                self.optimizer.host_params(),
                self.q_network.sizes(),
                Activation::Relu,
                &self.obs,
                n,
            )?;
            for (i, a) in self.actions.iter_mut().enumerate() {
                if *a < 0 {
                    *a = greedy(&q[i * self.n_actions..(i + 1) * self.n_actions]);
                }
            }
            // Kept for the live view; its buffer is reused step to step.
            let last = self.last_q.get_or_insert_with(Vec::new);
            last.clear();
            last.extend_from_slice(q);
        }
        Ok(&self.actions)
    }

    fn observe(&mut self, batch: &Batch) -> Result<StepOutcome, TrainError> {
        self.core.spec.check_batch(batch)?;
        let d = self.core.spec.obs_dim();
        let same_step = self.core.spec.autoreset == AutoresetMode::SameStep;
        let mut out = StepOutcome::default();
        for i in 0..self.core.spec.num_envs {
            if batch.autoreset[i] {
                continue;
            }
            out.transitions += 1;
            let done = batch.terminated[i] | batch.truncated[i];
            let next = if same_step && done {
                batch.final_obs_of(i)
            } else {
                batch.obs_of(i)
            };
            self.replay.push(
                &self.obs[i * d..(i + 1) * d],
                self.actions[i],
                batch.rewards[i],
                next,
                batch.terminated[i],
            );
        }
        self.obs.copy_from_slice(&batch.obs);
        collect_episodes(batch, &mut self.core.metrics, &mut out.episodes);
        let t = self.core.metrics.iterations;
        if t > self.config.learning_starts {
            if t.is_multiple_of(self.config.train_frequency) {
                self.train()?;
                out.updates += 1;
            }
            if t.is_multiple_of(self.config.target_network_frequency) {
                self.target_network
                    .update_from(&self.q_network, self.config.tau)?;
            }
        }
        self.core.count_batch_step(out.transitions);
        out.done = self.is_done();
        Ok(out)
    }

    fn act_greedy(&mut self, obs: &[f32]) -> Result<Vec<i64>, TrainError> {
        let rows = self.core.spec.obs_rows(obs)?;
        let q = self.q_values(obs, rows)?;
        Ok(q.chunks_exact(self.n_actions).map(greedy).collect())
    }

    fn is_done(&self) -> bool {
        self.core.metrics.iterations >= self.config.total_timesteps
    }

    fn save_state(&self, envs: &[VecEnvSnapshot]) -> Result<Vec<u8>, TrainError> {
        self.checkpoint_with(&self.replay, envs)
    }

    /// An empty replay buffer of the same shape in place of the real one:
    /// the checkpoint loads like any other, and a 10,000-transition buffer
    /// is most of a CartPole checkpoint's bytes.
    fn save_policy_state(&self, envs: &[VecEnvSnapshot]) -> Result<Vec<u8>, TrainError> {
        let empty = ReplayBuffer::new(self.replay.capacity(), self.core.spec.obs_dim());
        self.checkpoint_with(&empty, envs)
    }

    fn load_state(&mut self, bytes: &[u8]) -> Result<Vec<VecEnvSnapshot>, TrainError> {
        // Decode everything before changing anything.
        let (c, state): (_, DqnState) = self.core.open_checkpoint(bytes)?;
        if state.obs.len() != self.obs.len() {
            return Err(TrainError::CheckpointMismatch(format!(
                "it holds {} observation values, this run has {}",
                state.obs.len(),
                self.obs.len()
            )));
        }
        let replay = ReplayBuffer::from_bytes(c.bytes("replay")?)?;
        if replay.capacity() != self.config.buffer_size {
            return Err(TrainError::CheckpointMismatch(format!(
                "its replay buffer holds {} transitions, buffer_size is {}",
                replay.capacity(),
                self.config.buffer_size
            )));
        }
        let envs = c.env_snapshots()?;
        let mut optimizer = self.optimizer.clone();
        // Weights last among the fallible steps that touch the networks;
        // each load checks every tensor before writing any.
        self.params.load_safetensors(c.bytes("weights")?)?;
        self.target_params.load_safetensors(c.bytes("target")?)?;
        optimizer.load_state_bytes(c.bytes("optimizer")?)?;
        self.optimizer = optimizer;
        self.replay = replay;
        self.rng = Rng::from_state(state.rng);
        self.obs = state.obs;
        self.core.resume(state.metrics, state.started);
        Ok(envs)
    }

    fn warm_start(&mut self, bytes: &[u8]) -> Result<(), TrainError> {
        let c = self.core.open_for_warm_start(bytes)?;
        self.params.load_safetensors(c.bytes("weights")?)?;
        self.target_network.update_from(&self.q_network, 1.0)?;
        self.optimizer.sync_from_vars()
    }
}

#[cfg(test)]
mod torch_parity;

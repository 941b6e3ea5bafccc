//! PPO with a discrete policy, as CleanRL's `ppo.py`.
//!
//! Separate actor and critic, each `obs -> 64 -> 64 -> out` with tanh and
//! CleanRL's `layer_init` (orthogonal, gain `sqrt(2)` for hidden layers,
//! `0.01` for the policy head, `1` for the value head, zero biases). One
//! Adam (eps 1e-5) over both. Each iteration:
//!
//! 1. Learning rate `= (1 - (iteration - 1) / num_iterations) *
//!    learning_rate` when `anneal_lr`.
//! 2. Roll out `num_steps` batch steps: one forward pass of actor and critic
//!    over all envs per step, actions sampled from the categorical policy;
//!    store obs, action, log-prob, value, reward, and the done flag of the
//!    previous step (CleanRL's `dones[step] = next_done`).
//! 3. GAE(`gamma`, `gae_lambda`) backwards from the critic's value of the
//!    last observation; returns `= advantages + values`. An episode cut by
//!    the time limit adds `gamma * V(final obs)` to its last reward when
//!    `bootstrap_truncated` (Stable-Baselines3's handling; CleanRL's
//!    `ppo.py` treats the cut as a termination).
//! 4. `update_epochs` passes over the shuffled batch in `num_minibatches`
//!    minibatches: ratio `= exp(logp_new - logp_old)`, clipped surrogate
//!    `max(-A * r, -A * clip(r, 1 ± clip_coef))`, advantages normalised per
//!    minibatch when `norm_adv`, value loss clipped around the old values
//!    when `clip_vloss`, loss `= pg - ent_coef * entropy + vf_coef * v`,
//!    global gradient norm clipped to `max_grad_norm`, one Adam step; stop
//!    the epochs early when `target_kl` is set and exceeded.
//!
//! The envs must autoreset in the same step (CleanRL's vector-env
//! semantics), so that every slot of the rollout is a transition.

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
use crate::nn::categorical::{argmax, log_prob_and_entropy, sample};
use crate::nn::clip::clip_grad_norm;
use crate::nn::device::DeviceKind;
use crate::nn::host_forward::HostForward;
use crate::nn::mlp::{Activation, LayerInit, Mlp};
use crate::nn::threads::set_compute_threads;
use crate::nn::weights::ParamSet;
use crate::{AutoresetMode, Batch, Rng};

/// Hyperparameters (the `[ppo]` TOML section); defaults are CleanRL's
/// `ppo.py` (the number of envs, 4 there, comes from the run's env batch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PpoConfig {
    /// Env transitions to train for (all envs). Default 500,000.
    pub total_timesteps: u64,
    /// Adam learning rate, > 0. Default 2.5e-4.
    pub learning_rate: f64,
    /// Adam epsilon, > 0. Default 1e-5.
    pub adam_eps: f64,
    /// Batch steps per rollout, > 0. Default 128.
    pub num_steps: usize,
    /// Anneal the learning rate linearly to 0 over the run. Default true.
    pub anneal_lr: bool,
    /// Discount, in [0, 1]. Default 0.99.
    pub gamma: f64,
    /// GAE lambda, in [0, 1]. Default 0.95.
    pub gae_lambda: f64,
    /// Minibatches per epoch, in 1..=num_envs * num_steps. Default 4.
    pub num_minibatches: usize,
    /// Passes over each rollout, > 0. Default 4.
    pub update_epochs: usize,
    /// Normalise advantages per minibatch. Default true.
    pub norm_adv: bool,
    /// Surrogate clipping coefficient, > 0. Default 0.2.
    pub clip_coef: f64,
    /// Clip the value loss around the old values. Default true.
    pub clip_vloss: bool,
    /// Entropy bonus coefficient, >= 0. Default 0.01.
    pub ent_coef: f64,
    /// Value loss coefficient, >= 0. Default 0.5.
    pub vf_coef: f64,
    /// Global gradient norm limit, > 0. Default 0.5.
    pub max_grad_norm: f64,
    /// Stop an update's epochs once the approximate KL exceeds this. Default none.
    pub target_kl: Option<f64>,
    /// Bootstrap episodes cut by the time limit: add `gamma * V(final obs)`
    /// to the last reward, as Stable-Baselines3 does. CleanRL's `ppo.py`
    /// treats a cut like a termination (`false`). Default true.
    pub bootstrap_truncated: bool,
    /// Hidden layer widths of actor and critic (tanh). Default [64, 64].
    pub hidden_sizes: Vec<usize>,
    /// CPU threads for tensor maths (process-wide; see `nn::threads`). Default 1.
    pub threads: usize,
    /// `cpu` or `cuda`. Default `cpu`.
    pub device: DeviceKind,
}

impl Default for PpoConfig {
    fn default() -> Self {
        Self {
            total_timesteps: 500_000,
            learning_rate: 2.5e-4,
            adam_eps: 1e-5,
            num_steps: 128,
            anneal_lr: true,
            gamma: 0.99,
            gae_lambda: 0.95,
            num_minibatches: 4,
            update_epochs: 4,
            norm_adv: true,
            clip_coef: 0.2,
            clip_vloss: true,
            ent_coef: 0.01,
            vf_coef: 0.5,
            max_grad_norm: 0.5,
            target_kl: None,
            bootstrap_truncated: true,
            hidden_sizes: vec![64, 64],
            threads: 1,
            device: DeviceKind::Cpu,
        }
    }
}

impl PpoConfig {
    /// Checks every value's range for a batch of `num_envs`; the error
    /// names the key.
    pub fn validate(&self, num_envs: usize) -> Result<(), TrainError> {
        let c = self;
        let batch = num_envs * c.num_steps;
        ensure(c.num_steps > 0, "num_steps", || "must be positive".into())?;
        ensure(c.total_timesteps >= batch as u64, "total_timesteps", || {
            format!(
                "must be at least one rollout ({num_envs} envs x {} steps = {batch}), got {}",
                c.num_steps, c.total_timesteps
            )
        })?;
        ensure_adam(c.learning_rate, c.adam_eps)?;
        ensure_unit_interval("gamma", c.gamma)?;
        ensure_unit_interval("gae_lambda", c.gae_lambda)?;
        ensure(
            c.num_minibatches >= 1 && c.num_minibatches <= batch,
            "num_minibatches",
            || {
                format!(
                    "must be in 1..={batch} (num_envs x num_steps), got {}",
                    c.num_minibatches
                )
            },
        )?;
        ensure(c.update_epochs > 0, "update_epochs", || {
            "must be positive".into()
        })?;
        ensure(c.clip_coef > 0.0, "clip_coef", || {
            format!("must be positive, got {}", c.clip_coef)
        })?;
        ensure(c.ent_coef >= 0.0, "ent_coef", || {
            format!("must be >= 0, got {}", c.ent_coef)
        })?;
        ensure(c.vf_coef >= 0.0, "vf_coef", || {
            format!("must be >= 0, got {}", c.vf_coef)
        })?;
        ensure(c.max_grad_norm > 0.0, "max_grad_norm", || {
            format!("must be positive, got {}", c.max_grad_norm)
        })?;
        ensure(c.target_kl.is_none_or(|k| k > 0.0), "target_kl", || {
            format!("must be positive, got {:?}", c.target_kl)
        })?;
        ensure(
            !c.hidden_sizes.is_empty() && !c.hidden_sizes.contains(&0),
            "hidden_sizes",
            || {
                format!(
                    "needs at least one positive width, got {:?}",
                    c.hidden_sizes
                )
            },
        )?;
        ensure(c.threads > 0, "threads", || "must be at least 1".into())
    }
}

/// One rollout's storage, `num_steps x num_envs` (row = step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rollout {
    obs: Vec<f32>,
    actions: Vec<i64>,
    logprobs: Vec<f32>,
    rewards: Vec<f32>,
    dones: Vec<f32>,
    values: Vec<f32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PpoState {
    rng: [u64; 4],
    next_obs: Vec<f32>,
    next_done: Vec<f32>,
    step: usize,
    iteration: u64,
    rollout: Rollout,
    metrics: Metrics,
    started: bool,
}

/// A PPO learner; see the module doc.
#[derive(Debug)]
pub struct PpoTrainer {
    config: PpoConfig,
    core: TrainerCore,
    device: Device,
    n_actions: usize,
    actor: Mlp,
    critic: Mlp,
    params: ParamSet,
    optimizer: Adam,
    rng: Rng,
    next_obs: Vec<f32>,
    next_done: Vec<f32>,
    /// Step within the current rollout.
    step: usize,
    /// Completed rollouts + 1 (CleanRL's 1-based `iteration`).
    iteration: u64,
    num_iterations: u64,
    rollout: Rollout,
    actions: Vec<i64>,
    /// Policy logits of the last act's batch.
    last_logits: Vec<f32>,
    /// Actor and critic forward passes for acting, on the host.
    actor_acting: HostForward,
    critic_acting: HostForward,
}

impl PpoTrainer {
    /// A learner for `spec`; fails on bad hyperparameters, a non-Discrete
    /// action space or envs that do not autoreset in the same step.
    pub fn new(config: PpoConfig, spec: EnvBatchSpec, seed: u64) -> Result<Self, TrainError> {
        let n = spec.num_envs;
        config.validate(n)?;
        let n_actions = spec.discrete_actions("PPO")?;
        if spec.autoreset != AutoresetMode::SameStep {
            return Err(TrainError::UnsupportedEnv {
                algorithm: "PPO",
                env: spec.env_id.clone(),
                reason: "its envs must autoreset in the same step (AutoresetMode::SameStep), \
                         as CleanRL's rollouts assume"
                    .into(),
            });
        }
        set_compute_threads(config.threads)?;
        let device = config.device.device()?;
        let d = spec.obs_dim();
        let mut init_rng = Rng::seed_from_u64(seed ^ INIT_STREAM);
        let hidden = LayerInit::Orthogonal { gain: 2f64.sqrt() };
        let mut sizes = vec![d];
        sizes.extend(&config.hidden_sizes);
        let layers = sizes.len();
        let mut inits = vec![hidden; layers - 1];
        inits.push(LayerInit::Orthogonal { gain: 1.0 });
        let critic = Mlp::new(
            "critic",
            &[sizes.as_slice(), &[1]].concat(),
            Activation::Tanh,
            &inits,
            &mut init_rng,
            &device,
        )?;
        inits[layers - 1] = LayerInit::Orthogonal { gain: 0.01 };
        let actor = Mlp::new(
            "actor",
            &[sizes.as_slice(), &[n_actions]].concat(),
            Activation::Tanh,
            &inits,
            &mut init_rng,
            &device,
        )?;
        let mut named = critic.named_params();
        named.extend(actor.named_params());
        let params = ParamSet::new(named);
        let optimizer = Adam::new(
            params.vars(),
            AdamConfig::with_lr_eps(config.learning_rate, config.adam_eps),
        )?;
        let t = config.num_steps;
        let num_iterations = config.total_timesteps / (n * t) as u64;
        let metrics = Metrics {
            learning_rate: Some(config.learning_rate),
            ..Metrics::default()
        };
        Ok(Self {
            config,
            device,
            n_actions,
            actor,
            critic,
            params,
            optimizer,
            rng: Rng::seed_from_u64(seed),
            next_obs: vec![0.0; n * d],
            next_done: vec![0.0; n],
            step: 0,
            iteration: 1,
            num_iterations,
            rollout: Rollout {
                obs: vec![0.0; t * n * d],
                actions: vec![0; t * n],
                logprobs: vec![0.0; t * n],
                rewards: vec![0.0; t * n],
                dones: vec![0.0; t * n],
                values: vec![0.0; t * n],
            },
            actions: vec![0; n],
            last_logits: Vec::new(),
            actor_acting: HostForward::default(),
            critic_acting: HostForward::default(),
            core: TrainerCore::new(Algorithm::Ppo, spec, seed, metrics),
        })
    }

    /// Actor and critic weights as safetensors bytes.
    pub fn weights(&self) -> Result<Vec<u8>, TrainError> {
        self.params.to_safetensors()
    }

    fn tensor(&self, data: &[f32], rows: usize, cols: usize) -> Result<Tensor, TrainError> {
        Ok(Tensor::from_slice(data, (rows, cols), &self.device)?)
    }

    fn values_of(&self, obs: &Tensor) -> Result<Vec<f32>, TrainError> {
        Ok(self.critic.forward(obs)?.flatten_all()?.to_vec1::<f32>()?)
    }

    /// GAE over the finished rollout; returns (advantages, returns).
    fn advantages(&self) -> Result<(Vec<f32>, Vec<f32>), TrainError> {
        let (t_max, n) = (self.config.num_steps, self.core.spec.num_envs);
        let next = self.tensor(&self.next_obs, n, self.core.spec.obs_dim())?;
        let next_value = self.values_of(&next)?;
        let (gamma, lambda) = (self.config.gamma as f32, self.config.gae_lambda as f32);
        let r = &self.rollout;
        let mut adv = vec![0.0f32; t_max * n];
        for (i, &last_value) in next_value.iter().enumerate().take(n) {
            let mut lastgaelam = 0.0f32;
            for t in (0..t_max).rev() {
                let (nnt, nv) = if t == t_max - 1 {
                    (1.0 - self.next_done[i], last_value)
                } else {
                    (1.0 - r.dones[(t + 1) * n + i], r.values[(t + 1) * n + i])
                };
                let k = t * n + i;
                let delta = r.rewards[k] + gamma * nv * nnt - r.values[k];
                lastgaelam = delta + gamma * lambda * nnt * lastgaelam;
                adv[k] = lastgaelam;
            }
        }
        let returns = adv.iter().zip(&r.values).map(|(a, v)| a + v).collect();
        Ok((adv, returns))
    }

    /// The update after a full rollout; see step 4 of the module doc.
    fn update(&mut self) -> Result<u32, TrainError> {
        let (adv, returns) = self.advantages()?;
        let d = self.core.spec.obs_dim();
        let batch = self.config.num_steps * self.core.spec.num_envs;
        let mb_size = batch / self.config.num_minibatches;
        let (epochs, target_kl) = (self.config.update_epochs, self.config.target_kl);
        let mut inds: Vec<usize> = (0..batch).collect();
        let mut mb = Minibatch::default();
        let mut updates = 0;
        let mut clipfracs = Vec::new();
        'epochs: for _ in 0..epochs {
            shuffle(&mut inds, &mut self.rng);
            let mut approx_kl = 0.0;
            // `chunks_exact`: CleanRL's slicing never yields a short minibatch either.
            for chunk in inds.chunks_exact(mb_size) {
                mb.gather(&self.rollout, d, &adv, &returns, chunk);
                let loss = self.minibatch_step(&mb)?;
                approx_kl = loss.approx_kl;
                clipfracs.push(loss.clip_fraction);
                updates += 1;
            }
            if target_kl.is_some_and(|k| approx_kl > k) {
                break 'epochs;
            }
        }
        if !clipfracs.is_empty() {
            self.core.metrics.clip_fraction =
                Some(clipfracs.iter().sum::<f64>() / clipfracs.len() as f64);
        }
        self.core.metrics.explained_variance =
            Some(explained_variance(&self.rollout.values, &returns));
        Ok(updates)
    }

    /// One gradient step on `mb`: its loss, the gradients clipped to
    /// `max_grad_norm`, one Adam step; the loss's parts go to the metrics.
    fn minibatch_step(&mut self, mb: &Minibatch) -> Result<MinibatchLoss, TrainError> {
        let step = self.core.metrics.env_steps;
        let loss = self.minibatch_loss(mb)?;
        TrainError::check_finite("PPO loss", f64::from(loss.total.to_scalar::<f32>()?), step)?;
        let mut grads = self.params.gradients(&loss.total)?;
        let norm = clip_grad_norm(&mut grads, self.config.max_grad_norm);
        let norm = TrainError::check_finite("gradient norm", norm, step)?;
        self.optimizer.step(&grads)?;
        let metrics = &mut self.core.metrics;
        metrics.updates += 1;
        metrics.grad_norm = Some(norm);
        metrics.policy_loss = Some(f64::from(loss.policy.to_scalar::<f32>()?));
        metrics.value_loss = Some(f64::from(loss.value.to_scalar::<f32>()?));
        metrics.entropy = Some(f64::from(loss.entropy.to_scalar::<f32>()?));
        metrics.approx_kl = Some(loss.approx_kl);
        Ok(loss)
    }

    /// CleanRL's loss on one minibatch: clipped surrogate, (clipped) value
    /// loss and entropy bonus, with the approximate KL and clip fraction.
    fn minibatch_loss(&self, mb: &Minibatch) -> Result<MinibatchLoss, TrainError> {
        let c = &self.config;
        let (m, d, dev) = (mb.len(), self.core.spec.obs_dim(), &self.device);
        let advantages = if c.norm_adv {
            mb.normalised_advantages()
        } else {
            mb.advantages.clone()
        };
        let obs = Tensor::from_slice(&mb.obs, (m, d), dev)?;
        let actions = Tensor::from_slice(&mb.actions, m, dev)?;
        let old_logp = Tensor::from_slice(&mb.logprobs, m, dev)?;
        let advt = Tensor::from_slice(&advantages, m, dev)?;
        let rett = Tensor::from_slice(&mb.returns, m, dev)?;
        let valt = Tensor::from_slice(&mb.values, m, dev)?;

        let logits = self.actor.forward(&obs)?;
        let (new_logp, entropy) = log_prob_and_entropy(&logits, &actions)?;
        let new_value = self.critic.forward(&obs)?.squeeze(1)?;
        let logratio = (&new_logp - &old_logp)?;
        let ratio = logratio.exp()?;

        let lr_host = logratio.to_vec1::<f32>()?;
        let ratio_host = ratio.to_vec1::<f32>()?;
        let approx_kl = lr_host
            .iter()
            .zip(&ratio_host)
            .map(|(l, r)| f64::from((r - 1.0) - l))
            .sum::<f64>()
            / m as f64;
        let clip_fraction = ratio_host
            .iter()
            .filter(|r| f64::from((*r - 1.0).abs()) > c.clip_coef)
            .count() as f64
            / m as f64;

        let pg1 = (advt.neg()? * &ratio)?;
        let clipped = ratio.clamp(1.0 - c.clip_coef, 1.0 + c.clip_coef)?;
        let pg2 = (advt.neg()? * clipped)?;
        let policy = pg1.maximum(&pg2)?.mean_all()?;

        let v_unclipped = (&new_value - &rett)?.sqr()?;
        let value = if c.clip_vloss {
            let delta = (&new_value - &valt)?.clamp(-c.clip_coef, c.clip_coef)?;
            let v_clipped = ((&valt + delta)? - &rett)?.sqr()?;
            (v_unclipped.maximum(&v_clipped)?.mean_all()? * 0.5)?
        } else {
            (v_unclipped.mean_all()? * 0.5)?
        };
        let entropy = entropy.mean_all()?;
        let total = ((&policy - (&entropy * c.ent_coef)?)? + (&value * c.vf_coef)?)?;
        Ok(MinibatchLoss {
            total,
            policy,
            value,
            entropy,
            approx_kl,
            clip_fraction,
        })
    }

    /// Adds `gamma * V(final obs)` to the reward of every env whose episode
    /// was cut (not terminated) in this step; one critic pass over those
    /// rows only, so steps without a cut cost nothing.
    fn bootstrap_truncated(&mut self, batch: &Batch) -> Result<(), TrainError> {
        let n = self.core.spec.num_envs;
        let cut: Vec<usize> = (0..n)
            .filter(|&i| batch.truncated[i] && !batch.terminated[i])
            .collect();
        if cut.is_empty() {
            return Ok(());
        }
        let d = self.core.spec.obs_dim();
        let rows: Vec<f32> = cut
            .iter()
            .flat_map(|&i| batch.final_obs_of(i).iter().copied())
            .collect();
        let values = self.values_of(&self.tensor(&rows, cut.len(), d)?)?;
        let gamma = self.config.gamma as f32;
        for (&i, v) in cut.iter().zip(values) {
            self.rollout.rewards[self.step * n + i] += gamma * v;
        }
        Ok(())
    }

    fn anneal(&mut self) {
        if self.config.anneal_lr {
            let frac = 1.0 - (self.iteration - 1) as f64 / self.num_iterations as f64;
            self.optimizer.set_lr(frac * self.config.learning_rate);
        }
        self.core.metrics.learning_rate = Some(self.optimizer.lr());
    }
}

/// Shuffles `inds` in place (Fisher-Yates, as `np.random.shuffle`).
fn shuffle(inds: &mut [usize], rng: &mut Rng) {
    for i in (1..inds.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        inds.swap(i, j);
    }
}

/// One minibatch of the rollout, gathered for an update.
#[derive(Debug, Default)]
struct Minibatch {
    obs: Vec<f32>,
    actions: Vec<u32>,
    logprobs: Vec<f32>,
    advantages: Vec<f32>,
    returns: Vec<f32>,
    values: Vec<f32>,
}

impl Minibatch {
    /// Refills this minibatch with the rollout slots `indices`.
    fn gather(
        &mut self,
        rollout: &Rollout,
        obs_dim: usize,
        advantages: &[f32],
        returns: &[f32],
        indices: &[usize],
    ) {
        self.obs.clear();
        self.actions.clear();
        self.logprobs.clear();
        self.advantages.clear();
        self.returns.clear();
        self.values.clear();
        for &k in indices {
            self.obs
                .extend_from_slice(&rollout.obs[k * obs_dim..(k + 1) * obs_dim]);
            self.actions.push(rollout.actions[k] as u32);
            self.logprobs.push(rollout.logprobs[k]);
            self.advantages.push(advantages[k]);
            self.returns.push(returns[k]);
            self.values.push(rollout.values[k]);
        }
    }

    fn len(&self) -> usize {
        self.actions.len()
    }

    /// The advantages shifted to mean 0 and scaled by their standard
    /// deviation (the unbiased one, as torch's `std()`).
    fn normalised_advantages(&self) -> Vec<f32> {
        let m = self.advantages.len();
        let mean = self.advantages.iter().sum::<f32>() / m as f32;
        let var = self
            .advantages
            .iter()
            .map(|a| (a - mean).powi(2))
            .sum::<f32>()
            / (m.max(2) - 1) as f32;
        let std = var.sqrt();
        self.advantages
            .iter()
            .map(|a| (a - mean) / (std + 1e-8))
            .collect()
    }
}

/// A minibatch's loss (`total` carries the graph) and its logged parts.
#[derive(Debug)]
struct MinibatchLoss {
    total: Tensor,
    policy: Tensor,
    value: Tensor,
    entropy: Tensor,
    approx_kl: f64,
    clip_fraction: f64,
}

/// `1 - var(returns - values) / var(returns)` (NaN when the returns do not vary).
fn explained_variance(values: &[f32], returns: &[f32]) -> f64 {
    let var = |x: &mut dyn Iterator<Item = f64>| {
        let v: Vec<f64> = x.collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / v.len() as f64
    };
    let var_y = var(&mut returns.iter().map(|&r| f64::from(r)));
    let var_d = var(&mut returns.iter().zip(values).map(|(&r, &v)| f64::from(r - v)));
    if var_y == 0.0 {
        f64::NAN
    } else {
        1.0 - var_d / var_y
    }
}

impl Trainer for PpoTrainer {
    fn core(&self) -> &TrainerCore {
        &self.core
    }

    fn last_action_values(&self, env: usize) -> Option<Vec<f64>> {
        let na = self.n_actions;
        let logits = self.last_logits.get(env * na..(env + 1) * na)?;
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f64> = logits.iter().map(|l| f64::from(l - max).exp()).collect();
        let total: f64 = exp.iter().sum();
        Some(exp.into_iter().map(|e| e / total).collect())
    }

    fn begin(&mut self, batch: &Batch) -> Result<(), TrainError> {
        self.core.spec.check_batch(batch)?;
        self.next_obs.copy_from_slice(&batch.obs);
        self.next_done.fill(0.0);
        self.anneal();
        self.core.started = true;
        Ok(())
    }

    fn act(&mut self) -> Result<&[i64], TrainError> {
        self.core.check_started()?;
        let (n, d, na) = (
            self.core.spec.num_envs,
            self.core.spec.obs_dim(),
            self.n_actions,
        );
        // On the host copies the optimizer keeps (critic first, then actor):
        // one step's few rows cost more in candle's per-op overhead than in
        // arithmetic.
        let (critic_params, actor_params) = self
            .optimizer
            .host_params()
            .split_at(2 * (self.critic.sizes().len() - 1));
        let logits = self
            .actor_acting
            .forward(
                actor_params,
                self.actor.sizes(),
                Activation::Tanh,
                &self.next_obs,
                n,
            )?
            .to_vec();
        let values = self.critic_acting.forward(
            critic_params,
            self.critic.sizes(),
            Activation::Tanh,
            &self.next_obs,
            n,
        )?;
        let s = self.step;
        let mut scratch = vec![0.0f64; na];
        for i in 0..n {
            let (a, logp) = sample(&logits[i * na..(i + 1) * na], &mut self.rng, &mut scratch);
            self.actions[i] = a;
            self.rollout.actions[s * n + i] = a;
            self.rollout.logprobs[s * n + i] = logp as f32;
            self.rollout.values[s * n + i] = values[i];
        }
        self.rollout.obs[s * n * d..(s + 1) * n * d].copy_from_slice(&self.next_obs);
        self.rollout.dones[s * n..(s + 1) * n].copy_from_slice(&self.next_done);
        self.last_logits = logits;
        Ok(&self.actions)
    }

    fn observe(&mut self, batch: &Batch) -> Result<StepOutcome, TrainError> {
        self.core.spec.check_batch(batch)?;
        let n = self.core.spec.num_envs;
        let s = self.step;
        let mut out = StepOutcome {
            transitions: n,
            ..StepOutcome::default()
        };
        self.rollout.rewards[s * n..(s + 1) * n].copy_from_slice(&batch.rewards);
        if self.config.bootstrap_truncated {
            self.bootstrap_truncated(batch)?;
        }
        for i in 0..n {
            self.next_done[i] = f32::from(u8::from(batch.terminated[i] | batch.truncated[i]));
        }
        self.next_obs.copy_from_slice(&batch.obs);
        collect_episodes(batch, &mut self.core.metrics, &mut out.episodes);
        self.core.count_batch_step(n);
        self.step += 1;
        if self.step == self.config.num_steps {
            out.updates = self.update()?;
            self.step = 0;
            self.iteration += 1;
            if !self.is_done() {
                self.anneal();
            }
        }
        out.done = self.is_done();
        Ok(out)
    }

    fn act_greedy(&mut self, obs: &[f32]) -> Result<Vec<i64>, TrainError> {
        let rows = self.core.spec.obs_rows(obs)?;
        let x = self.tensor(obs, rows, self.core.spec.obs_dim())?;
        let logits = self.actor.forward(&x)?.flatten_all()?.to_vec1::<f32>()?;
        Ok(logits.chunks_exact(self.n_actions).map(argmax).collect())
    }

    fn is_done(&self) -> bool {
        self.iteration > self.num_iterations
    }

    fn save_state(&self, envs: &[VecEnvSnapshot]) -> Result<Vec<u8>, TrainError> {
        let sections = vec![
            ("weights", self.params.to_safetensors()?),
            ("optimizer", self.optimizer.state_bytes()?),
        ];
        let state = PpoState {
            rng: self.rng.state(),
            next_obs: self.next_obs.clone(),
            next_done: self.next_done.clone(),
            step: self.step,
            iteration: self.iteration,
            rollout: self.rollout.clone(),
            metrics: self.core.metrics.clone(),
            started: self.core.started,
        };
        self.core.encode_checkpoint(sections, &state, envs)
    }

    fn load_state(&mut self, bytes: &[u8]) -> Result<Vec<VecEnvSnapshot>, TrainError> {
        let (c, st): (_, PpoState) = self.core.open_checkpoint(bytes)?;
        let r = &self.rollout;
        let fits = st.next_obs.len() == self.next_obs.len()
            && st.next_done.len() == self.next_done.len()
            && st.step < self.config.num_steps
            && st.rollout.obs.len() == r.obs.len()
            && st.rollout.actions.len() == r.actions.len()
            && st.rollout.logprobs.len() == r.logprobs.len()
            && st.rollout.rewards.len() == r.rewards.len()
            && st.rollout.dones.len() == r.dones.len()
            && st.rollout.values.len() == r.values.len();
        if !fits {
            return Err(TrainError::CheckpointMismatch(
                "its rollout storage does not match num_envs x num_steps of this run".into(),
            ));
        }
        let envs = c.env_snapshots()?;
        let mut optimizer = self.optimizer.clone();
        self.params.load_safetensors(c.bytes("weights")?)?;
        optimizer.load_state_bytes(c.bytes("optimizer")?)?;
        self.optimizer = optimizer;
        self.rng = Rng::from_state(st.rng);
        self.next_obs = st.next_obs;
        self.next_done = st.next_done;
        self.step = st.step;
        self.iteration = st.iteration;
        self.rollout = st.rollout;
        self.core.resume(st.metrics, st.started);
        Ok(envs)
    }

    fn warm_start(&mut self, bytes: &[u8]) -> Result<(), TrainError> {
        let c = self.core.open_for_warm_start(bytes)?;
        self.params.load_safetensors(c.bytes("weights")?)?;
        self.optimizer.sync_from_vars()
    }
}

#[cfg(test)]
mod torch_parity;

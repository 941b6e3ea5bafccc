//! Tabular Q-learning and SARSA with epsilon-greedy exploration.
//!
//! For envs whose observations and actions are both `Discrete` (FrozenLake,
//! Taxi, CliffWalking). The table `Q[s][a]` starts at zero and is updated
//! after every transition:
//!
//! ```text
//! Q-learning: Q[s,a] += alpha * (r + gamma * max_b Q[s',b] * (1 - terminated) - Q[s,a])
//! SARSA:      Q[s,a] += alpha * (r + gamma * Q[s',a'] * (1 - terminated) - Q[s,a])
//! ```
//!
//! where `a'` is the action the policy takes next in `s'`. Actions are
//! epsilon-greedy with `epsilon = max(epsilon_min, epsilon_start *
//! epsilon_decay^episodes)`, episodes counted when they finish, so the
//! defaults reproduce the plain Python loop of the benchmark (alpha 0.1,
//! gamma 0.99, epsilon 0.9995^episode, 10,000 episodes). A time-limit cut
//! (truncated, not terminated) still bootstraps from the last state.
//!
//! The next actions are chosen at the end of [`Trainer::observe`] (after
//! the update and the episode count), which is the Python loop's order and
//! what SARSA needs.

use serde::{Deserialize, Serialize};

use crate::env::snapshot::VecEnvSnapshot;
use crate::learners::hyperparams::{ensure, ensure_unit_interval};
use crate::learners::{
    Algorithm, EnvBatchSpec, Metrics, StepOutcome, TrainError, Trainer, TrainerCore,
    collect_episodes,
};
use crate::policy::epsilon::EpsilonGreedy;
use crate::{AutoresetMode, Batch, Rng, Space};

/// Which target the update uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateRule {
    /// Off-policy: the best next action.
    #[default]
    QLearning,
    /// On-policy: the next action actually taken.
    Sarsa,
}

/// Hyperparameters (the `[q_learning]` / `[sarsa]` TOML section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QTableConfig {
    /// Q-learning or SARSA; set from the run's `algorithm`, not a key.
    #[serde(skip)]
    pub rule: UpdateRule,
    /// Training length in finished episodes (all envs together). Default 10,000.
    pub total_episodes: u64,
    /// Step size `alpha`, in (0, 1]. Default 0.1.
    pub learning_rate: f64,
    /// Discount `gamma`, in [0, 1]. Default 0.99.
    pub gamma: f64,
    /// Exploration rate before the first episode ends, in [0, 1]. Default 1.0.
    pub epsilon_start: f64,
    /// Factor applied to epsilon per finished episode, in (0, 1]. Default 0.9995.
    pub epsilon_decay: f64,
    /// Floor of epsilon, in [0, epsilon_start]. Default 0.0.
    pub epsilon_min: f64,
}

impl Default for QTableConfig {
    fn default() -> Self {
        Self {
            rule: UpdateRule::QLearning,
            total_episodes: 10_000,
            learning_rate: 0.1,
            gamma: 0.99,
            epsilon_start: 1.0,
            epsilon_decay: 0.9995,
            epsilon_min: 0.0,
        }
    }
}

impl QTableConfig {
    /// Checks every value's range; the error names the key.
    pub fn validate(&self) -> Result<(), TrainError> {
        let c = self;
        ensure(c.total_episodes > 0, "total_episodes", || {
            "must be positive, got 0".into()
        })?;
        ensure(
            c.learning_rate > 0.0 && c.learning_rate <= 1.0,
            "learning_rate",
            || format!("must be in (0, 1], got {}", c.learning_rate),
        )?;
        ensure_unit_interval("gamma", c.gamma)?;
        ensure_unit_interval("epsilon_start", c.epsilon_start)?;
        ensure(
            c.epsilon_decay > 0.0 && c.epsilon_decay <= 1.0,
            "epsilon_decay",
            || format!("must be in (0, 1], got {}", c.epsilon_decay),
        )?;
        ensure(
            c.epsilon_min >= 0.0 && c.epsilon_min <= c.epsilon_start,
            "epsilon_min",
            || {
                format!(
                    "must be in [0, epsilon_start = {}], got {}",
                    c.epsilon_start, c.epsilon_min
                )
            },
        )
    }
}

/// Everything but the config that a checkpoint carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct QState {
    n_states: usize,
    n_actions: usize,
    q: Vec<f64>,
    rng: [u64; 4],
    states: Vec<u32>,
    actions: Vec<i64>,
    metrics: Metrics,
    started: bool,
}

/// A tabular learner; see the module doc.
#[derive(Debug, Clone)]
pub struct QTableTrainer {
    config: QTableConfig,
    core: TrainerCore,
    n_states: usize,
    n_actions: usize,
    q: Vec<f64>,
    rng: Rng,
    /// The state each env is in now.
    states: Vec<u32>,
    /// The action each env takes next.
    actions: Vec<i64>,
    /// Epsilon for the current episode count (recomputed when it changes:
    /// `powi` per step was a quarter of the training time).
    epsilon: f64,
    epsilon_episodes: u64,
}

impl QTableTrainer {
    /// A learner for `spec`; fails on bad hyperparameters or an env whose
    /// observations or actions are not `Discrete`.
    pub fn new(config: QTableConfig, spec: EnvBatchSpec, seed: u64) -> Result<Self, TrainError> {
        config.validate()?;
        let (algorithm, name) = match config.rule {
            UpdateRule::QLearning => (Algorithm::QLearning, "tabular Q-learning"),
            UpdateRule::Sarsa => (Algorithm::Sarsa, "SARSA"),
        };
        let n_actions = spec.discrete_actions(name)?;
        let n_states = match spec.observation_space {
            Space::Discrete { n } if n > 0 => n as usize,
            ref other => {
                return Err(TrainError::UnsupportedEnv {
                    algorithm: name,
                    env: spec.env_id.clone(),
                    reason: format!("it needs Discrete observations, the env has {other}"),
                });
            }
        };
        let n = spec.num_envs;
        let epsilon = config.epsilon_start;
        let metrics = Metrics {
            learning_rate: Some(config.learning_rate),
            epsilon: Some(config.epsilon_start),
            ..Metrics::default()
        };
        Ok(Self {
            config,
            n_states,
            n_actions,
            q: vec![0.0; n_states * n_actions],
            rng: Rng::seed_from_u64(seed),
            states: vec![0; n],
            actions: vec![0; n],
            epsilon,
            epsilon_episodes: 0,
            core: TrainerCore::new(algorithm, spec, seed, metrics),
        })
    }

    /// The Q-table, `n_states x n_actions` row-major.
    pub fn q_table(&self) -> &[f64] {
        &self.q
    }

    fn epsilon(&mut self) -> f64 {
        let episodes = self.core.metrics.episodes;
        if self.epsilon_episodes != episodes {
            let c = &self.config;
            let k = episodes.min(i32::MAX as u64) as i32;
            self.epsilon = (c.epsilon_start * c.epsilon_decay.powi(k)).max(c.epsilon_min);
            self.epsilon_episodes = episodes;
        }
        self.epsilon
    }

    /// The state index in an observation row, checked against the table.
    #[inline]
    fn state_of(&self, obs: f32) -> Result<u32, TrainError> {
        let s = obs as u32;
        if obs < 0.0 || s as f32 != obs || s as usize >= self.n_states {
            return Err(TrainError::BatchShape(format!(
                "observation {obs} is not a state index in 0..{}",
                self.n_states
            )));
        }
        Ok(s)
    }

    #[inline]
    fn row(&self, s: u32) -> &[f64] {
        let a = self.n_actions;
        &self.q[s as usize * a..(s as usize + 1) * a]
    }

    #[inline]
    fn choose(&mut self, s: u32, policy: EpsilonGreedy) -> i64 {
        let a = self.n_actions;
        let row = &self.q[s as usize * a..(s as usize + 1) * a];
        if self.rng.next_f64() < policy.epsilon {
            self.rng.below(a as u64) as i64
        } else {
            greedy_f64(row)
        }
    }
}

/// `argmax` of an `f64` row, the first maximum on ties.
#[inline]
fn greedy_f64(row: &[f64]) -> i64 {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate().skip(1) {
        if v > row[best] {
            best = i;
        }
    }
    best as i64
}

impl Trainer for QTableTrainer {
    fn core(&self) -> &TrainerCore {
        &self.core
    }

    fn last_action_values(&self, env: usize) -> Option<Vec<f64>> {
        let s = *self.states.get(env)? as usize;
        self.q
            .get(s * self.n_actions..(s + 1) * self.n_actions)
            .map(<[f64]>::to_vec)
    }

    fn begin(&mut self, batch: &Batch) -> Result<(), TrainError> {
        self.core.spec.check_batch(batch)?;
        let policy = EpsilonGreedy {
            epsilon: self.epsilon(),
        };
        for i in 0..self.core.spec.num_envs {
            let s = self.state_of(batch.obs[i])?;
            self.states[i] = s;
            self.actions[i] = self.choose(s, policy);
        }
        self.core.started = true;
        Ok(())
    }

    fn act(&mut self) -> Result<&[i64], TrainError> {
        self.core.check_started()?;
        Ok(&self.actions)
    }

    fn observe(&mut self, batch: &Batch) -> Result<StepOutcome, TrainError> {
        self.core.spec.check_batch(batch)?;
        let mut out = StepOutcome::default();
        let (alpha, gamma) = (self.config.learning_rate, self.config.gamma);
        let same_step = self.core.spec.autoreset == AutoresetMode::SameStep;
        let n = self.core.spec.num_envs;
        let na = self.n_actions;
        // Pass 1: next states and (for SARSA) next actions, then updates.
        let epsilon_now = EpsilonGreedy {
            epsilon: self.epsilon(),
        };
        for i in 0..n {
            let next = self.state_of(batch.obs[i])?;
            if batch.autoreset[i] {
                self.states[i] = next;
                continue;
            }
            out.transitions += 1;
            let done = batch.terminated[i] | batch.truncated[i];
            // Same-step mode: a finished episode's last state is final_obs.
            let last = if same_step && done {
                self.state_of(batch.final_obs[i])?
            } else {
                next
            };
            // The transition's own state and action, read before SARSA
            // overwrites the action slot with the next one.
            let (s, a) = (self.states[i] as usize, self.actions[i] as usize);
            let bootstrap = if batch.terminated[i] {
                0.0
            } else {
                match self.config.rule {
                    UpdateRule::QLearning => {
                        let row = self.row(last);
                        row.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                    }
                    UpdateRule::Sarsa => {
                        // The action taken next from `last`; on a cut
                        // episode it is drawn but never executed.
                        let a2 = self.choose(last, epsilon_now);
                        if !done {
                            self.actions[i] = a2;
                        }
                        self.row(last)[a2 as usize]
                    }
                }
            };
            let old = self.q[s * na + a];
            let new = old + alpha * (f64::from(batch.rewards[i]) + gamma * bootstrap - old);
            let new = TrainError::check_finite("Q-value", new, self.core.metrics.env_steps)?;
            self.q[s * na + a] = new;
            self.states[i] = next;
            self.core.metrics.updates += 1;
        }
        collect_episodes(batch, &mut self.core.metrics, &mut out.episodes);
        // Pass 2: next actions with the epsilon of the episode count now.
        let policy = EpsilonGreedy {
            epsilon: self.epsilon(),
        };
        for i in 0..n {
            let sarsa_chose = self.config.rule == UpdateRule::Sarsa
                && !batch.autoreset[i]
                && !(batch.terminated[i] | batch.truncated[i]);
            if !sarsa_chose {
                self.actions[i] = self.choose(self.states[i], policy);
            }
        }
        self.core.count_batch_step(out.transitions);
        self.core.metrics.epsilon = Some(policy.epsilon);
        out.updates = out.transitions as u32;
        out.done = self.is_done();
        Ok(out)
    }

    fn act_greedy(&mut self, obs: &[f32]) -> Result<Vec<i64>, TrainError> {
        obs.iter()
            .map(|&o| self.state_of(o).map(|s| greedy_f64(self.row(s))))
            .collect()
    }

    fn is_done(&self) -> bool {
        self.core.metrics.episodes >= self.config.total_episodes
    }

    fn save_state(&self, envs: &[VecEnvSnapshot]) -> Result<Vec<u8>, TrainError> {
        let state = QState {
            n_states: self.n_states,
            n_actions: self.n_actions,
            q: self.q.clone(),
            rng: self.rng.state(),
            states: self.states.clone(),
            actions: self.actions.clone(),
            metrics: self.core.metrics.clone(),
            started: self.core.started,
        };
        self.core.encode_checkpoint(Vec::new(), &state, envs)
    }

    fn load_state(&mut self, bytes: &[u8]) -> Result<Vec<VecEnvSnapshot>, TrainError> {
        let (c, st): (_, QState) = self.core.open_checkpoint(bytes)?;
        self.check_table(&st)?;
        let n = self.core.spec.num_envs;
        if st.states.len() != n || st.actions.len() != n {
            return Err(TrainError::CheckpointMismatch(format!(
                "it holds {} envs, this run has {n}",
                st.states.len()
            )));
        }
        let envs = c.env_snapshots()?;
        self.q = st.q;
        self.rng = Rng::from_state(st.rng);
        self.states = st.states;
        self.actions = st.actions;
        self.core.resume(st.metrics, st.started);
        Ok(envs)
    }

    fn warm_start(&mut self, bytes: &[u8]) -> Result<(), TrainError> {
        let c = self.core.open_for_warm_start(bytes)?;
        let st: QState = c.get("state")?;
        self.check_table(&st)?;
        self.q = st.q;
        Ok(())
    }
}

impl QTableTrainer {
    fn check_table(&self, st: &QState) -> Result<(), TrainError> {
        if st.n_states != self.n_states
            || st.n_actions != self.n_actions
            || st.q.len() != self.n_states * self.n_actions
        {
            return Err(TrainError::ShapeMismatch {
                tensor: "q_table".into(),
                checkpoint: vec![st.n_states, st.n_actions],
                model: vec![self.n_states, self.n_actions],
            });
        }
        Ok(())
    }
}

//! The single-environment interface ([`Env`]) and the built-in environments.
//!
//! [`Env`] follows Gymnasium 1.x: `reset(seed) -> (obs, info)` and
//! `step(action) -> (obs, reward, terminated, truncated, info)`, with an
//! observation space, an action space and a seeded RNG per environment. Its
//! required methods are the allocation-free core that [`VecEnv`] drives:
//! [`Env::reset_into`] and [`Env::step_into`] write the observation into a
//! caller-provided `f32` slice and return only scalars. The ergonomic
//! [`Env::reset`] and [`Env::step`] are built on top and allocate.
//!
//! Built-ins (dynamics equal to Gymnasium 1.4's; see each module):
//! [`cartpole`] (and [`cartpole_vector`], its struct-of-arrays batch),
//! [`mountain_car`], [`acrobot`] (the first three are one
//! [`classic_control::ClassicControl`] each over their dynamics),
//! [`frozen_lake`], [`taxi`],
//! [`cliff_walking`] (the last three are one [`tabular_env::TabularEnv`]
//! each over a transition table of [`tabular`]). [`gold_miners`] is a multi-agent grid world with its own
//! interface, since one `step` moves several agents.
//!
//! [`VecEnv`]: crate::VecEnv

pub mod acrobot;
pub mod cartpole;
pub mod cartpole_vector;
pub mod classic_control;
pub mod cliff_walking;
pub mod env_rng;
pub mod frozen_lake;
pub mod gold_miners;
pub mod mountain_car;
pub mod snapshot;
pub(crate) mod snapshot_legacy;
pub mod tabular;
pub mod tabular_env;
pub mod taxi;
mod trig;

use crate::episode_stats::EpisodeStats;
use crate::render::Frame;
use crate::{Action, EnvError, Space};

pub use snapshot::EnvSnapshot;
pub use tabular::Transition;

/// The scalar outcome of one step; the observation went to the caller's slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResult {
    /// The reward for this transition.
    pub reward: f64,
    /// The episode reached a terminal state of the MDP.
    pub terminated: bool,
    /// The episode was cut short (time limit), not by the MDP.
    pub truncated: bool,
}

/// Extra information about a reset or step (Gymnasium's `info` dict).
///
/// Only the keys Gymnasium's built-ins fill are modelled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    /// `prob`: the probability of the transition taken (tabular envs).
    pub prob: Option<f64>,
    /// `action_mask`: 1 for each action that changes the state (Taxi).
    pub action_mask: Option<Vec<u8>>,
    /// `episode`: return and length of the episode that just ended
    /// (set by [`RecordEpisodeStatistics`](crate::wrappers::RecordEpisodeStatistics)).
    pub episode: Option<EpisodeStats>,
}

/// The full result of [`Env::step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The observation after the step.
    pub obs: Vec<f32>,
    /// The reward.
    pub reward: f64,
    /// Reached a terminal state.
    pub terminated: bool,
    /// Cut short by a time limit.
    pub truncated: bool,
    /// Extra information.
    pub info: Info,
}

/// A reinforcement-learning environment with Gymnasium 1.x semantics.
///
/// Implementations are plain state machines: no threads, no I/O. Stepping
/// before the first reset is an error ([`EnvError::ResetNeeded`]). Stepping
/// after `terminated` or `truncated` without a reset does what Gymnasium's
/// environment does (e.g. CartPole keeps integrating and pays reward 0); a
/// [`VecEnv`](crate::VecEnv) never does it.
///
/// # Seeding
///
/// `reset(Some(seed))` reseeds the environment's own generator
/// ([`EnvRng`](env_rng::EnvRng)) exactly as Gymnasium reseeds `np_random`,
/// so the episode that follows is a function of `seed` alone and is
/// Gymnasium's episode for that seed, draw for draw. `reset(None)`
/// continues the current stream; the first reset ever without a seed acts
/// as `reset(Some(0))` (Gymnasium would draw OS entropy; Agora stays
/// reproducible).
pub trait Env: Send {
    /// The registry id this environment was built as, e.g. `"CartPole-v1"`.
    fn id(&self) -> &str;

    /// The space of observations.
    fn observation_space(&self) -> &Space;

    /// The space of actions.
    fn action_space(&self) -> &Space;

    /// Number of `f32` values in one observation.
    fn obs_dim(&self) -> usize {
        self.observation_space().flat_dim()
    }

    /// Starts a new episode and writes its first observation into `obs`.
    ///
    /// # Panics
    ///
    /// If `obs` is shorter than [`obs_dim`](Env::obs_dim).
    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]);

    /// Applies `action` and writes the next observation into `obs`.
    ///
    /// An action outside the action space returns
    /// [`EnvError::InvalidAction`] and leaves the environment unchanged.
    ///
    /// # Panics
    ///
    /// If `obs` is shorter than [`obs_dim`](Env::obs_dim).
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError>;

    /// Writes the observation of the current state into `obs` (after
    /// [`set_state`](Env::set_state), or to look again without stepping).
    ///
    /// # Panics
    ///
    /// If `obs` is shorter than [`obs_dim`](Env::obs_dim).
    fn observe_into(&self, obs: &mut [f32]);

    /// The `info` of the last reset or step.
    fn info(&self) -> Info {
        Info::default()
    }

    /// An RGB picture of the current state.
    fn render_rgb(&self) -> Frame;

    /// A plain-text board of the current state (grid environments only).
    fn render_text(&self) -> Option<String> {
        None
    }

    /// The internal state in the trace protocol's layout (CartPole
    /// `[x, x_dot, theta, theta_dot]`, MountainCar `[position, velocity]`,
    /// Acrobot `[theta1, theta2, dtheta1, dtheta2]`, tabular envs `[s]`).
    fn state(&self) -> Vec<f64>;

    /// Replaces the internal state (layout as [`state`](Env::state)) and
    /// clears any "already terminated" latch; the env counts as reset.
    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError>;

    /// Steps since the last reset, when a time limit is applied.
    fn elapsed_steps(&self) -> Option<u32> {
        None
    }

    /// Sets the time-limit step counter.
    fn set_elapsed_steps(&mut self, _elapsed: u32) -> Result<(), EnvError> {
        Err(EnvError::Unsupported {
            env: self.id().to_string(),
            what: "a time-limit step counter",
        })
    }

    /// The time limit in steps, when one is applied.
    fn max_episode_steps(&self) -> Option<u32> {
        None
    }

    /// Everything needed to continue this env bit for bit later: state,
    /// RNG position, latches and wrapper counters (see
    /// [`snapshot`](crate::env::snapshot)).
    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        Err(EnvError::Unsupported {
            env: self.id().to_string(),
            what: "snapshots",
        })
    }

    /// Puts back a [`snapshot`](Env::snapshot) taken from an env built
    /// with the same id and parameters. A snapshot that does not fit
    /// (wrong length, out-of-range values) is an error and changes nothing.
    fn restore(&mut self, _snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        Err(EnvError::Unsupported {
            env: self.id().to_string(),
            what: "snapshots",
        })
    }

    /// The transition list `P[state][action]` in Gymnasium's order
    /// (tabular environments only).
    fn transitions(&self, _state: u64, _action: u64) -> Result<&[Transition], EnvError> {
        Err(EnvError::Unsupported {
            env: self.id().to_string(),
            what: "transition tables",
        })
    }

    /// Starts a new episode; returns the first observation and info.
    fn reset(&mut self, seed: Option<u64>) -> (Vec<f32>, Info) {
        let mut obs = vec![0.0; self.obs_dim()];
        self.reset_into(seed, &mut obs);
        (obs, self.info())
    }

    /// Applies `action`; returns observation, reward, flags and info.
    fn step(&mut self, action: Action<'_>) -> Result<Step, EnvError> {
        let mut obs = vec![0.0; self.obs_dim()];
        let r = self.step_into(action, &mut obs)?;
        Ok(Step {
            obs,
            reward: r.reward,
            terminated: r.terminated,
            truncated: r.truncated,
            info: self.info(),
        })
    }
}

impl<E: Env + ?Sized> Env for Box<E> {
    fn id(&self) -> &str {
        (**self).id()
    }
    fn observation_space(&self) -> &Space {
        (**self).observation_space()
    }
    fn action_space(&self) -> &Space {
        (**self).action_space()
    }
    fn obs_dim(&self) -> usize {
        (**self).obs_dim()
    }
    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        (**self).reset_into(seed, obs)
    }
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        (**self).step_into(action, obs)
    }
    fn observe_into(&self, obs: &mut [f32]) {
        (**self).observe_into(obs)
    }
    fn info(&self) -> Info {
        (**self).info()
    }
    fn render_rgb(&self) -> Frame {
        (**self).render_rgb()
    }
    fn render_text(&self) -> Option<String> {
        (**self).render_text()
    }
    fn state(&self) -> Vec<f64> {
        (**self).state()
    }
    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError> {
        (**self).set_state(state)
    }
    fn elapsed_steps(&self) -> Option<u32> {
        (**self).elapsed_steps()
    }
    fn set_elapsed_steps(&mut self, elapsed: u32) -> Result<(), EnvError> {
        (**self).set_elapsed_steps(elapsed)
    }
    fn max_episode_steps(&self) -> Option<u32> {
        (**self).max_episode_steps()
    }
    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        (**self).snapshot()
    }
    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        (**self).restore(snapshot)
    }
    fn transitions(&self, state: u64, action: u64) -> Result<&[Transition], EnvError> {
        (**self).transitions(state, action)
    }
}

/// Checks that a `set_state` vector has `len` finite values.
pub(crate) fn check_state(state: &[f64], len: usize, layout: &str) -> Result<(), EnvError> {
    if state.len() != len {
        return Err(EnvError::InvalidState(format!(
            "expected {len} values {layout}, got {}",
            state.len()
        )));
    }
    if state.iter().any(|v| !v.is_finite()) {
        return Err(EnvError::InvalidState(format!(
            "state values must be finite, got {state:?}"
        )));
    }
    Ok(())
}

/// Reads the discrete action of an env with `n` actions, or fails naming the space.
#[inline(always)]
pub(crate) fn discrete_action(
    action: Action<'_>,
    n: u64,
    space: &Space,
) -> Result<usize, EnvError> {
    match action {
        Action::Discrete(a) if a >= 0 && (a as u64) < n => Ok(a as usize),
        _ => Err(EnvError::InvalidAction {
            action: action.to_string(),
            space: space.to_string(),
        }),
    }
}

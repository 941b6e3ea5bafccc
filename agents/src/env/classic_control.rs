//! [`ClassicControl`]: the one [`Env`] implementation of the
//! classic-control envs (CartPole, MountainCar, Acrobot).
//!
//! Each of them is a small physical state advanced by its equations of
//! motion under a discrete action; what differs (the constants, the start
//! distribution, the update, the observation, the picture) is a
//! [`Dynamics`] value. The scaffolding around it is common: the env's own
//! seeded RNG, the "reset before stepping" latch, action checks,
//! `set_state` and snapshots.
//!
//! Snapshot values: the physical state, then the dynamics' latches (e.g.
//! CartPole's `steps_beyond_terminated`), then `ready`.

use std::fmt;

use crate::env::env_rng::EnvRng;
use crate::env::snapshot::{EnvSnapshot, as_bool};
use crate::env::{Env, StepResult, check_state, discrete_action};
use crate::render::Frame;
use crate::{Action, EnvError, Space};

/// The physics of one classic-control env.
pub trait Dynamics: Clone + fmt::Debug + Send {
    /// The registry id.
    const ID: &'static str;
    /// Number of discrete actions.
    const N_ACTIONS: u64;
    /// Number of `f32` values in one observation.
    const OBS_DIM: usize;
    /// The trace protocol's state layout, e.g. `[position, velocity]`.
    const STATE_LAYOUT: &'static str;
    /// Number of values in the physical state.
    const STATE_LEN: usize;
    /// How many values [`latches`](Dynamics::latches) returns.
    const LATCHES: usize = 0;

    /// The space of observations.
    fn observation_space(&self) -> Space;

    /// Draws a start state from `rng` (and clears any latch), with the
    /// draws Gymnasium's `reset` makes from `np_random`.
    fn reset(&mut self, rng: &mut EnvRng);

    /// Applies the checked action `action`; returns the reward and
    /// whether the state reached is terminal.
    fn step(&mut self, action: usize) -> (f64, bool);

    /// Writes the observation of the current state into `obs`.
    fn write_obs(&self, obs: &mut [f32]);

    /// A picture of the current state.
    fn render(&self) -> Frame;

    /// The physical state, [`STATE_LEN`](Dynamics::STATE_LEN) values.
    fn state(&self) -> Vec<f64>;

    /// Replaces the physical state (length and finiteness already checked)
    /// and clears any latch.
    fn set_state(&mut self, state: &[f64]);

    /// Values outside the physical state that a snapshot must carry.
    fn latches(&self) -> Vec<f64> {
        Vec::new()
    }

    /// Puts back a snapshot's physical state and latches; a bad latch is an
    /// error, and then nothing has changed.
    fn restore(&mut self, state: &[f64], _latches: &[f64]) -> Result<(), EnvError> {
        self.set_state(state);
        Ok(())
    }
}

/// A classic-control env: its dynamics, RNG and reset latch; see the module doc.
#[derive(Debug, Clone)]
pub struct ClassicControl<D> {
    dynamics: D,
    rng: EnvRng,
    ready: bool,
    observation_space: Space,
    action_space: Space,
}

impl<D: Dynamics> ClassicControl<D> {
    /// An env moved by `dynamics`; it needs a reset before stepping.
    pub fn from_dynamics(dynamics: D) -> Self {
        Self {
            observation_space: dynamics.observation_space(),
            action_space: Space::Discrete { n: D::N_ACTIONS },
            dynamics,
            rng: EnvRng::default(),
            ready: false,
        }
    }

    /// The physics.
    pub fn dynamics(&self) -> &D {
        &self.dynamics
    }
}

impl<D: Dynamics + Default> Default for ClassicControl<D> {
    fn default() -> Self {
        Self::from_dynamics(D::default())
    }
}

impl<D: Dynamics> Env for ClassicControl<D> {
    fn id(&self) -> &str {
        D::ID
    }

    fn observation_space(&self) -> &Space {
        &self.observation_space
    }

    fn action_space(&self) -> &Space {
        &self.action_space
    }

    fn obs_dim(&self) -> usize {
        D::OBS_DIM
    }

    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        self.rng.on_reset(seed);
        self.dynamics.reset(&mut self.rng);
        self.ready = true;
        self.dynamics.write_obs(obs);
    }

    #[inline(always)]
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        let a = discrete_action(action, D::N_ACTIONS, &self.action_space)?;
        if !self.ready {
            return Err(EnvError::ResetNeeded);
        }
        let (reward, terminated) = self.dynamics.step(a);
        self.dynamics.write_obs(obs);
        Ok(StepResult {
            reward,
            terminated,
            truncated: false,
        })
    }

    fn observe_into(&self, obs: &mut [f32]) {
        self.dynamics.write_obs(obs);
    }

    fn render_rgb(&self) -> Frame {
        self.dynamics.render()
    }

    fn state(&self) -> Vec<f64> {
        self.dynamics.state()
    }

    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError> {
        check_state(state, D::STATE_LEN, D::STATE_LAYOUT)?;
        self.dynamics.set_state(state);
        self.ready = true;
        Ok(())
    }

    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        let mut v = self.dynamics.state();
        v.extend(self.dynamics.latches());
        v.push(f64::from(u8::from(self.ready)));
        Ok(EnvSnapshot::new(v, self.rng.clone()))
    }

    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        let v = snapshot.values_of(D::ID, D::STATE_LEN + D::LATCHES + 1)?;
        let (state, rest) = v.split_at(D::STATE_LEN);
        let (latches, ready) = rest.split_at(D::LATCHES);
        // Restored into a copy so that a bad `ready` leaves the env as it was.
        let mut dynamics = self.dynamics.clone();
        dynamics.restore(state, latches)?;
        self.ready = as_bool(ready[0], "ready")?;
        self.dynamics = dynamics;
        self.rng = snapshot.rng.clone();
        Ok(())
    }
}

//! `TimeLimit`: truncation after a fixed number of steps.
//!
//! Same rule as Gymnasium's `TimeLimit` wrapper: every step increments the
//! counter, and a step that brings it to `max_episode_steps` or beyond
//! returns `truncated = true` (whether or not it also terminated). A reset
//! sets the counter to 0.

use crate::env::snapshot::{EnvSnapshot, as_u32};
use crate::env::{Env, Info, StepResult};
use crate::wrappers::forward_env;
use crate::{Action, EnvError};

/// Truncates episodes after `max_episode_steps` steps.
#[derive(Debug, Clone)]
pub struct TimeLimit<E> {
    inner: E,
    max_episode_steps: u32,
    elapsed: u32,
}

impl<E: Env> TimeLimit<E> {
    /// Wraps `inner` with a limit of `max_episode_steps` steps per episode.
    pub fn new(inner: E, max_episode_steps: u32) -> Self {
        Self {
            inner,
            max_episode_steps,
            elapsed: 0,
        }
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The wrapped environment, mutably.
    pub fn inner_mut(&mut self) -> &mut E {
        &mut self.inner
    }
}

impl<E: Env> Env for TimeLimit<E> {
    forward_env!();

    #[inline]
    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        self.elapsed = 0;
        self.inner.reset_into(seed, obs);
    }

    #[inline(always)]
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        let mut r = self.inner.step_into(action, obs)?;
        self.elapsed = self.elapsed.saturating_add(1);
        if self.elapsed >= self.max_episode_steps {
            r.truncated = true;
        }
        Ok(r)
    }

    fn info(&self) -> Info {
        self.inner.info()
    }

    fn elapsed_steps(&self) -> Option<u32> {
        Some(self.elapsed)
    }

    fn set_elapsed_steps(&mut self, elapsed: u32) -> Result<(), EnvError> {
        self.elapsed = elapsed;
        Ok(())
    }

    fn max_episode_steps(&self) -> Option<u32> {
        Some(self.max_episode_steps)
    }

    /// Appends the step counter to the inner env's snapshot.
    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        let mut s = self.inner.snapshot()?;
        s.layers.push(f64::from(self.elapsed));
        Ok(s)
    }

    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        let (inner, mine) = snapshot.split_layers("TimeLimit", 1)?;
        let elapsed = as_u32(mine[0], "elapsed_steps")?;
        self.inner.restore(&inner)?;
        self.elapsed = elapsed;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::mountain_car::MountainCar;

    #[test]
    fn truncates_on_the_limit_step_and_resets_the_counter() {
        let mut env = TimeLimit::new(MountainCar::default(), 3);
        env.reset(Some(0));
        assert!(!env.step(Action::Discrete(1)).unwrap().truncated);
        assert!(!env.step(Action::Discrete(1)).unwrap().truncated);
        assert!(env.step(Action::Discrete(1)).unwrap().truncated);
        assert_eq!(env.elapsed_steps(), Some(3));
        env.reset(None);
        assert_eq!(env.elapsed_steps(), Some(0));
    }

    #[test]
    fn set_elapsed_moves_the_counter() {
        let mut env = TimeLimit::new(MountainCar::default(), 200);
        env.reset(Some(0));
        env.set_elapsed_steps(199).unwrap();
        assert!(env.step(Action::Discrete(1)).unwrap().truncated);
    }

    #[test]
    fn an_invalid_action_does_not_count_as_a_step() {
        let mut env = TimeLimit::new(MountainCar::default(), 200);
        env.reset(Some(0));
        assert!(env.step(Action::Discrete(7)).is_err());
        assert_eq!(env.elapsed_steps(), Some(0));
    }
}

//! `ActionRepeat`: apply each action `k` times (frame skip).
//!
//! The rewards of the repeated steps are summed; the observation is the last
//! one. Repetition stops early at the first `terminated` or `truncated`, so
//! an episode never runs past its end. Wrapping a [`TimeLimit`] counts
//! the limit in inner steps; wrapping an `ActionRepeat` in a `TimeLimit`
//! counts agent decisions.
//!
//! [`TimeLimit`]: crate::wrappers::TimeLimit

use crate::env::snapshot::EnvSnapshot;
use crate::env::{Env, Info, StepResult};
use crate::wrappers::{forward_env, forward_time_limit};
use crate::{Action, EnvError};

/// Repeats every action `repeat` times.
#[derive(Debug, Clone)]
pub struct ActionRepeat<E> {
    inner: E,
    repeat: u32,
}

impl<E: Env> ActionRepeat<E> {
    /// Wraps `inner`; `repeat` must be at least 1.
    pub fn new(inner: E, repeat: u32) -> Result<Self, EnvError> {
        if repeat == 0 {
            return Err(EnvError::InvalidConfig(
                "action repeat must be at least 1".into(),
            ));
        }
        Ok(Self { inner, repeat })
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E: Env> Env for ActionRepeat<E> {
    forward_env!();
    forward_time_limit!();

    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        self.inner.reset_into(seed, obs);
    }

    #[inline]
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        let mut total = StepResult {
            reward: 0.0,
            terminated: false,
            truncated: false,
        };
        for _ in 0..self.repeat {
            let r = self.inner.step_into(action, obs)?;
            total.reward += r.reward;
            total.terminated = r.terminated;
            total.truncated = r.truncated;
            if r.terminated || r.truncated {
                break;
            }
        }
        Ok(total)
    }

    fn info(&self) -> Info {
        self.inner.info()
    }

    /// The inner env's snapshot (repetition keeps no state between steps).
    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        self.inner.snapshot()
    }

    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        self.inner.restore(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::mountain_car::MountainCar;
    use crate::wrappers::TimeLimit;

    #[test]
    fn rewards_are_summed_over_repeats() {
        let mut env = ActionRepeat::new(MountainCar::default(), 4).unwrap();
        env.reset(Some(0));
        assert_eq!(env.step(Action::Discrete(2)).unwrap().reward, -4.0);
    }

    #[test]
    fn repetition_stops_at_the_end_of_the_episode() {
        let mut env = ActionRepeat::new(TimeLimit::new(MountainCar::default(), 6), 4).unwrap();
        env.reset(Some(0));
        assert_eq!(env.step(Action::Discrete(2)).unwrap().reward, -4.0);
        let s = env.step(Action::Discrete(2)).unwrap();
        assert!(s.truncated);
        assert_eq!(s.reward, -2.0);
    }

    #[test]
    fn zero_repeat_is_rejected() {
        assert!(ActionRepeat::new(MountainCar::default(), 0).is_err());
    }
}

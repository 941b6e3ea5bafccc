//! `RecordEpisodeStatistics`: return and length of each finished episode.
//!
//! Like Gymnasium's wrapper of the same name: the step that ends an episode
//! (terminated or truncated) carries `info.episode = {return, length}`.
//! Accumulating costs two additions per step and no allocation; the info is
//! only built when [`Env::info`] is called.

use crate::env::snapshot::{EnvSnapshot, as_bool, as_u32};
use crate::env::{Env, Info, StepResult};
pub use crate::episode_stats::EpisodeStats;
use crate::wrappers::{forward_env, forward_time_limit};
use crate::{Action, EnvError};

/// Tracks episode return and length; see the module doc.
#[derive(Debug, Clone)]
pub struct RecordEpisodeStatistics<E> {
    inner: E,
    episode_return: f64,
    length: u32,
    finished: Option<EpisodeStats>,
}

impl<E: Env> RecordEpisodeStatistics<E> {
    /// Wraps `inner`.
    pub fn new(inner: E) -> Self {
        Self {
            inner,
            episode_return: 0.0,
            length: 0,
            finished: None,
        }
    }

    /// The statistics of the episode that ended on the last step, if it did.
    pub fn finished(&self) -> Option<EpisodeStats> {
        self.finished
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E: Env> Env for RecordEpisodeStatistics<E> {
    forward_env!();
    forward_time_limit!();

    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        self.episode_return = 0.0;
        self.length = 0;
        self.finished = None;
        self.inner.reset_into(seed, obs);
    }

    #[inline]
    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        let r = self.inner.step_into(action, obs)?;
        self.episode_return += r.reward;
        self.length = self.length.saturating_add(1);
        self.finished = (r.terminated || r.truncated).then_some(EpisodeStats {
            episode_return: self.episode_return,
            length: self.length,
        });
        Ok(r)
    }

    fn info(&self) -> Info {
        Info {
            episode: self.finished,
            ..self.inner.info()
        }
    }

    /// Appends `[return, length, finished?, finished return, finished length]`.
    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        let mut s = self.inner.snapshot()?;
        let f = self.finished;
        s.layers.extend([
            self.episode_return,
            f64::from(self.length),
            f64::from(u8::from(f.is_some())),
            f.map_or(0.0, |f| f.episode_return),
            f64::from(f.map_or(0, |f| f.length)),
        ]);
        Ok(s)
    }

    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        let (inner, v) = snapshot.split_layers("RecordEpisodeStatistics", 5)?;
        let length = as_u32(v[1], "episode length")?;
        let finished = as_bool(v[2], "episode finished")?;
        let finished_length = as_u32(v[4], "finished episode length")?;
        self.inner.restore(&inner)?;
        self.episode_return = v[0];
        self.length = length;
        self.finished = finished.then_some(EpisodeStats {
            episode_return: v[3],
            length: finished_length,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::mountain_car::MountainCar;
    use crate::wrappers::TimeLimit;

    #[test]
    fn reports_return_and_length_on_the_last_step_only() {
        let mut env = RecordEpisodeStatistics::new(TimeLimit::new(MountainCar::default(), 3));
        env.reset(Some(0));
        assert_eq!(env.step(Action::Discrete(0)).unwrap().info.episode, None);
        env.step(Action::Discrete(0)).unwrap();
        let last = env.step(Action::Discrete(0)).unwrap();
        assert_eq!(
            last.info.episode,
            Some(EpisodeStats {
                episode_return: -3.0,
                length: 3
            })
        );
        env.reset(None);
        assert_eq!(env.finished(), None);
    }
}

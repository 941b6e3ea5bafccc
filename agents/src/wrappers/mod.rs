//! Environment wrappers: an [`Env`](crate::Env) around an `Env`.
//!
//! - [`TimeLimit`]: truncates after `max_episode_steps` (Gymnasium's
//!   `TimeLimit`; the registry applies it with the registered limits).
//! - [`ActionRepeat`]: repeats each action `k` times and sums the rewards
//!   (frame skip).
//! - [`RecordEpisodeStatistics`]: reports return and length of each finished
//!   episode in [`Info::episode`](crate::Info::episode).
//!
//! Wrappers are generic over the inner env, so a `VecEnv<TimeLimit<CartPole>>`
//! steps without dynamic dispatch; they also wrap a `Box<dyn Env>`.
//! [`VecEnv`](crate::VecEnv) tracks episode statistics itself in flat
//! arrays; `RecordEpisodeStatistics` is for single-env loops.

pub mod action_repeat;
pub mod episode_stats;
pub mod time_limit;

pub use action_repeat::ActionRepeat;
pub use episode_stats::{EpisodeStats, RecordEpisodeStatistics};
pub use time_limit::TimeLimit;

/// Forwards the [`Env`](crate::Env) methods a wrapper does not change to
/// `self.inner`.
macro_rules! forward_env {
    () => {
        fn id(&self) -> &str {
            self.inner.id()
        }
        fn observation_space(&self) -> &$crate::Space {
            self.inner.observation_space()
        }
        fn action_space(&self) -> &$crate::Space {
            self.inner.action_space()
        }
        fn obs_dim(&self) -> usize {
            self.inner.obs_dim()
        }
        fn observe_into(&self, obs: &mut [f32]) {
            self.inner.observe_into(obs)
        }
        fn render_rgb(&self) -> $crate::render::Frame {
            self.inner.render_rgb()
        }
        fn render_text(&self) -> Option<String> {
            self.inner.render_text()
        }
        fn state(&self) -> Vec<f64> {
            self.inner.state()
        }
        fn set_state(&mut self, state: &[f64]) -> Result<(), $crate::EnvError> {
            self.inner.set_state(state)
        }
        fn transitions(
            &self,
            state: u64,
            action: u64,
        ) -> Result<&[$crate::Transition], $crate::EnvError> {
            self.inner.transitions(state, action)
        }
    };
}
pub(crate) use forward_env;

/// Forwards the time-limit counter methods to `self.inner`, for the
/// wrappers other than [`TimeLimit`] (which owns the counter).
macro_rules! forward_time_limit {
    () => {
        fn elapsed_steps(&self) -> Option<u32> {
            self.inner.elapsed_steps()
        }
        fn set_elapsed_steps(&mut self, elapsed: u32) -> Result<(), $crate::EnvError> {
            self.inner.set_elapsed_steps(elapsed)
        }
        fn max_episode_steps(&self) -> Option<u32> {
            self.inner.max_episode_steps()
        }
    };
}
pub(crate) use forward_time_limit;

//! Policies: how a learner's values turn into actions for a batch.
//!
//! [`epsilon`] holds the exploration schedules (CleanRL's linear schedule,
//! per-episode exponential decay) and epsilon-greedy selection over a row
//! of action values. Sampling from a categorical policy is
//! [`nn::categorical`](crate::nn::categorical).

pub mod epsilon;

pub use epsilon::{EpsilonGreedy, linear_schedule};

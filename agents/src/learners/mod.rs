//! Learning algorithms (issue 5): tabular Q-learning and SARSA, DQN and PPO
//! on candle, each reading top to bottom in its own file with its
//! hyperparameters in one documented struct whose defaults are CleanRL's.
//!
//! Learners consume the batches a [`VecEnv`](crate::VecEnv) writes
//! ([`Batch`](crate::Batch)) and act on the whole batch in one forward pass.
//! Nothing is implemented here yet.

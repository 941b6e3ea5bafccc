//! Environments and learners for Agora.
//!
//! This crate is pure compute: environments with Gymnasium's semantics, a
//! vectorized `VecEnv`, wrappers, and the learners (tabular Q-learning, DQN,
//! PPO). It knows nothing of actors, MQTT or files; the runtime
//! (`agora-runtime`) shards environments across threads and hosts learners
//! as agents.
#![warn(missing_docs)]

//! Integration tests of agora-agents, one binary made of modules.

// Test helpers outside #[test] functions unwrap too: the data is committed
// and a panic with its message is the failure report.
#![allow(clippy::unwrap_used)]

mod gymnasium_data;
mod gymnasium_reference;
mod learners;
mod numpy_streams;
mod pre_numpy_states;
mod seeded_episodes;
mod seeded_spaces;
mod seeded_vector;
mod snapshots;

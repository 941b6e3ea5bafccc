//! Replay buffers: fixed-capacity, struct-of-arrays storage of transitions
//! for off-policy learners (DQN), checkpointable with the run.
//!
//! Next-step autoreset slots ([`Batch::autoreset`](crate::Batch::autoreset))
//! are not transitions and must not be stored; the learner skips them.

pub mod buffer;

pub use buffer::ReplayBuffer;

//! Replay buffers (issue 5): fixed-capacity, struct-of-arrays storage of
//! transitions for off-policy learners (DQN), checkpointable with the run.
//!
//! Next-step autoreset slots ([`Batch::autoreset`](crate::Batch::autoreset))
//! are not transitions and must not be stored. Nothing is implemented here
//! yet.

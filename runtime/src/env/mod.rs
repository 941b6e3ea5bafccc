//! Vectorized environments run as actors: a batch of envs split into
//! shards, one thread per shard, each stepping its whole shard per job;
//! the results are gathered into one batch for the policy.

mod shard;
mod sharded;

pub use shard::{EnvShard, OwnedActions, ShardError, ShardJob, ShardReply, Stepped};
pub use sharded::{EnvActorError, ShardedVecEnv, StepTiming};

//! Vectorized environments run as actors: a batch of envs split into
//! shards, the first stepped by the caller and each other one on a thread
//! of its own, each stepping its whole shard per job; the results are
//! gathered into one batch for the policy.

mod shard;
mod sharded;

pub use shard::{CallerShard, EnvShard, OwnedActions, ShardError, ShardJob, ShardReply, Stepped};
pub use sharded::{EnvActorError, ShardedVecEnv, StepTiming};

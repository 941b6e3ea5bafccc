//! Vectorized environments run as actors: a batch of envs split into
//! shards, one thread per shard, each stepping its whole shard per message;
//! the results are gathered into one batch for the policy.

mod shard;
mod sharded;

pub use shard::{
    EnvShard, OwnedActions, ResetShard, RestoreShard, ShardError, SnapshotShard, StepShard, Stepped,
};
pub use sharded::{EnvActorError, ShardedVecEnv, StepTiming};

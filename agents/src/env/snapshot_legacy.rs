//! Env snapshots as Agora wrote them before env generators followed numpy.
//!
//! Until then each env drew from a xoshiro256++ [`Rng`], and a snapshot
//! held that state where it now holds an [`EnvRng`]; every other field is
//! laid out as today. Checkpoints of that time keep those snapshots in
//! their `envs` section, and [`VecEnvSnapshot::to_bytes`] wrote them without
//! a header. Decoding one gives today's snapshot whose envs carry on with
//! the xoshiro stream, so a run resumed from such a checkpoint goes on bit
//! for bit as it would have (see [`EnvRng`]).

use serde::Deserialize;

use crate::autoreset::AutoresetMode;
use crate::env::env_rng::EnvRng;
use crate::env::snapshot::{EnvSnapshot, VecEnvSnapshot};
use crate::rng::Rng;

/// The old per-env generator: the stream and whether it was ever seeded.
#[derive(Deserialize)]
struct PreNumpyEnvRng {
    rng: Rng,
    seeded: bool,
}

#[derive(Deserialize)]
struct PreNumpyEnvSnapshot {
    values: Vec<f64>,
    rng: PreNumpyEnvRng,
    layers: Vec<f64>,
}

#[derive(Deserialize)]
struct PreNumpyVecEnvSnapshot {
    id: String,
    first_index: u64,
    mode: AutoresetMode,
    started: bool,
    pending_reset: Vec<bool>,
    episode_return: Vec<f64>,
    episode_length: Vec<u32>,
    envs: Vec<PreNumpyEnvSnapshot>,
}

impl From<PreNumpyVecEnvSnapshot> for VecEnvSnapshot {
    fn from(old: PreNumpyVecEnvSnapshot) -> Self {
        let envs = old
            .envs
            .into_iter()
            .map(|e| EnvSnapshot {
                values: e.values,
                rng: EnvRng::pre_numpy(e.rng.rng, e.rng.seeded),
                layers: e.layers,
            })
            .collect();
        VecEnvSnapshot {
            id: old.id,
            first_index: old.first_index,
            mode: old.mode,
            started: old.started,
            pending_reset: old.pending_reset,
            episode_return: old.episode_return,
            episode_length: old.episode_length,
            envs,
        }
    }
}

/// One shard's snapshot from the old `VecEnvSnapshot::to_bytes`.
pub(crate) fn decode_one(bytes: &[u8]) -> Result<VecEnvSnapshot, postcard::Error> {
    postcard::from_bytes::<PreNumpyVecEnvSnapshot>(bytes).map(Into::into)
}

/// The shards' snapshots from an old checkpoint's `envs` section.
pub(crate) fn decode_all(bytes: &[u8]) -> Result<Vec<VecEnvSnapshot>, postcard::Error> {
    let old: Vec<PreNumpyVecEnvSnapshot> = postcard::from_bytes(bytes)?;
    Ok(old.into_iter().map(Into::into).collect())
}

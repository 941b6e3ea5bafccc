//! Env snapshots as Agora wrote them before env generators followed numpy.
//!
//! Until then each env drew from a xoshiro256++ [`Rng`], and a snapshot
//! held that state where it now holds an [`EnvRng`]; every other field is
//! laid out as today. Checkpoints of that time keep those snapshots in
//! their `envs` section, and
//! [`VecEnvSnapshot::to_bytes`](crate::env::snapshot::VecEnvSnapshot::to_bytes)
//! wrote them without a header. This file reads that layout, turning each
//! env's generator into an [`EnvRng`] that carries on with the xoshiro
//! stream, so a run resumed from such a checkpoint goes on bit for bit as
//! it would have; [`env::snapshot`](crate::env::snapshot) turns the rest
//! into today's types.

use serde::Deserialize;

use crate::autoreset::AutoresetMode;
use crate::env::env_rng::EnvRng;
use crate::rng::Rng;

/// The old per-env generator: the stream and whether it was ever seeded.
#[derive(Deserialize)]
struct PreNumpyEnvRng {
    rng: Rng,
    seeded: bool,
}

impl From<PreNumpyEnvRng> for EnvRng {
    fn from(old: PreNumpyEnvRng) -> Self {
        EnvRng::pre_numpy(old.rng, old.seeded)
    }
}

/// An `EnvSnapshot` in the old layout; its generator already converted.
#[derive(Deserialize)]
pub(crate) struct PreNumpyEnvSnapshot {
    pub(crate) values: Vec<f64>,
    #[serde(deserialize_with = "pre_numpy_rng")]
    pub(crate) rng: EnvRng,
    pub(crate) layers: Vec<f64>,
}

/// A `VecEnvSnapshot` in the old layout.
#[derive(Deserialize)]
pub(crate) struct PreNumpyVecEnvSnapshot {
    pub(crate) id: String,
    pub(crate) first_index: u64,
    pub(crate) mode: AutoresetMode,
    pub(crate) started: bool,
    pub(crate) pending_reset: Vec<bool>,
    pub(crate) episode_return: Vec<f64>,
    pub(crate) episode_length: Vec<u32>,
    pub(crate) envs: Vec<PreNumpyEnvSnapshot>,
}

fn pre_numpy_rng<'de, D: serde::Deserializer<'de>>(d: D) -> Result<EnvRng, D::Error> {
    PreNumpyEnvRng::deserialize(d).map(Into::into)
}

/// One shard's snapshot from the old `VecEnvSnapshot::to_bytes`.
pub(crate) fn decode_one(bytes: &[u8]) -> Result<PreNumpyVecEnvSnapshot, postcard::Error> {
    postcard::from_bytes(bytes)
}

/// The shards' snapshots from an old checkpoint's `envs` section.
pub(crate) fn decode_all(bytes: &[u8]) -> Result<Vec<PreNumpyVecEnvSnapshot>, postcard::Error> {
    postcard::from_bytes(bytes)
}

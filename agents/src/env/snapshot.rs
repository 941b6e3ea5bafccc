//! Env snapshots: everything an environment needs to continue bit for bit.
//!
//! [`Env::state`](crate::Env::state) is the physical state of the trace
//! protocol; a resumed training run needs more: the RNG stream position,
//! latches such as CartPole's `steps_beyond_terminated`, whether the env was
//! ever reset, and each wrapper's counters (the time limit's step count).
//! An [`EnvSnapshot`] holds all of it as plain numbers so that a checkpoint
//! can carry it and [`Env::restore`](crate::Env::restore) can put it back.
//!
//! Layout: `values` belong to the innermost env (its own documented order);
//! each wrapper appends its own numbers to `layers`, outermost last, and
//! takes them off again on restore.
//!
//! [`VecEnvSnapshot::to_bytes`] starts with [`VEC_ENV_SNAPSHOT_MAGIC`];
//! bytes without it are read as a snapshot from before env generators
//! followed numpy (see `env::snapshot_legacy`).

use serde::{Deserialize, Serialize};

use crate::EnvError;
use crate::env::env_rng::EnvRng;
use crate::env::snapshot_legacy::{self, PreNumpyVecEnvSnapshot};

/// The first bytes of [`VecEnvSnapshot::to_bytes`] (version 2: env
/// generators are numpy's; version 1 had no header).
pub const VEC_ENV_SNAPSHOT_MAGIC: &[u8; 8] = b"AGORAVS2";

/// The complete state of one environment (and its wrappers); see the module doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvSnapshot {
    /// The innermost env's values, in the env's own order.
    pub values: Vec<f64>,
    /// The innermost env's random generator.
    pub rng: EnvRng,
    /// Wrapper values, innermost wrapper first.
    pub layers: Vec<f64>,
}

impl EnvSnapshot {
    /// A snapshot of an unwrapped env.
    pub fn new(values: Vec<f64>, rng: EnvRng) -> Self {
        Self {
            values,
            rng,
            layers: Vec::new(),
        }
    }

    /// The env values, checked to be `len` finite numbers.
    pub(crate) fn values_of(&self, env: &str, len: usize) -> Result<&[f64], EnvError> {
        if self.values.len() != len || self.values.iter().any(|v| !v.is_finite()) {
            return Err(EnvError::InvalidState(format!(
                "snapshot of `{env}` needs {len} finite values, got {:?}",
                self.values
            )));
        }
        Ok(&self.values)
    }

    /// Splits off the outermost `n` layer values: (the inner snapshot, them).
    pub(crate) fn split_layers(
        &self,
        what: &str,
        n: usize,
    ) -> Result<(EnvSnapshot, Vec<f64>), EnvError> {
        if self.layers.len() < n {
            return Err(EnvError::InvalidState(format!(
                "snapshot has no values for the `{what}` wrapper"
            )));
        }
        let mut inner = self.clone();
        let mine = inner.layers.split_off(self.layers.len() - n);
        Ok((inner, mine))
    }
}

/// Reads a `u32` stored as an `f64`, or fails naming `what`.
pub(crate) fn as_u32(v: f64, what: &str) -> Result<u32, EnvError> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        Ok(v as u32)
    } else {
        Err(EnvError::InvalidState(format!(
            "snapshot value `{what}` must be an integer in 0..2^32, got {v}"
        )))
    }
}

/// Reads a flag stored as `0.0` / `1.0`.
pub(crate) fn as_bool(v: f64, what: &str) -> Result<bool, EnvError> {
    match v {
        0.0 => Ok(false),
        1.0 => Ok(true),
        _ => Err(EnvError::InvalidState(format!(
            "snapshot value `{what}` must be 0 or 1, got {v}"
        ))),
    }
}

/// Stores an optional counter as `-1` (none) or its value.
pub(crate) fn opt_u32(v: Option<u32>) -> f64 {
    v.map_or(-1.0, f64::from)
}

/// Reads a value written by [`opt_u32`].
pub(crate) fn as_opt_u32(v: f64, what: &str) -> Result<Option<u32>, EnvError> {
    if v == -1.0 {
        Ok(None)
    } else {
        as_u32(v, what).map(Some)
    }
}

/// The complete state of a vector env (one shard): every env's
/// [`EnvSnapshot`] plus the batch's own autoreset and episode bookkeeping.
///
/// A `VecEnv<TimeLimit<CartPole>>` and a
/// [`CartPoleVecEnv`](crate::env::cartpole_vector::CartPoleVecEnv) over the
/// same indices write the same snapshot, so either can restore the other's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VecEnvSnapshot {
    /// The env id.
    pub id: String,
    /// Global index of the first env.
    pub first_index: u64,
    /// The autoreset mode the batch ran with.
    pub mode: crate::autoreset::AutoresetMode,
    /// Whether the batch was ever reset.
    pub started: bool,
    /// Next-step mode: env `i` is reset on the next step.
    pub pending_reset: Vec<bool>,
    /// Return so far of each env's running episode.
    pub episode_return: Vec<f64>,
    /// Length so far of each env's running episode.
    pub episode_length: Vec<u32>,
    /// Each env's own snapshot.
    pub envs: Vec<EnvSnapshot>,
}

impl From<PreNumpyVecEnvSnapshot> for VecEnvSnapshot {
    fn from(old: PreNumpyVecEnvSnapshot) -> Self {
        let envs = old
            .envs
            .into_iter()
            .map(|e| EnvSnapshot {
                values: e.values,
                rng: e.rng,
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

impl VecEnvSnapshot {
    /// Encodes the snapshot as compact bytes: the magic, then postcard.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EnvError> {
        postcard::to_extend(self, VEC_ENV_SNAPSHOT_MAGIC.to_vec())
            .map_err(|e| EnvError::InvalidState(format!("cannot encode env snapshot: {e}")))
    }

    /// Decodes bytes written by [`to_bytes`](VecEnvSnapshot::to_bytes),
    /// today's or (without the magic) those of Agora before numpy seeding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvError> {
        let decoded = match bytes.strip_prefix(VEC_ENV_SNAPSHOT_MAGIC.as_slice()) {
            Some(body) => postcard::from_bytes(body),
            None => snapshot_legacy::decode_one(bytes).map(Into::into),
        };
        decoded.map_err(|e| EnvError::InvalidState(format!("cannot decode env snapshot: {e}")))
    }

    /// The snapshots of consecutive shards of one batch, cut again into
    /// shards of `sizes` envs (in order): a checkpoint taken with one shard
    /// count restores into another, since env `i` is the same env however
    /// the batch is split.
    pub fn regroup(parts: Vec<VecEnvSnapshot>, sizes: &[usize]) -> Result<Vec<Self>, EnvError> {
        let whole = Self::concat(parts)?;
        let total: usize = sizes.iter().sum();
        if whole.envs.len() != total {
            return Err(EnvError::InvalidState(format!(
                "the env snapshots hold {} envs; this batch has {total}",
                whole.envs.len()
            )));
        }
        let mut out = Vec::with_capacity(sizes.len());
        let mut start = 0;
        for &size in sizes {
            let range = start..start + size;
            out.push(VecEnvSnapshot {
                id: whole.id.clone(),
                first_index: whole.first_index + start as u64,
                mode: whole.mode,
                started: whole.started,
                pending_reset: whole.pending_reset[range.clone()].to_vec(),
                episode_return: whole.episode_return[range.clone()].to_vec(),
                episode_length: whole.episode_length[range.clone()].to_vec(),
                envs: whole.envs[range].to_vec(),
            });
            start += size;
        }
        Ok(out)
    }

    /// Consecutive shards' snapshots joined into one.
    fn concat(parts: Vec<VecEnvSnapshot>) -> Result<Self, EnvError> {
        let mut parts = parts.into_iter();
        let Some(mut whole) = parts.next() else {
            return Err(EnvError::InvalidState("no env snapshots to restore".into()));
        };
        for part in parts {
            let next_index = whole.first_index + whole.envs.len() as u64;
            if part.id != whole.id
                || part.mode != whole.mode
                || part.started != whole.started
                || part.first_index != next_index
            {
                return Err(EnvError::InvalidState(format!(
                    "env snapshot of `{}` from index {} does not continue the one of `{}` ending before {next_index}",
                    part.id, part.first_index, whole.id
                )));
            }
            part.check_fits(&whole.id, next_index, part.envs.len(), whole.mode)?;
            whole.pending_reset.extend(part.pending_reset);
            whole.episode_return.extend(part.episode_return);
            whole.episode_length.extend(part.episode_length);
            whole.envs.extend(part.envs);
        }
        Ok(whole)
    }

    /// Checks that this snapshot was taken from a batch like the one being
    /// restored: same id, indices, size and autoreset mode, and that every
    /// per-env column has one entry per env.
    pub(crate) fn check_fits(
        &self,
        id: &str,
        first_index: u64,
        num_envs: usize,
        mode: crate::autoreset::AutoresetMode,
    ) -> Result<(), EnvError> {
        let mismatch = |what: &str, got: String, want: String| {
            Err(EnvError::InvalidState(format!(
                "env snapshot {what} is {got}, the batch has {want}"
            )))
        };
        if self.id != id {
            return mismatch("id", self.id.clone(), id.to_string());
        }
        if self.first_index != first_index {
            return mismatch(
                "first index",
                self.first_index.to_string(),
                first_index.to_string(),
            );
        }
        if self.mode != mode {
            return mismatch(
                "autoreset mode",
                format!("{:?}", self.mode),
                format!("{mode:?}"),
            );
        }
        for (what, len) in [
            ("envs", self.envs.len()),
            ("pending_reset", self.pending_reset.len()),
            ("episode_return", self.episode_return.len()),
            ("episode_length", self.episode_length.len()),
        ] {
            if len != num_envs {
                return mismatch(
                    &format!("`{what}` length"),
                    len.to_string(),
                    format!("{num_envs} envs"),
                );
            }
        }
        Ok(())
    }
}

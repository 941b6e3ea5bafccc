//! The checkpoint container: one byte string holding a learner's sections.
//!
//! Layout: the 8-byte magic `AGORACK1`, then a postcard-encoded
//! [`Checkpoint`]: the algorithm, the env id and spaces it was trained on,
//! and named sections of bytes. Sections are whatever the learner stores:
//! `weights` (safetensors), `optimizer` (Adam state), `state` (counters,
//! RNG states, exploration, current observations; postcard), `replay`
//! (DQN's buffer), `env_snapshots` (the env shards' snapshots). Reading
//! checks the magic, then decodes each section on its own, so an error names
//! the part that failed (`corrupt checkpoint: cannot decode section
//! `replay`: …`).
//!
//! Checkpoints written before env generators followed numpy keep the env
//! snapshots in an `envs` section instead, in the layout of that time;
//! [`Checkpoint::env_snapshots`] reads either (see
//! `env::snapshot_legacy`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::env::snapshot::VecEnvSnapshot;
use crate::env::snapshot_legacy;
use crate::learners::{Algorithm, EnvBatchSpec, TrainError};

/// The first bytes of every checkpoint.
pub const MAGIC: &[u8; 8] = b"AGORACK1";

/// The section of the env shards' snapshots.
const ENV_SNAPSHOTS: &str = "env_snapshots";
/// The same, in checkpoints from before numpy seeding (old layout).
const PRE_NUMPY_ENV_SNAPSHOTS: &str = "envs";

/// A decoded checkpoint; see the module doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The algorithm that wrote it.
    pub algorithm: Algorithm,
    /// The env batch it was trained on.
    pub spec: EnvBatchSpec,
    /// Named sections, in write order.
    pub sections: Vec<(String, Vec<u8>)>,
}

impl Checkpoint {
    /// An empty checkpoint for `algorithm` on `spec`.
    pub fn new(algorithm: Algorithm, spec: &EnvBatchSpec) -> Self {
        Self {
            algorithm,
            spec: spec.clone(),
            sections: Vec::new(),
        }
    }

    /// Adds raw bytes under `name`.
    pub fn put_bytes(&mut self, name: &str, bytes: Vec<u8>) {
        self.sections.push((name.to_string(), bytes));
    }

    /// Adds a postcard-encoded value under `name`.
    pub fn put<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), TrainError> {
        let bytes = postcard::to_stdvec(value)
            .map_err(|e| TrainError::corrupt(format!("section `{name}` (encoding)"), e))?;
        self.put_bytes(name, bytes);
        Ok(())
    }

    /// The bytes of section `name`.
    pub fn bytes(&self, name: &str) -> Result<&[u8], TrainError> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| TrainError::corrupt(format!("section `{name}`"), "it is missing"))
    }

    /// Decodes section `name` as postcard.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, TrainError> {
        postcard::from_bytes(self.bytes(name)?)
            .map_err(|e| TrainError::corrupt(format!("section `{name}`"), e))
    }

    /// Adds the env shards' snapshots.
    pub fn put_env_snapshots(&mut self, envs: &[VecEnvSnapshot]) -> Result<(), TrainError> {
        self.put(ENV_SNAPSHOTS, &envs)
    }

    /// The env shards' snapshots, from this checkpoint's section of them
    /// or, in a checkpoint from before numpy seeding, its `envs` section.
    pub fn env_snapshots(&self) -> Result<Vec<VecEnvSnapshot>, TrainError> {
        let has = |name: &str| self.sections.iter().any(|(n, _)| n == name);
        if !has(ENV_SNAPSHOTS) && has(PRE_NUMPY_ENV_SNAPSHOTS) {
            let bytes = self.bytes(PRE_NUMPY_ENV_SNAPSHOTS)?;
            return snapshot_legacy::decode_all(bytes)
                .map(|old| old.into_iter().map(Into::into).collect())
                .map_err(|e| {
                    TrainError::corrupt(format!("section `{PRE_NUMPY_ENV_SNAPSHOTS}`"), e)
                });
        }
        self.get(ENV_SNAPSHOTS)
    }

    /// The whole checkpoint as bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, TrainError> {
        let mut out = MAGIC.to_vec();
        let body = postcard::to_stdvec(self)
            .map_err(|e| TrainError::corrupt("checkpoint (encoding)", e))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Decodes bytes written by [`to_bytes`](Checkpoint::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TrainError> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| TrainError::corrupt("header", "not an Agora checkpoint (bad magic)"))?;
        postcard::from_bytes(body).map_err(|e| TrainError::corrupt("checkpoint index", e))
    }

    /// Fails unless this checkpoint was written by `algorithm` for an env
    /// batch with `spec`'s id and spaces.
    pub fn check_fits(&self, algorithm: Algorithm, spec: &EnvBatchSpec) -> Result<(), TrainError> {
        if self.algorithm != algorithm {
            return Err(TrainError::CheckpointMismatch(format!(
                "it was written by {}, this learner is {}",
                self.algorithm.name(),
                algorithm.name()
            )));
        }
        self.check_env(spec)
    }

    /// Fails unless the env id and spaces match `spec` (what evaluation and
    /// warm start need; the number of envs may differ).
    pub fn check_env(&self, spec: &EnvBatchSpec) -> Result<(), TrainError> {
        let s = &self.spec;
        if s.env_id != spec.env_id
            || s.observation_space != spec.observation_space
            || s.action_space != spec.action_space
        {
            return Err(TrainError::CheckpointMismatch(format!(
                "it was trained on `{}` (observations {}, actions {}), this learner is for `{}` (observations {}, actions {})",
                s.env_id,
                s.observation_space,
                s.action_space,
                spec.env_id,
                spec.observation_space,
                spec.action_space
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AutoresetMode, Params, Space};

    fn spec(id: &str) -> EnvBatchSpec {
        EnvBatchSpec {
            env_id: id.into(),
            params: Params::new(),
            observation_space: Space::Discrete { n: 16 },
            action_space: Space::Discrete { n: 4 },
            num_envs: 1,
            autoreset: AutoresetMode::SameStep,
        }
    }

    #[test]
    fn sections_round_trip() {
        let mut c = Checkpoint::new(Algorithm::QLearning, &spec("FrozenLake-v1"));
        c.put("state", &(3u64, vec![1.5f32])).unwrap();
        c.put_bytes("raw", vec![9, 8, 7]);
        let back = Checkpoint::from_bytes(&c.to_bytes().unwrap()).unwrap();
        assert_eq!(back, c);
        assert_eq!(
            back.get::<(u64, Vec<f32>)>("state").unwrap(),
            (3, vec![1.5])
        );
        assert_eq!(back.bytes("raw").unwrap(), &[9, 8, 7]);
    }

    #[test]
    fn corrupt_input_names_the_part() {
        let e = Checkpoint::from_bytes(b"hello").unwrap_err();
        assert!(e.to_string().contains("header"), "{e}");
        let mut c = Checkpoint::new(Algorithm::Dqn, &spec("CartPole-v1"));
        c.put_bytes("state", vec![0xff; 3]);
        let bytes = c.to_bytes().unwrap();
        let e = Checkpoint::from_bytes(&bytes[..bytes.len() - 2]).unwrap_err();
        assert!(e.to_string().contains("checkpoint index"), "{e}");
        let c = Checkpoint::from_bytes(&bytes).unwrap();
        let e = c.get::<(u64, u64)>("state").unwrap_err();
        assert!(e.to_string().contains("section `state`"), "{e}");
        let e = c.get::<u64>("replay").unwrap_err();
        assert!(e.to_string().contains("`replay`: it is missing"), "{e}");
    }

    #[test]
    fn env_snapshots_round_trip_and_their_absence_is_named() {
        let mut c = Checkpoint::new(Algorithm::QLearning, &spec("FrozenLake-v1"));
        let e = c.env_snapshots().unwrap_err();
        assert!(
            e.to_string().contains("`env_snapshots`: it is missing"),
            "{e}"
        );
        c.put_env_snapshots(&[]).unwrap();
        assert_eq!(c.env_snapshots().unwrap(), vec![]);
    }

    #[test]
    fn another_algorithm_or_env_is_refused() {
        let c = Checkpoint::new(Algorithm::Dqn, &spec("FrozenLake-v1"));
        let e = c
            .check_fits(Algorithm::Ppo, &spec("FrozenLake-v1"))
            .unwrap_err();
        assert!(e.to_string().contains("written by dqn"), "{e}");
        let e = c.check_fits(Algorithm::Dqn, &spec("Taxi-v4")).unwrap_err();
        assert!(e.to_string().contains("`FrozenLake-v1`"), "{e}");
    }
}

//! [`TrainerCore`]: the bookkeeping every learner keeps (algorithm, env
//! batch, seed, metrics, whether it has begun) and the checkpoint framing
//! the learners share.
//!
//! Every learner's checkpoint is its own sections (weights, optimizer,
//! replay…), then `state` (its counters, postcard), then `env_snapshots`
//! (the env shards' snapshots); see [`checkpoint`](crate::learners::checkpoint).
//! Resuming checks the algorithm, env and spaces before decoding `state`;
//! a warm start checks only the env and spaces, since it takes weights
//! from any run on the same env.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::env::snapshot::VecEnvSnapshot;
use crate::learners::checkpoint::Checkpoint;
use crate::learners::{Algorithm, EnvBatchSpec, Metrics, TrainError};

/// What every learner keeps besides its model; see the module doc.
#[derive(Debug, Clone)]
pub struct TrainerCore {
    pub(crate) algorithm: Algorithm,
    pub(crate) spec: EnvBatchSpec,
    pub(crate) seed: u64,
    pub(crate) metrics: Metrics,
    /// [`Trainer::begin`](crate::learners::Trainer::begin) took a batch.
    pub(crate) started: bool,
}

impl TrainerCore {
    /// A learner of `algorithm` for `spec`, not begun, with its first metrics.
    pub(crate) fn new(
        algorithm: Algorithm,
        spec: EnvBatchSpec,
        seed: u64,
        metrics: Metrics,
    ) -> Self {
        Self {
            algorithm,
            spec,
            seed,
            metrics,
            started: false,
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The env batch the learner was built for.
    pub fn spec(&self) -> &EnvBatchSpec {
        &self.spec
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Counters and latest training metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Fails unless the learner has taken its first observations.
    pub(crate) fn check_started(&self) -> Result<(), TrainError> {
        if self.started {
            Ok(())
        } else {
            Err(TrainError::BatchShape("act before begin".into()))
        }
    }

    /// Counts one batch step that held `transitions` transitions.
    pub(crate) fn count_batch_step(&mut self, transitions: usize) {
        self.metrics.iterations += 1;
        self.metrics.env_steps += transitions as u64;
    }

    /// A checkpoint of this learner: `sections` in order, then `state`,
    /// then the env snapshots.
    pub(crate) fn encode_checkpoint<S: Serialize>(
        &self,
        sections: Vec<(&str, Vec<u8>)>,
        state: &S,
        envs: &[VecEnvSnapshot],
    ) -> Result<Vec<u8>, TrainError> {
        let mut c = Checkpoint::new(self.algorithm, &self.spec);
        for (name, bytes) in sections {
            c.put_bytes(name, bytes);
        }
        c.put("state", state)?;
        c.put_env_snapshots(envs)?;
        c.to_bytes()
    }

    /// Opens a checkpoint to resume from: it must be this algorithm's, for
    /// this env and spaces; returns it with its decoded `state` section.
    pub(crate) fn open_checkpoint<S: DeserializeOwned>(
        &self,
        bytes: &[u8],
    ) -> Result<(Checkpoint, S), TrainError> {
        let c = Checkpoint::from_bytes(bytes)?;
        c.check_fits(self.algorithm, &self.spec)?;
        let state = c.get("state")?;
        Ok((c, state))
    }

    /// Opens a checkpoint to take weights from: any algorithm's, for this
    /// env and spaces.
    pub(crate) fn open_for_warm_start(&self, bytes: &[u8]) -> Result<Checkpoint, TrainError> {
        let c = Checkpoint::from_bytes(bytes)?;
        c.check_env(&self.spec)?;
        Ok(c)
    }

    /// Puts back the counters of a checkpoint being resumed.
    pub(crate) fn resume(&mut self, metrics: Metrics, started: bool) {
        self.metrics = metrics;
        self.started = started;
    }
}

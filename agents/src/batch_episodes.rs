//! [`BatchEpisodes`]: where each env of a batch stands in its episode.
//!
//! The bookkeeping both batch types keep beside their envs ([`VecEnv`] and
//! [`CartPoleVecEnv`]): whether the batch was ever reset, which envs await
//! a next-step autoreset, and each running episode's return and length. It
//! is what a [`VecEnvSnapshot`] holds besides the envs' own snapshots.
//!
//! [`VecEnv`]: crate::VecEnv
//! [`CartPoleVecEnv`]: crate::env::cartpole_vector::CartPoleVecEnv

use crate::autoreset::AutoresetMode;
use crate::env::snapshot::{EnvSnapshot, VecEnvSnapshot};

/// A batch's episode bookkeeping; see the module doc.
#[derive(Debug, Clone)]
pub(crate) struct BatchEpisodes {
    /// The batch was reset at least once.
    pub(crate) started: bool,
    /// Next-step mode: the env's episode ended on the previous step.
    pub(crate) pending_reset: Vec<bool>,
    /// Return so far of each env's running episode.
    pub(crate) episode_return: Vec<f64>,
    /// Length so far of each env's running episode.
    pub(crate) episode_length: Vec<u32>,
}

impl BatchEpisodes {
    /// The bookkeeping of `num_envs` envs never reset.
    pub(crate) fn new(num_envs: usize) -> Self {
        Self {
            started: false,
            pending_reset: vec![false; num_envs],
            episode_return: vec![0.0; num_envs],
            episode_length: vec![0; num_envs],
        }
    }

    /// Records a reset of the whole batch: nothing pending, every episode
    /// at its start.
    pub(crate) fn start(&mut self) {
        self.pending_reset.fill(false);
        self.episode_return.fill(0.0);
        self.episode_length.fill(0);
        self.started = true;
    }

    /// The snapshot of a batch with this bookkeeping and the env snapshots `envs`.
    pub(crate) fn snapshot(
        &self,
        id: &str,
        first_index: u64,
        mode: AutoresetMode,
        envs: Vec<EnvSnapshot>,
    ) -> VecEnvSnapshot {
        VecEnvSnapshot {
            id: id.to_string(),
            first_index,
            mode,
            started: self.started,
            pending_reset: self.pending_reset.clone(),
            episode_return: self.episode_return.clone(),
            episode_length: self.episode_length.clone(),
            envs,
        }
    }

    /// Takes the bookkeeping of `snapshot`, already checked to fit the batch.
    pub(crate) fn restore(&mut self, snapshot: &VecEnvSnapshot) {
        self.started = snapshot.started;
        self.pending_reset.clone_from(&snapshot.pending_reset);
        self.episode_return.clone_from(&snapshot.episode_return);
        self.episode_length.clone_from(&snapshot.episode_length);
    }
}

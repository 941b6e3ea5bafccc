//! [`RandomActions`]: valid random actions for a whole env batch, from
//! Agora's own stream (for benchmarks and cost probes, where any valid
//! action will do; [`SpaceSampler`](crate::SpaceSampler) draws what
//! Gymnasium draws).

use crate::{ActionBatch, Rng, Space};

/// Random actions for `num_envs` envs of one action space, reusing one
/// buffer.
#[derive(Debug, Clone)]
pub struct RandomActions {
    rng: Rng,
    space: Space,
    discrete: Vec<i64>,
    continuous: Vec<f32>,
}

impl RandomActions {
    /// Actions for `num_envs` envs of `space`, from a fixed seed.
    pub fn new(space: &Space, num_envs: usize) -> Self {
        let dim = space.flat_dim().max(1);
        Self {
            rng: Rng::seed_from_u64(7),
            space: space.clone(),
            discrete: vec![0; num_envs * dim],
            continuous: vec![0.0; num_envs * dim],
        }
    }

    /// The next batch of actions, one per env.
    pub fn next_batch(&mut self) -> ActionBatch<'_> {
        let dim = self.space.flat_dim().max(1);
        match &self.space {
            Space::Discrete { n } => {
                for a in &mut self.discrete {
                    *a = self.rng.below(*n) as i64;
                }
                ActionBatch::Discrete(&self.discrete)
            }
            Space::MultiDiscrete { nvec } => {
                for (i, a) in self.discrete.iter_mut().enumerate() {
                    *a = self.rng.below(nvec[i % dim]) as i64;
                }
                ActionBatch::MultiDiscrete(&self.discrete)
            }
            Space::Box { .. } => {
                for chunk in self.continuous.chunks_mut(dim) {
                    self.space.sample_into(&mut self.rng, chunk);
                }
                ActionBatch::Box(&self.continuous)
            }
        }
    }
}

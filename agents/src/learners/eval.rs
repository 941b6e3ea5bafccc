//! Greedy evaluation of a trained policy: what `agora eval` prints.
//!
//! Plays `episodes` episodes on an env batch with [`Trainer::act_greedy`]
//! (no exploration, no learning) and summarises their returns. Episodes are
//! counted in the order they finish; when more envs finish in the last
//! batch step than are still needed, the extra ones are not counted.

use serde::{Deserialize, Serialize};

use crate::learners::{TrainError, Trainer};
use crate::{ActionBatch, Batch, VectorEnv};

/// Returns of the evaluation episodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSummary {
    /// Episodes played.
    pub episodes: u64,
    /// Mean return.
    pub mean_return: f64,
    /// Lowest return.
    pub min_return: f64,
    /// Highest return.
    pub max_return: f64,
    /// Share of episodes with a positive return (FrozenLake's success rate).
    pub success_rate: f64,
    /// Env transitions played.
    pub steps: u64,
}

/// Plays `episodes` greedy episodes of `trainer` on `env` reset with `seed`.
pub fn evaluate(
    trainer: &mut dyn Trainer,
    env: &mut dyn VectorEnv,
    episodes: u64,
    seed: u64,
) -> Result<EvalSummary, TrainError> {
    let n = env.num_envs();
    let mut batch = Batch::new(n, env.obs_dim());
    env.reset(Some(seed), batch.view_mut())?;
    let mut s = EvalSummary {
        episodes,
        mean_return: 0.0,
        min_return: f64::INFINITY,
        max_return: f64::NEG_INFINITY,
        success_rate: 0.0,
        steps: 0,
    };
    let (mut done, mut successes, mut total) = (0u64, 0u64, 0.0);
    while done < episodes {
        let actions = trainer.act_greedy(&batch.obs)?;
        s.steps += env.step(ActionBatch::Discrete(&actions), batch.view_mut())? as u64;
        for i in 0..n {
            if (batch.terminated[i] || batch.truncated[i]) && done < episodes {
                let r = batch.episode_return[i];
                done += 1;
                total += r;
                successes += u64::from(r > 0.0);
                s.min_return = s.min_return.min(r);
                s.max_return = s.max_return.max(r);
            }
        }
    }
    if episodes > 0 {
        s.mean_return = total / episodes as f64;
        s.success_rate = successes as f64 / episodes as f64;
    }
    Ok(s)
}

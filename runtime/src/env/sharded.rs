//! The policy's side of the env actors: one call steps every shard in
//! parallel and gathers their results into one contiguous batch.

use std::ops::Range;
use std::time::{Duration, Instant};

use agora_agents::{
    ActionBatch, AutoresetMode, Batch, EnvError, Params, Space, VecEnvSnapshot, VectorEnv,
    make_vec, shard_ranges,
};

use super::shard::{EnvShard, OwnedActions, ShardJob, ShardReply};

/// Why stepping through the env actors failed.
#[derive(Debug, thiserror::Error)]
pub enum EnvActorError {
    /// The envs refused (bad action, wrong batch length, …).
    #[error(transparent)]
    Env(#[from] EnvError),
    /// A shard's envs panicked; the shard cannot step again.
    #[error("env shard {shard} (envs {range:?}) is gone: {reason}")]
    ShardGone {
        /// Shard number.
        shard: usize,
        /// Its env indices.
        range: Range<usize>,
        /// The panic's message.
        reason: String,
    },
    /// The shard's thread could not be started.
    #[error("could not start a thread for env shard {shard}: {source}")]
    Spawn {
        /// Shard number.
        shard: usize,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// How long the last steps took, for the actor-hop overhead figure.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTiming {
    /// Batches stepped.
    pub batches: u64,
    /// Wall time of those steps, hop included.
    pub wall: Duration,
    /// Time of the slowest shard's stepping, summed over batches.
    pub compute: Duration,
}

impl StepTiming {
    /// Mean wall time per batch not spent stepping envs (messages, thread
    /// wake-ups, gathering), in microseconds.
    pub fn overhead_us_per_batch(&self) -> f64 {
        if self.batches == 0 {
            return 0.0;
        }
        (self.wall.saturating_sub(self.compute)).as_secs_f64() * 1e6 / self.batches as f64
    }
}

struct Shard {
    worker: EnvShard,
    range: Range<usize>,
    buffers: Option<(OwnedActions, Batch)>,
}

/// A vectorized env whose shards step on their own threads.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use agora_agents::{ActionBatch, AutoresetMode, Params};
/// use agora_runtime::env::ShardedVecEnv;
///
/// let mut envs = ShardedVecEnv::start("CartPole-v1", &Params::new(), 256, 2, AutoresetMode::NextStep)?;
/// envs.reset(Some(0)).await?;
/// let transitions = envs.step(ActionBatch::Discrete(&[0; 256])).await?;
/// let rewards = &envs.batch().rewards;
/// # Ok(()) }
/// ```
pub struct ShardedVecEnv {
    id: String,
    num_envs: usize,
    obs_dim: usize,
    action_space: Space,
    observation_space: Space,
    shards: Vec<Shard>,
    batch: Batch,
    timing: StepTiming,
}

impl std::fmt::Debug for ShardedVecEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedVecEnv")
            .field("id", &self.id)
            .field("num_envs", &self.num_envs)
            .field("shards", &self.shards.len())
            .finish_non_exhaustive()
    }
}

impl ShardedVecEnv {
    /// One shard per core, leaving one core to the thread that runs the
    /// policy: env threads + learner thread ≤ cores, because shard threads
    /// spin between steps and a third spinner on two cores steals time
    /// from the other two.
    pub fn default_shards(num_envs: usize) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.saturating_sub(1).clamp(1, num_envs.max(1))
    }

    /// Builds `num_envs` envs of `id` split into `num_shards` shards and
    /// starts a thread per shard. Env `i` behaves the same whatever the
    /// shard count.
    pub fn start(
        id: &str,
        params: &Params,
        num_envs: usize,
        num_shards: usize,
        mode: AutoresetMode,
    ) -> Result<Self, EnvActorError> {
        let ranges = shard_ranges(num_envs, num_shards)?;
        let mut built: Vec<(Range<usize>, Box<dyn VectorEnv>)> = Vec::with_capacity(ranges.len());
        for range in ranges {
            let envs = make_vec(id, params, range.start as u64..range.end as u64, mode)?;
            built.push((range, envs));
        }
        let first = &built[0].1;
        let (obs_dim, action_space, observation_space) = (
            first.obs_dim(),
            first.action_space().clone(),
            first.observation_space().clone(),
        );
        let mut shards = Vec::with_capacity(built.len());
        for (index, (range, envs)) in built.into_iter().enumerate() {
            let worker =
                EnvShard::start(format!("agora-env-{id}-{index}"), envs).map_err(|source| {
                    EnvActorError::Spawn {
                        shard: index,
                        source,
                    }
                })?;
            shards.push(Shard {
                worker,
                buffers: Some(fresh_buffers(range.len(), obs_dim, &action_space)),
                range,
            });
        }
        Ok(Self {
            id: id.to_string(),
            num_envs,
            obs_dim,
            action_space,
            observation_space,
            shards,
            batch: Batch::new(num_envs, obs_dim),
            timing: StepTiming::default(),
        })
    }

    /// The env id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Envs in the batch.
    pub fn num_envs(&self) -> usize {
        self.num_envs
    }

    /// Shards (threads).
    pub fn num_shards(&self) -> usize {
        self.shards.len()
    }

    /// Observation length per env.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// Action space of one env.
    pub fn action_space(&self) -> &Space {
        &self.action_space
    }

    /// Observation space of one env.
    pub fn observation_space(&self) -> &Space {
        &self.observation_space
    }

    /// The gathered results of the last reset or step.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// Timing of the steps so far.
    pub fn timing(&self) -> StepTiming {
        self.timing
    }

    /// Resets every env (env `i` with `seed + i`).
    pub async fn reset(&mut self, seed: Option<u64>) -> Result<&Batch, EnvActorError> {
        for shard in &mut self.shards {
            let (actions, buffer) = shard.take_buffers(self.obs_dim, &self.action_space);
            shard.worker.send(ShardJob::Reset {
                seed,
                actions,
                buffer,
            });
        }
        self.gather().await?;
        Ok(&self.batch)
    }

    /// Steps every env with its action; returns the number of real
    /// transitions (autoreset-only slots are not counted).
    ///
    /// # Errors
    ///
    /// A batch of the wrong length, or an action outside the action space,
    /// is refused before any env steps.
    pub async fn step(&mut self, actions: ActionBatch<'_>) -> Result<usize, EnvActorError> {
        let dim = action_dim(&self.action_space);
        if actions.len() != self.num_envs * dim {
            return Err(EnvError::InvalidConfig(format!(
                "action batch has {} values; {} envs of `{}` need {}",
                actions.len(),
                self.num_envs,
                self.id,
                self.num_envs * dim
            ))
            .into());
        }
        // Checked here, not only in the shards, so a bad action leaves every
        // shard unstepped rather than some stepped and some not.
        for i in 0..self.num_envs {
            self.action_space
                .check(actions.get(i, dim))
                .map_err(|e| match e {
                    EnvError::InvalidAction { action, space } => EnvError::InvalidAction {
                        action: format!("{action} (for env {i})"),
                        space,
                    },
                    other => other,
                })?;
        }
        let started = Instant::now();
        for shard in &mut self.shards {
            let (mut own, buffer) = shard.take_buffers(self.obs_dim, &self.action_space);
            own.copy_from(actions.slice(shard.range.start, shard.range.end, dim));
            shard.worker.send(ShardJob::Step {
                actions: own,
                buffer,
            });
        }
        let (transitions, compute) = self.gather().await?;
        self.timing.batches += 1;
        self.timing.wall += started.elapsed();
        self.timing.compute += compute;
        Ok(transitions)
    }

    /// Snapshots of every shard, in shard order (for a checkpoint).
    pub async fn snapshot(&self) -> Result<Vec<VecEnvSnapshot>, EnvActorError> {
        for shard in &self.shards {
            shard.worker.send(ShardJob::Snapshot);
        }
        let answers = self.answers().await;
        answers
            .into_iter()
            .enumerate()
            .map(|(index, reply)| match reply {
                ShardReply::Snapshot(snapshot) => Ok(snapshot?),
                other => Err(self.unexpected(index, other)),
            })
            .collect()
    }

    /// Puts shard snapshots back (from [`snapshot`](Self::snapshot) of a
    /// batch with the same id, parameters, sizes and shards).
    pub async fn restore(&mut self, snapshots: Vec<VecEnvSnapshot>) -> Result<(), EnvActorError> {
        if snapshots.len() != self.shards.len() {
            return Err(EnvError::InvalidConfig(format!(
                "the checkpoint holds {} env shard(s); this run has {}; resume with the same `shards`",
                snapshots.len(),
                self.shards.len()
            ))
            .into());
        }
        for (shard, snapshot) in self.shards.iter().zip(snapshots) {
            shard.worker.send(ShardJob::Restore(snapshot));
        }
        let answers = self.answers().await;
        answers
            .into_iter()
            .enumerate()
            .try_for_each(|(index, reply)| match reply {
                ShardReply::Restored(restored) => Ok(restored?),
                other => Err(self.unexpected(index, other)),
            })
    }

    /// Every shard's answer to the job just sent, all of them awaited so
    /// none is left behind for the next job.
    async fn answers(&self) -> Vec<ShardReply> {
        let mut answers = Vec::with_capacity(self.shards.len());
        for shard in &self.shards {
            answers.push(shard.worker.answer().await);
        }
        answers
    }

    /// A reply that does not answer the job sent: the shard is gone.
    fn unexpected(&self, index: usize, reply: ShardReply) -> EnvActorError {
        let reason = match reply {
            ShardReply::Gone(reason) => reason,
            other => format!("it answered out of turn ({other:?})"),
        };
        EnvActorError::ShardGone {
            shard: index,
            range: self.shards[index].range.clone(),
            reason,
        }
    }

    /// Waits for every shard's step or reset, copies its buffers into the
    /// batch and keeps them for reuse.
    async fn gather(&mut self) -> Result<(usize, Duration), EnvActorError> {
        let mut transitions = 0;
        let mut slowest = Duration::ZERO;
        let mut first_error = None;
        for index in 0..self.shards.len() {
            let reply = self.shards[index].worker.answer().await;
            let shard = &mut self.shards[index];
            match reply {
                ShardReply::Stepped(Ok(stepped)) => {
                    copy_into(
                        &mut self.batch,
                        shard.range.clone(),
                        &stepped.buffer,
                        self.obs_dim,
                    );
                    transitions += stepped.transitions;
                    slowest = slowest.max(stepped.compute);
                    shard.buffers = Some((stepped.actions, stepped.buffer));
                }
                ShardReply::Stepped(Err(refused)) => {
                    shard.buffers = Some((refused.actions, refused.buffer));
                    first_error.get_or_insert(EnvActorError::Env(refused.error));
                }
                other => {
                    first_error.get_or_insert(self.unexpected(index, other));
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok((transitions, slowest)),
        }
    }
}

impl Shard {
    /// The shard's buffers, or new ones if a lost shard kept them.
    fn take_buffers(&mut self, obs_dim: usize, space: &Space) -> (OwnedActions, Batch) {
        self.buffers
            .take()
            .unwrap_or_else(|| fresh_buffers(self.range.len(), obs_dim, space))
    }
}

fn fresh_buffers(len: usize, obs_dim: usize, space: &Space) -> (OwnedActions, Batch) {
    let action_dim = action_dim(space);
    let actions = match space {
        Space::Box { .. } => OwnedActions::Box(vec![0.0; len * action_dim]),
        Space::MultiDiscrete { .. } => OwnedActions::MultiDiscrete(vec![0; len * action_dim]),
        _ => OwnedActions::Discrete(vec![0; len]),
    };
    (actions, Batch::new(len, obs_dim))
}

fn action_dim(space: &Space) -> usize {
    match space {
        Space::Box { low, .. } => low.len(),
        Space::MultiDiscrete { nvec } => nvec.len(),
        _ => 1,
    }
}

fn copy_into(batch: &mut Batch, range: Range<usize>, shard: &Batch, obs_dim: usize) {
    let (start, end) = (range.start, range.end);
    batch.obs[start * obs_dim..end * obs_dim].copy_from_slice(&shard.obs);
    batch.final_obs[start * obs_dim..end * obs_dim].copy_from_slice(&shard.final_obs);
    batch.rewards[start..end].copy_from_slice(&shard.rewards);
    batch.terminated[start..end].copy_from_slice(&shard.terminated);
    batch.truncated[start..end].copy_from_slice(&shard.truncated);
    batch.autoreset[start..end].copy_from_slice(&shard.autoreset);
    batch.episode_return[start..end].copy_from_slice(&shard.episode_return);
    batch.episode_length[start..end].copy_from_slice(&shard.episode_length);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps `id` for `steps` batches through `shards` shards with a fixed
    /// action pattern and returns every batch it saw.
    fn trajectory(id: &str, num_envs: usize, shards: usize, steps: usize) -> Vec<Batch> {
        actix::System::new().block_on(async move {
            let mut envs = ShardedVecEnv::start(
                id,
                &Params::new(),
                num_envs,
                shards,
                AutoresetMode::NextStep,
            )
            .expect("start");
            let mut seen = vec![envs.reset(Some(11)).await.expect("reset").clone()];
            for step in 0..steps {
                let actions: Vec<i64> = (0..num_envs).map(|i| ((i + step) % 2) as i64).collect();
                envs.step(ActionBatch::Discrete(&actions))
                    .await
                    .expect("step");
                seen.push(envs.batch().clone());
            }
            seen
        })
    }

    fn inline(id: &str, num_envs: usize, steps: usize) -> Vec<Batch> {
        let mut envs = make_vec(
            id,
            &Params::new(),
            0..num_envs as u64,
            AutoresetMode::NextStep,
        )
        .expect("make");
        let mut batch = Batch::new(num_envs, envs.obs_dim());
        envs.reset(Some(11), batch.view_mut()).expect("reset");
        let mut seen = vec![batch.clone()];
        for step in 0..steps {
            let actions: Vec<i64> = (0..num_envs).map(|i| ((i + step) % 2) as i64).collect();
            envs.step(ActionBatch::Discrete(&actions), batch.view_mut())
                .expect("step");
            seen.push(batch.clone());
        }
        seen
    }

    #[test]
    fn sharded_results_equal_the_single_thread_batch_bit_for_bit() {
        let expected = inline("CartPole-v1", 7, 300);
        for shards in [1, 2, 3] {
            assert_eq!(
                trajectory("CartPole-v1", 7, shards, 300),
                expected,
                "{shards} shards"
            );
        }
    }

    #[test]
    fn bad_action_batches_are_refused_with_a_clear_error() {
        actix::System::new().block_on(async {
            let mut envs =
                ShardedVecEnv::start("CartPole-v1", &Params::new(), 4, 2, AutoresetMode::NextStep)
                    .expect("start");
            envs.reset(Some(0)).await.expect("reset");
            let wrong_length = envs
                .step(ActionBatch::Discrete(&[0, 1, 0]))
                .await
                .expect_err("3 actions for 4 envs");
            assert!(
                wrong_length.to_string().contains("4 envs"),
                "{wrong_length}"
            );
            let outside = envs
                .step(ActionBatch::Discrete(&[0, 1, 7, 0]))
                .await
                .expect_err("action 7 of Discrete(2)");
            assert!(outside.to_string().contains('7'), "{outside}");
            // The envs are still usable after a refusal.
            envs.step(ActionBatch::Discrete(&[0, 1, 1, 0]))
                .await
                .expect("a valid batch steps");
        });
        let unknown =
            ShardedVecEnv::start("CartPole-v9", &Params::new(), 4, 2, AutoresetMode::NextStep)
                .expect_err("no such id");
        assert!(
            unknown.to_string().contains("CartPole-v1"),
            "lists the known ids: {unknown}"
        );
    }
}

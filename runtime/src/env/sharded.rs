//! The policy's side of the env actors: one call steps every shard in
//! parallel (the first on the calling thread, the others on threads of
//! their own) and gathers their results into one contiguous batch; how many
//! shards pay off is measured, not guessed.

use std::ops::Range;
use std::time::{Duration, Instant};

use agora_agents::{
    ActionBatch, AutoresetMode, Batch, EnvError, Params, RandomActions, Space, VecEnvSnapshot,
    VectorEnv, make_vec, shard_ranges,
};

use super::shard::{CallerShard, EnvShard, OwnedActions, ShardJob, ShardReply};

/// More shards are chosen only when the probe found them this much faster:
/// near break-even the measurement's noise would decide.
const MIN_GAIN: f64 = 0.05;

/// A batch step that takes less than this on one thread is never split: a
/// hand-off to another core alone costs a few microseconds (CartPole x 256
/// steps in ~3 µs), so nothing is probed for it.
const MIN_SPLIT_STEP: Duration = Duration::from_micros(10);

/// How long [`ShardedVecEnv::auto_shards`] steps each probe batch before it
/// starts timing: a new shard thread runs slowly until the scheduler has
/// moved it to a core of its own (2 ms probes here picked one shard for
/// Acrobot x 256, which then ran 1.6x faster on two).
const PROBE_WARM_UP: Duration = Duration::from_millis(10);

/// How long [`ShardedVecEnv::auto_shards`] times each probe batch per round.
const PROBE_TIME: Duration = Duration::from_millis(20);

/// Probe rounds per shard count; the best round counts, since a round can
/// only be slowed (by other work on the machine), never sped up.
const PROBE_ROUNDS: usize = 2;

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

/// A shard on a thread of its own, with the buffers it steps into.
struct Shard {
    worker: EnvShard,
    range: Range<usize>,
    buffers: Option<(OwnedActions, Batch)>,
}

/// A vectorized env whose shards step in parallel: shard 0 on the thread
/// that calls [`step`](Self::step), straight into the batch, each other one
/// on a thread of its own (so `shards = 1` starts no thread at all).
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
    /// Shard 0: envs `0..own_len`, stepped by the caller.
    own: CallerShard,
    own_len: usize,
    /// Shards 1 and up.
    threads: Vec<Shard>,
    batch: Batch,
    timing: StepTiming,
}

impl std::fmt::Debug for ShardedVecEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedVecEnv")
            .field("id", &self.id)
            .field("num_envs", &self.num_envs)
            .field("shards", &self.num_shards())
            .finish_non_exhaustive()
    }
}

impl ShardedVecEnv {
    /// The shard count for `num_envs` envs of `id` on this machine: one
    /// per core when a probe batch stepped that way ran at least 5% faster
    /// than on the caller alone (two rounds of 30 ms each; batches that step
    /// in under 10 µs are not probed), else 1 (so the default is never
    /// slower than one thread). Measured, not estimated, because what a
    /// hand-off costs depends on the machine: on this project's 2-core VMs
    /// Acrobot x 256 gains from a second shard while CartPole x 4096, whose
    /// step is a few vector instructions per env, loses to the copy and the
    /// cache lines moving between cores.
    pub fn auto_shards(id: &str, params: &Params, num_envs: usize, mode: AutoresetMode) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let many = cores.min(num_envs);
        if many < 2 {
            return 1;
        }
        let Some(mut alone) = probe_rate(id, params, num_envs, 1, mode) else {
            return 1;
        };
        if alone <= 0.0 || Duration::from_secs_f64(num_envs as f64 / alone) < MIN_SPLIT_STEP {
            return 1;
        }
        let mut split = 0.0f64;
        for _ in 0..PROBE_ROUNDS {
            alone = alone.max(probe_rate(id, params, num_envs, 1, mode).unwrap_or(0.0));
            split = split.max(probe_rate(id, params, num_envs, many, mode).unwrap_or(0.0));
        }
        if alone > 0.0 && split >= alone * (1.0 + MIN_GAIN) {
            many
        } else {
            1
        }
    }

    /// Builds `num_envs` envs of `id` split into `num_shards` shards and
    /// starts a thread for every shard but the first. Env `i` behaves the
    /// same whatever the shard count.
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
        let mut built = built.into_iter();
        let Some((own_range, own)) = built.next() else {
            return Err(EnvError::InvalidConfig("a batch needs at least one env".into()).into());
        };
        let (obs_dim, action_space, observation_space) = (
            own.obs_dim(),
            own.action_space().clone(),
            own.observation_space().clone(),
        );
        let mut threads = Vec::with_capacity(built.len());
        for (index, (range, envs)) in built.enumerate().map(|(k, b)| (k + 1, b)) {
            let worker =
                EnvShard::start(format!("agora-env-{id}-{index}"), envs).map_err(|source| {
                    EnvActorError::Spawn {
                        shard: index,
                        source,
                    }
                })?;
            threads.push(Shard {
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
            own: CallerShard::new(own),
            own_len: own_range.len(),
            threads,
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

    /// Shards, the caller's own included.
    pub fn num_shards(&self) -> usize {
        1 + self.threads.len()
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
        for shard in &mut self.threads {
            let (actions, buffer) = shard.take_buffers(self.obs_dim, &self.action_space);
            shard.worker.send(ShardJob::Reset {
                seed,
                actions,
                buffer,
            });
        }
        let (own_rows, _) = self.batch.view_mut().split_at_mut(self.own_len);
        let own = self.own.with_envs(|envs| {
            let started = Instant::now();
            envs.reset(seed, own_rows).map(|()| (0, started.elapsed()))
        });
        self.gather(own).await?;
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
        check_actions(&self.action_space, actions, self.num_envs)?;
        let started = Instant::now();
        for shard in &mut self.threads {
            let (mut own, buffer) = shard.take_buffers(self.obs_dim, &self.action_space);
            own.copy_from(actions.slice(shard.range.start, shard.range.end, dim));
            shard.worker.send(ShardJob::Step {
                actions: own,
                buffer,
            });
        }
        let own_actions = actions.slice(0, self.own_len, dim);
        let (own_rows, _) = self.batch.view_mut().split_at_mut(self.own_len);
        let own = self.own.with_envs(|envs| {
            let stepped = Instant::now();
            envs.step(own_actions, own_rows)
                .map(|transitions| (transitions, stepped.elapsed()))
        });
        let (transitions, compute) = self.gather(own).await?;
        self.timing.batches += 1;
        self.timing.wall += started.elapsed();
        self.timing.compute += compute;
        Ok(transitions)
    }

    /// Snapshots of every shard, in shard order (for a checkpoint).
    pub async fn snapshot(&self) -> Result<Vec<VecEnvSnapshot>, EnvActorError> {
        for shard in &self.threads {
            shard.worker.send(ShardJob::Snapshot);
        }
        let own = self.own.with_envs(|envs| envs.snapshot());
        let answers = self.answers().await;
        let mut snapshots = vec![self.own_answer(own)??];
        for (index, reply) in answers.into_iter().enumerate().map(|(k, r)| (k + 1, r)) {
            match reply {
                ShardReply::Snapshot(snapshot) => snapshots.push(snapshot?),
                other => return Err(self.unexpected(index, other)),
            }
        }
        Ok(snapshots)
    }

    /// Puts shard snapshots back (from [`snapshot`](Self::snapshot) of a
    /// batch with the same id, parameters and size; taken with any shard
    /// count).
    pub async fn restore(&mut self, snapshots: Vec<VecEnvSnapshot>) -> Result<(), EnvActorError> {
        let mut sizes = vec![self.own_len];
        sizes.extend(self.threads.iter().map(|s| s.range.len()));
        let mut snapshots = VecEnvSnapshot::regroup(snapshots, &sizes)?.into_iter();
        let own_snapshot = snapshots.next();
        for (shard, snapshot) in self.threads.iter().zip(snapshots) {
            shard.worker.send(ShardJob::Restore(snapshot));
        }
        let own = self
            .own
            .with_envs(|envs| own_snapshot.map_or(Ok(()), |s| envs.restore(&s)));
        let answers = self.answers().await;
        self.own_answer(own)??;
        answers
            .into_iter()
            .enumerate()
            .try_for_each(|(k, reply)| match reply {
                ShardReply::Restored(restored) => Ok(restored?),
                other => Err(self.unexpected(k + 1, other)),
            })
    }

    /// Every thread's answer to the job just sent, all of them awaited so
    /// none is left behind for the next job.
    async fn answers(&self) -> Vec<ShardReply> {
        let mut answers = Vec::with_capacity(self.threads.len());
        for shard in &self.threads {
            answers.push(shard.worker.answer().await);
        }
        answers
    }

    /// The caller's own shard's result, or that it is gone.
    fn own_answer<T>(&self, own: Result<T, String>) -> Result<T, EnvActorError> {
        own.map_err(|reason| EnvActorError::ShardGone {
            shard: 0,
            range: 0..self.own_len,
            reason,
        })
    }

    /// A reply that does not answer the job sent: the shard is gone.
    fn unexpected(&self, index: usize, reply: ShardReply) -> EnvActorError {
        let reason = match reply {
            ShardReply::Gone(reason) => reason,
            other => format!("it answered out of turn ({other:?})"),
        };
        EnvActorError::ShardGone {
            shard: index,
            range: self.threads[index - 1].range.clone(),
            reason,
        }
    }

    /// Waits for every thread's step or reset, copies its buffers into the
    /// batch beside the caller's own rows (`own`: its transitions and time)
    /// and keeps them for reuse.
    async fn gather(
        &mut self,
        own: Result<Result<(usize, Duration), EnvError>, String>,
    ) -> Result<(usize, Duration), EnvActorError> {
        let mut first_error = None;
        let (mut transitions, mut slowest) = match self.own_answer(own) {
            Ok(Ok(done)) => done,
            Ok(Err(refused)) => {
                first_error = Some(EnvActorError::Env(refused));
                (0, Duration::ZERO)
            }
            Err(gone) => {
                first_error = Some(gone);
                (0, Duration::ZERO)
            }
        };
        for index in 0..self.threads.len() {
            let reply = self.threads[index].worker.answer().await;
            let shard = &mut self.threads[index];
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
                    first_error.get_or_insert(self.unexpected(index + 1, other));
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok((transitions, slowest)),
        }
    }
}

/// Every action of the batch inside `space`, or the first that is not,
/// named with its env. Discrete batches (the common case) are one tight
/// pass; the per-env check runs only to name the culprit.
fn check_actions(space: &Space, actions: ActionBatch<'_>, num_envs: usize) -> Result<(), EnvError> {
    if let (Space::Discrete { n }, ActionBatch::Discrete(all)) = (space, actions)
        && all.iter().all(|&a| u64::try_from(a).is_ok_and(|a| a < *n))
    {
        return Ok(());
    }
    let dim = action_dim(space);
    for i in 0..num_envs {
        space.check(actions.get(i, dim)).map_err(|e| match e {
            EnvError::InvalidAction { action, space } => EnvError::InvalidAction {
                action: format!("{action} (for env {i})"),
                space,
            },
            other => other,
        })?;
    }
    Ok(())
}

/// Transitions per second of `num_envs` envs of `id` through `shards`
/// shards, stepped with random actions for [`PROBE_TIME`] after
/// [`PROBE_WARM_UP`]; `None` when the
/// envs cannot be built (the caller reports that when it builds them).
fn probe_rate(
    id: &str,
    params: &Params,
    num_envs: usize,
    shards: usize,
    mode: AutoresetMode,
) -> Option<f64> {
    let mut envs = ShardedVecEnv::start(id, params, num_envs, shards, mode).ok()?;
    let mut actions = RandomActions::new(envs.action_space(), num_envs);
    // The shards' answers need no reactor: any executor drives them.
    futures::executor::block_on(async {
        envs.reset(Some(0)).await.ok()?;
        let warming = Instant::now();
        while warming.elapsed() < PROBE_WARM_UP {
            envs.step(actions.next_batch()).await.ok()?;
        }
        let started = Instant::now();
        let mut transitions = 0usize;
        let mut steps = 0u32;
        while steps < 3 || started.elapsed() < PROBE_TIME {
            transitions += envs.step(actions.next_batch()).await.ok()?;
            steps += 1;
        }
        Some(transitions as f64 / started.elapsed().as_secs_f64())
    })
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

    /// Step `step` of [`trajectory`]'s action pattern; the batch after it.
    async fn patterned_step(envs: &mut ShardedVecEnv, step: usize) -> Batch {
        let actions: Vec<i64> = (0..envs.num_envs())
            .map(|i| ((i + step) % 2) as i64)
            .collect();
        envs.step(ActionBatch::Discrete(&actions))
            .await
            .expect("step");
        envs.batch().clone()
    }

    #[test]
    fn a_snapshot_taken_with_one_shard_count_continues_bit_for_bit_with_another() {
        let expected = inline("CartPole-v1", 7, 200);
        let continued = |taken_with: usize, restored_into: usize| {
            actix::System::new().block_on(async move {
                let start = |shards| {
                    ShardedVecEnv::start(
                        "CartPole-v1",
                        &Params::new(),
                        7,
                        shards,
                        AutoresetMode::NextStep,
                    )
                    .expect("start")
                };
                let mut first = start(taken_with);
                first.reset(Some(11)).await.expect("reset");
                for k in 0..100 {
                    patterned_step(&mut first, k).await;
                }
                let snapshots = first.snapshot().await.expect("snapshot");
                let mut second = start(restored_into);
                second.restore(snapshots).await.expect("restore");
                let mut seen = Vec::new();
                for k in 100..200 {
                    seen.push(patterned_step(&mut second, k).await);
                }
                seen
            })
        };
        for (taken_with, restored_into) in [(3, 2), (1, 3), (2, 1)] {
            assert_eq!(
                continued(taken_with, restored_into),
                expected[101..],
                "{taken_with} shards restored into {restored_into}"
            );
        }
    }

    #[test]
    fn snapshots_that_do_not_make_up_this_batch_are_refused() {
        actix::System::new().block_on(async {
            let start = |n| {
                ShardedVecEnv::start("CartPole-v1", &Params::new(), n, 2, AutoresetMode::NextStep)
                    .expect("start")
            };
            let mut six = start(6);
            six.reset(Some(1)).await.expect("reset");
            let mut snapshots = six.snapshot().await.expect("snapshot");
            let mut seven = start(7);
            let error = seven
                .restore(snapshots.clone())
                .await
                .expect_err("6 envs into 7");
            assert!(error.to_string().contains("6 envs"), "{error}");
            snapshots.swap(0, 1);
            let error = six.restore(snapshots).await.expect_err("out of order");
            assert!(error.to_string().contains("does not continue"), "{error}");
        });
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

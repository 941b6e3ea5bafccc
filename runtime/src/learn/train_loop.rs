//! The training loop proper: act on the whole batch, step the envs,
//! observe, record episodes, decide checkpoints. Owned by the learner actor
//! and lent to a time-bounded pass, so control messages get in between
//! passes and no state is ever half-updated across them.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use agora_agents::learners::{StepOutcome, TrainError, Trainer};

use super::host::EnvHost;
use super::recorder::{EpisodeEnd, Recorder};
use super::stream::{EpisodeEnded, Stream};
use super::stream_publisher::StreamStep;
use crate::agent::QueuedSave;
use crate::env::EnvActorError;
use crate::telemetry::{EpisodeEvent, Event, Telemetry, TrainEvent};
use crate::transport::unix_now;

/// Why a pass stopped early.
#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    /// The learner refused (non-finite loss, bad batch, …).
    #[error(transparent)]
    Train(#[from] TrainError),
    /// The envs refused or a shard is gone.
    #[error(transparent)]
    Env(#[from] EnvActorError),
}

impl From<agora_agents::EnvError> for LearnError {
    fn from(error: agora_agents::EnvError) -> Self {
        LearnError::Env(error.into())
    }
}

/// How a pass ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// The budget ran out; more to do.
    More,
    /// The configured length is reached.
    Done,
}

/// A learner's trainer, envs and bookkeeping.
pub struct TrainLoop {
    /// The learner.
    pub trainer: Box<dyn Trainer>,
    /// Its envs.
    pub envs: EnvHost,
    run: String,
    agent: String,
    returns: VecDeque<f64>,
    window: usize,
    best: Option<f64>,
    best_due: bool,
    checkpoint_every: u64,
    steps_at_checkpoint: u64,
    best_with_replay: bool,
    /// Checkpoints taken in the last pass, for the actor to save.
    pub(crate) to_save: Vec<QueuedSave>,
    telemetry: Option<Telemetry>,
    last_train_event: Instant,
    steps_at_train_event: u64,
    stream: Option<Stream>,
    /// Keeps env 0's episodes for replay (`[telemetry] record_episodes`).
    recorder: Option<Recorder>,
    metrics_interval: Duration,
}

impl TrainLoop {
    /// A loop over `trainer` and `envs`; `telemetry` is `None` in fast mode.
    pub fn new(
        trainer: Box<dyn Trainer>,
        envs: EnvHost,
        run: &str,
        agent: &str,
        window: usize,
        checkpoint_every: u64,
        telemetry: Option<Telemetry>,
    ) -> Self {
        let steps = trainer.metrics().env_steps;
        Self {
            trainer,
            envs,
            run: run.into(),
            agent: agent.into(),
            returns: VecDeque::with_capacity(window),
            window: window.max(1),
            best: None,
            best_due: false,
            checkpoint_every,
            steps_at_checkpoint: steps,
            best_with_replay: false,
            to_save: Vec::new(),
            telemetry,
            last_train_event: Instant::now(),
            steps_at_train_event: steps,
            stream: None,
            recorder: None,
            metrics_interval: Duration::from_millis(100),
        }
    }

    /// Sends training metrics at most once per `interval`.
    pub fn with_metrics_interval(mut self, interval: Duration) -> Self {
        self.metrics_interval = interval;
        self
    }

    /// `best` checkpoints hold the whole state, replay buffer included.
    pub fn with_best_with_replay(mut self, whole: bool) -> Self {
        self.best_with_replay = whole;
        self
    }

    /// Streams the watched env's episodes (and frames in visual mode).
    pub fn with_stream(mut self, stream: Stream) -> Self {
        self.stream = Some(stream);
        self
    }

    /// Keeps env 0's finished episodes as `recorder`'s rule says.
    pub fn with_recorder(mut self, recorder: Recorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// Writes the recorded episodes still queued and stops recording (at
    /// the end of training, so they are on disk before the run ends).
    pub fn close_recording(&mut self) {
        if let Some(mut recorder) = self.recorder.take() {
            recorder.close();
        }
    }

    /// Visual mode on or off (no effect without a stream).
    pub fn set_visual(&mut self, on: bool, speed: f64) {
        if let Some(stream) = &mut self.stream {
            stream.set_visual(on, speed);
        }
    }

    /// Stream payloads dropped because the connection fell behind.
    pub fn stream_dropped(&self) -> u64 {
        self.stream.as_ref().map_or(0, Stream::dropped)
    }

    /// Rolling mean return of the last `window` episodes (once there are that many).
    pub fn mean_return(&self) -> Option<f64> {
        (self.returns.len() == self.window)
            .then(|| self.returns.iter().sum::<f64>() / self.window as f64)
    }

    /// Best rolling mean so far.
    pub fn best(&self) -> Option<f64> {
        self.best
    }

    /// Steps until `budget` has passed, the run is done, or an error.
    pub async fn run_for(&mut self, budget: Duration) -> Result<Pass, LearnError> {
        let started = Instant::now();
        loop {
            // A run stopped right after its last step resumes already done;
            // stepping it once more would make it differ from one never
            // stopped.
            if self.trainer.is_done() {
                return Ok(Pass::Done);
            }
            // What the watched env saw before acting, while someone watches.
            let seen = self.stream.as_ref().filter(|s| s.watching()).map(|_| {
                let dim = self.trainer.spec().obs_dim();
                self.envs.batch().obs[..dim].to_vec()
            });
            // Decided once per step, so a step is recorded whole or not at all.
            let recording = self.recorder.as_ref().is_some_and(Recorder::recording);
            if recording && let Some(recorder) = &mut self.recorder {
                let dim = self.trainer.spec().obs_dim();
                recorder.start_at(self.trainer.metrics().episodes);
                recorder.observe(&self.envs.batch().obs[..dim]);
            }
            let actions = self.trainer.act()?;
            let action = actions[0];
            self.envs.step(actions).await?;
            let outcome = self.trainer.observe(self.envs.batch())?;
            if self.recorder.is_some() {
                self.record_step(recording, action, &outcome);
            }
            if let Some(obs) = seen {
                self.stream_step(obs, action, &outcome);
            }
            self.record(&outcome);
            if self.trainer.is_done() {
                return Ok(Pass::Done);
            }
            if self.best_due {
                self.best_due = false;
                self.checkpoint(Some("best")).await?;
            }
            let steps = self.trainer.metrics().env_steps;
            if self.checkpoint_every > 0
                && steps - self.steps_at_checkpoint >= self.checkpoint_every
            {
                self.checkpoint(None).await?;
            }
            if started.elapsed() >= budget {
                return Ok(Pass::More);
            }
        }
    }

    /// Takes a checkpoint of the learner and its envs (at a step boundary).
    ///
    /// A `best` holds only what playing needs (no replay buffer) unless
    /// `[learner] best_with_replay`: eval and warm start use it, a resume
    /// takes the latest full one, and a run that finds a new best every
    /// few hundred steps no longer writes its replay buffer each time.
    pub async fn checkpoint(&mut self, tag: Option<&str>) -> Result<(), LearnError> {
        let snapshots = self.envs.snapshot().await?;
        let policy_only = tag == Some("best") && !self.best_with_replay;
        let bytes = if policy_only {
            self.trainer.save_policy_state(&snapshots)?
        } else {
            self.steps_at_checkpoint = self.trainer.metrics().env_steps;
            self.trainer.save_state(&snapshots)?
        };
        self.to_save.push(QueuedSave {
            bytes,
            tag: tag.map(str::to_string),
            policy_only,
        });
        Ok(())
    }

    /// Hands env 0's step, and its episode when it ended, to the recorder.
    fn record_step(&mut self, recording: bool, action: i64, outcome: &StepOutcome) {
        let Some(recorder) = &mut self.recorder else {
            return;
        };
        let batch = self.envs.batch();
        if recording {
            recorder.step(
                action,
                batch.rewards[0],
                self.trainer.last_action_values(0),
                self.trainer.metrics().epsilon,
            );
        }
        if let Some(ended) = outcome.episodes.first().filter(|e| e.env_index == 0) {
            let metrics = self.trainer.metrics();
            let dim = self.trainer.spec().obs_dim();
            recorder.end_episode(&EpisodeEnd {
                episode: metrics.episodes - outcome.episodes.len() as u64 + 1,
                episode_return: ended.episode_return,
                length: ended.length,
                env_steps: metrics.env_steps,
                // Same-step autoreset: the episode's last observation.
                final_obs: &batch.final_obs[..dim],
            });
        }
    }

    /// The run-wide number of env 0's episode if it ended this step (the
    /// number its `episode` event gets in `record`): episodes are listed
    /// by env, so env 0's comes first.
    fn env0_episode_number(&self, outcome: &StepOutcome) -> Option<u64> {
        outcome
            .episodes
            .first()
            .filter(|e| e.env_index == 0)
            .map(|_| self.trainer.metrics().episodes - outcome.episodes.len() as u64 + 1)
    }

    fn stream_step(&mut self, obs: Vec<f32>, action: i64, outcome: &StepOutcome) {
        let episode_number = self.env0_episode_number(outcome);
        let Some(stream) = &mut self.stream else {
            return;
        };
        let batch = self.envs.batch();
        let dim = obs.len();
        let step = StreamStep {
            obs,
            action,
            reward: f64::from(batch.rewards[0]),
            values: self.trainer.last_action_values(0),
            epsilon: self.trainer.metrics().epsilon,
        };
        let ended = batch.terminated[0] || batch.truncated[0];
        // Same-step autoreset: the episode's last observation is final_obs.
        let end = ended.then(|| EpisodeEnded {
            number: episode_number,
            episode_return: batch.episode_return[0],
            final_obs: &batch.final_obs[..dim],
        });
        // Pictures only for a frame that goes out (at most fps x speed a
        // second), drawn here (the env is here) and encoded on the stream's
        // thread, so visual mode costs training next to nothing.
        let (board, picture) = if stream.frame_due() {
            (self.envs.render_text(0), self.envs.render_rgb(0))
        } else {
            (None, None)
        };
        stream.record(step, &batch.obs[..dim], end, board, picture);
    }

    fn record(&mut self, outcome: &StepOutcome) {
        let metrics = self.trainer.metrics();
        let episodes_before = metrics.episodes - outcome.episodes.len() as u64;
        for (k, episode) in outcome.episodes.iter().enumerate() {
            if self.returns.len() == self.window {
                self.returns.pop_front();
            }
            self.returns.push_back(episode.episode_return);
            if let Some(mean) = self.mean_return()
                && self.best.is_none_or(|best| mean > best)
            {
                self.best = Some(mean);
                self.best_due = true;
            }
            if let Some(telemetry) = &self.telemetry {
                telemetry.emit(Event::Episode(EpisodeEvent {
                    run: self.run.clone(),
                    agent: self.agent.clone(),
                    episode: episodes_before + k as u64 + 1,
                    env_index: episode.env_index,
                    episode_return: episode.episode_return,
                    length: episode.length,
                    env_steps: metrics.env_steps,
                    at: unix_now(),
                }));
            }
        }
        if let Some(telemetry) = &self.telemetry
            && self.last_train_event.elapsed() >= self.metrics_interval
        {
            let elapsed = self.last_train_event.elapsed().as_secs_f64();
            let sps = (metrics.env_steps - self.steps_at_train_event) as f64 / elapsed;
            telemetry.emit(Event::Train(Box::new(TrainEvent {
                run: self.run.clone(),
                agent: self.agent.clone(),
                metrics: metrics.clone(),
                sps,
                mean_return: self.mean_return(),
                best_mean_return: self.best,
                at: unix_now(),
            })));
            self.last_train_event = Instant::now();
            self.steps_at_train_event = metrics.env_steps;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agora_agents::learners::EnvBatchSpec;
    use agora_agents::learners::q_table::{QTableConfig, QTableTrainer};
    use agora_agents::{AutoresetMode, Batch, Params, make_vec};

    #[test]
    fn a_loop_that_is_already_done_takes_no_further_step() {
        let envs = make_vec(
            "FrozenLake-v1",
            &Params::new(),
            0..1,
            AutoresetMode::SameStep,
        )
        .expect("env");
        let spec = EnvBatchSpec::of(envs.as_ref(), Params::new());
        let config = QTableConfig {
            total_episodes: 3,
            ..QTableConfig::default()
        };
        let trainer = QTableTrainer::new(config, spec, 1).expect("trainer");
        let batch = Batch::new(1, envs.obs_dim());
        let mut work = TrainLoop::new(
            Box::new(trainer),
            EnvHost::Inline { envs, batch },
            "run",
            "learner",
            20,
            0,
            None,
        );
        futures::executor::block_on(async {
            work.envs.reset(1).await.expect("reset");
            work.trainer.begin(work.envs.batch()).expect("begin");
            let first = work.run_for(Duration::from_secs(10)).await.expect("pass");
            assert_eq!(first, Pass::Done);
            let steps = work.trainer.metrics().env_steps;
            // As after resuming a run stopped right after its last step.
            let again = work.run_for(Duration::from_secs(10)).await.expect("pass");
            assert_eq!(again, Pass::Done);
            assert_eq!(work.trainer.metrics().env_steps, steps);
        });
    }
}

//! The learner's driver inside the kernel's child actor: it runs a
//! [`TrainLoop`] in passes of a few milliseconds on a thread of its own (an
//! arbiter that hosts nothing else, since training is CPU-bound), so stop
//! and control messages are read between steps, and reports progress.
//! Presence, saves, control and stopping are the child shell's.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use agora_agents::learners::TrainError;

use super::LearnerSpec;
use super::WarmStart;
use super::train_loop::{LearnError, Pass, TrainLoop};
use crate::agent::{ChildActor, ChildContext, ChildDriver, ChildExit, ControlRefused};
use crate::store::Checkpoint;
use crate::telemetry::LearnerReport;
use crate::transport::InboundMessage;

/// How long one training pass runs before messages are read again: the
/// bound on how long a stop or pause waits.
const PASS: Duration = Duration::from_millis(5);
/// How often progress is reported.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(1000);

/// Hosts one incarnation of a learner.
pub type LearnerActor = ChildActor<LearnerDriver>;

type Ctx = ChildContext<LearnerDriver>;

/// A learner's progress, for the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The learner.
    pub agent: String,
    /// Env steps so far.
    pub env_steps: u64,
    /// Episodes so far.
    pub episodes: u64,
    /// Env steps per second since the last report.
    pub sps: f64,
    /// Rolling mean return of the last episodes.
    pub mean_return: Option<f64>,
    /// Best rolling mean.
    pub best_mean_return: Option<f64>,
    /// Training has ended.
    pub finished: bool,
}

#[derive(Message)]
#[rtype(result = "()")]
struct NextPass;

/// What a learner is inside its child actor: the driver of its training loop.
pub struct LearnerDriver {
    spec: Arc<LearnerSpec>,
    /// Lent to each pass (or setup, or checkpoint) while it runs.
    work: Option<TrainLoop>,
    restore: Option<Checkpoint>,
    warm_start: Option<WarmStart>,
    last_progress: Instant,
    steps_at_progress: u64,
    /// A `NextPass` is queued (so a resume does not start a second chain).
    pass_scheduled: bool,
}

impl LearnerDriver {
    /// A driver for `work`; `restore` is the checkpoint of this start,
    /// `warm_start` weights to begin from when there is none.
    pub(crate) fn new(
        spec: Arc<LearnerSpec>,
        work: TrainLoop,
        restore: Option<Checkpoint>,
        warm_start: Option<WarmStart>,
    ) -> Self {
        let steps = work.trainer.metrics().env_steps;
        Self {
            spec,
            work: Some(work),
            restore,
            warm_start,
            last_progress: Instant::now(),
            steps_at_progress: steps,
            pass_scheduled: false,
        }
    }
}

/// Restores or begins `work`: a checkpoint holds the learner's state and
/// observations, so the envs get their snapshots back and nothing is reset.
/// Answers how it started, in words, when it did not start afresh.
async fn set_up(
    work: &mut TrainLoop,
    restore: Option<Checkpoint>,
    warm_start: Option<WarmStart>,
    seed: u64,
) -> Result<Option<String>, LearnError> {
    if let Some(checkpoint) = restore {
        let snapshots = work.trainer.load_state(&checkpoint.bytes)?;
        work.envs.restore(snapshots).await?;
        return Ok(Some(format!(
            "continuing from checkpoint #{} at step {}",
            checkpoint.meta.sequence,
            work.trainer.metrics().env_steps
        )));
    }
    let warmed = match warm_start {
        Some(warm) => {
            work.trainer.warm_start(&warm.bytes)?;
            Some(format!("starting from the weights of {}", warm.source))
        }
        None => None,
    };
    work.envs.reset(seed).await?;
    work.trainer.begin(work.envs.batch())?;
    Ok(warmed)
}

impl ChildDriver for LearnerDriver {
    const KIND: &'static str = "learner";

    fn start(child: &mut LearnerActor, ctx: &mut Ctx) {
        let Some(mut work) = child.driver.work.take() else {
            return;
        };
        let restore = child.driver.restore.take();
        let warm_start = child.driver.warm_start.take();
        let seed = child.driver.spec.seed;
        let setup = async move {
            let result = set_up(&mut work, restore, warm_start, seed).await;
            (work, result)
        };
        ctx.wait(
            fut::wrap_future(setup).map(|(work, result), child: &mut LearnerActor, ctx| {
                child.driver.work = Some(work);
                child.mark_ready();
                match result {
                    Ok(how) => {
                        if let Some(how) = how {
                            child.shell.say(&how);
                        }
                        child.schedule_pass(ctx)
                    }
                    Err(error) => child.fail(ctx, ChildExit::Failed(format!("start: {error}"))),
                }
            }),
        );
    }

    /// A learner takes no messages yet, paused or not; they are counted and
    /// dropped.
    fn reads_inbox(_: &LearnerActor) -> bool {
        true
    }

    fn receive(child: &mut LearnerActor, _: &mut Ctx, _: InboundMessage) {
        child
            .shell
            .core
            .stats
            .unmatched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn resume(child: &mut LearnerActor, ctx: &mut Ctx) {
        child.schedule_pass(ctx);
    }

    /// Handled between passes, like every control message, so the
    /// checkpoint is taken at a step boundary.
    fn checkpoint(child: &mut LearnerActor, ctx: &mut Ctx) -> Result<(), ControlRefused> {
        let Some(mut work) = child.driver.work.take() else {
            return Err(not_ready());
        };
        let take = async move {
            let taken = work.checkpoint(None).await;
            (work, taken)
        };
        ctx.wait(
            fut::wrap_future(take).map(|(mut work, taken), child: &mut LearnerActor, ctx| {
                if let Err(error) = taken {
                    tracing::error!(agent = %child.shell.name(), %error, "checkpoint not taken");
                }
                child.queue_saves(&mut work);
                child.driver.work = Some(work);
                child.pump_saves(ctx);
            }),
        );
        Ok(())
    }

    fn visual(child: &mut LearnerActor, on: bool, speed: f64) -> Result<(), ControlRefused> {
        let work = child.driver.work.as_mut().ok_or_else(not_ready)?;
        work.set_visual(on, speed);
        Ok(())
    }

    fn final_checkpoint(child: &mut LearnerActor, ctx: &mut Ctx, reason: String) {
        let Some(mut work) = child.driver.work.take() else {
            return child.fail(ctx, ChildExit::Failed("no training loop to finish".into()));
        };
        child.shell.mark_ending(reason.clone());
        let last = async move {
            let saved = work.checkpoint(None).await;
            (work, saved)
        };
        ctx.wait(fut::wrap_future(last).map(move |(mut work, saved), child: &mut LearnerActor, ctx| {
            if let Err(error) = saved {
                tracing::error!(agent = %child.shell.name(), %error, "final checkpoint not taken");
            }
            // Before the run can report its end, so what it kept is on disk.
            work.close_recording();
            child.queue_saves(&mut work);
            child.report_progress(&work, true);
            child.driver.work = Some(work);
            child.stop_once_saved(ctx, reason);
        }));
    }

    /// The arbiter was made for this learner alone.
    fn stopped(&mut self) {
        Arbiter::current().stop();
    }
}

fn not_ready() -> ControlRefused {
    ControlRefused::NotReady {
        child: LearnerDriver::KIND,
    }
}

impl LearnerActor {
    /// Puts the loop back after a pass and acts on how it ended.
    fn after_pass(&mut self, mut work: TrainLoop, result: Result<Pass, LearnError>, ctx: &mut Ctx) {
        self.queue_saves(&mut work);
        self.report_progress(&work, false);
        self.driver.work = Some(work);
        self.pump_saves(ctx);
        match result {
            Ok(Pass::More) if !self.shell.is_ending() => self.schedule_pass(ctx),
            Ok(Pass::More) => {}
            Ok(Pass::Done) => self.finish(ctx, "training finished".into()),
            Err(LearnError::Train(error @ TrainError::NonFinite { .. })) => {
                // Restarting would meet the same numbers again: the run
                // fails, and the last good checkpoint stays the latest.
                let reason = format!("learner {}: {error}", self.shell.name());
                tracing::error!("{reason}");
                self.shell.run().run_switch.fail(reason.clone());
                self.stop_now(ctx, reason);
            }
            Err(error) => self.fail(ctx, ChildExit::Failed(error.to_string())),
        }
    }

    fn schedule_pass(&mut self, ctx: &mut Ctx) {
        let driver = &mut self.driver;
        if !driver.pass_scheduled && !self.shell.is_paused() && !self.shell.is_ending() {
            driver.pass_scheduled = true;
            ctx.notify(NextPass);
        }
    }

    /// Hands the checkpoints the loop took to the shell's save pipeline.
    fn queue_saves(&mut self, work: &mut TrainLoop) {
        for save in work.to_save.drain(..) {
            self.shell.queue_save(save);
        }
    }

    fn report_progress(&mut self, work: &TrainLoop, finished: bool) {
        let driver = &mut self.driver;
        if !finished && driver.last_progress.elapsed() < PROGRESS_INTERVAL {
            return;
        }
        let metrics = work.trainer.metrics();
        let elapsed = driver.last_progress.elapsed().as_secs_f64().max(1e-9);
        let progress = Progress {
            agent: self.shell.name().to_string(),
            env_steps: metrics.env_steps,
            episodes: metrics.episodes,
            sps: (metrics.env_steps - driver.steps_at_progress) as f64 / elapsed,
            mean_return: work.mean_return(),
            best_mean_return: work.best(),
            finished,
        };
        driver.last_progress = Instant::now();
        driver.steps_at_progress = metrics.env_steps;
        let run = self.shell.run();
        if let Some(sink) = run.extensions.get::<super::ProgressSink>() {
            sink(&progress);
        }
        if finished {
            run.telemetry.report_learner(
                self.shell.name(),
                LearnerReport {
                    algorithm: driver.spec.algorithm.name().to_string(),
                    env: driver.spec.env_id.clone(),
                    env_steps: metrics.env_steps,
                    episodes: metrics.episodes,
                    updates: metrics.updates,
                    mean_return: progress.mean_return,
                    best_mean_return: progress.best_mean_return,
                    stream_dropped: work.stream_dropped(),
                },
            );
        }
    }
}

impl Handler<NextPass> for LearnerActor {
    type Result = ();

    fn handle(&mut self, _: NextPass, ctx: &mut Self::Context) {
        self.driver.pass_scheduled = false;
        if self.shell.is_ending() || self.shell.is_paused() {
            return;
        }
        let Some(mut work) = self.driver.work.take() else {
            return;
        };
        let pass = async move {
            let result = work.run_for(PASS).await;
            (work, result)
        };
        // `wait`: no message is handled while a pass runs, so every control
        // message lands between two steps.
        ctx.wait(
            fut::wrap_future(pass)
                .map(|(work, result), child: &mut Self, ctx| child.after_pass(work, result, ctx)),
        );
    }
}

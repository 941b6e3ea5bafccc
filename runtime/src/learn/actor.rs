//! The learner actor: hosts a [`TrainLoop`] on a thread of its own (an
//! arbiter that hosts nothing else, since training is CPU-bound), runs it
//! in passes of a few milliseconds so stop and control messages are read
//! between steps, saves checkpoints, and reports progress.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use agora_agents::learners::TrainError;

use super::LearnerSpec;
use super::train_loop::{LearnError, Pass, TrainLoop};
use crate::agent::AgentControl;
use crate::agent::saves::SavePipeline;
use crate::agent::{AgentMailbox, AgentStats, RunContext, StopAgent, Wake};
use crate::agent::{ChildExit, Link};
use crate::store::CheckpointCommitted;
use crate::transport::QoS;

/// How long one training pass runs before messages are read again: the
/// bound on how long a stop or pause waits.
const PASS: Duration = Duration::from_millis(5);
/// How often progress is reported.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(1000);

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

/// Hosts one incarnation of a learner.
pub struct LearnerActor {
    spec: Arc<LearnerSpec>,
    name: String,
    env: Arc<RunContext>,
    link: Link,
    mailbox: Arc<AgentMailbox>,
    stats: Arc<AgentStats>,
    saves: SavePipeline,
    work: Option<TrainLoop>,
    restore: Option<Vec<u8>>,
    warm_start: Option<Vec<u8>>,
    ending: Option<String>,
    last_progress: Instant,
    steps_at_progress: u64,
    /// Paused by a control command: no pass runs until resumed.
    paused: bool,
    /// A `NextPass` is queued (so a resume does not start a second chain).
    pass_scheduled: bool,
}

impl LearnerActor {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        spec: Arc<LearnerSpec>,
        env: Arc<RunContext>,
        link: Link,
        mailbox: Arc<AgentMailbox>,
        stats: Arc<AgentStats>,
        work: TrainLoop,
        restore: Option<Vec<u8>>,
        warm_start: Option<Vec<u8>>,
    ) -> Self {
        let steps = work.trainer.metrics().env_steps;
        Self {
            name: spec.name.clone(),
            saves: SavePipeline::new(env.run_id.clone(), spec.name.clone()),
            spec,
            env,
            link,
            mailbox,
            stats,
            work: Some(work),
            restore,
            warm_start,
            ending: None,
            last_progress: Instant::now(),
            steps_at_progress: steps,
            paused: false,
            pass_scheduled: false,
        }
    }

    fn publish_presence(&self, state: &str) {
        let topic = self.env.transport.topics().presence(&self.name);
        if let Err(error) =
            self.env
                .transport
                .publish(topic, state.as_bytes().to_vec(), QoS::AtLeastOnce, true)
        {
            tracing::warn!(agent = %self.name, %error, "presence not published");
        }
    }

    /// Puts the loop back after a pass and acts on how it ended.
    fn after_pass(
        &mut self,
        mut work: TrainLoop,
        result: Result<Pass, LearnError>,
        ctx: &mut Context<Self>,
    ) {
        for (bytes, tag) in work.to_save.drain(..) {
            self.saves.queue(bytes, tag);
        }
        self.report_progress(&work, false);
        self.work = Some(work);
        self.pump_saves(ctx);
        match result {
            Ok(Pass::More) if self.ending.is_none() => self.schedule_pass(ctx),
            Ok(Pass::More) => {}
            Ok(Pass::Done) => self.finish(ctx, "training finished".into()),
            Err(LearnError::Train(error @ TrainError::NonFinite { .. })) => {
                // Restarting would meet the same numbers again: the run
                // fails, and the last good checkpoint stays the latest.
                let reason = format!("learner {}: {error}", self.name);
                tracing::error!("{reason}");
                self.env.run_switch.fail(reason.clone());
                self.ending = Some(reason.clone());
                self.complete_stop(ctx, reason);
            }
            Err(error) => self.fail(ctx, ChildExit::Failed(error.to_string())),
        }
    }

    fn schedule_pass(&mut self, ctx: &mut Context<Self>) {
        if !self.pass_scheduled && !self.paused && self.ending.is_none() {
            self.pass_scheduled = true;
            ctx.notify(NextPass);
        }
    }

    fn report_progress(&mut self, work: &TrainLoop, finished: bool) {
        if !finished && self.last_progress.elapsed() < PROGRESS_INTERVAL {
            return;
        }
        let metrics = work.trainer.metrics();
        let elapsed = self.last_progress.elapsed().as_secs_f64().max(1e-9);
        let progress = Progress {
            agent: self.name.clone(),
            env_steps: metrics.env_steps,
            episodes: metrics.episodes,
            sps: (metrics.env_steps - self.steps_at_progress) as f64 / elapsed,
            mean_return: work.mean_return(),
            best_mean_return: work.best(),
            finished,
        };
        self.last_progress = Instant::now();
        self.steps_at_progress = metrics.env_steps;
        if let Some(sink) = self.env.extensions.get::<super::ProgressSink>() {
            sink(&progress);
        }
        if finished {
            self.env.telemetry.report(
                &self.name,
                serde_json::json!({
                    "kind": "learner",
                    "algorithm": self.spec.algorithm.name(),
                    "env": self.spec.env_id,
                    "env_steps": metrics.env_steps,
                    "episodes": metrics.episodes,
                    "updates": metrics.updates,
                    "mean_return": progress.mean_return,
                    "best_mean_return": progress.best_mean_return,
                }),
            );
        }
    }

    fn pump_saves(&mut self, ctx: &mut Context<Self>) {
        let idle = self.saves.pump(&self.env.store, ctx.address().recipient());
        if idle && let Some(reason) = self.ending.clone() {
            self.complete_stop(ctx, reason);
        }
    }

    /// Ends normally: a final checkpoint, then stop once it is committed.
    fn finish(&mut self, ctx: &mut Context<Self>, reason: String) {
        if self.ending.is_some() {
            return;
        }
        let Some(mut work) = self.work.take() else {
            return self.fail(ctx, ChildExit::Failed("no training loop to finish".into()));
        };
        self.ending = Some(reason);
        let last = async move {
            let saved = work.checkpoint(None).await;
            (work, saved)
        };
        ctx.wait(last.into_actor(self).map(|(mut work, saved), actor, ctx| {
            if let Err(error) = saved {
                tracing::error!(agent = %actor.name, %error, "final checkpoint not taken");
            }
            for (bytes, tag) in work.to_save.drain(..) {
                actor.saves.queue(bytes, tag);
            }
            actor.report_progress(&work, true);
            actor.work = Some(work);
            actor.pump_saves(ctx);
        }));
    }

    fn complete_stop(&mut self, ctx: &mut Context<Self>, reason: String) {
        self.link.set_exit(ChildExit::Normal(reason));
        ctx.stop();
    }

    fn fail(&mut self, ctx: &mut Context<Self>, exit: ChildExit) {
        tracing::warn!(agent = %self.name, "learner failed: {}", exit.describe());
        self.ending = Some(exit.describe());
        self.saves.send_all(&self.env.store);
        self.link.set_exit(exit);
        ctx.stop();
    }
}

impl Actor for LearnerActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.mailbox.attach(ctx.address().recipient::<Wake>());
        self.publish_presence("online");
        let Some(mut work) = self.work.take() else {
            return;
        };
        let restore = self.restore.take();
        let warm_start = self.warm_start.take();
        let seed = self.spec.seed;
        let setup = async move {
            let result: Result<(), LearnError> = async {
                match restore {
                    // A checkpoint holds the learner's state and observations;
                    // the envs get their snapshots back, nothing is reset.
                    Some(bytes) => {
                        let snapshots = work.trainer.load_state(&bytes)?;
                        work.envs.restore(snapshots).await?;
                    }
                    None => {
                        if let Some(bytes) = warm_start {
                            work.trainer.warm_start(&bytes)?;
                        }
                        work.envs.reset(seed).await?;
                        work.trainer.begin(work.envs.batch())?;
                    }
                }
                Ok(())
            }
            .await;
            (work, result)
        };
        ctx.wait(setup.into_actor(self).map(|(work, result), actor, ctx| {
            actor.work = Some(work);
            actor.env.ready.bump();
            match result {
                Ok(()) => actor.schedule_pass(ctx),
                Err(error) => actor.fail(ctx, ChildExit::Failed(format!("start: {error}"))),
            }
        }));
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.mailbox.detach();
        self.publish_presence("offline");
        // The arbiter was made for this learner alone.
        Arbiter::current().stop();
    }
}

impl Handler<NextPass> for LearnerActor {
    type Result = ();

    fn handle(&mut self, _: NextPass, ctx: &mut Self::Context) {
        self.pass_scheduled = false;
        if self.ending.is_some() || self.paused {
            return;
        }
        let Some(mut work) = self.work.take() else {
            return;
        };
        let pass = async move {
            let result = work.run_for(PASS).await;
            (work, result)
        };
        // `wait`: no message is handled while a pass runs, so every control
        // message lands between two steps.
        ctx.wait(
            pass.into_actor(self)
                .map(|(work, result), actor, ctx| actor.after_pass(work, result, ctx)),
        );
    }
}

impl Handler<AgentControl> for LearnerActor {
    type Result = Result<(), String>;

    /// Handled between passes, so a pause lands between two steps with
    /// every bit of state kept, and a checkpoint is taken at a step boundary.
    fn handle(&mut self, control: AgentControl, ctx: &mut Self::Context) -> Self::Result {
        match control {
            AgentControl::Pause => self.paused = true,
            AgentControl::Resume => {
                self.paused = false;
                self.schedule_pass(ctx);
            }
            AgentControl::Visual { on, speed } => match &mut self.work {
                Some(work) => work.set_visual(on, speed),
                None => return Err("the learner is not ready".into()),
            },
            AgentControl::Checkpoint => {
                let Some(mut work) = self.work.take() else {
                    return Err("the learner is not ready".into());
                };
                let take = async move {
                    let taken = work.checkpoint(None).await;
                    (work, taken)
                };
                ctx.wait(take.into_actor(self).map(|(mut work, taken), actor, ctx| {
                    if let Err(error) = taken {
                        tracing::error!(agent = %actor.name, %error, "checkpoint not taken");
                    }
                    for (bytes, tag) in work.to_save.drain(..) {
                        actor.saves.queue(bytes, tag);
                    }
                    actor.work = Some(work);
                    actor.pump_saves(ctx);
                }));
            }
        }
        Ok(())
    }
}

impl Handler<StopAgent> for LearnerActor {
    type Result = ();

    fn handle(&mut self, stop: StopAgent, ctx: &mut Self::Context) {
        self.finish(ctx, stop.reason);
    }
}

impl Handler<CheckpointCommitted> for LearnerActor {
    type Result = ();

    fn handle(
        &mut self,
        CheckpointCommitted(result): CheckpointCommitted,
        ctx: &mut Self::Context,
    ) {
        self.saves.committed(&result);
        self.pump_saves(ctx);
    }
}

impl Handler<Wake> for LearnerActor {
    type Result = ();

    /// A learner takes no messages yet; they are counted and dropped.
    fn handle(&mut self, _: Wake, ctx: &mut Self::Context) {
        let (messages, more) = self.mailbox.take(256);
        for _ in messages {
            self.stats
                .unmatched
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if more {
            ctx.notify(Wake);
        }
    }
}

//! The one actor every supervised child lives in. [`ChildActor`] owns what
//! all children share (name, incarnation, run context, link, inbound queue,
//! counters, checkpoint saves, the paused and ending state) and answers the
//! run's messages once: presence, control, stop, commits, wakes. What a
//! child actually does is its [`ChildDriver`]: behaviours for programmed
//! agents, the training loop for learners.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::context::AgentCore;
use super::control::{AgentControl, ControlRefused};
use super::launch::Launch;
use super::link::{ChildExit, Link};
use super::mailbox::{AgentMailbox, Wake};
use super::run_context::RunContext;
use super::saves::{QueuedSave, SavePipeline};
use crate::store::CheckpointCommitted;
use crate::transport::{InboundMessage, QoS};

/// Capacity of the actix mailbox, which holds only wakes and control.
const CONTROL_MAILBOX: usize = 64;
/// Messages a child takes from its queue per pass before yielding its thread.
const MESSAGES_PER_PASS: usize = 256;
/// How long a stopping child waits for its final checkpoint to commit.
const FINAL_SAVE_DEADLINE: Duration = Duration::from_secs(10);

/// Asks an agent to end gracefully: final checkpoint, presence offline.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct StopAgent {
    /// Why, for logs and telemetry.
    pub reason: String,
}

/// The context a driver's code runs in.
pub type ChildContext<D> = Context<ChildActor<D>>;

/// What one kind of child does inside the shell. Each method is handed the
/// whole [`ChildActor`], so a driver can end the child (`fail`, `finish`)
/// from the middle of its own work.
pub trait ChildDriver: Sized + Unpin + 'static {
    /// What this kind of child is called in logs and refusals.
    const KIND: &'static str;

    /// Begins the child's work once its queue is attached and its presence
    /// is online; calls `ChildActor::mark_ready` once it is set up.
    fn start(child: &mut ChildActor<Self>, ctx: &mut ChildContext<Self>);

    /// Whether the child takes messages from its queue now. By default only
    /// while it runs: a paused or ending child leaves them waiting (for the
    /// resume, or for the next incarnation).
    fn reads_inbox(child: &ChildActor<Self>) -> bool {
        !child.shell.is_ending() && !child.shell.is_paused()
    }

    /// Handles one message from the queue.
    fn receive(child: &mut ChildActor<Self>, ctx: &mut ChildContext<Self>, message: InboundMessage);

    /// Runs after each slice of the queue.
    fn end_turn(child: &mut ChildActor<Self>, ctx: &mut ChildContext<Self>) {
        let _ = (child, ctx);
    }

    /// Picks up again after a pause (the shell then wakes the queue).
    fn resume(child: &mut ChildActor<Self>, ctx: &mut ChildContext<Self>);

    /// Takes a checkpoint now, for a control command.
    fn checkpoint(
        child: &mut ChildActor<Self>,
        ctx: &mut ChildContext<Self>,
    ) -> Result<(), ControlRefused>;

    /// Turns visual mode on or off; a child with nothing to show ignores it.
    fn visual(child: &mut ChildActor<Self>, on: bool, speed: f64) -> Result<(), ControlRefused> {
        let _ = (child, on, speed);
        Ok(())
    }

    /// Takes the final checkpoint of a normal end, then hands over to
    /// `ChildActor::stop_once_saved` (or fails the child).
    fn final_checkpoint(child: &mut ChildActor<Self>, ctx: &mut ChildContext<Self>, reason: String);

    /// Last work before a failure ends the child.
    fn before_failure(child: &mut ChildActor<Self>) {
        let _ = child;
    }

    /// Runs after the actor has stopped and its presence is offline.
    fn stopped(&mut self) {}
}

/// What every child carries, whatever its driver.
pub(crate) struct Shell {
    pub(crate) core: AgentCore,
    mailbox: Arc<AgentMailbox>,
    link: Link,
    saves: SavePipeline,
    ending: Option<String>,
    /// Paused by a control command; what that holds back is the driver's.
    paused: bool,
}

impl Shell {
    /// Whether the child is on its way out (stopping or failed).
    pub(crate) fn is_ending(&self) -> bool {
        self.ending.is_some()
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused
    }

    /// The child's name.
    pub(crate) fn name(&self) -> &str {
        &self.core.name
    }

    /// The run the child belongs to.
    pub(crate) fn run(&self) -> &RunContext {
        &self.core.env
    }

    /// Tells the user something about the child (`[name] text` on the
    /// run's console, or the log when there is none).
    pub(crate) fn say(&self, line: &str) {
        match &self.core.env.console {
            Some(console) => console(&self.core.name, line),
            None => tracing::info!(agent = %self.core.name, "{line}"),
        }
    }

    /// Queues a checkpoint for the store (sent by the next pump).
    pub(crate) fn queue_save(&mut self, save: QueuedSave) {
        self.saves.queue(save);
    }

    /// Ends normally from now on: no new work is taken.
    pub(crate) fn mark_ending(&mut self, reason: String) {
        self.ending.get_or_insert(reason);
    }

    fn publish_owner(&self) {
        let run = &self.core.env;
        let topic = run.transport.topics().owner(&self.core.name);
        let payload = run.claims.owner_payload();
        if let Err(error) = run
            .transport
            .publish(topic, payload, QoS::AtLeastOnce, true)
        {
            tracing::warn!(agent = %self.core.name, %error, "name owner not published");
        }
    }

    /// Clears the retained owner record (an empty retained payload deletes
    /// it), so the owners a later run reads are those of live runs (and of
    /// crashed ones, whose hosts' last will says offline).
    fn release_owner(&self) {
        let run = &self.core.env;
        let topic = run.transport.topics().owner(&self.core.name);
        if let Err(error) = run
            .transport
            .publish(topic, Vec::new(), QoS::AtLeastOnce, true)
        {
            tracing::warn!(agent = %self.core.name, %error, "name owner not cleared");
        }
    }

    fn publish_presence(&self, state: &str) {
        let transport = &self.core.env.transport;
        let topic = transport.topics().presence(&self.core.name);
        if let Err(error) =
            transport.publish(topic, state.as_bytes().to_vec(), QoS::AtLeastOnce, true)
        {
            tracing::warn!(agent = %self.core.name, %error, "presence not published");
        }
    }
}

/// Hosts one incarnation of a child, its driver `D` doing the work.
pub struct ChildActor<D> {
    pub(crate) shell: Shell,
    pub(crate) driver: D,
}

impl<D: ChildDriver> ChildActor<D> {
    /// The actor for `launch` (whose checkpoint the factory has already
    /// handed to the driver), driven by `driver`.
    pub(crate) fn new(launch: Launch, driver: D) -> Self {
        let saves = SavePipeline::new(launch.env.run_id.clone(), launch.name.clone());
        Self {
            shell: Shell {
                core: AgentCore {
                    name: launch.name,
                    incarnation: launch.incarnation,
                    env: launch.env,
                    stats: launch.stats,
                },
                mailbox: launch.mailbox,
                link: launch.link,
                saves,
                ending: None,
                paused: false,
            },
            driver,
        }
    }

    /// Counts this incarnation as set up, for start-up timing.
    pub(crate) fn mark_ready(&self) {
        self.shell.core.env.ready.bump();
    }

    /// Sends the next waiting checkpoint; stops the child once everything
    /// is committed if it is ending.
    pub(crate) fn pump_saves(&mut self, ctx: &mut ChildContext<D>) {
        let shell = &mut self.shell;
        let idle = shell
            .saves
            .pump(&shell.core.env.store, ctx.address().recipient());
        if idle && let Some(reason) = shell.ending.clone() {
            self.stop_now(ctx, reason);
        }
    }

    /// Ends normally: the driver takes a final checkpoint, then the child
    /// stops once every save has committed (or the deadline passed).
    pub(crate) fn finish(&mut self, ctx: &mut ChildContext<D>, reason: String) {
        if self.shell.is_ending() {
            return;
        }
        D::final_checkpoint(self, ctx, reason);
    }

    /// Ends normally once the saves queued so far have committed; a store
    /// that does not answer in time does not keep the child up.
    pub(crate) fn stop_once_saved(&mut self, ctx: &mut ChildContext<D>, reason: String) {
        self.shell.mark_ending(reason.clone());
        ctx.run_later(FINAL_SAVE_DEADLINE, move |child, ctx| {
            tracing::warn!(agent = %child.shell.core.name, "final checkpoint did not commit within {FINAL_SAVE_DEADLINE:?}");
            child.stop_now(ctx, reason);
        });
        self.pump_saves(ctx);
    }

    /// Ends normally at once, whatever is still on its way to the store.
    pub(crate) fn stop_now(&mut self, ctx: &mut ChildContext<D>, reason: String) {
        self.shell.mark_ending(reason.clone());
        self.shell.link.set_exit(ChildExit::Normal(reason));
        ctx.stop();
    }

    /// Ends as a failure at once. Snapshots already taken were taken after
    /// successful steps, so they are queued for commit before the supervisor
    /// hears of the failure (and asks the same writer for the latest one);
    /// no new snapshot is taken of the failed state.
    pub(crate) fn fail(&mut self, ctx: &mut ChildContext<D>, exit: ChildExit) {
        let core = &self.shell.core;
        tracing::warn!(agent = %core.name, incarnation = core.incarnation, "{} failed: {}", D::KIND, exit.describe());
        self.shell.ending = Some(exit.describe());
        D::before_failure(self);
        self.shell.saves.send_all(&self.shell.core.env.store);
        self.shell.link.set_exit(exit);
        ctx.stop();
    }
}

impl<D: ChildDriver> Actor for ChildActor<D> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Inbound messages wait in the child's own queue; the actix mailbox
        // only carries wakes, timers and control, one or a few at a time.
        ctx.set_mailbox_capacity(CONTROL_MAILBOX);
        self.shell.mailbox.attach(ctx.address().recipient::<Wake>());
        self.shell.publish_owner();
        self.shell.publish_presence("online");
        D::start(self, ctx);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.shell.mailbox.detach();
        // Only the owner says the name is gone: a run that took it over
        // is still serving it.
        if self.shell.run().claims.owns(self.shell.name()) {
            self.shell.publish_presence("offline");
            self.shell.release_owner();
        }
        self.driver.stopped();
    }
}

impl<D: ChildDriver> Handler<Wake> for ChildActor<D> {
    type Result = ();

    /// Takes a slice of the queue, so one busy child cannot keep the others
    /// on its thread waiting; what stays waits for the next pass.
    fn handle(&mut self, _: Wake, ctx: &mut Self::Context) {
        if !D::reads_inbox(self) {
            return;
        }
        let (messages, more) = self.shell.mailbox.take(MESSAGES_PER_PASS);
        for message in messages {
            if !D::reads_inbox(self) {
                break;
            }
            D::receive(self, ctx, message);
        }
        D::end_turn(self, ctx);
        if more && D::reads_inbox(self) {
            ctx.notify(Wake);
        }
    }
}

impl<D: ChildDriver> Handler<CheckpointCommitted> for ChildActor<D> {
    type Result = ();

    fn handle(
        &mut self,
        CheckpointCommitted(result): CheckpointCommitted,
        ctx: &mut Self::Context,
    ) {
        self.shell.saves.committed(&result);
        self.pump_saves(ctx);
    }
}

impl<D: ChildDriver> Handler<AgentControl> for ChildActor<D> {
    type Result = Result<(), ControlRefused>;

    fn handle(&mut self, control: AgentControl, ctx: &mut Self::Context) -> Self::Result {
        match control {
            AgentControl::Pause => self.shell.paused = true,
            AgentControl::Resume => {
                self.shell.paused = false;
                D::resume(self, ctx);
                // What waited in the queue while paused is read now.
                ctx.notify(Wake);
            }
            AgentControl::Checkpoint => return D::checkpoint(self, ctx),
            AgentControl::Visual { on, speed } => return D::visual(self, on, speed),
        }
        Ok(())
    }
}

impl<D: ChildDriver> Handler<StopAgent> for ChildActor<D> {
    type Result = ();

    fn handle(&mut self, stop: StopAgent, ctx: &mut Self::Context) {
        self.finish(ctx, stop.reason);
    }
}

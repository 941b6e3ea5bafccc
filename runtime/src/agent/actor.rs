//! The actor that hosts one incarnation of an agent: it decodes and
//! deduplicates its inbox, routes messages to behaviours by template, runs
//! their timers, saves checkpoints, and turns panics and errors into a
//! failure its supervisor hears about.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;

use super::Agent;
use super::behaviour::{Behaviour, Behaviours, Next};
use super::context::{AgentContext, AgentCore, Effects, publish_to_inbox};
use super::factory::Launch;
use super::link::{ChildExit, Link};
use super::mailbox::{AgentMailbox, Wake};
use super::saves::SavePipeline;
use super::stats::bump;
use crate::agent::AgentControl;
use crate::panic_text::panic_message;
use crate::store::CheckpointCommitted;
use crate::transport::{DedupWindow, Envelope, InboundMessage, QoS};

/// Capacity of the actix mailbox, which holds only wakes and control.
const CONTROL_MAILBOX: usize = 64;
/// Messages an agent handles per pass before yielding its thread.
const MESSAGES_PER_PASS: usize = 256;
/// Envelopes remembered per agent for duplicate suppression.
const DEDUP_WINDOW: usize = 4096;
/// How long a stopping agent waits for its final checkpoint to commit.
const FINAL_SAVE_DEADLINE: Duration = Duration::from_secs(10);

/// Asks an agent to end gracefully: final checkpoint, presence offline.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct StopAgent {
    /// Why, for logs and telemetry.
    pub reason: String,
}

struct Slot<A> {
    behaviour: Box<dyn Behaviour<A>>,
    timer: Option<SpawnHandle>,
    timer_generation: u64,
    done: bool,
}

// Lives on the stack for one call; boxing the envelope would allocate per message.
#[allow(clippy::large_enum_variant)]
enum Call {
    Start,
    Message(Envelope),
    Timer,
}

/// Hosts one incarnation of an agent.
pub struct AgentActor<A: Agent> {
    agent: A,
    slots: Vec<Slot<A>>,
    core: AgentCore,
    mailbox: Arc<AgentMailbox>,
    dedup: DedupWindow,
    link: Link,
    effects: Effects,
    saves: SavePipeline,
    ending: Option<String>,
    /// Paused by a control command: messages wait in the queue and timers
    /// that fire are kept for the resume.
    paused: bool,
    deferred_timers: Vec<(usize, u64)>,
}
impl<A: Agent> AgentActor<A> {
    pub(crate) fn new(agent: A, launch: Launch) -> Self {
        let saves = SavePipeline::new(launch.env.run_id.clone(), launch.name.clone());
        Self {
            agent,
            slots: Vec::new(),
            core: AgentCore {
                name: launch.name,
                incarnation: launch.incarnation,
                env: launch.env,
                stats: launch.stats,
            },
            mailbox: launch.mailbox,
            dedup: DedupWindow::new(DEDUP_WINDOW),
            link: launch.link,
            effects: Effects::default(),
            saves,
            ending: None,
            paused: false,
            deferred_timers: Vec::new(),
        }
    }

    fn publish_presence(&self, state: &str) {
        let env = &self.core.env;
        let topic = env.transport.topics().presence(&self.core.name);
        if let Err(error) =
            env.transport
                .publish(topic, state.as_bytes().to_vec(), QoS::AtLeastOnce, true)
        {
            tracing::warn!(agent = %self.core.name, %error, "presence not published");
        }
    }

    fn invoke(&mut self, ctx: &mut Context<Self>, index: usize, call: Call) {
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        if slot.done || self.ending.is_some() {
            return;
        }
        let mut agent_ctx = AgentContext {
            core: &self.core,
            effects: &mut self.effects,
            now: Instant::now(),
        };
        let agent = &mut self.agent;
        let behaviour = &mut slot.behaviour;
        let outcome = catch_unwind(AssertUnwindSafe(|| match call {
            Call::Start => behaviour.start(agent, &mut agent_ctx),
            Call::Message(message) => behaviour.message(agent, message, &mut agent_ctx),
            Call::Timer => behaviour.timer(agent, &mut agent_ctx),
        }));
        match outcome {
            Ok(Ok(next)) => self.schedule(ctx, index, next),
            Ok(Err(error)) => {
                let name = self.slots[index].behaviour.name().to_string();
                return self.fail(
                    ctx,
                    ChildExit::Failed(format!("behaviour `{name}`: {error}")),
                );
            }
            Err(panic) => {
                let name = self.slots[index].behaviour.name().to_string();
                return self.fail(
                    ctx,
                    ChildExit::Panicked(format!(
                        "behaviour `{name}`: {}",
                        panic_message(panic.as_ref())
                    )),
                );
            }
        }
        self.apply_effects(ctx);
    }

    fn schedule(&mut self, ctx: &mut Context<Self>, index: usize, next: Next) {
        let slot = &mut self.slots[index];
        let delay = match next {
            Next::Unchanged => return,
            Next::Idle => None,
            Next::Done => {
                slot.done = true;
                None
            }
            Next::Sleep(delay) => Some(delay),
            Next::Until(at) => Some(at.saturating_duration_since(Instant::now())),
        };
        if let Some(handle) = slot.timer.take() {
            ctx.cancel_future(handle);
        }
        slot.timer_generation += 1;
        if let Some(delay) = delay {
            let generation = slot.timer_generation;
            slot.timer = Some(ctx.run_later(delay, move |actor, ctx| {
                actor.timer_fired(ctx, index, generation)
            }));
        }
    }

    fn timer_fired(&mut self, ctx: &mut Context<Self>, index: usize, generation: u64) {
        if self.paused {
            self.deferred_timers.push((index, generation));
            return;
        }
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        if slot.timer_generation != generation || slot.done {
            return;
        }
        slot.timer = None;
        self.invoke(ctx, index, Call::Timer);
        self.flush_outbox();
        self.finish_if_idle(ctx);
    }

    fn apply_effects(&mut self, ctx: &mut Context<Self>) {
        for report in self.effects.reports.drain(..) {
            self.core.env.telemetry.report(&self.core.name, report);
        }
        if let Some(tag) = self.effects.checkpoint.take() {
            self.queue_checkpoint(ctx, tag);
        }
        if std::mem::take(&mut self.effects.stop) {
            self.finish(ctx, "stopped itself".into());
        }
    }

    /// Takes a snapshot now; a failing snapshot is a failure of the agent.
    fn snapshot(&mut self, ctx: &mut Context<Self>) -> Option<Vec<u8>> {
        match catch_unwind(AssertUnwindSafe(|| self.agent.snapshot())) {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(error)) => {
                self.fail(ctx, ChildExit::Failed(format!("snapshot failed: {error}")));
                None
            }
            Err(panic) => {
                self.fail(
                    ctx,
                    ChildExit::Panicked(format!(
                        "snapshot panicked: {}",
                        panic_message(panic.as_ref())
                    )),
                );
                None
            }
        }
    }

    fn queue_checkpoint(&mut self, ctx: &mut Context<Self>, tag: Option<String>) {
        let Some(bytes) = self.snapshot(ctx) else {
            return;
        };
        self.saves.queue(bytes, tag);
        self.pump_saves(ctx);
    }

    /// Sends the next waiting checkpoint; stops the agent once everything
    /// is committed if it is ending.
    fn pump_saves(&mut self, ctx: &mut Context<Self>) {
        let idle = self
            .saves
            .pump(&self.core.env.store, ctx.address().recipient());
        if idle && let Some(reason) = self.ending.clone() {
            self.complete_stop(ctx, reason);
        }
    }

    /// Publishes what was sent this turn when batching: one MQTT message per
    /// receiver, envelopes in the order they were sent.
    fn flush_outbox(&mut self) {
        if self.effects.outbox.is_empty() {
            return;
        }
        let mut by_receiver: Vec<(String, Vec<Envelope>)> = Vec::new();
        for envelope in self.effects.outbox.drain(..) {
            match by_receiver
                .iter_mut()
                .find(|(receiver, _)| *receiver == envelope.receiver)
            {
                Some((_, batch)) => batch.push(envelope),
                None => by_receiver.push((envelope.receiver.clone(), vec![envelope])),
            }
        }
        for (receiver, batch) in by_receiver {
            let count = batch.len() as u64;
            let sent = Envelope::encode_batch(&batch, self.core.env.encoding)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    publish_to_inbox(&self.core, &receiver, bytes, count).map_err(|e| e.to_string())
                });
            if let Err(error) = sent {
                tracing::warn!(agent = %self.core.name, %receiver, count, %error, "batch not sent");
            }
        }
    }

    fn finish_if_idle(&mut self, ctx: &mut Context<Self>) {
        if self.ending.is_none() && self.slots.iter().all(|slot| slot.done) {
            self.finish(ctx, "all behaviours finished".into());
        }
    }

    /// Ends normally: cancel timers, save a final checkpoint, then stop once
    /// every save has committed (or the deadline passed).
    fn finish(&mut self, ctx: &mut Context<Self>, reason: String) {
        if self.ending.is_some() {
            return;
        }
        for slot in &mut self.slots {
            if let Some(handle) = slot.timer.take() {
                ctx.cancel_future(handle);
            }
        }
        if let Some(bytes) = self.snapshot(ctx) {
            self.saves.queue(bytes, None);
        }
        if self.ending.is_some() {
            return; // the snapshot itself failed
        }
        self.ending = Some(reason.clone());
        ctx.run_later(FINAL_SAVE_DEADLINE, move |actor, ctx| {
            tracing::warn!(agent = %actor.core.name, "final checkpoint did not commit within {FINAL_SAVE_DEADLINE:?}");
            actor.complete_stop(ctx, reason);
        });
        self.pump_saves(ctx);
    }

    fn complete_stop(&mut self, ctx: &mut Context<Self>, reason: String) {
        self.link.set_exit(ChildExit::Normal(reason));
        ctx.stop();
    }

    /// Ends as a failure at once. Snapshots already taken were taken after
    /// successful steps, so they are queued for commit before the supervisor
    /// hears of the failure (and asks the same writer for the latest one);
    /// no new snapshot is taken of the failed state.
    fn fail(&mut self, ctx: &mut Context<Self>, exit: ChildExit) {
        tracing::warn!(agent = %self.core.name, incarnation = self.core.incarnation, "agent failed: {}", exit.describe());
        self.ending = Some(exit.describe());
        // What it sent before failing goes out, as it would have unbatched.
        self.flush_outbox();
        self.saves.send_all(&self.core.env.store);
        self.link.set_exit(exit);
        ctx.stop();
    }

    fn receive(&mut self, ctx: &mut Context<Self>, message: InboundMessage) {
        let envelopes = match Envelope::decode_all(&message.payload) {
            Ok(envelopes) => envelopes,
            Err(error) => {
                bump(&self.core.stats.malformed);
                tracing::warn!(agent = %self.core.name, topic = %message.topic, %error, "malformed envelope dropped");
                return;
            }
        };
        for envelope in envelopes {
            if self.ending.is_some() {
                return;
            }
            self.dispatch(ctx, envelope);
        }
    }

    /// Hands one envelope to every behaviour whose template matches it.
    fn dispatch(&mut self, ctx: &mut Context<Self>, envelope: Envelope) {
        let stats = &self.core.stats;
        if !self.dedup.first_sighting(&envelope.sender, &envelope.id) {
            bump(&stats.duplicates);
            tracing::debug!(agent = %self.core.name, id = %envelope.id, "duplicate envelope dropped");
            return;
        }
        bump(&stats.received);
        let matching: Vec<usize> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| {
                !slot.done
                    && slot
                        .behaviour
                        .template()
                        .is_some_and(|t| t.matches(&envelope))
            })
            .map(|(index, _)| index)
            .collect();
        let Some((&last, rest)) = matching.split_last() else {
            bump(&stats.unmatched);
            tracing::debug!(agent = %self.core.name, performative = %envelope.performative, sender = %envelope.sender, "no behaviour matched the message");
            return;
        };
        for &index in rest {
            self.invoke(ctx, index, Call::Message(envelope.clone()));
        }
        self.invoke(ctx, last, Call::Message(envelope));
    }
}

impl<A: Agent> Actor for AgentActor<A> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Inbound messages wait in the agent's own queue; the actix mailbox only
        // carries wakes, timers and control, one or a few at a time.
        ctx.set_mailbox_capacity(CONTROL_MAILBOX);
        self.mailbox.attach(ctx.address().recipient::<Wake>());
        self.publish_presence("online");

        let mut behaviours = Behaviours::default();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.agent.setup(&mut behaviours))) {
            return self.fail(
                ctx,
                ChildExit::Panicked(format!("setup: {}", panic_message(panic.as_ref()))),
            );
        }
        self.slots = behaviours
            .list
            .into_iter()
            .map(|behaviour| Slot {
                behaviour,
                timer: None,
                timer_generation: 0,
                done: false,
            })
            .collect();
        for index in 0..self.slots.len() {
            self.invoke(ctx, index, Call::Start);
        }
        self.core.env.ready.bump();
        self.flush_outbox();
        self.finish_if_idle(ctx);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.mailbox.detach();
        self.publish_presence("offline");
    }
}

impl<A: Agent> Handler<Wake> for AgentActor<A> {
    type Result = ();

    /// Takes a slice of the queue, so one busy agent cannot keep the others
    /// on its thread waiting; what stays waits for the next pass.
    fn handle(&mut self, _: Wake, ctx: &mut Self::Context) {
        if self.ending.is_some() || self.paused {
            return; // the queue waits (for the resume, or the next incarnation)
        }
        let (messages, more) = self.mailbox.take(MESSAGES_PER_PASS);
        for message in messages {
            if self.ending.is_some() {
                break;
            }
            self.receive(ctx, message);
        }
        self.flush_outbox();
        self.finish_if_idle(ctx);
        if more && self.ending.is_none() {
            ctx.notify(Wake);
        }
    }
}

impl<A: Agent> Handler<CheckpointCommitted> for AgentActor<A> {
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

impl<A: Agent> Handler<AgentControl> for AgentActor<A> {
    type Result = Result<(), String>;

    fn handle(&mut self, control: AgentControl, ctx: &mut Self::Context) -> Self::Result {
        match control {
            AgentControl::Pause => self.paused = true,
            AgentControl::Resume => {
                self.paused = false;
                for (index, generation) in std::mem::take(&mut self.deferred_timers) {
                    self.timer_fired(ctx, index, generation);
                }
                ctx.notify(Wake);
            }
            AgentControl::Checkpoint => self.queue_checkpoint(ctx, None),
            // Programmed agents have no env to show.
            AgentControl::Visual { .. } => {}
        }
        Ok(())
    }
}

impl<A: Agent> Handler<StopAgent> for AgentActor<A> {
    type Result = ();

    fn handle(&mut self, stop: StopAgent, ctx: &mut Self::Context) {
        self.finish(ctx, stop.reason);
    }
}

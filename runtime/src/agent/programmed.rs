//! The driver of a programmed agent (SPADE-style behaviours, and the BDI
//! kind built on them): it deduplicates and decodes the agent's messages,
//! routes them to behaviours by template, runs the behaviours' timers, and
//! turns their panics and errors into a failure of the child.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use actix::prelude::*;

use super::Agent;
use super::behaviour::{Behaviour, Behaviours, Next};
use super::context::{AgentContext, Effects, publish_to_inbox};
use super::control::ControlRefused;
use super::link::ChildExit;
use super::saves::QueuedSave;
use super::shell::{ChildActor, ChildContext, ChildDriver};
use super::stats::bump;
use crate::panic_text::panic_message;
use crate::transport::{DedupWindow, Envelope, InboundMessage};

/// Envelopes remembered per agent for duplicate suppression.
const DEDUP_WINDOW: usize = 4096;

/// Hosts one incarnation of a programmed agent.
pub type AgentActor<A> = ChildActor<Programmed<A>>;

type Ctx<A> = ChildContext<Programmed<A>>;

/// What a programmed agent does inside its child actor: its state and its
/// behaviours.
pub struct Programmed<A: Agent> {
    agent: A,
    slots: Vec<Slot<A>>,
    dedup: DedupWindow,
    effects: Effects,
    /// Timers that fired while paused, kept for the resume.
    deferred_timers: Vec<(usize, u64)>,
}

impl<A: Agent> Programmed<A> {
    pub(crate) fn new(agent: A) -> Self {
        Self {
            agent,
            slots: Vec::new(),
            dedup: DedupWindow::new(DEDUP_WINDOW),
            effects: Effects::default(),
            deferred_timers: Vec::new(),
        }
    }
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

impl<A: Agent> ChildDriver for Programmed<A> {
    const KIND: &'static str = "agent";

    fn start(child: &mut AgentActor<A>, ctx: &mut Ctx<A>) {
        let mut behaviours = Behaviours::default();
        let agent = &mut child.driver.agent;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| agent.setup(&mut behaviours))) {
            return child.fail(
                ctx,
                ChildExit::Panicked(format!("setup: {}", panic_message(panic.as_ref()))),
            );
        }
        child.driver.slots = behaviours
            .list
            .into_iter()
            .map(|behaviour| Slot {
                behaviour,
                timer: None,
                timer_generation: 0,
                done: false,
            })
            .collect();
        for index in 0..child.driver.slots.len() {
            child.invoke(ctx, index, Call::Start);
        }
        child.mark_ready();
        child.flush_outbox();
        child.finish_if_idle(ctx);
    }

    fn receive(child: &mut AgentActor<A>, ctx: &mut Ctx<A>, message: InboundMessage) {
        let envelopes = match Envelope::decode_all(&message.payload) {
            Ok(envelopes) => envelopes,
            Err(error) => {
                let core = &child.shell.core;
                bump(&core.stats.malformed);
                tracing::warn!(agent = %core.name, topic = %message.topic, %error, "malformed envelope dropped");
                return;
            }
        };
        for envelope in envelopes {
            if child.shell.is_ending() {
                return;
            }
            child.dispatch(ctx, envelope);
        }
    }

    fn end_turn(child: &mut AgentActor<A>, ctx: &mut Ctx<A>) {
        child.flush_outbox();
        child.finish_if_idle(ctx);
    }

    fn resume(child: &mut AgentActor<A>, ctx: &mut Ctx<A>) {
        for (index, generation) in std::mem::take(&mut child.driver.deferred_timers) {
            child.timer_fired(ctx, index, generation);
        }
    }

    fn checkpoint(child: &mut AgentActor<A>, ctx: &mut Ctx<A>) -> Result<(), ControlRefused> {
        child.queue_checkpoint(ctx, None);
        Ok(())
    }

    /// Cancels the timers and queues a snapshot of the agent as it ends.
    fn final_checkpoint(child: &mut AgentActor<A>, ctx: &mut Ctx<A>, reason: String) {
        for slot in &mut child.driver.slots {
            if let Some(handle) = slot.timer.take() {
                ctx.cancel_future(handle);
            }
        }
        if let Some(bytes) = child.snapshot(ctx) {
            child.shell.queue_save(QueuedSave::resumable(bytes, None));
        }
        if child.shell.is_ending() {
            return; // the snapshot itself failed
        }
        child.stop_once_saved(ctx, reason);
    }

    /// What it sent before failing goes out, as it would have unbatched.
    fn before_failure(child: &mut AgentActor<A>) {
        child.flush_outbox();
    }
}

impl<A: Agent> AgentActor<A> {
    fn invoke(&mut self, ctx: &mut Ctx<A>, index: usize, call: Call) {
        let Some(slot) = self.driver.slots.get_mut(index) else {
            return;
        };
        if slot.done || self.shell.is_ending() {
            return;
        }
        let mut agent_ctx = AgentContext {
            core: &self.shell.core,
            effects: &mut self.driver.effects,
            now: Instant::now(),
        };
        let agent = &mut self.driver.agent;
        let behaviour = &mut slot.behaviour;
        let outcome = catch_unwind(AssertUnwindSafe(|| match call {
            Call::Start => behaviour.start(agent, &mut agent_ctx),
            Call::Message(message) => behaviour.message(agent, message, &mut agent_ctx),
            Call::Timer => behaviour.timer(agent, &mut agent_ctx),
        }));
        match outcome {
            Ok(Ok(next)) => {
                self.schedule(ctx, index, next);
                self.apply_effects(ctx);
            }
            Ok(Err(error)) => {
                let name = self.driver.slots[index].behaviour.name().to_string();
                self.fail(
                    ctx,
                    ChildExit::Failed(format!("behaviour `{name}`: {error}")),
                );
            }
            Err(panic) => {
                let name = self.driver.slots[index].behaviour.name().to_string();
                self.fail(
                    ctx,
                    ChildExit::Panicked(format!(
                        "behaviour `{name}`: {}",
                        panic_message(panic.as_ref())
                    )),
                );
            }
        }
    }

    fn schedule(&mut self, ctx: &mut Ctx<A>, index: usize, next: Next) {
        let slot = &mut self.driver.slots[index];
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
            slot.timer = Some(ctx.run_later(delay, move |child, ctx| {
                child.timer_fired(ctx, index, generation)
            }));
        }
    }

    fn timer_fired(&mut self, ctx: &mut Ctx<A>, index: usize, generation: u64) {
        if self.shell.is_paused() {
            self.driver.deferred_timers.push((index, generation));
            return;
        }
        let Some(slot) = self.driver.slots.get_mut(index) else {
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

    fn apply_effects(&mut self, ctx: &mut Ctx<A>) {
        let core = &self.shell.core;
        for report in self.driver.effects.reports.drain(..) {
            core.env.telemetry.report(&core.name, report);
        }
        if let Some(tag) = self.driver.effects.checkpoint.take() {
            self.queue_checkpoint(ctx, tag);
        }
        if std::mem::take(&mut self.driver.effects.stop) {
            self.finish(ctx, "stopped itself".into());
        }
    }

    /// Takes a snapshot now; a failing snapshot is a failure of the agent.
    fn snapshot(&mut self, ctx: &mut Ctx<A>) -> Option<Vec<u8>> {
        let agent = &self.driver.agent;
        let exit = match catch_unwind(AssertUnwindSafe(|| agent.snapshot())) {
            Ok(Ok(bytes)) => return bytes,
            Ok(Err(error)) => ChildExit::Failed(format!("snapshot failed: {error}")),
            Err(panic) => ChildExit::Panicked(format!(
                "snapshot panicked: {}",
                panic_message(panic.as_ref())
            )),
        };
        self.fail(ctx, exit);
        None
    }

    fn queue_checkpoint(&mut self, ctx: &mut Ctx<A>, tag: Option<String>) {
        let Some(bytes) = self.snapshot(ctx) else {
            return;
        };
        self.shell.queue_save(QueuedSave::resumable(bytes, tag));
        self.pump_saves(ctx);
    }

    /// Publishes what was sent this turn when batching: one MQTT message per
    /// receiver, envelopes in the order they were sent.
    fn flush_outbox(&mut self) {
        if self.driver.effects.outbox.is_empty() {
            return;
        }
        let mut by_receiver: Vec<(String, Vec<Envelope>)> = Vec::new();
        for envelope in self.driver.effects.outbox.drain(..) {
            match by_receiver
                .iter_mut()
                .find(|(receiver, _)| *receiver == envelope.receiver)
            {
                Some((_, batch)) => batch.push(envelope),
                None => by_receiver.push((envelope.receiver.clone(), vec![envelope])),
            }
        }
        let core = &self.shell.core;
        for (receiver, batch) in by_receiver {
            let count = batch.len() as u64;
            let sent = Envelope::encode_batch(&batch, core.env.encoding)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    publish_to_inbox(core, &receiver, bytes, count).map_err(|e| e.to_string())
                });
            if let Err(error) = sent {
                tracing::warn!(agent = %core.name, %receiver, count, %error, "batch not sent");
            }
        }
    }

    fn finish_if_idle(&mut self, ctx: &mut Ctx<A>) {
        if !self.shell.is_ending() && self.driver.slots.iter().all(|slot| slot.done) {
            self.finish(ctx, "all behaviours finished".into());
        }
    }

    /// Hands one envelope to every behaviour whose template matches it.
    fn dispatch(&mut self, ctx: &mut Ctx<A>, envelope: Envelope) {
        let core = &self.shell.core;
        let stats = &core.stats;
        if !self
            .driver
            .dedup
            .first_sighting(&envelope.sender, &envelope.id)
        {
            bump(&stats.duplicates);
            tracing::debug!(agent = %core.name, id = %envelope.id, "duplicate envelope dropped");
            return;
        }
        bump(&stats.received);
        let matching: Vec<usize> = self
            .driver
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
            tracing::debug!(agent = %core.name, performative = %envelope.performative, sender = %envelope.sender, "no behaviour matched the message");
            return;
        };
        for &index in rest {
            self.invoke(ctx, index, Call::Message(envelope.clone()));
        }
        self.invoke(ctx, last, Call::Message(envelope));
    }
}

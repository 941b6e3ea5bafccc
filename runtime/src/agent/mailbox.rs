//! An agent's inbound queue, which outlives each incarnation of the agent.
//!
//! The MQTT subscription of an inbox is made once per agent, not per start,
//! and every message for the agent waits here, in order, until the agent's
//! actor takes it. The actor is woken by a single message when the queue
//! becomes non-empty and drains it in slices; while the agent is down
//! (restarting, or not started yet) messages simply wait for the next
//! incarnation.
//!
//! # Why not the actor's own mailbox
//!
//! The connection's task must never wait on one agent, so handing a message
//! to a full actix mailbox could only drop it, after the MQTT acknowledgement
//! had gone out: a burst of 10,000 answers to one agent lost thousands. This
//! queue is bounded too, but large by default, and its bound is the agent's
//! `mailbox` setting.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use actix::{Message, Recipient};

use super::stats::{AgentStats, bump};
use crate::transport::{DeliveryError, InboundMessage, Inbox};

/// Tells an agent's actor that its queue has messages.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Wake;

/// The inbound queue of one agent.
pub struct AgentMailbox {
    state: Mutex<MailboxState>,
    stats: Arc<AgentStats>,
}

struct MailboxState {
    actor: Option<Recipient<Wake>>,
    queue: VecDeque<InboundMessage>,
    capacity: usize,
    wake_pending: bool,
}

impl AgentMailbox {
    /// A queue holding at most `capacity` messages.
    pub fn new(capacity: usize, stats: Arc<AgentStats>) -> Self {
        Self {
            state: Mutex::new(MailboxState {
                actor: None,
                queue: VecDeque::new(),
                capacity: capacity.max(1),
                wake_pending: false,
            }),
            stats,
        }
    }

    fn lock(&self) -> MutexGuard<'_, MailboxState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Routes to `actor` from now on, waking it if messages wait.
    pub(crate) fn attach(&self, actor: Recipient<Wake>) {
        let mut state = self.lock();
        state.wake_pending = !state.queue.is_empty();
        if state.wake_pending {
            // One wake per non-empty queue: bounded however busy the agent.
            actor.do_send(Wake);
        }
        state.actor = Some(actor);
    }

    /// No actor takes messages for now; they wait for the next one.
    pub(crate) fn detach(&self) {
        let mut state = self.lock();
        state.actor = None;
        state.wake_pending = false;
    }

    /// Takes up to `max` messages in arrival order. Returns `true` as the
    /// second value when more remain (the caller must come back: its wake
    /// stays pending).
    pub(crate) fn take(&self, max: usize) -> (Vec<InboundMessage>, bool) {
        let mut state = self.lock();
        let count = max.min(state.queue.len());
        let taken: Vec<InboundMessage> = state.queue.drain(..count).collect();
        let more = !state.queue.is_empty();
        state.wake_pending = more;
        (taken, more)
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.lock().queue.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inbox for AgentMailbox {
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError> {
        let mut state = self.lock();
        if state.queue.len() >= state.capacity {
            bump(&self.stats.inbox_overflow);
            return Err(DeliveryError::Full);
        }
        state.queue.push_back(message);
        if state.wake_pending {
            return Ok(());
        }
        match &state.actor {
            Some(actor) if actor.connected() => {
                // At most one wake is ever pending per agent.
                actor.do_send(Wake);
                state.wake_pending = true;
            }
            Some(_) => state.actor = None,
            None => {}
        }
        Ok(())
    }
}

/// Shared handle, as the transport's route holds it.
impl Inbox for Arc<AgentMailbox> {
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError> {
        self.as_ref().deliver(message)
    }
}

//! An agent's inbox route, which outlives each incarnation of the agent.
//!
//! The MQTT subscription of an inbox is made once per agent, not per start.
//! While the agent runs, messages go straight to its actor; while it is
//! down (restarting, or not started yet) they wait in a bounded backlog that
//! the next incarnation takes first.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use actix::Recipient;
use actix::prelude::SendError as ActixSendError;

use super::actor::Deliver;
use super::stats::{AgentStats, bump};
use crate::transport::{DeliveryError, InboundMessage, Inbox};

/// The stable inbox of one agent.
pub struct AgentMailbox {
    state: Mutex<MailboxState>,
    stats: Arc<AgentStats>,
}

struct MailboxState {
    actor: Option<Recipient<Deliver>>,
    backlog: VecDeque<InboundMessage>,
    backlog_capacity: usize,
}

impl AgentMailbox {
    /// A mailbox whose backlog holds at most `backlog_capacity` messages.
    pub fn new(backlog_capacity: usize, stats: Arc<AgentStats>) -> Self {
        Self {
            state: Mutex::new(MailboxState {
                actor: None,
                backlog: VecDeque::new(),
                backlog_capacity: backlog_capacity.max(1),
            }),
            stats,
        }
    }

    fn lock(&self) -> MutexGuard<'_, MailboxState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Routes messages to `actor` from now on and returns what waited.
    pub(crate) fn attach(&self, actor: Recipient<Deliver>) -> Vec<InboundMessage> {
        let mut state = self.lock();
        state.actor = Some(actor);
        state.backlog.drain(..).collect()
    }

    /// Stops routing to the current actor; messages wait in the backlog.
    pub(crate) fn detach(&self) {
        self.lock().actor = None;
    }
}

impl Inbox for AgentMailbox {
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError> {
        let mut state = self.lock();
        let message = match &state.actor {
            Some(actor) => match actor.try_send(Deliver(message)) {
                Ok(()) => return Ok(()),
                Err(ActixSendError::Full(_)) => return Err(DeliveryError::Full),
                Err(ActixSendError::Closed(Deliver(message))) => {
                    state.actor = None;
                    message
                }
            },
            None => message,
        };
        if state.backlog.len() >= state.backlog_capacity {
            bump(&self.stats.dropped_while_down);
            return Err(DeliveryError::Full);
        }
        state.backlog.push_back(message);
        Ok(())
    }
}

/// Shared handle, as the transport's route holds it.
impl Inbox for Arc<AgentMailbox> {
    fn deliver(&self, message: InboundMessage) -> Result<(), DeliveryError> {
        self.as_ref().deliver(message)
    }
}

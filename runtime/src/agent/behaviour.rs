//! The behaviour trait: how agent code is scheduled, SPADE style.

use std::time::{Duration, Instant};

use super::{AgentContext, AgentError, Template};
use crate::transport::Envelope;

/// What a behaviour wants after a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait for messages, with no timer.
    Idle,
    /// Call [`Behaviour::timer`] after this long (messages still arrive).
    Sleep(Duration),
    /// Call [`Behaviour::timer`] at this instant (messages still arrive).
    Until(Instant),
    /// Keep whatever timer was set.
    Unchanged,
    /// This behaviour is finished.
    Done,
}

/// One activity of an agent. The runtime calls it on start, for each
/// message its template matches, and when its timer fires; calls never
/// overlap, so a behaviour and its agent are never borrowed twice.
///
/// The ready-made kinds are [`OneShot`](super::OneShot),
/// [`Cyclic`](super::Cyclic), [`Periodic`](super::Periodic),
/// [`Timeout`](super::Timeout) and [`Fsm`](super::Fsm); implement this
/// trait for anything else.
///
/// A panic or an `Err` from any method is a failure of the agent.
pub trait Behaviour<A>: Send + 'static {
    /// Name, for logs.
    fn name(&self) -> &str;

    /// Which messages this behaviour takes; `None` takes none.
    fn template(&self) -> Option<&Template> {
        None
    }

    /// Called once when the agent starts.
    fn start(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError>;

    /// Called for each message the template matches.
    fn message(
        &mut self,
        agent: &mut A,
        message: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let _ = (agent, message, ctx);
        Ok(Next::Unchanged)
    }

    /// Called when the timer asked for by [`Next::Sleep`] or [`Next::Until`] fires.
    fn timer(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        let _ = (agent, ctx);
        Ok(Next::Done)
    }
}

/// The behaviours an agent adds in [`Agent::setup`](super::Agent::setup).
pub struct Behaviours<A> {
    pub(crate) list: Vec<Box<dyn Behaviour<A>>>,
}

impl<A> Default for Behaviours<A> {
    fn default() -> Self {
        Self { list: Vec::new() }
    }
}

impl<A> Behaviours<A> {
    /// Adds a behaviour; behaviours start in the order they are added.
    pub fn add(&mut self, behaviour: impl Behaviour<A>) -> &mut Self {
        self.list.push(Box::new(behaviour));
        self
    }

    /// How many have been added.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether none has been added.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Messages a timer-driven behaviour has received since it last looked
/// (SPADE's per-behaviour queue). Bounded: the oldest is dropped when full.
#[derive(Debug)]
pub struct MessageQueue {
    queue: std::collections::VecDeque<Envelope>,
    capacity: usize,
    dropped: u64,
}

impl MessageQueue {
    /// A queue holding at most `capacity` messages.
    pub fn new(capacity: usize) -> Self {
        Self {
            queue: std::collections::VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Takes the oldest message.
    pub fn receive(&mut self) -> Option<Envelope> {
        self.queue.pop_front()
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Messages dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(crate) fn push(&mut self, message: Envelope) {
        if self.queue.len() == self.capacity {
            self.queue.pop_front();
            self.dropped += 1;
        }
        self.queue.push_back(message);
    }
}

/// Whether a cyclic or periodic behaviour goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep running.
    Continue,
    /// Finished.
    Done,
}

//! A behaviour that runs once after a delay.

use std::time::Duration;

use crate::agent::{AgentContext, AgentError, Behaviour, MessageQueue, Next, Template};
use crate::transport::Envelope;

type Body<A> = Box<
    dyn FnMut(&mut A, &mut AgentContext<'_>, &mut MessageQueue) -> Result<(), AgentError> + Send,
>;

/// Runs its body once, `after` the agent started (SPADE's
/// `TimeoutBehaviour`). Messages its template matches before then wait in a
/// [`MessageQueue`] the body reads.
pub struct Timeout<A> {
    name: String,
    after: Duration,
    template: Option<Template>,
    queue: MessageQueue,
    body: Body<A>,
}

impl<A> Timeout<A> {
    /// Runs `body` once after `after`.
    pub fn new(
        name: impl Into<String>,
        after: Duration,
        body: impl FnMut(&mut A, &mut AgentContext<'_>, &mut MessageQueue) -> Result<(), AgentError>
        + Send
        + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            after,
            template: None,
            queue: MessageQueue::new(1024),
            body: Box::new(body),
        }
    }

    /// Collects messages matching `template` until it runs.
    pub fn with_template(mut self, template: Template) -> Self {
        self.template = Some(template);
        self
    }
}

impl<A: 'static> Behaviour<A> for Timeout<A> {
    fn name(&self) -> &str {
        &self.name
    }

    fn template(&self) -> Option<&Template> {
        self.template.as_ref()
    }

    fn start(&mut self, _agent: &mut A, _ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        Ok(Next::Sleep(self.after))
    }

    fn message(
        &mut self,
        _agent: &mut A,
        message: Envelope,
        _ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        self.queue.push(message);
        Ok(Next::Unchanged)
    }

    fn timer(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        (self.body)(agent, ctx, &mut self.queue)?;
        Ok(Next::Done)
    }
}

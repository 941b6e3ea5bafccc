//! A behaviour that handles every matching message until it says it is done.

use std::time::Duration;

use crate::agent::{AgentContext, AgentError, Behaviour, Flow, Next, Template};
use crate::transport::Envelope;

type OnMessage<A> =
    Box<dyn FnMut(&mut A, Envelope, &mut AgentContext<'_>) -> Result<Flow, AgentError> + Send>;
type OnIdle<A> = Box<dyn FnMut(&mut A, &mut AgentContext<'_>) -> Result<Flow, AgentError> + Send>;

/// Calls its body for each message its template matches, until the body
/// returns [`Flow::Done`] (SPADE's `CyclicBehaviour` around
/// `await self.receive(timeout)`). With [`on_idle`](Self::on_idle), a second
/// body runs when no message came for a while.
///
/// ```
/// use agora_runtime::agent::{Cyclic, Flow, Template};
/// use agora_runtime::transport::Performative;
/// # struct Echo;
/// let answer = Cyclic::new("answer", Template::new().performative(Performative::Request), |_agent: &mut Echo, msg, ctx| {
///     ctx.reply(&msg, Performative::Inform, msg.content.clone())?;
///     Ok(Flow::Continue)
/// });
/// ```
pub struct Cyclic<A> {
    name: String,
    template: Template,
    on_message: OnMessage<A>,
    idle: Option<(Duration, OnIdle<A>)>,
}

impl<A> Cyclic<A> {
    /// A cyclic behaviour over the messages `template` matches.
    pub fn new(
        name: impl Into<String>,
        template: Template,
        on_message: impl FnMut(&mut A, Envelope, &mut AgentContext<'_>) -> Result<Flow, AgentError>
        + Send
        + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            template,
            on_message: Box::new(on_message),
            idle: None,
        }
    }

    /// Runs `on_idle` whenever `after` passes without a matching message.
    pub fn on_idle(
        mut self,
        after: Duration,
        on_idle: impl FnMut(&mut A, &mut AgentContext<'_>) -> Result<Flow, AgentError> + Send + 'static,
    ) -> Self {
        self.idle = Some((after, Box::new(on_idle)));
        self
    }

    fn wait(&self) -> Next {
        match &self.idle {
            Some((after, _)) => Next::Sleep(*after),
            None => Next::Idle,
        }
    }
}

impl<A: 'static> Behaviour<A> for Cyclic<A> {
    fn name(&self) -> &str {
        &self.name
    }

    fn template(&self) -> Option<&Template> {
        Some(&self.template)
    }

    fn start(&mut self, _agent: &mut A, _ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        Ok(self.wait())
    }

    fn message(
        &mut self,
        agent: &mut A,
        message: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        match (self.on_message)(agent, message, ctx)? {
            Flow::Continue => Ok(self.wait()),
            Flow::Done => Ok(Next::Done),
        }
    }

    fn timer(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        let Some((_, on_idle)) = &mut self.idle else {
            return Ok(Next::Idle);
        };
        match on_idle(agent, ctx)? {
            Flow::Continue => Ok(self.wait()),
            Flow::Done => Ok(Next::Done),
        }
    }
}

//! A behaviour that runs once, when the agent starts.

use crate::agent::{AgentContext, AgentError, Behaviour, Next};

type Body<A> = Box<dyn FnMut(&mut A, &mut AgentContext<'_>) -> Result<(), AgentError> + Send>;

/// Runs its body once at start, then is done (SPADE's `OneShotBehaviour`).
///
/// ```
/// use agora_runtime::agent::OneShot;
/// # struct Greeter;
/// let hello = OneShot::new("hello", |_agent: &mut Greeter, ctx| {
///     tracing::info!("{} is up", ctx.name());
///     Ok(())
/// });
/// ```
pub struct OneShot<A> {
    name: String,
    body: Body<A>,
}

impl<A> OneShot<A> {
    /// A one-shot behaviour with this body.
    pub fn new(
        name: impl Into<String>,
        body: impl FnMut(&mut A, &mut AgentContext<'_>) -> Result<(), AgentError> + Send + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            body: Box::new(body),
        }
    }
}

impl<A: 'static> Behaviour<A> for OneShot<A> {
    fn name(&self) -> &str {
        &self.name
    }

    fn start(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        (self.body)(agent, ctx)?;
        Ok(Next::Done)
    }
}

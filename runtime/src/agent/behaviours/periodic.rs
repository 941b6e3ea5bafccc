//! A behaviour that runs on a fixed period.

use std::time::{Duration, Instant};

use crate::agent::{AgentContext, AgentError, Behaviour, Flow, MessageQueue, Next, Template};
use crate::transport::Envelope;

type Body<A> = Box<
    dyn FnMut(&mut A, &mut AgentContext<'_>, &mut MessageQueue) -> Result<Flow, AgentError> + Send,
>;

/// Runs its body every `period` (SPADE's `PeriodicBehaviour`). Ticks are
/// scheduled from the previous due time, so they do not drift; ticks missed
/// while the agent was busy are skipped, not bunched. Messages its template
/// matches wait in a [`MessageQueue`] the body reads.
///
/// ```
/// use std::time::Duration;
/// use agora_runtime::agent::{Flow, Periodic};
/// # struct Counter { ticks: u32 }
/// let tick = Periodic::new("tick", Duration::from_millis(100), |agent: &mut Counter, _ctx, _inbox| {
///     agent.ticks += 1;
///     Ok(if agent.ticks == 10 { Flow::Done } else { Flow::Continue })
/// });
/// ```
pub struct Periodic<A> {
    name: String,
    period: Duration,
    start_after: Duration,
    template: Option<Template>,
    queue: MessageQueue,
    body: Body<A>,
    due: Option<Instant>,
}

impl<A> Periodic<A> {
    /// Runs `body` every `period`, the first time right after start.
    pub fn new(
        name: impl Into<String>,
        period: Duration,
        body: impl FnMut(&mut A, &mut AgentContext<'_>, &mut MessageQueue) -> Result<Flow, AgentError>
        + Send
        + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            period: period.max(Duration::from_micros(1)),
            start_after: Duration::ZERO,
            template: None,
            queue: MessageQueue::new(1024),
            body: Box::new(body),
            due: None,
        }
    }

    /// Delays the first run.
    pub fn start_after(mut self, delay: Duration) -> Self {
        self.start_after = delay;
        self
    }

    /// Collects messages matching `template` for the body to read.
    pub fn with_template(mut self, template: Template) -> Self {
        self.template = Some(template);
        self
    }
}

impl<A: 'static> Behaviour<A> for Periodic<A> {
    fn name(&self) -> &str {
        &self.name
    }

    fn template(&self) -> Option<&Template> {
        self.template.as_ref()
    }

    fn start(&mut self, _agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        let due = ctx.now() + self.start_after;
        self.due = Some(due);
        Ok(Next::Until(due))
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
        if (self.body)(agent, ctx, &mut self.queue)? == Flow::Done {
            return Ok(Next::Done);
        }
        let now = Instant::now();
        let mut due = self.due.unwrap_or(now) + self.period;
        if due <= now {
            let behind = now - due;
            let skipped = behind.as_nanos() / self.period.as_nanos() + 1;
            due += self.period * u32::try_from(skipped).unwrap_or(u32::MAX);
        }
        self.due = Some(due);
        Ok(Next::Until(due))
    }
}

//! Programmed agents, SPADE style: an [`Agent`] adds behaviours in
//! [`setup`](Agent::setup); behaviours take messages by [`Template`] and run
//! on timers; the runtime hosts each agent in an actor under a supervisor.
//!
//! ```
//! use agora_runtime::agent::{Agent, Behaviours, Cyclic, Flow, Template};
//! use agora_runtime::transport::Performative;
//!
//! /// Answers every request with an inform of the same content.
//! struct Echo;
//!
//! impl Agent for Echo {
//!     fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
//!         behaviours.add(Cyclic::new("answer", Template::new().performative(Performative::Request), |_, msg, ctx| {
//!             ctx.reply(&msg, Performative::Inform, msg.content.clone())?;
//!             Ok(Flow::Continue)
//!         }));
//!     }
//! }
//! ```

mod behaviour;
mod behaviours;
mod claims;
mod context;
mod control;
mod error;
mod extensions;
mod factory;
mod launch;
mod link;
mod mailbox;
mod programmed;
mod run_context;
mod run_switch;
mod saves;
pub(crate) use saves::QueuedSave;
mod shell;
mod stats;
mod template;

pub use behaviour::{Behaviour, Behaviours, Flow, MessageQueue, Next};
pub use behaviours::{
    Cyclic, Fsm, FsmBuilder, FsmError, FsmState, OneShot, Periodic, StateStep, Timeout,
};
pub use claims::{Claims, NameOwner};
pub use context::{AgentContext, SendError};
pub use control::{AgentControl, ControlRefused};
pub use error::{AgentError, BoxError};
pub use extensions::Extensions;
pub use factory::{AgentFactory, ChildHandle, agent_factory};
pub use launch::Launch;
pub use link::{ChildExit, ChildExited, Link};
pub use mailbox::{AgentMailbox, Wake};
pub use programmed::{AgentActor, Programmed};
pub use run_context::{Console, ReadyCounter, RunContext};
pub use run_switch::RunSwitch;
pub use shell::{ChildActor, ChildContext, ChildDriver, StopAgent};
pub use stats::{AgentStats, AgentStatsSnapshot};
pub use template::{FieldTemplate, Template};

/// An agent: its state and the behaviours that act on it.
///
/// State that should survive a restart lives in the agent's own fields and
/// goes through [`snapshot`](Self::snapshot) / [`restore`](Self::restore);
/// behaviours are rebuilt by `setup` on every start.
pub trait Agent: Sized + Send + Unpin + 'static {
    /// Adds the agent's behaviours. Called on every start, after `restore`.
    fn setup(&mut self, behaviours: &mut Behaviours<Self>);

    /// The state to checkpoint, or `None` for a stateless agent. Called when
    /// a behaviour asks for a checkpoint and when the agent stops.
    fn snapshot(&self) -> Result<Option<Vec<u8>>, AgentError> {
        Ok(None)
    }

    /// Restores state from the last checkpoint before a restart.
    fn restore(&mut self, checkpoint: &[u8]) -> Result<(), AgentError> {
        let _ = checkpoint;
        Ok(())
    }
}

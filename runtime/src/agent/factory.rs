//! How the supervisor builds a fresh agent for each start.

use std::sync::Arc;

use actix::{Actor, Recipient};

use super::launch::Launch;
use super::link::ChildExit;
use super::programmed::Programmed;
use super::shell::{ChildActor, StopAgent};
use super::{Agent, AgentError};

/// Builds and starts one agent. The supervisor calls it for the first start
/// and for every restart, so state never carries over in a half-updated
/// struct.
pub trait AgentFactory: Send + Sync + 'static {
    /// Builds a fresh agent, restores the checkpoint if there is one, and
    /// starts its actor on the current arbiter.
    ///
    /// # Errors
    ///
    /// When the agent cannot be built or restored. The supervisor hears of it
    /// through the launch's link, as a failed start.
    fn launch(&self, launch: Launch) -> Result<ChildHandle, AgentError>;
}

/// How the supervisor reaches a started child.
#[derive(Debug, Clone)]
pub struct ChildHandle {
    /// Ends it gracefully.
    pub stop: Recipient<StopAgent>,
    /// Pause, resume, checkpoint, visual mode.
    pub control: Recipient<crate::agent::AgentControl>,
}
/// A factory from a closure that builds the agent.
///
/// ```
/// use agora_runtime::agent::{Agent, Behaviours, agent_factory};
/// #[derive(Default)]
/// struct Quiet;
/// impl Agent for Quiet {
///     fn setup(&mut self, _: &mut Behaviours<Self>) {}
/// }
/// let factory = agent_factory(|| Ok(Quiet));
/// ```
pub fn agent_factory<A, F>(build: F) -> Arc<dyn AgentFactory>
where
    A: Agent,
    F: Fn() -> Result<A, AgentError> + Send + Sync + 'static,
{
    Arc::new(ClosureFactory(build))
}

struct ClosureFactory<F>(F);

impl<A, F> AgentFactory for ClosureFactory<F>
where
    A: Agent,
    F: Fn() -> Result<A, AgentError> + Send + Sync + 'static,
{
    fn launch(&self, mut launch: Launch) -> Result<ChildHandle, AgentError> {
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut agent = (self.0)()?;
            if let Some(checkpoint) = &launch.checkpoint {
                agent.restore(&checkpoint.bytes).map_err(|e| {
                    AgentError::new(format!(
                        "cannot restore checkpoint {}: {e}",
                        checkpoint.meta.sequence
                    ))
                })?;
            }
            Ok(agent)
        }));
        let agent = match built {
            Ok(Ok(agent)) => agent,
            Ok(Err(error)) => {
                launch
                    .link
                    .set_exit(ChildExit::Failed(format!("start failed: {error}")));
                return Err(error);
            }
            Err(panic) => {
                let message = crate::panic_text::panic_message(panic.as_ref());
                launch
                    .link
                    .set_exit(ChildExit::Panicked(format!("start failed: {message}")));
                return Err(AgentError::new(message));
            }
        };
        let addr = ChildActor::new(launch, Programmed::new(agent)).start();
        Ok(ChildHandle {
            stop: addr.clone().recipient(),
            control: addr.recipient(),
        })
    }
}

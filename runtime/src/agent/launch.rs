//! What one start of a child is given by its supervisor.

use std::sync::Arc;

use super::link::Link;
use super::mailbox::AgentMailbox;
use super::run_context::RunContext;
use super::stats::AgentStats;
use crate::store::Checkpoint;

/// Everything one start of an agent needs. Built by the supervisor.
pub struct Launch {
    pub(crate) name: String,
    pub(crate) incarnation: u64,
    pub(crate) checkpoint: Option<Checkpoint>,
    pub(crate) env: Arc<RunContext>,
    pub(crate) mailbox: Arc<AgentMailbox>,
    pub(crate) stats: Arc<AgentStats>,
    pub(crate) link: Link,
}

impl Launch {
    /// The agent's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The checkpoint this start restores from, if any.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }
}

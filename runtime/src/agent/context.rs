//! What agent code can do while it runs: send, reply, stop, checkpoint,
//! report results.

use std::sync::Arc;
use std::time::Instant;

use super::run_context::RunContext;
use super::stats::AgentStats;
use crate::transport::{EncodeError, Envelope, Performative, PublishError, QoS};

/// Facts about the running incarnation, owned by its actor.
pub(crate) struct AgentCore {
    pub(crate) name: String,
    pub(crate) incarnation: u64,
    pub(crate) env: Arc<RunContext>,
    pub(crate) stats: Arc<AgentStats>,
}

/// Requests agent code makes that the actor carries out after the call.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub(crate) stop: bool,
    pub(crate) checkpoint: Option<Option<String>>,
    pub(crate) reports: Vec<serde_json::Value>,
    /// Envelopes sent this turn, when batching.
    pub(crate) outbox: Vec<Envelope>,
}

/// A send that did not go out.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The envelope names no receiver.
    #[error("the envelope has no receiver")]
    NoReceiver,
    /// The envelope could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The connection refused it (outbox full or closed).
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// The handle agent code gets in every behaviour call.
pub struct AgentContext<'a> {
    pub(crate) core: &'a AgentCore,
    pub(crate) effects: &'a mut Effects,
    pub(crate) now: Instant,
}

impl AgentContext<'_> {
    /// This agent's name.
    pub fn name(&self) -> &str {
        &self.core.name
    }

    /// The run this agent belongs to.
    pub fn run_id(&self) -> &str {
        &self.core.env.run_id
    }

    /// 1 for the first start, 2 after the first restart, and so on.
    pub fn incarnation(&self) -> u64 {
        self.core.incarnation
    }

    /// When the current call began.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// A new envelope from this agent to `receiver`.
    pub fn message(&self, receiver: &str, performative: Performative) -> Envelope {
        Envelope::new(performative, self.core.name.clone(), receiver)
    }

    /// Sends an envelope to its receiver's inbox (QoS 1). An empty sender is
    /// filled with this agent's name.
    ///
    /// # Backpressure
    ///
    /// Never waits: when the connection's outbox is full the envelope is not
    /// sent and [`SendError::Publish`] says so. With `[run] batch = true` the
    /// envelope is published at the end of the agent's turn; a refusal then
    /// is counted in the agent's `send_failures` and logged.
    pub fn send(&mut self, mut envelope: Envelope) -> Result<(), SendError> {
        if envelope.receiver.is_empty() {
            return Err(SendError::NoReceiver);
        }
        if envelope.sender.is_empty() {
            envelope.sender.clone_from(&self.core.name);
        }
        if self.core.env.batch {
            // Published at the end of the turn, grouped by receiver.
            self.effects.outbox.push(envelope);
            return Ok(());
        }
        let bytes = envelope.encode(self.core.env.encoding)?;
        publish_to_inbox(self.core, &envelope.receiver, bytes, 1).map_err(SendError::from)
    }

    /// Answers `request`: to its sender, same conversation, `in_reply_to`
    /// set to its `reply_with` (or its `id`).
    pub fn reply(
        &mut self,
        request: &Envelope,
        performative: Performative,
        content: serde_json::Value,
    ) -> Result<(), SendError> {
        let mut reply = request.reply(performative, content);
        reply.sender.clone_from(&self.core.name);
        self.send(reply)
    }

    /// Ends this agent normally after the current call (a final checkpoint
    /// is taken if the agent has state to save).
    pub fn stop(&mut self) {
        self.effects.stop = true;
    }

    /// Ends the whole run (like Jason's `.stopMAS`): every agent is stopped
    /// gracefully and the run completes with `reason`.
    pub fn stop_run(&mut self, reason: impl Into<String>) {
        self.core.env.run_switch.finish(reason);
    }

    /// Counts an incoming message whose content this agent cannot read.
    pub fn count_malformed(&mut self) {
        self.core
            .stats
            .malformed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Counts an incoming message that answers nothing this agent asked
    /// (a reply to a request it did not send).
    pub fn count_unmatched(&mut self) {
        self.core
            .stats
            .unmatched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Every agent of the run (for broadcasts).
    pub fn agent_names(&self) -> &[String] {
        &self.core.env.agent_names
    }

    /// Writes a line to the run's console (stdout of `agora run`), prefixed
    /// with the agent's name; logged when there is no console.
    pub fn print(&mut self, line: &str) {
        match &self.core.env.console {
            Some(console) => console(&self.core.name, line),
            None => tracing::info!(agent = %self.core.name, "{line}"),
        }
    }

    /// Saves a checkpoint of the agent after the current call.
    pub fn checkpoint(&mut self) {
        self.effects.checkpoint.get_or_insert(None);
    }

    /// Saves a checkpoint with a tag (such as `best`) after the current call.
    pub fn checkpoint_tagged(&mut self, tag: impl Into<String>) {
        self.effects.checkpoint = Some(Some(tag.into()));
    }

    /// Publishes a result of this agent (for example a pinger's latency
    /// figures) in telemetry and the run summary.
    pub fn report(&mut self, result: serde_json::Value) {
        self.effects.reports.push(result);
    }
}

/// Publishes `count` encoded envelopes to `receiver`'s inbox, counting them.
pub(crate) fn publish_to_inbox(
    core: &AgentCore,
    receiver: &str,
    bytes: Vec<u8>,
    count: u64,
) -> Result<(), PublishError> {
    let transport = &core.env.transport;
    let topic = transport.topics().inbox(receiver);
    let result = transport.publish(topic, bytes, QoS::AtLeastOnce, false);
    let counter = if result.is_ok() {
        &core.stats.sent
    } else {
        &core.stats.send_failures
    };
    counter.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
    result
}

//! `echo`: answers every request with an inform of the same content.

use std::sync::Arc;

use super::{AgentKind, BuildContext, KindError, NoSettings};
use crate::agent::{Agent, AgentFactory, Behaviours, Cyclic, Flow, Template, agent_factory};
use crate::transport::Performative;

/// Answers every `request` with an `inform` carrying the same content,
/// `in_reply_to` set to the request's `reply_with` (or its `id`), sent to
/// the request's sender. The probe for messaging studies and interop tests.
#[derive(Debug, Default)]
pub struct Echo;

impl Agent for Echo {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(Cyclic::new("answer-requests", Template::new().performative(Performative::Request), |_, request, ctx| {
            if request.sender.is_empty() {
                tracing::warn!(agent = ctx.name(), id = %request.id, "request without sender: nowhere to answer");
                return Ok(Flow::Continue);
            }
            let mut reply = request.reply(Performative::Inform, request.content.clone());
            reply.sender = ctx.name().to_string();
            ctx.send(reply)?;
            Ok(Flow::Continue)
        }));
    }
}

/// The `echo` kind: no settings; it serves until the others are done.
pub(super) struct EchoKind;

impl AgentKind for EchoKind {
    type Settings = NoSettings;

    fn serves_by_default(&self) -> bool {
        true
    }

    fn factory(
        &self,
        _: &NoSettings,
        _: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        Ok(agent_factory(|| Ok(Echo)))
    }
}

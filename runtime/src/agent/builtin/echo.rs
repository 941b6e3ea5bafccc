//! `echo`: answers every request with an inform of the same content.

use crate::agent::{Agent, Behaviours, Cyclic, Flow, Template};
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

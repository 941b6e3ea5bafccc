//! The embedded broker's account of clients it drops: a client that sent a
//! packet over the size limit, broke the protocol or timed out is logged
//! with its client id and the reason, instead of vanishing silently (and
//! reconnecting to send the same packet again).

use rmqtt::hook::{Handler, HookResult, Parameter, ReturnType};
use rmqtt::types::Reason;

/// Logs every disconnect that the client did not ask for.
pub(super) struct DisconnectLog {
    /// The broker's packet limit, named in the log line.
    pub(super) max_packet_size: u32,
}

#[async_trait::async_trait]
impl Handler for DisconnectLog {
    async fn hook(&self, param: &Parameter, acc: Option<HookResult>) -> ReturnType {
        if let Parameter::ClientDisconnected(session, reason) = param
            && !asked_for(reason)
        {
            tracing::warn!(
                client = %session.id.client_id,
                %reason,
                max_packet_size = self.max_packet_size,
                "embedded broker dropped a client (a packet over max_packet_size is one cause)"
            );
        }
        (true, acc)
    }
}

/// A DISCONNECT from the client, or the peer closing its socket, or the
/// session being taken over by a newer one: the usual ways to go.
fn asked_for(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::ConnectDisconnect(_) | Reason::ConnectRemoteClose | Reason::ConnectKicked(_)
    )
}

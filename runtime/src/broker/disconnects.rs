//! The embedded broker's account of clients it drops: a client that sent a
//! packet over the size limit, broke the protocol or timed out is logged
//! with its client id and the reason, instead of vanishing silently. A
//! client that reconnects and sends the same packet again (paho does,
//! every second) is logged once, then counted.

use std::collections::HashMap;
use std::sync::Mutex;

use rmqtt::hook::{Handler, HookResult, Parameter, ReturnType};
use rmqtt::types::Reason;

/// Clients remembered for their repeat count; beyond this, new ones are
/// still logged, just not counted.
const REMEMBERED_CLIENTS: usize = 1024;

/// Logs the clients the broker drops on its own account.
pub(super) struct DisconnectLog {
    /// The broker's packet limit, named in the log line.
    pub(super) max_packet_size: u32,
    /// Drops so far per client id.
    dropped: Mutex<HashMap<String, u64>>,
}

impl DisconnectLog {
    pub(super) fn new(max_packet_size: u32) -> Self {
        Self {
            max_packet_size,
            dropped: Mutex::new(HashMap::new()),
        }
    }

    /// How many times this client was dropped, this one included.
    fn count(&self, client: &str) -> u64 {
        let mut dropped = self.dropped.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = dropped.get_mut(client) {
            *count += 1;
            return *count;
        }
        if dropped.len() < REMEMBERED_CLIENTS {
            dropped.insert(client.to_string(), 1);
        }
        1
    }
}

#[async_trait::async_trait]
impl Handler for DisconnectLog {
    async fn hook(&self, param: &Parameter, acc: Option<HookResult>) -> ReturnType {
        if let Parameter::ClientDisconnected(session, reason) = param
            && broker_decided(reason)
        {
            let client = session.id.client_id.to_string();
            match self.count(&client) {
                1 => tracing::warn!(
                    %client,
                    %reason,
                    max_packet_size = self.max_packet_size,
                    "embedded broker dropped a client; if it resends the same packet it is dropped again"
                ),
                times => {
                    tracing::debug!(%client, %reason, times, "embedded broker dropped the client again")
                }
            }
        }
        (true, acc)
    }
}

/// The broker's own decisions: a packet over the size limit, a broken
/// protocol, a client that stopped being read and ran out of keep-alive.
/// Sockets that close while a run shuts down are not worth a warning.
fn broker_decided(reason: &Reason) -> bool {
    match reason {
        Reason::Reasons(reasons) => reasons.iter().any(broker_decided),
        Reason::ConnectKeepaliveTimeout
        | Reason::ConnectReadWriteTimeout
        | Reason::ProtocolError(_) => true,
        Reason::MqttError(_) | Reason::Error(_) => {
            let text = reason.to_string().to_ascii_lowercase();
            text.contains("decode") || text.contains("size")
        }
        _ => false,
    }
}

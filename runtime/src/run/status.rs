//! The retained status topics a run keeps up to date: this host process
//! (`hosts/{host}/status`, with a last will saying offline) and the run
//! (`runs/{run}/status`).

use crate::store::RunStatus;
use crate::transport::{QoS, Topics, Transport, unix_now};

/// Publishes a run's and its host's retained status.
pub(super) struct StatusBoard {
    pub(super) run_id: String,
    /// `{hostname}-{pid}`: this process.
    pub(super) host: String,
    pub(super) topics: Topics,
}

impl StatusBoard {
    pub(super) fn new(run_id: &str, namespace: &str) -> Self {
        Self {
            run_id: run_id.to_string(),
            host: format!("{}-{}", crate::host_name(), std::process::id()),
            topics: Topics::new(namespace),
        }
    }

    /// The host's status payload (also the connection's last will).
    pub(super) fn host_payload(&self, status: &str) -> Vec<u8> {
        serde_json::json!({"status": status, "host": crate::host_name(), "pid": std::process::id(), "run": self.run_id, "at": unix_now()})
            .to_string()
            .into_bytes()
    }

    pub(super) fn host_topic(&self) -> String {
        self.topics.host_status(&self.host)
    }

    pub(super) fn host(&self, transport: &Transport, status: &str) {
        publish_retained(transport, self.host_topic(), self.host_payload(status));
    }

    pub(super) fn run(&self, transport: &Transport, status: RunStatus, reason: Option<&str>) {
        let payload = serde_json::json!({"status": status.as_str(), "run": self.run_id, "host": self.host, "reason": reason, "at": unix_now()})
            .to_string()
            .into_bytes();
        publish_retained(transport, self.topics.run_status(&self.run_id), payload);
    }
}

fn publish_retained(transport: &Transport, topic: String, payload: Vec<u8>) {
    if let Err(error) = transport.publish(topic, payload, QoS::AtLeastOnce, true) {
        tracing::warn!(%error, "status not published");
    }
}

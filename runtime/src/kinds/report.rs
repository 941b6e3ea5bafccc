//! The reports of the built-in kinds as one type, for readers of a run's
//! summary (`agora run`'s last lines, the dashboard): the JSON on MQTT and
//! in `events.jsonl` carries the kind in its `"kind"` field.

use serde::{Deserialize, Serialize};

use super::contract_net::ContractNetReport;
use super::pinger::PingerReport;
use crate::telemetry::LearnerReport;

/// An agent's report, by the kind that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum KindReport {
    /// A pinger's round trips.
    Pinger(PingerReport),
    /// A contract-net manager's rounds.
    ContractNet(ContractNetReport),
    /// A learner's training.
    Learner(LearnerReport),
    /// A report of any other kind, as sent.
    #[serde(untagged)]
    Other(serde_json::Value),
}

impl KindReport {
    /// Reads a report as it was sent.
    pub fn from_json(report: &serde_json::Value) -> Self {
        Self::deserialize(report).unwrap_or_else(|_| Self::Other(report.clone()))
    }

    /// The report as it is sent.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|error| {
            // Numbers and strings only: this cannot fail; said if it did.
            tracing::error!(%error, "report does not serialise");
            serde_json::Value::Null
        })
    }
}

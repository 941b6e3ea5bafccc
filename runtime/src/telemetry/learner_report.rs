//! A learner's final report: what it trained and how far. Sent as the
//! learner's `agent_report` (`"kind": "learner"`) and written into the run's
//! digest from this typed value, not read back from the JSON.

use serde::{Deserialize, Serialize};

/// What a learner reports when its training ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerReport {
    /// `q_learning`, `sarsa`, `dqn` or `ppo`.
    pub algorithm: String,
    /// The env id.
    pub env: String,
    /// Env steps over every session.
    pub env_steps: u64,
    /// Episodes over every session.
    pub episodes: u64,
    /// Gradient or table updates.
    pub updates: u64,
    /// Rolling mean return at the end.
    pub mean_return: Option<f64>,
    /// Best rolling mean return.
    pub best_mean_return: Option<f64>,
    /// Live episode steps (visual mode) dropped because the stream's
    /// bounded queue was full.
    #[serde(default)]
    pub stream_dropped: u64,
}

impl LearnerReport {
    /// The report as it travels: its fields and `"kind": "learner"`.
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Tagged<'a> {
            kind: &'static str,
            #[serde(flatten)]
            report: &'a LearnerReport,
        }
        serde_json::to_value(Tagged {
            kind: "learner",
            report: self,
        })
        .unwrap_or_else(|error| {
            // Numbers and strings only: this cannot fail; said once if it did.
            tracing::error!(%error, "learner report does not serialise");
            serde_json::Value::Null
        })
    }
}

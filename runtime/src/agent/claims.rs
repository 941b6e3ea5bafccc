//! Agent names as claims in a namespace: each agent of a run publishes who
//! owns its name (run and host process, retained on `agents/{name}/owner`),
//! and marks the name `offline` at its end only while it still owns it, so
//! a run that took a name over is not declared gone by the one it replaced.

use std::collections::HashSet;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Who holds an agent name (the retained payload of its `owner` topic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameOwner {
    /// The run whose agent has the name.
    pub run: String,
    /// Its host process (`{hostname}-{pid}`, as on `hosts/{host}/status`).
    pub host: String,
}

/// The names of one run and which of them another run has taken over.
#[derive(Debug)]
pub struct Claims {
    owner: NameOwner,
    taken_over: Mutex<HashSet<String>>,
}

impl Claims {
    /// The claims of `run` on `host`.
    pub fn new(run: impl Into<String>, host: impl Into<String>) -> Self {
        Self {
            owner: NameOwner {
                run: run.into(),
                host: host.into(),
            },
            taken_over: Mutex::new(HashSet::new()),
        }
    }

    /// This run as an owner.
    pub fn owner(&self) -> &NameOwner {
        &self.owner
    }

    /// The payload this run's agents publish on their `owner` topic.
    pub fn owner_payload(&self) -> Vec<u8> {
        serde_json::to_vec(&self.owner).unwrap_or_default()
    }

    /// Whether this run still holds `name`.
    pub fn owns(&self, name: &str) -> bool {
        !self
            .taken_over
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(name)
    }

    /// Notes that `by` claimed `name`; true when that takes it from this
    /// run for the first time (the caller logs it then).
    pub fn claimed_by(&self, name: &str, by: &NameOwner) -> bool {
        by != &self.owner
            && self
                .taken_over
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.to_string())
    }
}

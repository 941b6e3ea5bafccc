//! An agent's checkpoint saves on their way to the store writer: at most
//! one in flight, a few waiting, so one agent's saves commit in order and
//! the queue stays bounded whatever the agent does.

use std::collections::VecDeque;

use actix::{Addr, Recipient};

use crate::store::{
    CheckpointCommitted, CheckpointMeta, CommitFailed, SaveCheckpoint, StoreWriter,
};

/// Saves that may wait behind the one being written; beyond this the oldest
/// untagged one is dropped, since a newer state supersedes it.
const PENDING_SAVES: usize = 4;

/// The saves of one agent (or learner).
#[derive(Debug)]
pub(crate) struct SavePipeline {
    run: String,
    agent: String,
    pending: VecDeque<(Vec<u8>, Option<String>)>,
    in_flight: bool,
}

impl SavePipeline {
    pub(crate) fn new(run: impl Into<String>, agent: impl Into<String>) -> Self {
        Self {
            run: run.into(),
            agent: agent.into(),
            pending: VecDeque::new(),
            in_flight: false,
        }
    }

    /// Queues a save (tagged, e.g. `best`, or not).
    pub(crate) fn queue(&mut self, bytes: Vec<u8>, tag: Option<String>) {
        if self.pending.len() >= PENDING_SAVES {
            let oldest_untagged = self
                .pending
                .iter()
                .position(|(_, tag)| tag.is_none())
                .unwrap_or(0);
            self.pending.remove(oldest_untagged);
        }
        self.pending.push_back((bytes, tag));
    }

    /// Sends the next waiting save unless one is in flight. Returns whether
    /// nothing is waiting or in flight any more.
    ///
    /// `do_send`: the save is queued at the writer at once, so it never
    /// waits inside a future that a failing agent would drop; at most one
    /// per agent is in flight, which bounds it.
    pub(crate) fn pump(
        &mut self,
        store: &Addr<StoreWriter>,
        notify: Recipient<CheckpointCommitted>,
    ) -> bool {
        if self.in_flight {
            return false;
        }
        let Some((bytes, tag)) = self.pending.pop_front() else {
            return true;
        };
        self.in_flight = true;
        store.do_send(self.message(bytes, tag, Some(notify)));
        false
    }

    /// The writer's answer to the save in flight.
    pub(crate) fn committed(&mut self, result: &Result<CheckpointMeta, CommitFailed>) {
        self.in_flight = false;
        match result {
            Ok(meta) => {
                tracing::debug!(agent = %self.agent, sequence = meta.sequence, "checkpoint committed")
            }
            Err(error) => tracing::error!(agent = %self.agent, %error, "checkpoint not saved"),
        }
    }

    /// Sends everything waiting without asking to hear back (the agent is
    /// failing): those snapshots were taken after successful steps.
    pub(crate) fn send_all(&mut self, store: &Addr<StoreWriter>) {
        for (bytes, tag) in std::mem::take(&mut self.pending) {
            store.do_send(self.message(bytes, tag, None));
        }
    }

    fn message(
        &self,
        bytes: Vec<u8>,
        tag: Option<String>,
        committed: Option<Recipient<CheckpointCommitted>>,
    ) -> SaveCheckpoint {
        SaveCheckpoint {
            run: self.run.clone(),
            agent: self.agent.clone(),
            bytes,
            tag,
            committed,
        }
    }
}

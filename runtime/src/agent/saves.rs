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

/// One checkpoint on its way to the store.
#[derive(Debug)]
pub(crate) struct QueuedSave {
    pub bytes: Vec<u8>,
    /// A tag such as `best`.
    pub tag: Option<String>,
    /// Playing needs it, resuming cannot use it (a DQN `best` without its
    /// replay buffer).
    pub policy_only: bool,
}

impl QueuedSave {
    /// A checkpoint a run can resume from.
    pub(crate) fn resumable(bytes: Vec<u8>, tag: Option<String>) -> Self {
        Self {
            bytes,
            tag,
            policy_only: false,
        }
    }
}

/// The saves of one agent (or learner).
#[derive(Debug)]
pub(crate) struct SavePipeline {
    run: String,
    agent: String,
    pending: VecDeque<QueuedSave>,
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
    pub(crate) fn queue(&mut self, save: QueuedSave) {
        if self.pending.len() >= PENDING_SAVES {
            let oldest_untagged = self
                .pending
                .iter()
                .position(|save| save.tag.is_none())
                .unwrap_or(0);
            self.pending.remove(oldest_untagged);
        }
        self.pending.push_back(save);
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
        let Some(save) = self.pending.pop_front() else {
            return true;
        };
        self.in_flight = true;
        store.do_send(self.message(save, Some(notify)));
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
        for save in std::mem::take(&mut self.pending) {
            store.do_send(self.message(save, None));
        }
    }

    fn message(
        &self,
        save: QueuedSave,
        committed: Option<Recipient<CheckpointCommitted>>,
    ) -> SaveCheckpoint {
        SaveCheckpoint {
            run: self.run.clone(),
            agent: self.agent.clone(),
            bytes: save.bytes,
            tag: save.tag,
            policy_only: save.policy_only,
            committed,
        }
    }
}

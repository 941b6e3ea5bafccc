//! The store's writer actor: every write goes through it, on a thread of its
//! own (an arbiter hosting nothing else), so fsyncs never stall agents, and
//! the restore reads that must see earlier saves are served after them.
//!
//! # Group commit
//!
//! Saves that arrive together are committed together: the first save of a
//! burst schedules a flush, which actix runs once the messages already in
//! the mailbox have been handled, so a burst of saves (10,000 agents
//! stopping) costs one transaction and one fsync instead of 10,000.

use std::sync::Arc;

use actix::prelude::*;

use super::{
    Checkpoint, CheckpointMeta, CheckpointSelector, NewCheckpoint, RunRecord, Store, StoreError,
};

/// Requests that may wait for the writer.
const WRITER_MAILBOX: usize = 1 << 20;

/// Owns the write side of a [`Store`] on a dedicated thread.
pub struct StoreWriter {
    pub(super) store: Store,
    batch: Vec<SaveCheckpoint>,
    flush_scheduled: bool,
    /// Told when the writer is gone. Declared after `store`, so it drops
    /// after it: whoever waits for it knows the file is closed cleanly.
    pub(super) closed: Option<tokio::sync::oneshot::Sender<()>>,
}

impl StoreWriter {
    /// Starts the writer on a thread of its own.
    pub fn start(store: Store) -> Addr<StoreWriter> {
        let arbiter = Arbiter::new();
        StoreWriter::start_in_arbiter(&arbiter.handle(), move |_| StoreWriter {
            store,
            batch: Vec::new(),
            flush_scheduled: false,
            closed: None,
        })
    }

    /// Commits every queued save in one transaction and tells each sender.
    pub(super) fn flush(&mut self) {
        self.flush_scheduled = false;
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let saves: Vec<NewCheckpoint<'_>> = batch
            .iter()
            .map(|s| NewCheckpoint {
                run: &s.run,
                agent: &s.agent,
                bytes: &s.bytes,
                tag: s.tag.as_deref(),
                policy_only: s.policy_only,
            })
            .collect();
        // Shared: every save of the burst failed with the one transaction.
        let result = self.store.save_checkpoints(&saves).map_err(Arc::new);
        for (index, save) in batch.iter().enumerate() {
            let outcome = match &result {
                Ok(metas) => metas.get(index).cloned().ok_or(CommitFailed::Missing),
                Err(error) => Err(CommitFailed::Store(error.clone())),
            };
            if let Err(error) = &outcome {
                tracing::error!(run = %save.run, agent = %save.agent, %error, "checkpoint not saved");
            }
            if let Some(committed) = &save.committed {
                // One notice per save, to an agent with at most one save in flight.
                committed.do_send(CheckpointCommitted(outcome));
            }
        }
    }
}

impl Actor for StoreWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Senders bound themselves (one save in flight per agent); a small
        // mailbox would only park them. (Not usize::MAX: actix subtracts the
        // capacity from its own maximum.)
        ctx.set_mailbox_capacity(WRITER_MAILBOX);
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        // The arbiter was made for this writer alone.
        Arbiter::current().stop();
    }

    fn stopping(&mut self, _: &mut Self::Context) -> Running {
        self.flush();
        Running::Stop
    }
}

/// Save a checkpoint of (run, agent). Committed with the others of its
/// burst; `committed` (if set) hears the outcome.
///
/// Agents send it with `do_send`: a message held back by a full mailbox
/// inside a future would be lost with an agent that fails, while `do_send`
/// queues it at once.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SaveCheckpoint {
    /// Run id.
    pub run: String,
    /// Agent name.
    pub agent: String,
    /// The agent's state.
    pub bytes: Vec<u8>,
    /// Optional tag such as `best`.
    pub tag: Option<String>,
    /// Playing needs it, resuming cannot use it.
    pub policy_only: bool,
    /// Who to tell when it is committed.
    pub committed: Option<Recipient<CheckpointCommitted>>,
}

/// The outcome of a [`SaveCheckpoint`], for its sender.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct CheckpointCommitted(pub Result<CheckpointMeta, CommitFailed>);

/// Why a [`SaveCheckpoint`] was not committed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CommitFailed {
    /// The store refused the transaction that held it, and with it every
    /// save of its burst (hence shared).
    #[error(transparent)]
    Store(Arc<StoreError>),
    /// The transaction committed without it (a bug in the store).
    #[error("checkpoint missing from its commit")]
    Missing,
}

#[derive(Message)]
#[rtype(result = "()")]
struct Flush;

impl Handler<SaveCheckpoint> for StoreWriter {
    type Result = ();

    fn handle(&mut self, save: SaveCheckpoint, ctx: &mut Self::Context) {
        self.batch.push(save);
        if !self.flush_scheduled {
            self.flush_scheduled = true;
            ctx.notify(Flush);
        }
    }
}

impl Handler<Flush> for StoreWriter {
    type Result = ();

    fn handle(&mut self, _: Flush, _: &mut Self::Context) {
        self.flush();
    }
}

/// Load the latest checkpoint of (run, agent) a run can resume from (not a
/// policy-only one). Answered after every save
/// queued before it is committed.
#[derive(Debug, Message)]
#[rtype(result = "Result<Option<Checkpoint>, StoreError>")]
pub struct LoadLatestCheckpoint {
    /// Run id.
    pub run: String,
    /// Agent name.
    pub agent: String,
}

impl Handler<LoadLatestCheckpoint> for StoreWriter {
    type Result = Result<Option<Checkpoint>, StoreError>;

    fn handle(&mut self, msg: LoadLatestCheckpoint, _: &mut Self::Context) -> Self::Result {
        self.flush();
        self.store
            .load_checkpoint(&msg.run, &msg.agent, &CheckpointSelector::LatestResumable)
    }
}

/// Change a run record in one transaction (after the queued saves).
#[derive(Message)]
#[rtype(result = "Result<RunRecord, StoreError>")]
pub struct UpdateRun {
    /// Run id.
    pub run: String,
    /// The change.
    pub change: Box<dyn FnOnce(&mut RunRecord) + Send>,
}

impl std::fmt::Debug for UpdateRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateRun")
            .field("run", &self.run)
            .finish_non_exhaustive()
    }
}

impl Handler<UpdateRun> for StoreWriter {
    type Result = Result<RunRecord, StoreError>;

    fn handle(&mut self, msg: UpdateRun, _: &mut Self::Context) -> Self::Result {
        self.flush();
        self.store.update_run(&msg.run, msg.change)
    }
}

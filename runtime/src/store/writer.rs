//! The store's writer actor: one thread that performs every write, so
//! fsyncs never stall an arbiter that runs agents, and writes and the
//! restore reads that must see them are served in order.

use actix::{Actor, Addr, Handler, Message, Recipient, SyncArbiter, SyncContext};

use super::{Checkpoint, CheckpointMeta, CheckpointSelector, RunRecord, Store, StoreError};

/// Owns the write side of a [`Store`] on a dedicated thread.
pub struct StoreWriter {
    store: Store,
}

impl StoreWriter {
    /// Starts the writer on its own thread.
    pub fn start(store: Store) -> Addr<StoreWriter> {
        SyncArbiter::start(1, move || StoreWriter {
            store: store.clone(),
        })
    }
}

impl Actor for StoreWriter {
    type Context = SyncContext<Self>;
}

/// Save a checkpoint of (run, agent); answers with its metadata, and also
/// tells `committed` (if set) once the transaction is on disk.
///
/// Agents send it with `do_send` and learn of the commit through
/// `committed`: a message held back by a full mailbox inside a future would
/// be lost with an agent that fails, while `do_send` queues it at once.
#[derive(Debug, Message)]
#[rtype(result = "Result<CheckpointMeta, StoreError>")]
pub struct SaveCheckpoint {
    /// Run id.
    pub run: String,
    /// Agent name.
    pub agent: String,
    /// The agent's state.
    pub bytes: Vec<u8>,
    /// Optional tag such as `best`.
    pub tag: Option<String>,
    /// Who to tell when it is committed.
    pub committed: Option<Recipient<CheckpointCommitted>>,
}

/// The outcome of a [`SaveCheckpoint`], for its sender.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct CheckpointCommitted(pub Result<CheckpointMeta, String>);

impl Handler<SaveCheckpoint> for StoreWriter {
    type Result = Result<CheckpointMeta, StoreError>;

    fn handle(&mut self, msg: SaveCheckpoint, _: &mut Self::Context) -> Self::Result {
        let result =
            self.store
                .save_checkpoint(&msg.run, &msg.agent, &msg.bytes, msg.tag.as_deref());
        if let Some(committed) = msg.committed {
            // One notice per save, to an agent with at most one save in flight.
            committed.do_send(CheckpointCommitted(
                result
                    .as_ref()
                    .map(Clone::clone)
                    .map_err(ToString::to_string),
            ));
        }
        result
    }
}

/// Load the latest checkpoint of (run, agent). Sent through the writer so it
/// is answered after every save queued before it.
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
        self.store
            .load_checkpoint(&msg.run, &msg.agent, &CheckpointSelector::Latest)
    }
}

/// Change a run record in one transaction.
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
        self.store.update_run(&msg.run, msg.change)
    }
}

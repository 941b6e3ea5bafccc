//! Run-record writes a run makes through its store's writer, so the writer
//! is the one owner of the record while the run lives (with `UpdateRun`),
//! and the close that ends the run's hold on the file.

use actix::prelude::*;

use super::{RunRecord, StoreError, StoreWriter};

/// Records a new run.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct PutRun(pub RunRecord);

impl Handler<PutRun> for StoreWriter {
    type Result = Result<(), StoreError>;

    fn handle(&mut self, PutRun(record): PutRun, _: &mut Self::Context) -> Self::Result {
        self.flush();
        self.store.put_run(&record)
    }
}

/// Marks `crashed` the runs of `host` whose process is gone; answers their
/// ids.
#[derive(Debug, Message)]
#[rtype(result = "Result<Vec<String>, StoreError>")]
pub struct MarkCrashed {
    /// This host's name, as run records give it.
    pub host: String,
    /// Whether the process with this id still runs.
    pub alive: fn(u32) -> bool,
}

impl Handler<MarkCrashed> for StoreWriter {
    type Result = Result<Vec<String>, StoreError>;

    fn handle(&mut self, orphans: MarkCrashed, _: &mut Self::Context) -> Self::Result {
        self.flush();
        self.store.mark_crashed(&orphans.host, orphans.alive)
    }
}

/// Commits what is queued, stops the writer and its thread, and answers
/// once the writer (and with it, if it held the last handle, the redb
/// file) is dropped: a file closed this way needs no repair when it is
/// opened next, and can be opened read-only.
#[derive(Debug, Message)]
#[rtype(result = "tokio::sync::oneshot::Receiver<()>")]
pub struct CloseStore;

impl Handler<CloseStore> for StoreWriter {
    type Result = MessageResult<CloseStore>;

    fn handle(&mut self, _: CloseStore, ctx: &mut Self::Context) -> Self::Result {
        self.flush();
        let (closed, gone) = tokio::sync::oneshot::channel();
        self.closed = Some(closed);
        ctx.stop();
        MessageResult(gone)
    }
}

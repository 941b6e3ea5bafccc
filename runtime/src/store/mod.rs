//! The checkpoint store: one redb file holding the run registry and every
//! agent's checkpoints.
//!
//! Saving a checkpoint is one write transaction, so a crash at any moment
//! leaves the last committed checkpoint loadable. Several processes may have
//! the same file open (redb's multi-writer mode): a run writes while
//! `agora runs list` reads.

mod checkpoint;
mod retention;
mod run;
mod run_writes;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{
    ConcurrencyMode, Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, ReadableTable,
    TableDefinition, WriteTransaction,
};

pub use checkpoint::{Checkpoint, CheckpointMeta, CheckpointSelector, NewCheckpoint};
pub use retention::KEEP_ALL;
pub use run::{RunDigest, RunRecord, RunStatus};
pub use run_writes::{CloseStore, MarkCrashed, PutRun};
pub use writer::{
    CheckpointCommitted, CommitFailed, LoadLatestCheckpoint, SaveCheckpoint, StoreWriter, UpdateRun,
};

/// Run id → JSON [`RunRecord`].
const RUNS: TableDefinition<&str, &[u8]> = TableDefinition::new("runs");
/// (run, agent, sequence) → checkpoint bytes.
const CHECKPOINT_DATA: TableDefinition<(&str, &str, u64), &[u8]> =
    TableDefinition::new("checkpoint_data");
/// (run, agent, sequence) → JSON [`CheckpointMeta`].
const CHECKPOINT_META: TableDefinition<(&str, &str, u64), &[u8]> =
    TableDefinition::new("checkpoint_meta");
/// (run, agent, tag) → sequence, e.g. the `best` checkpoint.
const CHECKPOINT_TAGS: TableDefinition<(&str, &str, &str), u64> =
    TableDefinition::new("checkpoint_tags");

/// What went wrong in the store. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb reported an error.
    #[error("checkpoint store {path}: {source}")]
    Database {
        /// The store file.
        path: PathBuf,
        /// What redb said.
        #[source]
        source: Box<redb::Error>,
    },
    /// The file is not a redb store, or one damaged beyond repair.
    #[error(
        "{path} is not a valid checkpoint store ({reason}); move it aside (mv {path} {path}.damaged) and the next run starts a new store there"
    )]
    NotAStore {
        /// The store file.
        path: PathBuf,
        /// What redb said.
        reason: String,
    },
    /// The folder for the store could not be created.
    #[error("cannot create the folder for checkpoint store {path}: {source}")]
    CreateDir {
        /// The store file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A stored record does not decode (the file was written by an
    /// incompatible version or damaged outside redb).
    #[error("checkpoint store {path}: record {key} does not decode: {reason}")]
    Corrupt {
        /// The store file.
        path: PathBuf,
        /// Which record.
        key: String,
        /// Why.
        reason: String,
    },
    /// A checkpoint's bytes are not those that were saved (its checksum
    /// does not match): the file was damaged outside redb.
    #[error(
        "checkpoint #{sequence} of agent {agent} of run {run} in {path} is damaged (its checksum does not match); load another one (RUN:SEQ) or delete the run (agora runs rm {run})"
    )]
    CorruptCheckpoint {
        /// The store file.
        path: PathBuf,
        /// The run.
        run: String,
        /// The agent.
        agent: String,
        /// Its sequence number.
        sequence: u64,
    },
    /// No run with that id.
    #[error("no run `{run}` in {path}")]
    UnknownRun {
        /// The store file.
        path: PathBuf,
        /// The id asked for.
        run: String,
    },
    /// The store's writer actor is gone (its thread ended), so nothing more
    /// can be written in this run.
    #[error("the store's writer has stopped; nothing more can be written")]
    WriterGone,
    /// The store was opened read-only (its folder or file cannot be
    /// written), and this command writes.
    #[error("{path} is read-only here (opened for reading because it cannot be written)")]
    ReadOnly {
        /// The store file.
        path: PathBuf,
    },
}

/// The fields of a run record that say whether its process still runs it.
#[derive(serde::Deserialize)]
struct RunLiveness {
    id: String,
    status: RunStatus,
    host: String,
    pid: u32,
}

/// A handle on the store file. Cheap to clone; reads run on any thread.
#[derive(Clone)]
pub struct Store {
    db: Arc<Handle>,
    path: Arc<PathBuf>,
    /// Checkpoints kept per agent besides the tagged ones ([`KEEP_ALL`]: every one).
    keep_latest: Arc<std::sync::atomic::AtomicUsize>,
}

/// The open file: writable, or read-only for commands that only read
/// where the file cannot be written.
enum Handle {
    Writable(Database),
    ReadOnly(ReadOnlyDatabase),
}

impl Handle {
    fn begin_read(&self) -> Result<ReadTransaction, redb::TransactionError> {
        match self {
            Handle::Writable(db) => db.begin_read(),
            Handle::ReadOnly(db) => db.begin_read(),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store, creating the file (and its folder) if needed.
    ///
    /// # Blocking
    ///
    /// File I/O; after a crash redb repairs the file here, which can take a
    /// while for a large store.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: path.clone(),
                source,
            })?;
        }
        let db = Database::builder()
            .set_concurrency_mode(ConcurrencyMode::MultiWriter)
            .create(&path)
            .map_err(|e| database_error(&path, e))?;
        let store = Store {
            db: Arc::new(Handle::Writable(db)),
            path: Arc::new(path),
            keep_latest: Arc::default(),
        };
        store.create_tables()?;
        Ok(store)
    }

    /// Opens the store to read it: writable when it can be (so a store that
    /// needs repair after a crash is repaired), else read-only, as on a
    /// read-only file system or in a folder of another user. Writes through a
    /// read-only store fail with [`StoreError::ReadOnly`].
    ///
    /// # Blocking
    ///
    /// File I/O.
    pub fn open_for_reading(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref();
        let writable = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .is_ok();
        if writable {
            return Self::open(path);
        }
        let db = Database::builder()
            .set_concurrency_mode(ConcurrencyMode::MultiWriter)
            .open_read_only(path)
            .map_err(|e| database_error(path, e))?;
        Ok(Store {
            db: Arc::new(Handle::ReadOnly(db)),
            path: Arc::new(path.to_path_buf()),
            keep_latest: Arc::default(),
        })
    }

    /// From now on, each save keeps the latest `keep` checkpoints of its
    /// agent and the tagged ones, and deletes the others in its transaction
    /// ([`KEEP_ALL`]: keep every one, the default).
    pub fn keep_latest(&self, keep: usize) {
        self.keep_latest
            .store(keep, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether writes through this handle fail ([`Self::open_for_reading`]).
    pub fn is_read_only(&self) -> bool {
        matches!(*self.db, Handle::ReadOnly(_))
    }

    fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        match &*self.db {
            Handle::Writable(db) => db.begin_write().map_err(|e| self.fail(e)),
            Handle::ReadOnly(_) => Err(StoreError::ReadOnly {
                path: self.path.to_path_buf(),
            }),
        }
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, error: impl Into<redb::Error>) -> StoreError {
        database_error(&self.path, error)
    }

    fn create_tables(&self) -> Result<(), StoreError> {
        // A write transaction is a sync to disk; the dashboard opens the
        // store for each request, and the tables are there but the first time.
        if self.tables_exist() {
            return Ok(());
        }
        let txn = self.begin_write()?;
        {
            txn.open_table(RUNS).map_err(|e| self.fail(e))?;
            txn.open_table(CHECKPOINT_DATA).map_err(|e| self.fail(e))?;
            txn.open_table(CHECKPOINT_META).map_err(|e| self.fail(e))?;
            txn.open_table(CHECKPOINT_TAGS).map_err(|e| self.fail(e))?;
        }
        txn.commit().map_err(|e| self.fail(e))
    }

    fn tables_exist(&self) -> bool {
        let Ok(txn) = self.db.begin_read() else {
            return false;
        };
        txn.open_table(RUNS).is_ok()
            && txn.open_table(CHECKPOINT_DATA).is_ok()
            && txn.open_table(CHECKPOINT_META).is_ok()
            && txn.open_table(CHECKPOINT_TAGS).is_ok()
    }

    /// Inserts or replaces a run record.
    pub fn put_run(&self, record: &RunRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(record).map_err(|e| self.corrupt(&record.id, e))?;
        let txn = self.begin_write()?;
        {
            let mut runs = txn.open_table(RUNS).map_err(|e| self.fail(e))?;
            runs.insert(record.id.as_str(), bytes.as_slice())
                .map_err(|e| self.fail(e))?;
        }
        txn.commit().map_err(|e| self.fail(e))
    }

    /// Changes a run record in one transaction.
    pub fn update_run(
        &self,
        run: &str,
        change: impl FnOnce(&mut RunRecord),
    ) -> Result<RunRecord, StoreError> {
        let txn = self.begin_write()?;
        let record = {
            let mut runs = txn.open_table(RUNS).map_err(|e| self.fail(e))?;
            let mut record = match runs.get(run).map_err(|e| self.fail(e))? {
                Some(bytes) => self.decode_run(run, bytes.value())?,
                None => {
                    return Err(StoreError::UnknownRun {
                        path: self.path.to_path_buf(),
                        run: run.to_string(),
                    });
                }
            };
            change(&mut record);
            let bytes = serde_json::to_vec(&record).map_err(|e| self.corrupt(run, e))?;
            runs.insert(run, bytes.as_slice())
                .map_err(|e| self.fail(e))?;
            record
        };
        txn.commit().map_err(|e| self.fail(e))?;
        Ok(record)
    }

    /// One run record.
    pub fn run(&self, run: &str) -> Result<Option<RunRecord>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.fail(e))?;
        let runs = txn.open_table(RUNS).map_err(|e| self.fail(e))?;
        match runs.get(run).map_err(|e| self.fail(e))? {
            Some(bytes) => Ok(Some(self.decode_run(run, bytes.value())?)),
            None => Ok(None),
        }
    }

    /// Every run record, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.fail(e))?;
        let runs = txn.open_table(RUNS).map_err(|e| self.fail(e))?;
        let mut records = Vec::new();
        for entry in runs.iter().map_err(|e| self.fail(e))? {
            let (key, value) = entry.map_err(|e| self.fail(e))?;
            records.push(self.decode_run(key.value(), value.value())?);
        }
        records.sort_by(|a, b| a.started_at.total_cmp(&b.started_at));
        Ok(records)
    }

    /// Who runs each run: its status, host and process, read without the
    /// rest of its record (a large run's summary is megabytes, and every
    /// run start reads them all to mark crashed runs).
    fn run_liveness(&self) -> Result<Vec<RunLiveness>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.fail(e))?;
        let runs = txn.open_table(RUNS).map_err(|e| self.fail(e))?;
        let mut found = Vec::new();
        for entry in runs.iter().map_err(|e| self.fail(e))? {
            let (key, value) = entry.map_err(|e| self.fail(e))?;
            let liveness: RunLiveness = serde_json::from_slice(value.value())
                .map_err(|e| self.corrupt(&format!("run {}", key.value()), e))?;
            found.push(liveness);
        }
        Ok(found)
    }

    /// Saves a checkpoint as the next sequence number of (run, agent), in
    /// one write transaction. With a `tag` (e.g. `best`) the tag moves to it.
    ///
    /// # Blocking
    ///
    /// Waits for the commit to reach the disk (fsync). Actors call it through
    /// [`StoreWriter`], never on an arbiter that hosts other actors.
    pub fn save_checkpoint(
        &self,
        run: &str,
        agent: &str,
        bytes: &[u8],
        tag: Option<&str>,
    ) -> Result<CheckpointMeta, StoreError> {
        let mut metas = self.save_checkpoints(&[NewCheckpoint {
            run,
            agent,
            bytes,
            tag,
            policy_only: false,
        }])?;
        metas
            .pop()
            .ok_or_else(|| self.corrupt(run, "no checkpoint was written"))
    }

    /// Saves several checkpoints in one write transaction (group commit):
    /// all of them or none reach the disk, with one fsync. Saves of the same
    /// agent get consecutive sequence numbers in order.
    ///
    /// # Blocking
    ///
    /// As [`save_checkpoint`](Self::save_checkpoint).
    pub fn save_checkpoints(
        &self,
        saves: &[NewCheckpoint<'_>],
    ) -> Result<Vec<CheckpointMeta>, StoreError> {
        let txn = self.begin_write()?;
        let mut written = Vec::with_capacity(saves.len());
        {
            let mut data = txn.open_table(CHECKPOINT_DATA).map_err(|e| self.fail(e))?;
            let mut metas = txn.open_table(CHECKPOINT_META).map_err(|e| self.fail(e))?;
            let mut tags = txn.open_table(CHECKPOINT_TAGS).map_err(|e| self.fail(e))?;
            for save in saves {
                let NewCheckpoint {
                    run,
                    agent,
                    bytes,
                    tag,
                    policy_only,
                } = *save;
                let last = metas
                    .range((run, agent, 0)..=(run, agent, u64::MAX))
                    .map_err(|e| self.fail(e))?
                    .next_back()
                    .transpose()
                    .map_err(|e| self.fail(e))?
                    .map(|(key, _)| key.value().2);
                let sequence = last.map_or(1, |s| s + 1);
                let meta = CheckpointMeta {
                    run: run.to_string(),
                    agent: agent.to_string(),
                    sequence,
                    created_at: crate::transport::unix_now(),
                    size: bytes.len() as u64,
                    tag: tag.map(str::to_string),
                    crc32c: Some(crc32c::crc32c(bytes)),
                    policy_only,
                };
                let meta_bytes = serde_json::to_vec(&meta).map_err(|e| self.corrupt(run, e))?;
                data.insert((run, agent, sequence), bytes)
                    .map_err(|e| self.fail(e))?;
                metas
                    .insert((run, agent, sequence), meta_bytes.as_slice())
                    .map_err(|e| self.fail(e))?;
                if let Some(tag) = tag {
                    tags.insert((run, agent, tag), sequence)
                        .map_err(|e| self.fail(e))?;
                }
                let keep = self.keep_latest.load(std::sync::atomic::Ordering::Relaxed);
                retention::prune(&mut data, &mut metas, &tags, run, agent, keep)
                    .map_err(|e| self.fail(e))?;
                written.push(meta);
            }
        }
        txn.commit().map_err(|e| self.fail(e))?;
        Ok(written)
    }

    /// Loads one checkpoint of (run, agent): the latest, a tagged one or a
    /// given sequence number.
    pub fn load_checkpoint(
        &self,
        run: &str,
        agent: &str,
        which: &CheckpointSelector,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.fail(e))?;
        let data = txn.open_table(CHECKPOINT_DATA).map_err(|e| self.fail(e))?;
        let metas = txn.open_table(CHECKPOINT_META).map_err(|e| self.fail(e))?;
        let sequence = match which {
            CheckpointSelector::Latest => metas
                .range((run, agent, 0)..=(run, agent, u64::MAX))
                .map_err(|e| self.fail(e))?
                .next_back()
                .transpose()
                .map_err(|e| self.fail(e))?
                .map(|(key, _)| key.value().2),
            CheckpointSelector::LatestResumable => {
                let mut resumable = None;
                for entry in metas
                    .range((run, agent, 0)..=(run, agent, u64::MAX))
                    .map_err(|e| self.fail(e))?
                    .rev()
                {
                    let (key, meta) = entry.map_err(|e| self.fail(e))?;
                    let sequence = key.value().2;
                    let meta: CheckpointMeta =
                        serde_json::from_slice(meta.value()).map_err(|e| {
                            self.corrupt(&format!("checkpoint {run}/{agent}/{sequence}"), e)
                        })?;
                    if !meta.policy_only {
                        resumable = Some(sequence);
                        break;
                    }
                }
                resumable
            }
            CheckpointSelector::Sequence(n) => Some(*n),
            CheckpointSelector::Tag(tag) => {
                let tags = txn.open_table(CHECKPOINT_TAGS).map_err(|e| self.fail(e))?;
                tags.get((run, agent, tag.as_str()))
                    .map_err(|e| self.fail(e))?
                    .map(|v| v.value())
            }
        };
        let Some(sequence) = sequence else {
            return Ok(None);
        };
        let key = (run, agent, sequence);
        let (Some(meta), Some(bytes)) = (
            metas.get(key).map_err(|e| self.fail(e))?,
            data.get(key).map_err(|e| self.fail(e))?,
        ) else {
            return Ok(None);
        };
        let meta: CheckpointMeta = serde_json::from_slice(meta.value())
            .map_err(|e| self.corrupt(&format!("checkpoint {run}/{agent}/{sequence}"), e))?;
        let bytes = bytes.value().to_vec();
        let found = crc32c::crc32c(&bytes);
        if let Some(expected) = meta.crc32c
            && expected != found
        {
            return Err(StoreError::CorruptCheckpoint {
                path: self.path.to_path_buf(),
                run: run.to_string(),
                agent: agent.to_string(),
                sequence,
            });
        }
        Ok(Some(Checkpoint { meta, bytes }))
    }

    /// Metadata of every checkpoint of a run, by agent then sequence.
    pub fn checkpoints(&self, run: &str) -> Result<Vec<CheckpointMeta>, StoreError> {
        let txn = self.db.begin_read().map_err(|e| self.fail(e))?;
        let metas = txn.open_table(CHECKPOINT_META).map_err(|e| self.fail(e))?;
        let mut found = Vec::new();
        for entry in metas.range((run, "", 0)..).map_err(|e| self.fail(e))? {
            let (key, value) = entry.map_err(|e| self.fail(e))?;
            if key.value().0 != run {
                break;
            }
            let meta: CheckpointMeta = serde_json::from_slice(value.value())
                .map_err(|e| self.corrupt(&format!("checkpoint of {run}"), e))?;
            found.push(meta);
        }
        Ok(found)
    }

    /// Deletes a run's record and every checkpoint of it, in one
    /// transaction. Returns how many checkpoints went with it.
    pub fn delete_run(&self, run: &str) -> Result<usize, StoreError> {
        let txn = self.begin_write()?;
        let removed = {
            let mut runs = txn.open_table(RUNS).map_err(|e| self.fail(e))?;
            if runs.remove(run).map_err(|e| self.fail(e))?.is_none() {
                return Err(StoreError::UnknownRun {
                    path: self.path.to_path_buf(),
                    run: run.to_string(),
                });
            }
            let mut data = txn.open_table(CHECKPOINT_DATA).map_err(|e| self.fail(e))?;
            let mut metas = txn.open_table(CHECKPOINT_META).map_err(|e| self.fail(e))?;
            let mut tags = txn.open_table(CHECKPOINT_TAGS).map_err(|e| self.fail(e))?;
            let mut keys = Vec::new();
            for entry in metas.range((run, "", 0)..).map_err(|e| self.fail(e))? {
                let (key, _) = entry.map_err(|e| self.fail(e))?;
                let (r, agent, sequence) = key.value();
                if r != run {
                    break;
                }
                keys.push((agent.to_string(), sequence));
            }
            for (agent, sequence) in &keys {
                data.remove((run, agent.as_str(), *sequence))
                    .map_err(|e| self.fail(e))?;
                metas
                    .remove((run, agent.as_str(), *sequence))
                    .map_err(|e| self.fail(e))?;
            }
            let mut tag_keys = Vec::new();
            for entry in tags.range((run, "", "")..).map_err(|e| self.fail(e))? {
                let (key, _) = entry.map_err(|e| self.fail(e))?;
                let (r, agent, tag) = key.value();
                if r != run {
                    break;
                }
                tag_keys.push((agent.to_string(), tag.to_string()));
            }
            for (agent, tag) in &tag_keys {
                tags.remove((run, agent.as_str(), tag.as_str()))
                    .map_err(|e| self.fail(e))?;
            }
            keys.len()
        };
        txn.commit().map_err(|e| self.fail(e))?;
        Ok(removed)
    }

    /// Marks `crashed` every run recorded as running or paused on `host`
    /// whose process `alive` says is gone. Returns their ids.
    pub fn mark_crashed(
        &self,
        host: &str,
        alive: impl Fn(u32) -> bool,
    ) -> Result<Vec<String>, StoreError> {
        let orphans: Vec<String> = self
            .run_liveness()?
            .into_iter()
            .filter(|r| {
                matches!(r.status, RunStatus::Running | RunStatus::Paused)
                    && r.host == host
                    && !alive(r.pid)
            })
            .map(|r| r.id)
            .collect();
        for run in &orphans {
            self.update_run(run, |r| {
                r.status = RunStatus::Crashed;
                r.reason = Some("its process ended without ending the run".into());
            })?;
        }
        Ok(orphans)
    }

    fn decode_run(&self, key: &str, bytes: &[u8]) -> Result<RunRecord, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| self.corrupt(&format!("run {key}"), e))
    }

    fn corrupt(&self, key: &str, error: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.path.to_path_buf(),
            key: key.to_string(),
            reason: error.to_string(),
        }
    }
}

fn database_error(path: &Path, error: impl Into<redb::Error>) -> StoreError {
    let error: redb::Error = error.into();
    let text = error.to_string();
    if matches!(error, redb::Error::Corrupted(_)) || text.contains("Not a redb database") {
        return StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: text,
        };
    }
    StoreError::Database {
        path: path.to_path_buf(),
        source: Box::new(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("nested/agora.redb")).expect("store opens");
        (dir, store)
    }

    /// 2,000 random byte flips in the middle of a store went undetected:
    /// a checkpoint's bytes now carry a checksum checked on every load.
    #[test]
    fn a_damaged_checkpoint_is_reported_by_run_agent_and_sequence() {
        let (_dir, store) = temp_store();
        store
            .save_checkpoint("r", "a", b"weights and counters", None)
            .expect("saved");
        let Handle::Writable(db) = &*store.db else {
            panic!("opened writable");
        };
        let txn = db.begin_write().expect("write");
        txn.open_table(CHECKPOINT_DATA)
            .expect("table")
            .insert(("r", "a", 1), b"weights and c0unters".as_slice())
            .expect("damage");
        txn.commit().expect("commit");
        let error = store
            .load_checkpoint("r", "a", &CheckpointSelector::Latest)
            .expect_err("damage is found");
        assert!(
            matches!(error, StoreError::CorruptCheckpoint { sequence: 1, .. }),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.contains("#1") && text.contains("run r") && text.contains("agent a"),
            "{text}"
        );
    }

    /// Bests found in a burst are policy-only: they never push out the
    /// latest checkpoints a resume needs, and a resume never takes one.
    #[test]
    fn policy_only_saves_neither_count_towards_the_latest_few_nor_resume() {
        let (_dir, store) = temp_store();
        store.keep_latest(2);
        let save = |bytes: &[u8], tag: Option<&str>, policy_only: bool| {
            store
                .save_checkpoints(&[NewCheckpoint {
                    run: "r",
                    agent: "a",
                    bytes,
                    tag,
                    policy_only,
                }])
                .expect("saved")
        };
        save(b"full 1", None, false);
        save(b"full 2", None, false);
        for n in 3..=7u8 {
            save(&[n], Some("best"), true);
        }
        let kept: Vec<(u64, bool)> = store
            .checkpoints("r")
            .expect("listed")
            .into_iter()
            .map(|m| (m.sequence, m.policy_only))
            .collect();
        assert_eq!(
            kept,
            vec![(1, false), (2, false), (7, true)],
            "the two latest full ones and the tagged best"
        );
        let resumed = store
            .load_checkpoint("r", "a", &CheckpointSelector::LatestResumable)
            .expect("loads")
            .expect("one is resumable");
        assert_eq!(resumed.bytes, b"full 2");
        let latest = store
            .load_checkpoint("r", "a", &CheckpointSelector::Latest)
            .expect("loads")
            .expect("latest");
        assert!(latest.meta.policy_only, "{:?}", latest.meta);
        let best = store
            .load_checkpoint("r", "a", &CheckpointSelector::Tag("best".into()))
            .expect("loads")
            .expect("tagged");
        assert_eq!(best.bytes, [7]);
    }

    /// A DQN run wrote a `best` at every new best mean, each with the whole
    /// replay buffer (29 runs left 0.8 GB): saves now keep the latest few
    /// and the tagged ones.
    #[test]
    fn saves_keep_the_latest_few_and_the_tagged_ones() {
        let (_dir, store) = temp_store();
        store.keep_latest(3);
        for n in 1..=6u8 {
            let tag = (n == 2).then_some("best");
            store.save_checkpoint("r", "a", &[n], tag).expect("saved");
        }
        store
            .save_checkpoint("r", "b", &[9], None)
            .expect("other agent");
        let kept: Vec<u64> = store
            .checkpoints("r")
            .expect("listed")
            .into_iter()
            .filter(|m| m.agent == "a")
            .map(|m| m.sequence)
            .collect();
        assert_eq!(kept, [2, 4, 5, 6]);
        let best = store
            .load_checkpoint("r", "a", &CheckpointSelector::Tag("best".into()))
            .expect("loads")
            .expect("kept");
        assert_eq!(best.bytes, [2]);
        assert_eq!(store.checkpoints("r").expect("listed").len(), 5);
    }

    #[test]
    fn checkpoints_are_numbered_per_agent_and_the_latest_wins() {
        let (_dir, store) = temp_store();
        assert!(
            store
                .load_checkpoint("r", "a", &CheckpointSelector::Latest)
                .expect("read")
                .is_none()
        );
        store.save_checkpoint("r", "a", b"one", None).expect("save");
        store
            .save_checkpoint("r", "b", b"other agent", None)
            .expect("save");
        let second = store
            .save_checkpoint("r", "a", b"two", Some("best"))
            .expect("save");
        assert_eq!(second.sequence, 2);
        store
            .save_checkpoint("r", "a", b"three", None)
            .expect("save");

        let latest = store
            .load_checkpoint("r", "a", &CheckpointSelector::Latest)
            .expect("read")
            .expect("exists");
        assert_eq!(
            (latest.meta.sequence, latest.bytes.as_slice()),
            (3, b"three".as_slice())
        );
        let best = store
            .load_checkpoint("r", "a", &CheckpointSelector::Tag("best".into()))
            .expect("read")
            .expect("tagged");
        assert_eq!(best.bytes, b"two");
        let first = store
            .load_checkpoint("r", "a", &CheckpointSelector::Sequence(1))
            .expect("read")
            .expect("kept");
        assert_eq!(first.bytes, b"one");
        assert_eq!(store.checkpoints("r").expect("list").len(), 4);
        assert!(store.checkpoints("other").expect("list").is_empty());
    }

    #[test]
    fn a_group_commit_numbers_each_agent_in_order() {
        let (_dir, store) = temp_store();
        store.save_checkpoint("r", "a", b"0", None).expect("save");
        let saves = [
            NewCheckpoint {
                run: "r",
                agent: "a",
                bytes: b"1",
                tag: None,
                policy_only: false,
            },
            NewCheckpoint {
                run: "r",
                agent: "b",
                bytes: b"x",
                tag: None,
                policy_only: false,
            },
            NewCheckpoint {
                run: "r",
                agent: "a",
                bytes: b"2",
                tag: Some("best"),
                policy_only: false,
            },
        ];
        let metas = store.save_checkpoints(&saves).expect("group commit");
        let numbers: Vec<(String, u64)> = metas
            .iter()
            .map(|m| (m.agent.clone(), m.sequence))
            .collect();
        assert_eq!(numbers, [("a".into(), 2), ("b".into(), 1), ("a".into(), 3)]);
        let best = store
            .load_checkpoint("r", "a", &CheckpointSelector::Tag("best".into()))
            .expect("read")
            .expect("tagged");
        assert_eq!(best.bytes, b"2");
    }

    #[test]
    fn run_records_survive_reopening_and_updates() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("agora.redb");
        {
            let store = Store::open(&path).expect("open");
            store
                .put_run(&RunRecord::started("run-1", "quickstart", "[run]\n"))
                .expect("put");
            store
                .update_run("run-1", |r| r.status = RunStatus::Completed)
                .expect("update");
            assert!(matches!(
                store.update_run("nope", |_| {}),
                Err(StoreError::UnknownRun { .. })
            ));
        }
        let store = Store::open(&path).expect("reopen");
        let runs = store.runs().expect("list");
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, RunStatus::Completed);
    }

    #[test]
    fn two_handles_on_one_file_can_both_write() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("agora.redb");
        let first = Store::open(&path).expect("open");
        let second = Store::open(&path).expect("a second handle, as another process would hold");
        first.save_checkpoint("r", "a", b"1", None).expect("save");
        second.save_checkpoint("r", "a", b"2", None).expect("save");
        let latest = first
            .load_checkpoint("r", "a", &CheckpointSelector::Latest)
            .expect("read")
            .expect("exists");
        assert_eq!(latest.bytes, b"2");
    }
}

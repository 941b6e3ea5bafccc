//! Runs as they are kept on disk, read from outside the run: where their
//! store is, which run an id or prefix names, its config, its checkpoints
//! and a trainer restored from one.
//!
//! `agora resume`, `agora eval`, `--warm-start`, `agora runs` and the
//! dashboard all find runs here, so a run with its own `[store] path` is
//! found the same way as one in the data dir's default store.

mod index;

use std::path::PathBuf;

use agora_agents::learners::checkpoint::Checkpoint as LearnerCheckpoint;
use agora_agents::learners::eval::{EvalSummary, evaluate};
use agora_agents::learners::{TrainError, Trainer};
use agora_agents::{AutoresetMode, make_vec};

use crate::config::{ConfigError, ExperimentConfig};
use crate::learn::LearnerSpec;
use crate::store::{Checkpoint, CheckpointMeta, CheckpointSelector, RunRecord, Store, StoreError};

pub use index::StoreIndex;

/// Why a stored run, its config or a checkpoint could not be had. Each
/// variant names the run and, where one is involved, the store file.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    /// The data dir has no store at all.
    #[error(
        "no run registry at {} (runs are recorded there by `agora run`; see --data-dir)",
        .default.display()
    )]
    NoRegistry {
        /// The default store that was looked for.
        default: PathBuf,
    },
    /// No run has that id or starts with it.
    #[error("no run `{wanted}` in {} (see `agora runs list`)", list_paths(.searched))]
    UnknownRun {
        /// The id or prefix asked for.
        wanted: String,
        /// The stores searched.
        searched: Vec<PathBuf>,
    },
    /// Several runs start with the prefix.
    #[error("`{wanted}` matches {} runs ({}); give more of the id", .matches.len(), .matches.join(", "))]
    Ambiguous {
        /// The prefix asked for.
        wanted: String,
        /// The ids it matches.
        matches: Vec<String>,
    },
    /// The data dir's store index cannot be read or written.
    #[error("store index {}: {source}", .path.display())]
    Index {
        /// The index file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The config stored with the run does not parse (with this build).
    #[error("the config stored with run {run} is not usable: {source}")]
    Config {
        /// The run.
        run: String,
        /// Why.
        #[source]
        source: ConfigError,
    },
    /// The run has no learner, so no policy checkpoints.
    #[error("run {run} has no [learner]; it has no policy checkpoints")]
    NoLearner {
        /// The run.
        run: String,
    },
    /// The run has no such checkpoint.
    #[error("run {run} has no checkpoint {which} of its learner `{agent}`{kept}")]
    NoCheckpoint {
        /// The run.
        run: String,
        /// The learner's agent name.
        agent: String,
        /// The checkpoint asked for.
        which: CheckpointSelector,
        /// What the run does keep, in words (empty when it keeps none).
        kept: String,
    },
    /// The checkpoint was trained on another env than the one asked for.
    #[error(
        "checkpoint #{sequence} of run {run} was trained on `{trained_on}`; it cannot play `{asked}`"
    )]
    WrongEnv {
        /// The run.
        run: String,
        /// Its sequence number.
        sequence: u64,
        /// The env it was trained on.
        trained_on: String,
        /// The env asked for.
        asked: String,
    },
    /// The evaluation envs could not be made or stepped.
    #[error("evaluating run {run}: {source}")]
    Eval {
        /// The run.
        run: String,
        /// Why (boxed: a training error is large and this one is rare).
        #[source]
        source: Box<TrainError>,
    },
    /// The checkpoint does not restore into the run's learner.
    #[error("checkpoint #{sequence} of run {run}: {source}")]
    Restore {
        /// The run.
        run: String,
        /// Its sequence number.
        sequence: u64,
        /// Why (boxed: a training error is large and this one is rare).
        #[source]
        source: Box<TrainError>,
    },
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds runs across every store a data dir knows of.
#[derive(Debug, Clone)]
pub struct RunLocator {
    index: StoreIndex,
}

impl RunLocator {
    /// The runs of `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            index: StoreIndex::new(data_dir),
        }
    }

    /// The store index behind it.
    pub fn index(&self) -> &StoreIndex {
        &self.index
    }

    /// Opens every store that exists, read-only where it cannot be written;
    /// an error when there is none.
    ///
    /// # Blocking
    ///
    /// Opens redb files.
    pub fn open_stores(&self) -> Result<Vec<Store>, LocateError> {
        let paths = self.index.stores()?;
        if paths.is_empty() {
            return Err(LocateError::NoRegistry {
                default: self.index.default_store(),
            });
        }
        paths
            .iter()
            .map(|p| Store::open_for_reading(p).map_err(LocateError::from))
            .collect()
    }

    /// Every run of every store, in each store's order.
    pub fn runs(&self) -> Result<Vec<StoredRun>, LocateError> {
        let mut all = Vec::new();
        for store in self.open_stores()? {
            for record in store.runs()? {
                all.push(StoredRun {
                    store: store.clone(),
                    record,
                });
            }
        }
        Ok(all)
    }

    /// The run with this id, or the only one whose id starts with it.
    pub fn find(&self, wanted: &str) -> Result<StoredRun, LocateError> {
        let stores = self.open_stores()?;
        for store in &stores {
            if let Some(record) = store.run(wanted)? {
                return Ok(StoredRun {
                    store: store.clone(),
                    record,
                });
            }
        }
        let mut matches = Vec::new();
        for store in &stores {
            for record in store.runs()? {
                if record.id.starts_with(wanted) {
                    matches.push(StoredRun {
                        store: store.clone(),
                        record,
                    });
                }
            }
        }
        match matches.len() {
            1 => Ok(matches.remove(0)),
            0 => Err(LocateError::UnknownRun {
                wanted: wanted.to_string(),
                searched: stores.iter().map(|s| s.path().to_path_buf()).collect(),
            }),
            _ => Err(LocateError::Ambiguous {
                wanted: wanted.to_string(),
                matches: matches.into_iter().map(|m| m.record.id).collect(),
            }),
        }
    }
}

/// A checkpoint played greedily.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evaluation {
    /// The checkpoint played.
    pub checkpoint: CheckpointMeta,
    /// The env it played.
    pub env: String,
    /// Returns and success rate.
    pub summary: EvalSummary,
}

/// One run in its store.
#[derive(Debug, Clone)]
pub struct StoredRun {
    store: Store,
    record: RunRecord,
}

/// A learner checkpoint with the spec it belongs to.
#[derive(Debug)]
pub struct LearnerCheckpointed {
    /// The run's learner as its stored config describes it.
    pub spec: LearnerSpec,
    /// The checkpoint.
    pub checkpoint: Checkpoint,
}

impl StoredRun {
    /// The run's record as it was read.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// The run's id.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The store that holds it.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The config the run was started with, parsed again. A config that no
    /// longer parses is an error, never guessed around.
    pub fn config(&self) -> Result<ExperimentConfig, LocateError> {
        let source = self
            .record
            .config_path
            .clone()
            .unwrap_or_else(|| format!("{}.toml", self.record.name));
        ExperimentConfig::from_toml_str(&source, &self.record.config).map_err(|source| {
            LocateError::Config {
                run: self.record.id.clone(),
                source,
            }
        })
    }

    /// The run's learner, from its stored config.
    pub fn learner(&self) -> Result<LearnerSpec, LocateError> {
        let config = self.config()?;
        config
            .learner_spec()
            .map_err(|source| LocateError::Config {
                run: self.record.id.clone(),
                source,
            })?
            .ok_or_else(|| LocateError::NoLearner {
                run: self.record.id.clone(),
            })
    }

    /// Metadata of every checkpoint of the run.
    pub fn checkpoints(&self) -> Result<Vec<CheckpointMeta>, LocateError> {
        Ok(self.store.checkpoints(&self.record.id)?)
    }

    /// One checkpoint of the run's learner.
    pub fn learner_checkpoint(
        &self,
        which: &CheckpointSelector,
    ) -> Result<LearnerCheckpointed, LocateError> {
        let spec = self.learner()?;
        let checkpoint = self
            .store
            .load_checkpoint(&self.record.id, &spec.name, which)?
            .ok_or_else(|| LocateError::NoCheckpoint {
                run: self.record.id.clone(),
                agent: spec.name.clone(),
                which: which.clone(),
                kept: self.kept_in_words(&spec.name),
            })?;
        Ok(LearnerCheckpointed { spec, checkpoint })
    }

    /// `; it keeps #7, #9 (best), #12 ...` for `agent`, so a user who asked
    /// for a pruned checkpoint learns why it is gone and what is there.
    fn kept_in_words(&self, agent: &str) -> String {
        let Ok(all) = self.store.checkpoints(&self.record.id) else {
            return String::new();
        };
        let kept: Vec<String> = all
            .iter()
            .filter(|c| c.agent == agent)
            .map(|c| match &c.tag {
                Some(tag) => format!("#{} ({tag})", c.sequence),
                None => format!("#{}", c.sequence),
            })
            .collect();
        if kept.is_empty() {
            return String::new();
        }
        format!(
            "; it keeps {} (each save prunes to the latest `[store] keep_checkpoints` and every tagged one)",
            kept.join(", ")
        )
    }

    /// The env id a learner checkpoint was trained on, read from the
    /// checkpoint itself.
    pub fn trained_env(&self, loaded: &LearnerCheckpointed) -> Result<String, LocateError> {
        LearnerCheckpoint::from_bytes(&loaded.checkpoint.bytes)
            .map(|decoded| decoded.spec.env_id)
            .map_err(|source| self.restore_error(loaded, source))
    }

    /// A trainer built from `spec` and restored from the checkpoint.
    pub fn restored_trainer(
        &self,
        spec: &LearnerSpec,
        loaded: &LearnerCheckpointed,
    ) -> Result<Box<dyn Trainer>, LocateError> {
        let mut trainer = spec
            .trainer()
            .map_err(|source| self.restore_error(loaded, source))?;
        trainer
            .load_state(&loaded.checkpoint.bytes)
            .map_err(|source| self.restore_error(loaded, source))?;
        Ok(trainer)
    }

    /// Plays checkpoint `which` greedily for `episodes` episodes (seeds
    /// from `seed`) on its own env, or on `env` when given (it must be the
    /// env it was trained on).
    ///
    /// # Blocking
    ///
    /// Reads the store and steps envs: CPU-bound, seconds for long episodes.
    pub fn evaluate(
        &self,
        which: &CheckpointSelector,
        env: Option<&str>,
        episodes: u64,
        seed: u64,
    ) -> Result<Evaluation, LocateError> {
        let loaded = self.learner_checkpoint(which)?;
        let trained_on = self.trained_env(&loaded)?;
        let asked = env.map_or_else(|| loaded.spec.env_id.clone(), str::to_string);
        if trained_on != asked {
            return Err(LocateError::WrongEnv {
                run: self.record.id.clone(),
                sequence: loaded.checkpoint.meta.sequence,
                trained_on,
                asked,
            });
        }
        let mut spec = loaded.spec.clone();
        spec.env_id = asked;
        let mut trainer = self.restored_trainer(&spec, &loaded)?;
        let eval_error = |source: TrainError| LocateError::Eval {
            run: self.record.id.clone(),
            source: Box::new(source),
        };
        let mut envs = make_vec(
            &spec.env_id,
            &spec.params,
            0..spec.num_envs as u64,
            AutoresetMode::SameStep,
        )
        .map_err(|e| eval_error(e.into()))?;
        let summary =
            evaluate(trainer.as_mut(), envs.as_mut(), episodes, seed).map_err(eval_error)?;
        Ok(Evaluation {
            checkpoint: loaded.checkpoint.meta,
            env: spec.env_id,
            summary,
        })
    }

    fn restore_error(&self, loaded: &LearnerCheckpointed, source: TrainError) -> LocateError {
        LocateError::Restore {
            run: self.record.id.clone(),
            sequence: loaded.checkpoint.meta.sequence,
            source: Box::new(source),
        }
    }
}

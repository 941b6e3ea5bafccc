//! Finished training episodes kept for replay (`[telemetry]
//! record_episodes`): their file format and the reader the CLI and the
//! dashboard use.
//!
//! A run keeps its episodes in `runs/{run}/episodes/episodes.bin` under the
//! data folder: records appended one after the other, each
//!
//! ```text
//! u8   format version (1)
//! u32  summary length S   (little-endian)
//! u32  body length B
//! u32  CRC-32C of the summary
//! u32  CRC-32C of the body
//! S    summary: episode, return, length, env_steps, at   (postcard)
//! B    body: agent, env id and params, the steps as flat columns  (postcard)
//! ```
//!
//! Listing reads the headers and summaries only and seeks past the bodies,
//! so there is no index file to keep in step: the file is its own index. A
//! record cut short (the process died while writing it) is skipped and
//! counted, as is one whose checksum does not match; nothing here panics on
//! what is in the file. A resumed run appends to the same file; an episode
//! number recorded twice (a run resumed from a checkpoint older than its
//! last recorded episode plays those episodes again) reads as its latest
//! record, since that is the one its `episode` telemetry event now
//! describes too.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use agora_agents::Params;
use serde::{Deserialize, Serialize};

/// Folder of a run's recorded episodes, inside the run's folder.
pub const EPISODES_FOLDER: &str = "episodes";
/// The file of recorded episodes, inside [`EPISODES_FOLDER`].
pub const EPISODES_FILE: &str = "episodes.bin";
/// The format of the records this version writes.
pub(super) const FORMAT_VERSION: u8 = 1;
/// Bytes before a record's summary: version, two lengths, two checksums.
pub(super) const HEADER_LEN: usize = 17;
/// A summary longer than this is not one (a damaged length field).
const MAX_SUMMARY_LEN: u32 = 4096;

/// The episodes file of the run whose folder is `run_folder`.
pub fn episodes_file(run_folder: &Path) -> PathBuf {
    run_folder.join(EPISODES_FOLDER).join(EPISODES_FILE)
}

/// Why recorded episodes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file could not be opened or read.
    #[error("{}: cannot read{}: {source}", file.display(), at_offset(*offset))]
    Io {
        /// The episodes file.
        file: PathBuf,
        /// Where in the file, when the failure was at a record.
        offset: Option<u64>,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A record that is there in full but cannot be decoded.
    #[error("{}: record at byte {offset}: {reason}", file.display())]
    Corrupt {
        /// The episodes file.
        file: PathBuf,
        /// Where the record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
}

fn at_offset(offset: Option<u64>) -> String {
    offset.map_or_else(String::new, |at| format!(" at byte {at}"))
}

/// What a recorded episode was, without its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedSummary {
    /// The run-wide episode number, as in the run's `episode` telemetry.
    pub episode: u64,
    /// Sum of its rewards.
    #[serde(rename = "return")]
    pub episode_return: f64,
    /// Its steps.
    pub length: u64,
    /// Env steps of the whole run when it ended.
    pub env_steps: u64,
    /// When it ended (Unix seconds).
    pub at: f64,
}

/// The env an episode was played in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedEnv {
    /// Registry id, e.g. `CartPole-v1`.
    pub id: String,
    /// Its `make()` parameters.
    pub params: Params,
}

/// One step of a recorded episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedStep {
    /// What the learner saw when it acted.
    pub obs: Vec<f32>,
    /// What it did.
    pub action: i64,
    /// What it got.
    pub reward: f32,
    /// Q-values or action probabilities behind the action, when known.
    pub values: Option<Vec<f32>>,
    /// Exploration rate in force.
    pub epsilon: Option<f32>,
}

/// A whole recorded episode. As JSON it is the live `episode` message of
/// docs/dashboard-api.md plus `env`: `{"type": "episode", "episode",
/// "env_index", "return", "length", "steps", "steps_cut"?, "final_obs",
/// "at", "env": {"id", "params"}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEpisode {
    /// Number, return, length, env steps and time.
    pub summary: RecordedSummary,
    /// The learner that played it.
    pub agent: String,
    /// The env it was played in.
    pub env: RecordedEnv,
    /// Its steps, at most the first [`MAX_RECORDED_STEPS`](super::MAX_RECORDED_STEPS).
    pub steps: Vec<RecordedStep>,
    /// Steps past the ones kept.
    pub steps_cut: u64,
    /// The observation the episode ended in.
    pub final_obs: Vec<f32>,
}

#[derive(Serialize)]
struct EpisodeMessage<'a> {
    r#type: &'static str,
    episode: u64,
    env_index: usize,
    #[serde(rename = "return")]
    episode_return: f64,
    length: u64,
    steps: &'a [RecordedStep],
    #[serde(skip_serializing_if = "is_zero")]
    steps_cut: u64,
    final_obs: &'a [f32],
    at: f64,
    env: &'a RecordedEnv,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Serialize for RecordedEpisode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EpisodeMessage {
            r#type: "episode",
            episode: self.summary.episode,
            env_index: 0,
            episode_return: self.summary.episode_return,
            length: self.summary.length,
            steps: &self.steps,
            steps_cut: self.steps_cut,
            final_obs: &self.final_obs,
            at: self.summary.at,
            env: &self.env,
        }
        .serialize(serializer)
    }
}

/// An episode's steps as the recorder collects them: one flat column per
/// quantity, so recording a step appends to a few vectors and allocates
/// nothing once they have grown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct StepColumns {
    /// Observation length.
    pub obs_dim: u32,
    /// Values per step that has them (the number of actions).
    pub values_dim: u32,
    /// Observations before acting, `steps × obs_dim`.
    pub obs: Vec<f32>,
    pub actions: Vec<i64>,
    pub rewards: Vec<f32>,
    /// Whether each step has values.
    pub has_values: Vec<bool>,
    /// The values of the steps that have them, `values_dim` each.
    pub values: Vec<f32>,
    pub epsilon: Vec<Option<f32>>,
    pub final_obs: Vec<f32>,
    /// Steps past the ones kept.
    pub steps_cut: u64,
}

impl StepColumns {
    /// Empties the columns, keeping their memory.
    pub fn clear(&mut self) {
        self.obs.clear();
        self.actions.clear();
        self.rewards.clear();
        self.has_values.clear();
        self.values.clear();
        self.epsilon.clear();
        self.final_obs.clear();
        self.steps_cut = 0;
    }

    /// Steps kept.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// The columns as steps; `None` when their lengths do not fit together.
    fn to_steps(&self) -> Option<Vec<RecordedStep>> {
        let n = self.actions.len();
        let dim = self.obs_dim as usize;
        let width = self.values_dim as usize;
        let with_values = self.has_values.iter().filter(|v| **v).count();
        let fits = self.obs.len() == n.checked_mul(dim)?
            && self.rewards.len() == n
            && self.has_values.len() == n
            && self.epsilon.len() == n
            && self.values.len() == with_values.checked_mul(width)?;
        if !fits {
            return None;
        }
        let mut values = self.values.chunks_exact(width.max(1));
        let steps = (0..n)
            .map(|i| RecordedStep {
                obs: self.obs[i * dim..(i + 1) * dim].to_vec(),
                action: self.actions[i],
                reward: self.rewards[i],
                values: if self.has_values[i] {
                    values.next().map(<[f32]>::to_vec)
                } else {
                    None
                },
                epsilon: self.epsilon[i],
            })
            .collect();
        Some(steps)
    }
}

/// A record's body as it is written (borrowing what the writer holds).
#[derive(Serialize)]
pub(super) struct BodyRef<'a> {
    pub agent: &'a str,
    pub env_id: &'a str,
    pub params: &'a Params,
    pub steps: &'a StepColumns,
}

/// A record's body as it is read; fields in [`BodyRef`]'s order.
#[derive(Deserialize)]
struct Body {
    agent: String,
    env_id: String,
    params: Params,
    steps: StepColumns,
}

/// One record, ready to append: header, summary, body.
pub(super) fn encode_record(
    summary: &RecordedSummary,
    body: &BodyRef<'_>,
) -> Result<Vec<u8>, postcard::Error> {
    let summary = postcard::to_allocvec(summary)?;
    let body = postcard::to_allocvec(body)?;
    let length =
        |bytes: &[u8]| u32::try_from(bytes.len()).map_err(|_| postcard::Error::SerializeBufferFull);
    let mut record = Vec::with_capacity(HEADER_LEN + summary.len() + body.len());
    record.push(FORMAT_VERSION);
    record.extend_from_slice(&length(&summary)?.to_le_bytes());
    record.extend_from_slice(&length(&body)?.to_le_bytes());
    record.extend_from_slice(&crc32c::crc32c(&summary).to_le_bytes());
    record.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
    record.extend_from_slice(&summary);
    record.extend_from_slice(&body);
    Ok(record)
}

/// Where a record's body is.
#[derive(Debug, Clone)]
struct Entry {
    summary: RecordedSummary,
    offset: u64,
    body_at: u64,
    body_len: u32,
    body_crc: u32,
}

/// Records the reader passed over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkippedRecords {
    /// Whole records whose checksum or summary did not read, or of a
    /// format this version does not know.
    pub unreadable: u64,
    /// The file ends inside a record (the writer was stopped mid-write).
    pub truncated: bool,
}

/// The recorded episodes of one run, as the file was when opened.
#[derive(Debug, Clone)]
pub struct RecordedEpisodes {
    file: PathBuf,
    /// Every readable record, in file order.
    entries: Vec<Entry>,
    /// Episode number → index in `entries` of its latest record.
    latest: HashMap<u64, usize>,
    skipped: SkippedRecords,
    bytes: u64,
}

impl RecordedEpisodes {
    /// Reads the index of the episodes kept in `run_folder` (a run that kept
    /// none, or has no folder, has an empty list).
    pub fn open(run_folder: &Path) -> Result<Self, RecordError> {
        Self::open_file(&episodes_file(run_folder))
    }

    /// Reads the index of an episodes file.
    pub fn open_file(path: &Path) -> Result<Self, RecordError> {
        let mut episodes = Self {
            file: path.to_path_buf(),
            entries: Vec::new(),
            latest: HashMap::new(),
            skipped: SkippedRecords::default(),
            bytes: 0,
        };
        let file = match File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(episodes),
            Err(source) => return Err(episodes.io(None, source)),
        };
        let len = file
            .metadata()
            .map_err(|source| episodes.io(None, source))?
            .len();
        episodes.bytes = len;
        episodes.scan(BufReader::new(file), len)?;
        Ok(episodes)
    }

    fn io(&self, offset: Option<u64>, source: std::io::Error) -> RecordError {
        RecordError::Io {
            file: self.file.clone(),
            offset,
            source,
        }
    }

    fn scan(&mut self, mut reader: BufReader<File>, len: u64) -> Result<(), RecordError> {
        let mut offset = 0u64;
        while offset < len {
            if len - offset < HEADER_LEN as u64 {
                self.skipped.truncated = true;
                break;
            }
            let mut header = [0u8; HEADER_LEN];
            reader
                .read_exact(&mut header)
                .map_err(|source| self.io(Some(offset), source))?;
            let word = |at: usize| {
                u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
            };
            let (version, summary_len, body_len) = (header[0], word(1), word(5));
            let (summary_crc, body_crc) = (word(9), word(13));
            let body_at = offset + HEADER_LEN as u64 + u64::from(summary_len);
            let end = body_at + u64::from(body_len);
            if end > len {
                self.skipped.truncated = true;
                break;
            }
            let summary = (version == FORMAT_VERSION && summary_len <= MAX_SUMMARY_LEN)
                .then(|| {
                    let mut bytes = vec![0u8; summary_len as usize];
                    reader
                        .read_exact(&mut bytes)
                        .map(|()| bytes)
                        .map_err(|source| self.io(Some(offset), source))
                })
                .transpose()?;
            let skip = match &summary {
                Some(_) => i64::from(body_len),
                None => i64::from(summary_len) + i64::from(body_len),
            };
            reader
                .seek_relative(skip)
                .map_err(|source| self.io(Some(offset), source))?;
            match summary.and_then(|bytes| {
                (crc32c::crc32c(&bytes) == summary_crc)
                    .then(|| postcard::from_bytes::<RecordedSummary>(&bytes).ok())
                    .flatten()
            }) {
                Some(summary) => {
                    self.latest.insert(summary.episode, self.entries.len());
                    self.entries.push(Entry {
                        summary,
                        offset,
                        body_at,
                        body_len,
                        body_crc,
                    });
                }
                None => self.skipped.unreadable += 1,
            }
            offset = end;
        }
        if self.skipped.truncated {
            tracing::debug!(file = %self.file.display(), at = offset, "episodes file ends inside a record");
        }
        Ok(())
    }

    /// The episodes file read.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Size of the file when it was read.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Records passed over (cut short, or unreadable).
    pub fn skipped(&self) -> SkippedRecords {
        self.skipped
    }

    /// The recorded episodes by episode number, each once.
    pub fn list(&self) -> Vec<RecordedSummary> {
        let mut summaries: Vec<RecordedSummary> = self
            .latest
            .values()
            .map(|&i| self.entries[i].summary.clone())
            .collect();
        summaries.sort_by_key(|s| s.episode);
        summaries
    }

    /// Whether episode `episode` was kept.
    pub fn contains(&self, episode: u64) -> bool {
        self.latest.contains_key(&episode)
    }

    /// The highest return among the recorded episodes.
    pub fn best_return(&self) -> Option<f64> {
        self.entries
            .iter()
            .map(|e| e.summary.episode_return)
            .fold(None, |best, r| Some(best.map_or(r, |b: f64| b.max(r))))
    }

    /// Episode `episode` step by step; `None` when it was not kept.
    pub fn read(&self, episode: u64) -> Result<Option<RecordedEpisode>, RecordError> {
        let Some(entry) = self.latest.get(&episode).map(|&i| &self.entries[i]) else {
            return Ok(None);
        };
        let corrupt = |reason: String| RecordError::Corrupt {
            file: self.file.clone(),
            offset: entry.offset,
            reason,
        };
        let mut file =
            File::open(&self.file).map_err(|source| self.io(Some(entry.offset), source))?;
        file.seek(SeekFrom::Start(entry.body_at))
            .map_err(|source| self.io(Some(entry.offset), source))?;
        let mut bytes = vec![0u8; entry.body_len as usize];
        file.read_exact(&mut bytes)
            .map_err(|source| self.io(Some(entry.offset), source))?;
        if crc32c::crc32c(&bytes) != entry.body_crc {
            return Err(corrupt(
                "its checksum does not match (the file was changed or damaged)".into(),
            ));
        }
        let body: Body = postcard::from_bytes(&bytes)
            .map_err(|error| corrupt(format!("its steps do not decode: {error}")))?;
        let steps = body.steps.to_steps().ok_or_else(|| {
            corrupt("its step columns have lengths that do not fit together".into())
        })?;
        Ok(Some(RecordedEpisode {
            summary: entry.summary.clone(),
            agent: body.agent,
            env: RecordedEnv {
                id: body.env_id,
                params: body.params,
            },
            steps,
            steps_cut: body.steps.steps_cut,
            final_obs: body.steps.final_obs,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn columns(steps: usize, values_every: usize) -> StepColumns {
        let mut c = StepColumns {
            obs_dim: 2,
            values_dim: 2,
            ..StepColumns::default()
        };
        for i in 0..steps {
            c.obs.extend_from_slice(&[i as f32, -(i as f32)]);
            c.actions.push((i % 2) as i64);
            c.rewards.push(1.0);
            let has = i % values_every == 0;
            c.has_values.push(has);
            if has {
                c.values.extend_from_slice(&[0.25, 0.75]);
            }
            c.epsilon.push(Some(0.5));
        }
        c.final_obs = vec![9.0, -9.0];
        c
    }

    fn record(episode: u64, episode_return: f64, steps: &StepColumns) -> Vec<u8> {
        let summary = RecordedSummary {
            episode,
            episode_return,
            length: steps.len() as u64,
            env_steps: episode * 10,
            at: 1_700_000_000.5,
        };
        let params = Params::new().with("map_name", "4x4");
        let body = BodyRef {
            agent: "learner",
            env_id: "FrozenLake-v1",
            params: &params,
            steps,
        };
        encode_record(&summary, &body).expect("encode")
    }

    fn write(dir: &Path, records: &[Vec<u8>]) -> PathBuf {
        let path = episodes_file(dir);
        std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
        let mut file = File::create(&path).expect("create");
        for r in records {
            file.write_all(r).expect("write");
        }
        path
    }

    #[test]
    fn episodes_read_back_as_they_were_written() {
        let dir = tempfile::tempdir().expect("tmp");
        let steps = columns(3, 2);
        write(
            dir.path(),
            &[record(7, 3.0, &steps), record(100, 1.5, &columns(1, 1))],
        );
        let episodes = RecordedEpisodes::open(dir.path()).expect("open");
        let numbers: Vec<u64> = episodes.list().iter().map(|s| s.episode).collect();
        assert_eq!(numbers, [7, 100]);
        assert_eq!(episodes.best_return(), Some(3.0));
        let episode = episodes.read(7).expect("read").expect("kept");
        assert_eq!(episode.steps.len(), 3);
        assert_eq!(episode.steps[1].obs, [1.0, -1.0]);
        assert_eq!(episode.steps[1].values, None);
        assert_eq!(episode.steps[2].values, Some(vec![0.25, 0.75]));
        assert_eq!(episode.final_obs, [9.0, -9.0]);
        assert!(episodes.read(8).expect("read").is_none());
        assert_eq!(episodes.skipped(), SkippedRecords::default());
    }

    #[test]
    fn an_episode_serializes_as_the_live_episode_message_plus_env() {
        let dir = tempfile::tempdir().expect("tmp");
        write(dir.path(), &[record(7, 3.0, &columns(2, 1))]);
        let episode = RecordedEpisodes::open(dir.path())
            .expect("open")
            .read(7)
            .expect("read")
            .expect("kept");
        let json = serde_json::to_value(&episode).expect("json");
        let mut keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "at",
                "env",
                "env_index",
                "episode",
                "final_obs",
                "length",
                "return",
                "steps",
                "type"
            ]
        );
        assert_eq!(json["type"], "episode");
        assert_eq!(json["env_index"], 0);
        assert_eq!(json["return"], 3.0);
        assert_eq!(json["env"]["id"], "FrozenLake-v1");
        assert_eq!(json["env"]["params"]["map_name"], "4x4");
        assert_eq!(
            json["steps"][0],
            serde_json::json!({"obs": [0.0, -0.0], "action": 0, "reward": 1.0, "values": [0.25, 0.75], "epsilon": 0.5})
        );
    }

    #[test]
    fn a_record_cut_short_is_skipped_and_counted() {
        let dir = tempfile::tempdir().expect("tmp");
        let whole = record(1, 1.0, &columns(4, 1));
        let cut = record(2, 2.0, &columns(4, 1));
        for keep in [3, HEADER_LEN + 2, cut.len() - 1] {
            write(dir.path(), &[whole.clone(), cut[..keep].to_vec()]);
            let episodes = RecordedEpisodes::open(dir.path()).expect("open");
            assert_eq!(episodes.list().len(), 1, "cut at {keep}");
            assert!(episodes.skipped().truncated, "cut at {keep}");
            assert!(episodes.read(1).expect("read").is_some());
        }
    }

    #[test]
    fn a_damaged_record_is_skipped_or_named_with_its_offset() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = record(1, 1.0, &columns(4, 1));
        let mut second = record(2, 2.0, &columns(4, 1));
        let third = record(3, 3.0, &columns(4, 1));
        // A flipped byte in the summary: the record is passed over.
        second[HEADER_LEN] ^= 0xff;
        write(dir.path(), &[first.clone(), second, third.clone()]);
        let episodes = RecordedEpisodes::open(dir.path()).expect("open");
        assert_eq!(
            episodes
                .list()
                .iter()
                .map(|s| s.episode)
                .collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(episodes.skipped().unreadable, 1);
        // A flipped byte in a body: listed, but reading it names the record.
        let mut damaged = third;
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        write(dir.path(), &[first.clone(), damaged]);
        let episodes = RecordedEpisodes::open(dir.path()).expect("open");
        let error = episodes.read(3).expect_err("damaged");
        let text = error.to_string();
        assert!(
            text.contains("episodes.bin") && text.contains(&format!("byte {}", first.len())),
            "{text}"
        );
    }

    #[test]
    fn a_run_without_recordings_has_an_empty_list_and_the_latest_record_wins() {
        let dir = tempfile::tempdir().expect("tmp");
        assert!(
            RecordedEpisodes::open(dir.path())
                .expect("open")
                .list()
                .is_empty()
        );
        write(
            dir.path(),
            &[
                record(5, 1.0, &columns(1, 1)),
                record(5, 4.0, &columns(2, 1)),
            ],
        );
        let episodes = RecordedEpisodes::open(dir.path()).expect("open");
        assert_eq!(episodes.list().len(), 1);
        assert_eq!(
            episodes
                .read(5)
                .expect("read")
                .expect("kept")
                .summary
                .episode_return,
            4.0
        );
    }
}

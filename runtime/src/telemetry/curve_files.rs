//! A run's curves kept where they read back fast: `curves/episodes.bin`,
//! one fixed-size record per finished episode, and `curves/train.jsonl`,
//! the training-metric lines alone. `events.jsonl` holds the same facts
//! among everything else, as text: reading a million-episode run's curves
//! from it takes most of a second, from here a few tens of milliseconds
//! (the dashboard's first curve waits on this).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::EpisodeEvent;

/// The folder, inside the run's folder.
pub const CURVES_DIR: &str = "curves";
/// The episode records, inside [`CURVES_DIR`].
pub const EPISODES_FILE: &str = "episodes.bin";
/// The training-metric lines, inside [`CURVES_DIR`].
pub const TRAIN_FILE: &str = "train.jsonl";

/// First bytes of the episodes file: its format and version.
pub const EPISODES_HEADER: &[u8; 16] = b"agora-episodes\0\x01";
/// Bytes per episode record, after the header.
pub const RECORD_BYTES: usize = 40;

/// One finished episode as the episodes file holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpisodeRecord {
    /// Run-wide episode number.
    pub episode: u64,
    /// Env steps of the run when it ended.
    pub env_steps: u64,
    /// Seconds since the Unix epoch when it ended.
    pub at: f64,
    /// Sum of rewards.
    pub episode_return: f64,
    /// Steps.
    pub length: u32,
    /// Row of the env in the batch.
    pub env_index: u32,
}

impl EpisodeRecord {
    /// The record of a finished episode.
    pub fn of(event: &EpisodeEvent) -> Self {
        Self {
            episode: event.episode,
            env_steps: event.env_steps,
            at: event.at,
            episode_return: event.episode_return,
            length: event.length,
            env_index: u32::try_from(event.env_index).unwrap_or(u32::MAX),
        }
    }

    /// Little-endian, fields in declaration order.
    pub fn encode(&self) -> [u8; RECORD_BYTES] {
        let mut bytes = [0; RECORD_BYTES];
        bytes[0..8].copy_from_slice(&self.episode.to_le_bytes());
        bytes[8..16].copy_from_slice(&self.env_steps.to_le_bytes());
        bytes[16..24].copy_from_slice(&self.at.to_le_bytes());
        bytes[24..32].copy_from_slice(&self.episode_return.to_le_bytes());
        bytes[32..36].copy_from_slice(&self.length.to_le_bytes());
        bytes[36..40].copy_from_slice(&self.env_index.to_le_bytes());
        bytes
    }

    /// The record in `bytes`, which is [`RECORD_BYTES`] long.
    pub fn decode(bytes: &[u8; RECORD_BYTES]) -> Self {
        let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap_or([0; 4]));
        Self {
            episode: u64_at(0),
            env_steps: u64_at(8),
            at: f64::from_bits(u64_at(16)),
            episode_return: f64::from_bits(u64_at(24)),
            length: u32_at(32),
            env_index: u32_at(36),
        }
    }
}

/// The records in `bytes` (whole records only; a torn tail is left out).
pub fn records(bytes: &[u8]) -> impl Iterator<Item = EpisodeRecord> + '_ {
    bytes
        .chunks_exact(RECORD_BYTES)
        .filter_map(|chunk| chunk.try_into().ok().map(EpisodeRecord::decode))
}

/// The writer of a run's curve files.
pub struct CurveFiles {
    dir: PathBuf,
    episodes: BufWriter<File>,
    train: BufWriter<File>,
}

impl CurveFiles {
    /// Opens the curve files in `run_folder` for appending, creating them
    /// on a run's first session. `None` when the run's `events.jsonl`
    /// already holds events these files would lack (its earlier sessions
    /// ran a build without them): a reader then keeps to `events.jsonl`.
    pub fn open(run_folder: &Path) -> io::Result<Option<Self>> {
        let dir = run_folder.join(CURVES_DIR);
        let episodes_path = dir.join(EPISODES_FILE);
        let fresh = !episodes_path.exists();
        let events_before = std::fs::metadata(run_folder.join("events.jsonl"))
            .map(|meta| meta.len() > 0)
            .unwrap_or(false);
        if fresh && events_before {
            return Ok(None);
        }
        std::fs::create_dir_all(&dir)?;
        let append = |path: PathBuf| OpenOptions::new().create(true).append(true).open(path);
        let mut episodes = BufWriter::new(append(episodes_path)?);
        if fresh {
            episodes.write_all(EPISODES_HEADER)?;
        }
        let train = BufWriter::new(append(dir.join(TRAIN_FILE))?);
        Ok(Some(Self {
            dir,
            episodes,
            train,
        }))
    }

    /// Appends a finished episode.
    pub fn episode(&mut self, event: &EpisodeEvent) -> io::Result<()> {
        self.episodes.write_all(&EpisodeRecord::of(event).encode())
    }

    /// Appends a training event's JSON line.
    pub fn train(&mut self, line: &[u8]) -> io::Result<()> {
        self.train.write_all(line)?;
        self.train.write_all(b"\n")
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.episodes.flush()?;
        self.train.flush()
    }

    /// Removes the files after a failed write: a reader that finds none
    /// reads `events.jsonl` instead of curves with a hole in them.
    pub fn discard(self) {
        let Self { dir, .. } = self;
        if let Err(error) = std::fs::remove_dir_all(&dir) {
            tracing::warn!(folder = %dir.display(), %error, "incomplete curve files not removed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(number: u64) -> EpisodeEvent {
        EpisodeEvent {
            run: "r".into(),
            agent: "learner".into(),
            episode: number,
            env_index: 3,
            episode_return: -1.5 * number as f64,
            length: 17,
            env_steps: 100 * number,
            at: 1_700_000_000.25 + number as f64,
        }
    }

    #[test]
    fn records_round_trip_and_a_torn_tail_is_left_out() {
        let mut bytes = Vec::new();
        for n in 1..=3 {
            bytes.extend_from_slice(&EpisodeRecord::of(&episode(n)).encode());
        }
        bytes.extend_from_slice(&[7; 11]);
        let read: Vec<EpisodeRecord> = records(&bytes).collect();
        assert_eq!(read.len(), 3);
        assert_eq!(read[1], EpisodeRecord::of(&episode(2)));
        assert_eq!(
            (read[2].episode_return, read[2].env_index, read[2].at),
            (-4.5, 3, 1_700_000_003.25)
        );
    }

    #[test]
    fn a_second_session_appends_and_an_older_run_gets_none() {
        let folder = tempfile::tempdir().expect("tempdir");
        for number in [1, 2] {
            let mut files = CurveFiles::open(folder.path())
                .expect("open")
                .expect("a new run gets curve files");
            files.episode(&episode(number)).expect("write");
            files.train(br#"{"event":"train"}"#).expect("write");
            files.flush().expect("flush");
            std::fs::write(folder.path().join("events.jsonl"), "{}\n").expect("events");
        }
        let bytes = std::fs::read(folder.path().join(CURVES_DIR).join(EPISODES_FILE))
            .expect("episodes file");
        assert_eq!(&bytes[..16], EPISODES_HEADER);
        let numbers: Vec<u64> = records(&bytes[16..]).map(|r| r.episode).collect();
        assert_eq!(numbers, [1, 2], "one header, both sessions' episodes");

        let older = tempfile::tempdir().expect("tempdir");
        std::fs::write(older.path().join("events.jsonl"), "{}\n").expect("events");
        assert!(CurveFiles::open(older.path()).expect("open").is_none());
    }
}

//! A run's curves, read once and then only what was appended since, so a
//! live run's history stays cheap to ask for. They come from the run's
//! curve files (`curves/`, written beside `events.jsonl` by the run's
//! telemetry: fixed-size episode records, and the training lines alone),
//! or, for a run that has none (started by an older build), from
//! `events.jsonl` itself. A torn or garbled line is counted and skipped;
//! an unfinished last line or record waits for the rest.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use agora_runtime::telemetry::curve_files::{
    CURVES_DIR, EPISODES_FILE, EPISODES_HEADER, RECORD_BYTES, TRAIN_FILE, records,
};
use serde::Deserialize;

/// The points of one series, in the order they were written.
#[derive(Debug, Clone, Default)]
pub struct Column {
    /// Env steps of each point.
    pub steps: Vec<f64>,
    /// Seconds since the run started.
    pub wall: Vec<f64>,
    /// The value.
    pub y: Vec<f64>,
}

impl Column {
    fn push(&mut self, steps: f64, wall: f64, y: f64) {
        self.steps.push(steps);
        self.wall.push(wall);
        self.y.push(y);
    }

    /// x values on the chosen axis.
    pub fn x(&self, axis: Axis) -> &[f64] {
        match axis {
            Axis::Steps => &self.steps,
            Axis::Wall => &self.wall,
        }
    }
}

/// What a chart's x axis measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// Env steps.
    Steps,
    /// Seconds since the run started.
    Wall,
}

/// A finished episode, for finding the one under a click.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpisodeMark {
    /// Its run-wide number.
    pub episode: u64,
    /// Env steps when it ended.
    pub env_steps: f64,
    /// Seconds since the Unix epoch when it ended.
    pub at: f64,
}

/// Everything read so far of one run's curves.
#[derive(Debug)]
pub struct History {
    run_folder: PathBuf,
    started_at: f64,
    source: Source,
    /// Episode numbers, steps and times, one per `return` point.
    pub episodes: Vec<EpisodeMark>,
    /// Series by name: `return`, `length`, then every training metric.
    pub series: BTreeMap<String, Column>,
    /// Lines that did not parse.
    pub bad_lines: u64,
    /// Latest env steps per second reported by training.
    pub last_sps: Option<f64>,
}

/// Where a history reads from.
#[derive(Debug)]
enum Source {
    /// Nothing looked at yet (the run may not have written anything).
    Undecided,
    /// `events.jsonl`, everything in it.
    Events(Tail),
    /// The curve files: episode records (after the header) and train lines.
    Curves { episodes: Tail, train: Tail },
}

/// A file read from where the last read stopped.
#[derive(Debug)]
struct Tail {
    path: PathBuf,
    read_up_to: u64,
    unfinished: Vec<u8>,
}

/// What a [`Tail`] found.
enum Fresh {
    /// No such file.
    Missing,
    /// The file is shorter than what was read: it was written anew.
    Rewritten,
    /// What was appended has been read.
    Read,
}

/// Bytes read at a time: a big history is decoded as it is read, never
/// held whole (memory a fresh process has to fault in costs more than
/// the decoding).
const CHUNK: u64 = 8 << 20;

impl Tail {
    fn new(path: PathBuf, from: u64) -> Self {
        Self {
            path,
            read_up_to: from,
            unfinished: Vec::new(),
        }
    }

    /// Hands `each` what was appended since the last read, a chunk at a
    /// time, each cut where `complete` says (how many of the bytes are
    /// whole lines or records); the rest waits for the next chunk or call.
    fn read(
        &mut self,
        complete: fn(&[u8]) -> usize,
        mut each: impl FnMut(&[u8]),
    ) -> std::io::Result<Fresh> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Fresh::Missing);
            }
            Err(error) => return Err(error),
        };
        let length = file.metadata()?.len();
        if length < self.read_up_to {
            return Ok(Fresh::Rewritten);
        }
        file.seek(SeekFrom::Start(self.read_up_to))?;
        let mut buffer = std::mem::take(&mut self.unfinished);
        while self.read_up_to < length {
            let before = buffer.len();
            let wanted = CHUNK.min(length - self.read_up_to);
            // Room first: `read_to_end` into a full buffer grows it in small steps.
            buffer.reserve(usize::try_from(wanted).unwrap_or(0));
            (&mut file).take(wanted).read_to_end(&mut buffer)?;
            let got = buffer.len() - before;
            if got == 0 {
                break; // cut short since the length was taken
            }
            self.read_up_to += got as u64;
            let whole = complete(&buffer);
            each(&buffer[..whole]);
            buffer.drain(..whole);
        }
        self.unfinished = buffer;
        Ok(Fresh::Read)
    }
}

fn whole_lines(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

fn whole_records(bytes: &[u8]) -> usize {
    bytes.len() / RECORD_BYTES * RECORD_BYTES
}

/// Keys of a train event that are its coordinates, not metrics.
const NOT_METRICS: &[&str] = &["event", "run", "agent", "at", "env_steps", "episodes"];

#[derive(Deserialize)]
struct EpisodeLine {
    episode: u64,
    episode_return: f64,
    length: f64,
    env_steps: f64,
    at: f64,
}

/// One line of the events file, parsed.
enum Parsed {
    Episode(EpisodeLine),
    Train(serde_json::Map<String, serde_json::Value>),
    Bad,
    NotACurve,
}

fn parse_line(line: &[u8]) -> Parsed {
    // Events are written by serde in field order, `event` first: the
    // common case (an episode) gets a typed parse without a map.
    if line.starts_with(br#"{"event":"episode""#) {
        return episode_by_keys(line)
            .or_else(|| serde_json::from_slice::<EpisodeLine>(line).ok())
            .map_or(Parsed::Bad, Parsed::Episode);
    }
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(line) {
        Ok(event) if event.get("event").and_then(|e| e.as_str()) == Some("train") => {
            Parsed::Train(event)
        }
        Ok(_) => Parsed::NotACurve, // lifecycle
        Err(_) => Parsed::Bad,
    }
}

/// An episode line as `EpisodeEvent` writes it, read by finding its keys in
/// their order instead of parsing every field: a third of the time of a
/// full parse, which a million-episode history notices. `None` sends the
/// line to serde (any other layout, or a malformed number).
fn episode_by_keys(line: &[u8]) -> Option<EpisodeLine> {
    // A key with its quotes cannot occur inside a JSON string value, where
    // every quote is escaped; after `episode` the fields follow in a fixed
    // order, so each is checked where it must start.
    let start = memchr::memmem::find(line, br#""episode":"#)? + br#""episode":"#.len();
    let mut rest = &line[start..];
    let mut field = |key: &[u8]| -> Option<f64> {
        if !key.is_empty() {
            rest = rest.strip_prefix(key)?;
        }
        let end = memchr::memchr2(b',', b'}', rest)?;
        let value = std::str::from_utf8(&rest[..end]).ok()?.parse().ok()?;
        rest = &rest[end + 1..];
        Some(value)
    };
    let episode = field(b"")?;
    field(br#""env_index":"#)?;
    let episode_return = field(br#""episode_return":"#)?;
    let length = field(br#""length":"#)?;
    let env_steps = field(br#""env_steps":"#)?;
    let at = field(br#""at":"#)?;
    (episode >= 0.0 && episode.fract() == 0.0).then_some(EpisodeLine {
        episode: episode as u64,
        episode_return,
        length,
        env_steps,
        at,
    })
}

/// Below this many bytes one thread parses faster than two start.
const PARALLEL_FROM: usize = 4 << 20;

/// The complete lines of `text`, parsed on every core for a big file (a
/// million-episode run's history is ~160 MB), in file order.
fn parse_in_parallel(text: &[u8]) -> Vec<Parsed> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let parse_chunk = |chunk: &[u8]| -> Vec<Parsed> {
        // Events lines are ~150 bytes: room for all of them at once.
        let mut parsed = Vec::with_capacity(chunk.len() / 100);
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk).chain(std::iter::once(chunk.len())) {
            let line = &chunk[start..end];
            start = end + 1;
            if !line.iter().all(u8::is_ascii_whitespace) {
                parsed.push(parse_line(line));
            }
        }
        parsed
    };
    if threads < 2 || text.len() < PARALLEL_FROM {
        return parse_chunk(text);
    }
    let chunks = split_at_lines(text, threads);
    std::thread::scope(|scope| {
        let parsing: Vec<_> = chunks
            .iter()
            .map(|chunk| scope.spawn(|| parse_chunk(chunk)))
            .collect();
        parsing
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

/// `text` cut into about `parts` pieces, each ending at a line end.
fn split_at_lines(text: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(parts);
    let mut rest = text;
    for left in (1..=parts).rev() {
        if left == 1 || rest.is_empty() {
            pieces.push(rest);
            break;
        }
        let aim = rest.len() / left;
        let cut = rest[aim..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| aim + i + 1);
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

impl History {
    /// An empty history of the run in `run_folder`, wall time counted from
    /// `started_at` (Unix seconds).
    pub fn new(run_folder: impl Into<PathBuf>, started_at: f64) -> Self {
        Self {
            run_folder: run_folder.into(),
            started_at,
            source: Source::Undecided,
            episodes: Vec::new(),
            series: BTreeMap::new(),
            bad_lines: 0,
            last_sps: None,
        }
    }

    /// The file the curves are read from (the run folder before the first read).
    pub fn path(&self) -> &Path {
        match &self.source {
            Source::Undecided => &self.run_folder,
            Source::Events(tail) => &tail.path,
            Source::Curves { episodes, .. } => &episodes.path,
        }
    }

    /// Reads what was appended since the last call. No files are an
    /// empty history (a fast-mode run writes none).
    ///
    /// # Blocking
    ///
    /// Reads the files.
    pub fn refresh(&mut self) -> std::io::Result<()> {
        if matches!(self.source, Source::Undecided) {
            self.source = self.choose_source()?;
        }
        if self.read_source()? {
            return Ok(());
        }
        // Written anew, or curve files removed after a failed write: start over.
        *self = History::new(self.run_folder.clone(), self.started_at);
        self.source = self.choose_source()?;
        self.read_source().map(drop)
    }

    /// The curve files when the run has them (they begin with their
    /// header), else `events.jsonl`.
    fn choose_source(&self) -> std::io::Result<Source> {
        let curves = self.run_folder.join(CURVES_DIR);
        let episodes = curves.join(EPISODES_FILE);
        let mut header = Vec::with_capacity(EPISODES_HEADER.len());
        match File::open(&episodes) {
            Ok(file) => {
                file.take(EPISODES_HEADER.len() as u64)
                    .read_to_end(&mut header)?;
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let events = self.run_folder.join("events.jsonl");
                return Ok(if events.exists() {
                    Source::Events(Tail::new(events, 0))
                } else {
                    Source::Undecided
                });
            }
            Err(error) => return Err(error),
        }
        Ok(if header == EPISODES_HEADER {
            Source::Curves {
                episodes: Tail::new(episodes, EPISODES_HEADER.len() as u64),
                train: Tail::new(curves.join(TRAIN_FILE), 0),
            }
        } else if EPISODES_HEADER.starts_with(&header) {
            Source::Undecided // created, header not written yet
        } else {
            Source::Events(Tail::new(self.run_folder.join("events.jsonl"), 0))
        })
    }

    /// Takes in what the source has new; false when it must be read
    /// again from the start.
    fn read_source(&mut self) -> std::io::Result<bool> {
        // Out of `self` while it is read, so the chunks can go into `self`.
        let mut source = std::mem::replace(&mut self.source, Source::Undecided);
        let read = self.read_from(&mut source);
        self.source = source;
        read
    }

    fn read_from(&mut self, source: &mut Source) -> std::io::Result<bool> {
        let mut take_lines = |bytes: &[u8]| {
            for parsed in parse_in_parallel(bytes) {
                self.take(parsed);
            }
        };
        match source {
            Source::Undecided => Ok(true),
            Source::Events(tail) => match tail.read(whole_lines, &mut take_lines)? {
                Fresh::Missing | Fresh::Read => Ok(true),
                Fresh::Rewritten => Ok(false),
            },
            Source::Curves { episodes, train } => {
                match train.read(whole_lines, &mut take_lines)? {
                    Fresh::Missing | Fresh::Read => {}
                    Fresh::Rewritten => return Ok(false),
                }
                // Room for all of them at once, not growth chunk by chunk.
                let coming = std::fs::metadata(&episodes.path)
                    .map_or(0, |m| m.len())
                    .saturating_sub(episodes.read_up_to);
                let count = usize::try_from(coming).unwrap_or(0) / RECORD_BYTES;
                if count > 0 {
                    self.reserve_episodes(count);
                }
                match episodes.read(whole_records, |records| self.add_records(records))? {
                    Fresh::Read => Ok(true),
                    Fresh::Missing | Fresh::Rewritten => Ok(false),
                }
            }
        }
    }

    /// Bytes of a last line or record that has no end yet (a torn write,
    /// or one being written).
    pub fn unfinished_bytes(&self) -> usize {
        match &self.source {
            Source::Undecided => 0,
            Source::Events(tail) => tail.unfinished.len(),
            Source::Curves { episodes, train } => {
                episodes.unfinished.len() + train.unfinished.len()
            }
        }
    }

    fn reserve_episodes(&mut self, count: usize) {
        self.episodes.reserve(count);
        for name in ["return", "length"] {
            let column = self.column(name);
            for values in [&mut column.steps, &mut column.wall, &mut column.y] {
                values.reserve(count);
            }
        }
    }

    /// Decodes episode records straight into the two episode series (no
    /// lookup by name per record: a big run has a million).
    fn add_records(&mut self, bytes: &[u8]) {
        if bytes.len() < RECORD_BYTES {
            return;
        }
        let mut returns = self.series.remove("return").unwrap_or_default();
        let mut lengths = self.series.remove("length").unwrap_or_default();
        for record in records(bytes) {
            let (steps, wall) = (record.env_steps as f64, record.at - self.started_at);
            self.episodes.push(EpisodeMark {
                episode: record.episode,
                env_steps: steps,
                at: record.at,
            });
            returns.push(steps, wall, record.episode_return);
            lengths.push(steps, wall, f64::from(record.length));
        }
        self.series.insert("return".into(), returns);
        self.series.insert("length".into(), lengths);
    }

    fn take(&mut self, parsed: Parsed) {
        match parsed {
            Parsed::Episode(episode) => self.add_episode(&episode),
            Parsed::Train(event) => self.add_train(&event),
            Parsed::Bad => self.bad_lines += 1,
            Parsed::NotACurve => {}
        }
    }

    fn add_episode(&mut self, line: &EpisodeLine) {
        let wall = line.at - self.started_at;
        self.episodes.push(EpisodeMark {
            episode: line.episode,
            env_steps: line.env_steps,
            at: line.at,
        });
        self.column("return")
            .push(line.env_steps, wall, line.episode_return);
        self.column("length")
            .push(line.env_steps, wall, line.length);
    }

    fn add_train(&mut self, event: &serde_json::Map<String, serde_json::Value>) {
        let number = |key: &str| event.get(key).and_then(serde_json::Value::as_f64);
        let (Some(steps), Some(at)) = (number("env_steps"), number("at")) else {
            self.bad_lines += 1;
            return;
        };
        let wall = at - self.started_at;
        self.last_sps = number("sps").or(self.last_sps);
        for (key, value) in event {
            if let Some(y) = value.as_f64()
                && !NOT_METRICS.contains(&key.as_str())
            {
                self.column(key).push(steps, wall, y);
            }
        }
    }

    fn column(&mut self, name: &str) -> &mut Column {
        if !self.series.contains_key(name) {
            self.series.insert(name.to_string(), Column::default());
        }
        self.series.get_mut(name).expect("inserted above")
    }

    /// Env steps reached by the time `at` (Unix seconds), from the
    /// episodes: where a checkpoint taken then sits on the steps axis.
    pub fn steps_at(&self, at: f64) -> Option<f64> {
        let after = self.episodes.partition_point(|mark| mark.at <= at);
        after.checked_sub(1).map(|i| self.episodes[i].env_steps)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const EPISODE: &str = r#"{"event":"episode","run":"r","agent":"l","episode":1,"env_index":0,"episode_return":12.0,"length":12,"env_steps":48,"at":100.5}"#;
    const TRAIN: &str = r#"{"event":"train","run":"r","agent":"l","env_steps":64,"episodes":1,"td_loss":0.25,"epsilon":0.9,"sps":1000.0,"mean_return":null,"at":101.0}"#;

    #[test]
    fn episodes_and_metrics_become_series() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        std::fs::write(
            &path,
            format!("{EPISODE}\n{TRAIN}\n{{\"event\":\"paused\",\"run\":\"r\",\"at\":102}}\n"),
        )
        .expect("write");
        let mut history = History::new(dir.path(), 100.0);
        history.refresh().expect("read");
        assert_eq!(history.series["return"].y, [12.0]);
        assert_eq!(history.series["return"].wall, [0.5]);
        assert_eq!(history.series["length"].steps, [48.0]);
        assert_eq!(history.series["td_loss"].y, [0.25]);
        assert_eq!(history.series["epsilon"].steps, [64.0]);
        assert!(
            !history.series.contains_key("mean_return"),
            "null is no point"
        );
        assert!(!history.series.contains_key("episodes"));
        assert_eq!(history.last_sps, Some(1000.0));
        assert_eq!(history.bad_lines, 0);
    }

    #[test]
    fn a_torn_last_line_waits_and_garbage_is_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        let (head, tail) = EPISODE.split_at(40);
        std::fs::write(&path, format!("not json\n{EPISODE}\n{head}")).expect("write");
        let mut history = History::new(dir.path(), 100.0);
        history.refresh().expect("read");
        assert_eq!(
            (history.series["return"].y.len(), history.bad_lines),
            (1, 1)
        );
        assert_eq!(history.unfinished_bytes(), head.len());
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        writeln!(file, "{tail}").expect("append");
        history.refresh().expect("read again");
        assert_eq!(history.series["return"].y.len(), 2);
        assert_eq!(history.unfinished_bytes(), 0);
        assert_eq!(history.steps_at(100.6), Some(48.0));
        assert_eq!(history.steps_at(99.0), None);
    }

    #[test]
    fn a_big_file_parsed_in_pieces_keeps_its_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        let mut text = String::new();
        let mut n = 0u64;
        while text.len() < 2 * PARALLEL_FROM {
            n += 1;
            text.push_str(&EPISODE.replace(r#""episode":1,"#, &format!(r#""episode":{n},"#)));
            text.push('\n');
        }
        std::fs::write(&path, &text).expect("write");
        let mut history = History::new(dir.path(), 100.0);
        history.refresh().expect("read");
        let numbers: Vec<u64> = history.episodes.iter().map(|e| e.episode).collect();
        assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
        for parts in 1..5 {
            let pieces = split_at_lines(text.as_bytes(), parts);
            assert_eq!(pieces.concat(), text.as_bytes());
            assert!(pieces.iter().all(|p| p.is_empty() || p.ends_with(b"\n")));
        }
    }

    #[test]
    fn reading_by_keys_agrees_with_serde() {
        let by_keys = episode_by_keys(EPISODE.as_bytes()).expect("our own layout");
        let by_serde: EpisodeLine = serde_json::from_str(EPISODE).expect("json");
        assert_eq!(
            (
                by_keys.episode,
                by_keys.episode_return,
                by_keys.length,
                by_keys.env_steps,
                by_keys.at
            ),
            (
                by_serde.episode,
                by_serde.episode_return,
                by_serde.length,
                by_serde.env_steps,
                by_serde.at
            )
        );
        let reordered = r#"{"event":"episode","at":1.0,"episode":2,"episode_return":3.0,"length":4,"env_steps":5}"#;
        assert!(
            episode_by_keys(reordered.as_bytes()).is_none(),
            "out of order goes to serde"
        );
        let mut history = History::new("unused", 0.0);
        history.take(parse_line(reordered.as_bytes()));
        assert_eq!(history.series["return"].y, [3.0]);
    }

    #[test]
    fn a_missing_file_is_an_empty_history() {
        let mut history = History::new("/nonexistent/run", 0.0);
        history.refresh().expect("no file is no error");
        assert!(history.series.is_empty());
    }

    /// Curve files as a run's telemetry writes them.
    fn curve_files(
        folder: &Path,
        episodes: u64,
    ) -> agora_runtime::telemetry::curve_files::CurveFiles {
        let mut files = agora_runtime::telemetry::curve_files::CurveFiles::open(folder)
            .expect("open")
            .expect("a new run gets curve files");
        for episode in 1..=episodes {
            files
                .episode(&agora_runtime::telemetry::EpisodeEvent {
                    run: "r".into(),
                    agent: "l".into(),
                    episode,
                    env_index: 0,
                    episode_return: 12.0 * episode as f64,
                    length: 12,
                    env_steps: 48 * episode,
                    at: 100.0 + 0.5 * episode as f64,
                })
                .expect("episode");
        }
        files.train(TRAIN.as_bytes()).expect("train");
        files.flush().expect("flush");
        files
    }

    #[test]
    fn curve_files_give_the_same_series_and_a_torn_record_waits() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(curve_files(dir.path(), 2));
        // events.jsonl says something else: the curve files are what is read.
        std::fs::write(dir.path().join("events.jsonl"), "garbage\n").expect("events");
        let episodes = dir.path().join(CURVES_DIR).join(EPISODES_FILE);
        let record = std::fs::read(&episodes).expect("episodes")[EPISODES_HEADER.len()..]
            [..RECORD_BYTES]
            .to_vec();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&episodes)
            .expect("open");
        file.write_all(&record[..10]).expect("tear");

        let mut history = History::new(dir.path(), 100.0);
        history.refresh().expect("read");
        assert_eq!(history.series["return"].y, [12.0, 24.0]);
        assert_eq!(history.series["return"].wall, [0.5, 1.0]);
        assert_eq!(history.series["length"].steps, [48.0, 96.0]);
        assert_eq!(history.series["td_loss"].y, [0.25]);
        assert_eq!(history.episodes[1].episode, 2);
        assert_eq!((history.bad_lines, history.unfinished_bytes()), (0, 10));

        file.write_all(&record[10..]).expect("finish the record");
        history.refresh().expect("read again");
        assert_eq!(history.series["return"].y, [12.0, 24.0, 12.0]);
        assert_eq!(history.unfinished_bytes(), 0);
    }

    #[test]
    fn curve_files_removed_mid_run_send_the_reader_back_to_events() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = curve_files(dir.path(), 3);
        std::fs::write(dir.path().join("events.jsonl"), format!("{EPISODE}\n")).expect("events");
        let mut history = History::new(dir.path(), 100.0);
        history.refresh().expect("read");
        assert_eq!(history.series["return"].y.len(), 3);
        files.discard();
        history.refresh().expect("read after the files went");
        assert_eq!(
            history.series["return"].y,
            [12.0],
            "events.jsonl, read from its start"
        );
    }
}

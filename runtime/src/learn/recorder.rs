//! Keeping finished episodes of the watched env (env 0) for replay
//! (`[telemetry] record_episodes`, `record_max_mb`), whether or not anyone
//! watches: the train loop appends each step to flat columns, and when an
//! episode ends the keep rule decides; a kept episode is moved (not copied)
//! to a writer thread through a bounded queue that never makes training
//! wait (full: the episode is dropped and counted). The writer appends it
//! to `runs/{run}/episodes/episodes.bin` (format: [`super::recorded`]) and
//! hands the emptied columns back for the next episode, so recording
//! allocates nothing in the steady state. Fast mode (`--no-telemetry`)
//! records nothing.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use agora_agents::Params;

use super::recorded::{
    BodyRef, RecordedEpisodes, RecordedSummary, StepColumns, encode_record, episodes_file,
};
use crate::transport::unix_now;

/// Steps kept of one recorded episode (as the live stream keeps); a longer
/// one is kept with its first steps and `steps_cut`.
pub const MAX_RECORDED_STEPS: usize = 10_000;
/// Kept episodes that may wait for the writer.
const QUEUE: usize = 8;
/// How long the first keep decision waits for the writer's reading of an
/// earlier session's file (it is done long before, in practice).
const RESUME_WAIT: Duration = Duration::from_secs(2);

/// Which finished episodes of env 0 a learner keeps: `[telemetry]
/// record_episodes`, written `"every:N"`, `"best"`, `"every:N+best"`,
/// `"all"` or `"off"` (default `"every:100+best"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordEpisodes {
    /// Keep nothing.
    Off,
    /// Keep every episode of env 0.
    All,
    /// Keep some.
    Some {
        /// Keep env 0's first episode that ends at or past each multiple of
        /// N in the run-wide episode count (with one env: episodes N, 2N, …).
        every: Option<u64>,
        /// Keep each episode of env 0 whose return beats every earlier one.
        best: bool,
    },
}

impl Default for RecordEpisodes {
    fn default() -> Self {
        RecordEpisodes::Some {
            every: Some(100),
            best: true,
        }
    }
}

/// A `record_episodes` value that is none of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "record_episodes: `{0}` is not a recording rule; write \"every:N\" (N at least 1), \"best\", \"every:N+best\", \"all\" or \"off\""
)]
pub struct RecordEpisodesError(String);

impl std::str::FromStr for RecordEpisodes {
    type Err = RecordEpisodesError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || RecordEpisodesError(text.to_string());
        match text.trim() {
            "off" => return Ok(RecordEpisodes::Off),
            "all" => return Ok(RecordEpisodes::All),
            _ => {}
        }
        let (mut every, mut best) = (None, false);
        for part in text.trim().split('+').map(str::trim) {
            if part == "best" && !best {
                best = true;
            } else if let Some(n) = part.strip_prefix("every:")
                && every.is_none()
            {
                every = Some(
                    n.trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(bad)?,
                );
            } else {
                return Err(bad());
            }
        }
        Ok(RecordEpisodes::Some { every, best })
    }
}

impl fmt::Display for RecordEpisodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordEpisodes::Off => f.write_str("off"),
            RecordEpisodes::All => f.write_str("all"),
            RecordEpisodes::Some { every, best } => match (every, best) {
                (Some(n), true) => write!(f, "every:{n}+best"),
                (Some(n), false) => write!(f, "every:{n}"),
                (None, _) => f.write_str("best"),
            },
        }
    }
}

impl<'de> serde::Deserialize<'de> for RecordEpisodes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What the run hands its learners for recording (through the run
/// context's extensions; absent in fast mode or with `record_episodes =
/// "off"`).
#[derive(Debug, Clone)]
pub struct RecordSettings {
    /// The run's folder, `{data_dir}/runs/{run}`.
    pub run_folder: PathBuf,
    /// Which episodes to keep.
    pub keep: RecordEpisodes,
    /// Size cap of the episodes file; recording stops when it is reached.
    pub max_bytes: u64,
}

/// The keep decision, on its own so it can be tested without a learner.
#[derive(Debug, Clone)]
pub(crate) struct KeepRule {
    rule: RecordEpisodes,
    /// Run-wide number of env 0's previous episode (or the count when
    /// recording began), for `every:N`.
    previous: Option<u64>,
    /// The best return of env 0 so far, for `best`.
    best_return: Option<f64>,
}

impl KeepRule {
    pub(crate) fn new(rule: RecordEpisodes, best_return: Option<f64>) -> Self {
        Self {
            rule,
            previous: None,
            best_return,
        }
    }

    /// Sets where counting for `every:N` starts (the episodes the run had
    /// when recording began), unless env 0 has finished one since.
    pub(crate) fn start_at(&mut self, episodes: u64) {
        self.previous.get_or_insert(episodes);
    }

    /// Whether env 0's episode `episode` (run-wide number) with
    /// `episode_return` is kept; updates what later decisions compare with.
    /// Raises the best return to beat to `best` (an earlier session's).
    pub(crate) fn resume_best(&mut self, best: f64) {
        if self.best_return.is_none_or(|own| best > own) {
            self.best_return = Some(best);
        }
    }

    pub(crate) fn keep(&mut self, episode: u64, episode_return: f64) -> bool {
        let previous = self
            .previous
            .replace(episode)
            .unwrap_or(episode.saturating_sub(1));
        let new_best = self.best_return.is_none_or(|best| episode_return > best);
        if new_best {
            self.best_return = Some(episode_return);
        }
        match self.rule {
            RecordEpisodes::Off => false,
            RecordEpisodes::All => true,
            RecordEpisodes::Some { every, best } => {
                let due = every.is_some_and(|n| episode / n > previous / n);
                due || (best && new_best)
            }
        }
    }
}

/// An episode on its way to the writer.
struct KeptEpisode {
    summary: RecordedSummary,
    steps: StepColumns,
}

/// How env 0's episode that just ended went.
pub(crate) struct EpisodeEnd<'a> {
    /// Its run-wide number.
    pub episode: u64,
    pub episode_return: f64,
    pub length: u32,
    pub env_steps: u64,
    pub final_obs: &'a [f32],
}

/// Counts the writer keeps for the recorder's closing line.
#[derive(Debug, Default)]
struct WriterCounts {
    written: AtomicU64,
    over_cap: AtomicU64,
}

/// A learner's recording of env 0: the columns of the current episode, the
/// keep rule and the writer thread.
pub struct Recorder {
    rule: KeepRule,
    columns: StepColumns,
    /// Steps of the current episode seen, kept or not (an episode already
    /// under way when recording began is incomplete and never kept).
    steps_seen: u64,
    to_writer: Option<SyncSender<KeptEpisode>>,
    /// Emptied columns coming back from the writer.
    recycled: Receiver<StepColumns>,
    /// What the writer read of an earlier session's file, until taken.
    resumed: Option<Receiver<Option<f64>>>,
    /// Set by the writer when the file reached its cap (or cannot be written).
    stopped: Arc<AtomicBool>,
    counts: Arc<WriterCounts>,
    dropped: u64,
    writer: Option<JoinHandle<()>>,
    file: PathBuf,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("file", &self.file)
            .field("rule", &self.rule)
            .finish_non_exhaustive()
    }
}

/// What the writer thread owns.
struct Writer {
    file: PathBuf,
    agent: String,
    env_id: String,
    params: Params,
    max_bytes: u64,
    stopped: Arc<AtomicBool>,
    counts: Arc<WriterCounts>,
}

impl Recorder {
    /// Starts recording `agent`'s env 0 (`env_id` with `params`) as
    /// `settings` say; `None` (logged) when the writer thread cannot start.
    pub fn start(
        settings: &RecordSettings,
        agent: &str,
        env_id: &str,
        params: &Params,
    ) -> Option<Self> {
        let file = episodes_file(&settings.run_folder);
        let (to_writer, from_recorder) = sync_channel(QUEUE);
        let (recycle, recycled) = sync_channel(QUEUE);
        let (resumed_tx, resumed) = sync_channel(1);
        let stopped = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(WriterCounts::default());
        let writer = Writer {
            file: file.clone(),
            agent: agent.to_string(),
            env_id: env_id.to_string(),
            params: params.clone(),
            max_bytes: settings.max_bytes,
            stopped: stopped.clone(),
            counts: counts.clone(),
        };
        let thread = std::thread::Builder::new()
            .name(format!("episodes-{agent}"))
            .spawn(move || writer.run(&from_recorder, &recycle, &resumed_tx));
        let thread = match thread {
            Ok(thread) => thread,
            Err(error) => {
                tracing::warn!(%error, "episodes are not recorded: no writer thread");
                return None;
            }
        };
        Some(Self {
            rule: KeepRule::new(settings.keep, None),
            columns: StepColumns::default(),
            steps_seen: 0,
            to_writer: Some(to_writer),
            recycled,
            resumed: Some(resumed),
            stopped,
            counts,
            dropped: 0,
            writer: Some(thread),
            file,
        })
    }

    /// Whether steps are worth recording (the file has room).
    pub(crate) fn recording(&self) -> bool {
        self.to_writer.is_some() && !self.stopped.load(Ordering::Relaxed)
    }

    /// Notes the run's episode count before this step, so `every:N`
    /// counts from where recording began.
    pub(crate) fn start_at(&mut self, episodes: u64) {
        self.rule.start_at(episodes);
    }

    /// Records what env 0 saw before acting.
    pub(crate) fn observe(&mut self, obs: &[f32]) {
        self.steps_seen += 1;
        if self.columns.len() < MAX_RECORDED_STEPS {
            self.columns.obs_dim = obs.len() as u32;
            self.columns.obs.extend_from_slice(obs);
        }
    }

    /// Records the rest of the step [`observe`](Self::observe) began.
    pub(crate) fn step(
        &mut self,
        action: i64,
        reward: f32,
        values: Option<Vec<f64>>,
        epsilon: Option<f64>,
    ) {
        let columns = &mut self.columns;
        if columns.actions.len() >= MAX_RECORDED_STEPS {
            columns.steps_cut += 1;
            return;
        }
        columns.actions.push(action);
        columns.rewards.push(reward);
        columns.epsilon.push(epsilon.map(|e| e as f32));
        match values {
            Some(values)
                if columns.values_dim == 0 || columns.values_dim as usize == values.len() =>
            {
                columns.values_dim = values.len() as u32;
                columns.values.extend(values.iter().map(|v| *v as f32));
                columns.has_values.push(true);
            }
            _ => columns.has_values.push(false),
        }
    }

    /// Env 0's episode ended: keeps it if the rule says so and it was
    /// recorded whole, and starts the next one. Called for every episode of
    /// env 0, recorded or not, so the rule sees them all.
    pub(crate) fn end_episode(&mut self, end: &EpisodeEnd<'_>) {
        if let Some(resumed) = self.resumed.take()
            && let Ok(Some(best)) = resumed.recv_timeout(RESUME_WAIT)
        {
            self.rule.resume_best(best);
        }
        let whole = std::mem::take(&mut self.steps_seen) == u64::from(end.length);
        let wanted = self.rule.keep(end.episode, end.episode_return);
        if wanted && !self.recording() {
            self.counts.over_cap.fetch_add(1, Ordering::Relaxed);
        }
        if !(wanted && whole && self.recording()) {
            self.columns.clear();
            return;
        }
        let next = self.recycled.try_recv().unwrap_or_default();
        let mut steps = std::mem::replace(&mut self.columns, next);
        steps.final_obs.extend_from_slice(end.final_obs);
        let kept = KeptEpisode {
            summary: RecordedSummary {
                episode: end.episode,
                episode_return: end.episode_return,
                length: u64::from(end.length),
                env_steps: end.env_steps,
                at: unix_now(),
            },
            steps,
        };
        if let Some(to_writer) = &self.to_writer {
            match to_writer.try_send(kept) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => self.dropped += 1,
                Err(TrySendError::Disconnected(_)) => self.to_writer = None,
            }
        }
    }

    /// Writes what is queued and stops the writer; says what was kept.
    pub fn close(&mut self) {
        let Some(thread) = self.writer.take() else {
            return;
        };
        self.to_writer = None;
        if thread.join().is_err() {
            tracing::warn!(file = %self.file.display(), "the episode writer panicked");
        }
        let written = self.counts.written.load(Ordering::Relaxed);
        let over_cap = self.counts.over_cap.load(Ordering::Relaxed);
        if self.dropped > 0 || over_cap > 0 {
            tracing::warn!(
                file = %self.file.display(),
                written,
                dropped_queue_full = self.dropped,
                not_kept_file_full = over_cap,
                "episodes recorded, some lost"
            );
        } else {
            tracing::info!(file = %self.file.display(), written, "episodes recorded");
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.close();
    }
}

impl Writer {
    fn run(
        self,
        episodes: &Receiver<KeptEpisode>,
        recycle: &SyncSender<StepColumns>,
        resumed: &SyncSender<Option<f64>>,
    ) {
        // An earlier session's file: its size counts against the cap, and
        // its best return is what a new best must beat.
        let (mut bytes, best) = match RecordedEpisodes::open_file(&self.file) {
            Ok(earlier) => (earlier.bytes(), earlier.best_return()),
            Err(error) => {
                tracing::warn!(%error, "earlier recorded episodes not read");
                (0, None)
            }
        };
        let _ = resumed.try_send(best);
        let mut file: Option<File> = None;
        for KeptEpisode { summary, mut steps } in episodes {
            if !self.stopped.load(Ordering::Relaxed) {
                self.append(&summary, &steps, &mut file, &mut bytes);
            } else {
                self.counts.over_cap.fetch_add(1, Ordering::Relaxed);
            }
            steps.clear();
            let _ = recycle.try_send(steps);
        }
    }

    fn append(
        &self,
        summary: &RecordedSummary,
        steps: &StepColumns,
        file: &mut Option<File>,
        bytes: &mut u64,
    ) {
        let body = BodyRef {
            agent: &self.agent,
            env_id: &self.env_id,
            params: &self.params,
            steps,
        };
        let record = match encode_record(summary, &body) {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(%error, episode = summary.episode, "episode not recorded");
                return;
            }
        };
        if *bytes + record.len() as u64 > self.max_bytes {
            self.stopped.store(true, Ordering::Relaxed);
            self.counts.over_cap.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                file = %self.file.display(),
                max_mb = self.max_bytes / (1024 * 1024),
                "episode recording stopped: the file reached [telemetry] record_max_mb"
            );
            return;
        }
        let written = match file {
            Some(file) => file.write_all(&record),
            None => open_for_append(&self.file).and_then(|mut opened| {
                opened.write_all(&record)?;
                *file = Some(opened);
                Ok(())
            }),
        };
        match written {
            Ok(()) => {
                *bytes += record.len() as u64;
                self.counts.written.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => {
                // A disk that refuses once will likely refuse again:
                // stop rather than log every episode.
                self.stopped.store(true, Ordering::Relaxed);
                tracing::warn!(file = %self.file.display(), %error, "episode recording stopped: cannot write");
            }
        }
    }
}

/// Opens (creating it and its folder) the episodes file for appending.
fn open_for_append(path: &Path) -> std::io::Result<File> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::recorded::RecordedEpisodes;

    fn rule(text: &str) -> RecordEpisodes {
        text.parse().expect("rule")
    }

    /// Which of env 0's episodes (run-wide numbers) a rule keeps.
    fn kept(rule: RecordEpisodes, episodes: &[(u64, f64)]) -> Vec<u64> {
        let mut keep = KeepRule::new(rule, None);
        keep.start_at(0);
        episodes
            .iter()
            .filter(|(n, r)| keep.keep(*n, *r))
            .map(|(n, _)| *n)
            .collect()
    }

    #[test]
    fn rules_read_every_accepted_form_and_refuse_the_rest() {
        assert_eq!(rule("off"), RecordEpisodes::Off);
        assert_eq!(rule("all"), RecordEpisodes::All);
        assert_eq!(
            rule("best"),
            RecordEpisodes::Some {
                every: None,
                best: true
            }
        );
        assert_eq!(
            rule("every:5"),
            RecordEpisodes::Some {
                every: Some(5),
                best: false
            }
        );
        assert_eq!(rule("every:100+best"), RecordEpisodes::default());
        assert_eq!(rule(" best + every:100 "), RecordEpisodes::default());
        for text in ["every:100+best", "every:3", "best", "all", "off"] {
            assert_eq!(rule(text).to_string(), text);
        }
        for bad in [
            "",
            "every",
            "every:0",
            "every:x",
            "best+best",
            "sometimes",
            "every:2+every:3",
            "all+best",
        ] {
            let error = bad.parse::<RecordEpisodes>().expect_err(bad).to_string();
            assert!(
                error.contains("every:N+best") && error.contains(&format!("`{bad}`")),
                "{error}"
            );
        }
    }

    #[test]
    fn every_n_keeps_the_episodes_that_reach_each_multiple() {
        let one_env: Vec<(u64, f64)> = (1..=250).map(|n| (n, 0.0)).collect();
        assert_eq!(kept(rule("every:100"), &one_env), [100, 200]);
        // Env 0 of several: its first episode at or past each multiple.
        let shared = [
            (40, 0.0),
            (97, 0.0),
            (103, 0.0),
            (150, 0.0),
            (199, 0.0),
            (200, 0.0),
        ];
        assert_eq!(kept(rule("every:100"), &shared), [103, 200]);
    }

    #[test]
    fn best_keeps_each_return_above_every_earlier_one() {
        let episodes = [(1, 5.0), (2, 3.0), (3, 5.0), (4, 9.0), (5, 8.0), (6, 10.0)];
        assert_eq!(kept(rule("best"), &episodes), [1, 4, 6]);
        assert_eq!(kept(rule("all"), &episodes), [1, 2, 3, 4, 5, 6]);
        assert_eq!(kept(rule("off"), &episodes), Vec::<u64>::new());
        // A resumed run's best is the best it recorded before.
        let mut resumed = KeepRule::new(rule("best"), Some(9.5));
        assert!(!resumed.keep(7, 9.0));
        assert!(resumed.keep(8, 9.75));
    }

    #[test]
    fn every_and_best_together_keep_either() {
        let episodes: Vec<(u64, f64)> = (1..=10)
            .map(|n| (n, if n == 3 { 7.0 } else { 1.0 }))
            .collect();
        assert_eq!(kept(rule("every:5+best"), &episodes), [1, 3, 5, 10]);
    }

    fn play(recorder: &mut Recorder, episode: u64, length: u32, reward: f32) {
        for step in 0..length {
            recorder.observe(&[step as f32, 1.0]);
            recorder.step(1, reward, Some(vec![0.5, 1.5]), None);
        }
        recorder.end_episode(&EpisodeEnd {
            episode,
            episode_return: f64::from(reward) * f64::from(length),
            length,
            env_steps: episode * 10,
            final_obs: &[-1.0, -1.0],
        });
    }

    #[test]
    fn kept_episodes_reach_the_file_and_a_partial_first_one_does_not() {
        let dir = tempfile::tempdir().expect("tmp");
        let settings = RecordSettings {
            run_folder: dir.path().to_path_buf(),
            keep: rule("all"),
            max_bytes: 1 << 20,
        };
        let mut recorder =
            Recorder::start(&settings, "learner", "CartPole-v1", &Params::new()).expect("start");
        recorder.start_at(4);
        // Began before recording did: 2 steps seen of 5.
        for _ in 0..2 {
            recorder.observe(&[0.0, 0.0]);
            recorder.step(0, 1.0, None, None);
        }
        recorder.end_episode(&EpisodeEnd {
            episode: 5,
            episode_return: 5.0,
            length: 5,
            env_steps: 50,
            final_obs: &[0.0, 0.0],
        });
        play(&mut recorder, 6, 3, 1.0);
        play(&mut recorder, 7, 4, 2.0);
        recorder.close();
        let episodes = RecordedEpisodes::open(dir.path()).expect("open");
        let numbers: Vec<u64> = episodes.list().iter().map(|s| s.episode).collect();
        assert_eq!(numbers, [6, 7]);
        let seven = episodes.read(7).expect("read").expect("kept");
        assert_eq!(seven.steps.len(), 4);
        assert_eq!(seven.steps[3].obs, [3.0, 1.0]);
        assert_eq!(seven.steps[0].values, Some(vec![0.5, 1.5]));
        assert_eq!(seven.final_obs, [-1.0, -1.0]);
        assert_eq!(seven.env.id, "CartPole-v1");

        // A second session appends, and beats the first one's best.
        let mut again = Recorder::start(
            &RecordSettings {
                keep: rule("best"),
                ..settings
            },
            "learner",
            "CartPole-v1",
            &Params::new(),
        )
        .expect("start");
        again.start_at(7);
        play(&mut again, 8, 4, 1.0);
        play(&mut again, 9, 5, 2.0);
        again.close();
        let numbers: Vec<u64> = RecordedEpisodes::open(dir.path())
            .expect("open")
            .list()
            .iter()
            .map(|s| s.episode)
            .collect();
        assert_eq!(numbers, [6, 7, 9]);
    }

    /// What recording adds to a training step, without a learner's noise
    /// around it: `cargo test -p agora-runtime --release --lib
    /// recording_cost -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn recording_cost_per_step() {
        let dir = tempfile::tempdir().expect("tmp");
        let settings = RecordSettings {
            run_folder: dir.path().to_path_buf(),
            keep: RecordEpisodes::default(),
            max_bytes: 256 << 20,
        };
        let mut recorder =
            Recorder::start(&settings, "learner", "CartPole-v1", &Params::new()).expect("start");
        recorder.start_at(0);
        let (steps, length) = (5_000_000u64, 200u32);
        let obs = [0.1f32, 0.2, 0.3, 0.4];
        let started = std::time::Instant::now();
        for i in 0..steps {
            recorder.observe(std::hint::black_box(&obs));
            // As Trainer::last_action_values allocates its answer.
            let values = Some(vec![0.5, std::hint::black_box(1.5)]);
            recorder.step(1, 1.0, values, Some(0.05));
            if (i + 1) % u64::from(length) == 0 {
                let episode = (i + 1) / u64::from(length);
                recorder.end_episode(&EpisodeEnd {
                    episode,
                    episode_return: (episode % 7) as f64,
                    length,
                    env_steps: i + 1,
                    final_obs: &obs,
                });
            }
        }
        let per_step = started.elapsed().as_secs_f64() / steps as f64;
        recorder.close();
        let kept = RecordedEpisodes::open(dir.path())
            .expect("open")
            .list()
            .len();
        println!(
            "recording: {:.1} ns per step ({kept} episodes kept)",
            per_step * 1e9
        );
    }

    #[test]
    fn recording_stops_at_the_size_cap() {
        let dir = tempfile::tempdir().expect("tmp");
        let settings = RecordSettings {
            run_folder: dir.path().to_path_buf(),
            keep: rule("all"),
            max_bytes: 600,
        };
        let mut recorder =
            Recorder::start(&settings, "learner", "CartPole-v1", &Params::new()).expect("start");
        recorder.start_at(0);
        let mut episode = 0;
        while recorder.recording() && episode < 1000 {
            episode += 1;
            play(&mut recorder, episode, 5, 1.0);
            // Let the writer catch up, as it does between real episodes.
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(!recorder.recording(), "the cap stopped recording");
        recorder.close();
        let episodes = RecordedEpisodes::open(dir.path()).expect("open");
        assert!(episodes.bytes() <= 600, "{} bytes", episodes.bytes());
        assert!(!episodes.list().is_empty());
        assert!(recorder.counts.over_cap.load(Ordering::Relaxed) >= 1);
    }
}

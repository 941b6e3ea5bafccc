//! Live viewing of a learner while someone watches (visual mode, `agora ctl
//! RUN visual on`): the watched env's (env 0) finished episodes step by
//! step, from the first episode that starts after visual mode is turned on,
//! and a frame now and then, on `runs/{run}/episodes`. Unwatched, nothing
//! is recorded (the cheap per-episode summaries are on `telemetry/episode`).
//! This side only keeps steps and decides; serializing, the frame's PNG and
//! publishing happen on the stream's own thread (`stream_publisher`), and
//! an episode keeps at most `MAX_STEPS` steps; training never waits.

use std::time::{Duration, Instant};

use agora_agents::render::Frame;

use super::stream_publisher::{EpisodeJob, FrameJob, Job, Publisher, StreamStep};
use crate::transport::{Transport, unix_now};

/// Steps kept of one streamed episode; a longer one is sent with its first
/// steps and `steps_cut` saying how many were left out.
const MAX_STEPS: usize = 10_000;

/// Where the recording of the watched env stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recording {
    /// Nobody watches: nothing is recorded.
    Off,
    /// Visual mode is on, the current episode began before it: record
    /// from the next one, so every streamed episode is whole.
    NextEpisode,
    /// Recording the current episode.
    On,
}

/// How the watched env's episode ended.
#[derive(Debug, Clone, Copy)]
pub struct EpisodeEnded<'a> {
    /// Its run-wide number, as in its `episode` event (`None` when the
    /// learner did not report it, e.g. a cut-short episode).
    pub number: Option<u64>,
    /// Sum of its rewards.
    pub episode_return: f64,
    /// Its last observation.
    pub final_obs: &'a [f32],
}

/// The watched env's recording, and the thread that publishes it.
pub struct Stream {
    publisher: Option<Publisher>,
    steps: Vec<StreamStep>,
    /// Steps of the current episode past `MAX_STEPS`.
    steps_cut: u64,
    /// Length of the current episode, steps kept or not.
    length: usize,
    recording: Recording,
    episodes: u64,
    visual: Option<Duration>,
    last_frame: Option<Instant>,
    fps: f64,
}

impl Stream {
    /// A stream of `agent` of `run`, frames at most `fps` per second in
    /// visual mode.
    pub fn new(transport: Transport, run: &str, agent: &str, fps: f64) -> Self {
        Self {
            publisher: Publisher::start(transport, run, agent),
            steps: Vec::new(),
            steps_cut: 0,
            length: 0,
            recording: Recording::Off,
            episodes: 0,
            visual: None,
            last_frame: None,
            fps: fps.max(0.1),
        }
    }

    /// Visual mode on (frames at most `fps × speed` per second) or off.
    pub fn set_visual(&mut self, on: bool, speed: f64) {
        self.visual =
            on.then(|| Duration::from_secs_f64(1.0 / (self.fps * speed.clamp(1e-3, 1.0))));
        self.last_frame = None;
        self.recording = match (on, self.recording) {
            (false, _) => Recording::Off,
            (true, Recording::Off) => Recording::NextEpisode,
            (true, going) => going,
        };
        if self.recording == Recording::Off {
            self.clear_episode();
        }
    }

    /// Whether someone watches, so steps are worth recording.
    pub fn watching(&self) -> bool {
        self.recording != Recording::Off && self.publisher.is_some()
    }

    fn clear_episode(&mut self) {
        self.steps.clear();
        self.steps_cut = 0;
        self.length = 0;
    }

    /// Whether visual mode wants a frame of this step.
    pub fn frame_due(&self) -> bool {
        self.visual
            .is_some_and(|interval| self.last_frame.is_none_or(|at| at.elapsed() >= interval))
    }

    /// Payloads dropped because the thread or the connection fell behind.
    pub fn dropped(&self) -> u64 {
        self.publisher.as_ref().map_or(0, Publisher::dropped)
    }

    /// Records a step of the watched env; hands over the episode when it
    /// ended, and a frame (with `picture`, drawn only when one was due)
    /// when visual mode wants one.
    pub fn record(
        &mut self,
        step: StreamStep,
        next_obs: &[f32],
        episode_end: Option<EpisodeEnded<'_>>,
        board: Option<String>,
        picture: Option<Frame>,
    ) {
        let Some(publisher) = &self.publisher else {
            return;
        };
        if self.frame_due() {
            self.last_frame = Some(Instant::now());
            publisher.send(Job::Frame(FrameJob {
                step: self.length + 1,
                obs: next_obs.to_vec(),
                board,
                picture,
                action: step.action,
                reward: step.reward,
                at: unix_now(),
            }));
        }
        if self.recording == Recording::On {
            self.length += 1;
            if self.steps.len() < MAX_STEPS {
                self.steps.push(step);
            } else {
                self.steps_cut += 1;
            }
        }
        if let Some(ended) = episode_end {
            match self.recording {
                Recording::On => self.hand_over_episode(&ended),
                Recording::NextEpisode => self.recording = Recording::On,
                Recording::Off => {}
            }
            self.clear_episode();
        }
    }

    fn hand_over_episode(&mut self, ended: &EpisodeEnded<'_>) {
        let Some(publisher) = &self.publisher else {
            return;
        };
        self.episodes += 1;
        publisher.send(Job::Episode(EpisodeJob {
            // The run-wide number, so a page can match it to the curve.
            episode: ended.number.unwrap_or(self.episodes),
            episode_return: ended.episode_return,
            length: self.length,
            steps: std::mem::take(&mut self.steps),
            steps_cut: self.steps_cut,
            final_obs: ended.final_obs.to_vec(),
            at: unix_now(),
        }));
    }
}

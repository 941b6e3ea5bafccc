//! Live viewing of a learner while someone watches (visual mode, `agora ctl
//! RUN visual on`): the watched env's (env 0) finished episodes step by
//! step, from the first episode that starts after visual mode is turned on,
//! and a frame now and then, on `runs/{run}/episodes`. Unwatched, nothing
//! is recorded (the cheap per-episode summaries are on `telemetry/episode`).
//! Payloads wait in a short queue that drops the oldest when the connection
//! cannot keep up, and an episode keeps at most `MAX_STEPS` steps; training
//! never waits.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::frame_image::FrameImage;
use crate::transport::{PublishError, QoS, Transport, unix_now};

/// Payloads that may wait for the connection.
const QUEUE: usize = 16;
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

/// One step of a streamed episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamStep {
    /// What the learner saw when it acted.
    pub obs: Vec<f32>,
    /// What it did.
    pub action: i64,
    /// What it got.
    pub reward: f64,
    /// Q-values or action probabilities behind the action, when known.
    pub values: Option<Vec<f64>>,
    /// Exploration rate in force.
    pub epsilon: Option<f64>,
}

#[derive(Serialize)]
struct EpisodePayload<'a> {
    r#type: &'static str,
    run: &'a str,
    agent: &'a str,
    episode: u64,
    env_index: usize,
    #[serde(rename = "return")]
    episode_return: f64,
    length: usize,
    steps: &'a [StreamStep],
    #[serde(skip_serializing_if = "is_zero")]
    steps_cut: u64,
    final_obs: &'a [f32],
    at: f64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct FramePayload<'a> {
    r#type: &'static str,
    run: &'a str,
    agent: &'a str,
    env_index: usize,
    step: usize,
    obs: &'a [f32],
    board: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a FrameImage>,
    action: i64,
    reward: f64,
    at: f64,
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

/// The watched env's recording and the stream's queue.
pub struct Stream {
    transport: Transport,
    topic: String,
    run: String,
    agent: String,
    steps: Vec<StreamStep>,
    /// Steps of the current episode past `MAX_STEPS`.
    steps_cut: u64,
    /// Length of the current episode, steps kept or not.
    length: usize,
    recording: Recording,
    episodes: u64,
    queue: VecDeque<Vec<u8>>,
    dropped: u64,
    visual: Option<Duration>,
    last_frame: Option<Instant>,
    fps: f64,
}

impl Stream {
    /// A stream of `agent` of `run`, frames at most `fps` per second in
    /// visual mode.
    pub fn new(transport: Transport, run: &str, agent: &str, fps: f64) -> Self {
        let topic = transport.topics().episodes(run);
        Self {
            transport,
            topic,
            run: run.into(),
            agent: agent.into(),
            steps: Vec::new(),
            steps_cut: 0,
            length: 0,
            recording: Recording::Off,
            episodes: 0,
            queue: VecDeque::new(),
            dropped: 0,
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
        self.recording != Recording::Off
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

    /// Payloads dropped because the connection fell behind.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Records a step of the watched env; publishes the episode when it
    /// ended, and a frame when visual mode wants one.
    pub fn record(
        &mut self,
        step: StreamStep,
        next_obs: &[f32],
        episode_end: Option<EpisodeEnded<'_>>,
        board: Option<&str>,
        image: Option<&FrameImage>,
    ) {
        if let Some(interval) = self.visual
            && self.last_frame.is_none_or(|at| at.elapsed() >= interval)
        {
            self.last_frame = Some(Instant::now());
            let frame = FramePayload {
                r#type: "frame",
                run: &self.run,
                agent: &self.agent,
                env_index: 0,
                step: self.length + 1,
                obs: next_obs,
                board,
                image,
                action: step.action,
                reward: step.reward,
                at: unix_now(),
            };
            if let Ok(bytes) = serde_json::to_vec(&frame) {
                self.enqueue(bytes);
            }
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
                Recording::On => self.publish_episode(&ended),
                Recording::NextEpisode => self.recording = Recording::On,
                Recording::Off => {}
            }
            self.clear_episode();
        }
        self.flush();
    }

    fn publish_episode(&mut self, ended: &EpisodeEnded<'_>) {
        self.episodes += 1;
        let (episode_return, final_obs) = (ended.episode_return, ended.final_obs);
        let payload = EpisodePayload {
            r#type: "episode",
            run: &self.run,
            agent: &self.agent,
            // The run-wide number, so a page can match it to the curve.
            episode: ended.number.unwrap_or(self.episodes),
            env_index: 0,
            episode_return,
            length: self.length,
            steps: &self.steps,
            steps_cut: self.steps_cut,
            final_obs,
            at: unix_now(),
        };
        if let Ok(bytes) = serde_json::to_vec(&payload) {
            self.enqueue(bytes);
        }
    }

    fn enqueue(&mut self, payload: Vec<u8>) {
        if self.queue.len() == QUEUE {
            self.queue.pop_front();
            self.dropped += 1;
        }
        self.queue.push_back(payload);
    }

    /// Hands queued payloads to the connection until it refuses one.
    pub fn flush(&mut self) {
        while let Some(payload) = self.queue.pop_front() {
            match self
                .transport
                .publish(self.topic.clone(), payload, QoS::AtMostOnce, false)
            {
                Ok(()) => {}
                Err(PublishError::OutboxFull { payload, .. }) => {
                    self.queue.push_front(payload);
                    return;
                }
                Err(_) => return,
            }
        }
    }
}

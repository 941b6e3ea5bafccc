//! Live viewing of a learner: every finished episode of the watched env
//! (env 0), step by step, and in visual mode a frame now and then, on
//! `runs/{run}/episodes`. Payloads wait in a short queue that drops the
//! oldest when the connection cannot keep up; training never waits.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::transport::{PublishError, QoS, Transport, unix_now};

/// Payloads that may wait for the connection.
const QUEUE: usize = 16;

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
    final_obs: &'a [f32],
    at: f64,
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
    action: i64,
    reward: f64,
    at: f64,
}

/// The watched env's recording and the stream's queue.
pub struct Stream {
    transport: Transport,
    topic: String,
    run: String,
    agent: String,
    steps: Vec<StreamStep>,
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
        episode_end: Option<(f64, &[f32])>,
        board: Option<&str>,
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
                step: self.steps.len() + 1,
                obs: next_obs,
                board,
                action: step.action,
                reward: step.reward,
                at: unix_now(),
            };
            if let Ok(bytes) = serde_json::to_vec(&frame) {
                self.enqueue(bytes);
            }
        }
        self.steps.push(step);
        if let Some((episode_return, final_obs)) = episode_end {
            self.episodes += 1;
            let payload = EpisodePayload {
                r#type: "episode",
                run: &self.run,
                agent: &self.agent,
                episode: self.episodes,
                env_index: 0,
                episode_return,
                length: self.steps.len(),
                steps: &self.steps,
                final_obs,
                at: unix_now(),
            };
            if let Ok(bytes) = serde_json::to_vec(&payload) {
                self.enqueue(bytes);
            }
            self.steps.clear();
        }
        self.flush();
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

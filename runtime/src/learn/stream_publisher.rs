//! The episodes topic's own thread: what visual mode kept (a finished
//! episode, a frame with its picture) is turned into JSON, the picture into
//! PNG, and published here, never on the training thread. Work waits in a
//! short queue that drops the oldest when this thread or the connection
//! falls behind; the drops are counted.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use agora_agents::render::Frame;
use serde::Serialize;

use super::frame_image::FrameImage;
use crate::transport::{PublishError, QoS, Transport};

/// Payloads that may wait for the thread.
const QUEUE: usize = 16;
/// How long a payload waits for room in a full outbox before it is dropped.
const OUTBOX_PATIENCE: Duration = Duration::from_millis(100);
const OUTBOX_RETRY: Duration = Duration::from_millis(2);

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

/// A finished episode of the watched env, as kept.
pub(super) struct EpisodeJob {
    pub episode: u64,
    pub episode_return: f64,
    pub length: usize,
    pub steps: Vec<StreamStep>,
    pub steps_cut: u64,
    pub final_obs: Vec<f32>,
    /// When it ended (Unix seconds): its latency counts from here.
    pub at: f64,
}

/// One step of the watched env shown now.
pub(super) struct FrameJob {
    pub step: usize,
    pub obs: Vec<f32>,
    pub board: Option<String>,
    pub picture: Option<Frame>,
    pub action: i64,
    pub reward: f64,
    pub at: f64,
}

pub(super) enum Job {
    Episode(EpisodeJob),
    Frame(FrameJob),
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
    image: Option<FrameImage>,
    action: i64,
    reward: f64,
    at: f64,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    dropped: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Where the episodes topic is published from.
struct Destination {
    transport: Transport,
    topic: String,
    run: String,
    agent: String,
}

/// The publishing thread of one learner's stream; stopped when dropped.
pub(super) struct Publisher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Publisher {
    /// Starts the thread publishing on `transport`'s episodes topic of
    /// `run`; `None` (logged) when no thread can be started.
    pub fn start(transport: Transport, run: &str, agent: &str) -> Option<Self> {
        let shared = Arc::new(Shared::default());
        let destination = Destination {
            topic: transport.topics().episodes(run),
            transport,
            run: run.into(),
            agent: agent.into(),
        };
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("stream-{agent}"))
            .spawn(move || publish_until_closed(&worker, &destination));
        match thread {
            Ok(thread) => Some(Self {
                shared,
                thread: Some(thread),
            }),
            Err(error) => {
                tracing::warn!(%agent, %error, "no thread for live episodes; visual mode shows nothing");
                None
            }
        }
    }

    /// Queues `job`, dropping the oldest waiting one when the queue is full.
    pub fn send(&self, job: Job) {
        let mut queue = self.shared.lock();
        if queue.jobs.len() == QUEUE {
            queue.jobs.pop_front();
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
        queue.jobs.push_back(job);
        drop(queue);
        self.shared.ready.notify_one();
    }

    /// Payloads dropped because the thread or the connection fell behind.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn publish_until_closed(shared: &Shared, to: &Destination) {
    loop {
        let job = {
            let mut queue = shared.lock();
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                if queue.closed {
                    return;
                }
                queue = shared
                    .ready
                    .wait(queue)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        let Some(payload) = serialize(job, &to.run, &to.agent) else {
            continue;
        };
        if !publish_patiently(to, payload) {
            shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The job's JSON; `type` first, which the dashboard's pacing reads.
fn serialize(job: Job, run: &str, agent: &str) -> Option<Vec<u8>> {
    let bytes = match job {
        Job::Episode(e) => serde_json::to_vec(&EpisodePayload {
            r#type: "episode",
            run,
            agent,
            episode: e.episode,
            env_index: 0,
            episode_return: e.episode_return,
            length: e.length,
            steps: &e.steps,
            steps_cut: e.steps_cut,
            final_obs: &e.final_obs,
            at: e.at,
        }),
        Job::Frame(f) => serde_json::to_vec(&FramePayload {
            r#type: "frame",
            run,
            agent,
            env_index: 0,
            step: f.step,
            obs: &f.obs,
            board: f.board.as_deref(),
            image: f.picture.as_ref().and_then(FrameImage::encode),
            action: f.action,
            reward: f.reward,
            at: f.at,
        }),
    };
    bytes.ok()
}

/// Publishes `payload`, waiting a little for room in a full outbox; false
/// when it was not published.
fn publish_patiently(to: &Destination, mut payload: Vec<u8>) -> bool {
    let mut waited = Duration::ZERO;
    loop {
        match to
            .transport
            .publish(to.topic.clone(), payload, QoS::AtMostOnce, false)
        {
            Ok(()) => return true,
            Err(PublishError::OutboxFull { payload: back, .. }) if waited < OUTBOX_PATIENCE => {
                payload = back;
                std::thread::sleep(OUTBOX_RETRY);
                waited += OUTBOX_RETRY;
            }
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_their_type_first_and_carry_what_was_kept() {
        let episode = Job::Episode(EpisodeJob {
            episode: 7,
            episode_return: 2.0,
            length: 2,
            steps: vec![
                StreamStep {
                    obs: vec![0.5],
                    action: 1,
                    reward: 1.0,
                    values: Some(vec![0.1, 0.9]),
                    epsilon: Some(0.05),
                };
                2
            ],
            steps_cut: 0,
            final_obs: vec![0.25],
            at: 10.0,
        });
        let bytes = serialize(episode, "run-1", "learner").expect("json");
        assert!(bytes.starts_with(br#"{"type":"episode","#));
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(value["episode"], 7);
        assert_eq!(value["steps"].as_array().map(Vec::len), Some(2));
        assert_eq!(value["steps"][0]["values"][1], 0.9);
        assert!(value.get("steps_cut").is_none(), "only when steps were cut");

        let picture = Frame::new(3, 2, [10, 20, 30]);
        let frame = Job::Frame(FrameJob {
            step: 4,
            obs: vec![1.0],
            board: Some("S.G".into()),
            picture: Some(picture),
            action: 0,
            reward: 0.0,
            at: 11.0,
        });
        let bytes = serialize(frame, "run-1", "learner").expect("json");
        assert!(bytes.starts_with(br#"{"type":"frame","#));
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(
            (
                value["image"]["width"].as_u64(),
                value["image"]["height"].as_u64()
            ),
            (Some(3), Some(2))
        );
        assert_eq!(value["board"], "S.G");
    }
}

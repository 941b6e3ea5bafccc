//! One MQTT subscription per watched run, fanned out to every open tab.
//!
//! The hub keeps one broker connection per broker URL on its own runtime
//! thread, subscribes to `agora/{ns}/runs/{run}/#` when a tab or a control
//! request first needs the run, and hands each message, already in the
//! page's shape, to a broadcast channel. A tab that falls behind loses its
//! oldest messages (the channel's bound) and is told how many; the run and
//! the other tabs never wait for it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use agora_runtime::config::{BrokerChoice, parse_broker_choice};
use agora_runtime::store::RunRecord;
use agora_runtime::transport::{InboundMessage, QoS, Transport, TransportOptions, next_message_id};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Messages a tab may fall behind by before it loses the oldest.
pub const TAB_BACKLOG: usize = 256;
/// Inbound messages of one run waiting for the fan-out task.
const INBOUND_QUEUE: usize = 4096;
/// How long a control command waits for the run's answer.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// A message as tabs receive it: shared, never copied per tab.
pub type Payload = bytestring::ByteString;

/// Why a run cannot be watched or steered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LiveError {
    /// The run's record names no broker.
    #[error("run {0} has no broker on record")]
    NoBroker(String),
    /// The broker on record is not a URL this server can reach.
    #[error("run {run}: broker `{broker}` on record: {message}")]
    BadBroker {
        run: String,
        broker: String,
        message: String,
    },
    /// The broker did not answer.
    #[error("run {run}: {message}")]
    Unreachable { run: String, message: String },
    /// The run did not answer a command in time.
    #[error("run {run} did not answer `{command}` within {waited:?} (is it still running?)")]
    NoAnswer {
        run: String,
        command: String,
        waited: Duration,
    },
    /// The command could not be handed to the connection.
    #[error("run {run}: command not sent: {message}")]
    NotSent { run: String, message: String },
}

/// Broker connections and the runs watched through them.
pub struct Hub {
    runtime: Option<tokio::runtime::Runtime>,
    connections: tokio::sync::Mutex<HashMap<String, Transport>>,
    feeds: Mutex<HashMap<String, Arc<Feed>>>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").finish_non_exhaustive()
    }
}

/// The live side of one run.
pub struct Feed {
    run: String,
    broker: String,
    prefix: String,
    transport: Transport,
    tabs: broadcast::Sender<Payload>,
    status: Mutex<Option<serde_json::Value>>,
    answers: Mutex<HashMap<String, oneshot::Sender<serde_json::Value>>>,
    watchers: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// A hub with its own runtime thread for the broker connections.
    pub fn new() -> std::io::Result<Hub> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("agora-dashboard-mqtt")
            .enable_all()
            .build()?;
        Ok(Hub {
            runtime: Some(runtime),
            connections: tokio::sync::Mutex::default(),
            feeds: Mutex::default(),
        })
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime
            .as_ref()
            .map(tokio::runtime::Runtime::handle)
            .expect("the runtime lives as long as the hub")
    }

    /// The feed of `record`'s run, subscribing on first use.
    pub async fn feed(self: &Arc<Self>, record: &RunRecord) -> Result<Arc<Feed>, LiveError> {
        if let Some(feed) = lock(&self.feeds).get(&record.id) {
            return Ok(feed.clone());
        }
        let (broker, transport) = self.connection(record).await?;
        let hub = self.clone();
        let record = record.clone();
        self.handle()
            .spawn(async move { hub.subscribe(broker, transport, &record).await })
            .await
            .map_err(|e| LiveError::Unreachable {
                run: String::new(),
                message: format!("subscription task failed: {e}"),
            })?
    }

    async fn subscribe(
        self: Arc<Self>,
        broker: String,
        transport: Transport,
        record: &RunRecord,
    ) -> Result<Arc<Feed>, LiveError> {
        let namespace = record.namespace.as_deref().unwrap_or("default");
        let prefix = format!("agora/{namespace}/runs/{}", record.id);
        let (inbound, mut received) = mpsc::channel::<InboundMessage>(INBOUND_QUEUE);
        let feed = Arc::new(Feed {
            run: record.id.clone(),
            broker,
            prefix: prefix.clone(),
            transport: transport.clone(),
            tabs: broadcast::channel(TAB_BACKLOG).0,
            status: Mutex::default(),
            answers: Mutex::default(),
            watchers: AtomicUsize::new(0),
        });
        {
            let mut feeds = lock(&self.feeds);
            if let Some(existing) = feeds.get(&record.id) {
                return Ok(existing.clone());
            }
            feeds.insert(record.id.clone(), feed.clone());
        }
        let fan_out = feed.clone();
        tokio::spawn(async move {
            while let Some(message) = received.recv().await {
                fan_out.take(&message);
            }
        });
        let ticket = transport.subscribe(format!("{prefix}/#"), QoS::AtLeastOnce, inbound);
        if ticket.acknowledged(ANSWER_WITHIN).await.is_err() {
            lock(&self.feeds).remove(&record.id);
            transport.unsubscribe(&format!("{prefix}/#"));
            return Err(LiveError::Unreachable {
                run: record.id.clone(),
                message: "the broker did not acknowledge the subscription".into(),
            });
        }
        Ok(feed)
    }

    async fn connection(&self, record: &RunRecord) -> Result<(String, Transport), LiveError> {
        let broker = record
            .broker
            .clone()
            .ok_or_else(|| LiveError::NoBroker(record.id.clone()))?;
        let url = match parse_broker_choice(&broker, 1883) {
            Ok(BrokerChoice::External(url)) => url,
            Ok(BrokerChoice::Embedded { .. }) => {
                return Err(LiveError::BadBroker {
                    run: record.id.clone(),
                    broker,
                    message: "an embedded broker without an address".into(),
                });
            }
            Err(e) => {
                return Err(LiveError::BadBroker {
                    run: record.id.clone(),
                    broker,
                    message: e.to_string(),
                });
            }
        };
        let mut connections = self.connections.lock().await;
        if let Some(transport) = connections.get(&broker)
            && transport.is_connected()
        {
            return Ok((broker, transport.clone()));
        }
        let mut options = TransportOptions::new(
            url,
            format!(
                "agora-dashboard-{}-{}-{}",
                agora_runtime::host_name(),
                std::process::id(),
                connections.len()
            ),
            "default",
        );
        options.persistent_session = false;
        options.connect_timeout = Duration::from_secs(3);
        let transport = self
            .handle()
            .spawn(Transport::connect(options))
            .await
            .map_err(|e| LiveError::Unreachable {
                run: record.id.clone(),
                message: e.to_string(),
            })?
            .map_err(|e| LiveError::Unreachable {
                run: record.id.clone(),
                message: e.to_string(),
            })?;
        if let Some(old) = connections.insert(broker.clone(), transport.clone()) {
            // A connection that went away: its runs subscribe again on
            // the new one.
            lock(&self.feeds).retain(|_, feed| feed.broker != broker);
            // Detached: closing the old connection needs no waiting for.
            drop(
                self.handle()
                    .spawn(async move { old.shutdown(Duration::from_secs(1)).await }),
            );
        }
        Ok((broker, transport))
    }

    /// Forgets `run`'s feed once no tab watches it, unsubscribing.
    pub fn release(&self, feed: &Feed) {
        if feed.watchers.fetch_sub(1, Ordering::SeqCst) == 1 {
            lock(&self.feeds).remove(&feed.run);
            feed.transport.unsubscribe(&format!("{}/#", feed.prefix));
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A control command as the page sends it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlRequest {
    /// `pause`, `resume`, `stop`, `checkpoint`, `visual` or `speed`.
    pub command: String,
    /// `on`/`off` for visual, a number for speed.
    #[serde(default)]
    pub value: Option<serde_json::Value>,
}

impl Feed {
    /// A new tab: its receiver and the run's last known status.
    pub fn watch(&self) -> (broadcast::Receiver<Payload>, Option<serde_json::Value>) {
        self.watchers.fetch_add(1, Ordering::SeqCst);
        (self.tabs.subscribe(), lock(&self.status).clone())
    }

    /// Publishes `request` on the run's control topic and waits for the
    /// run's answer on its status topic.
    pub async fn command(&self, request: &ControlRequest) -> Result<serde_json::Value, LiveError> {
        let id = next_message_id();
        let mut payload = serde_json::json!({"id": id, "command": request.command});
        if let Some(value) = &request.value {
            payload["value"] = value.clone();
        }
        let (answer, answered) = oneshot::channel();
        lock(&self.answers).insert(id.clone(), answer);
        let sent = self.transport.publish(
            format!("{}/control", self.prefix),
            payload.to_string().into_bytes(),
            QoS::AtLeastOnce,
            false,
        );
        if let Err(error) = sent {
            lock(&self.answers).remove(&id);
            return Err(LiveError::NotSent {
                run: self.run.clone(),
                message: error.to_string(),
            });
        }
        match tokio::time::timeout(ANSWER_WITHIN, answered).await {
            Ok(Ok(answer)) => Ok(answer),
            _ => {
                lock(&self.answers).remove(&id);
                Err(LiveError::NoAnswer {
                    run: self.run.clone(),
                    command: request.command.clone(),
                    waited: ANSWER_WITHIN,
                })
            }
        }
    }

    /// One message from the broker: answer a waiting command, remember the
    /// status, and pass it on to the tabs in the page's shape.
    fn take(&self, message: &InboundMessage) {
        let Some(suffix) = message
            .topic
            .strip_prefix(self.prefix.as_str())
            .and_then(|s| s.strip_prefix('/'))
        else {
            return;
        };
        let page_message = match suffix {
            "episodes" => stamped(&message.payload, agora_runtime::transport::unix_now()),
            "status" => self.take_status(&message.payload),
            "telemetry/episode" => retyped(&message.payload, "episode_summary"),
            "telemetry/train" => retyped(&message.payload, "train"),
            "telemetry/lifecycle" => retyped(&message.payload, "lifecycle"),
            _ => None, // control: our own commands
        };
        if let Some(page_message) = page_message {
            // No receiver (no tab open) is fine.
            let _ = self.tabs.send(page_message);
        }
    }

    fn take_status(&self, payload: &[u8]) -> Option<Payload> {
        let mut status: serde_json::Value = serde_json::from_slice(payload).ok()?;
        if let Some(id) = status.get("reply_to").and_then(|id| id.as_str())
            && let Some(answer) = lock(&self.answers).remove(id)
        {
            let _ = answer.send(status.clone());
        }
        status["type"] = "status".into();
        let is_state = status.get("reply_to").is_none();
        if is_state {
            *lock(&self.status) = Some(status.clone());
        } else if let Some(known) = lock(&self.status).as_mut() {
            for key in ["status", "visual", "speed"] {
                if let Some(value) = status.get(key) {
                    known[key] = value.clone();
                }
            }
        }
        Some(Payload::from(status.to_string()))
    }
}

/// An episode as the run sent it, with `"relayed_at"` (Unix seconds) added
/// where the object closes: where a live episode's latency goes, the run
/// or the way to the page, shows in the page. The episode is not parsed
/// (they are the biggest messages); anything but an object goes as it came.
fn stamped(payload: &[u8], relayed_at: f64) -> Option<Payload> {
    let text = std::str::from_utf8(payload).ok()?;
    let body = text.trim_end();
    let Some(open) = body.strip_suffix('}').filter(|_| body.starts_with('{')) else {
        return Some(Payload::from(text.to_string()));
    };
    let comma = if open.trim_end().ends_with('{') {
        ""
    } else {
        ","
    };
    Some(Payload::from(format!(
        "{open}{comma}\"relayed_at\":{relayed_at}}}"
    )))
}

/// `payload` (a JSON object) with `"type": kind` added.
fn retyped(payload: &[u8], kind: &str) -> Option<Payload> {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(payload).ok()?;
    object.insert("type".into(), kind.into());
    serde_json::to_string(&object).ok().map(Payload::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telemetry_gets_the_type_the_page_reads() {
        let message =
            retyped(br#"{"event":"episode","episode":3}"#, "episode_summary").expect("an object");
        let value: serde_json::Value = serde_json::from_str(&message).expect("json");
        assert_eq!(value["type"], "episode_summary");
        assert_eq!(value["episode"], 3);
        assert!(retyped(b"[1,2]", "train").is_none());
        assert!(retyped(b"garbage", "train").is_none());
    }

    #[test]
    fn an_episode_gets_its_relay_time_and_stays_json() {
        let message = stamped(br#"{"type":"episode","episode":3} "#, 12.5).expect("utf-8");
        let value: serde_json::Value = serde_json::from_str(&message).expect("json");
        assert_eq!(
            (value["episode"].as_u64(), value["relayed_at"].as_f64()),
            (Some(3), Some(12.5))
        );
        let empty: serde_json::Value =
            serde_json::from_str(&stamped(b"{}", 1.0).expect("utf-8")).expect("json");
        assert_eq!(empty["relayed_at"], 1.0);
        assert_eq!(&*stamped(b"[1]", 1.0).expect("utf-8"), "[1]");
        assert!(stamped(&[0xff, 0xfe], 1.0).is_none());
    }
}

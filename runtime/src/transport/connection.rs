//! The one MQTT connection of a host process: publishing, topic dispatch,
//! reconnection and subscription tracking.
//!
//! # Why the transport keeps its own copy of pending publishes
//!
//! rumqttc moves unacknowledged and not-yet-sent requests into
//! `EventLoop::pending` when the connection drops, but it *clears* that list
//! when the broker answers the reconnect with `session_present = false` (a
//! broker that restarted without persistence, like the embedded one). So
//! between a failure and the next CONNACK the driver holds those requests
//! itself and hands them back after the CONNACK. Receivers drop the
//! duplicates this can cause by envelope id.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use rand::Rng;
use rumqttc::{
    AsyncClient, Event, EventLoop, LastWill, MqttOptions, NetworkOptions, Outgoing, Packet, QoS,
    Request, SubscribeFilter,
};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::inbox::{DeliveryError, InboundMessage, Inbox};
use super::stats::{TransportStats, bump};
use super::subscriptions::{SubscribeTicket, SubscriptionLedger};
use super::topic::filter_matches;
use super::{BrokerUrl, Topics};

/// How many filters go into one SUBSCRIBE packet at most.
const FILTERS_PER_SUBSCRIBE: usize = 500;

/// Settings of the connection.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// Broker address and credentials.
    pub broker: BrokerUrl,
    /// MQTT client id. Keep it stable for the life of the process so the
    /// broker can resume the session after a reconnect.
    pub client_id: String,
    /// Namespace of the topics (`agora/{ns}/...`).
    pub namespace: String,
    /// Keep the session across reconnects (`clean_session = false`).
    pub persistent_session: bool,
    /// MQTT keep-alive interval.
    pub keep_alive: Duration,
    /// How long [`Transport::connect`] waits for the first CONNACK.
    pub connect_timeout: Duration,
    /// Publishes that may wait while the broker is away; beyond this the
    /// sender gets [`PublishError::OutboxFull`].
    pub outbox_capacity: usize,
    /// Largest packet sent or accepted, in bytes.
    pub max_packet_size: usize,
    /// QoS 1 publishes that may await their PUBACK at once.
    pub max_inflight: u16,
    /// Shortest and longest pause between reconnect attempts.
    pub reconnect_backoff: (Duration, Duration),
    /// Retained message the broker publishes if this connection dies.
    pub last_will: Option<(String, Vec<u8>)>,
}

impl TransportOptions {
    /// Defaults sized for Agora: persistent session, 64 Ki outbox, 4 MiB
    /// packets, 5 s connect timeout.
    pub fn new(
        broker: BrokerUrl,
        client_id: impl Into<String>,
        namespace: impl Into<String>,
    ) -> Self {
        Self {
            broker,
            client_id: client_id.into(),
            namespace: namespace.into(),
            persistent_session: true,
            keep_alive: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            outbox_capacity: 65_536,
            max_packet_size: 4 * 1024 * 1024,
            max_inflight: 1024,
            reconnect_backoff: (Duration::from_millis(50), Duration::from_secs(2)),
            last_will: None,
        }
    }
}

/// Why the connection could not be made or used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    /// No CONNACK arrived within the connect timeout.
    #[error("cannot reach the MQTT broker at {url} within {waited:?}: {last_error}")]
    Unreachable {
        /// The broker as configured.
        url: String,
        /// How long we tried.
        waited: Duration,
        /// The last error the connection reported.
        last_error: String,
    },
}

/// A publish that was not accepted. The payload is given back.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The outbox is full (the broker is away or slow); nothing was queued.
    #[error(
        "outbox full: {pending} publishes are already waiting for the broker; not sent to {topic}"
    )]
    OutboxFull {
        /// Where it should have gone.
        topic: String,
        /// The outbox size.
        pending: usize,
        /// The payload, given back.
        payload: Vec<u8>,
    },
    /// The topic is empty or holds a wildcard.
    #[error("cannot publish to `{topic}`: a topic name must be non-empty and free of '+' and '#'")]
    InvalidTopic {
        /// The topic as given.
        topic: String,
        /// The payload, given back.
        payload: Vec<u8>,
    },
    /// The message would not fit in one MQTT packet of the connection's
    /// `max_packet_size`; sent anyway, the broker would drop the connection.
    #[error(
        "a {size}-byte message to {topic} is over the {limit}-byte packet limit ([broker] max_packet_size); not sent"
    )]
    TooLarge {
        /// Where it should have gone.
        topic: String,
        /// The packet it would need, in bytes.
        size: usize,
        /// The limit.
        limit: usize,
        /// The payload, given back.
        payload: Vec<u8>,
    },
    /// The transport was shut down.
    #[error("the MQTT connection is closed; not sent to {topic}")]
    Closed {
        /// Where it should have gone.
        topic: String,
        /// The payload, given back.
        payload: Vec<u8>,
    },
}

/// Bytes of an MQTT 3.1.1 PUBLISH: fixed header (type byte and a
/// remaining length of 1 to 4 bytes), topic with its length, packet id
/// (QoS 1 and 2), payload.
fn publish_packet_size(topic: &str, payload: usize, qos: QoS) -> usize {
    let packet_id = if qos == QoS::AtMostOnce { 0 } else { 2 };
    let remaining = 2 + topic.len() + packet_id + payload;
    let length_bytes = match remaining {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    };
    1 + length_bytes + remaining
}

struct Route {
    filter: String,
    qos: QoS,
    inbox: Arc<dyn Inbox>,
}

#[derive(Default)]
struct RouteTable {
    exact: HashMap<String, Route>,
    wildcard: Vec<Route>,
}

struct Shared {
    client: AsyncClient,
    options: TransportOptions,
    topics: Topics,
    routes: RwLock<RouteTable>,
    stats: TransportStats,
    ledger: Mutex<SubscriptionLedger>,
    subscriptions_queued: Notify,
    acked_batch: watch::Sender<u64>,
    connected: watch::Sender<bool>,
    last_error: Mutex<String>,
    closing: AtomicBool,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// A handle on the host's MQTT connection. Cheap to clone; every clone talks
/// through the same connection.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use agora_runtime::transport::{BrokerUrl, Transport, TransportOptions, QoS};
///
/// let options = TransportOptions::new(BrokerUrl::new("127.0.0.1", 1883), "host-a", "default");
/// let transport = Transport::connect(options).await?;
/// let (tx, mut rx) = tokio::sync::mpsc::channel(16);
/// transport.subscribe("agora/default/agents/me/inbox", QoS::AtLeastOnce, tx)
///     .acknowledged(std::time::Duration::from_secs(2)).await?;
/// transport.publish("agora/default/agents/me/inbox", b"{\"performative\":\"inform\"}".to_vec(), QoS::AtLeastOnce, false)?;
/// let message = rx.recv().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("broker", &self.shared.options.broker)
            .field("client_id", &self.shared.options.client_id)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Connects and waits for the first CONNACK.
    ///
    /// Must be called inside a Tokio runtime (the actix system is one): the
    /// connection is driven by tasks spawned here.
    ///
    /// # Errors
    ///
    /// [`TransportError::Unreachable`] with the URL and the last error when no
    /// CONNACK arrives within `options.connect_timeout`.
    pub async fn connect(options: TransportOptions) -> Result<Transport, TransportError> {
        let mut mqtt = MqttOptions::new(
            options.client_id.clone(),
            options.broker.host.clone(),
            options.broker.port,
        );
        mqtt.set_keep_alive(options.keep_alive.max(Duration::from_secs(1)));
        mqtt.set_clean_session(!options.persistent_session);
        mqtt.set_max_packet_size(options.max_packet_size, options.max_packet_size);
        mqtt.set_inflight(options.max_inflight.max(1));
        if let (Some(user), password) = (&options.broker.username, &options.broker.password) {
            mqtt.set_credentials(user.clone(), password.clone().unwrap_or_default());
        }
        if let Some((topic, payload)) = &options.last_will {
            mqtt.set_last_will(LastWill::new(
                topic.clone(),
                payload.clone(),
                QoS::AtLeastOnce,
                true,
            ));
        }
        let (client, mut eventloop) = AsyncClient::new(mqtt, options.outbox_capacity.max(1));
        let mut network = NetworkOptions::new();
        // Without TCP_NODELAY every QoS 1 round trip waits 40–90 ms for Nagle.
        network.set_tcp_nodelay(true);
        network.set_connection_timeout(options.connect_timeout.as_secs().max(1));
        eventloop.set_network_options(network);

        let shared = Arc::new(Shared {
            client,
            topics: Topics::new(&options.namespace),
            options,
            routes: RwLock::default(),
            stats: TransportStats::default(),
            ledger: Mutex::default(),
            subscriptions_queued: Notify::new(),
            acked_batch: watch::Sender::new(0),
            connected: watch::Sender::new(false),
            last_error: Mutex::new("no answer yet".to_string()),
            closing: AtomicBool::new(false),
            tasks: Mutex::default(),
        });
        let driver = tokio::spawn(drive(shared.clone(), eventloop));
        let flusher = tokio::spawn(flush_subscriptions(shared.clone()));
        lock(&shared.tasks).extend([driver, flusher]);

        let transport = Transport { shared };
        let waited = transport.shared.options.connect_timeout;
        let mut connected = transport.shared.connected.subscribe();
        if tokio::time::timeout(waited, connected.wait_for(|up| *up))
            .await
            .is_err()
        {
            let last_error = lock(&transport.shared.last_error).clone();
            transport.abort();
            return Err(TransportError::Unreachable {
                url: transport.shared.options.broker.to_string(),
                waited,
                last_error,
            });
        }
        Ok(transport)
    }

    /// The topics of this connection's namespace.
    pub fn topics(&self) -> &Topics {
        &self.shared.topics
    }

    /// The broker this connection talks to.
    pub fn broker(&self) -> &BrokerUrl {
        &self.shared.options.broker
    }

    /// Live counters.
    pub fn stats(&self) -> &TransportStats {
        &self.shared.stats
    }

    /// Whether the connection is up right now.
    pub fn is_connected(&self) -> bool {
        *self.shared.connected.borrow()
    }

    /// Queues a publish.
    ///
    /// # Backpressure
    ///
    /// Never waits. While the broker is away publishes wait in the outbox
    /// (`outbox_capacity`) and go out after the reconnect; when it is full
    /// this returns [`PublishError::OutboxFull`] with the payload.
    pub fn publish(
        &self,
        topic: impl Into<String>,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    ) -> Result<(), PublishError> {
        let topic = topic.into();
        if self.shared.closing.load(Ordering::Relaxed) {
            return Err(PublishError::Closed { topic, payload });
        }
        if topic.contains(['+', '#']) || topic.is_empty() {
            return Err(PublishError::InvalidTopic { topic, payload });
        }
        let size = publish_packet_size(&topic, payload.len(), qos);
        let limit = self.shared.options.max_packet_size;
        if size > limit {
            bump(&self.shared.stats.too_large);
            return Err(PublishError::TooLarge {
                topic,
                size,
                limit,
                payload,
            });
        }
        match self.shared.client.try_publish(topic, qos, retain, payload) {
            Ok(()) => {
                bump(&self.shared.stats.published);
                Ok(())
            }
            Err(
                rumqttc::ClientError::TryRequest(Request::Publish(refused))
                | rumqttc::ClientError::Request(Request::Publish(refused)),
            ) => {
                let (topic, payload) = (refused.topic, refused.payload.to_vec());
                if self.shared.closing.load(Ordering::Relaxed) {
                    return Err(PublishError::Closed { topic, payload });
                }
                bump(&self.shared.stats.outbox_full);
                Err(PublishError::OutboxFull {
                    topic,
                    pending: self.shared.options.outbox_capacity,
                    payload,
                })
            }
            Err(_) => Err(PublishError::Closed {
                topic: String::new(),
                payload: Vec::new(),
            }),
        }
    }

    /// Routes messages matching `filter` to `inbox` and subscribes to it.
    /// The returned ticket resolves when the broker has acknowledged it.
    /// Subscribing the same filter again replaces its inbox.
    pub fn subscribe(
        &self,
        filter: impl Into<String>,
        qos: QoS,
        inbox: impl Inbox,
    ) -> SubscribeTicket {
        let filter = filter.into();
        let route = Route {
            filter: filter.clone(),
            qos,
            inbox: Arc::new(inbox),
        };
        {
            let mut routes = write(&self.shared.routes);
            if filter.contains(['+', '#']) {
                routes.wildcard.retain(|r| r.filter != filter);
                routes.wildcard.push(route);
            } else {
                routes.exact.insert(filter.clone(), route);
            }
        }
        let batch = lock(&self.shared.ledger).queue(SubscribeFilter::new(filter, qos));
        self.shared.subscriptions_queued.notify_one();
        SubscribeTicket {
            batch,
            acked: self.shared.acked_batch.subscribe(),
        }
    }

    /// Stops routing `filter` and unsubscribes from it.
    pub fn unsubscribe(&self, filter: &str) {
        {
            let mut routes = write(&self.shared.routes);
            routes.exact.remove(filter);
            routes.wildcard.retain(|r| r.filter != filter);
        }
        if self.shared.client.try_unsubscribe(filter).is_err() {
            tracing::debug!(
                filter,
                "unsubscribe not sent: outbox full or closed; the route is gone anyway"
            );
        }
    }

    /// Sends what is queued, disconnects cleanly and stops the connection's
    /// tasks, waiting at most `deadline`.
    pub async fn shutdown(&self, deadline: Duration) {
        if self.shared.closing.swap(true, Ordering::SeqCst) {
            return;
        }
        let disconnect = self.shared.client.disconnect();
        if tokio::time::timeout(deadline, disconnect).await.is_err() {
            tracing::warn!("MQTT disconnect could not be queued within {deadline:?}");
        }
        let tasks: Vec<JoinHandle<()>> = lock(&self.shared.tasks).drain(..).collect();
        let mut tasks = tasks.into_iter();
        if let Some(driver) = tasks.next() {
            let abort = driver.abort_handle();
            if tokio::time::timeout(deadline, driver).await.is_err() {
                abort.abort();
            }
        }
        for task in tasks {
            task.abort();
        }
    }

    fn abort(&self) {
        self.shared.closing.store(true, Ordering::SeqCst);
        for task in lock(&self.shared.tasks).drain(..) {
            task.abort();
        }
    }
}

/// Polls the event loop until shutdown: dispatches publishes, reconnects with
/// backoff and jitter, resubscribes on every CONNACK.
async fn drive(shared: Arc<Shared>, mut eventloop: EventLoop) {
    let (min_pause, max_pause) = shared.options.reconnect_backoff;
    let mut pause = min_pause;
    let mut held_back: VecDeque<Request> = VecDeque::new();
    let mut ever_connected = false;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::Publish(publish))) => dispatch(&shared, publish),
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                pause = min_pause;
                // Requests held back across the reconnect go first, in order.
                while let Some(request) = held_back.pop_back() {
                    eventloop.pending.push_front(request);
                }
                if ever_connected {
                    tracing::info!(broker = %shared.options.broker, session_present = ack.session_present, "MQTT connection restored");
                }
                ever_connected = true;
                lock(&shared.ledger).queue_resubscribe_all();
                shared.subscriptions_queued.notify_one();
                shared.connected.send_replace(true);
            }
            Ok(Event::Outgoing(Outgoing::Subscribe(pkid))) => lock(&shared.ledger).left(pkid),
            Ok(Event::Incoming(Packet::SubAck(ack))) => {
                if ack
                    .return_codes
                    .iter()
                    .any(|code| matches!(code, rumqttc::SubscribeReasonCode::Failure))
                {
                    tracing::error!(
                        pkid = ack.pkid,
                        "the broker refused a subscription (check its ACL)"
                    );
                }
                if let Some(batch) = lock(&shared.ledger).acknowledged(ack.pkid) {
                    shared.acked_batch.send_if_modified(|acked| {
                        let newer = batch > *acked;
                        if newer {
                            *acked = batch;
                        }
                        newer
                    });
                }
            }
            Ok(Event::Outgoing(Outgoing::Disconnect)) if shared.closing.load(Ordering::SeqCst) => {
                break;
            }
            Ok(_) => {}
            Err(error) => {
                if shared.closing.load(Ordering::SeqCst) {
                    break;
                }
                let was_up = shared.connected.send_replace(false);
                if was_up {
                    bump(&shared.stats.reconnects);
                    tracing::warn!(broker = %shared.options.broker, %error, "MQTT connection lost; reconnecting");
                } else {
                    tracing::debug!(broker = %shared.options.broker, %error, "MQTT connect attempt failed");
                }
                *lock(&shared.last_error) = error.to_string();
                held_back.extend(eventloop.pending.drain(..));
                let jitter = rand::rng().random_range(0.5..1.5);
                tokio::time::sleep(pause.mul_f64(jitter)).await;
                pause = (pause * 2).min(max_pause);
            }
        }
    }
    shared.connected.send_replace(false);
}

/// Sends queued subscriptions in batches, one SUBSCRIBE task for the whole
/// connection so that packets leave in batch order.
async fn flush_subscriptions(shared: Arc<Shared>) {
    loop {
        shared.subscriptions_queued.notified().await;
        loop {
            let Some(batch) = lock(&shared.ledger).take_batch() else {
                break;
            };
            let mut filters = batch.filters;
            if batch.all_routes {
                let routes = read(&shared.routes);
                filters = routes
                    .exact
                    .values()
                    .chain(routes.wildcard.iter())
                    .map(|r| SubscribeFilter::new(r.filter.clone(), r.qos))
                    .collect();
            }
            if filters.is_empty() {
                // Nothing to subscribe: the batch is settled at once.
                shared.acked_batch.send_if_modified(|acked| {
                    let newer = batch.number > *acked;
                    if newer {
                        *acked = batch.number;
                    }
                    newer
                });
                continue;
            }
            for chunk in filters.chunks(FILTERS_PER_SUBSCRIBE) {
                lock(&shared.ledger).handing_over(batch.number);
                if shared.client.subscribe_many(chunk.to_vec()).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn dispatch(shared: &Shared, publish: rumqttc::Publish) {
    bump(&shared.stats.received);
    let routes = read(&shared.routes);
    let route = routes.exact.get(&publish.topic).or_else(|| {
        routes
            .wildcard
            .iter()
            .find(|r| filter_matches(&r.filter, &publish.topic))
    });
    let Some(route) = route else {
        bump(&shared.stats.unrouted);
        return;
    };
    let topic = publish.topic;
    let message = InboundMessage {
        topic,
        payload: publish.payload,
        retained: publish.retain,
    };
    match route.inbox.deliver(message) {
        Ok(()) => {}
        Err(DeliveryError::Full) => {
            bump(&shared.stats.inbox_full);
            tracing::warn!(filter = %route.filter, "inbox full: message dropped");
        }
        Err(DeliveryError::Closed) => bump(&shared.stats.undeliverable),
    }
}

// Poisoning only follows a panic inside these short critical sections, which
// hold no invariants a later reader could trip over.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

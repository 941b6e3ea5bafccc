//! A plain MQTT client made with rumqttc directly, not through Agora's
//! transport, standing in for any other program (Python's paho-mqtt, …).

use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, NetworkOptions, Packet, QoS};
use tokio::sync::mpsc;

/// A connected plain client and the publishes it receives.
pub struct RawClient {
    pub client: AsyncClient,
    pub received: mpsc::Receiver<(String, Vec<u8>)>,
    /// Connection errors seen (the broker dropping it, say).
    pub errors: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl RawClient {
    /// Connects to 127.0.0.1:`port` and subscribes to `topics`; returns
    /// once the broker acknowledged the subscription.
    pub async fn connect(port: u16, id: &str, topics: &[&str]) -> RawClient {
        Self::connect_with(port, id, topics, 1 << 20, Duration::from_secs(5)).await
    }

    /// [`Self::connect`] with its own packet size limit, both ways, and a
    /// short keep-alive (2 s), so a broker that stops reading it drops it
    /// soon.
    pub async fn connect_with_limit(
        port: u16,
        id: &str,
        topics: &[&str],
        max_packet_size: usize,
    ) -> RawClient {
        Self::connect_with(port, id, topics, max_packet_size, Duration::from_secs(2)).await
    }

    async fn connect_with(
        port: u16,
        id: &str,
        topics: &[&str],
        max_packet_size: usize,
        keep_alive: Duration,
    ) -> RawClient {
        let mut options = MqttOptions::new(id, "127.0.0.1", port);
        options.set_keep_alive(keep_alive);
        options.set_max_packet_size(max_packet_size, max_packet_size);
        let (client, mut eventloop) = AsyncClient::new(options, 256);
        let mut network = NetworkOptions::new();
        network.set_tcp_nodelay(true);
        eventloop.set_network_options(network);
        let (tx, received) = mpsc::channel(1024);
        let (subscribed_tx, subscribed_rx) = tokio::sync::oneshot::channel();
        let mut subscribed_tx = Some(subscribed_tx);
        let errors = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = errors.clone();
        tokio::spawn(async move {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if tx.send((p.topic, p.payload.to_vec())).await.is_err() {
                            return;
                        }
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        if let Some(done) = subscribed_tx.take() {
                            let _ = done.send(());
                        }
                    }
                    Ok(_) => {}
                    Err(_) => {
                        seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await
                    }
                }
            }
        });
        let filters = topics
            .iter()
            .map(|t| rumqttc::SubscribeFilter::new((*t).to_string(), QoS::AtLeastOnce));
        client
            .subscribe_many(filters)
            .await
            .expect("subscribe queued");
        tokio::time::timeout(super::WAIT, subscribed_rx)
            .await
            .expect("suback in time")
            .expect("suback");
        RawClient {
            client,
            received,
            errors,
        }
    }

    /// Whether the connection has failed at least once.
    pub fn disconnected(&self) -> bool {
        self.errors.load(std::sync::atomic::Ordering::Relaxed) > 0
    }

    /// Publishes at QoS 1.
    pub async fn publish(&self, topic: &str, payload: impl Into<Vec<u8>>) {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload.into())
            .await
            .expect("publish queued");
    }

    /// The next publish on `topic`, within the test wait.
    pub async fn next_on(&mut self, topic: &str) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + super::WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.received.recv()).await {
                Ok(Some((t, payload))) if t == topic => return payload,
                Ok(Some(_)) => continue,
                _ => panic!("nothing on {topic} within {:?}", super::WAIT),
            }
        }
    }
}

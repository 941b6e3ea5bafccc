//! A plain MQTT client made with rumqttc directly, not through Agora's
//! transport, standing in for any other program (Python's paho-mqtt, …).

use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, NetworkOptions, Packet, QoS};
use tokio::sync::mpsc;

/// A connected plain client and the publishes it receives.
pub struct RawClient {
    pub client: AsyncClient,
    pub received: mpsc::Receiver<(String, Vec<u8>)>,
}

impl RawClient {
    /// Connects to 127.0.0.1:`port` and subscribes to `topics`; returns
    /// once the broker acknowledged the subscription.
    pub async fn connect(port: u16, id: &str, topics: &[&str]) -> RawClient {
        let mut options = MqttOptions::new(id, "127.0.0.1", port);
        options.set_keep_alive(Duration::from_secs(5));
        options.set_max_packet_size(1 << 20, 1 << 20);
        let (client, mut eventloop) = AsyncClient::new(options, 256);
        let mut network = NetworkOptions::new();
        network.set_tcp_nodelay(true);
        eventloop.set_network_options(network);
        let (tx, received) = mpsc::channel(1024);
        let (subscribed_tx, subscribed_rx) = tokio::sync::oneshot::channel();
        let mut subscribed_tx = Some(subscribed_tx);
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
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
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
        RawClient { client, received }
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

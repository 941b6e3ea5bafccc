//! The MQTT transport against a real broker: delivery, dispatch by topic,
//! subscription acknowledgement, outbox bounds.

use std::time::{Duration, Instant};

use agora_runtime::transport::{Encoding, Envelope, Performative, QoS};

use crate::support::{WAIT, connect, embedded_broker, loopback};

#[tokio::test]
async fn publish_reaches_the_subscribed_inbox_through_the_embedded_broker() {
    let broker = embedded_broker();
    let transport = connect(loopback(broker.local_addr().port()), "t1").await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let inbox = transport.topics().inbox("bob");
    transport
        .subscribe(inbox.clone(), QoS::AtLeastOnce, tx)
        .acknowledged(WAIT)
        .await
        .expect("suback");

    let sent =
        Envelope::new(Performative::Inform, "alice", "bob").with_content(serde_json::json!([1, 2]));
    for encoding in [Encoding::Json, Encoding::Postcard] {
        transport
            .publish(
                inbox.clone(),
                sent.encode(encoding).expect("encode"),
                QoS::AtLeastOnce,
                false,
            )
            .expect("queued");
        let got = tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("in time")
            .expect("open");
        assert_eq!(got.topic, inbox);
        assert_eq!(Envelope::decode(&got.payload).expect("decodes"), sent);
    }
    transport.shutdown(WAIT).await;
}

#[tokio::test]
async fn qos1_round_trip_on_loopback_takes_well_under_a_millisecond() {
    let broker = embedded_broker();
    let transport = connect(loopback(broker.local_addr().port()), "t2").await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let topic = transport.topics().inbox("rtt");
    transport
        .subscribe(topic.clone(), QoS::AtLeastOnce, tx)
        .acknowledged(WAIT)
        .await
        .expect("suback");
    let mut rtts = Vec::new();
    for i in 0..300 {
        let start = Instant::now();
        transport
            .publish(
                topic.clone(),
                format!("{i}").into_bytes(),
                QoS::AtLeastOnce,
                false,
            )
            .expect("queued");
        tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("in time")
            .expect("open");
        rtts.push(start.elapsed());
    }
    rtts.sort();
    let median = rtts[rtts.len() / 2];
    // Nagle + delayed ACK would make this 40 ms; the bound is loose for a loaded CI box.
    assert!(
        median < Duration::from_millis(5),
        "median publish→receive {median:?}"
    );
    transport.shutdown(WAIT).await;
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_restart_mid_run_reconnects_and_delivers_what_was_sent_meanwhile() {
    let mut broker = crate::support::mosquitto::Mosquitto::start();
    let url = loopback(broker.port);
    let transport = connect(url, "restart").await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let topic = transport.topics().inbox("survivor");
    transport
        .subscribe(topic.clone(), QoS::AtLeastOnce, tx)
        .acknowledged(WAIT)
        .await
        .expect("suback");
    transport
        .publish(topic.clone(), b"before".to_vec(), QoS::AtLeastOnce, false)
        .expect("queued");
    let first = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("in time")
        .expect("open");
    assert_eq!(&first.payload[..], b"before");

    tokio::task::block_in_place(|| broker.stop());
    let noticed = tokio::time::timeout(WAIT, async {
        while transport.is_connected() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    noticed
        .await
        .expect("the transport notices the broker is gone");
    for i in 0..50 {
        transport
            .publish(
                topic.clone(),
                format!("during-{i}").into_bytes(),
                QoS::AtLeastOnce,
                false,
            )
            .expect("buffered while away");
    }
    tokio::task::block_in_place(|| broker.restart());

    let mut received = Vec::new();
    while received.len() < 50 {
        let message = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "only {} of 50 arrived: {received:?}\nmosquitto log:\n{}",
                    received.len(),
                    broker.log()
                )
            })
            .expect("open");
        let text = String::from_utf8_lossy(&message.payload).into_owned();
        // QoS 1 may deliver "before" again: the broker had not stored our
        // PUBACK for it when it was stopped. Receivers drop such duplicates.
        if text.starts_with("during-") && !received.contains(&text) {
            received.push(text);
        }
    }
    assert_eq!(
        received,
        (0..50).map(|i| format!("during-{i}")).collect::<Vec<_>>(),
        "all arrive, in order"
    );
    assert!(transport.stats().snapshot().reconnects >= 1);
    transport.shutdown(WAIT).await;
}

#[tokio::test]
async fn full_outbox_refuses_at_once_instead_of_hanging() {
    let port = crate::support::free_port();
    // Nothing listens: connect fails, but a transport that was connected and
    // lost its broker buffers at most outbox_capacity publishes.
    let mut options =
        agora_runtime::transport::TransportOptions::new(loopback(port), "outbox", "test");
    options.connect_timeout = Duration::from_millis(300);
    let err = agora_runtime::transport::Transport::connect(options)
        .await
        .expect_err("nothing listens");
    assert!(
        err.to_string()
            .contains(&format!("mqtt://127.0.0.1:{port}")),
        "{err}"
    );

    let broker = embedded_broker();
    let mut options = agora_runtime::transport::TransportOptions::new(
        loopback(broker.local_addr().port()),
        "outbox",
        "test",
    );
    options.outbox_capacity = 10;
    let transport = agora_runtime::transport::Transport::connect(options)
        .await
        .expect("connects");
    broker.stop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let mut refused = None;
    for i in 0..1000 {
        if let Err(error) = transport.publish("agora/test/x", vec![0; 8], QoS::AtLeastOnce, false) {
            refused = Some((i, error));
            break;
        }
    }
    let (accepted, error) = refused.expect("the outbox fills up");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refusal is immediate"
    );
    assert!(
        (10..=100).contains(&accepted),
        "bounded: {accepted} accepted before refusing"
    );
    assert!(
        matches!(
            error,
            agora_runtime::transport::PublishError::OutboxFull { .. }
        ),
        "{error}"
    );
    transport.shutdown(Duration::from_secs(1)).await;
}

/// A publish over the connection's packet limit is refused before it is
/// sent, naming the topic, the size and the limit; sent, it would have made
/// the broker drop the connection (and every agent on it).
#[tokio::test]
async fn a_message_over_the_packet_limit_is_refused_and_the_connection_stays() {
    use agora_runtime::transport::{PublishError, Transport, TransportOptions};
    let broker = embedded_broker();
    let mut options = TransportOptions::new(
        loopback(broker.local_addr().port()),
        format!("big-{}", std::process::id()),
        "test",
    );
    options.max_packet_size = 64 * 1024;
    let transport = Transport::connect(options).await.expect("connects");
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let topic = transport.topics().inbox("big");
    transport
        .subscribe(topic.clone(), QoS::AtLeastOnce, tx)
        .acknowledged(WAIT)
        .await
        .expect("suback");
    let refused = transport
        .publish(topic.clone(), vec![b'x'; 100_000], QoS::AtLeastOnce, false)
        .expect_err("over the limit");
    assert!(
        matches!(refused, PublishError::TooLarge { .. }),
        "{refused}"
    );
    let text = refused.to_string();
    assert!(
        text.contains(&topic) && text.contains("65536") && text.contains("max_packet_size"),
        "{text}"
    );
    assert_eq!(transport.stats().snapshot().too_large, 1);
    transport
        .publish(topic.clone(), b"small".to_vec(), QoS::AtLeastOnce, false)
        .expect("a small one still goes");
    let got = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("in time")
        .expect("open");
    assert_eq!(&got.payload[..], b"small");
    assert_eq!(transport.stats().snapshot().reconnects, 0);
    transport.shutdown(WAIT).await;
}

/// A 10 MB envelope to the embedded broker dropped the client's connection
/// with nothing logged; paho then reconnected and resent it forever. The
/// broker now logs the drop with the client id and its packet limit.
#[tokio::test]
async fn the_embedded_broker_logs_a_client_it_drops_for_an_oversize_packet() {
    use crate::support::agora::agora;
    use crate::support::raw_client::RawClient;
    let data = tempfile::tempdir().expect("temp dir");
    let port = crate::support::free_port();
    let mut broker = agora(data.path(), &["broker", "--port", &port.to_string()]);
    broker
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let broker = broker.spawn().expect("agora broker");
    assert!(
        crate::support::wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        }),
        "the broker listens"
    );
    let sender = RawClient::connect_with_limit(
        port,
        "oversize-sender",
        &["agora/default/agents/oversize-sender/inbox"],
        16 << 20,
    )
    .await;
    let _ = sender
        .client
        .publish(
            "agora/default/agents/echo/inbox",
            rumqttc::QoS::AtLeastOnce,
            false,
            vec![b'x'; 5 << 20],
        )
        .await;
    // rmqtt stops reading the connection at the oversize header and drops
    // it when its keep-alive (1.5 x the client's 2 s) runs out.
    crate::support::wait_until(Duration::from_secs(8), || sender.disconnected());
    crate::support::terminate(broker.id());
    let output = broker.wait_with_output().expect("broker output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("oversize-sender") && stderr.contains("max_packet_size"),
        "the drop is logged with the client id and the limit:\n{stderr}"
    );
}

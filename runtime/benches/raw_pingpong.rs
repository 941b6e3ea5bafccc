//! The baseline for Agora's messaging benchmark: a request/reply pair made
//! with rumqttc directly, no Agora in between. Same broker, QoS 1, TCP_NODELAY
//! and payload size as an Agora pinger → echo exchange.
//!
//! With `--batch`, batched as Agora's `[run] batch = true` is: every request
//! the window lets out at once travels in one MQTT publish (fixed-size
//! records, the sequence number first), the echo answers each publish with
//! one publish, and the pinger takes every reply that has arrived before it
//! refills the window (as an agent handles its mailbox in one turn).
//!
//! ```text
//! cargo bench -p agora-runtime --bench raw_pingpong -- --port 1883 --window 64 --count 100000 [--batch]
//! ```
//!
//! Prints one JSON line with round trips/s and RTT percentiles.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use agora_runtime::transport::{Encoding, Envelope, Performative};
use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, NetworkOptions, Packet, QoS};
use tokio::sync::mpsc;

struct Args {
    port: u16,
    window: usize,
    count: u64,
    warmup: u64,
    payload_bytes: usize,
    batch: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 1883,
        window: 1,
        count: 20_000,
        warmup: 2_000,
        payload_bytes: agora_envelope_size(),
        batch: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--window" => args.window = value()?.parse().map_err(|e| format!("--window: {e}"))?,
            "--count" => args.count = value()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--warmup" => args.warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--payload-bytes" => {
                args.payload_bytes = value()?
                    .parse()
                    .map_err(|e| format!("--payload-bytes: {e}"))?
            }
            "--batch" => args.batch = true,
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.window == 0 {
        return Err("--window must be at least 1".into());
    }
    args.payload_bytes = args.payload_bytes.max(8);
    Ok(args)
}

/// Bytes of the JSON envelope an Agora pinger sends with its default
/// 16-byte content: the raw pair sends payloads this large.
fn agora_envelope_size() -> usize {
    let request = Envelope::new(Performative::Request, "pinger", "echo")
        .with_reply_with("pinger-12345")
        .with_content(serde_json::Value::String("x".repeat(16)));
    request
        .encode(Encoding::Json)
        .map(|b| b.len())
        .unwrap_or(256)
}

fn client(id: &str, port: u16) -> (AsyncClient, EventLoop) {
    let mut options = MqttOptions::new(id, "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(30));
    options.set_inflight(1024);
    options.set_max_packet_size(1 << 20, 1 << 20);
    let (client, mut eventloop) = AsyncClient::new(options, 65_536);
    let mut network = NetworkOptions::new();
    network.set_tcp_nodelay(true);
    eventloop.set_network_options(network);
    (client, eventloop)
}

async fn wait_for_suback(eventloop: &mut EventLoop) -> Result<(), String> {
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::SubAck(_))) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("connect/subscribe failed: {e}")),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("raw_pingpong: {e}");
            std::process::exit(2);
        }
    };
    let pid = std::process::id();
    let (request_topic, reply_topic) = (
        format!("bench/raw/{pid}/request"),
        format!("bench/raw/{pid}/reply"),
    );

    let (echo, mut echo_loop) = client(&format!("raw-echo-{pid}"), args.port);
    echo.subscribe(&request_topic, QoS::AtLeastOnce)
        .await
        .expect("queue subscribe");
    if let Err(e) = wait_for_suback(&mut echo_loop).await {
        eprintln!("raw_pingpong: echo {e}");
        std::process::exit(1);
    }
    let reply_to = reply_topic.clone();
    tokio::spawn(async move {
        loop {
            match echo_loop.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let _ =
                        echo.try_publish(&reply_to, QoS::AtLeastOnce, false, p.payload.to_vec());
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    });

    let (ping, mut ping_loop) = client(&format!("raw-ping-{pid}"), args.port);
    ping.subscribe(&reply_topic, QoS::AtLeastOnce)
        .await
        .expect("queue subscribe");
    if let Err(e) = wait_for_suback(&mut ping_loop).await {
        eprintln!("raw_pingpong: ping {e}");
        std::process::exit(1);
    }
    let (replies_tx, mut replies) = mpsc::unbounded_channel::<u64>();
    let record_bytes = args.payload_bytes;
    tokio::spawn(async move {
        loop {
            match ping_loop.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) if p.payload.len() >= 8 => {
                    // One record per reply (one record unless batched).
                    for record in p.payload.chunks(record_bytes) {
                        let mut seq = [0u8; 8];
                        seq.copy_from_slice(&record[..8]);
                        if replies_tx.send(u64::from_le_bytes(seq)).is_err() {
                            return;
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    });

    let total = args.warmup + args.count;
    let mut payload = vec![b'x'; args.payload_bytes];
    let mut batch_payload: Vec<u8> = Vec::with_capacity(args.payload_bytes * args.window);
    let mut outstanding: HashMap<u64, Instant> = HashMap::new();
    let mut rtts_us: Vec<u64> = Vec::with_capacity(args.count as usize);
    let mut sent = 0u64;
    let mut measuring_since = None;
    let mut last_answer = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(300);
    while sent < total || !outstanding.is_empty() {
        batch_payload.clear();
        while sent < total && outstanding.len() < args.window {
            payload[..8].copy_from_slice(&sent.to_le_bytes());
            let now = Instant::now();
            if sent == args.warmup {
                measuring_since = Some(now);
            }
            outstanding.insert(sent, now);
            if args.batch {
                batch_payload.extend_from_slice(&payload);
            } else {
                ping.try_publish(&request_topic, QoS::AtLeastOnce, false, payload.clone())
                    .expect("outbox has room");
            }
            sent += 1;
        }
        if !batch_payload.is_empty() {
            ping.try_publish(
                &request_topic,
                QoS::AtLeastOnce,
                false,
                batch_payload.clone(),
            )
            .expect("outbox has room");
        }
        let seq = match tokio::time::timeout_at(deadline.into(), replies.recv()).await {
            Ok(Some(seq)) => seq,
            _ => {
                eprintln!(
                    "raw_pingpong: timed out with {} outstanding",
                    outstanding.len()
                );
                std::process::exit(1);
            }
        };
        let mut answered = vec![seq];
        if args.batch {
            while let Ok(more) = replies.try_recv() {
                answered.push(more);
            }
        }
        let now = Instant::now();
        for seq in answered {
            if let Some(sent_at) = outstanding.remove(&seq)
                && seq >= args.warmup
            {
                rtts_us.push((now - sent_at).as_micros() as u64);
                last_answer = now;
            }
        }
    }
    rtts_us.sort_unstable();
    let pct = |p: f64| {
        rtts_us[(((p / 100.0) * rtts_us.len() as f64).ceil() as usize).clamp(1, rtts_us.len()) - 1]
    };
    let seconds = measuring_since
        .map(|s| (last_answer - s).as_secs_f64())
        .unwrap_or(0.0);
    println!(
        "{}",
        serde_json::json!({
            "peer": "raw-rumqttc",
            "batch": args.batch,
            "window": args.window,
            "count": args.count,
            "payload_bytes": args.payload_bytes,
            "seconds": seconds,
            "round_trips_per_s": args.count as f64 / seconds,
            "p50_us": pct(50.0),
            "p99_us": pct(99.0),
            "max_us": pct(100.0),
        })
    );
}

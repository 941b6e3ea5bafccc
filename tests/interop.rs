//! Any MQTT client can talk to Agora agents: a plain rumqttc client (not
//! Agora's transport) sends JSON envelopes to `echo` and gets replies, and
//! garbage on an inbox is counted without stopping the agent.

use crate::support::agora::{describe, json_report, start_run, stop_run, write_config};
use crate::support::embedded_broker;
use crate::support::raw_client::RawClient;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_mqtt_client_gets_echo_replies_and_garbage_is_counted_not_fatal() {
    let broker = embedded_broker();
    let port = broker.local_addr().port();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "echo.toml",
        "[run]\nname = \"interop\"\n\n[[agents]]\nname = \"echo\"\nkind = \"echo\"\n",
    );

    let presence = "agora/default/agents/echo/presence";
    let my_inbox = "agora/default/agents/tester/inbox";
    let mut client = RawClient::connect(port, "plain-tester", &[presence, my_inbox]).await;

    let child = start_run(&dir.path().join("data"), port, &config);
    assert_eq!(client.next_on(presence).await, b"online");

    let echo_inbox = "agora/default/agents/echo/inbox";
    let request = serde_json::json!({
        "performative": "request",
        "sender": "tester",
        "receiver": "echo",
        "reply_with": "r1",
        "content": {"hello": ["world", 1, 2.5]},
    });
    client.publish(echo_inbox, request.to_string()).await;
    let reply: serde_json::Value =
        serde_json::from_slice(&client.next_on(my_inbox).await).expect("reply is JSON");
    assert_eq!(reply["performative"], "inform");
    assert_eq!(reply["in_reply_to"], "r1");
    assert_eq!(reply["sender"], "echo");
    assert_eq!(reply["content"], request["content"]);

    // Malformed payloads: dropped and counted; the agent keeps answering.
    client.publish(echo_inbox, "this is not an envelope").await;
    client
        .publish(echo_inbox, r#"{"performative": "shout"}"#)
        .await;
    let second = serde_json::json!({"performative": "request", "sender": "tester", "content": "still there?"});
    client.publish(echo_inbox, second.to_string()).await;
    let reply: serde_json::Value =
        serde_json::from_slice(&client.next_on(my_inbox).await).expect("reply is JSON");
    assert_eq!(reply["content"], "still there?");
    assert!(
        reply["in_reply_to"].as_str().is_some_and(str::is_empty),
        "no id, no reply_with: empty token, {reply}"
    );

    // SIGTERM: graceful stop, presence offline, report with the counts.
    let stopping = tokio::spawn(stop_run(child));
    assert_eq!(client.next_on(presence).await, b"offline");
    let output = stopping.await.expect("join");
    assert!(output.status.success(), "{}", describe(&output));
    let report = json_report(&output);
    assert_eq!(report["status"], "stopped", "{}", describe(&output));
    assert_eq!(report["totals"]["malformed"], 2, "{}", describe(&output));
    assert_eq!(report["totals"]["received"], 2, "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("malformed envelope dropped") && stderr.contains(echo_inbox),
        "logged with its topic: {stderr}"
    );
}

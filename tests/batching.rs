//! `[run] batch = true`: envelopes an agent sends to one receiver during one
//! turn travel as one MQTT message, and batches from any client are read.

use std::time::Duration;

use crate::support::agora::{agora, describe, json_report, run_bounded, start_run, stop_run};
use crate::support::embedded_broker;
use crate::support::raw_client::RawClient;

fn config(encoding: &str, window: u32) -> String {
    format!(
        "[run]\nname = \"batched\"\nbatch = true\nencoding = \"{encoding}\"\n\n\
         [[agents]]\nname = \"echo\"\nkind = \"echo\"\n\n\
         [[agents]]\nname = \"pinger\"\nkind = \"pinger\"\ntarget = \"echo\"\ncount = 3000\nwindow = {window}\n"
    )
}

#[test]
fn batched_ping_pong_answers_every_request_in_both_encodings() {
    let dir = tempfile::tempdir().expect("temp dir");
    for encoding in ["json", "postcard"] {
        let path = dir.path().join(format!("{encoding}.toml"));
        std::fs::write(&path, config(encoding, 32)).expect("config");
        let output = run_bounded(
            agora(
                &dir.path().join("data"),
                &[
                    "--json",
                    "--broker",
                    "embedded:0",
                    "run",
                    path.to_str().expect("utf-8"),
                ],
            ),
            Duration::from_secs(60),
        );
        assert!(output.status.success(), "{}", describe(&output));
        let report = json_report(&output);
        let pinger = &report["reports"]["pinger"];
        assert_eq!(pinger["answered"], 3000, "{encoding}: {pinger}");
        assert_eq!(pinger["lost"], 0, "{encoding}: {pinger}");
        // Far fewer MQTT publishes than envelopes: they were coalesced.
        let envelopes = report["totals"]["sent"].as_u64().expect("sent");
        let publishes = report["transport"]["published"]
            .as_u64()
            .expect("published");
        assert!(
            publishes * 4 < envelopes,
            "{encoding}: {publishes} publishes for {envelopes} envelopes"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_array_from_any_client_is_read_as_a_batch() {
    let broker = embedded_broker();
    let port = broker.local_addr().port();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("echo.toml");
    std::fs::write(&path, "[[agents]]\nname = \"echo\"\nkind = \"echo\"\n").expect("config");
    let presence = "agora/default/agents/echo/presence";
    let inbox = "agora/default/agents/batcher/inbox";
    let mut client = RawClient::connect(port, "batcher", &[presence, inbox]).await;
    let child = start_run(
        &dir.path().join("data"),
        port,
        path.to_str().expect("utf-8"),
    );
    assert_eq!(client.next_on(presence).await, b"online");

    let batch = serde_json::json!([
        {"performative": "request", "sender": "batcher", "id": "a", "content": 1},
        {"performative": "request", "sender": "batcher", "id": "b", "content": 2},
    ]);
    client
        .publish("agora/default/agents/echo/inbox", batch.to_string())
        .await;
    let mut answered = Vec::new();
    while answered.len() < 2 {
        let payload = client.next_on(inbox).await;
        // Without `batch = true` the echo answers with single envelopes.
        let reply: serde_json::Value = serde_json::from_slice(&payload).expect("reply is JSON");
        answered.push(reply["in_reply_to"].as_str().expect("token").to_string());
    }
    assert_eq!(answered, ["a", "b"]);

    let output = stop_run(child).await;
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(json_report(&output)["totals"]["received"], 2);
}

//! The quick start end to end: the real binary, a real broker, a real store.

use std::time::Duration;

use crate::support::agora::{agora, describe, json_report, repo_file, run_bounded};
use crate::support::mosquitto::Mosquitto;

const LIMIT: Duration = Duration::from_secs(60);

fn assert_quickstart_report(report: &serde_json::Value, output: &std::process::Output) {
    let context = describe(output);
    assert_eq!(report["status"], "completed", "{context}");
    let pinger = &report["reports"]["pinger"];
    assert_eq!(
        pinger["answered"], pinger["count"],
        "every request answered\n{context}"
    );
    assert_eq!(pinger["lost"], 0, "{context}");
    assert!(
        pinger["rtt_us"]["p99"].as_u64().is_some_and(|p99| p99 > 0),
        "{context}"
    );
    let manager = &report["reports"]["manager"];
    assert_eq!(
        manager["awarded"], 3,
        "every contract-net round awarded\n{context}"
    );
    assert_eq!(report["restarts"], 0, "{context}");
    assert_eq!(report["totals"]["malformed"], 0, "{context}");
    let agents = report["agents"].as_array().expect("agents listed");
    assert_eq!(agents.len(), 6, "{context}");
}

#[test]
fn quickstart_runs_on_the_embedded_broker_and_exits_zero() {
    let data = tempfile::tempdir().expect("temp dir");
    let config = repo_file("configs/quickstart.toml");
    // Port 0: never collide with a broker left on 1883.
    let config = config.to_str().expect("utf-8 path");
    let output = run_bounded(
        agora(
            data.path(),
            &["--json", "--broker", "embedded:0", "run", config],
        ),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert_quickstart_report(&json_report(&output), &output);

    // The human summary names the figures the README shows.
    let output = run_bounded(
        agora(data.path(), &["--broker", "embedded:0", "run", config]),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("completed"), "{summary}");
    assert!(summary.contains("2000/2000 answered, 0 lost"), "{summary}");
    assert!(summary.contains("3/3 awarded"), "{summary}");

    // Both runs are in the registry.
    let listed = run_bounded(agora(data.path(), &["runs", "list"]), LIMIT);
    let table = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(table.matches("quickstart-").count(), 2, "{table}");
    assert_eq!(table.matches("completed").count(), 2, "{table}");
}

#[test]
fn quickstart_runs_over_a_mosquitto_started_with_the_shipped_config() {
    let broker = Mosquitto::start();
    let data = tempfile::tempdir().expect("temp dir");
    let url = format!("mqtt://127.0.0.1:{}", broker.port);
    let config = repo_file("configs/quickstart.toml");
    let output = run_bounded(
        agora(
            data.path(),
            &[
                "--json",
                "--broker",
                &url,
                "run",
                config.to_str().expect("utf-8"),
            ],
        ),
        LIMIT,
    );
    assert!(
        output.status.success(),
        "{}\nmosquitto log:\n{}",
        describe(&output),
        broker.log()
    );
    let report = json_report(&output);
    assert_quickstart_report(&report, &output);
    assert_eq!(report["broker"], url);
}

#[test]
fn runs_show_prints_the_registry_entry_and_checkpoints() {
    let data = tempfile::tempdir().expect("temp dir");
    let config = repo_file("configs/quickstart.toml");
    let output = run_bounded(
        agora(
            data.path(),
            &[
                "--json",
                "--broker",
                "embedded:0",
                "run",
                config.to_str().expect("utf-8"),
            ],
        ),
        LIMIT,
    );
    let run_id = json_report(&output)["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    let shown = run_bounded(
        agora(data.path(), &["runs", "show", &run_id[..run_id.len() - 2]]),
        LIMIT,
    );
    assert!(shown.status.success(), "{}", describe(&shown));
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains(&run_id) && text.contains("completed"),
        "{text}"
    );
    // The contract-net manager checkpoints after every round.
    assert!(text.contains("manager"), "{text}");
    let missing = run_bounded(agora(data.path(), &["runs", "show", "no-such-run"]), LIMIT);
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no run `no-such-run`"));
}

//! Bad configs and unreachable brokers fail early and say what and where.

use std::time::{Duration, Instant};

use crate::support::agora::{self, agora, describe, run_bounded};
use crate::support::free_port;

const LIMIT: Duration = Duration::from_secs(30);

fn run_text(text: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, text).expect("write config");
    let data = dir.path().join("data");
    let output = agora::run_config(&data, &config, LIMIT);
    (dir, output)
}

fn assert_rejected_before_start(text: &str, expected: &[&str]) {
    let (dir, output) = run_text(text);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(stderr.contains("bad.toml"), "names the file: {stderr}");
    for needle in expected {
        assert!(stderr.contains(needle), "mentions {needle}: {stderr}");
    }
    assert!(
        !dir.path().join("data").exists(),
        "nothing started: no data folder was created"
    );
}

#[test]
fn unknown_key_is_named_with_file_and_line() {
    assert_rejected_before_start("[run]\nname = \"x\"\nnmae = \"y\"\n", &["nmae", "line 3"]);
}

#[test]
fn wrong_type_is_named() {
    assert_rejected_before_start(
        "[[agents]]\nname = \"p\"\nkind = \"pinger\"\ntarget = \"e\"\nwindow = \"wide\"\n",
        &["window"],
    );
}

#[test]
fn missing_required_field_is_named() {
    assert_rejected_before_start(
        "[[agents]]\nname = \"p\"\nkind = \"pinger\"\n",
        &["agents[0].target"],
    );
}

#[test]
fn unknown_agent_kind_lists_the_known_ones() {
    assert_rejected_before_start(
        "[[agents]]\nname = \"r\"\nkind = \"robot\"\n",
        &["robot", "echo", "pinger"],
    );
}

#[test]
fn unreachable_external_broker_fails_within_seconds_naming_the_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let url = format!("mqtt://127.0.0.1:{port}");
    let started = Instant::now();
    let config = crate::support::agora::repo_file("configs/quickstart.toml");
    let output = run_bounded(
        agora(
            dir.path(),
            &["--broker", &url, "run", config.to_str().expect("utf-8")],
        ),
        LIMIT,
    );
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&url), "names the URL: {stderr}");
    assert!(took < Duration::from_secs(10), "gave up after {took:?}");
}

/// Unknown keys under `[ppo]` / `[dqn]` lacked the line number the README
/// promises: the section was read from a plain table. It is now read from
/// the spanned document.
#[test]
fn an_unknown_hyperparameter_is_named_with_its_line() {
    assert_rejected_before_start(
        "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 100\nlearnig_rate = 0.1\n",
        &["learnig_rate", "line 7"],
    );
    assert_rejected_before_start(
        "[learner]\nalgorithm = \"dqn\"\n[env]\nid = \"CartPole-v1\"\n[dqn]\nbuffer_size = \"big\"\n",
        &["buffer_size", "line 6"],
    );
}

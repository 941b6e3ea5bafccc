//! `agora env`: the trace protocol for cross-checking against Gymnasium,
//! the benchmark, the id list.

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use crate::support::agora::{AGORA, agora, describe, run_bounded};

fn trace(args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let mut child = std::process::Command::new(AGORA)
        .args(["env", "trace"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agora env trace");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write commands");
    let output = crate::support::agora::wait_bounded(child, Duration::from_secs(30));
    assert!(output.status.success(), "{}", describe(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect()
}

#[test]
fn trace_answers_each_line_and_survives_bad_ones() {
    let answers = trace(
        &["CartPole-v1"],
        "{\"reset\": {\"seed\": 3}}\n\
         {\"set_state\": [0.0, 0.0, 0.1, 0.0], \"elapsed\": 0}\n\
         {\"step\": 1}\n\
         this is not json\n\
         {\"step\": 5}\n\
         {\"step\": 0}\n",
    );
    assert_eq!(
        answers.len(),
        6,
        "one answer per non-empty line: {answers:?}"
    );
    assert_eq!(answers[0]["obs"].as_array().map(Vec::len), Some(4));
    assert_eq!(answers[1]["obs"][2].as_f64(), Some(0.1f32 as f64));
    assert_eq!(answers[2]["reward"], 1.0);
    assert!(answers[3]["error"].is_string(), "{}", answers[3]);
    assert!(
        answers[4]["error"]
            .as_str()
            .is_some_and(|e| e.contains('5')),
        "{}",
        answers[4]
    );
    assert_eq!(answers[5]["terminated"], false);
}

#[test]
fn trace_gives_tabular_transitions_with_params() {
    let answers = trace(
        &[
            "FrozenLake-v1",
            "--param",
            "map_name=8x8",
            "--param",
            "is_slippery=false",
        ],
        "{\"transitions\": {\"state\": 0, \"action\": 2}}\n",
    );
    assert_eq!(
        answers[0]["transitions"],
        serde_json::json!([[1.0, 1, 0.0, false]])
    );
}

#[test]
fn unknown_env_id_lists_the_known_ones() {
    let output = run_bounded(
        agora(
            std::path::Path::new("unused"),
            &["env", "trace", "CartPole-v9"],
        ),
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("CartPole-v9") && stderr.contains("FrozenLake-v1"),
        "{stderr}"
    );
    let bad_param = run_bounded(
        agora(
            std::path::Path::new("unused"),
            &["env", "trace", "FrozenLake-v1", "--param", "map_name=9x9"],
        ),
        Duration::from_secs(30),
    );
    assert_eq!(bad_param.status.code(), Some(2), "{}", describe(&bad_param));
}

#[test]
fn bench_prints_steps_per_second_for_both_paths() {
    let output = run_bounded(
        agora(
            std::path::Path::new("unused"),
            &[
                "--json",
                "env",
                "bench",
                "FrozenLake-v1",
                "--num-envs",
                "16",
                "--shards",
                "2",
                "--steps",
                "200",
            ],
        ),
        Duration::from_secs(60),
    );
    assert!(output.status.success(), "{}", describe(&output));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        result["inline_transitions_per_s"]
            .as_f64()
            .is_some_and(|r| r > 0.0),
        "{result}"
    );
    assert!(
        result["actors_transitions_per_s"]
            .as_f64()
            .is_some_and(|r| r > 0.0),
        "{result}"
    );
    assert_eq!(result["shards"], 2);
}

//! Training control and telemetry end to end: pause and resume keep a run
//! bit for bit, fast mode sends only lifecycle events, a plain MQTT client
//! watches episodes and status, TensorBoard's own reader finds the logged scalars in its files,
//! a sink on a full disk turns itself off while the run goes on.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use agora_runtime::store::{CheckpointSelector, RunRecord, RunStatus, Store};

use crate::support::agora::{
    agora, describe, finish_run, json_report, run_bounded, start_run, write_config,
};
use crate::support::python;
use crate::support::raw_client::RawClient;
use crate::support::{embedded_broker, wait_until};

const LIMIT: Duration = Duration::from_secs(120);

const DQN: &str = r#"
[run]
name = "controlled"

[learner]
algorithm = "dqn"
seed = 3
checkpoint_every = 0

[env]
id = "CartPole-v1"

[dqn]
total_timesteps = 60000
learning_starts = 5000
buffer_size = 5000
"#;

fn only_run(data: &Path) -> Option<RunRecord> {
    let path = data.join("agora.redb");
    path.exists()
        .then(|| Store::open(&path).ok()?.runs().ok()?.pop())
        .flatten()
}

fn final_state(data: &Path, run: &str) -> Vec<u8> {
    let store = Store::open(data.join("agora.redb")).expect("store");
    store
        .load_checkpoint(run, "learner", &CheckpointSelector::Latest)
        .expect("read")
        .expect("final checkpoint")
        .bytes
}

/// `agora --json ctl RUN WORDS…`, off the async runtime's threads.
async fn ctl(data: &Path, run: &str, words: &[&str]) -> std::process::Output {
    let (data, run) = (data.to_path_buf(), run.to_string());
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        ctl_blocking(&data, &run, &words)
    })
    .await
    .expect("join")
}

fn ctl_blocking(data: &Path, run: &str, words: &[&str]) -> std::process::Output {
    let mut args = vec!["--json", "ctl", run];
    args.extend_from_slice(words);
    run_bounded(agora(data, &args), Duration::from_secs(30))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_then_resume_ends_bitwise_identical_to_a_run_never_paused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), "dqn.toml", DQN);
    let straight = dir.path().join("straight");
    let output = tokio::task::spawn_blocking({
        let (straight, config) = (straight.clone(), config.clone());
        move || {
            run_bounded(
                agora(
                    &straight,
                    &["--json", "--broker", "embedded:0", "run", &config],
                ),
                LIMIT,
            )
        }
    })
    .await
    .expect("join");
    let expected = final_state(
        &straight,
        json_report(&output)["run_id"].as_str().expect("id"),
    );

    let broker = embedded_broker();
    let port = broker.local_addr().port();
    let data = dir.path().join("paused");
    let child = start_run(&data, port, &config);
    let started = wait_until(Duration::from_secs(20), || {
        only_run(&data).is_some_and(|r| r.status == RunStatus::Running)
    });
    assert!(started, "the run registered itself");
    let run = only_run(&data).expect("run").id;
    let mut watcher = RawClient::connect(
        port,
        "watcher",
        &[&format!("agora/default/runs/{run}/telemetry/train")],
    )
    .await;

    tokio::time::sleep(Duration::from_millis(300)).await;
    let paused_at = Instant::now();
    let answer = ctl(&data, &run, &["pause"]).await;
    assert!(answer.status.success(), "{}", describe(&answer));
    let pause_latency = paused_at.elapsed();
    assert_eq!(
        only_run(&data).map(|r| r.status),
        Some(RunStatus::Paused),
        "the registry says paused"
    );

    // While paused no step is taken, so no training metrics are sent.
    while tokio::time::timeout(Duration::from_millis(50), watcher.received.recv())
        .await
        .is_ok()
    {}
    let quiet = tokio::time::timeout(Duration::from_millis(700), watcher.received.recv()).await;
    assert!(
        quiet.is_err(),
        "training went on while paused: {:?}",
        quiet.ok().flatten().map(|m| m.0)
    );

    let again = ctl(&data, &run, &["pause"]).await;
    assert_eq!(
        again.status.code(),
        Some(2),
        "a second pause is refused as bad input: {}",
        describe(&again)
    );
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("already paused"),
        "{}",
        describe(&again)
    );
    // Out-of-range speeds are refused by the run with the value it got:
    // infinity used to reach it as JSON null ("needs a value"), and a
    // negative number needed `--` to get past the argument parser.
    for (value, shown) in [("1e309", "got inf"), ("-1", "got -1")] {
        let refused = ctl(&data, &run, &["speed", value]).await;
        assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
        assert!(
            String::from_utf8_lossy(&refused.stdout).contains(shown),
            "{}",
            describe(&refused)
        );
    }

    let resumed = ctl(&data, &run, &["resume"]).await;
    assert!(resumed.status.success(), "{}", describe(&resumed));
    let output = finish_run(child).await;
    assert!(output.status.success(), "{}", describe(&output));
    let report = json_report(&output);
    assert_eq!(report["status"], "completed", "{report}");
    assert_eq!(report["events"]["paused"], 1);
    assert_eq!(report["events"]["resumed"], 1);
    assert!(
        final_state(&data, &run) == expected,
        "pausing changed the outcome"
    );
    assert!(
        pause_latency < Duration::from_secs(5),
        "pause answered after {pause_latency:?}"
    );
}

#[test]
fn fast_mode_sends_only_lifecycle_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "fast.toml",
        "[learner]\nalgorithm = \"q_learning\"\n[env]\nid = \"FrozenLake-v1\"\n[q_learning]\ntotal_episodes = 500\n",
    );
    let data = dir.path().join("data");
    let output = run_bounded(
        agora(
            &data,
            &[
                "--json",
                "--broker",
                "embedded:0",
                "run",
                &config,
                "--no-telemetry",
            ],
        ),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let run = json_report(&output)["run_id"]
        .as_str()
        .expect("id")
        .to_string();
    let events = std::fs::read_to_string(data.join("runs").join(&run).join("events.jsonl"))
        .expect("events file");
    let kinds: Vec<String> = events
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON line")["event"]
                .as_str()
                .expect("kind")
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "run_started",
            "agent_started",
            "agent_report",
            "agent_stopped",
            "run_completed"
        ]
    );
    // AGORA_NO_TELEMETRY=1 does the same.
    let mut command = agora(&data, &["--json", "--broker", "embedded:0", "run", &config]);
    command.env("AGORA_NO_TELEMETRY", "1");
    let output = run_bounded(command, LIMIT);
    let run = json_report(&output)["run_id"]
        .as_str()
        .expect("id")
        .to_string();
    let events = std::fs::read_to_string(data.join("runs").join(&run).join("events.jsonl"))
        .expect("events file");
    assert!(
        !events.contains("\"episode\"") && !events.contains("\"train\""),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_mqtt_client_watches_live_episodes_and_the_status() {
    let broker = embedded_broker();
    let port = broker.local_addr().port();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "watched.toml",
        // Long enough to outlast a loaded machine; stopped once enough is seen.
        "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 2000000\n",
    );
    let mut client = RawClient::connect(
        port,
        "viewer",
        &[
            "agora/default/runs/+/episodes",
            "agora/default/runs/+/status",
        ],
    )
    .await;
    let data = dir.path().join("data");
    let child = start_run(&data, port, &config);

    let mut statuses = Vec::new();
    let mut episodes = Vec::new();
    let mut frames = Vec::new();
    let mut stop_sent = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !statuses
        .iter()
        .any(|s: &serde_json::Value| s["status"] == "completed" || s["status"] == "stopped")
    {
        let (topic, payload) = tokio::time::timeout_at(deadline, client.received.recv())
            .await
            .expect("the run ends in time")
            .expect("connection open");
        let message: serde_json::Value = serde_json::from_slice(&payload).expect("JSON payload");
        if topic.ends_with("/status") {
            // Episodes are streamed while someone watches: turn visual on
            // once the run is there.
            if statuses.is_empty() && message["status"] == "running" {
                let control = topic.replace("/status", "/control");
                client.publish(&control, "visual on").await;
            }
            statuses.push(message);
        } else if message["type"] == "episode" {
            episodes.push(message);
        } else if message["type"] == "frame" {
            frames.push(message);
        }
        if episodes.len() == 5 && !frames.is_empty() && !stop_sent {
            stop_sent = true;
            let control = topic
                .replace("/status", "/control")
                .replace("/episodes", "/control");
            client.publish(&control, "stop").await;
        }
    }
    let output = finish_run(child).await;
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(
        statuses.first().map(|s| s["status"].clone()),
        Some("running".into())
    );
    assert!(episodes.len() >= 5, "{} episodes streamed", episodes.len());
    let episode = &episodes[0];
    assert_eq!(episode["type"], "episode");
    let steps = episode["steps"].as_array().expect("steps");
    assert_eq!(
        steps.len() as u64,
        episode["length"].as_u64().expect("length")
    );
    let first = &steps[0];
    assert_eq!(first["obs"].as_array().map(Vec::len), Some(4));
    let probabilities: f64 = first["values"]
        .as_array()
        .expect("PPO probabilities")
        .iter()
        .filter_map(|v| v.as_f64())
        .sum();
    assert!((probabilities - 1.0).abs() < 1e-6, "{first}");
    let rewards: f64 = steps.iter().filter_map(|s| s["reward"].as_f64()).sum();
    assert_eq!(rewards, episode["return"].as_f64().expect("return"));
    // CartPole has no text board: its frames are RGB pictures, as PNG.
    let frame = frames.first().expect("visual mode sends frames");
    let image = &frame["image"];
    assert!(image["width"].as_u64() > Some(0), "{frame}");
    assert!(
        image["png_base64"]
            .as_str()
            .is_some_and(|png| png.starts_with("iVBORw0KGgo")),
        "a PNG (its magic number in base64): {frame}"
    );
}

/// Every (tag, step, value) scalar of a TensorBoard event file as
/// tensorboard's own reader (Python) reads it, or its error.
fn tensorboard_reads(path: &Path) -> Result<Vec<(String, u64, f32)>, String> {
    let output = std::process::Command::new(python::python())
        .arg(python::script("read_tensorboard.py"))
        .arg(path)
        .output()
        .expect("python runs");
    if !output.status.success() {
        return Err(python::both(&output));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let scalar: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            (
                scalar["tag"].as_str().expect("tag").to_string(),
                scalar["step"].as_u64().expect("step"),
                scalar["value"].as_f64().expect("value") as f32,
            )
        })
        .collect())
}

fn tensorboard_file(run_folder: &Path) -> PathBuf {
    let dir = run_folder.join("tensorboard");
    let entry = std::fs::read_dir(&dir)
        .expect("tensorboard folder")
        .next()
        .expect("one file")
        .expect("entry");
    entry.path()
}

#[test]
fn tensorboard_files_decode_to_the_logged_scalars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "tb.toml",
        "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 4096\n[telemetry]\nmetrics_hz = 1000\n",
    );
    let data = dir.path().join("data");
    let output = run_bounded(
        agora(&data, &["--json", "--broker", "embedded:0", "run", &config]),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let run = json_report(&output)["run_id"]
        .as_str()
        .expect("id")
        .to_string();
    let folder = data.join("runs").join(&run);
    let event_file = tensorboard_file(&folder);
    let scalars = tensorboard_reads(&event_file).expect("tensorboard reads Agora's file");
    let events = std::fs::read_to_string(folder.join("events.jsonl")).expect("events");
    let logged_returns: Vec<(u64, f32)> = events
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "episode")
        .map(|e| {
            (
                e["env_steps"].as_u64().expect("steps"),
                e["episode_return"].as_f64().expect("return") as f32,
            )
        })
        .collect();
    let tb_returns: Vec<(u64, f32)> = scalars
        .iter()
        .filter(|s| s.0 == "episode/return")
        .map(|s| (s.1, s.2))
        .collect();
    assert!(!logged_returns.is_empty());
    assert_eq!(
        tb_returns, logged_returns,
        "every episode return, at its step"
    );
    assert!(
        scalars.iter().any(|s| s.0 == "losses/value_loss"),
        "training metrics too"
    );

    // The reader checks the CRCs: one flipped bit in the last record's data
    // and it refuses the file.
    let mut bytes = std::fs::read(&event_file).expect("event file");
    let last_data_byte = bytes.len() - 5;
    bytes[last_data_byte] ^= 0x01;
    std::fs::write(&event_file, bytes).expect("write");
    let refused = tensorboard_reads(&event_file).expect_err("a corrupt record is refused");
    assert!(refused.contains("DataLossError"), "{refused}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_turns_the_telemetry_files_off_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "full.toml",
        // Every checkpoint kept, so that their count shows new ones landing.
        "[run]\nmax_duration = \"1s\"\n[store]\nkeep_checkpoints = 0\n[learner]\nalgorithm = \"dqn\"\ncheckpoint_every = 2000\n[env]\nid = \"CartPole-v1\"\n\
         [dqn]\ntotal_timesteps = 30000\nlearning_starts = 1000\nbuffer_size = 2000\n",
    );
    let data = dir.path().join("data");
    let first = run_bounded(
        agora(&data, &["--json", "--broker", "embedded:0", "run", &config]),
        LIMIT,
    );
    let report = json_report(&first);
    assert_eq!(report["status"], "stopped", "cut by max_duration: {report}");
    let run = report["run_id"].as_str().expect("id").to_string();

    // Every telemetry file of the run now sits on a full disk.
    let folder = data.join("runs").join(&run);
    std::fs::remove_file(folder.join("events.jsonl")).expect("remove events file");
    std::os::unix::fs::symlink("/dev/full", folder.join("events.jsonl")).expect("link /dev/full");
    std::fs::remove_dir_all(folder.join("tensorboard")).expect("remove tensorboard folder");
    std::os::unix::fs::symlink("/dev/full", folder.join("tensorboard")).expect("link");

    let store = Store::open(data.join("agora.redb")).expect("store");
    let before = store.checkpoints(&run).expect("list").len();
    drop(store);
    let resumed = run_bounded(
        agora(&data, &["--json", "--broker", "embedded:0", "resume", &run]),
        LIMIT,
    );
    let report = json_report(&resumed);
    assert!(
        matches!(report["status"].as_str(), Some("stopped" | "completed")),
        "{}",
        describe(&resumed)
    );
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(
        stderr.matches("events file turned off").count(),
        1,
        "reported once: {stderr}"
    );
    let store = Store::open(data.join("agora.redb")).expect("store");
    assert!(
        store.checkpoints(&run).expect("list").len() > before,
        "checkpoints still land"
    );
}

/// `runs/{run}/episodes` streamed every finished episode step by step
/// (3,805 of them, 2–60 KB each, in one DQN run) although visual mode was
/// off. Unwatched, nothing is streamed now; the summaries stay on
/// `telemetry/episode`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_episode_is_streamed_while_nobody_watches() {
    let broker = embedded_broker();
    let port = broker.local_addr().port();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(
        dir.path(),
        "unwatched.toml",
        "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 4096\n",
    );
    let mut client = RawClient::connect(
        port,
        "bystander",
        &[
            "agora/default/runs/+/episodes",
            "agora/default/runs/+/status",
            "agora/default/runs/+/telemetry/episode",
        ],
    )
    .await;
    let child = start_run(&dir.path().join("data"), port, &config);
    let (mut streamed, mut summaries) = (0, 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (topic, payload) = tokio::time::timeout_at(deadline, client.received.recv())
            .await
            .expect("the run ends in time")
            .expect("connection open");
        if topic.ends_with("/episodes") {
            streamed += 1;
        } else if topic.ends_with("/telemetry/episode") {
            summaries += 1;
        } else {
            let status: serde_json::Value = serde_json::from_slice(&payload).expect("JSON");
            if status["status"] == "completed" {
                break;
            }
        }
    }
    let output = finish_run(child).await;
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(streamed, 0, "episodes streamed with nobody watching");
    assert!(summaries > 0, "the episode summaries still go out");
}

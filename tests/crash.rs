//! Crash safety of the checkpoint store: the process is killed with
//! SIGKILL while agents write checkpoints in a loop, ten times, on the same
//! store; every time the store opens and the latest checkpoint decodes.

use std::process::Stdio;
use std::time::Duration;

use agora_runtime::store::{CheckpointSelector, Store};

use crate::support::agora::agora;
use crate::support::wait_until;

/// A contract-net manager checkpoints its progress after every round; with a
/// million rounds it writes checkpoints until it is killed.
const CONFIG: &str = r#"
[run]
name = "crashy"

[[agents]]
name = "worker"
kind = "contract-net-worker"
replicas = 2

[[agents]]
name = "manager"
kind = "contract-net-manager"
workers = ["worker-1", "worker-2"]
rounds = 1000000
deadline = "2s"
"#;

#[test]
fn kill_9_while_checkpointing_always_leaves_a_loadable_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("crashy.toml");
    std::fs::write(&config, CONFIG).expect("config");
    let data = dir.path().join("data");
    let store_path = data.join("agora.redb");
    let mut checkpoints_seen = 0;

    for round in 0..10u64 {
        let mut child = agora(
            &data,
            &[
                "--broker",
                "embedded:0",
                "run",
                config.to_str().expect("utf-8"),
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn agora");
        // Let it get going (registered: its folder is made right after),
        // then kill it at a different point each time. The store is there
        // from the first round on, so it says nothing of this run.
        let run_folders = || {
            std::fs::read_dir(data.join("runs")).map_or(0, |dir| dir.filter_map(Result::ok).count())
        };
        let started = wait_until(Duration::from_secs(20), || run_folders() as u64 > round);
        assert!(started, "round {round}: the run was never registered");
        std::thread::sleep(Duration::from_millis(150 + (round * 137) % 600));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");

        let store = Store::open(&store_path)
            .unwrap_or_else(|e| panic!("round {round}: store does not open: {e}"));
        let runs = store.runs().expect("runs readable");
        assert_eq!(
            runs.len() as u64,
            round + 1,
            "every started run is registered"
        );
        let latest_run = runs
            .iter()
            .max_by(|a, b| a.started_at.total_cmp(&b.started_at))
            .expect("a run");
        if let Some(checkpoint) = store
            .load_checkpoint(&latest_run.id, "manager", &CheckpointSelector::Latest)
            .expect("readable")
        {
            let progress: serde_json::Value = serde_json::from_slice(&checkpoint.bytes)
                .unwrap_or_else(|e| panic!("round {round}: checkpoint does not decode: {e}"));
            let finished = progress["finished"]
                .as_array()
                .expect("finished rounds")
                .len() as u64;
            assert_eq!(
                progress["round"], finished,
                "round {round}: a consistent checkpoint"
            );
            // Saves queued faster than the disk commits are coalesced, so
            // there are at most as many checkpoints as finished rounds.
            assert!(
                checkpoint.meta.sequence <= finished,
                "round {round}: {} checkpoints for {finished} rounds",
                checkpoint.meta.sequence
            );
            checkpoints_seen += 1;
        }
    }
    assert!(
        checkpoints_seen >= 5,
        "most kills happened while checkpointing ({checkpoints_seen}/10)"
    );
}

//! Episodes kept for replay (`[telemetry] record_episodes`): a real run
//! keeps them, `agora record RUN` lists them under the numbers their
//! `episode` events have, and `agora record RUN --episode N --out X.gif`
//! draws one frame per step plus the last observation.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::agora::{agora, describe, json_report, repo_file, run_bounded, write_config};

const LIMIT: Duration = Duration::from_secs(120);

/// PPO on 4 CartPoles, about a second: env 0's episodes are numbered among
/// the other envs' ones.
const PPO_ALL: &str = "[telemetry]\nrecord_episodes = \"all\"\n[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\nnum_envs = 4\n[ppo]\ntotal_timesteps = 2048\n";

/// Runs `agora --json --broker embedded:0 ARGS…` to its end; answers the run id.
fn run(data: &Path, args: &[&str]) -> String {
    let mut full = vec!["--json", "--broker", "embedded:0"];
    full.extend_from_slice(args);
    let output = run_bounded(agora(data, &full), LIMIT);
    assert!(output.status.success(), "{}", describe(&output));
    let report = json_report(&output);
    assert_eq!(report["status"], "completed", "{report}");
    report["run_id"].as_str().expect("run id").to_string()
}

/// `agora --json record RUN`: the kept episodes.
fn listed(data: &Path, run: &str) -> Vec<serde_json::Value> {
    let output = run_bounded(agora(data, &["--json", "record", run]), LIMIT);
    assert!(output.status.success(), "{}", describe(&output));
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    listing["episodes"].as_array().expect("episodes").clone()
}

/// The run's `episode` events of env 0, by episode number.
fn env0_episode_events(data: &Path, run: &str) -> HashMap<u64, serde_json::Value> {
    let events = std::fs::read_to_string(data.join("runs").join(run).join("events.jsonl"))
        .expect("events file");
    events
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|e| e["event"] == "episode" && e["env_index"] == 0)
        .map(|e| (e["episode"].as_u64().expect("number"), e))
        .collect()
}

/// Every kept episode has the number, return and length of one of env 0's
/// `episode` events.
fn assert_kept_match_events(kept: &[serde_json::Value], events: &HashMap<u64, serde_json::Value>) {
    for episode in kept {
        let number = episode["episode"].as_u64().expect("number");
        let Some(event) = events.get(&number) else {
            panic!("kept episode {number} is no episode of env 0 in events.jsonl; kept: {kept:?}");
        };
        assert_eq!(
            episode["return"], event["episode_return"],
            "episode {number}"
        );
        assert_eq!(episode["length"], event["length"], "episode {number}");
        assert_eq!(episode["env_steps"], event["env_steps"], "episode {number}");
    }
}

/// `agora record RUN --episode N --out GIF EXTRA…`, run to its end.
fn record_gif(data: &Path, run: &str, episode: &str, gif: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "record",
        run,
        "--episode",
        episode,
        "--out",
        gif.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    run_bounded(agora(data, &args), LIMIT)
}

/// Frames of a GIF file, decoded with the gif crate.
fn gif_frames(path: &Path) -> (usize, u16, u16) {
    let file = std::fs::File::open(path).expect("gif");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(file).expect("a GIF");
    let (width, height) = (decoder.width(), decoder.height());
    let mut frames = 0;
    while decoder.read_next_frame().expect("frame").is_some() {
        frames += 1;
    }
    (frames, width, height)
}

#[test]
fn every_episode_of_env_0_is_kept_under_its_run_wide_number_and_drawn_to_a_gif() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), "ppo-all.toml", PPO_ALL);
    let data = dir.path().join("data");
    let run_id = run(&data, &["run", &config]);
    let kept = listed(&data, &run_id);
    let events = env0_episode_events(&data, &run_id);
    assert!(kept.len() >= 5, "{kept:?}");
    assert_kept_match_events(&kept, &events);
    // "all": every finished episode of env 0 is there.
    let numbers: Vec<u64> = kept
        .iter()
        .map(|e| e["episode"].as_u64().expect("n"))
        .collect();
    let mut expected: Vec<u64> = events.keys().copied().collect();
    expected.sort_unstable();
    assert_eq!(numbers, expected);
    // With 4 envs, env 0's numbers are not 1, 2, 3, …
    assert!(numbers.windows(2).any(|w| w[1] - w[0] > 1), "{numbers:?}");

    let chosen = &kept[kept.len() / 2];
    let number = chosen["episode"].as_u64().expect("n").to_string();
    let gif = dir.path().join("clip.gif");
    let output = record_gif(&data, &run_id, &number, &gif, &["--fps", "25"]);
    assert!(output.status.success(), "{}", describe(&output));
    let (frames, width, height) = gif_frames(&gif);
    assert_eq!(
        frames as u64,
        chosen["length"].as_u64().expect("length") + 1
    );
    assert_eq!((width, height), (600, 400));

    // Text listing, and the errors a user meets.
    let output = run_bounded(agora(&data, &["record", &run_id]), LIMIT);
    assert!(output.status.success(), "{}", describe(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!("{} episodes kept", kept.len())),
        "{text}"
    );
    let output = record_gif(&data, &run_id, "999999", &gif, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("did not keep episode 999999") && error.contains(&numbers[0].to_string()),
        "{error}"
    );
    let output = run_bounded(agora(&data, &["record", "no-such-run"]), LIMIT);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no-such-run"),
        "{}",
        describe(&output)
    );
}

#[test]
fn the_default_keeps_every_hundredth_and_each_new_best_and_fast_mode_keeps_none() {
    let data = tempfile::tempdir().expect("temp dir");
    let config = repo_file("configs/frozenlake-q.toml");
    let config = config.to_str().expect("utf-8");
    let run_id = run(
        data.path(),
        &["run", config, "--set", "q_learning.total_episodes=300"],
    );
    let kept = listed(data.path(), &run_id);
    let numbers: Vec<u64> = kept
        .iter()
        .map(|e| e["episode"].as_u64().expect("n"))
        .collect();
    for every in [100, 200, 300] {
        assert!(numbers.contains(&every), "{numbers:?}");
    }
    // The first episode is a best (there is none before it), and a best
    // is kept only when its return beats every earlier one.
    assert_eq!(numbers[0], 1, "{numbers:?}");
    let mut best = f64::NEG_INFINITY;
    for episode in &kept {
        let r = episode["return"].as_f64().expect("return");
        let n = episode["episode"].as_u64().expect("n");
        assert!(
            r > best || n % 100 == 0,
            "episode {n} with return {r} after best {best}"
        );
        best = best.max(r);
    }
    assert_kept_match_events(&kept, &env0_episode_events(data.path(), &run_id));
    let gif = data.path().join("lake.gif");
    let output = record_gif(data.path(), &run_id, "100", &gif, &[]);
    assert!(output.status.success(), "{}", describe(&output));
    let length = kept.iter().find(|e| e["episode"] == 100).expect("kept")["length"]
        .as_u64()
        .expect("length");
    assert_eq!(gif_frames(&gif).0 as u64, length + 1);

    let fast = run(
        data.path(),
        &[
            "run",
            config,
            "--no-telemetry",
            "--set",
            "q_learning.total_episodes=300",
        ],
    );
    assert!(listed(data.path(), &fast).is_empty());
    assert!(
        !data
            .path()
            .join("runs")
            .join(&fast)
            .join("episodes")
            .exists()
    );
}

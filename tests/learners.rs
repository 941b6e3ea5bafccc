//! RL agents end to end: training configs, evaluation, checkpoints that
//! resume bit for bit, warm starts, and the errors a user meets.

use std::path::Path;
use std::time::Duration;

use agora_runtime::store::{CheckpointSelector, Store};

use crate::support::agora::{agora, describe, json_report, repo_file, run_bounded, write_config};

const LIMIT: Duration = Duration::from_secs(120);

/// A PPO run on CartPole that ends in about a second.
const SMALL_PPO: &str =
    "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 2048\n";

fn run_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let mut full = vec!["--json", "--broker", "embedded:0"];
    full.extend_from_slice(args);
    let output = run_bounded(agora(data, &full), LIMIT);
    assert!(
        output.status.success() || output.status.code() == Some(1),
        "{}",
        describe(&output)
    );
    json_report(&output)
}

#[test]
fn frozenlake_q_learning_trains_and_its_greedy_policy_succeeds() {
    let data = tempfile::tempdir().expect("temp dir");
    let report = run_json(
        data.path(),
        &[
            "run",
            repo_file("configs/frozenlake-q.toml")
                .to_str()
                .expect("utf-8"),
        ],
    );
    assert_eq!(report["status"], "completed", "{report}");
    assert_eq!(report["reports"]["learner"]["episodes"], 10_000);
    let run = report["run_id"].as_str().expect("run id");
    let output = run_bounded(
        agora(data.path(), &["--json", "eval", run, "--episodes", "1000"]),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let eval: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let success = eval["summary"]["success_rate"]
        .as_f64()
        .expect("success rate");
    assert!(
        success >= 0.72,
        "greedy success {success} over 1,000 episodes"
    );
}

const DQN: &str = r#"
[run]
name = "resumable"
{LIMIT}

[learner]
algorithm = "dqn"
seed = 7
checkpoint_every = 5000

[env]
id = "CartPole-v1"

[dqn]
total_timesteps = 24000
learning_starts = 4000
buffer_size = 5000
"#;

/// The checkpoint bytes (weights, optimizer, counters, RNG, replay buffer,
/// envs) a run ended with.
fn final_state(data: &Path, run: &str) -> Vec<u8> {
    let store = Store::open(data.join("agora.redb")).expect("store");
    store
        .load_checkpoint(run, "learner", &CheckpointSelector::Latest)
        .expect("read")
        .expect("a final checkpoint")
        .bytes
}

#[test]
fn a_run_stopped_and_resumed_ends_bitwise_identical_to_one_never_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let whole = write_config(dir.path(), "whole.toml", &DQN.replace("{LIMIT}", ""));
    let data = dir.path().join("data");
    let report = run_json(&data, &["run", &whole]);
    assert_eq!(report["status"], "completed", "{report}");
    let expected = final_state(&data, report["run_id"].as_str().expect("id"));

    // Same run, cut short after 300 ms and resumed until it completes; each
    // resume gets 300 ms more, so a loaded machine that spends a slice on
    // restoring still gets through.
    let cut = write_config(
        dir.path(),
        "cut.toml",
        &DQN.replace("{LIMIT}", "max_duration = \"300ms\""),
    );
    let report = run_json(&data, &["run", &cut]);
    let run = report["run_id"].as_str().expect("id").to_string();
    let mut resumes = 0;
    let mut status = report["status"].as_str().expect("status").to_string();
    while status != "completed" {
        assert_eq!(status, "stopped", "cut short by max_duration");
        assert!(resumes < 40, "resumed 40 times without finishing");
        let slice = format!("run.max_duration={}ms", 300 * (resumes + 2));
        let report = run_json(&data, &["resume", &run, "--set", &slice]);
        status = report["status"].as_str().expect("status").to_string();
        resumes += 1;
    }
    assert!(
        resumes >= 2,
        "the run was cut short at least twice ({resumes})"
    );
    assert!(
        final_state(&data, &run) == expected,
        "weights, optimizer, RNG and replay buffer differ after {resumes} resumes"
    );
}

#[test]
fn warm_start_takes_weights_when_shapes_match_and_names_the_tensor_when_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let small = write_config(dir.path(), "small.toml", SMALL_PPO);
    let source = run_json(&data, &["run", &small]);
    let source = source["run_id"].as_str().expect("id");

    let warmed = run_json(
        &data,
        &["run", &small, "--warm-start", &format!("{source}:best")],
    );
    assert_eq!(warmed["status"], "completed", "{warmed}");

    let wide = write_config(
        dir.path(),
        "wide.toml",
        "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 2048\nhidden_sizes = [32, 32]\n",
    );
    let output = run_bounded(
        agora(
            &data,
            &[
                "--broker",
                "embedded:0",
                "run",
                &wide,
                "--warm-start",
                source,
            ],
        ),
        LIMIT,
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "refused before start: {}",
        describe(&output)
    );
    let text = describe(&output);
    assert!(
        text.contains("tensor") && text.contains("shape"),
        "names the tensor and its shapes: {text}"
    );
}

#[test]
fn a_non_finite_loss_fails_the_run_and_keeps_the_last_good_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        "blowup.toml",
        "[learner]\nalgorithm = \"ppo\"\ncheckpoint_every = 100\n[env]\nid = \"CartPole-v1\"\n\
         [ppo]\ntotal_timesteps = 50000\nlearning_rate = 1e30\nanneal_lr = false\n",
    );
    let report = run_json(&data, &["run", &config]);
    assert_eq!(report["status"], "failed", "{report}");
    assert!(
        report["reason"]
            .as_str()
            .is_some_and(|r| r.contains("non-finite")),
        "{report}"
    );
    assert_eq!(report["events"]["run_failed"], 1);
    let run = report["run_id"].as_str().expect("id");
    // The last checkpoint is from before the failing update and still plays.
    let output = run_bounded(
        agora(&data, &["--json", "eval", run, "--episodes", "3"]),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
}

#[test]
fn bad_hyperparameters_and_envs_that_do_not_fit_fail_before_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "[learner]\nalgorithm = \"dqn\"\n[env]\nid = \"CartPole-v1\"\n[dqn]\nlearning_rate = -0.1\n",
            "learning_rate",
        ),
        (
            "[learner]\nalgorithm = \"dqn\"\n[env]\nid = \"CartPole-v1\"\n[dqn]\nbatch_size = 512\nbuffer_size = 100\n",
            "buffer_size",
        ),
        (
            "[learner]\nalgorithm = \"dqn\"\n[env]\nid = \"CartPole-v1\"\n[dqn]\nlearnig_rate = 0.1\n",
            "learnig_rate",
        ),
        (
            "[learner]\nalgorithm = \"q_learning\"\n[env]\nid = \"CartPole-v1\"\n",
            "CartPole-v1",
        ),
        (
            "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[dqn]\nbuffer_size = 10\n",
            "[dqn]",
        ),
        (
            "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"NoSuchEnv-v0\"\n",
            "NoSuchEnv-v0",
        ),
    ];
    for (index, (text, needle)) in cases.iter().enumerate() {
        let config = write_config(dir.path(), &format!("bad{index}.toml"), text);
        let data = dir.path().join(format!("data{index}"));
        let output = run_bounded(
            agora(&data, &["--broker", "embedded:0", "run", &config]),
            LIMIT,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "case {index}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(needle) && stderr.contains(&format!("bad{index}.toml")),
            "case {index}: {stderr}"
        );
        assert!(!data.exists(), "case {index}: nothing started");
    }
}

#[test]
fn a_bdi_agent_learns_frozenlake_through_custom_actions() {
    let data = tempfile::tempdir().expect("temp dir");
    let config = repo_file("configs/frozenlake-bdi-q.toml");
    let output = run_bounded(
        agora(
            data.path(),
            &[
                "--broker",
                "embedded:0",
                "run",
                config.to_str().expect("utf-8"),
            ],
        ),
        LIMIT,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rate: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("[explorer] greedy success rate "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no success rate in\n{stdout}"));
    assert!(rate >= 0.72, "greedy success {rate}");
    // The Q-table is in the agent's checkpoint.
    let store = Store::open(data.path().join("agora.redb")).expect("store");
    let run = store.runs().expect("runs").pop().expect("the run");
    let checkpoint = store
        .load_checkpoint(&run.id, "explorer", &CheckpointSelector::Latest)
        .expect("read")
        .expect("final checkpoint");
    let saved: serde_json::Value =
        serde_json::from_slice(&checkpoint.bytes).expect("JSON checkpoint");
    assert_eq!(saved["learning"]["episodes"], 10_000);
}

/// A run whose config names its own `[store] path` used to be invisible to
/// the CLI, which only opened `<data-dir>/agora.redb`: it could not be
/// listed, resumed, evaluated or warm-started from. The data dir now keeps
/// an index of the stores its runs use, and a relative path is recorded as
/// the absolute path it meant when the run started.
#[test]
fn a_run_with_its_own_store_path_is_listed_resumed_evaluated_and_warm_started_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        "own-store.toml",
        &DQN.replace(
            "{LIMIT}",
            "max_duration = \"300ms\"\n[store]\npath = \"elsewhere/own.redb\"",
        ),
    );
    let mut started = agora(&data, &["--json", "--broker", "embedded:0", "run", &config]);
    started.current_dir(dir.path());
    let first = json_report(&run_bounded(started, LIMIT));
    assert_eq!(first["status"], "stopped", "cut short: {first}");
    let run = first["run_id"].as_str().expect("id").to_string();
    assert!(dir.path().join("elsewhere/own.redb").exists());
    assert!(
        !data.join("agora.redb").exists(),
        "nothing in the default store"
    );

    let listed = run_json(&data, &["runs", "list"]);
    let ids: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, [run.as_str()], "{listed}");

    let resumed = run_json(&data, &["resume", &run[..run.len() - 2]]);
    assert_eq!(resumed["run_id"], run.as_str(), "{resumed}");
    assert!(
        matches!(resumed["status"].as_str(), Some("stopped" | "completed")),
        "{resumed}"
    );

    let eval = run_json(&data, &["eval", &run, "--episodes", "2"]);
    assert_eq!(eval["run"], run.as_str(), "{eval}");
    assert_eq!(eval["summary"]["episodes"], 2, "{eval}");

    let small = write_config(
        dir.path(),
        "warm.toml",
        &DQN.replace("{LIMIT}", "max_duration = \"300ms\""),
    );
    let warmed = run_json(&data, &["run", &small, "--warm-start", &run]);
    assert_eq!(warmed["status"], "stopped", "{warmed}");
    assert!(
        data.join("agora.redb").exists(),
        "the warm run is in the default store"
    );
    let listed = run_json(&data, &["runs", "list"]);
    assert_eq!(listed.as_array().expect("a list").len(), 2, "{listed}");
}

/// `--warm-start frozenlake-q:best` said `no run frozenlake-q` although
/// every other command takes a unique prefix, only after the embedded
/// broker had started; across algorithms it said `tensor critic.0.weight
/// is missing`. A warm start now takes a prefix, is checked before anything
/// starts, and names both algorithms.
#[test]
fn a_warm_start_takes_a_prefix_and_names_both_algorithms_before_anything_starts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let ppo = write_config(dir.path(), "ppo-source.toml", SMALL_PPO);
    let source = run_json(&data, &["run", &ppo]);
    assert_eq!(source["status"], "completed", "{source}");

    let dqn = write_config(
        dir.path(),
        "dqn.toml",
        &DQN.replace("{LIMIT}", "max_duration = \"300ms\""),
    );
    let output = run_bounded(
        agora(
            &data,
            &[
                "--broker",
                "embedded:0",
                "run",
                &dqn,
                "--warm-start",
                "ppo-sou:best",
            ],
        ),
        LIMIT,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("is PPO, the config's learner is DQN"),
        "{text}"
    );
    assert!(!text.contains("broker listening"), "checked first: {text}");
}

/// The run record's digest (what `agora runs list` shows) gets the
/// learner's final figures from its typed report, also in fast mode
/// (`--no-telemetry`), where no training events fill it along the way.
#[test]
fn the_run_digest_has_the_learners_final_figures_even_without_telemetry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let ppo = write_config(dir.path(), "fast.toml", SMALL_PPO);
    let report = run_json(&data, &["run", &ppo, "--no-telemetry"]);
    assert_eq!(report["status"], "completed", "{report}");
    let learner = &report["reports"]["learner"];
    assert_eq!(learner["kind"], "learner", "{report}");
    let listed = run_json(&data, &["runs", "list"]);
    let digest = &listed[0]["digest"];
    assert_eq!(digest["env_steps"], learner["env_steps"], "{listed}");
    assert_eq!(digest["episodes"], learner["episodes"], "{listed}");
    assert_eq!(digest["mean_return"], learner["mean_return"], "{listed}");
}

/// After `resume` or `--warm-start` nothing said where training picked up.
/// The learner now says `continuing from checkpoint #N at step S` or
/// `starting from the weights of checkpoint #N of run R`.
#[test]
fn resume_and_warm_start_say_where_training_picks_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        "cut.toml",
        &DQN.replace("{LIMIT}", "max_duration = \"300ms\""),
    );
    let first = run_json(&data, &["run", &config]);
    assert_eq!(first["status"], "stopped", "{first}");
    let run = first["run_id"].as_str().expect("id").to_string();
    let said = |args: &[&str]| {
        let mut all = vec!["--broker", "embedded:0"];
        all.extend_from_slice(args);
        let output = run_bounded(agora(&data, &all), LIMIT);
        assert!(output.status.success(), "{}", describe(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let resumed = said(&["resume", &run]);
    assert!(
        resumed.contains("[learner] continuing from checkpoint #") && resumed.contains(" at step "),
        "{resumed}"
    );
    let warmed = said(&["run", &config, "--warm-start", &run]);
    assert!(
        warmed.contains("[learner] starting from the weights of checkpoint #")
            && warmed.contains(&format!("of run {run}")),
        "{warmed}"
    );
}

/// `agora run` had no `--seed` and no way to change one key: a benchmark had
/// to copy configs. `--seed S` and `--set KEY=VALUE` change the config as if
/// written in the file (typed, checked, named in errors), and the run
/// records the config it really ran.
#[test]
fn seed_and_set_change_the_config_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let ppo = write_config(dir.path(), "base.toml", SMALL_PPO);
    let report = run_json(
        &data,
        &[
            "run",
            &ppo,
            "--seed",
            "42",
            "--set",
            "learner.best_window=7",
        ],
    );
    assert_eq!(report["status"], "completed", "{report}");
    let run = report["run_id"].as_str().expect("id");
    let shown = run_json(&data, &["runs", "show", run]);
    let config = shown["run"]["config"]
        .as_str()
        .unwrap_or_default()
        .to_string()
        + shown["config"].as_str().unwrap_or_default();
    assert!(
        config.contains("seed = 42") && config.contains("best_window = 7"),
        "{shown}"
    );
    for (args, named) in [
        (vec!["--set", "ppo.learnig_rate=0.1"], "learnig_rate"),
        (
            vec!["--set", "learner.best_window=0"],
            "learner.best_window",
        ),
        (vec!["--set", "no-equals-sign"], "KEY=VALUE"),
    ] {
        let mut all = vec!["--broker", "embedded:0", "run", ppo.as_str()];
        all.extend(args.iter().copied());
        let refused = run_bounded(agora(&data, &all), LIMIT);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{args:?}: {}",
            describe(&refused)
        );
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(named),
            "{args:?}: {}",
            describe(&refused)
        );
    }
}

/// Nothing in the suite showed that DQN or PPO learn at all. These runs are
/// deterministic (fixed seed, one compute thread) and bounded by steps, not
/// time: PPO reaches a rolling mean of 450 on CartPole within 50,000 steps,
/// DQN a best rolling mean of 195 (CartPole-v0's "solved") within 25,000.
#[test]
fn ppo_and_dqn_learn_cartpole_within_a_step_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let ppo = write_config(
        dir.path(),
        "ppo-learns.toml",
        "[learner]\nalgorithm = \"ppo\"\nseed = 3\ncheckpoint_every = 0\n[env]\nid = \"CartPole-v1\"\nnum_envs = 8\n\
         [ppo]\ntotal_timesteps = 50_000\nlearning_rate = 2e-3\nnum_steps = 32\nnum_minibatches = 2\nupdate_epochs = 10\n\
         gamma = 0.98\ngae_lambda = 0.8\nent_coef = 0.0\nclip_coef = 0.2\nclip_vloss = false\n",
    );
    let dqn = write_config(
        dir.path(),
        "dqn-learns.toml",
        "[learner]\nalgorithm = \"dqn\"\nseed = 1\ncheckpoint_every = 0\n[env]\nid = \"CartPole-v1\"\n\
         [dqn]\ntotal_timesteps = 25_000\nlearning_rate = 1e-3\nbuffer_size = 20_000\ntarget_network_frequency = 250\n\
         batch_size = 64\nend_e = 0.02\nexploration_fraction = 0.25\nlearning_starts = 1000\ntrain_frequency = 2\n",
    );
    let (ppo_data, dqn_data) = (data.join("ppo"), data.join("dqn"));
    let dqn_run = std::thread::spawn(move || run_json(&dqn_data, &["run", &dqn]));
    let ppo_report = run_json(&ppo_data, &["run", &ppo]);
    let dqn_report = dqn_run.join().expect("dqn run");
    let ppo = &ppo_report["reports"]["learner"];
    assert!(ppo["mean_return"].as_f64() >= Some(450.0), "PPO: {ppo}");
    let dqn = &dqn_report["reports"]["learner"];
    assert!(
        dqn["best_mean_return"].as_f64() >= Some(195.0),
        "DQN: {dqn}"
    );

    // Its `best` holds the networks and optimizer (about 175 KB here)
    // without the 20,000-transition replay buffer (about 820 KB), which
    // the checkpoint at stop keeps for a resume.
    let run = dqn_report["run_id"].as_str().expect("run id");
    let shown = run_bounded(
        agora(&data.join("dqn"), &["--json", "runs", "show", run]),
        LIMIT,
    );
    assert!(shown.status.success(), "{}", describe(&shown));
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    let checkpoints = shown["checkpoints"].as_array().expect("checkpoints");
    let size_of = |best: bool| {
        checkpoints
            .iter()
            .find(|c| (c["tag"] == "best") == best)
            .and_then(|c| Some((c["size"].as_u64()?, c["policy_only"] == true)))
            .unwrap_or_else(|| panic!("no checkpoint with best={best}: {checkpoints:?}"))
    };
    let ((best, best_policy_only), (full, full_policy_only)) = (size_of(true), size_of(false));
    assert!(best_policy_only && !full_policy_only, "{checkpoints:?}");
    assert!(best * 4 < full, "best {best} bytes, full {full} bytes");
}

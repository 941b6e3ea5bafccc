//! Regression tests, each named after what broke.

use std::time::Duration;

use agora_runtime::agent::{Agent, Behaviours, Cyclic, Flow, Template, agent_factory};
use agora_runtime::config::ExperimentConfig;
use agora_runtime::kinds::AgentRegistry;
use agora_runtime::run::{RunOptions, run_experiment};
use agora_runtime::transport::Performative;

/// Answers requests like `echo`, but takes a little time over each, as a
/// BDI agent with thousands of waiting intentions does.
struct Slow;

impl Agent for Slow {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(Cyclic::new(
            "answer",
            Template::new().performative(Performative::Request),
            |_, request, ctx| {
                std::thread::sleep(Duration::from_micros(300));
                ctx.reply(&request, Performative::Inform, serde_json::Value::Null)?;
                Ok(Flow::Continue)
            },
        ));
    }
}

/// A burst larger than an actor's mailbox was silently lost.
///
/// Symptom: 10,000 BDI agents answered an askOne each, and the asker got
/// only ~17,100 of 20,000 messages; the run never finished. Mechanism: the
/// connection handed each inbound message to the agent's actix mailbox with
/// `try_send`, which refuses once that mailbox (4,096) has overflowed, and
/// the message was dropped after its PUBACK had gone out, so nothing resent
/// it. Fix: inbound messages wait in the agent's own bounded queue (its
/// `mailbox` setting, 16,384 by default) and the actor drains it in order.
///
/// This test guards the property (a burst to a slow agent arrives in full,
/// nothing counted as overflow); the original overflow needed the timing of
/// the 10,000-agent run in `bench/bdi/agora/ask10k.toml`, which a test this
/// small does not reproduce.
#[test]
fn a_burst_to_a_slow_agent_is_delivered_in_full() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "[[agents]]\nname = \"slow\"\nkind = \"slow\"\n\n\
                [[agents]]\nname = \"pinger\"\nkind = \"pinger\"\ntarget = \"slow\"\ncount = 6000\nwindow = 6000\ntimeout = \"30s\"\n";
    let mut registry = AgentRegistry::with_builtins();
    registry.register("slow", true, |_| Ok(agent_factory(|| Ok(Slow))));
    let config = ExperimentConfig::from_toml_str_with_registry("burst.toml", text, &registry)
        .expect("config");
    let mut options = RunOptions::new(dir.path());
    options.registry = registry;
    options.broker = Some("embedded:0".into());
    let report = actix::System::new()
        .block_on(async move {
            tokio::time::timeout(
                Duration::from_secs(60),
                run_experiment(&config, options, |_| {}),
            )
            .await
        })
        .expect("ends in time")
        .expect("starts");
    let pinger = &report.reports["pinger"];
    assert_eq!(pinger["answered"], 6000, "{pinger}");
    assert_eq!(report.transport.inbox_full, 0);
    assert_eq!(report.totals.inbox_overflow, 0);
}

/// `agora run … 2>&1 | head -3` exited 134 (SIGABRT) and left the run
/// `crashed` without a final checkpoint. Once `head` closed the pipe, the
/// log subscriber's write to stderr failed and it reported that with
/// `eprintln!`, which panics inside the panic hook and aborts. Output now
/// goes through writers that give up quietly on a closed stream, and the
/// subscriber's own error reporting is off: the run ends as usual.
#[test]
fn a_closed_output_pipe_does_not_stop_a_training_run() {
    use std::io::BufRead;

    use crate::support::agora::{agora, run_bounded, wait_bounded, write_config};

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        "piped.toml",
        "[learner]\nalgorithm = \"ppo\"\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 8192\n",
    );
    let mut command = agora(&data, &["--broker", "embedded:0", "run", &config]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn agora");
    let stderr = child.stderr.take().expect("stderr");
    let mut first = String::new();
    std::io::BufReader::new(stderr)
        .read_line(&mut first)
        .expect("first line");
    // Both ends closed, as `| head -1` does once it has its line.
    drop(child.stdout.take());
    let output = wait_bounded(child, Duration::from_secs(120));
    assert_eq!(output.status.code(), Some(0), "first line: {first}");

    let listed = run_bounded(
        agora(&data, &["--json", "runs", "list"]),
        Duration::from_secs(30),
    );
    let runs: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let run = &runs[0];
    assert_eq!(run["status"], "completed", "{runs}");
    let id = run["id"].as_str().expect("id");
    let shown = run_bounded(
        agora(&data, &["--json", "runs", "show", id]),
        Duration::from_secs(30),
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    assert!(
        !shown["checkpoints"].as_array().expect("list").is_empty(),
        "the final checkpoint was written: {shown}"
    );
}

/// An empty config printed `started with 0 agents` and then ran until it
/// was killed. A config with nothing to run is now refused before anything
/// starts, naming the file.
#[test]
fn an_empty_config_is_refused_instead_of_running_forever() {
    use crate::support::agora::{agora, describe, run_bounded, write_config};

    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), "empty.toml", "");
    let output = run_bounded(
        agora(
            &dir.path().join("data"),
            &["--broker", "embedded:0", "run", &config],
        ),
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("empty.toml") && text.contains("nothing to run"),
        "{text}"
    );
    assert!(!text.contains("started"), "{text}");
}

/// `agora run missing.toml` printed `No such file or directory (os error
/// 2): No such file or directory (os error 2)`: the error quoted its source
/// and the CLI printed the source chain again. Each cause is now said once.
#[test]
fn an_error_names_its_cause_once() {
    use crate::support::agora::{agora, run_bounded};

    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.toml");
    let output = run_bounded(
        agora(dir.path(), &["run", missing.to_str().expect("utf-8")]),
        Duration::from_secs(30),
    );
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("missing.toml"), "{text}");
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
}

//! Regression tests, each named after what broke.

use std::time::Duration;

use agora_runtime::agent::{Agent, Behaviours, Cyclic, Flow, Template, agent_factory};
use agora_runtime::config::ExperimentConfig;
use agora_runtime::kinds::AgentRegistry;
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
    let report = crate::support::run_in_process(&config, registry, dir.path());
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

/// A read-only data dir blocked even reading: `runs list`, `eval` and
/// `plot` failed with `Read-only file system`, because every command
/// opened the store for writing. Commands that only read now open it
/// read-only when it cannot be written. The data dir is made unwritable
/// for the commands: they run as `nobody` when the tests run as root
/// (root writes anywhere), else the folder loses its write bits.
#[test]
fn a_read_only_data_dir_can_still_be_listed_evaluated_and_plotted() {
    use crate::support::agora::{agora, describe, json_report, run_bounded, write_config};
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        "ro.toml",
        "[run]\nname = \"ro\"\n[learner]\nalgorithm = \"q_learning\"\n[env]\nid = \"FrozenLake-v1\"\n[q_learning]\ntotal_episodes = 200\n",
    );
    let trained = run_bounded(
        agora(&data, &["--json", "--broker", "embedded:0", "run", &config]),
        Duration::from_secs(120),
    );
    assert!(trained.status.success(), "{}", describe(&trained));
    let run = json_report(&trained)["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    let plots = dir.path().join("plots");
    std::fs::create_dir(&plots).expect("plots folder");
    let read_only = ReadOnlyData::new(&data, &plots);

    let listed = run_bounded(read_only.agora(&["runs", "list"]), Duration::from_secs(30));
    assert!(listed.status.success(), "{}", describe(&listed));
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains(&run),
        "{}",
        describe(&listed)
    );
    let eval = run_bounded(
        read_only.agora(&["eval", &run, "--episodes", "3"]),
        Duration::from_secs(60),
    );
    assert!(eval.status.success(), "{}", describe(&eval));
    let png = plots.join("ro.png");
    let plot = run_bounded(
        read_only.agora(&["plot", &run, "--out", png.to_str().expect("utf-8")]),
        Duration::from_secs(60),
    );
    assert!(plot.status.success(), "{}", describe(&plot));
    assert!(png.exists(), "{}", describe(&plot));
    let removed = run_bounded(
        read_only.agora(&["runs", "rm", &run]),
        Duration::from_secs(30),
    );
    assert_eq!(
        removed.status.code(),
        Some(2),
        "a write is refused: {}",
        describe(&removed)
    );
    assert!(
        String::from_utf8_lossy(&removed.stderr).contains("read-only"),
        "{}",
        describe(&removed)
    );
}

/// A data dir the `agora` commands it starts cannot write.
struct ReadOnlyData {
    data: std::path::PathBuf,
    /// Run as `nobody` (from a copy of the binary that `nobody` may run:
    /// the build folder can be in root's home).
    as_nobody: Option<std::path::PathBuf>,
}

impl ReadOnlyData {
    fn new(data: &std::path::Path, writable: &std::path::Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let root = runs_as_root();
        let mode = |path: &std::path::Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        let mut stack = vec![data.to_path_buf()];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                // Readable and enterable by everyone, writable by nobody else
                // (and by no one when not root).
                mode(&path, if root { 0o755 } else { 0o555 });
                stack.extend(
                    std::fs::read_dir(&path)
                        .expect("list")
                        .flatten()
                        .map(|e| e.path()),
                );
            } else {
                mode(&path, if root { 0o644 } else { 0o444 });
            }
        }
        mode(writable, 0o777);
        let mut above = data.parent();
        while let Some(folder) = above.filter(|f| f.starts_with(std::env::temp_dir())) {
            if folder != std::env::temp_dir() {
                mode(folder, 0o755);
            }
            above = folder.parent();
        }
        let as_nobody = root.then(|| {
            let copy = writable.join("agora");
            std::fs::copy(crate::support::agora::AGORA, &copy).expect("copy of agora");
            mode(&copy, 0o755);
            copy
        });
        Self {
            data: data.to_path_buf(),
            as_nobody,
        }
    }

    fn agora(&self, args: &[&str]) -> std::process::Command {
        let plain = crate::support::agora::agora(&self.data, args);
        let Some(binary) = &self.as_nobody else {
            return plain;
        };
        let mut command = std::process::Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(binary)
            .args(plain.get_args())
            .env_remove("AGORA_BROKER")
            .env_remove("AGORA_LOG")
            .stdin(std::process::Stdio::null());
        command
    }
}

impl Drop for ReadOnlyData {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        // Give the write bits back so the temp dir can be removed.
        let mut stack = vec![self.data.clone()];
        while let Some(path) = stack.pop() {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
            if path.is_dir() {
                stack.extend(
                    std::fs::read_dir(&path)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|e| e.path()),
                );
            }
        }
    }
}

/// Whether this process runs as root (uid 0), read from /proc.
fn runs_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// `agora asl check configs/asl/gold_miner.asl` exited 2 with `unknown
/// internal action .move/1`: the shipped programs did not pass the
/// checker, which knew no world's or env's actions. `check` now takes the
/// world or env (`--world`, `--env`) or reads them from a config.
#[test]
fn the_shipped_programs_pass_asl_check_with_their_world_or_env() {
    use crate::support::agora::{agora, describe, repo_file, run_bounded};
    let data = tempfile::tempdir().expect("temp dir");
    let check = |args: &[&str]| {
        let mut all = vec!["asl", "check"];
        all.extend_from_slice(args);
        run_bounded(agora(data.path(), &all), Duration::from_secs(30))
    };
    let miner = repo_file("configs/asl/gold_miner.asl");
    let miner = miner.to_str().expect("utf-8");
    let q = repo_file("configs/asl/frozenlake_q.asl");
    let q = q.to_str().expect("utf-8");
    let bare = check(&[miner]);
    assert_eq!(bare.status.code(), Some(2), "{}", describe(&bare));
    assert!(
        String::from_utf8_lossy(&bare.stderr).contains("--world"),
        "the error says how to name the world: {}",
        describe(&bare)
    );
    for args in [
        vec![miner, "--world", "gold-miners"],
        vec![q, "--env", "FrozenLake-v1"],
    ] {
        let checked = check(&args);
        assert!(checked.status.success(), "{args:?}: {}", describe(&checked));
    }
    for config in [
        "configs/bdi-gold-miners.toml",
        "configs/frozenlake-bdi-q.toml",
    ] {
        let path = repo_file(config);
        let checked = check(&["--config", path.to_str().expect("utf-8")]);
        assert!(checked.status.success(), "{config}: {}", describe(&checked));
    }
}

/// Two runs with the same agent name on one broker answered each other's
/// messages silently (4,430 sent, 6,628 received: both echoes answered),
/// and the second run, ending, set the retained presence of `echo` to
/// `offline` while the first still served. An agent name is now a claim:
/// a run refuses to start an agent whose name a live run holds, naming
/// that run and host, unless it is told to take the name over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_refuses_an_agent_name_a_live_run_holds() {
    use crate::support::agora::{
        agora, describe, json_report, run_bounded, start_run, stop_run, write_config,
    };
    use crate::support::raw_client::RawClient;
    let broker = crate::support::embedded_broker();
    let port = broker.local_addr().port();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let serving = write_config(
        dir.path(),
        "echo.toml",
        "[run]\nname = \"first\"\n[[agents]]\nname = \"echo\"\nkind = \"echo\"\n",
    );
    let presence = "agora/default/agents/echo/presence";
    let mut watcher = RawClient::connect(port, "presence-watcher", &[presence]).await;
    let first = start_run(&data, port, &serving);
    assert_eq!(watcher.next_on(presence).await, b"online");

    let second = write_config(
        dir.path(),
        "second.toml",
        "[run]\nname = \"second\"\n[[agents]]\nname = \"echo\"\nkind = \"echo\"\n[[agents]]\nname = \"pinger\"\nkind = \"pinger\"\ntarget = \"echo\"\ncount = 50\n",
    );
    let url = format!("mqtt://127.0.0.1:{port}");
    let refused = tokio::task::spawn_blocking({
        let (data, second, url) = (data.clone(), second.clone(), url.clone());
        move || {
            run_bounded(
                agora(&data, &["--broker", &url, "run", &second]),
                Duration::from_secs(60),
            )
        }
    })
    .await
    .expect("joins");
    assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("`echo`")
            && stderr.contains("run first-")
            && stderr.contains("--take-over"),
        "names the agent, the other run and the way out: {stderr}"
    );

    let taken = tokio::task::spawn_blocking(move || {
        run_bounded(
            agora(
                &data,
                &["--json", "--broker", &url, "run", &second, "--take-over"],
            ),
            Duration::from_secs(60),
        )
    })
    .await
    .expect("joins");
    let report = json_report(&taken);
    assert_eq!(report["status"], "completed", "{report}");
    assert_eq!(report["reports"]["pinger"]["answered"], 50, "{report}");

    let first = json_report(&stop_run(first).await);
    assert_eq!(first["status"], "stopped", "{first}");
}

/// A store file that is not a store gave a clear exit 2 but no hint what
/// to do. The message now names the file, says it is not a valid store
/// and how to move it aside.
#[test]
fn a_file_that_is_not_a_store_is_named_with_a_way_out() {
    use crate::support::agora::{agora, describe, run_bounded};
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(data.path().join("agora.redb"), b"not a store at all").expect("garbage");
    let listed = run_bounded(
        agora(data.path(), &["runs", "list"]),
        Duration::from_secs(30),
    );
    assert_eq!(listed.status.code(), Some(2), "{}", describe(&listed));
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(
        stderr.contains("agora.redb is not a valid checkpoint store")
            && stderr.contains("move it aside"),
        "{stderr}"
    );
}

/// AgentSpeak integers silently became floats beyond 64 bits
/// (`9223372036854775807 + 1` printed `9223372036854776000`), although
/// integers and floats are kept apart. Overflow is now an arithmetic error
/// (a failure event) and a literal past 64 bits a parse error.
#[test]
fn integer_overflow_in_agentspeak_is_an_error_not_a_float() {
    use crate::support::agora::{agora, describe, run_bounded, write_config};
    let dir = tempfile::tempdir().expect("temp dir");
    let overflow = write_config(
        dir.path(),
        "overflow.asl",
        "!start.\n+!start <- X = 9223372036854775807 + 1; .print(X).\n-!start[error(E)] <- .print(caught, E).\n",
    );
    let ran = run_bounded(
        agora(dir.path(), &["asl", "run", &overflow]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&ran.stdout);
    assert!(
        stdout.contains("caught") && stdout.contains("eval_error"),
        "{}",
        describe(&ran)
    );
    assert!(
        !stdout.contains("9223372036854776000"),
        "{}",
        describe(&ran)
    );
    let literal = write_config(
        dir.path(),
        "literal.asl",
        "!s.\n+!s <- .print(99999999999999999999999999999999).\n",
    );
    let checked = run_bounded(
        agora(dir.path(), &["asl", "check", &literal]),
        Duration::from_secs(30),
    );
    assert_eq!(checked.status.code(), Some(2), "{}", describe(&checked));
    assert!(
        String::from_utf8_lossy(&checked.stderr).contains("literal.asl:2:15")
            && String::from_utf8_lossy(&checked.stderr).contains("64-bit range"),
        "{}",
        describe(&checked)
    );
}

/// `agora asl run` showed Rust debug output to users
/// (`IntentionDropped { root: "+!g", reason: "line 2: division by zero" }`),
/// and `shop_customer.asl` exited 0 silently with its question unanswered.
/// Reports are sentences now, and a standalone run says that its messages
/// to other agents went nowhere.
#[test]
fn asl_run_speaks_in_sentences_and_says_where_messages_went() {
    use crate::support::agora::{agora, describe, repo_file, run_bounded, write_config};
    let dir = tempfile::tempdir().expect("temp dir");
    let failing = write_config(
        dir.path(),
        "dz.asl",
        "!g.\n+!g <- X = 1 div 0; .print(X).\n",
    );
    let failed = run_bounded(
        agora(dir.path(), &["asl", "run", &failing]),
        Duration::from_secs(30),
    );
    assert_eq!(failed.status.code(), Some(1), "{}", describe(&failed));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("the intention for +!g was dropped: line 2: division by zero")
            && !stderr.contains("IntentionDropped {"),
        "{stderr}"
    );
    let customer = repo_file("configs/asl/shop_customer.asl");
    let asked = run_bounded(
        agora(
            dir.path(),
            &["asl", "run", customer.to_str().expect("utf-8")],
        ),
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&asked.stderr);
    assert!(
        stderr.contains("went nowhere") && stderr.contains("askOne") && stderr.contains("`shop`"),
        "{}",
        describe(&asked)
    );
}

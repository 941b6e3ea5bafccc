//! The `agora` binary under test, each run with its own data folder.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Path of the binary cargo built for these tests.
pub const AGORA: &str = env!("CARGO_BIN_EXE_agora");

/// A repository file, e.g. `configs/quickstart.toml`.
pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `agora --data-dir DIR ARGS…`, not yet run.
pub fn agora(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(AGORA);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("AGORA_BROKER")
        .env_remove("AGORA_LOG");
    command.stdin(Stdio::null());
    command
}

/// `agora --broker embedded:0 run CONFIG`, run to completion within `limit`.
pub fn run_config(data_dir: &Path, config: &Path, limit: Duration) -> Output {
    let config = config.to_str().expect("utf-8 path");
    run_bounded(
        agora(data_dir, &["--broker", "embedded:0", "run", config]),
        limit,
    )
}

/// Runs to completion within `limit`, killing it otherwise.
pub fn run_bounded(mut command: Command, limit: Duration) -> Output {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().expect("spawn agora");
    wait_bounded(child, limit)
}

/// Waits for a spawned child within `limit`, killing it otherwise.
pub fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let output = child.wait_with_output().expect("collect output");
                panic!(
                    "agora did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
    }
    child.wait_with_output().expect("collect output")
}

/// stdout, stderr and status in one string, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The JSON report `agora --json run` prints.
pub fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("report is not JSON ({e})\n{}", describe(output)))
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write_config(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path.to_str().expect("utf-8 path").to_string()
}

/// `agora --json --broker mqtt://127.0.0.1:PORT run CONFIG`, running.
pub fn start_run(data: &Path, broker_port: u16, config: &str) -> Child {
    let url = format!("mqtt://127.0.0.1:{broker_port}");
    let mut command = agora(data, &["--json", "--broker", &url, "run", config]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.spawn().expect("spawn agora")
}

/// Stops a run with SIGTERM (graceful) and returns its output.
pub async fn stop_run(child: Child) -> Output {
    super::terminate(child.id());
    finish_run(child).await
}

/// Waits for a run to end by itself and returns its output.
pub async fn finish_run(child: Child) -> Output {
    tokio::task::spawn_blocking(move || wait_bounded(child, Duration::from_secs(120)))
        .await
        .expect("join")
}

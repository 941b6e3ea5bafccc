//! The dashboard in a real browser: a DQN run with `--dashboard` on an
//! embedded broker, its run view driven by `tests/browser/dashboard.mjs`
//! (playwright-core over Debian's headless chromium). The page must show
//! the return curve and a live episode frame, pause the run (and the
//! store must say paused while it is), resume it, evaluate and download a
//! checkpoint from its marker and leave a screenshot under
//! `target/test-artifacts/dashboard/`. A BDI gold-miners run's page must
//! draw its shared world live (`tests/browser/world.mjs`).
//!
//! The page's pure JS parts also run under `node --test` here.
//!
//! Needs node, `npm ci --prefix tests/browser` and chromium (`.ci/run`
//! installs them); without them the test fails saying so, it never skips.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::agora::{agora, describe, repo_file, run_bounded};
use crate::support::{terminate, wait_until};

/// The whole test, browser included, ends within this.
const OVERALL: Duration = Duration::from_secs(180);
/// The run is stopped long before it reaches this many steps.
const TOTAL_TIMESTEPS: &str = "dqn.total_timesteps=50000000";
/// Periodic checkpoints early, so the return chart has a marker to click.
const CHECKPOINT_EVERY: &str = "learner.checkpoint_every=5000";
/// Every checkpoint kept: the one the page shows is still there when it evaluates it.
const KEEP_CHECKPOINTS: &str = "store.keep_checkpoints=0";

const INSTALL: &str = "install them with .ci/run, or by hand: \
    apt-get install chromium nodejs npm && \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser";

/// Debian's chromium binary.
fn chromium() -> Option<PathBuf> {
    ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Fails (never skips) when node is not on PATH.
fn require_node(who: &str) {
    let node = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    assert!(
        matches!(&node, Ok(out) if out.status.success()),
        "{who} needs node on PATH ({node:?}); {INSTALL}"
    );
}

/// Fails (never skips) when node, playwright-core or chromium is missing.
fn require_browser_tools() {
    require_node("the dashboard browser test");
    let playwright = repo_file("tests/browser/node_modules/playwright-core/package.json");
    assert!(
        playwright.exists(),
        "the dashboard browser test needs playwright-core in tests/browser/node_modules \
         ({} is missing); {INSTALL}",
        playwright.display()
    );
    assert!(
        chromium().is_some(),
        "the dashboard browser test needs chromium at /usr/lib/chromium/chromium or \
         /usr/bin/chromium; {INSTALL}"
    );
}

/// `target/test-artifacts/dashboard` of `CARGO_TARGET_DIR` when set, else of the repository.
fn artifact_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                repo_file("").join(dir)
            }
        })
        .unwrap_or_else(|| repo_file("target"));
    target.join("test-artifacts").join("dashboard")
}

/// A child process killed (and reaped) when the test ends, however it ends.
struct Guard {
    name: &'static str,
    child: Option<Child>,
}

impl Guard {
    fn new(name: &'static str, child: Child) -> Self {
        Self {
            name,
            child: Some(child),
        }
    }

    fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("child still held")
    }

    /// Waits up to `limit` for it to exit by itself; its exit status.
    fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child().try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => return None,
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take()
            && child.try_wait().ok().flatten().is_none()
        {
            eprintln!("dashboard_browser: killing {}", self.name);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Lines of a child's stream, as they come, on a channel.
fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Everything a child writes to a stream, kept for failure messages.
fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut sink = sink.lock().expect("log lock");
            sink.push_str(&line);
            sink.push('\n');
        }
    });
    text
}

fn tail(text: &Arc<Mutex<String>>) -> String {
    let text = text.lock().expect("log lock");
    let start = text.len().saturating_sub(6000);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text[start..].to_string()
}

/// The next line on `rx` before `deadline`; `None` if the stream ended or time ran out.
fn next_line(rx: &Receiver<String>, deadline: Instant) -> Result<String, &'static str> {
    let left = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(left) {
        Ok(line) => Ok(line),
        Err(RecvTimeoutError::Timeout) => Err("timed out"),
        Err(RecvTimeoutError::Disconnected) => Err("the stream ended"),
    }
}

/// The next JSON line of the browser driver that has `key`.
fn json_line_with(
    rx: &Receiver<String>,
    key: &str,
    deadline: Instant,
    stderr: &Arc<Mutex<String>>,
) -> serde_json::Value {
    loop {
        let line = next_line(rx, deadline).unwrap_or_else(|why| {
            panic!(
                "dashboard.mjs printed no line with {key:?} ({why}); its stderr:\n{}",
                tail(stderr)
            )
        });
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(value) if value.get(key).is_some() => return value,
            _ => eprintln!("dashboard.mjs: {line}"),
        }
    }
}

/// The run id in `dashboard: http://127.0.0.1:PORT/?run=RUN_ID[&token=T]`.
fn parse_dashboard_line(line: &str) -> (String, String) {
    let url = line
        .strip_prefix("dashboard: ")
        .unwrap_or_else(|| panic!("first stdout line is not `dashboard: URL`: {line:?}"));
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "the dashboard URL is not on 127.0.0.1: {url:?}"
    );
    let query = url
        .split_once("/?")
        .map(|(_, q)| q)
        .unwrap_or_else(|| panic!("no query in the dashboard URL {url:?}"));
    let run = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("run="))
        .unwrap_or_else(|| panic!("no run= in the dashboard URL {url:?}"));
    assert!(!run.is_empty(), "empty run id in {url:?}");
    (url.to_string(), run.to_string())
}

/// The run's status as `agora --json runs show RUN` prints it.
fn stored_status(data: &Path, run: &str) -> Option<String> {
    let output = run_bounded(
        agora(data, &["--json", "runs", "show", run]),
        Duration::from_secs(30),
    );
    if !output.status.success() {
        eprintln!("runs show failed:\n{}", describe(&output));
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    value["run"]["status"].as_str().map(String::from)
}

/// `agora run CONFIG --dashboard` on an embedded broker, its URL read
/// from its first line; killed when dropped if it still runs.
struct DashboardRun {
    data: PathBuf,
    process: Guard,
    stderr: Arc<Mutex<String>>,
    url: String,
    id: String,
}

impl DashboardRun {
    fn start(data: &Path, config: &Path, extra: &[&str]) -> Self {
        let mut args = vec![
            "--broker",
            "embedded:0",
            "run",
            config.to_str().expect("utf-8 path"),
            "--dashboard",
            "--dashboard-port",
            "0",
        ];
        args.extend_from_slice(extra);
        let mut command = agora(data, &args);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut process = Guard::new("agora run", command.spawn().expect("spawn agora run"));
        let stdout = lines_of(process.child().stdout.take().expect("stdout"));
        let stderr = collect(process.child().stderr.take().expect("stderr"));
        let first =
            next_line(&stdout, Instant::now() + Duration::from_secs(60)).unwrap_or_else(|why| {
                panic!(
                    "agora run printed no dashboard line ({why}); stderr:\n{}",
                    tail(&stderr)
                )
            });
        let (url, id) = parse_dashboard_line(&first);
        eprintln!("dashboard_browser: {url}");
        // The rest of the run's stdout is not needed; keep draining it.
        std::thread::spawn(move || for _ in stdout {});
        Self {
            data: data.to_path_buf(),
            process,
            stderr,
            url,
            id,
        }
    }

    /// Stops the run as a user would (SIGTERM if the command cannot) and
    /// waits for it to end.
    fn stop(mut self) {
        let stop = run_bounded(
            agora(&self.data, &["ctl", &self.id, "stop"]),
            Duration::from_secs(30),
        );
        if !stop.status.success() {
            eprintln!("agora ctl stop failed, terminating:\n{}", describe(&stop));
            terminate(self.process.child().id());
        }
        assert!(
            self.process.wait(Duration::from_secs(60)).is_some(),
            "agora run did not end within 60 s of stop; stderr:\n{}",
            tail(&self.stderr)
        );
    }
}

#[test]
fn the_dashboard_shows_a_live_run_and_pauses_resumes_and_evaluates_it_in_a_browser() {
    require_browser_tools();
    let start = Instant::now();
    let deadline = start + OVERALL;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let artifacts = artifact_dir();
    std::fs::create_dir_all(&artifacts).expect("artifact dir");
    let screenshot = artifacts.join("run-view.png");
    let _ = std::fs::remove_file(&screenshot);

    let run = DashboardRun::start(
        &data,
        &repo_file("configs/cartpole-dqn.toml"),
        &[
            "--set",
            TOTAL_TIMESTEPS,
            "--set",
            CHECKPOINT_EVERY,
            "--set",
            KEEP_CHECKPOINTS,
        ],
    );
    let (url, run_id, run_stderr) = (&run.url, &run.id, &run.stderr);

    let mut browser = Command::new("node");
    browser
        .arg(repo_file("tests/browser/dashboard.mjs"))
        .arg(url)
        .arg(&artifacts)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env(
            "AGORA_BROWSER_LIMIT_MS",
            deadline
                .saturating_duration_since(Instant::now())
                .as_millis()
                .to_string(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut browser = Guard::new("node dashboard.mjs", browser.spawn().expect("spawn node"));
    let mut browser_stdin: ChildStdin = browser.child().stdin.take().expect("stdin");
    let browser_stdout = lines_of(browser.child().stdout.take().expect("stdout"));
    let browser_stderr = collect(browser.child().stderr.take().expect("stderr"));

    let paused = json_line_with(
        &browser_stdout,
        "paused_confirmed",
        deadline,
        &browser_stderr,
    );
    assert_eq!(paused["paused_confirmed"], true, "{paused}");

    // While the page says paused, so does the store (its writer may lag a moment).
    let mut status = None;
    let settled = wait_until(Duration::from_secs(10), || {
        status = stored_status(&data, run_id);
        status.as_deref() == Some("paused")
    });
    assert!(
        settled,
        "the page confirmed pause but `agora runs show {run_id}` says {status:?}; run stderr:\n{}",
        tail(run_stderr)
    );

    writeln!(browser_stdin, "continue").expect("tell dashboard.mjs to go on");
    browser_stdin.flush().expect("flush");
    let done = json_line_with(&browser_stdout, "done", deadline, &browser_stderr);
    eprintln!("dashboard_browser: {done}");
    let exit = browser.wait(deadline.saturating_duration_since(Instant::now()));
    assert!(
        matches!(exit, Some(s) if s.success()),
        "dashboard.mjs ended with {exit:?}; its stderr:\n{}",
        tail(&browser_stderr)
    );
    assert!(done["points"].as_u64().unwrap_or(0) > 0, "{done}");
    assert!(done["episode_drawn"].as_u64().is_some(), "{done}");
    assert_eq!(done["control_state"], "running", "{done}");
    assert!(
        done["eval"].as_str().is_some_and(|t| t.contains("mean")),
        "{done}"
    );
    // A DQN checkpoint holds the network, so it is far from empty.
    assert!(
        done["download_bytes"].as_u64().unwrap_or(0) > 10_000,
        "{done}"
    );

    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|e| panic!("no screenshot at {}: {e}", screenshot.display()));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        screenshot.display()
    );

    run.stop();
    assert!(
        start.elapsed() < OVERALL + Duration::from_secs(90),
        "the test took {:?}",
        start.elapsed()
    );
}

/// A BDI gold-miners run: the page draws the shared world from the run's
/// frames, step after step, while the miners work.
#[test]
fn the_dashboard_draws_a_bdi_world_live_in_a_browser() {
    require_browser_tools();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let artifacts = artifact_dir();
    std::fs::create_dir_all(&artifacts).expect("artifact dir");
    // A world big enough that the miners are still at work when the page
    // looks; the test stops the run.
    let config = dir.path().join("miners.toml");
    std::fs::write(
        &config,
        format!(
            "[run]\nname = \"miners\"\nmax_duration = \"90s\"\n\n[[agents]]\nname = \"miner\"\n\
             kind = \"bdi\"\nreplicas = 4\nprogram = {:?}\nworld = \"gold-miners\"\n\
             world_params = {{ seed = 3, width = 48, height = 48, num_agents = 4, num_gold = 400, \
             num_obstacles = 150, max_steps = 10000000 }}\n",
            repo_file("configs/asl/gold_miner.asl")
        ),
    )
    .expect("write config");
    let run = DashboardRun::start(&data, &config, &[]);

    let mut browser = Command::new("node");
    browser
        .arg(repo_file("tests/browser/world.mjs"))
        .arg(&run.url)
        .arg(&artifacts)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(Stdio::null());
    let seen = run_bounded(browser, Duration::from_secs(120));
    assert!(
        seen.status.success(),
        "world.mjs: {}\nrun stderr:\n{}",
        describe(&seen),
        tail(&run.stderr)
    );
    let seen: serde_json::Value =
        serde_json::from_slice(&seen.stdout).unwrap_or_else(|e| panic!("world.mjs output: {e}"));
    assert!(
        seen["info"]
            .as_str()
            .is_some_and(|info| info.contains("gold-miners") && info.contains("miner-")),
        "{seen}"
    );
    run.stop();
}

/// The page's pure parts (chart scales, series buffer, grid decoders) under `node --test`.
#[test]
fn the_dashboard_pages_pure_parts_pass_their_node_unit_tests() {
    require_node("the dashboard's unit tests");
    let mut command = Command::new("node");
    command
        .arg("--test")
        .arg(repo_file("tests/browser/unit/pure.test.mjs"))
        .current_dir(repo_file(""))
        .stdin(Stdio::null());
    let output = run_bounded(command, Duration::from_secs(60));
    assert!(output.status.success(), "{}", describe(&output));
}

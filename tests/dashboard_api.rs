//! The dashboard's HTTP answers to bad input, end to end: `agora dashboard`
//! over a data dir with a finished run whose events file was torn, asked
//! over plain HTTP/1.1 and a raw WebSocket. Every bad request gets a clear
//! JSON error; nothing it does stops the server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::agora::{agora, describe, repo_file, run_config};

const TOKEN: &str = "dashboard-test-token-0123";

/// A dashboard process and where it listens; killed when dropped.
struct Dashboard {
    child: Child,
    addr: String,
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_dashboard(data: &Path, extra: &[&str]) -> Dashboard {
    let mut args = vec!["dashboard", "--dashboard-port", "0"];
    args.extend_from_slice(extra);
    let mut child = agora(data, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn agora dashboard");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the URL line");
    let url = first
        .trim()
        .strip_prefix("dashboard: http://")
        .unwrap_or_else(|| panic!("first line is not the URL: {first:?}"));
    let addr = url.split('/').next().expect("host:port").to_string();
    Dashboard { child, addr }
}

/// One HTTP/1.1 request; the status code and the body.
fn request(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the dashboard");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// A finished FrozenLake run whose curve files end in garbage and a torn
/// line (train lines) and a torn record (episodes).
fn finished_run(data: &Path) -> (String, usize) {
    let config = tempfile::tempdir().expect("tempdir");
    let path = config.path().join("short-q.toml");
    let text = std::fs::read_to_string(repo_file("configs/frozenlake-q.toml"))
        .expect("config")
        .replace("total_episodes = 10_000", "total_episodes = 600");
    std::fs::write(&path, text).expect("write config");
    let output = run_config(data, &path, Duration::from_secs(120));
    assert!(output.status.success(), "{}", describe(&output));
    let runs = std::fs::read_dir(data.join("runs")).expect("runs folder");
    let run = runs
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .expect("one run folder");
    let folder = data.join("runs").join(&run);
    let episodes = std::fs::read_to_string(folder.join("events.jsonl"))
        .expect("events")
        .lines()
        .filter(|l| l.starts_with(r#"{"event":"episode""#))
        .count();
    // The run kept every episode in its curve files too, one record each.
    let records = std::fs::metadata(folder.join("curves").join("episodes.bin"))
        .expect("curve files of a new run")
        .len();
    assert_eq!((records - 16) % 40, 0, "whole records after the header");
    assert_eq!((records - 16) / 40, episodes as u64);
    let append = |name: &str, bytes: &[u8]| {
        std::fs::OpenOptions::new()
            .append(true)
            .open(folder.join("curves").join(name))
            .and_then(|mut file| file.write_all(bytes))
            .unwrap_or_else(|e| panic!("tear curves/{name}: {e}"));
    };
    append(
        "train.jsonl",
        b"this line is garbage\n{\"event\":\"train\",\"run\":\"to",
    );
    append("episodes.bin", &[1, 2, 3]);
    (run, episodes)
}

#[test]
fn bad_requests_get_clear_answers_and_the_server_keeps_serving() {
    let data = tempfile::tempdir().expect("tempdir");
    let (run, episodes) = finished_run(data.path());
    let dashboard = start_dashboard(
        data.path(),
        &["--dashboard-bind", "0.0.0.0", "--token", TOKEN],
    );
    let addr = dashboard.addr.as_str();
    let get = |path: &str| request(addr, "GET", path, Some(TOKEN), "");
    let post = |path: &str, body: &str| request(addr, "POST", path, Some(TOKEN), body);

    // Off loopback, the token is required and checked.
    let (status, body) = request(addr, "GET", "/api/runs", None, "");
    assert_eq!(status, 401, "{body}");
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap_or("")
            .contains("token"),
        "{body}"
    );
    assert_eq!(
        request(
            addr,
            "GET",
            "/api/runs",
            Some("wrong-token-wrong-token"),
            ""
        )
        .0,
        401
    );
    assert_eq!(
        request(addr, "GET", &format!("/api/runs?token={TOKEN}"), None, "").0,
        200
    );
    // The page itself needs no token (it reads it from its URL).
    assert_eq!(request(addr, "GET", "/", None, "").0, 200);

    let (status, body) = get("/api/runs");
    assert_eq!(status, 200, "{body}");
    let listed = json(&body);
    let first = &listed["runs"][0];
    assert_eq!(
        (first["id"].as_str(), first["status"].as_str()),
        (Some(run.as_str()), Some("completed"))
    );
    assert_eq!(first["kind"], "learner");
    assert_eq!(first["capabilities"]["eval"], true);

    // Torn curve files: the garbage line is counted, the torn line and
    // record wait, every whole episode is there.
    let series_path = format!("/api/runs/{run}/series?width=100");
    let (status, body) = get(&series_path);
    assert_eq!(status, 200, "{body}");
    let series = json(&body);
    assert_eq!(series["bad_lines"], 1, "{body}");
    assert!(
        series["unfinished_bytes"].as_u64().unwrap_or(0) > 3,
        "{body}"
    );
    assert_eq!(
        series["series"]["return"]["count"].as_u64(),
        Some(episodes as u64)
    );
    assert_eq!(
        get(&series_path).1,
        body,
        "the same data gave another answer"
    );
    let numbered = series["series"]["return"]["episode"]
        .as_array()
        .map(Vec::len);
    let columns = series["series"]["return"]["columns"]["x"]
        .as_array()
        .map(Vec::len);
    assert!(
        numbered.is_some(),
        "the return series names its episodes: {body}"
    );
    assert_eq!(numbered, columns, "every column names its episode: {body}");
    for bad in [
        "width=0",
        "width=99999",
        "x=sideways",
        "from=10&to=1",
        "colour=red",
    ] {
        let (status, body) = get(&format!("/api/runs/{run}/series?{bad}"));
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(json(&body)["error"].is_string(), "{bad}: {body}");
    }

    // Controls: unknown run, malformed body, a run that is over.
    let (status, body) = post("/api/runs/no-such-run/control", r#"{"command":"pause"}"#);
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no-such-run"), "{body}");
    let (status, body) = post(&format!("/api/runs/{run}/control"), "{not json");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("control body"), "{body}");
    let (status, body) = post(
        &format!("/api/runs/{run}/control"),
        r#"{"command":"pause"}"#,
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("completed"), "{body}");

    // Checkpoints: a missing one, a bad body, then a real eval.
    let (status, body) = post(&format!("/api/runs/{run}/checkpoints/999/eval"), "");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("999"), "{body}");
    let (status, body) = post(
        &format!("/api/runs/{run}/checkpoints/1/eval"),
        r#"{"episodes": 0}"#,
    );
    assert_eq!(status, 400, "{body}");
    let shown = json(&get(&format!("/api/runs/{run}")).1);
    let sequence = shown["checkpoints"][0]["sequence"]
        .as_u64()
        .expect("a checkpoint");
    let (status, body) = post(
        &format!("/api/runs/{run}/checkpoints/{sequence}/eval"),
        r#"{"episodes": 20}"#,
    );
    assert_eq!(status, 200, "{body}");
    let eval = json(&body);
    assert_eq!(eval["episodes"], 20);
    assert!(eval["success_rate"].as_f64().is_some(), "{body}");
    let (status, bytes) = get(&format!("/api/runs/{run}/checkpoints/{sequence}/download"));
    assert_eq!(status, 200);
    assert!(!bytes.is_empty());

    // Recorded episodes: the list, one of them, and one never kept.
    let (status, body) = get(&format!("/api/runs/{run}/recorded"));
    assert_eq!(status, 200, "{body}");
    let kept = json(&body);
    let first_kept = kept["episodes"][0]["episode"]
        .as_u64()
        .expect("an episode was kept");
    let (status, body) = get(&format!("/api/runs/{run}/episodes/{first_kept}"));
    assert_eq!(status, 200, "{body}");
    let episode = json(&body);
    assert_eq!(episode["type"], "episode");
    assert_eq!(episode["episode"].as_u64(), Some(first_kept));
    assert_eq!(
        episode["steps"].as_array().map(Vec::len),
        episode["length"].as_u64().map(|n| n as usize)
    );
    let (status, body) = get(&format!("/api/runs/{run}/episodes/999999"));
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not recorded"), "{body}");

    // A WebSocket that sends garbage is closed; the server goes on.
    let mut socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        socket,
        "GET /api/runs/{run}/live?token={TOKEN} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .expect("handshake");
    let mut head = [0u8; 4096];
    let read = socket.read(&mut head).expect("handshake answer");
    let answer = String::from_utf8_lossy(&head[..read]);
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    socket.write_all(&[0xff; 64]).expect("garbage");
    let mut rest = Vec::new();
    let _ = socket.read_to_end(&mut rest); // closed by the server, or reset
    assert_eq!(
        get("/api/runs").0,
        200,
        "the server stopped serving after a bad socket"
    );
}

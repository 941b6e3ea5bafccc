//! Human-readable output: the run summary and the registry tables.

use std::fmt::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use agora_runtime::kinds::{ContractNetReport, KindReport, PingerReport};
use agora_runtime::run::RunReport;
use agora_runtime::store::{CheckpointMeta, RunRecord};
use agora_runtime::telemetry::LearnerReport;
use serde_json::Value;

/// The summary `agora run` prints when a run ends.
pub fn run_summary(report: &RunReport) -> String {
    let mut out = String::new();
    let started = report.agents.len();
    let _ = writeln!(
        out,
        "run {} {} in {:.2} s: {}",
        report.run_id,
        report.status.as_str(),
        report.duration.as_secs_f64(),
        report.reason
    );
    let _ = writeln!(out, "broker    {}", report.broker);
    let set_up = match report.startup_seconds {
        Some(s) if s < 1.0 => format!(" (all set up in {:.1} ms)", s * 1000.0),
        Some(s) => format!(" (all set up in {s:.2} s)"),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "agents    {started} started{set_up}, {} restarted, {} failed",
        report.restarts, report.failed
    );
    let t = &report.totals;
    let _ = writeln!(
        out,
        "messages  {} sent, {} received, {} malformed, {} duplicates, {} unmatched",
        t.sent, t.received, t.malformed, t.duplicates, t.unmatched
    );
    for (agent, body) in &report.reports {
        let line = match KindReport::from_json(body) {
            KindReport::Pinger(pinger) => pinger_line(&pinger),
            KindReport::ContractNet(manager) => contract_net_line(&manager),
            KindReport::Learner(learner) => learner_line(&learner),
            KindReport::Other(other) => other.to_string(),
        };
        let _ = writeln!(out, "{agent:<9} {line}");
    }
    let _ = writeln!(out, "store     {}", report.store);
    out
}

fn pinger_line(pinger: &PingerReport) -> String {
    let rtt = &pinger.rtt_us;
    format!(
        "{}/{} answered, {} lost, {:.0} round trips/s (window {}), RTT p50 {} µs, p99 {} µs, max {} µs",
        pinger.answered,
        pinger.count,
        pinger.lost,
        pinger.round_trips_per_s,
        pinger.window,
        rtt.p50,
        rtt.p99,
        rtt.max
    )
}

fn contract_net_line(manager: &ContractNetReport) -> String {
    let mut line = format!(
        "contract net for `{}`: {}/{} awarded",
        manager.task,
        manager.awarded,
        manager.rounds.len()
    );
    if let Some(last) = manager.rounds.last() {
        let (bids, refused) = (last.bids.len(), last.refused.len());
        match (&last.winner, last.winning_bid) {
            (Some(winner), Some(bid)) => {
                let _ = write!(
                    line,
                    "; last to {winner} at {bid} ({bids} bids, {refused} refused)"
                );
            }
            _ => {
                let _ = write!(line, "; last had no bids ({refused} refused)");
            }
        }
    }
    line
}

fn age(at: f64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(at);
    let seconds = (now - at).max(0.0) as u64;
    match seconds {
        0..60 => format!("{seconds}s ago"),
        60..3600 => format!("{}m ago", seconds / 60),
        3600..86_400 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86_400),
    }
}

fn timestamp(at: f64) -> String {
    let time = UNIX_EPOCH + Duration::from_secs_f64(at.max(0.0));
    humantime::format_rfc3339_seconds(time).to_string()
}

/// `agora runs list`.
pub fn runs_table(runs: &[RunRecord]) -> String {
    if runs.is_empty() {
        return "no runs yet\n".to_string();
    }
    let rows: Vec<[String; 7]> = runs
        .iter()
        .map(|run| {
            let d = &run.digest;
            let kind = if d.kind.is_empty() {
                "-".to_string()
            } else {
                d.kind.clone()
            };
            let mut target = if d.target.is_empty() {
                run.name.clone()
            } else {
                d.target.clone()
            };
            if target.chars().count() > 32 {
                target = target.chars().take(31).collect::<String>() + "…";
            }
            let best = d
                .best_mean_return
                .map_or("-".to_string(), |b| format!("{b:.1}"));
            let steps = if d.env_steps == 0 {
                "-".to_string()
            } else {
                d.env_steps.to_string()
            };
            [
                run.id.clone(),
                kind,
                target,
                run.status.as_str().to_string(),
                best,
                steps,
                age(run.started_at),
            ]
        })
        .collect();
    let header = ["ID", "KIND", "TARGET", "STATUS", "BEST", "STEPS", "AGE"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 7]| {
        let [id, kind, target, status, best, steps, age] = cells;
        let _ = writeln!(
            out,
            "{id:<w0$}  {kind:<w1$}  {target:<w2$}  {status:<w3$}  {best:>w4$}  {steps:>w5$}  {age:>w6$}",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
            w5 = widths[5],
            w6 = widths[6]
        );
    };
    line(header);
    for row in &rows {
        line([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6],
        ]);
    }
    out
}

/// `agora runs show RUN`.
/// What a run supports, in words: `pause/resume, stop, visual, ...`.
fn capability_list(c: &agora_runtime::settings::Capabilities) -> String {
    let named = [
        (c.pause, "pause/resume"),
        (c.stop, "stop"),
        (c.visual, "visual"),
        (c.checkpoint, "checkpoint"),
        (c.warm_start, "warm start"),
        (c.eval, "eval"),
        (c.live_beliefs, "live beliefs"),
        (c.live_episodes, "live episodes"),
        (c.live_world, "live world"),
    ];
    let list: Vec<&str> = named
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
    if list.is_empty() {
        "nothing while it runs".to_string()
    } else {
        list.join(", ")
    }
}

pub fn run_detail(run: &RunRecord, checkpoints: &[CheckpointMeta]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "run       {}", run.id);
    let _ = writeln!(out, "name      {}", run.name);
    let _ = writeln!(
        out,
        "status    {}{}",
        run.status.as_str(),
        run.reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "host      {} (pid {})", run.host, run.pid);
    let _ = writeln!(out, "started   {}", timestamp(run.started_at));
    if let Some(ended) = run.ended_at {
        let _ = writeln!(
            out,
            "ended     {} ({:.2} s)",
            timestamp(ended),
            ended - run.started_at
        );
    }
    if let Some(path) = &run.config_path {
        let _ = writeln!(out, "config    {path}");
    }
    if let Some(capabilities) = &run.digest.capabilities {
        let _ = writeln!(out, "supports  {}", capability_list(capabilities));
    }
    if run.digest.telemetry == Some(false) {
        let _ = writeln!(
            out,
            "telemetry off (fast mode: no curves, lifecycle events only)"
        );
    }
    if let Some(agents) = run.summary.get("agents").and_then(Value::as_array) {
        let _ = writeln!(out, "agents");
        for agent in agents {
            let name = agent.get("name").and_then(Value::as_str).unwrap_or("?");
            let state = agent.get("state").and_then(Value::as_str).unwrap_or("?");
            let restarts = agent.get("restarts").and_then(Value::as_u64).unwrap_or(0);
            let received = agent
                .pointer("/stats/received")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let sent = agent
                .pointer("/stats/sent")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let _ = writeln!(
                out,
                "  {name:<20} {state:<10} restarts {restarts:<3} sent {sent:<8} received {received}"
            );
        }
    }
    let bytes: u64 = checkpoints.iter().map(|c| c.size).sum();
    let _ = writeln!(
        out,
        "checkpoints {} ({:.1} MB in the store)",
        checkpoints.len(),
        bytes as f64 / 1e6
    );
    for meta in checkpoints.iter().rev().take(10) {
        let tag = meta
            .tag
            .as_deref()
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default();
        let policy = if meta.policy_only {
            " (policy only)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<20} #{:<6} {:>9} bytes  {}{tag}{policy}",
            meta.agent,
            meta.sequence,
            meta.size,
            timestamp(meta.created_at)
        );
    }
    out
}

/// One line of a learner's progress.
pub fn progress_line(progress: &agora_runtime::learn::Progress) -> String {
    let figure = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    format!(
        "[{}] {} steps, {} episodes, {:.0} steps/s, mean return {}, best {}",
        progress.agent,
        progress.env_steps,
        progress.episodes,
        progress.sps,
        figure(progress.mean_return),
        figure(progress.best_mean_return)
    )
}

fn learner_line(learner: &LearnerReport) -> String {
    let figure = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    format!(
        "{} on {}: {} env steps, {} episodes, {} updates, mean return {} (best {})",
        learner.algorithm,
        learner.env,
        learner.env_steps,
        learner.episodes,
        learner.updates,
        figure(learner.mean_return),
        figure(learner.best_mean_return)
    )
}

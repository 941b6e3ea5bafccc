//! The last phase of a run: agents stopped in order, the report assembled,
//! the run record closed through the store's writer, statuses published,
//! the connection and the embedded broker shut down.

use std::time::{Duration, Instant};

use super::start::{LiveRun, ask};
use super::{RunReport, peak_rss_kib};
use crate::agent::AgentStatsSnapshot;
use crate::store::{CloseStore, RunStatus, UpdateRun};
use crate::supervisor::{ChildState, Report, Shutdown, Supervisor, SupervisorReport};
use crate::telemetry::{LifecycleEvent, LifecycleKind};
use crate::transport::unix_now;

/// Ends a live run that ended with `status` for `reason`.
pub(super) async fn finish(
    live: LiveRun,
    status: RunStatus,
    reason: String,
    started: Instant,
) -> RunReport {
    let supervised = shut_down(&live.supervisor).await;
    let totals = supervised
        .children
        .iter()
        .fold(AgentStatsSnapshot::default(), |mut sum, c| {
            sum += c.stats;
            sum
        });
    let restarts = supervised.children.iter().map(|c| c.restarts).sum();
    let failed = supervised
        .children
        .iter()
        .filter(|c| matches!(c.state, ChildState::Failed(_)))
        .count() as u64;
    let ended = match status {
        RunStatus::Failed => LifecycleKind::RunFailed,
        _ => LifecycleKind::RunCompleted,
    };
    live.telemetry.lifecycle(LifecycleEvent::new(ended, &live.board.run_id).detail(
        serde_json::json!({"status": status.as_str(), "reason": reason, "restarts": restarts, "failed_agents": failed}),
    ));
    let summary = live.telemetry.finish().await;
    let mut report = RunReport {
        run_id: live.board.run_id.clone(),
        name: live.name.clone(),
        status,
        reason,
        duration: started.elapsed(),
        startup_seconds: supervised.startup.map(|d| d.as_secs_f64()),
        peak_rss_kib: peak_rss_kib(),
        broker: live.broker_url.to_string(),
        store: live.store_path.display().to_string(),
        agents: supervised.children,
        totals,
        restarts,
        failed,
        reports: summary.reports,
        transport: live.transport.stats().snapshot(),
        events: summary.counts,
        telemetry_dropped: summary.dropped,
        telemetry_problems: summary.sink_errors,
    };
    record_end(&live, &report).await;
    close_store(&live).await;
    live.board
        .run(&live.transport, status, Some(&report.reason));
    live.board.host(&live.transport, "offline");
    live.transport.shutdown(Duration::from_secs(3)).await;
    report.transport = live.transport.stats().snapshot();
    drop(live.broker_guard);
    report
}

/// Closes the store file cleanly (it needs no repair when next opened).
async fn close_store(live: &LiveRun) {
    match live.writer.send(CloseStore).await {
        Ok(gone) => {
            // Err: the sender dropped, which is what closing means.
            let _ = gone.await;
        }
        Err(_) => tracing::error!("the store's writer was gone before the run closed it"),
    }
}

/// Stops every agent in order and asks the supervisor for its report.
async fn shut_down(supervisor: &actix::Addr<Supervisor>) -> SupervisorReport {
    if supervisor
        .send(Shutdown {
            reason: "run ending".into(),
        })
        .await
        .is_err()
    {
        tracing::error!("supervisor gone before shutdown");
    }
    supervisor.send(Report).await.unwrap_or_else(|_| {
        tracing::error!(
            "supervisor gone before its final report; restarts and failures are not counted"
        );
        SupervisorReport::default()
    })
}

/// Closes the run record: status, end, reason, the summary and the wall
/// time over every session. The learner's figures reached the digest
/// through telemetry already.
async fn record_end(live: &LiveRun, report: &RunReport) {
    let summary = serde_json::to_value(report).unwrap_or_else(|error| {
        // Once per run; the record keeps its status and digest without it.
        tracing::error!(%error, "run summary not stored: it does not serialise");
        serde_json::Value::Null
    });
    let status = report.status;
    let reason = report.reason.clone();
    let wall_seconds = live.earlier.wall_seconds + report.duration.as_secs_f64();
    let closed = ask(
        &live.writer,
        UpdateRun {
            run: live.board.run_id.clone(),
            change: Box::new(move |r| {
                r.status = status;
                r.ended_at = Some(unix_now());
                r.reason = Some(reason);
                r.summary = summary;
                r.digest.wall_seconds = wall_seconds;
            }),
        },
    )
    .await;
    match closed {
        Ok(Ok(_)) => {}
        Ok(Err(error)) | Err(error) => tracing::error!(%error, "run record not updated"),
    }
}

//! Waiting for a run to end: its supervised work done, a request on its
//! end switch, a stop signal, or its time limit.

use std::time::Duration;

use tokio::sync::oneshot;

use crate::agent::RunSwitch;
use crate::store::RunStatus;
use crate::supervisor::SupervisionOutcome;

/// Waits for the first of the ways a run ends; answers how and why.
pub(super) async fn wait_for_end(
    outcome: oneshot::Receiver<SupervisionOutcome>,
    switch: &RunSwitch,
    limit: Option<Duration>,
) -> (RunStatus, String) {
    let time_limit = async {
        match limit {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        outcome = outcome => match outcome {
            Ok(SupervisionOutcome::AllTasksDone) => (RunStatus::Completed, "all agents finished".to_string()),
            Ok(SupervisionOutcome::AgentFailed { agent, reason }) => (RunStatus::Failed, format!("agent {agent} failed: {reason}")),
            Ok(SupervisionOutcome::NotReady(reason)) => (RunStatus::Failed, format!("not ready: {reason}")),
            Err(_) => (RunStatus::Failed, "the supervisor ended unexpectedly".to_string()),
        },
        outcome = switch.ended() => outcome,
        signal = stop_signal() => (RunStatus::Stopped, format!("stopped by {signal}")),
        // Stopped, not completed: the agents had not finished, and the run
        // can be resumed.
        () = time_limit => (RunStatus::Stopped, "max_duration reached".to_string()),
    }
}

/// Resolves on Ctrl-C or SIGTERM with the signal's name.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

//! The run's end switch: agents (`.stopMAS`), failing learners and control
//! commands ask for the whole run to end; the run driver waits on it.

use std::sync::Mutex;

use tokio::sync::Notify;

use crate::store::RunStatus;

/// Asks a run to end. Cheap to share; the first request wins.
#[derive(Debug, Default)]
pub struct RunSwitch {
    outcome: Mutex<Option<(RunStatus, String)>>,
    flipped: Notify,
}

impl RunSwitch {
    fn flip(&self, status: RunStatus, reason: String) {
        let mut slot = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some((status, reason));
        }
        self.flipped.notify_waiters();
    }

    /// The run's work is done (Jason's `.stopMAS`): it completes.
    pub fn finish(&self, reason: impl Into<String>) {
        self.flip(RunStatus::Completed, reason.into());
    }

    /// Something failed that a restart cannot mend: the run fails.
    pub fn fail(&self, reason: impl Into<String>) {
        self.flip(RunStatus::Failed, reason.into());
    }

    /// The user stopped the run before it finished; it can be resumed.
    pub fn stop(&self, reason: impl Into<String>) {
        self.flip(RunStatus::Stopped, reason.into());
    }

    /// How and why the run was asked to end, once it was.
    pub fn outcome(&self) -> Option<(RunStatus, String)> {
        self.outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits until someone asks the run to end.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ended(&self) -> (RunStatus, String) {
        loop {
            let flipped = self.flipped.notified();
            if let Some(outcome) = self.outcome() {
                return outcome;
            }
            flipped.await;
        }
    }
}

//! The run's stop switch: agents (`.stopMAS`) and control commands ask for
//! the whole run to end; the run driver waits on it.

use std::sync::Mutex;

use tokio::sync::Notify;

/// Asks a run to end. Cheap to share; the first reason wins.
#[derive(Debug, Default)]
pub struct RunSwitch {
    failed: std::sync::atomic::AtomicBool,
    reason: Mutex<Option<String>>,
    flipped: Notify,
}

impl RunSwitch {
    /// Asks the run to end, for `reason`.
    pub fn stop(&self, reason: impl Into<String>) {
        let mut slot = self.reason.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(reason.into());
        }
        self.flipped.notify_waiters();
    }

    /// Asks the run to end as failed, for `reason`.
    pub fn fail(&self, reason: impl Into<String>) {
        self.failed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.stop(reason);
    }

    /// Whether the run was asked to end as failed.
    pub fn failed(&self) -> bool {
        self.failed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The reason, once asked.
    pub fn reason(&self) -> Option<String> {
        self.reason
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits until someone asks the run to end; returns why.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn stopped(&self) -> String {
        loop {
            let flipped = self.flipped.notified();
            if let Some(reason) = self.reason() {
                return reason;
            }
            flipped.await;
        }
    }
}

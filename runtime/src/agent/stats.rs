//! Message counters of one agent, kept across its restarts.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Live counters of one agent.
#[derive(Debug, Default)]
pub struct AgentStats {
    pub(crate) received: AtomicU64,
    pub(crate) sent: AtomicU64,
    pub(crate) send_failures: AtomicU64,
    pub(crate) malformed: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) unmatched: AtomicU64,
    pub(crate) inbox_overflow: AtomicU64,
    pub(crate) telemetry_dropped: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgentStatsSnapshot {
    /// Envelopes delivered to behaviours (after dedup).
    pub received: u64,
    /// Envelopes sent.
    pub sent: u64,
    /// Sends refused (outbox full, connection closed).
    pub send_failures: u64,
    /// Payloads on its inbox that were not envelopes.
    pub malformed: u64,
    /// Envelopes dropped as duplicates.
    pub duplicates: u64,
    /// Envelopes no behaviour's template matched.
    pub unmatched: u64,
    /// Messages dropped because its inbound queue was full (`mailbox`).
    pub inbox_overflow: u64,
    /// Telemetry of its own (a BDI agent's beliefs and intentions) not
    /// published: the outbox was full or the connection closed.
    pub telemetry_dropped: u64,
}

impl AgentStats {
    /// Reads every counter.
    pub fn snapshot(&self) -> AgentStatsSnapshot {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        AgentStatsSnapshot {
            received: read(&self.received),
            sent: read(&self.sent),
            send_failures: read(&self.send_failures),
            malformed: read(&self.malformed),
            duplicates: read(&self.duplicates),
            unmatched: read(&self.unmatched),
            inbox_overflow: read(&self.inbox_overflow),
            telemetry_dropped: read(&self.telemetry_dropped),
        }
    }
}

impl std::ops::AddAssign for AgentStatsSnapshot {
    fn add_assign(&mut self, other: Self) {
        self.received += other.received;
        self.sent += other.sent;
        self.send_failures += other.send_failures;
        self.malformed += other.malformed;
        self.duplicates += other.duplicates;
        self.unmatched += other.unmatched;
        self.inbox_overflow += other.inbox_overflow;
        self.telemetry_dropped += other.telemetry_dropped;
    }
}

impl AgentStats {
    /// Counts a telemetry message of the agent that was not published;
    /// true for the first one, which the caller logs (once per agent).
    pub(crate) fn telemetry_not_published(&self) -> bool {
        self.telemetry_dropped.fetch_add(1, Ordering::Relaxed) == 0
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

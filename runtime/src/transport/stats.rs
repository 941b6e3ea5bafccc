//! Counters of one MQTT connection, readable while it runs.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Live counters of a [`Transport`](super::Transport).
#[derive(Debug, Default)]
pub struct TransportStats {
    pub(crate) published: AtomicU64,
    pub(crate) outbox_full: AtomicU64,
    pub(crate) too_large: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) unrouted: AtomicU64,
    pub(crate) inbox_full: AtomicU64,
    pub(crate) undeliverable: AtomicU64,
    pub(crate) reconnects: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TransportStatsSnapshot {
    /// Publishes handed to the connection.
    pub published: u64,
    /// Publishes refused because the outbox was full.
    pub outbox_full: u64,
    /// Publishes refused before sending: over the packet size limit.
    pub too_large: u64,
    /// Publishes received from the broker.
    pub received: u64,
    /// Received on a topic nobody consumes.
    pub unrouted: u64,
    /// Dropped because the consumer's queue was full.
    pub inbox_full: u64,
    /// Dropped because the consumer was gone.
    pub undeliverable: u64,
    /// Times the connection was lost and re-established.
    pub reconnects: u64,
}

impl TransportStats {
    /// Reads every counter.
    pub fn snapshot(&self) -> TransportStatsSnapshot {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        TransportStatsSnapshot {
            published: read(&self.published),
            outbox_full: read(&self.outbox_full),
            too_large: read(&self.too_large),
            received: read(&self.received),
            unrouted: read(&self.unrouted),
            inbox_full: read(&self.inbox_full),
            undeliverable: read(&self.undeliverable),
            reconnects: read(&self.reconnects),
        }
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

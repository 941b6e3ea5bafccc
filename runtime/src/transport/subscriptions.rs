//! Bookkeeping that turns "the broker has acknowledged this subscription"
//! into something a caller can wait for.
//!
//! Every SUBSCRIBE packet leaves through one flusher task, so packets leave in
//! the order their batch numbers were given out. The event loop sees each one
//! go out (with its packet id) and come back acknowledged; the highest
//! acknowledged batch number is published on a watch channel. After a
//! reconnect every filter is subscribed again in a new, higher batch, which
//! also settles every batch that was lost with the old connection.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use rumqttc::SubscribeFilter;
use tokio::sync::watch;

/// Subscriptions waiting to be sent and sent ones waiting for their ack.
#[derive(Debug, Default)]
pub(crate) struct SubscriptionLedger {
    /// The batch that filters subscribed now will belong to.
    open_batch: u64,
    /// Filters of the open batch, not yet handed to the client.
    queued: Vec<SubscribeFilter>,
    /// Set when the connection came back: resend every route.
    resubscribe_all: bool,
    /// Batches handed to the client, in order, not yet seen leaving.
    handed_over: VecDeque<u64>,
    /// Packet id → batch of packets that left and wait for their SUBACK.
    in_flight: HashMap<u16, u64>,
}

/// One batch to send: its number and its filters.
pub(crate) struct Batch {
    pub(crate) number: u64,
    pub(crate) filters: Vec<SubscribeFilter>,
    pub(crate) all_routes: bool,
}

impl SubscriptionLedger {
    /// Queues a filter and returns the batch number to wait for.
    pub(crate) fn queue(&mut self, filter: SubscribeFilter) -> u64 {
        self.queued.push(filter);
        self.open_batch + 1
    }

    /// Marks that every route must be subscribed again and returns the batch
    /// number that will carry them.
    pub(crate) fn queue_resubscribe_all(&mut self) -> u64 {
        self.resubscribe_all = true;
        self.in_flight.clear();
        self.open_batch + 1
    }

    /// Closes the open batch if it has work. `all_routes` in the result asks
    /// the caller to add every route's filter.
    pub(crate) fn take_batch(&mut self) -> Option<Batch> {
        if self.queued.is_empty() && !self.resubscribe_all {
            return None;
        }
        self.open_batch += 1;
        let all_routes = std::mem::take(&mut self.resubscribe_all);
        Some(Batch {
            number: self.open_batch,
            filters: std::mem::take(&mut self.queued),
            all_routes,
        })
    }

    /// Records that one packet of `batch` is being handed to the client.
    pub(crate) fn handing_over(&mut self, batch: u64) {
        self.handed_over.push_back(batch);
    }

    /// The event loop saw a SUBSCRIBE leave with `pkid`.
    pub(crate) fn left(&mut self, pkid: u16) {
        if let Some(batch) = self.handed_over.pop_front() {
            self.in_flight.insert(pkid, batch);
        }
    }

    /// The broker acknowledged `pkid`; returns its batch.
    pub(crate) fn acknowledged(&mut self, pkid: u16) -> Option<u64> {
        self.in_flight.remove(&pkid)
    }
}

/// Resolves when the broker has acknowledged a subscription.
#[derive(Debug)]
pub struct SubscribeTicket {
    pub(crate) batch: u64,
    pub(crate) acked: watch::Receiver<u64>,
}

/// The broker did not acknowledge a subscription in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the broker did not acknowledge the subscription within {0:?}")]
pub struct SubscribeTimeout(pub Duration);

impl SubscribeTicket {
    /// Waits until the broker has acknowledged the subscription.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future leaves the subscription in place.
    pub async fn acknowledged(mut self, timeout: Duration) -> Result<(), SubscribeTimeout> {
        let batch = self.batch;
        tokio::time::timeout(timeout, self.acked.wait_for(|acked| *acked >= batch))
            .await
            .map_err(|_| SubscribeTimeout(timeout))?
            .map(|_| ())
            .map_err(|_| SubscribeTimeout(timeout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::QoS;

    fn filter(path: &str) -> SubscribeFilter {
        SubscribeFilter::new(path.to_string(), QoS::AtLeastOnce)
    }

    #[test]
    fn batches_are_acknowledged_by_packet_id_in_the_order_they_left() {
        let mut ledger = SubscriptionLedger::default();
        let first = ledger.queue(filter("a"));
        assert_eq!(ledger.queue(filter("b")), first, "same open batch");
        let batch = ledger.take_batch().expect("work queued");
        assert_eq!(batch.number, first);
        assert_eq!(batch.filters.len(), 2);
        let second = ledger.queue(filter("c"));
        assert!(second > first);

        ledger.handing_over(batch.number);
        ledger.left(7);
        assert_eq!(ledger.acknowledged(7), Some(first));
        assert_eq!(ledger.acknowledged(7), None);
    }

    #[test]
    fn reconnect_forgets_packets_in_flight_and_resends_everything_in_a_later_batch() {
        let mut ledger = SubscriptionLedger::default();
        let lost = ledger.queue(filter("a"));
        let batch = ledger.take_batch().expect("work");
        ledger.handing_over(batch.number);
        ledger.left(1);

        let again = ledger.queue_resubscribe_all();
        assert!(again > lost, "the resend settles the lost batch");
        assert_eq!(
            ledger.acknowledged(1),
            None,
            "old packet ids mean nothing now"
        );
        let batch = ledger.take_batch().expect("resubscribe");
        assert!(batch.all_routes);
        assert_eq!(batch.number, again);
    }
}

//! Duplicate suppression for QoS 1 deliveries.
//!
//! QoS 1 is at-least-once and brokers resend after reconnects, so a receiver
//! remembers the last few thousand (sender, id) pairs it has seen.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};

/// Remembers the most recent `capacity` message keys.
///
/// Memory is bounded: the oldest key is forgotten when a new one arrives at
/// capacity, so a duplicate older than the window is let through.
#[derive(Debug)]
pub struct DedupWindow {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
    capacity: usize,
}

impl DedupWindow {
    /// A window over the last `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Records the message and says whether it is new. Messages without an id
    /// are always new.
    pub fn first_sighting(&mut self, sender: &str, id: &str) -> bool {
        if id.is_empty() {
            return true;
        }
        let mut hasher = DefaultHasher::new();
        (sender, id).hash(&mut hasher);
        let key = hasher.finish();
        if !self.seen.insert(key) {
            return false;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
        self.order.push_back(key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_sighting_of_the_same_sender_and_id_is_a_duplicate() {
        let mut window = DedupWindow::new(8);
        assert!(window.first_sighting("a", "1"));
        assert!(!window.first_sighting("a", "1"));
        assert!(
            window.first_sighting("b", "1"),
            "same id from another sender is new"
        );
        assert!(window.first_sighting("a", ""));
        assert!(window.first_sighting("a", ""), "no id, never a duplicate");
    }

    #[test]
    fn window_forgets_the_oldest_beyond_capacity() {
        let mut window = DedupWindow::new(2);
        assert!(window.first_sighting("a", "1"));
        assert!(window.first_sighting("a", "2"));
        assert!(window.first_sighting("a", "3"));
        assert!(window.first_sighting("a", "1"), "forgotten");
        assert!(!window.first_sighting("a", "3"));
    }
}

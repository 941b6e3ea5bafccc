//! Restart intensity: at most N restarts within T, then give up.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The restarts of one agent within a sliding window.
#[derive(Debug, Clone)]
pub struct RestartWindow {
    max_restarts: u32,
    within: Duration,
    recent: VecDeque<Instant>,
}

impl RestartWindow {
    /// Allows `max_restarts` restarts within any `within`.
    pub fn new(max_restarts: u32, within: Duration) -> Self {
        Self {
            max_restarts,
            within,
            recent: VecDeque::new(),
        }
    }

    /// Records a restart at `now` if the intensity allows it; `false` means
    /// the limit is reached and the agent should be marked failed.
    pub fn try_restart(&mut self, now: Instant) -> bool {
        while let Some(&oldest) = self.recent.front() {
            if now.duration_since(oldest) >= self.within {
                self.recent.pop_front();
            } else {
                break;
            }
        }
        if self.recent.len() >= self.max_restarts as usize {
            return false;
        }
        self.recent.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_n_restarts_in_the_window_then_refuses() {
        let start = Instant::now();
        let mut window = RestartWindow::new(2, Duration::from_secs(10));
        assert!(window.try_restart(start));
        assert!(window.try_restart(start + Duration::from_secs(1)));
        assert!(!window.try_restart(start + Duration::from_secs(2)));
    }

    #[test]
    fn old_restarts_leave_the_window() {
        let start = Instant::now();
        let mut window = RestartWindow::new(1, Duration::from_secs(10));
        assert!(window.try_restart(start));
        assert!(!window.try_restart(start + Duration::from_secs(9)));
        assert!(window.try_restart(start + Duration::from_secs(11)));
    }

    #[test]
    fn zero_restarts_means_fail_at_once() {
        assert!(!RestartWindow::new(0, Duration::from_secs(1)).try_restart(Instant::now()));
    }
}

//! Epsilon-greedy exploration and its schedules.
//!
//! * [`linear_schedule`]: CleanRL's `linear_schedule(start_e, end_e,
//!   duration, t)`: from `start` down to `end` over `duration` steps, then
//!   `end`.
//! * Exponential decay per episode (`epsilon = max(min, start * decay^k)`)
//!   is what the tabular learners use; it is one line in
//!   [`q_table`](crate::learners::q_table).
//!
//! [`EpsilonGreedy::choose`] draws once: with probability `epsilon` a
//! uniform action, else the greedy one (first maximum on ties, as numpy's
//! `argmax`).

use crate::Rng;

/// CleanRL's linear schedule; see the module doc.
pub fn linear_schedule(start: f64, end: f64, duration: f64, t: f64) -> f64 {
    if duration <= 0.0 {
        return end;
    }
    let slope = (end - start) / duration;
    // max() is right for a decreasing schedule, as CleanRL writes it.
    (slope * t + start).max(end)
}

/// Epsilon-greedy selection over action values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpsilonGreedy {
    /// Probability of a uniform random action.
    pub epsilon: f64,
}

impl EpsilonGreedy {
    /// The action for one row of action values.
    #[inline]
    pub fn choose(&self, values: &[f32], rng: &mut Rng) -> i64 {
        if rng.next_f64() < self.epsilon {
            rng.below(values.len() as u64) as i64
        } else {
            greedy(values)
        }
    }
}

/// The index of the largest value, the first one on ties.
#[inline]
pub fn greedy(values: &[f32]) -> i64 {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate().skip(1) {
        if v > values[best] {
            best = i;
        }
    }
    best as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_schedule_matches_cleanrl() {
        // start 1.0, end 0.05 over 250_000 steps.
        assert_eq!(linear_schedule(1.0, 0.05, 250_000.0, 0.0), 1.0);
        assert!((linear_schedule(1.0, 0.05, 250_000.0, 125_000.0) - 0.525).abs() < 1e-12);
        assert_eq!(linear_schedule(1.0, 0.05, 250_000.0, 300_000.0), 0.05);
        assert_eq!(linear_schedule(1.0, 0.05, 0.0, 0.0), 0.05);
    }

    #[test]
    fn greedy_takes_the_first_maximum() {
        assert_eq!(greedy(&[0.0, 0.0, 0.0, 0.0]), 0);
        assert_eq!(greedy(&[0.0, 2.0, 1.0, 2.0]), 1);
    }

    #[test]
    fn epsilon_controls_the_random_share() {
        let mut rng = Rng::seed_from_u64(3);
        let q = [0.0f32, 1.0];
        let p = EpsilonGreedy { epsilon: 0.2 };
        let zeros = (0..20_000).filter(|_| p.choose(&q, &mut rng) == 0).count();
        // Action 0 only when random and the coin picks it: 10%.
        assert!((zeros as f64 / 20_000.0 - 0.1).abs() < 0.01, "{zeros}");
        let never = EpsilonGreedy { epsilon: 0.0 };
        assert!((0..100).all(|_| never.choose(&q, &mut rng) == 1));
    }
}

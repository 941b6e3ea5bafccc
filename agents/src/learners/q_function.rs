//! A tabular action-value function with the Q-learning update, for hosts
//! that step the environment themselves one transition at a time (a BDI
//! agent through custom actions) rather than through a [`Trainer`](super::Trainer).

use serde::{Deserialize, Serialize};

use crate::Rng;

/// Q(s, a) for `n_states` × `n_actions`, learning rate and discount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QFunction {
    q: Vec<f64>,
    n_actions: usize,
    /// Learning rate (alpha).
    pub learning_rate: f64,
    /// Discount (gamma).
    pub gamma: f64,
}

impl QFunction {
    /// All zeros.
    pub fn new(n_states: usize, n_actions: usize, learning_rate: f64, gamma: f64) -> Self {
        Self {
            q: vec![0.0; n_states * n_actions.max(1)],
            n_actions: n_actions.max(1),
            learning_rate,
            gamma,
        }
    }

    /// Number of states.
    pub fn n_states(&self) -> usize {
        self.q.len() / self.n_actions
    }

    /// Number of actions.
    pub fn n_actions(&self) -> usize {
        self.n_actions
    }

    /// The values of state `s`, or `None` outside the table.
    pub fn values(&self, s: usize) -> Option<&[f64]> {
        self.q.get(s * self.n_actions..(s + 1) * self.n_actions)
    }

    /// The best action in `s` (the first on ties, as numpy's argmax).
    pub fn greedy(&self, s: usize) -> Option<usize> {
        let values = self.values(s)?;
        let mut best = 0;
        for (a, v) in values.iter().enumerate() {
            if *v > values[best] {
                best = a;
            }
        }
        Some(best)
    }

    /// A random action with probability `epsilon`, else the greedy one.
    pub fn epsilon_greedy(&self, s: usize, epsilon: f64, rng: &mut Rng) -> Option<usize> {
        if rng.next_f64() < epsilon {
            self.values(s)?;
            return Some(rng.below(self.n_actions as u64) as usize);
        }
        self.greedy(s)
    }

    /// Q(s,a) += alpha · (r + gamma · max Q(s') − Q(s,a)); no bootstrap from
    /// a terminal `s'`. Returns `None` (and changes nothing) outside the
    /// table or when the result would not be finite.
    pub fn update(
        &mut self,
        s: usize,
        a: usize,
        reward: f64,
        next: usize,
        terminal: bool,
    ) -> Option<f64> {
        if a >= self.n_actions {
            return None;
        }
        let future = if terminal {
            0.0
        } else {
            self.values(next)?
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let index = s * self.n_actions + a;
        let current = *self.q.get(index)?;
        let updated = current + self.learning_rate * (reward + self.gamma * future - current);
        if !updated.is_finite() {
            return None;
        }
        self.q[index] = updated;
        Some(updated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_follows_the_q_learning_rule() {
        let mut q = QFunction::new(3, 2, 0.5, 0.9);
        assert_eq!(q.update(1, 1, 1.0, 2, true), Some(0.5)); // 0 + 0.5·(1 − 0)
        assert_eq!(q.update(0, 0, 0.0, 1, false), Some(0.5 * 0.9 * 0.5)); // bootstraps max Q(1) = 0.5
        assert_eq!(q.greedy(1), Some(1));
        assert_eq!(q.greedy(2), Some(0), "ties go to the first action");
        assert_eq!(q.update(5, 0, 1.0, 0, true), None, "outside the table");
        assert_eq!(q.update(0, 9, 1.0, 0, true), None, "no such action");
        assert_eq!(q.update(0, 0, f64::NAN, 0, true), None, "not finite");
    }

    #[test]
    fn epsilon_one_explores_and_zero_exploits() {
        let mut q = QFunction::new(1, 4, 0.1, 0.9);
        q.update(0, 3, 1.0, 0, true);
        let mut rng = Rng::seed_from_u64(3);
        assert!((0..20).all(|_| q.epsilon_greedy(0, 0.0, &mut rng) == Some(3)));
        let explored: std::collections::HashSet<usize> = (0..200)
            .filter_map(|_| q.epsilon_greedy(0, 1.0, &mut rng))
            .collect();
        assert_eq!(explored.len(), 4);
    }
}

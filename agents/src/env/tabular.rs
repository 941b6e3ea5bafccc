//! Transition tables `P[s][a]` for the toy-text environments.
//!
//! FrozenLake, Taxi and CliffWalking are, as in Gymnasium, finite MDPs given
//! by a table of `(probability, next_state, reward, terminated)` lists. A
//! [`TabularModel`] stores that table flat (one `Vec` plus offsets) so a step
//! is an index computation, one uniform draw and a scan over at most a few
//! entries. Environments share one model between copies through an `Arc`,
//! so a 256-env batch keeps one table in cache.
//!
//! Sampling follows `gymnasium.envs.toy_text.utils.categorical_sample`:
//! the first entry whose running probability sum exceeds `u ~ U[0, 1)`; when
//! none does (rounding left the sum just under 1), the first entry, which is
//! what numpy's `argmax` of an all-false array returns (for the start
//! distribution, which lists every state, that is state 0).

use serde::{Deserialize, Serialize};

/// One outcome of taking an action in a state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// Probability of this outcome.
    pub prob: f64,
    /// The state reached.
    pub next_state: u32,
    /// The reward received.
    pub reward: f64,
    /// Whether the state reached ends the episode.
    pub terminated: bool,
}

/// A finite MDP: transition lists per `(state, action)` and a start distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct TabularModel {
    n_states: u32,
    n_actions: u32,
    /// `offsets[s * n_actions + a] .. offsets[s * n_actions + a + 1]` indexes `entries`.
    offsets: Vec<u32>,
    entries: Vec<Transition>,
    /// Start states with non-zero probability and their running sum.
    initial: Vec<(u32, f64)>,
}

impl TabularModel {
    /// Builds a model by asking `outcomes(s, a)` for every state and action,
    /// in state-major order, and `initial` for the start distribution
    /// (`(state, weight)` pairs; weights are normalised).
    pub fn build(
        n_states: u32,
        n_actions: u32,
        initial: &[(u32, f64)],
        mut outcomes: impl FnMut(u32, u32, &mut Vec<Transition>),
    ) -> Self {
        let mut offsets = Vec::with_capacity((n_states * n_actions + 1) as usize);
        let mut entries = Vec::new();
        offsets.push(0);
        for s in 0..n_states {
            for a in 0..n_actions {
                outcomes(s, a, &mut entries);
                offsets.push(entries.len() as u32);
            }
        }
        // Normalise like numpy (`distrib /= distrib.sum()`), then keep the
        // running sum for sampling.
        let total: f64 = initial.iter().map(|&(_, w)| w).sum();
        let mut acc = 0.0;
        let initial = initial
            .iter()
            .filter(|&&(_, w)| w > 0.0)
            .map(|&(s, w)| {
                acc += w / total;
                (s, acc)
            })
            .collect();
        Self {
            n_states,
            n_actions,
            offsets,
            entries,
            initial,
        }
    }

    /// Number of states.
    pub fn n_states(&self) -> u32 {
        self.n_states
    }

    /// Number of actions.
    pub fn n_actions(&self) -> u32 {
        self.n_actions
    }

    /// `P[s][a]`. Both indices must be in range.
    #[inline]
    pub fn outcomes(&self, s: u32, a: u32) -> &[Transition] {
        let i = (s * self.n_actions + a) as usize;
        &self.entries[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// The outcome selected by the uniform draw `u` (see the module doc).
    #[inline]
    pub fn sample(&self, s: u32, a: u32, u: f64) -> &Transition {
        let outs = self.outcomes(s, a);
        let mut acc = 0.0;
        for t in outs {
            acc += t.prob;
            if acc > u {
                return t;
            }
        }
        &outs[0]
    }

    /// The start state selected by the uniform draw `u`.
    #[inline]
    pub fn sample_initial(&self, u: f64) -> u32 {
        let i = self.initial.partition_point(|&(_, c)| c <= u);
        self.initial.get(i).map_or(0, |&(s, _)| s)
    }

    /// The start distribution as `(state, probability)` pairs.
    pub fn initial_distribution(&self) -> Vec<(u32, f64)> {
        let mut prev = 0.0;
        self.initial
            .iter()
            .map(|&(s, c)| {
                let p = c - prev;
                prev = c;
                (s, p)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coin() -> TabularModel {
        TabularModel::build(2, 1, &[(0, 1.0)], |s, _, out| {
            out.push(Transition {
                prob: 0.5,
                next_state: s,
                reward: 0.0,
                terminated: false,
            });
            out.push(Transition {
                prob: 0.5,
                next_state: 1 - s,
                reward: 1.0,
                terminated: true,
            });
        })
    }

    #[test]
    fn sampling_picks_by_running_sum() {
        let m = coin();
        assert_eq!(m.sample(0, 0, 0.2).next_state, 0);
        assert_eq!(m.sample(0, 0, 0.7).next_state, 1);
        assert_eq!(m.outcomes(1, 0).len(), 2);
    }

    #[test]
    fn a_draw_past_a_short_sum_falls_back_to_the_first_entry() {
        let m = TabularModel::build(1, 1, &[(0, 1.0)], |_, _, out| {
            out.push(Transition {
                prob: 0.25,
                next_state: 7,
                reward: 0.0,
                terminated: false,
            });
            out.push(Transition {
                prob: 0.5,
                next_state: 8,
                reward: 0.0,
                terminated: false,
            });
        });
        assert_eq!(m.sample(0, 0, 0.9).next_state, 7);
    }

    #[test]
    fn initial_distribution_is_normalised() {
        let m = TabularModel::build(4, 1, &[(1, 2.0), (3, 2.0), (2, 0.0)], |_, _, _| {});
        assert_eq!(m.initial_distribution(), vec![(1, 0.5), (3, 0.5)]);
        assert_eq!(m.sample_initial(0.1), 1);
        assert_eq!(m.sample_initial(0.6), 3);
    }
}

//! Observation and action spaces, as in `gymnasium.spaces`.
//!
//! Only the three spaces Agora's environments and learners need: `Discrete`,
//! `Box` (f32) and `MultiDiscrete`. A space knows how many `f32` values one
//! of its elements takes in a flat observation buffer ([`Space::flat_dim`]),
//! whether an action belongs to it ([`Space::contains`]) and how to draw a
//! uniform random element ([`Space::sample_into`], from Agora's [`Rng`];
//! [`SpaceSampler`](crate::SpaceSampler) draws Gymnasium's samples for a
//! seed instead).
//!
//! Observations are always written as `f32`. A `Discrete` observation (the
//! tabular envs' state index) is one `f32` holding the index, exact for
//! indices below 2^24; learners that want a one-hot vector build it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::rng::Rng;

/// A set of observations or actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Space {
    /// The integers `0..n`.
    Discrete {
        /// Number of elements.
        n: u64,
    },
    /// A box of `f32` vectors with per-component bounds (`±inf` allowed).
    Box {
        /// Lower bounds, one per component.
        low: Vec<f32>,
        /// Upper bounds, one per component.
        high: Vec<f32>,
    },
    /// Several independent discrete components, component `i` in `0..nvec[i]`.
    MultiDiscrete {
        /// The number of values of each component.
        nvec: Vec<u64>,
    },
}

impl Space {
    /// Number of `f32` values an element takes in a flat buffer.
    pub fn flat_dim(&self) -> usize {
        match self {
            Space::Discrete { .. } => 1,
            Space::Box { low, .. } => low.len(),
            Space::MultiDiscrete { nvec } => nvec.len(),
        }
    }

    /// The number of elements of a `Discrete` space, `None` for the others.
    pub fn n(&self) -> Option<u64> {
        match self {
            Space::Discrete { n } => Some(*n),
            _ => None,
        }
    }

    /// Whether `action` is an element of this space.
    ///
    /// A `Box` action must have the box's dimension, be finite, and lie
    /// within the bounds.
    #[inline]
    pub fn contains(&self, action: Action<'_>) -> bool {
        match (self, action) {
            (Space::Discrete { n }, Action::Discrete(a)) => a >= 0 && (a as u64) < *n,
            (Space::Box { low, high }, Action::Box(v)) => {
                v.len() == low.len()
                    && v.iter()
                        .zip(low.iter().zip(high))
                        .all(|(x, (lo, hi))| x.is_finite() && lo <= x && x <= hi)
            }
            (Space::MultiDiscrete { nvec }, Action::MultiDiscrete(v)) => {
                v.len() == nvec.len() && v.iter().zip(nvec).all(|(&a, &n)| a >= 0 && (a as u64) < n)
            }
            _ => false,
        }
    }

    /// Returns an [`EnvError::InvalidAction`](crate::EnvError::InvalidAction)
    /// unless `action` is in the space.
    #[inline]
    pub fn check(&self, action: Action<'_>) -> Result<(), crate::EnvError> {
        if self.contains(action) {
            Ok(())
        } else {
            Err(crate::EnvError::InvalidAction {
                action: action.to_string(),
                space: self.to_string(),
            })
        }
    }

    /// Writes one uniformly drawn element into `out` (length
    /// [`flat_dim`](Space::flat_dim)), as `f32` values.
    ///
    /// For `Box`, components with an infinite bound are drawn from a standard
    /// normal (one-sided infinite: exponential), as Gymnasium does.
    ///
    /// # Panics
    ///
    /// If `out` is shorter than `flat_dim()`.
    pub fn sample_into(&self, rng: &mut Rng, out: &mut [f32]) {
        match self {
            Space::Discrete { n } => out[0] = rng.below(*n) as f32,
            Space::MultiDiscrete { nvec } => {
                for (o, &n) in out.iter_mut().zip(nvec) {
                    *o = rng.below(n) as f32;
                }
            }
            Space::Box { low, high } => {
                for (o, (&lo, &hi)) in out.iter_mut().zip(low.iter().zip(high)) {
                    *o = match (lo.is_finite(), hi.is_finite()) {
                        (true, true) => rng.uniform(f64::from(lo), f64::from(hi)) as f32,
                        (true, false) => lo + exponential(rng) as f32,
                        (false, true) => hi - exponential(rng) as f32,
                        (false, false) => normal(rng) as f32,
                    };
                }
            }
        }
    }
}

/// Standard exponential draw by inversion.
fn exponential(rng: &mut Rng) -> f64 {
    -(1.0 - rng.next_f64()).ln()
}

/// Standard normal draw (Box–Muller, one of the pair).
fn normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - rng.next_f64();
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl fmt::Display for Space {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Space::Discrete { n } => write!(f, "Discrete({n})"),
            Space::Box { low, high } => write!(f, "Box({low:?}, {high:?})"),
            Space::MultiDiscrete { nvec } => write!(f, "MultiDiscrete({nvec:?})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_contains_exactly_zero_to_n_minus_one() {
        let s = Space::Discrete { n: 3 };
        assert!(s.contains(Action::Discrete(0)));
        assert!(s.contains(Action::Discrete(2)));
        assert!(!s.contains(Action::Discrete(3)));
        assert!(!s.contains(Action::Discrete(-1)));
        assert!(!s.contains(Action::Box(&[0.0])));
    }

    #[test]
    fn box_rejects_wrong_length_out_of_bounds_and_nan() {
        let s = Space::Box {
            low: vec![-1.0, 0.0],
            high: vec![1.0, f32::INFINITY],
        };
        assert!(s.contains(Action::Box(&[0.5, 100.0])));
        assert!(!s.contains(Action::Box(&[0.5])));
        assert!(!s.contains(Action::Box(&[1.5, 0.0])));
        assert!(!s.contains(Action::Box(&[f32::NAN, 0.0])));
    }

    #[test]
    fn multi_discrete_checks_each_component() {
        let s = Space::MultiDiscrete { nvec: vec![2, 5] };
        assert!(s.contains(Action::MultiDiscrete(&[1, 4])));
        assert!(!s.contains(Action::MultiDiscrete(&[2, 0])));
        assert!(!s.contains(Action::MultiDiscrete(&[0])));
    }

    #[test]
    fn check_names_the_action_and_the_space() {
        let err = Space::Discrete { n: 2 }
            .check(Action::Discrete(5))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "action 5 is outside the action space Discrete(2)"
        );
    }

    #[test]
    fn samples_are_members_of_the_space() {
        let mut rng = Rng::seed_from_u64(1);
        let s = Space::Box {
            low: vec![-2.0, f32::NEG_INFINITY],
            high: vec![3.0, f32::INFINITY],
        };
        let mut out = [0.0f32; 2];
        for _ in 0..1000 {
            s.sample_into(&mut rng, &mut out);
            assert!(s.contains(Action::Box(&out)), "{out:?}");
        }
        let d = Space::Discrete { n: 4 };
        for _ in 0..1000 {
            d.sample_into(&mut rng, &mut out);
            assert!(d.contains(Action::Discrete(out[0] as i64)));
        }
    }
}

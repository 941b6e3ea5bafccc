//! Actions for one environment ([`Action`]) and for a batch ([`ActionBatch`]).
//!
//! Both borrow their data, so stepping never allocates for an action. A
//! discrete action is an `i64` (Gymnasium's `int64`); a negative value is
//! representable so that it can be rejected with a clear error instead of
//! wrapping around.

use std::fmt;

/// One action for one environment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action<'a> {
    /// An element of a `Discrete` space.
    Discrete(i64),
    /// An element of a `Box` space.
    Box(&'a [f32]),
    /// An element of a `MultiDiscrete` space.
    MultiDiscrete(&'a [i64]),
}

impl From<i64> for Action<'_> {
    fn from(a: i64) -> Self {
        Action::Discrete(a)
    }
}

impl<'a> From<&'a [f32]> for Action<'a> {
    fn from(a: &'a [f32]) -> Self {
        Action::Box(a)
    }
}

impl<'a> From<&'a [i64]> for Action<'a> {
    fn from(a: &'a [i64]) -> Self {
        Action::MultiDiscrete(a)
    }
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Discrete(a) => write!(f, "{a}"),
            Action::Box(v) => write!(f, "{v:?}"),
            Action::MultiDiscrete(v) => write!(f, "{v:?}"),
        }
    }
}

/// One action per environment of a batch, flat and contiguous.
///
/// `Discrete` holds one value per env; `Box` and `MultiDiscrete` hold
/// `num_envs * dim` values, env `i`'s action at `[i * dim .. (i + 1) * dim]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActionBatch<'a> {
    /// One discrete action per env.
    Discrete(&'a [i64]),
    /// `num_envs` box actions, each `dim` long.
    Box(&'a [f32]),
    /// `num_envs` multi-discrete actions, each `dim` long.
    MultiDiscrete(&'a [i64]),
}

impl<'a> ActionBatch<'a> {
    /// Number of scalar values in the batch.
    pub fn len(&self) -> usize {
        match self {
            ActionBatch::Discrete(v) | ActionBatch::MultiDiscrete(v) => v.len(),
            ActionBatch::Box(v) => v.len(),
        }
    }

    /// Whether the batch holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The action of env `i` for a per-env action length `dim`.
    ///
    /// # Panics
    ///
    /// If `i` is out of range for the batch.
    #[inline]
    pub fn get(&self, i: usize, dim: usize) -> Action<'a> {
        match *self {
            ActionBatch::Discrete(v) => Action::Discrete(v[i]),
            ActionBatch::Box(v) => Action::Box(&v[i * dim..(i + 1) * dim]),
            ActionBatch::MultiDiscrete(v) => Action::MultiDiscrete(&v[i * dim..(i + 1) * dim]),
        }
    }

    /// The contiguous sub-batch for envs `start..end` (a shard's actions).
    ///
    /// # Panics
    ///
    /// If the range is out of bounds.
    pub fn slice(&self, start: usize, end: usize, dim: usize) -> ActionBatch<'a> {
        match *self {
            ActionBatch::Discrete(v) => ActionBatch::Discrete(&v[start..end]),
            ActionBatch::Box(v) => ActionBatch::Box(&v[start * dim..end * dim]),
            ActionBatch::MultiDiscrete(v) => ActionBatch::MultiDiscrete(&v[start * dim..end * dim]),
        }
    }
}

//! The struct-of-arrays buffers a [`VecEnv`](crate::VecEnv) writes a batch into.
//!
//! One column per quantity, one row per env: `obs` is `num_envs × obs_dim`
//! `f32` (env `i` at `[i * obs_dim .. (i + 1) * obs_dim]`), the others are
//! `num_envs` long. [`Batch`] owns the columns; [`BatchMut`] borrows them
//! and can be split into disjoint contiguous views, so K shards (one per
//! thread) can each fill their rows of one batch in place, with no copy and
//! no per-step allocation.
//!
//! Column meanings after a `step`:
//!
//! | column | meaning |
//! | --- | --- |
//! | `obs` | observation to act on next |
//! | `rewards` | reward of the transition (0 in an autoreset slot) |
//! | `terminated`, `truncated` | the transition ended the episode |
//! | `autoreset` | next-step mode only: this slot only reset the env; no transition happened and the action was ignored |
//! | `final_obs` | same-step mode only: where an episode ended, its last observation (`obs` then holds the reset observation) |
//! | `episode_return`, `episode_length` | where an episode ended, its return and length; 0 elsewhere |

use std::ops::Range;

use crate::EnvError;

/// Owned batch buffers for `num_envs` envs with `obs_dim`-long observations.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    num_envs: usize,
    obs_dim: usize,
    /// Observations, `num_envs * obs_dim`.
    pub obs: Vec<f32>,
    /// Rewards.
    pub rewards: Vec<f32>,
    /// Episode reached a terminal state.
    pub terminated: Vec<bool>,
    /// Episode was cut short.
    pub truncated: Vec<bool>,
    /// Slot was an autoreset only (next-step mode).
    pub autoreset: Vec<bool>,
    /// Final observations of episodes that ended (same-step mode), `num_envs * obs_dim`.
    pub final_obs: Vec<f32>,
    /// Return of the episode that ended in this slot.
    pub episode_return: Vec<f64>,
    /// Length of the episode that ended in this slot.
    pub episode_length: Vec<u32>,
}

impl Batch {
    /// Zeroed buffers.
    pub fn new(num_envs: usize, obs_dim: usize) -> Self {
        Self {
            num_envs,
            obs_dim,
            obs: vec![0.0; num_envs * obs_dim],
            rewards: vec![0.0; num_envs],
            terminated: vec![false; num_envs],
            truncated: vec![false; num_envs],
            autoreset: vec![false; num_envs],
            final_obs: vec![0.0; num_envs * obs_dim],
            episode_return: vec![0.0; num_envs],
            episode_length: vec![0; num_envs],
        }
    }

    /// Number of envs (rows).
    pub fn num_envs(&self) -> usize {
        self.num_envs
    }

    /// Observation length per env.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// The observation of env `i`.
    ///
    /// # Panics
    ///
    /// If `i >= num_envs`.
    pub fn obs_of(&self, i: usize) -> &[f32] {
        &self.obs[i * self.obs_dim..(i + 1) * self.obs_dim]
    }

    /// The final observation of env `i` (same-step mode).
    ///
    /// # Panics
    ///
    /// If `i >= num_envs`.
    pub fn final_obs_of(&self, i: usize) -> &[f32] {
        &self.final_obs[i * self.obs_dim..(i + 1) * self.obs_dim]
    }

    /// A mutable view of all rows.
    pub fn view_mut(&mut self) -> BatchMut<'_> {
        BatchMut {
            obs_dim: self.obs_dim,
            obs: &mut self.obs,
            rewards: &mut self.rewards,
            terminated: &mut self.terminated,
            truncated: &mut self.truncated,
            autoreset: &mut self.autoreset,
            final_obs: &mut self.final_obs,
            episode_return: &mut self.episode_return,
            episode_length: &mut self.episode_length,
        }
    }

    /// Disjoint mutable views of the given contiguous, ascending,
    /// non-overlapping row ranges (e.g. from [`shard_ranges`]).
    pub fn shards_mut(&mut self, ranges: &[Range<usize>]) -> Result<Vec<BatchMut<'_>>, EnvError> {
        self.view_mut().split_ranges(ranges)
    }
}

/// Borrowed batch buffers: the rows one `VecEnv` (or one shard) writes.
#[derive(Debug)]
pub struct BatchMut<'a> {
    obs_dim: usize,
    /// Observations, `num_envs * obs_dim`.
    pub obs: &'a mut [f32],
    /// Rewards.
    pub rewards: &'a mut [f32],
    /// Episode reached a terminal state.
    pub terminated: &'a mut [bool],
    /// Episode was cut short.
    pub truncated: &'a mut [bool],
    /// Slot was an autoreset only (next-step mode).
    pub autoreset: &'a mut [bool],
    /// Final observations (same-step mode), `num_envs * obs_dim`.
    pub final_obs: &'a mut [f32],
    /// Return of the episode that ended in this slot.
    pub episode_return: &'a mut [f64],
    /// Length of the episode that ended in this slot.
    pub episode_length: &'a mut [u32],
}

impl<'a> BatchMut<'a> {
    /// Number of rows in the view.
    pub fn num_envs(&self) -> usize {
        self.rewards.len()
    }

    /// Observation length per env.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// Checks every column against `num_envs` rows of `obs_dim` observations.
    pub fn check(&self, num_envs: usize, obs_dim: usize) -> Result<(), EnvError> {
        let cols: [(&'static str, usize, usize); 8] = [
            ("obs", self.obs.len(), num_envs * obs_dim),
            ("rewards", self.rewards.len(), num_envs),
            ("terminated", self.terminated.len(), num_envs),
            ("truncated", self.truncated.len(), num_envs),
            ("autoreset", self.autoreset.len(), num_envs),
            ("final_obs", self.final_obs.len(), num_envs * obs_dim),
            ("episode_return", self.episode_return.len(), num_envs),
            ("episode_length", self.episode_length.len(), num_envs),
        ];
        match cols.iter().find(|(_, got, want)| got != want) {
            Some(&(buffer, got, expected)) => Err(EnvError::BufferLength {
                buffer,
                got,
                expected,
            }),
            None => Ok(()),
        }
    }

    /// Clears rewards, flags and episode statistics, as a batch reset
    /// leaves them: no slot holds a transition yet.
    pub(crate) fn clear_after_reset(&mut self) {
        self.rewards.fill(0.0);
        self.terminated.fill(false);
        self.truncated.fill(false);
        self.autoreset.fill(false);
        self.episode_return.fill(0.0);
        self.episode_length.fill(0);
    }

    /// Splits into rows `0..mid` and `mid..`.
    ///
    /// # Panics
    ///
    /// If `mid > num_envs()`.
    pub fn split_at_mut(self, mid: usize) -> (BatchMut<'a>, BatchMut<'a>) {
        let d = self.obs_dim;
        let (obs_a, obs_b) = self.obs.split_at_mut(mid * d);
        let (rew_a, rew_b) = self.rewards.split_at_mut(mid);
        let (term_a, term_b) = self.terminated.split_at_mut(mid);
        let (trunc_a, trunc_b) = self.truncated.split_at_mut(mid);
        let (auto_a, auto_b) = self.autoreset.split_at_mut(mid);
        let (fin_a, fin_b) = self.final_obs.split_at_mut(mid * d);
        let (ret_a, ret_b) = self.episode_return.split_at_mut(mid);
        let (len_a, len_b) = self.episode_length.split_at_mut(mid);
        (
            BatchMut {
                obs_dim: d,
                obs: obs_a,
                rewards: rew_a,
                terminated: term_a,
                truncated: trunc_a,
                autoreset: auto_a,
                final_obs: fin_a,
                episode_return: ret_a,
                episode_length: len_a,
            },
            BatchMut {
                obs_dim: d,
                obs: obs_b,
                rewards: rew_b,
                terminated: term_b,
                truncated: trunc_b,
                autoreset: auto_b,
                final_obs: fin_b,
                episode_return: ret_b,
                episode_length: len_b,
            },
        )
    }

    /// Splits into one view per range; the ranges must be ascending,
    /// non-overlapping and within the view (gaps are allowed).
    pub fn split_ranges(self, ranges: &[Range<usize>]) -> Result<Vec<BatchMut<'a>>, EnvError> {
        let mut out = Vec::with_capacity(ranges.len());
        let mut rest = self;
        let mut offset = 0;
        for r in ranges {
            if r.start < offset || r.end < r.start || r.end - offset > rest.num_envs() {
                return Err(EnvError::InvalidConfig(format!(
                    "shard range {r:?} is out of order or outside 0..{}",
                    offset + rest.num_envs()
                )));
            }
            let (_, tail) = rest.split_at_mut(r.start - offset);
            let (shard, tail) = tail.split_at_mut(r.end - r.start);
            out.push(shard);
            rest = tail;
            offset = r.end;
        }
        Ok(out)
    }
}

/// Splits `num_envs` envs into `num_shards` contiguous ranges whose sizes
/// differ by at most one (the first `num_envs % num_shards` get one more).
pub fn shard_ranges(num_envs: usize, num_shards: usize) -> Result<Vec<Range<usize>>, EnvError> {
    if num_shards == 0 || num_shards > num_envs {
        return Err(EnvError::InvalidConfig(format!(
            "cannot split {num_envs} envs into {num_shards} non-empty shards"
        )));
    }
    let base = num_envs / num_shards;
    let extra = num_envs % num_shards;
    let mut start = 0;
    Ok((0..num_shards)
        .map(|k| {
            let len = base + usize::from(k < extra);
            let r = start..start + len;
            start += len;
            r
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_cover_everything_evenly() {
        assert_eq!(shard_ranges(10, 3).unwrap(), vec![0..4, 4..7, 7..10]);
        assert_eq!(shard_ranges(4, 4).unwrap(), vec![0..1, 1..2, 2..3, 3..4]);
        assert!(shard_ranges(2, 3).is_err());
        assert!(shard_ranges(2, 0).is_err());
    }

    #[test]
    fn shard_views_write_their_own_rows() {
        let mut b = Batch::new(5, 2);
        let ranges = shard_ranges(5, 2).unwrap();
        let views = b.shards_mut(&ranges).unwrap();
        for (k, v) in views.into_iter().enumerate() {
            v.check(ranges[k].len(), 2).unwrap();
            v.obs.fill(k as f32 + 1.0);
            v.rewards.fill(10.0 * (k as f32 + 1.0));
        }
        assert_eq!(
            b.obs,
            vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]
        );
        assert_eq!(b.rewards, vec![10.0, 10.0, 10.0, 20.0, 20.0]);
        assert_eq!(b.obs_of(4), &[2.0, 2.0]);
    }

    #[test]
    fn overlapping_ranges_are_rejected() {
        let mut b = Batch::new(4, 1);
        assert!(b.shards_mut(&[0..3, 2..4]).is_err());
        let too_long: Vec<Range<usize>> = vec![Range { start: 0, end: 5 }];
        assert!(b.shards_mut(&too_long).is_err());
    }

    #[test]
    fn check_names_the_wrong_column() {
        let mut b = Batch::new(3, 4);
        b.rewards.pop();
        let e = b.view_mut().check(3, 4).unwrap_err();
        assert_eq!(
            e,
            EnvError::BufferLength {
                buffer: "rewards",
                got: 2,
                expected: 3
            }
        );
    }
}

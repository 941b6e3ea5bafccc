//! `ReplayBuffer`: a ring of transitions `(obs, action, reward, next_obs,
//! terminated)`, sampled uniformly with replacement (as Stable-Baselines3's
//! buffer that CleanRL's DQN uses).
//!
//! Columns are flat `Vec`s (`obs` is `capacity x obs_dim`), so adding a
//! transition is a few copies and sampling a minibatch writes straight into
//! the caller's contiguous buffers, ready to become tensors. Only
//! `terminated` (not `truncated`) is stored as "done": a time-limit cut
//! still bootstraps from the next observation, as CleanRL does with
//! `handle_timeout_termination=False` and the real final observation.

use serde::{Deserialize, Serialize};

use crate::Rng;
use crate::train_error::TrainError;

/// A fixed-capacity ring of transitions; see the module doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayBuffer {
    capacity: usize,
    obs_dim: usize,
    obs: Vec<f32>,
    next_obs: Vec<f32>,
    actions: Vec<i64>,
    rewards: Vec<f32>,
    dones: Vec<f32>,
    /// Next slot to write.
    pos: usize,
    /// Transitions stored (at most `capacity`).
    len: usize,
}

/// A sampled minibatch, in flat rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Minibatch {
    /// `batch x obs_dim`.
    pub obs: Vec<f32>,
    /// `batch x obs_dim`.
    pub next_obs: Vec<f32>,
    /// Actions, as `u32` indices for `gather`.
    pub actions: Vec<u32>,
    /// Rewards.
    pub rewards: Vec<f32>,
    /// 1 where the transition terminated the episode.
    pub dones: Vec<f32>,
}

impl ReplayBuffer {
    /// An empty buffer for `capacity` transitions of `obs_dim` observations.
    pub fn new(capacity: usize, obs_dim: usize) -> Self {
        Self {
            capacity,
            obs_dim,
            obs: vec![0.0; capacity * obs_dim],
            next_obs: vec![0.0; capacity * obs_dim],
            actions: vec![0; capacity],
            rewards: vec![0.0; capacity],
            dones: vec![0.0; capacity],
            pos: 0,
            len: 0,
        }
    }

    /// Transitions stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is stored yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Maximum transitions kept; the oldest is overwritten after that.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Stores one transition, overwriting the oldest when full.
    ///
    /// # Panics
    ///
    /// If `obs` or `next_obs` is not `obs_dim` long (a learner bug, not input).
    pub fn push(
        &mut self,
        obs: &[f32],
        action: i64,
        reward: f32,
        next_obs: &[f32],
        terminated: bool,
    ) {
        let d = self.obs_dim;
        let p = self.pos;
        self.obs[p * d..(p + 1) * d].copy_from_slice(obs);
        self.next_obs[p * d..(p + 1) * d].copy_from_slice(next_obs);
        self.actions[p] = action;
        self.rewards[p] = reward;
        self.dones[p] = if terminated { 1.0 } else { 0.0 };
        self.pos = (p + 1) % self.capacity;
        self.len = (self.len + 1).min(self.capacity);
    }

    /// Draws `batch` transitions uniformly with replacement into `out`.
    ///
    /// # Panics
    ///
    /// If the buffer is empty.
    pub fn sample(&self, batch: usize, rng: &mut Rng, out: &mut Minibatch) {
        let d = self.obs_dim;
        out.obs.clear();
        out.next_obs.clear();
        out.actions.clear();
        out.rewards.clear();
        out.dones.clear();
        for _ in 0..batch {
            let i = rng.below(self.len as u64) as usize;
            out.obs.extend_from_slice(&self.obs[i * d..(i + 1) * d]);
            out.next_obs
                .extend_from_slice(&self.next_obs[i * d..(i + 1) * d]);
            out.actions.push(self.actions[i] as u32);
            out.rewards.push(self.rewards[i]);
            out.dones.push(self.dones[i]);
        }
    }

    /// The buffer as bytes (only the filled part of each column).
    pub fn to_bytes(&self) -> Result<Vec<u8>, TrainError> {
        let n = self.len;
        let d = self.obs_dim;
        let stored = Stored {
            capacity: self.capacity,
            obs_dim: d,
            pos: self.pos,
            obs: &self.obs[..n * d],
            next_obs: &self.next_obs[..n * d],
            actions: &self.actions[..n],
            rewards: &self.rewards[..n],
            dones: &self.dones[..n],
        };
        postcard::to_stdvec(&stored).map_err(|e| TrainError::corrupt("replay buffer (encoding)", e))
    }

    /// Restores a buffer from [`to_bytes`](ReplayBuffer::to_bytes), checking
    /// that every column is consistent.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TrainError> {
        let s: StoredOwned =
            postcard::from_bytes(bytes).map_err(|e| TrainError::corrupt("section `replay`", e))?;
        let n = s.actions.len();
        let consistent = s.capacity > 0
            && n <= s.capacity
            && s.pos < s.capacity
            && (n == s.capacity || s.pos == n)
            && s.obs.len() == n * s.obs_dim
            && s.next_obs.len() == n * s.obs_dim
            && s.rewards.len() == n
            && s.dones.len() == n;
        if !consistent {
            return Err(TrainError::corrupt(
                "section `replay`",
                "column lengths and positions are inconsistent",
            ));
        }
        let mut b = ReplayBuffer::new(s.capacity, s.obs_dim);
        b.obs[..s.obs.len()].copy_from_slice(&s.obs);
        b.next_obs[..s.next_obs.len()].copy_from_slice(&s.next_obs);
        b.actions[..n].copy_from_slice(&s.actions);
        b.rewards[..n].copy_from_slice(&s.rewards);
        b.dones[..n].copy_from_slice(&s.dones);
        b.pos = s.pos;
        b.len = n;
        Ok(b)
    }
}

#[derive(Serialize)]
struct Stored<'a> {
    capacity: usize,
    obs_dim: usize,
    pos: usize,
    obs: &'a [f32],
    next_obs: &'a [f32],
    actions: &'a [i64],
    rewards: &'a [f32],
    dones: &'a [f32],
}

#[derive(Deserialize)]
struct StoredOwned {
    capacity: usize,
    obs_dim: usize,
    pos: usize,
    obs: Vec<f32>,
    next_obs: Vec<f32>,
    actions: Vec<i64>,
    rewards: Vec<f32>,
    dones: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_overwrites_the_oldest_and_round_trips() {
        let mut b = ReplayBuffer::new(3, 2);
        for k in 0..5 {
            let x = k as f32;
            b.push(&[x, x], k, x * 10.0, &[x + 1.0, x + 1.0], k == 4);
        }
        assert_eq!(b.len(), 3);
        let mut rng = Rng::seed_from_u64(0);
        let mut mb = Minibatch::default();
        b.sample(200, &mut rng, &mut mb);
        // Only transitions 2, 3, 4 remain.
        assert!(mb.rewards.iter().all(|r| [20.0, 30.0, 40.0].contains(r)));
        assert!(mb.rewards.contains(&20.0) && mb.rewards.contains(&40.0));
        for (i, r) in mb.rewards.iter().enumerate() {
            assert_eq!(mb.obs[2 * i] * 10.0, *r);
            assert_eq!(mb.next_obs[2 * i], mb.obs[2 * i] + 1.0);
            assert_eq!(mb.dones[i], if *r == 40.0 { 1.0 } else { 0.0 });
        }
        let back = ReplayBuffer::from_bytes(&b.to_bytes().unwrap()).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn a_partly_filled_buffer_round_trips() {
        let mut b = ReplayBuffer::new(10, 1);
        b.push(&[1.0], 1, 1.0, &[2.0], false);
        assert_eq!(ReplayBuffer::from_bytes(&b.to_bytes().unwrap()).unwrap(), b);
    }

    #[test]
    fn inconsistent_bytes_are_refused() {
        let mut b = ReplayBuffer::new(4, 1);
        b.push(&[1.0], 1, 1.0, &[2.0], false);
        let mut bytes = b.to_bytes().unwrap();
        assert!(ReplayBuffer::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        // pos = 1 -> 3: no longer consistent with one stored transition.
        bytes[2] = 3;
        let e = ReplayBuffer::from_bytes(&bytes).unwrap_err();
        assert!(e.to_string().contains("replay"), "{e}");
    }
}

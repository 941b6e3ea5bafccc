//! [`EnvRng`]: an environment's random stream, seeded as Gymnasium seeds it.
//!
//! Gymnasium's `Env.reset(seed=S)` replaces the env's `np_random` with
//! `seeding.np_random(S)` (numpy's `default_rng(S)`), and `reset()` without
//! a seed keeps drawing from the current one. An `EnvRng` does the same
//! with [`NumpyGenerator`], so `reset(Some(S))` draws the very numbers
//! Gymnasium draws and the episode that follows is Gymnasium's. One
//! difference is deliberate: where Gymnasium would seed from OS entropy (a
//! first reset without a seed), Agora seeds with 0, so every run is
//! reproducible.
//!
//! Env snapshots saved before Agora followed numpy hold a xoshiro256++
//! state instead (see `env::snapshot_legacy`).
//! Restoring one continues that stream exactly, with the draws made the
//! way they were then, so a resumed run goes on as it would have; the next
//! seeded reset switches the env to numpy's stream.
//!
//! Envs without a Gymnasium counterpart (the gold-miners world) keep
//! Agora's own seeding ([`EnvRng::agora`]): xoshiro256++ from the seed, as
//! before numpy seeding, so their layouts for a seed stay what they were.

use serde::{Deserialize, Serialize};

use crate::numpy_rng::NumpyGenerator;
use crate::rng::Rng;

/// An env's generator and whether it was ever seeded; see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvRng {
    stream: Stream,
    seeded: bool,
    seeding: Seeding,
}

/// Where the draws come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Stream {
    /// Gymnasium's `np_random`.
    Numpy(NumpyGenerator),
    /// Agora's own stream: a non-Gymnasium env's, or that of a snapshot
    /// from before numpy seeding, continued.
    Xoshiro(Rng),
}

/// What a seeded reset builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Seeding {
    /// `np.random.default_rng(seed)`, as Gymnasium.
    Numpy,
    /// `Rng::seed_from_u64(seed)`, Agora's seeding before numpy's.
    Xoshiro,
}

impl Default for EnvRng {
    /// Gymnasium's seeding.
    fn default() -> Self {
        Self {
            stream: Stream::Numpy(NumpyGenerator::from_seed(0)),
            seeded: false,
            seeding: Seeding::Numpy,
        }
    }
}

impl EnvRng {
    /// Applies a `reset(seed)` call: reseeds on `Some`, or on the first
    /// reset ever; otherwise keeps the stream going.
    #[inline]
    pub fn on_reset(&mut self, seed: Option<u64>) {
        match seed {
            Some(s) => self.reseed(s),
            None if !self.seeded => self.reseed(0),
            None => {}
        }
    }

    fn reseed(&mut self, seed: u64) {
        self.stream = match self.seeding {
            Seeding::Numpy => Stream::Numpy(NumpyGenerator::from_seed(seed)),
            Seeding::Xoshiro => Stream::Xoshiro(Rng::seed_from_u64(seed)),
        };
        self.seeded = true;
    }

    /// Agora's own seeding, for envs Gymnasium does not have: seeds build
    /// xoshiro256++ streams; see the module doc.
    pub fn agora() -> Self {
        Self {
            stream: Stream::Xoshiro(Rng::seed_from_u64(0)),
            seeded: false,
            seeding: Seeding::Xoshiro,
        }
    }

    /// The stream of a pre-numpy snapshot of a Gymnasium env: xoshiro
    /// state `rng`, and whether that env had been seeded.
    pub(crate) fn pre_numpy(rng: Rng, seeded: bool) -> Self {
        Self {
            stream: Stream::Xoshiro(rng),
            seeded,
            seeding: Seeding::Numpy,
        }
    }

    /// Whether the draws follow numpy's (false only after restoring a
    /// pre-numpy snapshot, until the next seeded reset).
    pub fn follows_numpy(&self) -> bool {
        matches!(self.stream, Stream::Numpy(_))
    }

    /// `np_random.random()`: a double in `[0, 1)`.
    #[inline]
    pub fn random(&mut self) -> f64 {
        match &mut self.stream {
            Stream::Numpy(g) => g.random(),
            Stream::Xoshiro(r) => r.next_f64(),
        }
    }

    /// `np_random.uniform(low, high)`.
    #[inline]
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        match &mut self.stream {
            Stream::Numpy(g) => g.uniform(low, high),
            Stream::Xoshiro(r) => r.uniform(low, high),
        }
    }

    /// `np_random.integers(n)`: uniform on `0..n` (0 when `n` is 0 or 1).
    #[inline]
    pub fn integers(&mut self, n: u64) -> u64 {
        match &mut self.stream {
            Stream::Numpy(g) => g.integers(n),
            // Agora's draw, which takes a number even for a one-value range.
            Stream::Xoshiro(r) => r.below(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_unseeded_reset_equals_seed_zero_and_later_ones_continue() {
        let mut a = EnvRng::default();
        a.on_reset(None);
        let mut b = EnvRng::default();
        b.on_reset(Some(0));
        assert_eq!(a.random(), b.random());
        a.on_reset(None);
        b.on_reset(Some(0));
        assert_ne!(a.random(), b.random());
    }

    #[test]
    fn a_seeded_reset_draws_numpys_stream() {
        let mut env = EnvRng::default();
        env.on_reset(Some(42));
        let mut numpy = NumpyGenerator::from_seed(42);
        assert_eq!(env.uniform(-0.6, -0.4), numpy.uniform(-0.6, -0.4));
        assert_eq!(env.integers(3), numpy.integers(3));
    }

    #[test]
    fn agora_seeding_is_xoshiro_from_the_seed() {
        let mut env = EnvRng::agora();
        env.on_reset(Some(9));
        let mut xoshiro = Rng::seed_from_u64(9);
        assert!(!env.follows_numpy());
        assert_eq!(env.integers(5), xoshiro.below(5));
        env.on_reset(Some(9));
        assert!(!env.follows_numpy());
        let mut first = EnvRng::agora();
        first.on_reset(None);
        assert_eq!(first.random(), Rng::seed_from_u64(0).next_f64());
    }

    #[test]
    fn a_pre_numpy_stream_continues_until_the_next_seeded_reset() {
        let mut old = EnvRng::pre_numpy(Rng::seed_from_u64(5), true);
        let mut xoshiro = Rng::seed_from_u64(5);
        assert!(!old.follows_numpy());
        assert_eq!(old.random(), xoshiro.next_f64());
        assert_eq!(old.integers(6), xoshiro.below(6));
        old.on_reset(None);
        assert_eq!(old.uniform(-1.0, 1.0), xoshiro.uniform(-1.0, 1.0));
        old.on_reset(Some(5));
        assert!(old.follows_numpy());
    }
}

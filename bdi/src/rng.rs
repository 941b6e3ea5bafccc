//! The agent's seeded random number generator, so that runs are
//! reproducible and the state can be checkpointed as 32 bytes.
//!
//! xoshiro256** seeded through SplitMix64, as `rand_xoshiro`'s
//! `Xoshiro256StarStar`. Its saved state is the four state words
//! little-endian, the layout of the engine's own implementation before it
//! used the crate, so agent checkpoints written then restore the same
//! stream.

use rand_xoshiro::Xoshiro256StarStar;
use rand_xoshiro::rand_core::{Rng as _, SeedableRng};

/// A small, fast, seedable PRNG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    xoshiro: Xoshiro256StarStar,
}

impl Rng {
    /// A generator seeded from `seed` (any value, including 0).
    pub fn new(seed: u64) -> Rng {
        Rng {
            xoshiro: Xoshiro256StarStar::seed_from_u64(seed),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.xoshiro.next_u64()
    }

    /// A float uniformly in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An index uniformly in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_f64() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// The state as bytes, for checkpoints.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.xoshiro.state()
    }

    /// Restores a state saved by [`Rng::to_bytes`]. All-zero bytes, which
    /// no generator reaches, give the generator of `Rng::new(0)`.
    pub fn from_bytes(bytes: [u8; 32]) -> Rng {
        Rng {
            xoshiro: Xoshiro256StarStar::from_seed(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_streams_repeat_and_restore() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next_u64(), Rng::new(7).next_u64());
        let saved = a.to_bytes();
        let next = a.next_u64();
        assert_eq!(Rng::from_bytes(saved).next_u64(), next);
        for _ in 0..1000 {
            let f = a.next_f64();
            assert!((0.0..1.0).contains(&f));
            assert!(a.below(3) < 3);
        }
    }

    #[test]
    fn states_saved_by_the_hand_written_generator_continue_its_stream() {
        // The engine's own xoshiro256** (before rand_xoshiro): the state of
        // seed 7 as its to_bytes wrote it, and the outputs that followed.
        let words: [u64; 4] = [
            0x63cb_e1e4_5932_0dd7,
            0x044c_3cd7_f43c_661c,
            0xe698_4080_bab1_2a02,
            0x953a_eb70_673e_29cb,
        ];
        let mut bytes = [0u8; 32];
        for (chunk, w) in bytes.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        assert_eq!(Rng::new(7).to_bytes(), bytes);
        let mut restored = Rng::from_bytes(bytes);
        let outputs: Vec<u64> = (0..3).map(|_| restored.next_u64()).collect();
        assert_eq!(
            outputs,
            vec![
                12923355070828475994,
                5142052590334782674,
                15488392906492639638
            ]
        );
    }
}

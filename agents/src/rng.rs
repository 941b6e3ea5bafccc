//! [`Rng`]: the learners' pseudo-random number generator.
//!
//! Exploration, network initialisation, minibatch sampling and tools draw
//! from xoshiro256++ seeded through SplitMix64 (`rand_xoshiro`'s
//! `Xoshiro256PlusPlus`): small (32 bytes), fast (a handful of integer ops
//! per draw), and a state saved in a checkpoint restores exactly. Seeds
//! that differ in any bit give unrelated streams.
//!
//! A checkpoint holds the state as four `u64` words (`[u64; 4]`, or the
//! struct `{ s: [u64; 4] }` in serde formats), the layout of Agora's own
//! implementation before it used the crate; states saved then load as
//! they are and continue the same stream.
//!
//! Environments draw from numpy's stream instead, as Gymnasium's do (see
//! [`EnvRng`](crate::env::env_rng::EnvRng)); this generator is theirs only
//! in snapshots saved before that, which keep their stream.

use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::{Rng as _, SeedableRng};
use serde::{Deserialize, Serialize};

/// xoshiro256++ generator (Blackman & Vigna, 2019); see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "RngState", from = "RngState")]
pub struct Rng {
    xoshiro: Xoshiro256PlusPlus,
}

/// The serialized form of an [`Rng`]: its four state words.
#[derive(Serialize, Deserialize)]
struct RngState {
    s: [u64; 4],
}

impl From<Rng> for RngState {
    fn from(rng: Rng) -> Self {
        Self { s: rng.state() }
    }
}

impl From<RngState> for Rng {
    fn from(state: RngState) -> Self {
        Rng::from_state(state.s)
    }
}

impl Rng {
    /// A generator whose whole stream is determined by `seed`.
    pub fn seed_from_u64(seed: u64) -> Self {
        Self {
            xoshiro: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// The state words, for checkpoints.
    pub fn state(&self) -> [u64; 4] {
        let bytes = self.xoshiro.state();
        std::array::from_fn(|i| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[8 * i..8 * i + 8]);
            u64::from_le_bytes(word)
        })
    }

    /// Rebuilds a generator from a state returned by [`Rng::state`].
    ///
    /// The all-zero state is not a valid xoshiro state; it is replaced by the
    /// state of `seed_from_u64(0)`.
    pub fn from_state(s: [u64; 4]) -> Self {
        let mut bytes = [0u8; 32];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(s) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        // `from_seed` takes the words little-endian and maps all-zero to
        // `seed_from_u64(0)`, as this type always did.
        Self {
            xoshiro: Xoshiro256PlusPlus::from_seed(bytes),
        }
    }

    /// Next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.xoshiro.next_u64()
    }

    /// Uniform `f64` in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform `f64` in `[low, high)`, computed as numpy does
    /// (`low + (high - low) * u`).
    #[inline]
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// Uniform integer in `[0, n)`; `n` must be positive.
    ///
    /// Uses Lemire's multiply-shift; the bias for the small `n` used by
    /// environments (< 2^32) is below 2^-32 and irrelevant here.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256plusplus_matches_the_reference_output() {
        // First outputs of the reference C implementation from state {1, 2, 3, 4}.
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(got, vec![41943041, 58720359, 3588806011781223]);
    }

    #[test]
    fn splitmix64_seeding_matches_the_reference_output() {
        // SplitMix64 from 0 yields 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ...
        assert_eq!(
            Rng::seed_from_u64(0).state(),
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F,
                0xF88B_B8A8_724C_81EC
            ]
        );
    }

    #[test]
    fn states_saved_by_the_hand_written_generator_continue_its_stream() {
        // Agora's own xoshiro256++ (before rand_xoshiro): seed 7's first
        // outputs, and the postcard bytes of a state (four varint words).
        let mut rng = Rng::seed_from_u64(7);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            vec![
                1021219803524665661,
                3174977118032272916,
                13236943193235544178
            ]
        );
        let saved = postcard::to_stdvec(&[1u64, 2, 3, 4]).unwrap();
        assert_eq!(
            postcard::to_stdvec(&Rng::from_state([1, 2, 3, 4])).unwrap(),
            saved
        );
        let mut back: Rng = postcard::from_bytes(&saved).unwrap();
        assert_eq!(back.state(), [1, 2, 3, 4]);
        assert_eq!(back.next_u64(), 41943041);
        assert_eq!(Rng::from_state([0; 4]), Rng::seed_from_u64(0));
    }

    #[test]
    fn f64_draws_stay_in_the_unit_interval_and_average_one_half() {
        let mut rng = Rng::seed_from_u64(7);
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let u = rng.next_f64();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        let mean = sum / f64::from(n);
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn below_covers_every_value() {
        let mut rng = Rng::seed_from_u64(3);
        let mut seen = [0u32; 6];
        for _ in 0..6000 {
            seen[rng.below(6) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
    }
}

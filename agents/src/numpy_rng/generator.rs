//! [`NumpyGenerator`]: the draws of `np.random.Generator` that Gymnasium uses.
//!
//! * `random()`: one 64-bit output, top 53 bits, times 2^-53.
//! * `uniform(low, high)`: `low + (high - low) * random()`, in that order
//!   (no fused multiply-add), as numpy's `random_uniform`.
//! * `integers(n)`: numpy's bounded integers on `[0, n)` with Lemire's
//!   multiply-and-reject method (numpy's `Generator` default; the legacy
//!   `RandomState` masks instead). A range that fits 32 bits draws from
//!   the 32-bit stream (two draws per 64-bit output, see
//!   [`Pcg64`](crate::numpy_rng::Pcg64)), a wider one from the 64-bit
//!   stream; `n = 1` draws nothing.

use serde::{Deserialize, Serialize};

use crate::numpy_rng::{Pcg64, SeedSequence};

/// `np.random.default_rng(seed)`; see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumpyGenerator {
    bits: Pcg64,
}

impl NumpyGenerator {
    /// The generator of `np.random.default_rng(seed)`, which is also what
    /// Gymnasium's `seeding.np_random(seed)` builds.
    pub fn from_seed(seed: u64) -> Self {
        Self {
            bits: Pcg64::from_seed_sequence(&SeedSequence::new(seed)),
        }
    }

    /// A generator over an existing bit generator (e.g. a restored one).
    pub fn from_bits(bits: Pcg64) -> Self {
        Self { bits }
    }

    /// The bit generator, for its state.
    pub fn bits(&self) -> &Pcg64 {
        &self.bits
    }

    /// `random()`: a double in `[0, 1)`.
    #[inline]
    pub fn random(&mut self) -> f64 {
        self.bits.next_f64()
    }

    /// `uniform(low, high)` for scalar bounds.
    #[inline]
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let range = high - low;
        low + range * self.random()
    }

    /// `integers(n)`: uniform on `0..n`. `n = 0` is an empty range, which
    /// numpy refuses; it returns 0 without drawing.
    pub fn integers(&mut self, n: u64) -> u64 {
        // numpy works with the inclusive span `n - 1`.
        let span = n.saturating_sub(1);
        if span == 0 {
            0
        } else if span < u64::from(u32::MAX) {
            u64::from(self.lemire_u32(span as u32))
        } else if span == u64::from(u32::MAX) {
            // Lemire's method cannot represent 2^32; every 32-bit value is in range.
            u64::from(self.bits.next_u32())
        } else {
            self.lemire_u64(span)
        }
    }

    /// Uniform on `0..=span` from 32-bit draws (`span < 2^32 - 1`).
    fn lemire_u32(&mut self, span: u32) -> u32 {
        let n = span + 1;
        let mut m = u64::from(self.bits.next_u32()) * u64::from(n);
        let mut leftover = m as u32;
        // Rejecting the few low products that would make some values more
        // likely; `n` is a cheap first test before the modulo.
        if leftover < n {
            let threshold = (u32::MAX - span) % n;
            while leftover < threshold {
                m = u64::from(self.bits.next_u32()) * u64::from(n);
                leftover = m as u32;
            }
        }
        (m >> 32) as u32
    }

    /// Uniform on `0..=span` from 64-bit draws (`span < 2^64 - 1`, always
    /// true for a `u64` bound).
    fn lemire_u64(&mut self, span: u64) -> u64 {
        let n = span + 1;
        let mut m = u128::from(self.bits.next_u64()) * u128::from(n);
        let mut leftover = m as u64;
        if leftover < n {
            let threshold = (u64::MAX - span) % n;
            while leftover < threshold {
                m = u128::from(self.bits.next_u64()) * u128::from(n);
                leftover = m as u64;
            }
        }
        (m >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cartpoles_seed_zero_reset_is_gymnasiums() {
        // CartPole-v1 reset(seed=0) in Gymnasium 1.4: uniform(-0.05, 0.05, size=4).
        let mut g = NumpyGenerator::from_seed(0);
        let state: Vec<f32> = (0..4).map(|_| g.uniform(-0.05, 0.05) as f32).collect();
        assert_eq!(
            state,
            vec![0.013696169, -0.02302133, -0.045902647, -0.048347235]
        );
    }

    #[test]
    fn a_one_value_range_draws_nothing() {
        let mut a = NumpyGenerator::from_seed(3);
        let mut b = a.clone();
        assert_eq!(a.integers(1), 0);
        assert_eq!(a.integers(0), 0);
        assert_eq!(a, b);
        assert_eq!(a.random(), b.random());
    }

    #[test]
    fn integers_stay_in_range_and_cover_it() {
        let mut g = NumpyGenerator::from_seed(11);
        let mut seen = [0u32; 6];
        for _ in 0..6000 {
            let v = g.integers(6);
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
        for n in [(1u64 << 32) + 1, 1 << 40, u64::MAX] {
            assert!((0..100).all(|_| g.integers(n) < n));
        }
    }
}

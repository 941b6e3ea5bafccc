//! [`Pcg64`]: numpy's `PCG64` bit generator.
//!
//! The generator itself is PCG XSL-RR 128/64, which `rand_pcg` maintains as
//! [`Lcg128Xsl64`]; same multiplier, same step-then-output order. Its
//! `new(state, stream)` also performs numpy's `pcg64_set_seed` exactly
//! (increment `(stream << 1) | 1`, then state `0 → step → += initstate →
//! step`), so seeding from a [`SeedSequence`] needs no code of its own.
//!
//! What numpy adds on top is its 32-bit draw: it takes one 64-bit output,
//! returns the low half and keeps the high half for the next 32-bit draw
//! (`has_uint32` / `uinteger`). `Lcg128Xsl64::next_u32` truncates instead,
//! so that buffer lives here, and it is part of the saved state.

use rand_pcg::Lcg128Xsl64;
use rand_pcg::rand_core::Rng as _;
use serde::{Deserialize, Serialize};

use crate::numpy_rng::SeedSequence;

/// numpy's `PCG64`; see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Pcg64State", try_from = "Pcg64State")]
pub struct Pcg64 {
    lcg: Lcg128Xsl64,
    /// The high half of the last 64-bit output, when a 32-bit draw used
    /// only its low half.
    spare_u32: Option<u32>,
}

/// The complete state of a [`Pcg64`], in numpy's terms (its
/// `bit_generator.state`: `state`, `inc`, `has_uint32`, `uinteger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pcg64State {
    /// The 128-bit LCG state.
    pub state: u128,
    /// The LCG increment (always odd).
    pub increment: u128,
    /// The buffered high half of a 64-bit output, if any.
    pub spare_u32: Option<u32>,
}

impl Pcg64 {
    /// `np.random.PCG64(seed_sequence)`.
    pub fn from_seed_sequence(seeds: &SeedSequence) -> Self {
        let w = seeds.generate_state_u64(4);
        // numpy takes word 0 as the high half of the initial state and
        // word 1 as its low half; words 2 and 3 make the stream likewise.
        let initstate = (u128::from(w[0]) << 64) | u128::from(w[1]);
        let initseq = (u128::from(w[2]) << 64) | u128::from(w[3]);
        Self {
            lcg: Lcg128Xsl64::new(initstate, initseq),
            spare_u32: None,
        }
    }

    /// The next 64-bit output (numpy's `next_uint64`).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.lcg.next_u64()
    }

    /// The next 32-bit output (numpy's `next_uint32`); see the module doc.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if let Some(high) = self.spare_u32.take() {
            return high;
        }
        let v = self.next_u64();
        self.spare_u32 = Some((v >> 32) as u32);
        v as u32
    }

    /// A double in `[0, 1)` from the top 53 bits of one 64-bit output
    /// (numpy's `next_double`); the 32-bit buffer is left alone.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// The state, for snapshots.
    pub fn state(&self) -> Pcg64State {
        Pcg64State {
            state: self.lcg.state(),
            increment: (self.lcg.stream() << 1) | 1,
            spare_u32: self.spare_u32,
        }
    }

    /// Rebuilds the generator of [`state`](Pcg64::state); `None` for an
    /// even increment, which no PCG64 can have.
    pub fn from_state(state: Pcg64State) -> Option<Self> {
        (state.increment & 1 == 1).then(|| Self {
            lcg: Lcg128Xsl64::from_state(state.state, state.increment >> 1),
            spare_u32: state.spare_u32,
        })
    }
}

impl From<Pcg64> for Pcg64State {
    fn from(g: Pcg64) -> Self {
        g.state()
    }
}

impl TryFrom<Pcg64State> for Pcg64 {
    type Error = String;

    fn try_from(state: Pcg64State) -> Result<Self, String> {
        Pcg64::from_state(state)
            .ok_or_else(|| format!("a PCG64 increment must be odd, got {:#x}", state.increment))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(seed: u64) -> Pcg64 {
        Pcg64::from_seed_sequence(&SeedSequence::new(seed))
    }

    #[test]
    fn seed_zero_matches_numpys_state_and_first_outputs() {
        // np.random.PCG64(0).state and .random_raw(3), numpy 2.4.6.
        let g = seeded(0);
        let s = g.state();
        assert_eq!(s.state, 0x1aa1b5345996452d09585eb7a69561e3);
        assert_eq!(s.increment, 0x418ddadb3af71a82588133bc447873a9);
        let mut g = g;
        let raw: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            raw,
            vec![
                11749869230777074271,
                4976686463289251617,
                755828109848996024
            ]
        );
    }

    #[test]
    fn a_32_bit_draw_hands_out_both_halves_low_first() {
        let mut whole = seeded(5);
        let mut halves = seeded(5);
        let v = whole.next_u64();
        assert_eq!(halves.next_u32(), v as u32);
        // A 64-bit draw in between neither uses nor drops the spare half.
        let w = halves.next_u64();
        assert_eq!(w, whole.next_u64());
        assert_eq!(halves.next_u32(), (v >> 32) as u32);
    }

    #[test]
    fn the_state_round_trips_with_its_spare_half() {
        let mut g = seeded(9);
        g.next_u32();
        let mut back = Pcg64::from_state(g.state()).unwrap();
        assert_eq!(back, g);
        assert_eq!(back.next_u32(), g.next_u32());
        assert_eq!(back.next_u64(), g.next_u64());
        let even = Pcg64State {
            increment: 2,
            ..g.state()
        };
        assert!(Pcg64::from_state(even).is_none());
    }
}

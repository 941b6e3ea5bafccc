//! [`SeedSequence`]: numpy's seed hashing (`np.random.SeedSequence`).
//!
//! numpy never feeds a user's seed to a generator directly: the seed's
//! 32-bit words are hashed into a pool of four words, and the generator's
//! initial state is drawn from that pool. The constants and the order of
//! the mixing are numpy's (`bit_generator.pyx`, after Melissa O'Neill's
//! `seed_seq_fe`); they are what makes two seeds that differ in one bit give
//! unrelated streams. Only the plain case is modelled: the entropy is one
//! non-negative integer, with no spawn key and the default pool size.

/// Words in the entropy pool (numpy's `DEFAULT_POOL_SIZE`).
const POOL_SIZE: usize = 4;
const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
/// Half the bits of a word.
const XSHIFT: u32 = 16;

/// A seed hashed into numpy's entropy pool; see the module doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSequence {
    pool: [u32; POOL_SIZE],
}

/// numpy's `hashmix`: hashes `value` with a multiplier that advances on
/// every call, so the same word hashes differently at each position.
fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut v = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    v = v.wrapping_mul(*hash_const);
    v ^ (v >> XSHIFT)
}

/// numpy's `mix`: folds `y` into `x`.
fn mix(x: u32, y: u32) -> u32 {
    let r = MIX_MULT_L
        .wrapping_mul(x)
        .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    r ^ (r >> XSHIFT)
}

/// A non-negative integer as numpy splits it: 32-bit words, least
/// significant first, without leading zero words (zero is one word).
fn entropy_words(seed: u64) -> Vec<u32> {
    let (low, high) = (seed as u32, (seed >> 32) as u32);
    if high == 0 {
        vec![low]
    } else {
        vec![low, high]
    }
}

impl SeedSequence {
    /// The sequence of `np.random.SeedSequence(seed)`.
    pub fn new(seed: u64) -> Self {
        Self::from_entropy(&entropy_words(seed))
    }

    /// Mixes `entropy` into the pool as numpy's `mix_entropy` does.
    fn from_entropy(entropy: &[u32]) -> Self {
        let mut hash_const = INIT_A;
        let mut pool = [0u32; POOL_SIZE];
        for (i, slot) in pool.iter_mut().enumerate() {
            // A short entropy keeps the hash running on zeros.
            *slot = hashmix(entropy.get(i).copied().unwrap_or(0), &mut hash_const);
        }
        // Every word into every other, so late words reach early ones.
        for src in 0..POOL_SIZE {
            for dst in 0..POOL_SIZE {
                if src != dst {
                    let h = hashmix(pool[src], &mut hash_const);
                    pool[dst] = mix(pool[dst], h);
                }
            }
        }
        for &word in entropy.iter().skip(POOL_SIZE) {
            for slot in &mut pool {
                *slot = mix(*slot, hashmix(word, &mut hash_const));
            }
        }
        Self { pool }
    }

    /// `generate_state(n, np.uint32)`: `n` words drawn from the pool.
    pub fn generate_state_u32(&self, n: usize) -> Vec<u32> {
        let mut hash_const = INIT_B;
        (0..n)
            .map(|i| {
                let mut v = self.pool[i % POOL_SIZE] ^ hash_const;
                hash_const = hash_const.wrapping_mul(MULT_B);
                v = v.wrapping_mul(hash_const);
                v ^ (v >> XSHIFT)
            })
            .collect()
    }

    /// `generate_state(n, np.uint64)`: twice as many 32-bit words, paired
    /// little-endian (the first of each pair is the low half).
    pub fn generate_state_u64(&self, n: usize) -> Vec<u64> {
        self.generate_state_u32(2 * n)
            .chunks_exact(2)
            .map(|pair| u64::from(pair[0]) | (u64::from(pair[1]) << 32))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_zero_gives_numpys_state_words() {
        // np.random.SeedSequence(0).generate_state(4, np.uint64), numpy 2.4.6.
        assert_eq!(
            SeedSequence::new(0).generate_state_u64(4),
            vec![
                15793235383387715774,
                12390638538380655177,
                2361836109651742017,
                3188717715514472916
            ]
        );
    }

    #[test]
    fn a_seed_above_32_bits_is_two_words() {
        assert_eq!(entropy_words(0), vec![0]);
        assert_eq!(entropy_words(u64::from(u32::MAX)), vec![u32::MAX]);
        assert_eq!(entropy_words(1 << 32), vec![0, 1]);
        assert_ne!(SeedSequence::new(1 << 32), SeedSequence::new(0));
    }

    #[test]
    fn entropy_beyond_the_pool_still_counts() {
        let short = SeedSequence::from_entropy(&[1, 2, 3, 4]);
        let long = SeedSequence::from_entropy(&[1, 2, 3, 4, 5]);
        assert_ne!(short, long);
    }
}

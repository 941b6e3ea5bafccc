//! The hasher of the engine's internal maps: the Fx hash (the one rustc
//! uses), from `rustc-hash`. Their keys are interned symbols, small
//! integers and terms built from them; SipHash's flood resistance is not
//! needed there and costs a large share of a reasoning cycle.
//!
//! Iteration order over these maps is unspecified (it follows the hash);
//! nothing in the engine depends on it.

pub use rustc_hash::{FxHashMap, FxHasher};

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hasher;

    #[test]
    fn map_works_and_hash_depends_on_input() {
        let mut m: FxHashMap<(u32, usize), &str> = FxHashMap::default();
        m.insert((1, 2), "a");
        m.insert((2, 1), "b");
        assert_eq!(m.get(&(1, 2)), Some(&"a"));
        assert_eq!(m.get(&(2, 1)), Some(&"b"));
        let mut h1 = FxHasher::default();
        h1.write(b"hello world, this is long");
        let mut h2 = FxHasher::default();
        h2.write(b"hello world, this is lonG");
        assert_ne!(h1.finish(), h2.finish());
    }
}

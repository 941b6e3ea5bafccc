//! numpy's default random generator, reproduced draw for draw.
//!
//! Gymnasium gives every env (and every space) a `np.random.Generator` made
//! by `seeding.np_random(seed)`: numpy's [`SeedSequence`] hashes the seed
//! into four 64-bit words, which seed a [`Pcg64`] bit generator, which the
//! [`NumpyGenerator`] turns into `random()`, `uniform` and `integers` draws.
//! Each step is its own file; together they produce the same numbers as
//! numpy 2.x (`np.random.default_rng(seed)`) for any `u64` seed, which is
//! what makes `reset(seed)` start the same episode as in Gymnasium.
//!
//! Only what Gymnasium's built-in envs and spaces draw is here; numpy's
//! other distributions (normal, exponential, ...) are not.

mod generator;
mod pcg64;
mod seed_sequence;

pub use generator::NumpyGenerator;
pub use pcg64::{Pcg64, Pcg64State};
pub use seed_sequence::SeedSequence;

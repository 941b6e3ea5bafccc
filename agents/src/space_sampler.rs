//! [`SpaceSampler`]: Gymnasium's `space.seed(S)` then `space.sample()`.
//!
//! A Gymnasium space owns its own `np_random`; `space.seed(S)` replaces it
//! with `seeding.np_random(S)` (so `env.action_space.seed(S)` is the way to
//! reproducible random actions; an env's reset seed does not reach its
//! spaces). A `SpaceSampler` is that pairing: a [`Space`] and a
//! [`NumpyGenerator`], drawing what Gymnasium 1.4 draws:
//!
//! * `Discrete(n)`: `integers(n)`.
//! * `MultiDiscrete(nvec)`: one `random()` per component, times `nvec[i]`,
//!   truncated (Gymnasium's `(random(shape) * nvec).astype(int64)`). A
//!   vector env's batch of `Discrete(n)` actions is Gymnasium's
//!   `MultiDiscrete([n] * num_envs)`.
//! * `Box` with finite bounds: `uniform(low, high)` per component in `f64`
//!   from the `f32` bounds, rounded to `f32`.
//!
//! A `Box` with an infinite bound is refused: Gymnasium samples those from
//! numpy's ziggurat normal and exponential, which are not reproduced here.
//! [`Space::sample_into`] draws such spaces, from Agora's own stream.

use crate::numpy_rng::NumpyGenerator;
use crate::{Action, EnvError, Space};

/// A space and the generator its samples come from; see the module doc.
#[derive(Debug, Clone)]
pub struct SpaceSampler {
    space: Space,
    rng: NumpyGenerator,
    ints: Vec<i64>,
    floats: Vec<f32>,
}

impl SpaceSampler {
    /// `space.seed(seed)`; fails for a `Box` with an infinite bound.
    pub fn seeded(space: &Space, seed: u64) -> Result<Self, EnvError> {
        if let Space::Box { low, high } = space
            && low.iter().chain(high).any(|b| !b.is_finite())
        {
            return Err(EnvError::InvalidConfig(format!(
                "cannot sample {space} as Gymnasium does: numpy's normal and exponential \
                 draws for unbounded components are not reproduced"
            )));
        }
        Ok(Self {
            space: space.clone(),
            rng: NumpyGenerator::from_seed(seed),
            ints: vec![0; space.flat_dim()],
            floats: vec![0.0; space.flat_dim()],
        })
    }

    /// `space.seed(seed)` again: the samples start over from `seed`.
    pub fn seed(&mut self, seed: u64) {
        self.rng = NumpyGenerator::from_seed(seed);
    }

    /// The space.
    pub fn space(&self) -> &Space {
        &self.space
    }

    /// `space.sample()`, as an action of the space.
    pub fn sample(&mut self) -> Action<'_> {
        match &self.space {
            Space::Discrete { n } => Action::Discrete(self.rng.integers(*n) as i64),
            Space::MultiDiscrete { nvec } => {
                for (a, &n) in self.ints.iter_mut().zip(nvec) {
                    *a = (self.rng.random() * n as f64) as i64;
                }
                Action::MultiDiscrete(&self.ints)
            }
            Space::Box { low, high } => {
                for (x, (&lo, &hi)) in self.floats.iter_mut().zip(low.iter().zip(high)) {
                    *x = self.rng.uniform(f64::from(lo), f64::from(hi)) as f32;
                }
                Action::Box(&self.floats)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_members_and_reseeding_repeats_them() {
        let spaces = [
            Space::Discrete { n: 5 },
            Space::MultiDiscrete { nvec: vec![2, 7] },
            Space::Box {
                low: vec![-1.0, 3.0],
                high: vec![1.0, 3.5],
            },
        ];
        for space in spaces {
            let mut s = SpaceSampler::seeded(&space, 4).unwrap();
            let first: Vec<String> = (0..50)
                .map(|_| {
                    let a = s.sample();
                    assert!(space.contains(a), "{a} not in {space}");
                    a.to_string()
                })
                .collect();
            s.seed(4);
            let again: Vec<String> = (0..50).map(|_| s.sample().to_string()).collect();
            assert_eq!(first, again);
        }
    }

    #[test]
    fn an_unbounded_box_is_refused() {
        let space = Space::Box {
            low: vec![0.0],
            high: vec![f32::INFINITY],
        };
        let e = SpaceSampler::seeded(&space, 0).unwrap_err();
        assert!(e.to_string().contains("unbounded"), "{e}");
    }
}

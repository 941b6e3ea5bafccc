//! `VecEnv`: N environments stepped together, with Gymnasium 1.x autoreset.
//!
//! [`VecEnv<E>`] is generic over the concrete env type, so the per-env call
//! in the step loop is static and inlined (no dynamic dispatch per env per
//! step). It writes into a [`BatchMut`] (struct of arrays, see
//! [`batch`](crate::batch)) and allocates nothing while stepping.
//! [`VectorEnv`] is the object-safe face of a `VecEnv` for callers that pick
//! the env at run time (the registry's [`make_vec`](crate::make_vec)): one
//! dynamic call per batch, the loop inside is still monomorphic. A batch
//! type specialised for one env, such as
//! [`CartPoleVecEnv`](crate::env::cartpole_vector::CartPoleVecEnv), can
//! implement `VectorEnv` too.
//!
//! # Autoreset
//!
//! [`AutoresetMode::NextStep`] (Gymnasium 1.x's default): when env `i`'s
//! episode ends at step `t` (terminated or truncated), step `t` returns the
//! final observation, reward and flags as they are. At step `t + 1` env `i`
//! is reset instead of stepped: its action is ignored, `obs` is the reset
//! observation, `rewards[i] = 0`, `terminated[i] = truncated[i] = false` and
//! `autoreset[i] = true`. That slot is not a transition.
//!
//! [`AutoresetMode::SameStep`]: when env `i`'s episode ends at step `t`, it
//! is reset within step `t`: `final_obs` row `i` holds the episode's last
//! observation, `obs` row `i` the new episode's first, and `rewards`,
//! `terminated`, `truncated` are those of the final transition. Every slot
//! is a transition; `autoreset` stays false.
//!
//! [`VecEnv::step`] returns the number of transitions in the batch (slots
//! that were not autoreset-only), the throughput metric of the benchmarks.
//!
//! # Seeding and shards
//!
//! A `VecEnv` covers a contiguous range of *global* env indices
//! `first_index .. first_index + num_envs`. `reset(Some(seed))` seeds the env
//! with global index `g` with `seed + g` (Gymnasium's vector rule), so a
//! batch split into K shards over index ranges behaves exactly like one
//! `VecEnv` over all of them, whatever K. Autoresets continue each env's own
//! stream. A first reset without a seed acts as `reset(Some(0))`. Since
//! every env seeds and draws as Gymnasium's do, a seeded batch gives what
//! Gymnasium's `SyncVectorEnv` gives for the same seed, step for step
//! (for `seed + g` past `u64::MAX` the sum wraps, where Python's would not).

use std::ops::Range;

pub use crate::autoreset::AutoresetMode;

use crate::action::ActionBatch;
use crate::batch::BatchMut;
use crate::batch_episodes::BatchEpisodes;
use crate::env::Env;
use crate::env::snapshot::VecEnvSnapshot;
use crate::{Action, EnvError, Space};

/// The seeds of a batch reset, by the rule of the module doc.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResetSeeds {
    seed: Option<u64>,
    first_index: u64,
}

impl ResetSeeds {
    /// The seeds for a reset with `seed` of a batch starting at global
    /// index `first_index`, `started` if it was ever reset.
    pub(crate) fn new(seed: Option<u64>, started: bool, first_index: u64) -> Self {
        let seed = match (seed, started) {
            (Some(s), _) => Some(s),
            (None, false) => Some(0),
            (None, true) => None,
        };
        Self { seed, first_index }
    }

    /// The seed of the batch's env `i` (`None`: continue its stream).
    #[inline]
    pub(crate) fn of(self, i: usize) -> Option<u64> {
        self.seed
            .map(|s| s.wrapping_add(self.first_index + i as u64))
    }
}

/// A batch of environments of one concrete type; see the module doc.
#[derive(Debug, Clone)]
pub struct VecEnv<E> {
    envs: Vec<E>,
    first_index: u64,
    obs_dim: usize,
    act_dim: usize,
    observation_space: Space,
    action_space: Space,
    mode: AutoresetMode,
    episodes: BatchEpisodes,
}

impl<E: Env> VecEnv<E> {
    /// A batch of `envs`, the first having global index `first_index`.
    ///
    /// Fails on an empty list or on envs whose spaces differ.
    pub fn new(envs: Vec<E>, first_index: u64, mode: AutoresetMode) -> Result<Self, EnvError> {
        let Some(first) = envs.first() else {
            return Err(EnvError::InvalidConfig(
                "a VecEnv needs at least one env".into(),
            ));
        };
        let observation_space = first.observation_space().clone();
        let action_space = first.action_space().clone();
        if let Some(i) = envs.iter().position(|e| {
            e.observation_space() != &observation_space || e.action_space() != &action_space
        }) {
            return Err(EnvError::InvalidConfig(format!(
                "env {i} has different spaces than env 0"
            )));
        }
        let n = envs.len();
        Ok(Self {
            obs_dim: first.obs_dim(),
            act_dim: action_space.flat_dim(),
            envs,
            first_index,
            observation_space,
            action_space,
            mode,
            episodes: BatchEpisodes::new(n),
        })
    }

    /// A batch of clones of `prototype` over global indices `range`.
    pub fn from_prototype(
        prototype: E,
        range: Range<u64>,
        mode: AutoresetMode,
    ) -> Result<Self, EnvError>
    where
        E: Clone,
    {
        let n = range.end.saturating_sub(range.start) as usize;
        Self::new(vec![prototype; n], range.start, mode)
    }

    /// Number of envs.
    pub fn num_envs(&self) -> usize {
        self.envs.len()
    }

    /// Global index of the first env.
    pub fn first_index(&self) -> u64 {
        self.first_index
    }

    /// Observation length per env.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// The envs, in index order.
    pub fn envs(&self) -> &[E] {
        &self.envs
    }

    /// The envs, mutably (e.g. to set a state for a test).
    pub fn envs_mut(&mut self) -> &mut [E] {
        &mut self.envs
    }

    /// Resets every env and writes the first observations; rewards and
    /// flags are cleared. `Some(seed)` seeds global env `g` with `seed + g`.
    pub fn reset(&mut self, seed: Option<u64>, mut out: BatchMut<'_>) -> Result<(), EnvError> {
        out.check(self.envs.len(), self.obs_dim)?;
        let seeds = ResetSeeds::new(seed, self.episodes.started, self.first_index);
        let d = self.obs_dim;
        for (i, (env, o)) in self
            .envs
            .iter_mut()
            .zip(out.obs.chunks_exact_mut(d))
            .enumerate()
        {
            env.reset_into(seeds.of(i), o);
        }
        out.clear_after_reset();
        self.episodes.start();
        Ok(())
    }

    /// Steps every env with its action; returns the number of transitions.
    ///
    /// The whole batch is validated first (length, and every action in the
    /// action space), so a bad batch changes nothing.
    pub fn step(&mut self, actions: ActionBatch<'_>, out: BatchMut<'_>) -> Result<usize, EnvError> {
        if !self.episodes.started {
            return Err(EnvError::ResetNeeded);
        }
        self.check_actions(actions)?;
        out.check(self.envs.len(), self.obs_dim)?;
        let dim = self.act_dim;
        match actions {
            ActionBatch::Discrete(a) => self.step_with(out, |i| Action::Discrete(a[i])),
            ActionBatch::Box(a) => self.step_with(out, |i| Action::Box(&a[i * dim..(i + 1) * dim])),
            ActionBatch::MultiDiscrete(a) => {
                self.step_with(out, |i| Action::MultiDiscrete(&a[i * dim..(i + 1) * dim]))
            }
        }
    }

    /// See [`VectorEnv::snapshot`].
    pub fn snapshot(&self) -> Result<VecEnvSnapshot, EnvError> {
        let envs = self
            .envs
            .iter()
            .map(|e| e.snapshot())
            .collect::<Result<_, _>>()?;
        Ok(self
            .episodes
            .snapshot(self.envs[0].id(), self.first_index, self.mode, envs))
    }

    /// See [`VectorEnv::restore`].
    pub fn restore(&mut self, snapshot: &VecEnvSnapshot) -> Result<(), EnvError>
    where
        E: Clone,
    {
        snapshot.check_fits(
            self.envs[0].id(),
            self.first_index,
            self.envs.len(),
            self.mode,
        )?;
        // Restore into copies first so that a bad env snapshot halfway
        // through leaves the batch as it was.
        let mut envs = self.envs.clone();
        for (e, s) in envs.iter_mut().zip(&snapshot.envs) {
            e.restore(s)?;
        }
        self.envs = envs;
        self.episodes.restore(snapshot);
        Ok(())
    }

    fn check_actions(&self, actions: ActionBatch<'_>) -> Result<(), EnvError> {
        let n = self.envs.len();
        let expected = n * self.act_dim;
        let kind_ok = matches!(
            (&self.action_space, actions),
            (Space::Discrete { .. }, ActionBatch::Discrete(_))
                | (Space::Box { .. }, ActionBatch::Box(_))
                | (Space::MultiDiscrete { .. }, ActionBatch::MultiDiscrete(_))
        );
        if !kind_ok {
            return Err(EnvError::InvalidAction {
                action: format!("{actions:?}"),
                space: self.action_space.to_string(),
            });
        }
        if actions.len() != expected {
            return Err(EnvError::ActionBatchLength {
                got: actions.len(),
                expected,
                num_envs: n,
            });
        }
        match (&self.action_space, actions) {
            (Space::Discrete { n }, ActionBatch::Discrete(a)) => {
                // One branch-free pass; the error path finds the culprit.
                let n = *n;
                if a.iter()
                    .fold(true, |ok, &x| ok & (x >= 0) & ((x as u64) < n))
                {
                    return Ok(());
                }
            }
            _ => {
                if (0..n).all(|i| self.action_space.contains(actions.get(i, self.act_dim))) {
                    return Ok(());
                }
            }
        }
        let bad = (0..n)
            .find(|&i| !self.action_space.contains(actions.get(i, self.act_dim)))
            .unwrap_or(0);
        Err(EnvError::InvalidAction {
            action: format!("{} (env {bad})", actions.get(bad, self.act_dim)),
            space: self.action_space.to_string(),
        })
    }

    #[inline]
    fn step_with<'a>(
        &mut self,
        out: BatchMut<'_>,
        action: impl Fn(usize) -> Action<'a>,
    ) -> Result<usize, EnvError> {
        let d = self.obs_dim;
        let mut transitions = 0;
        match self.mode {
            AutoresetMode::NextStep => {
                for (i, (env, o)) in self
                    .envs
                    .iter_mut()
                    .zip(out.obs.chunks_exact_mut(d))
                    .enumerate()
                {
                    if self.episodes.pending_reset[i] {
                        env.reset_into(None, o);
                        self.episodes.pending_reset[i] = false;
                        self.episodes.episode_return[i] = 0.0;
                        self.episodes.episode_length[i] = 0;
                        out.rewards[i] = 0.0;
                        out.terminated[i] = false;
                        out.truncated[i] = false;
                        out.autoreset[i] = true;
                        out.episode_return[i] = 0.0;
                        out.episode_length[i] = 0;
                        continue;
                    }
                    let r = env.step_into(action(i), o)?;
                    transitions += 1;
                    let ret = self.episodes.episode_return[i] + r.reward;
                    let len = self.episodes.episode_length[i] + 1;
                    let done = r.terminated | r.truncated;
                    self.episodes.episode_return[i] = ret;
                    self.episodes.episode_length[i] = len;
                    self.episodes.pending_reset[i] = done;
                    out.rewards[i] = r.reward as f32;
                    out.terminated[i] = r.terminated;
                    out.truncated[i] = r.truncated;
                    out.autoreset[i] = false;
                    out.episode_return[i] = if done { ret } else { 0.0 };
                    out.episode_length[i] = if done { len } else { 0 };
                }
            }
            AutoresetMode::SameStep => {
                for (i, (env, (o, fo))) in self
                    .envs
                    .iter_mut()
                    .zip(
                        out.obs
                            .chunks_exact_mut(d)
                            .zip(out.final_obs.chunks_exact_mut(d)),
                    )
                    .enumerate()
                {
                    let r = env.step_into(action(i), o)?;
                    transitions += 1;
                    let ret = self.episodes.episode_return[i] + r.reward;
                    let len = self.episodes.episode_length[i] + 1;
                    let done = r.terminated | r.truncated;
                    out.rewards[i] = r.reward as f32;
                    out.terminated[i] = r.terminated;
                    out.truncated[i] = r.truncated;
                    out.autoreset[i] = false;
                    if done {
                        fo.copy_from_slice(o);
                        env.reset_into(None, o);
                        out.episode_return[i] = ret;
                        out.episode_length[i] = len;
                        self.episodes.episode_return[i] = 0.0;
                        self.episodes.episode_length[i] = 0;
                    } else {
                        out.episode_return[i] = 0.0;
                        out.episode_length[i] = 0;
                        self.episodes.episode_return[i] = ret;
                        self.episodes.episode_length[i] = len;
                    }
                }
            }
        }
        Ok(transitions)
    }
}

/// The object-safe face of a [`VecEnv`]: one dynamic call per batch.
pub trait VectorEnv: Send {
    /// The id of the envs in the batch.
    fn id(&self) -> &str;
    /// Number of envs.
    fn num_envs(&self) -> usize;
    /// Global index of the first env.
    fn first_index(&self) -> u64;
    /// Observation length per env.
    fn obs_dim(&self) -> usize;
    /// The observation space of one env.
    fn observation_space(&self) -> &Space;
    /// The action space of one env.
    fn action_space(&self) -> &Space;
    /// The autoreset mode.
    fn autoreset_mode(&self) -> AutoresetMode;
    /// See [`VecEnv::reset`].
    fn reset(&mut self, seed: Option<u64>, out: BatchMut<'_>) -> Result<(), EnvError>;
    /// See [`VecEnv::step`].
    fn step(&mut self, actions: ActionBatch<'_>, out: BatchMut<'_>) -> Result<usize, EnvError>;
    /// Env `i` of the batch (local index), when the batch holds env
    /// objects (a struct-of-arrays batch returns `None`).
    fn env(&self, i: usize) -> Option<&dyn Env>;
    /// Env `i` of the batch, mutably (`None` as for [`env`](VectorEnv::env)).
    fn env_mut(&mut self, i: usize) -> Option<&mut dyn Env>;
    /// The internal state of env `i` (layout as [`Env::state`]).
    fn state(&self, i: usize) -> Option<Vec<f64>> {
        self.env(i).map(|e| e.state())
    }
    /// An RGB picture of env `i`.
    fn render_rgb(&self, i: usize) -> Option<crate::render::Frame> {
        self.env(i).map(|e| e.render_rgb())
    }
    /// A text board of env `i` (grid environments).
    fn render_text(&self, i: usize) -> Option<String> {
        self.env(i).and_then(|e| e.render_text())
    }
    /// Everything needed to continue this batch bit for bit later (env
    /// states, RNG positions, time-limit counters, autoreset flags).
    fn snapshot(&self) -> Result<VecEnvSnapshot, EnvError>;
    /// Puts back a [`snapshot`](VectorEnv::snapshot) of a batch built with
    /// the same id, parameters, index range and autoreset mode. A snapshot
    /// that does not fit is an error; the batch is then unchanged.
    fn restore(&mut self, snapshot: &VecEnvSnapshot) -> Result<(), EnvError>;
}

impl<E: Env + Clone + 'static> VectorEnv for VecEnv<E> {
    fn id(&self) -> &str {
        self.envs[0].id()
    }
    fn num_envs(&self) -> usize {
        self.envs.len()
    }
    fn first_index(&self) -> u64 {
        self.first_index
    }
    fn obs_dim(&self) -> usize {
        self.obs_dim
    }
    fn observation_space(&self) -> &Space {
        &self.observation_space
    }
    fn action_space(&self) -> &Space {
        &self.action_space
    }
    fn autoreset_mode(&self) -> AutoresetMode {
        self.mode
    }
    fn reset(&mut self, seed: Option<u64>, out: BatchMut<'_>) -> Result<(), EnvError> {
        VecEnv::reset(self, seed, out)
    }
    fn step(&mut self, actions: ActionBatch<'_>, out: BatchMut<'_>) -> Result<usize, EnvError> {
        VecEnv::step(self, actions, out)
    }
    fn env(&self, i: usize) -> Option<&dyn Env> {
        self.envs.get(i).map(|e| e as &dyn Env)
    }
    fn env_mut(&mut self, i: usize) -> Option<&mut dyn Env> {
        self.envs.get_mut(i).map(|e| e as &mut dyn Env)
    }
    fn snapshot(&self) -> Result<VecEnvSnapshot, EnvError> {
        VecEnv::snapshot(self)
    }
    fn restore(&mut self, snapshot: &VecEnvSnapshot) -> Result<(), EnvError> {
        VecEnv::restore(self, snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Batch, shard_ranges};
    use crate::env::cartpole::CartPole;
    use crate::env::mountain_car::MountainCar;
    use crate::wrappers::TimeLimit;

    fn cartpoles(range: Range<u64>, mode: AutoresetMode) -> VecEnv<TimeLimit<CartPole>> {
        VecEnv::from_prototype(TimeLimit::new(CartPole::default(), 500), range, mode).unwrap()
    }

    #[test]
    fn next_step_autoreset_returns_final_then_reset_slot() {
        let mut v = VecEnv::from_prototype(
            TimeLimit::new(MountainCar::default(), 2),
            0..2,
            AutoresetMode::NextStep,
        )
        .unwrap();
        let mut b = Batch::new(2, 2);
        v.reset(Some(1), b.view_mut()).unwrap();
        assert_eq!(
            v.step(ActionBatch::Discrete(&[1, 1]), b.view_mut())
                .unwrap(),
            2
        );
        assert_eq!(
            v.step(ActionBatch::Discrete(&[1, 1]), b.view_mut())
                .unwrap(),
            2
        );
        assert_eq!(b.truncated, vec![true, true]);
        assert_eq!(b.rewards, vec![-1.0, -1.0]);
        assert_eq!(b.episode_return, vec![-2.0, -2.0]);
        assert_eq!(b.episode_length, vec![2, 2]);
        // Autoreset slot: no transition, the action (even an odd one) is ignored.
        assert_eq!(
            v.step(ActionBatch::Discrete(&[0, 2]), b.view_mut())
                .unwrap(),
            0
        );
        assert_eq!(b.autoreset, vec![true, true]);
        assert_eq!(b.rewards, vec![0.0, 0.0]);
        assert_eq!(b.truncated, vec![false, false]);
        assert_eq!(b.obs_of(0)[1], 0.0, "reset velocity");
        assert_eq!(
            v.step(ActionBatch::Discrete(&[1, 1]), b.view_mut())
                .unwrap(),
            2
        );
        assert_eq!(b.autoreset, vec![false, false]);
    }

    #[test]
    fn same_step_autoreset_puts_the_final_obs_aside() {
        let mut v = VecEnv::from_prototype(
            TimeLimit::new(MountainCar::default(), 2),
            0..1,
            AutoresetMode::SameStep,
        )
        .unwrap();
        let mut b = Batch::new(1, 2);
        v.reset(Some(1), b.view_mut()).unwrap();
        v.step(ActionBatch::Discrete(&[2]), b.view_mut()).unwrap();
        let before = b.obs.clone();
        assert_eq!(
            v.step(ActionBatch::Discrete(&[2]), b.view_mut()).unwrap(),
            1
        );
        assert!(b.truncated[0]);
        assert_eq!(b.rewards[0], -1.0);
        assert_eq!(b.obs[1], 0.0, "obs is the reset observation");
        assert!(b.final_obs[0] != before[0] || b.final_obs[1] != before[1]);
        assert!(b.final_obs[1] > 0.0, "pushed right twice");
        assert_eq!(b.episode_length[0], 2);
    }

    #[test]
    fn sharded_batches_equal_the_unsharded_batch() {
        let n = 7;
        let mut whole = cartpoles(0..n, AutoresetMode::NextStep);
        let mut b_whole = Batch::new(n as usize, 4);
        whole.reset(Some(9), b_whole.view_mut()).unwrap();

        let ranges = shard_ranges(n as usize, 3).unwrap();
        let mut shards: Vec<_> = ranges
            .iter()
            .map(|r| cartpoles(r.start as u64..r.end as u64, AutoresetMode::NextStep))
            .collect();
        let mut b_sharded = Batch::new(n as usize, 4);
        for (s, view) in shards
            .iter_mut()
            .zip(b_sharded.shards_mut(&ranges).unwrap())
        {
            s.reset(Some(9), view).unwrap();
        }
        assert_eq!(b_whole, b_sharded);

        let mut rng = crate::Rng::seed_from_u64(4);
        for _ in 0..200 {
            let actions: Vec<i64> = (0..n).map(|_| rng.below(2) as i64).collect();
            let t_whole = whole
                .step(ActionBatch::Discrete(&actions), b_whole.view_mut())
                .unwrap();
            let mut t_sharded = 0;
            for ((s, view), r) in shards
                .iter_mut()
                .zip(b_sharded.shards_mut(&ranges).unwrap())
                .zip(&ranges)
            {
                t_sharded += s
                    .step(ActionBatch::Discrete(&actions[r.clone()]), view)
                    .unwrap();
            }
            assert_eq!(t_whole, t_sharded);
            assert_eq!(b_whole, b_sharded);
        }
    }

    #[test]
    fn envs_get_different_seeds() {
        let mut v = cartpoles(0..4, AutoresetMode::NextStep);
        let mut b = Batch::new(4, 4);
        v.reset(None, b.view_mut()).unwrap();
        assert_ne!(b.obs_of(0), b.obs_of(1));
        let first = b.clone();
        v.reset(Some(0), b.view_mut()).unwrap();
        assert_eq!(first, b, "first unseeded reset equals seed 0");
    }

    #[test]
    fn bad_batches_are_rejected_without_stepping() {
        let mut v = cartpoles(0..3, AutoresetMode::NextStep);
        let mut b = Batch::new(3, 4);
        assert_eq!(
            v.step(ActionBatch::Discrete(&[0, 1, 0]), b.view_mut())
                .unwrap_err(),
            EnvError::ResetNeeded
        );
        v.reset(Some(0), b.view_mut()).unwrap();
        let snapshot = b.clone();
        let e = v
            .step(ActionBatch::Discrete(&[0, 1]), b.view_mut())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "action batch has 2 values, expected 3 (3 envs)"
        );
        let e = v
            .step(ActionBatch::Discrete(&[0, 1, 2]), b.view_mut())
            .unwrap_err();
        assert!(e.to_string().contains("env 2"), "{e}");
        assert!(
            v.step(ActionBatch::Box(&[0.0, 0.0, 0.0]), b.view_mut())
                .is_err()
        );
        let mut small = Batch::new(2, 4);
        assert!(matches!(
            v.step(ActionBatch::Discrete(&[0, 1, 0]), small.view_mut()),
            Err(EnvError::BufferLength { .. })
        ));
        assert_eq!(b, snapshot);
        assert_eq!(v.envs()[0].elapsed_steps(), Some(0));
    }

    #[test]
    fn cartpole_batch_matches_single_envs() {
        let mut v = cartpoles(0..3, AutoresetMode::NextStep);
        let mut b = Batch::new(3, 4);
        v.reset(Some(5), b.view_mut()).unwrap();
        let mut singles: Vec<_> = (0..3)
            .map(|_| TimeLimit::new(CartPole::default(), 500))
            .collect();
        for (g, e) in singles.iter_mut().enumerate() {
            let (obs, _) = e.reset(Some(5 + g as u64));
            assert_eq!(obs, b.obs_of(g));
        }
        for t in 0..30 {
            let actions = [t % 2, (t / 2) % 2, 1];
            v.step(ActionBatch::Discrete(&actions), b.view_mut())
                .unwrap();
            for (g, e) in singles.iter_mut().enumerate() {
                if b.autoreset[g] {
                    let (obs, _) = e.reset(None);
                    assert_eq!(obs, b.obs_of(g));
                } else {
                    let s = e.step(Action::Discrete(actions[g])).unwrap();
                    assert_eq!(s.obs, b.obs_of(g));
                    assert_eq!(
                        (s.terminated, s.truncated),
                        (b.terminated[g], b.truncated[g])
                    );
                }
            }
        }
    }

    #[test]
    fn dynamic_vector_env_forwards() {
        let v: Box<dyn VectorEnv> = Box::new(cartpoles(10..12, AutoresetMode::SameStep));
        assert_eq!(v.id(), "CartPole-v1");
        assert_eq!((v.num_envs(), v.first_index(), v.obs_dim()), (2, 10, 4));
        assert_eq!(v.autoreset_mode(), AutoresetMode::SameStep);
        assert!(v.env(1).is_some() && v.env(2).is_none());
    }
}

//! `CartPoleVecEnv`: a batch of `CartPole-v1` envs in struct-of-arrays form.
//!
//! The counterpart of Gymnasium's `CartPoleVectorEnv` (its
//! `vector_entry_point`): the four state variables of all envs live in four
//! flat arrays and a step runs the physics as straight-line passes over
//! them, which the compiler vectorizes and interleaves across envs; the
//! per-env bookkeeping (termination, time limit, autoreset, episode
//! statistics) follows in a second pass. The registry's
//! [`make_vec`](crate::make_vec) uses it for `CartPole-v1`.
//!
//! It is observably identical to
//! `VecEnv<TimeLimit<CartPole>>` over the same index range: same
//! arithmetic in the same order, same per-env
//! [`EnvRng`](crate::env::env_rng::EnvRng) seeding (`seed + global index`)
//! and draws, same autoreset rules (see [`vec_env`](crate::vec_env)); a
//! test holds the two to bitwise equality. Seeded, it therefore draws what
//! Gymnasium's `SyncVectorEnv` draws, not what `CartPoleVectorEnv` draws
//! (that one seeds a single generator for the whole batch).

use std::ops::Range;

use crate::action::ActionBatch;
use crate::batch::BatchMut;
use crate::batch_episodes::BatchEpisodes;
use crate::env::cartpole::{CartPole, physics};
use crate::env::env_rng::EnvRng;
use crate::env::snapshot::{EnvSnapshot, VecEnvSnapshot, as_u32};
use crate::env::{Env, trig};
use crate::render::Frame;
use crate::vec_env::{AutoresetMode, ResetSeeds, VectorEnv};
use crate::{EnvError, Params, Space};

/// A batch of cart-poles with a time limit; see the module doc.
#[derive(Debug, Clone)]
pub struct CartPoleVecEnv {
    first_index: u64,
    x: Vec<f64>,
    x_dot: Vec<f64>,
    theta: Vec<f64>,
    theta_dot: Vec<f64>,
    /// Scratch: sin and cos of `theta`, one pass ahead of the physics.
    sin: Vec<f64>,
    cos: Vec<f64>,
    elapsed: Vec<u32>,
    rngs: Vec<EnvRng>,
    episodes: BatchEpisodes,
    max_episode_steps: u32,
    sutton_barto_reward: bool,
    mode: AutoresetMode,
    proto: CartPole,
}

impl CartPoleVecEnv {
    /// Envs with global indices `range`, episodes cut at `max_episode_steps`.
    pub fn new(
        range: Range<u64>,
        mode: AutoresetMode,
        sutton_barto_reward: bool,
        max_episode_steps: u32,
    ) -> Result<Self, EnvError> {
        let n = range.end.saturating_sub(range.start) as usize;
        if n == 0 {
            return Err(EnvError::InvalidConfig(format!(
                "empty env index range {range:?}"
            )));
        }
        Ok(Self {
            first_index: range.start,
            x: vec![0.0; n],
            x_dot: vec![0.0; n],
            theta: vec![0.0; n],
            theta_dot: vec![0.0; n],
            sin: vec![0.0; n],
            cos: vec![0.0; n],
            elapsed: vec![0; n],
            rngs: vec![EnvRng::default(); n],
            episodes: BatchEpisodes::new(n),
            max_episode_steps,
            sutton_barto_reward,
            mode,
            proto: CartPole::new(sutton_barto_reward),
        })
    }

    /// Builds from `make()` parameters (CartPole's own; the time limit is
    /// given separately, as the registry resolves it).
    pub fn from_params(
        params: &Params,
        range: Range<u64>,
        mode: AutoresetMode,
        max_episode_steps: u32,
    ) -> Result<Self, EnvError> {
        let proto = CartPole::from_params(params)?;
        Self::new(range, mode, proto.sutton_barto_reward(), max_episode_steps)
    }

    fn n(&self) -> usize {
        self.x.len()
    }

    /// Draws env `i`'s initial state, as `CartPole::reset_into` does.
    #[inline]
    fn reset_env(&mut self, i: usize, seed: Option<u64>) {
        let rng = &mut self.rngs[i];
        rng.on_reset(seed);
        self.x[i] = rng.uniform(-0.05, 0.05);
        self.x_dot[i] = rng.uniform(-0.05, 0.05);
        self.theta[i] = rng.uniform(-0.05, 0.05);
        self.theta_dot[i] = rng.uniform(-0.05, 0.05);
        self.elapsed[i] = 0;
        self.episodes.episode_return[i] = 0.0;
        self.episodes.episode_length[i] = 0;
    }

    #[inline(always)]
    fn write_obs(&self, i: usize, o: &mut [f32]) {
        o[0] = self.x[i] as f32;
        o[1] = self.x_dot[i] as f32;
        o[2] = self.theta[i] as f32;
        o[3] = self.theta_dot[i] as f32;
    }

    /// Advances every env's physics one step (envs awaiting an autoreset
    /// too; their state is overwritten by the reset right after).
    fn integrate(&mut self, actions: &[i64]) {
        // Pass 1: the polynomial for every angle, branch-free so it vectorizes.
        for ((s, c), &th) in self
            .sin
            .iter_mut()
            .zip(self.cos.iter_mut())
            .zip(&self.theta)
        {
            (*s, *c) = trig::sin_cos_kernel(th);
        }
        // Pass 2: the rare angles outside the kernel's range go to libm.
        for ((s, c), &th) in self
            .sin
            .iter_mut()
            .zip(self.cos.iter_mut())
            .zip(&self.theta)
        {
            if !trig::in_kernel_range(th) {
                (*s, *c) = th.sin_cos();
            }
        }
        // Pass 3: the equations of motion.
        let n = self.n();
        let (x, xd, th, thd) = (
            &mut self.x[..n],
            &mut self.x_dot[..n],
            &mut self.theta[..n],
            &mut self.theta_dot[..n],
        );
        let (sin, cos, actions) = (&self.sin[..n], &self.cos[..n], &actions[..n]);
        for i in 0..n {
            let (nx, nxd, nth, nthd) =
                physics(x[i], xd[i], th[i], thd[i], actions[i] == 1, sin[i], cos[i]);
            x[i] = nx;
            xd[i] = nxd;
            th[i] = nth;
            thd[i] = nthd;
        }
    }

    /// Rewards and flags of env `i` after `integrate`.
    #[inline(always)]
    fn outcome(&mut self, i: usize) -> (f64, bool, bool) {
        let terminated = CartPole::is_terminal(self.x[i], self.theta[i]);
        let reward = match (self.sutton_barto_reward, terminated) {
            (false, _) => 1.0,
            (true, false) => 0.0,
            (true, true) => -1.0,
        };
        self.elapsed[i] = self.elapsed[i].saturating_add(1);
        (
            reward,
            terminated,
            self.elapsed[i] >= self.max_episode_steps,
        )
    }

    fn check_actions<'a>(&self, actions: ActionBatch<'a>) -> Result<&'a [i64], EnvError> {
        let n = self.n();
        let ActionBatch::Discrete(a) = actions else {
            return Err(EnvError::InvalidAction {
                action: format!("{actions:?}"),
                space: "Discrete(2)".into(),
            });
        };
        if a.len() != n {
            return Err(EnvError::ActionBatchLength {
                got: a.len(),
                expected: n,
                num_envs: n,
            });
        }
        if a.iter().fold(true, |ok, &v| ok & ((v == 0) | (v == 1))) {
            return Ok(a);
        }
        let bad = a.iter().position(|&v| v != 0 && v != 1).unwrap_or(0);
        Err(EnvError::InvalidAction {
            action: format!("{} (env {bad})", a[bad]),
            space: "Discrete(2)".into(),
        })
    }
}

impl VectorEnv for CartPoleVecEnv {
    fn id(&self) -> &str {
        CartPole::ID
    }

    fn num_envs(&self) -> usize {
        self.n()
    }

    fn first_index(&self) -> u64 {
        self.first_index
    }

    fn obs_dim(&self) -> usize {
        4
    }

    fn observation_space(&self) -> &Space {
        self.proto.observation_space()
    }

    fn action_space(&self) -> &Space {
        self.proto.action_space()
    }

    fn autoreset_mode(&self) -> AutoresetMode {
        self.mode
    }

    fn reset(&mut self, seed: Option<u64>, mut out: BatchMut<'_>) -> Result<(), EnvError> {
        out.check(self.n(), 4)?;
        let seeds = ResetSeeds::new(seed, self.episodes.started, self.first_index);
        for (i, o) in out.obs.chunks_exact_mut(4).enumerate() {
            self.reset_env(i, seeds.of(i));
            self.write_obs(i, o);
        }
        out.clear_after_reset();
        self.episodes.start();
        Ok(())
    }

    fn step(&mut self, actions: ActionBatch<'_>, out: BatchMut<'_>) -> Result<usize, EnvError> {
        if !self.episodes.started {
            return Err(EnvError::ResetNeeded);
        }
        let actions = self.check_actions(actions)?;
        out.check(self.n(), 4)?;
        self.integrate(actions);
        // Re-slice every column to n rows so the indexing below needs no
        // bounds checks (lengths were checked above and at construction).
        let n = self.n();
        let obs = &mut out.obs[..4 * n];
        let final_obs = &mut out.final_obs[..4 * n];
        let rewards = &mut out.rewards[..n];
        let terminated_out = &mut out.terminated[..n];
        let truncated_out = &mut out.truncated[..n];
        let autoreset = &mut out.autoreset[..n];
        let ep_return_out = &mut out.episode_return[..n];
        let ep_length_out = &mut out.episode_length[..n];
        let mut transitions = 0;
        for i in 0..n {
            let o = &mut obs[4 * i..4 * i + 4];
            if self.mode == AutoresetMode::NextStep && self.episodes.pending_reset[i] {
                self.reset_env(i, None);
                self.write_obs(i, o);
                self.episodes.pending_reset[i] = false;
                rewards[i] = 0.0;
                terminated_out[i] = false;
                truncated_out[i] = false;
                autoreset[i] = true;
                ep_return_out[i] = 0.0;
                ep_length_out[i] = 0;
                continue;
            }
            transitions += 1;
            let (reward, terminated, truncated) = self.outcome(i);
            let ret = self.episodes.episode_return[i] + reward;
            let len = self.episodes.episode_length[i] + 1;
            let done = terminated | truncated;
            rewards[i] = reward as f32;
            terminated_out[i] = terminated;
            truncated_out[i] = truncated;
            autoreset[i] = false;
            ep_return_out[i] = if done { ret } else { 0.0 };
            ep_length_out[i] = if done { len } else { 0 };
            self.episodes.episode_return[i] = ret;
            self.episodes.episode_length[i] = len;
            match self.mode {
                AutoresetMode::NextStep => self.episodes.pending_reset[i] = done,
                AutoresetMode::SameStep if done => {
                    self.write_obs(i, &mut final_obs[4 * i..4 * i + 4]);
                    self.reset_env(i, None);
                }
                AutoresetMode::SameStep => {}
            }
            self.write_obs(i, o);
        }
        Ok(transitions)
    }

    /// Always `None`: the envs exist only as columns. Use
    /// [`render_rgb`](VectorEnv::render_rgb) or [`state`](VectorEnv::state).
    fn env(&self, _i: usize) -> Option<&dyn Env> {
        None
    }

    /// Always `None`; see [`env`](VectorEnv::env).
    fn env_mut(&mut self, _i: usize) -> Option<&mut dyn Env> {
        None
    }

    /// Written as a `VecEnv<TimeLimit<CartPole>>` would write it, so the
    /// two restore each other's snapshots.
    fn snapshot(&self) -> Result<VecEnvSnapshot, EnvError> {
        let envs = (0..self.n())
            .map(|i| EnvSnapshot {
                values: vec![
                    self.x[i],
                    self.x_dot[i],
                    self.theta[i],
                    self.theta_dot[i],
                    // steps_beyond_terminated: a batch never steps a
                    // finished episode, so it is always unset.
                    -1.0,
                    f64::from(u8::from(self.episodes.started)),
                ],
                rng: self.rngs[i].clone(),
                layers: vec![f64::from(self.elapsed[i])],
            })
            .collect();
        Ok(self
            .episodes
            .snapshot(CartPole::ID, self.first_index, self.mode, envs))
    }

    fn restore(&mut self, snapshot: &VecEnvSnapshot) -> Result<(), EnvError> {
        let n = self.n();
        snapshot.check_fits(CartPole::ID, self.first_index, n, self.mode)?;
        let mut parsed = Vec::with_capacity(n);
        for s in &snapshot.envs {
            let (inner, layer) = s.split_layers("TimeLimit", 1)?;
            let v = inner.values_of(CartPole::ID, 6)?;
            let elapsed = as_u32(layer[0], "elapsed_steps")?;
            parsed.push(([v[0], v[1], v[2], v[3]], elapsed, inner.rng));
        }
        for (i, (state, elapsed, rng)) in parsed.into_iter().enumerate() {
            [self.x[i], self.x_dot[i], self.theta[i], self.theta_dot[i]] = state;
            self.elapsed[i] = elapsed;
            self.rngs[i] = rng;
        }
        self.episodes.restore(snapshot);
        Ok(())
    }

    fn state(&self, i: usize) -> Option<Vec<f64>> {
        (i < self.n()).then(|| vec![self.x[i], self.x_dot[i], self.theta[i], self.theta_dot[i]])
    }

    fn render_rgb(&self, i: usize) -> Option<Frame> {
        let state = self.state(i)?;
        let mut env = self.proto.clone();
        env.set_state(&state).ok()?;
        Some(env.render_rgb())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Batch, shard_ranges};
    use crate::vec_env::VecEnv;
    use crate::wrappers::TimeLimit;

    /// Steps the SoA batch and the generic `VecEnv<TimeLimit<CartPole>>` with
    /// the same random actions and requires identical batches.
    fn same_as_generic(mode: AutoresetMode, sutton_barto: bool, limit: u32) {
        let n = 37;
        let mut soa = CartPoleVecEnv::new(3..3 + n, mode, sutton_barto, limit).unwrap();
        let mut generic = VecEnv::from_prototype(
            TimeLimit::new(CartPole::new(sutton_barto), limit),
            3..3 + n,
            mode,
        )
        .unwrap();
        let (mut a, mut b) = (Batch::new(n as usize, 4), Batch::new(n as usize, 4));
        soa.reset(Some(77), a.view_mut()).unwrap();
        generic.reset(Some(77), b.view_mut()).unwrap();
        assert_eq!(a, b);
        let mut rng = crate::Rng::seed_from_u64(1);
        let mut ended = 0;
        for _ in 0..600 {
            let actions: Vec<i64> = (0..n).map(|_| rng.below(2) as i64).collect();
            let ta = soa
                .step(ActionBatch::Discrete(&actions), a.view_mut())
                .unwrap();
            let tb = generic
                .step(ActionBatch::Discrete(&actions), b.view_mut())
                .unwrap();
            assert_eq!(ta, tb);
            assert_eq!(a, b);
            ended += a
                .terminated
                .iter()
                .chain(&a.truncated)
                .filter(|d| **d)
                .count();
        }
        assert!(ended > 100, "episodes ended: {ended}");
    }

    #[test]
    fn equals_the_generic_vec_env_next_step() {
        same_as_generic(AutoresetMode::NextStep, false, 500);
    }

    #[test]
    fn equals_the_generic_vec_env_same_step_with_truncation_and_sutton_barto() {
        same_as_generic(AutoresetMode::SameStep, true, 15);
    }

    #[test]
    fn shards_equal_the_whole() {
        let n = 10;
        let mut whole = CartPoleVecEnv::new(0..n, AutoresetMode::NextStep, false, 500).unwrap();
        let ranges = shard_ranges(n as usize, 4).unwrap();
        let mut shards: Vec<_> = ranges
            .iter()
            .map(|r| {
                CartPoleVecEnv::new(
                    r.start as u64..r.end as u64,
                    AutoresetMode::NextStep,
                    false,
                    500,
                )
                .unwrap()
            })
            .collect();
        let (mut a, mut b) = (Batch::new(n as usize, 4), Batch::new(n as usize, 4));
        whole.reset(Some(5), a.view_mut()).unwrap();
        for (s, v) in shards.iter_mut().zip(b.shards_mut(&ranges).unwrap()) {
            s.reset(Some(5), v).unwrap();
        }
        for t in 0..100 {
            let actions: Vec<i64> = (0..n as i64).map(|i| (i + t) % 2).collect();
            whole
                .step(ActionBatch::Discrete(&actions), a.view_mut())
                .unwrap();
            for ((s, v), r) in shards
                .iter_mut()
                .zip(b.shards_mut(&ranges).unwrap())
                .zip(&ranges)
            {
                s.step(ActionBatch::Discrete(&actions[r.clone()]), v)
                    .unwrap();
            }
            assert_eq!(a, b);
        }
    }

    #[test]
    fn bad_batches_are_rejected() {
        let mut v = CartPoleVecEnv::new(0..2, AutoresetMode::NextStep, false, 500).unwrap();
        let mut b = Batch::new(2, 4);
        assert_eq!(
            v.step(ActionBatch::Discrete(&[0, 1]), b.view_mut())
                .unwrap_err(),
            EnvError::ResetNeeded
        );
        v.reset(None, b.view_mut()).unwrap();
        assert!(v.step(ActionBatch::Discrete(&[0]), b.view_mut()).is_err());
        let e = v
            .step(ActionBatch::Discrete(&[0, 2]), b.view_mut())
            .unwrap_err();
        assert!(e.to_string().contains("env 1"), "{e}");
        assert!(v.step(ActionBatch::Box(&[0.0, 0.0]), b.view_mut()).is_err());
        assert!(CartPoleVecEnv::new(4..4, AutoresetMode::NextStep, false, 500).is_err());
    }

    #[test]
    fn renders_and_reports_state_per_env() {
        let mut v = CartPoleVecEnv::new(0..2, AutoresetMode::NextStep, false, 500).unwrap();
        let mut b = Batch::new(2, 4);
        v.reset(Some(0), b.view_mut()).unwrap();
        let s = v.state(1).unwrap();
        assert_eq!(s.iter().map(|&x| x as f32).collect::<Vec<_>>(), b.obs_of(1));
        assert_eq!(v.render_rgb(0).map(|f| f.width()), Some(600));
        assert!(v.render_rgb(2).is_none());
    }
}

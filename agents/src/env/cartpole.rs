//! `CartPole-v1`: Gymnasium 1.4's cart-pole, same constants and update order.
//!
//! The state is integrated in `f64` with explicit Euler, the observation is
//! the state rounded to `f32`, exactly as `gymnasium.envs.classic_control.
//! cartpole.CartPoleEnv`. The arithmetic is written in the same order as the
//! Python source so that trajectories agree to the last bits (the reference
//! tests hold them to 1e-5 relative). Episodes end when `|x| > 2.4` or
//! `|theta| > 12°`; the registry adds the 500-step time limit.
//!
//! Parameter: `sutton_barto_reward` (default `false`): reward 0 per step and
//! -1 on termination instead of +1 per step.

use crate::env::classic_control::{ClassicControl, Dynamics};
use crate::env::env_rng::EnvRng;
use crate::env::snapshot::{as_opt_u32, opt_u32};
use crate::env::trig;
use crate::render::{Frame, colors};
use crate::{EnvError, Params, Space};

const GRAVITY: f64 = 9.8;
const MASSCART: f64 = 1.0;
const MASSPOLE: f64 = 0.1;
const TOTAL_MASS: f64 = MASSPOLE + MASSCART;
/// Half the pole's length, as in Gymnasium.
const LENGTH: f64 = 0.5;
const POLEMASS_LENGTH: f64 = MASSPOLE * LENGTH;
const FORCE_MAG: f64 = 10.0;
const TAU: f64 = 0.02;
const THETA_THRESHOLD_RADIANS: f64 = 12.0 * 2.0 * std::f64::consts::PI / 360.0;
const X_THRESHOLD: f64 = 2.4;

/// One explicit-Euler step of the cart-pole equations from
/// `(x, x_dot, theta, theta_dot)` with `sin theta`, `cos theta` given;
/// `push_right` is action 1. Shared with the struct-of-arrays batch
/// ([`CartPoleVecEnv`](crate::env::cartpole_vector::CartPoleVecEnv)) so both
/// compute the same bits.
#[inline(always)]
pub(crate) fn physics(
    x: f64,
    x_dot: f64,
    theta: f64,
    theta_dot: f64,
    push_right: bool,
    sintheta: f64,
    costheta: f64,
) -> (f64, f64, f64, f64) {
    let force = if push_right { FORCE_MAG } else { -FORCE_MAG };
    // Same association order as the Python source, so the f64 results
    // match Gymnasium's bit for bit wherever sin and cos agree.
    let temp = (force + POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / TOTAL_MASS;
    let thetaacc = (GRAVITY * sintheta - costheta * temp)
        / (LENGTH * (4.0 / 3.0 - MASSPOLE * (costheta * costheta) / TOTAL_MASS));
    let xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
    (
        x + TAU * x_dot,
        x_dot + TAU * xacc,
        theta + TAU * theta_dot,
        theta_dot + TAU * thetaacc,
    )
}

/// The cart-pole balancing task.
pub type CartPole = ClassicControl<CartPoleDynamics>;

/// The cart-pole's state and equations; see the module doc.
#[derive(Debug, Clone, Default)]
pub struct CartPoleDynamics {
    state: [f64; 4],
    /// Gymnasium's `steps_beyond_terminated`: `None` until the pole falls.
    steps_beyond_terminated: Option<u32>,
    sutton_barto_reward: bool,
}

impl CartPole {
    /// The registry id.
    pub const ID: &'static str = "CartPole-v1";
    /// Parameters accepted by [`CartPole::from_params`].
    pub const PARAMS: &'static [&'static str] = &["sutton_barto_reward"];
    /// Gymnasium's registered time limit.
    pub const MAX_EPISODE_STEPS: u32 = 500;

    /// A cart-pole; `sutton_barto_reward` selects the 0/-1 reward.
    pub fn new(sutton_barto_reward: bool) -> Self {
        Self::from_dynamics(CartPoleDynamics {
            sutton_barto_reward,
            ..CartPoleDynamics::default()
        })
    }

    /// Builds from `make()` parameters.
    pub fn from_params(params: &Params) -> Result<Self, EnvError> {
        params.check_keys(Self::ID, Self::PARAMS)?;
        Ok(Self::new(params.bool_or("sutton_barto_reward", false)?))
    }

    /// Whether the reward is Sutton & Barto's 0/-1 instead of +1 per step.
    pub fn sutton_barto_reward(&self) -> bool {
        self.dynamics().sutton_barto_reward
    }

    /// Whether `(x, theta)` is outside the allowed range (the episode ends).
    #[inline(always)]
    pub(crate) fn is_terminal(x: f64, theta: f64) -> bool {
        !(-X_THRESHOLD..=X_THRESHOLD).contains(&x)
            || !(-THETA_THRESHOLD_RADIANS..=THETA_THRESHOLD_RADIANS).contains(&theta)
    }
}

impl Dynamics for CartPoleDynamics {
    const ID: &'static str = CartPole::ID;
    const N_ACTIONS: u64 = 2;
    const OBS_DIM: usize = 4;
    const STATE_LAYOUT: &'static str = "[x, x_dot, theta, theta_dot]";
    const STATE_LEN: usize = 4;
    /// `steps_beyond_terminated` (or -1).
    const LATCHES: usize = 1;

    fn observation_space(&self) -> Space {
        let high = [
            (X_THRESHOLD * 2.0) as f32,
            f32::INFINITY,
            (THETA_THRESHOLD_RADIANS * 2.0) as f32,
            f32::INFINITY,
        ];
        Space::Box {
            low: high.iter().map(|h| -h).collect(),
            high: high.to_vec(),
        }
    }

    fn reset(&mut self, rng: &mut EnvRng) {
        for s in &mut self.state {
            *s = rng.uniform(-0.05, 0.05);
        }
        self.steps_beyond_terminated = None;
    }

    #[inline(always)]
    fn step(&mut self, action: usize) -> (f64, bool) {
        let [x, x_dot, theta, theta_dot] = self.state;
        let (sintheta, costheta) = trig::sin_cos(theta);
        let (x, x_dot, theta, theta_dot) =
            physics(x, x_dot, theta, theta_dot, action == 1, sintheta, costheta);
        self.state = [x, x_dot, theta, theta_dot];
        let terminated = CartPole::is_terminal(x, theta);

        let reward = if !terminated {
            if self.sutton_barto_reward { 0.0 } else { 1.0 }
        } else if self.steps_beyond_terminated.is_none() {
            // The pole just fell.
            self.steps_beyond_terminated = Some(0);
            if self.sutton_barto_reward { -1.0 } else { 1.0 }
        } else {
            // Stepping a finished episode: Gymnasium warns and pays nothing.
            self.steps_beyond_terminated =
                self.steps_beyond_terminated.map(|k| k.saturating_add(1));
            if self.sutton_barto_reward { -1.0 } else { 0.0 }
        };
        (reward, terminated)
    }

    #[inline]
    fn write_obs(&self, obs: &mut [f32]) {
        let o = &mut obs[..4];
        for (o, s) in o.iter_mut().zip(self.state) {
            *o = s as f32;
        }
    }

    fn render(&self) -> Frame {
        // Gymnasium's geometry: 600x400, y up from the bottom, cart top at 100.
        let (w, h) = (600.0, 400.0);
        let mut f = Frame::new(600, 400, colors::WHITE);
        let flip = |(x, y): (f64, f64)| (x, h - y);
        let scale = w / (X_THRESHOLD * 2.0);
        let polewidth = 10.0;
        let polelen = scale * (2.0 * LENGTH);
        let (cartwidth, cartheight) = (50.0, 30.0);
        let cartx = self.state[0] * scale + w / 2.0;
        let carty = 100.0;
        let axleoffset = cartheight / 4.0;

        f.line(flip((0.0, carty)), flip((w, carty)), colors::BLACK);
        let (l, r, t, b) = (
            -cartwidth / 2.0,
            cartwidth / 2.0,
            cartheight / 2.0,
            -cartheight / 2.0,
        );
        let cart: Vec<_> = [(l, b), (l, t), (r, t), (r, b)]
            .iter()
            .map(|&(px, py)| flip((px + cartx, py + carty)))
            .collect();
        f.fill_polygon(&cart, colors::BLACK);

        let (l, r, t, b) = (
            -polewidth / 2.0,
            polewidth / 2.0,
            polelen - polewidth / 2.0,
            -polewidth / 2.0,
        );
        let (s, c) = (-self.state[2]).sin_cos();
        let pole: Vec<_> = [(l, b), (l, t), (r, t), (r, b)]
            .iter()
            .map(|&(px, py)| {
                flip((
                    px * c - py * s + cartx,
                    px * s + py * c + carty + axleoffset,
                ))
            })
            .collect();
        f.fill_polygon(&pole, [202, 152, 101]);
        let (ax, ay) = flip((cartx, carty + axleoffset));
        f.fill_circle(ax, ay, polewidth / 2.0, [129, 132, 203]);
        f
    }

    fn state(&self) -> Vec<f64> {
        self.state.to_vec()
    }

    fn set_state(&mut self, state: &[f64]) {
        self.state.copy_from_slice(state);
        self.steps_beyond_terminated = None;
    }

    fn latches(&self) -> Vec<f64> {
        vec![opt_u32(self.steps_beyond_terminated)]
    }

    fn restore(&mut self, state: &[f64], latches: &[f64]) -> Result<(), EnvError> {
        let beyond = as_opt_u32(latches[0], "steps_beyond_terminated")?;
        self.state.copy_from_slice(state);
        self.steps_beyond_terminated = beyond;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Env};

    #[test]
    fn reset_draws_each_component_within_five_hundredths() {
        let mut env = CartPole::default();
        for seed in 0..50 {
            let (obs, _) = env.reset(Some(seed));
            assert!(obs.iter().all(|v| v.abs() <= 0.05), "{obs:?}");
        }
    }

    #[test]
    fn same_seed_same_episode() {
        let mut a = CartPole::default();
        let mut b = CartPole::default();
        assert_eq!(a.reset(Some(42)).0, b.reset(Some(42)).0);
        for t in 0..20 {
            let act = Action::Discrete(t % 2);
            assert_eq!(a.step(act).unwrap(), b.step(act).unwrap());
        }
        assert_ne!(a.reset(Some(43)).0, b.reset(Some(42)).0);
    }

    #[test]
    fn step_before_reset_is_an_error() {
        let mut env = CartPole::default();
        assert_eq!(
            env.step(Action::Discrete(0)).unwrap_err(),
            EnvError::ResetNeeded
        );
    }

    #[test]
    fn invalid_action_is_rejected_and_state_kept() {
        let mut env = CartPole::default();
        env.reset(Some(0));
        let before = env.state();
        let err = env.step(Action::Discrete(2)).unwrap_err();
        assert!(matches!(err, EnvError::InvalidAction { .. }), "{err}");
        assert_eq!(env.state(), before);
    }

    #[test]
    fn falling_pole_pays_one_then_zero_after_termination() {
        let mut env = CartPole::default();
        env.set_state(&[0.0, 0.0, 0.2, 2.0]).unwrap();
        let s = env.step(Action::Discrete(1)).unwrap();
        assert!(s.terminated);
        assert_eq!(s.reward, 1.0);
        let s = env.step(Action::Discrete(1)).unwrap();
        assert!(s.terminated);
        assert_eq!(s.reward, 0.0);
        // set_state clears the latch.
        env.set_state(&[0.0, 0.0, 0.2, 2.0]).unwrap();
        assert_eq!(env.step(Action::Discrete(1)).unwrap().reward, 1.0);
    }

    #[test]
    fn sutton_barto_reward_is_zero_then_minus_one() {
        let mut env =
            CartPole::from_params(&Params::new().with("sutton_barto_reward", true)).unwrap();
        env.set_state(&[0.0; 4]).unwrap();
        assert_eq!(env.step(Action::Discrete(1)).unwrap().reward, 0.0);
        env.set_state(&[0.0, 0.0, 0.2, 2.0]).unwrap();
        assert_eq!(env.step(Action::Discrete(1)).unwrap().reward, -1.0);
    }

    #[test]
    fn render_draws_the_cart_in_black_near_the_centre() {
        let mut env = CartPole::default();
        env.set_state(&[0.0; 4]).unwrap();
        let f = env.render_rgb();
        assert_eq!((f.width(), f.height()), (600, 400));
        // Cart body: x in 275..325, y (from top) in 285..315.
        assert_eq!(f.get(280, 310), Some(colors::BLACK));
        assert_eq!(f.get(10, 10), Some(colors::WHITE));
    }
}

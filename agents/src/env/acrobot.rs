//! `Acrobot-v1`: Gymnasium 1.4's two-link acrobot ("book" dynamics).
//!
//! The actuated middle joint takes a torque of -1, 0 or +1; the episode
//! terminates when the tip swings above one link length over the pivot
//! (`-cos(t1) - cos(t1 + t2) > 1`). Reward -1 per step, 0 on the terminal
//! step; the registry adds the 500-step time limit.
//!
//! Integration is one step of classic fourth-order Runge-Kutta over
//! `dt = 0.2` on the state augmented with the torque, exactly as Gymnasium's
//! `rk4(self._dsdt, s_augmented, [0, self.dt])`, followed by wrapping the
//! angles to `[-pi, pi]` and clipping the velocities. The initial state is
//! drawn in `f64` and rounded to `f32` (Gymnasium's `.astype(np.float32)`).
//! The observation is `[cos t1, sin t1, cos t2, sin t2, dt1, dt2]`.

use std::f64::consts::PI;

use crate::env::classic_control::{ClassicControl, Dynamics};
use crate::env::env_rng::EnvRng;
use crate::render::{Frame, colors};
use crate::{EnvError, Params, Space};

const DT: f64 = 0.2;
const LINK_LENGTH_1: f64 = 1.0;
const LINK_LENGTH_2: f64 = 1.0;
const LINK_MASS_1: f64 = 1.0;
const LINK_MASS_2: f64 = 1.0;
const LINK_COM_POS_1: f64 = 0.5;
const LINK_COM_POS_2: f64 = 0.5;
const LINK_MOI: f64 = 1.0;
const MAX_VEL_1: f64 = 4.0 * PI;
const MAX_VEL_2: f64 = 9.0 * PI;
const AVAIL_TORQUE: [f64; 3] = [-1.0, 0.0, 1.0];

/// The acrobot swing-up task.
pub type Acrobot = ClassicControl<AcrobotDynamics>;

/// The two joint angles and their velocities.
#[derive(Debug, Clone, Default)]
pub struct AcrobotDynamics {
    state: [f64; 4],
}

/// Time derivative of the augmented state `[t1, t2, dt1, dt2, torque]`.
#[inline]
fn dsdt(s: &[f64; 5]) -> [f64; 5] {
    let m1 = LINK_MASS_1;
    let m2 = LINK_MASS_2;
    let l1 = LINK_LENGTH_1;
    let lc1 = LINK_COM_POS_1;
    let lc2 = LINK_COM_POS_2;
    let i1 = LINK_MOI;
    let i2 = LINK_MOI;
    let g = 9.8;
    let a = s[4];
    let (theta1, theta2, dtheta1, dtheta2) = (s[0], s[1], s[2], s[3]);
    // Written in the Python source's association order (left to right,
    // `x**2` as `x * x`) so the floating-point results agree.
    let d1 =
        m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2.0 * l1 * lc2 * theta2.cos()) + i1 + i2;
    let d2 = m2 * (lc2 * lc2 + l1 * lc2 * theta2.cos()) + i2;
    let phi2 = m2 * lc2 * g * (theta1 + theta2 - PI / 2.0).cos();
    let phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * theta2.sin()
        - 2.0 * m2 * l1 * lc2 * dtheta2 * dtheta1 * theta2.sin()
        + (m1 * lc1 + m2 * l1) * g * (theta1 - PI / 2.0).cos()
        + phi2;
    let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * theta2.sin() - phi2)
        / (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1);
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    [dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0]
}

/// One RK4 step of length `dt`, as Gymnasium's `rk4` over `t = [0, dt]`.
#[inline]
fn rk4(y0: [f64; 5], dt: f64) -> [f64; 5] {
    let dt2 = dt / 2.0;
    let add = |y: &[f64; 5], k: &[f64; 5], h: f64| -> [f64; 5] {
        std::array::from_fn(|i| y[i] + h * k[i])
    };
    let k1 = dsdt(&y0);
    let k2 = dsdt(&add(&y0, &k1, dt2));
    let k3 = dsdt(&add(&y0, &k2, dt2));
    let k4 = dsdt(&add(&y0, &k3, dt));
    std::array::from_fn(|i| y0[i] + dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]))
}

/// Wraps `x` into `[m, big_m]` by whole periods (Gymnasium's `wrap`).
fn wrap(mut x: f64, m: f64, big_m: f64) -> f64 {
    let diff = big_m - m;
    while x > big_m {
        x -= diff;
    }
    while x < m {
        x += diff;
    }
    x
}

/// Clips `x` to `[m, big_m]` (Gymnasium's `bound`: `min(max(x, m), M)`).
fn bound(x: f64, m: f64, big_m: f64) -> f64 {
    x.max(m).min(big_m)
}

impl Acrobot {
    /// The registry id.
    pub const ID: &'static str = "Acrobot-v1";
    /// Parameters accepted by [`Acrobot::from_params`] (none).
    pub const PARAMS: &'static [&'static str] = &[];
    /// Gymnasium's registered time limit.
    pub const MAX_EPISODE_STEPS: u32 = 500;

    /// An acrobot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds from `make()` parameters (Acrobot takes none).
    pub fn from_params(params: &Params) -> Result<Self, EnvError> {
        params.check_keys(Self::ID, Self::PARAMS)?;
        Ok(Self::new())
    }
}

impl AcrobotDynamics {
    fn terminal(&self) -> bool {
        let s = &self.state;
        -s[0].cos() - (s[1] + s[0]).cos() > 1.0
    }
}

impl Dynamics for AcrobotDynamics {
    const ID: &'static str = Acrobot::ID;
    const N_ACTIONS: u64 = 3;
    const OBS_DIM: usize = 6;
    const STATE_LAYOUT: &'static str = "[theta1, theta2, dtheta1, dtheta2]";
    const STATE_LEN: usize = 4;

    fn observation_space(&self) -> Space {
        let high = [1.0, 1.0, 1.0, 1.0, MAX_VEL_1 as f32, MAX_VEL_2 as f32];
        Space::Box {
            low: high.iter().map(|h| -h).collect(),
            high: high.to_vec(),
        }
    }

    fn reset(&mut self, rng: &mut EnvRng) {
        for s in &mut self.state {
            *s = f64::from(rng.uniform(-0.1, 0.1) as f32);
        }
    }

    fn step(&mut self, action: usize) -> (f64, bool) {
        let s = self.state;
        let ns = rk4([s[0], s[1], s[2], s[3], AVAIL_TORQUE[action]], DT);
        self.state = [
            wrap(ns[0], -PI, PI),
            wrap(ns[1], -PI, PI),
            bound(ns[2], -MAX_VEL_1, MAX_VEL_1),
            bound(ns[3], -MAX_VEL_2, MAX_VEL_2),
        ];
        let terminated = self.terminal();
        (if terminated { 0.0 } else { -1.0 }, terminated)
    }

    #[inline]
    fn write_obs(&self, obs: &mut [f32]) {
        let s = &self.state;
        let o = &mut obs[..6];
        o[0] = s[0].cos() as f32;
        o[1] = s[0].sin() as f32;
        o[2] = s[1].cos() as f32;
        o[3] = s[1].sin() as f32;
        o[4] = s[2] as f32;
        o[5] = s[3] as f32;
    }

    fn render(&self) -> Frame {
        let dim = 500.0;
        let mut f = Frame::new(500, 500, colors::WHITE);
        let flip = |(x, y): (f64, f64)| (x, dim - y);
        let s = &self.state;
        let bound = LINK_LENGTH_1 + LINK_LENGTH_2 + 0.2;
        let scale = dim / (bound * 2.0);
        let offset = dim / 2.0;
        f.line(
            flip((-2.2 * scale + offset, scale + offset)),
            flip((2.2 * scale + offset, scale + offset)),
            colors::BLACK,
        );
        // Gymnasium swaps (x, y) of the joint positions: p1 = [-cos t1, sin t1] reversed.
        let p1 = (
            LINK_LENGTH_1 * s[0].sin() * scale,
            -LINK_LENGTH_1 * s[0].cos() * scale,
        );
        let joints = [(0.0, 0.0), p1];
        let thetas = [s[0] - PI / 2.0, s[0] + s[1] - PI / 2.0];
        let lens = [LINK_LENGTH_1 * scale, LINK_LENGTH_2 * scale];
        for ((jx, jy), (th, len)) in joints.iter().zip(thetas.iter().zip(lens)) {
            let (x, y) = (jx + offset, jy + offset);
            let (sn, cs) = th.sin_cos();
            let (l, r, t, b) = (0.0, len, 0.1 * scale, -0.1 * scale);
            let link: Vec<_> = [(l, b), (l, t), (r, t), (r, b)]
                .iter()
                .map(|&(px, py)| flip((px * cs - py * sn + x, px * sn + py * cs + y)))
                .collect();
            f.fill_polygon(&link, [0, 204, 204]);
            let (cx, cy) = flip((x, y));
            f.fill_circle(cx, cy, 0.1 * scale, [204, 204, 0]);
        }
        f
    }

    fn state(&self) -> Vec<f64> {
        self.state.to_vec()
    }

    fn set_state(&mut self, state: &[f64]) {
        self.state.copy_from_slice(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Env};

    #[test]
    fn hanging_still_without_torque_stays_still() {
        let mut env = Acrobot::new();
        env.set_state(&[0.0; 4]).unwrap();
        let s = env.step(Action::Discrete(1)).unwrap();
        // cos(-pi/2) is 6e-17, not 0, so "still" means within 1e-15.
        for (got, want) in s.obs.iter().zip([1.0, 0.0, 1.0, 0.0, 0.0, 0.0]) {
            assert!((got - want).abs() < 1e-15, "{:?}", s.obs);
        }
        assert_eq!(s.reward, -1.0);
    }

    #[test]
    fn upright_is_terminal_with_zero_reward() {
        let mut env = Acrobot::new();
        env.set_state(&[PI, 0.0, 0.0, 0.0]).unwrap();
        let s = env.step(Action::Discrete(1)).unwrap();
        assert!(s.terminated);
        assert_eq!(s.reward, 0.0);
    }

    #[test]
    fn angles_are_wrapped_and_velocities_clipped() {
        let mut env = Acrobot::new();
        env.set_state(&[3.1, -3.1, 100.0, -100.0]).unwrap();
        env.step(Action::Discrete(2)).unwrap();
        let s = env.state();
        assert!(s[0].abs() <= PI && s[1].abs() <= PI, "{s:?}");
        assert!(s[2].abs() <= MAX_VEL_1 && s[3].abs() <= MAX_VEL_2, "{s:?}");
    }

    #[test]
    fn reset_state_is_small_and_f32_exact() {
        let mut env = Acrobot::new();
        env.reset(Some(5));
        for v in env.state() {
            assert!(v.abs() <= 0.1);
            assert_eq!(f64::from(v as f32), v);
        }
    }

    #[test]
    fn wrap_moves_by_whole_periods() {
        assert!((wrap(3.0 * PI / 2.0, -PI, PI) + PI / 2.0).abs() < 1e-12);
        assert_eq!(wrap(0.5, -PI, PI), 0.5);
    }
}

//! `MountainCar-v0`: Gymnasium 1.4's discrete mountain car.
//!
//! A car in a valley must rock back and forth to reach the flag at
//! `position >= 0.5`. Reward -1 per step; the registry adds the 200-step
//! time limit. Arithmetic follows `gymnasium.envs.classic_control.
//! mountain_car.MountainCarEnv` line by line (including resetting the
//! velocity to 0 when the car hits the left wall).
//!
//! Parameter: `goal_velocity` (default 0): the velocity the car must also
//! have reached at the flag.

use crate::env::classic_control::{ClassicControl, Dynamics};
use crate::env::env_rng::EnvRng;
use crate::render::{Frame, colors};
use crate::{EnvError, Params, Space};

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GOAL_POSITION: f64 = 0.5;
const FORCE: f64 = 0.001;
const GRAVITY: f64 = 0.0025;

/// The mountain-car task with three discrete actions (push left, none, right).
pub type MountainCar = ClassicControl<MountainCarDynamics>;

/// The car's position and velocity and the goal it must reach.
#[derive(Debug, Clone, Default)]
pub struct MountainCarDynamics {
    position: f64,
    velocity: f64,
    goal_velocity: f64,
}

impl MountainCar {
    /// The registry id.
    pub const ID: &'static str = "MountainCar-v0";
    /// Parameters accepted by [`MountainCar::from_params`].
    pub const PARAMS: &'static [&'static str] = &["goal_velocity"];
    /// Gymnasium's registered time limit.
    pub const MAX_EPISODE_STEPS: u32 = 200;

    /// A mountain car whose goal also requires `velocity >= goal_velocity`.
    pub fn new(goal_velocity: f64) -> Self {
        Self::from_dynamics(MountainCarDynamics {
            goal_velocity,
            ..MountainCarDynamics::default()
        })
    }

    /// Builds from `make()` parameters.
    pub fn from_params(params: &Params) -> Result<Self, EnvError> {
        params.check_keys(Self::ID, Self::PARAMS)?;
        Ok(Self::new(params.f64_or("goal_velocity", 0.0)?))
    }
}

impl MountainCarDynamics {
    fn height(xs: f64) -> f64 {
        (3.0 * xs).sin() * 0.45 + 0.55
    }
}

impl Dynamics for MountainCarDynamics {
    const ID: &'static str = MountainCar::ID;
    const N_ACTIONS: u64 = 3;
    const OBS_DIM: usize = 2;
    const STATE_LAYOUT: &'static str = "[position, velocity]";
    const STATE_LEN: usize = 2;

    fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![MIN_POSITION as f32, -MAX_SPEED as f32],
            high: vec![MAX_POSITION as f32, MAX_SPEED as f32],
        }
    }

    fn reset(&mut self, rng: &mut EnvRng) {
        self.position = rng.uniform(-0.6, -0.4);
        self.velocity = 0.0;
    }

    #[inline]
    fn step(&mut self, action: usize) -> (f64, bool) {
        let mut position = self.position;
        let mut velocity = self.velocity;
        // `velocity += (action - 1) * force + cos(3 * position) * (-gravity)`:
        // Python evaluates the right-hand side first.
        velocity += (action as f64 - 1.0) * FORCE + (3.0 * position).cos() * (-GRAVITY);
        velocity = velocity.clamp(-MAX_SPEED, MAX_SPEED);
        position += velocity;
        position = position.clamp(MIN_POSITION, MAX_POSITION);
        if position == MIN_POSITION && velocity < 0.0 {
            velocity = 0.0;
        }
        let terminated = position >= GOAL_POSITION && velocity >= self.goal_velocity;
        self.position = position;
        self.velocity = velocity;
        (-1.0, terminated)
    }

    #[inline]
    fn write_obs(&self, obs: &mut [f32]) {
        obs[0] = self.position as f32;
        obs[1] = self.velocity as f32;
    }

    fn render(&self) -> Frame {
        let (w, h) = (600.0, 400.0);
        let mut f = Frame::new(600, 400, colors::WHITE);
        let flip = |(x, y): (f64, f64)| (x, h - y);
        let scale = w / (MAX_POSITION - MIN_POSITION);
        let (carwidth, carheight, clearance) = (40.0, 20.0, 10.0);

        let mut prev = None;
        for i in 0..100 {
            let xs = MIN_POSITION + (MAX_POSITION - MIN_POSITION) * f64::from(i) / 99.0;
            let p = flip(((xs - MIN_POSITION) * scale, Self::height(xs) * scale));
            if let Some(q) = prev {
                f.line(q, p, colors::BLACK);
            }
            prev = Some(p);
        }

        let pos = self.position;
        let (s, c) = (3.0 * pos).cos().sin_cos();
        let rot = |(x, y): (f64, f64)| {
            flip((
                x * c - y * s + (pos - MIN_POSITION) * scale,
                x * s + y * c + clearance + Self::height(pos) * scale,
            ))
        };
        let (l, r, t, b) = (-carwidth / 2.0, carwidth / 2.0, carheight, 0.0);
        let car: Vec<_> = [(l, b), (l, t), (r, t), (r, b)]
            .iter()
            .map(|&p| rot(p))
            .collect();
        f.fill_polygon(&car, colors::BLACK);
        for wx in [carwidth / 4.0, -carwidth / 4.0] {
            let (cx, cy) = rot((wx, 0.0));
            f.fill_circle(cx, cy, carheight / 2.5, colors::GREY);
        }

        let flagx = (GOAL_POSITION - MIN_POSITION) * scale;
        let flagy1 = Self::height(GOAL_POSITION) * scale;
        let flagy2 = flagy1 + 50.0;
        f.line(flip((flagx, flagy1)), flip((flagx, flagy2)), colors::BLACK);
        f.fill_polygon(
            &[
                flip((flagx, flagy2)),
                flip((flagx, flagy2 - 10.0)),
                flip((flagx + 25.0, flagy2 - 5.0)),
            ],
            [204, 204, 0],
        );
        f
    }

    fn state(&self) -> Vec<f64> {
        vec![self.position, self.velocity]
    }

    fn set_state(&mut self, state: &[f64]) {
        self.position = state[0];
        self.velocity = state[1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Env};

    #[test]
    fn reset_starts_at_rest_in_the_valley() {
        let mut env = MountainCar::default();
        for seed in 0..20 {
            let (obs, _) = env.reset(Some(seed));
            assert!((-0.6..=-0.4).contains(&obs[0]), "{obs:?}");
            assert_eq!(obs[1], 0.0);
        }
    }

    #[test]
    fn hitting_the_left_wall_stops_the_car() {
        let mut env = MountainCar::default();
        env.set_state(&[-1.19, -0.05]).unwrap();
        let s = env.step(Action::Discrete(0)).unwrap();
        assert_eq!(s.obs, vec![-1.2, 0.0]);
        assert_eq!(s.reward, -1.0);
        assert!(!s.terminated);
    }

    #[test]
    fn reaching_the_flag_terminates() {
        let mut env = MountainCar::default();
        env.set_state(&[0.49, 0.03]).unwrap();
        assert!(env.step(Action::Discrete(2)).unwrap().terminated);
        let mut strict =
            MountainCar::from_params(&Params::new().with("goal_velocity", 0.05)).unwrap();
        strict.set_state(&[0.49, 0.03]).unwrap();
        assert!(!strict.step(Action::Discrete(2)).unwrap().terminated);
    }

    #[test]
    fn action_three_is_outside_the_space() {
        let mut env = MountainCar::default();
        env.reset(None);
        assert!(env.step(Action::Discrete(3)).is_err());
    }

    #[test]
    fn render_draws_something_black_on_white() {
        let mut env = MountainCar::default();
        env.reset(Some(0));
        let f = env.render_rgb();
        assert_eq!(f.pixels().len(), 600 * 400 * 3);
        assert!(f.pixels().chunks(3).any(|p| p == colors::BLACK));
    }
}

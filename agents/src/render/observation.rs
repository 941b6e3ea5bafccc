//! Pictures of observations, for replaying recorded episodes: the env the
//! recording came from is built again from its id and parameters, put into
//! the state the observation shows ([`Env::set_state`]), and drawn by its
//! own renderer, so a replay looks exactly like the env did live and no
//! drawing code exists twice.
//!
//! An observation gives the state back where it holds all of it:
//! CartPole and MountainCar observe their state as it is, Acrobot observes
//! the cosine and sine of both angles (the angles come back through
//! `atan2`) and their velocities, and the toy-text envs (FrozenLake, Taxi,
//! CliffWalking) observe the state's index.

use super::Frame;
use crate::env::Env;
use crate::env::acrobot::Acrobot;
use crate::env::cartpole::CartPole;
use crate::env::mountain_car::MountainCar;
use crate::registry::make;
use crate::{Params, Space};

/// How an env's observation becomes the state its renderer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StateOfObservation {
    /// The observation is the state (rounded to `f32`).
    Same,
    /// Acrobot: `[cos t1, sin t1, cos t2, sin t2, dt1, dt2]`.
    Angles,
    /// A discrete observation: the state's index.
    Index,
}

/// Draws observations of one env (built once, so a whole episode is drawn
/// without building the env per frame).
pub struct ObservationRenderer {
    env: Box<dyn Env>,
    state_of: StateOfObservation,
}

impl std::fmt::Debug for ObservationRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObservationRenderer")
            .field("env", &self.env.id())
            .field("state_of", &self.state_of)
            .finish()
    }
}

impl ObservationRenderer {
    /// A renderer for `env_id` built with `params`; `None` when the id or
    /// the parameters do not make an env, or its observations do not hold
    /// the whole state.
    pub fn new(env_id: &str, params: &Params) -> Option<Self> {
        let env = make(env_id, params).ok()?;
        let state_of = match env.id() {
            CartPole::ID | MountainCar::ID => StateOfObservation::Same,
            Acrobot::ID => StateOfObservation::Angles,
            _ if matches!(env.observation_space(), Space::Discrete { .. }) => {
                StateOfObservation::Index
            }
            _ => return None,
        };
        Some(Self { env, state_of })
    }

    /// Whether `env_id` has a renderer for its observations (with default
    /// parameters).
    pub fn supports(env_id: &str) -> bool {
        Self::new(env_id, &Params::new()).is_some()
    }

    /// The picture of the state `obs` shows; `None` when `obs` is not an
    /// observation of this env (wrong length, a state out of range).
    pub fn render(&mut self, obs: &[f32]) -> Option<Frame> {
        if obs.len() != self.env.obs_dim() {
            return None;
        }
        let state: Vec<f64> = match self.state_of {
            StateOfObservation::Same | StateOfObservation::Index => {
                obs.iter().copied().map(f64::from).collect()
            }
            StateOfObservation::Angles => {
                let o: Vec<f64> = obs.iter().copied().map(f64::from).collect();
                vec![o[1].atan2(o[0]), o[3].atan2(o[2]), o[4], o[5]]
            }
        };
        self.env.set_state(&state).ok()?;
        Some(self.env.render_rgb())
    }
}

/// The picture of the state observation `obs` of env `env_id` (built with
/// `params`, e.g. FrozenLake's `map_name`) shows, drawn by the env's own
/// renderer; `None` for an env whose observations do not hold its state,
/// or an `obs` that is not one of its observations.
///
/// ```
/// use agora_agents::{Params, render::render_observation};
///
/// let frame = render_observation("FrozenLake-v1", &Params::new(), &[5.0]).unwrap();
/// assert_eq!((frame.width(), frame.height()), (256, 256));
/// assert!(render_observation("FrozenLake-v1", &Params::new(), &[99.0]).is_none());
/// ```
pub fn render_observation(env_id: &str, params: &Params, obs: &[f32]) -> Option<Frame> {
    ObservationRenderer::new(env_id, params)?.render(obs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Puts a fresh env into `state`, then compares its own picture with
    /// the one drawn from its observation.
    fn assert_same_picture(id: &str, params: &Params, state: &[f64]) {
        let mut env = make(id, params).expect("env");
        env.reset(Some(0));
        env.set_state(state).expect("state");
        let mut obs = vec![0.0; env.obs_dim()];
        env.observe_into(&mut obs);
        let drawn = render_observation(id, params, &obs).expect("renderer");
        assert!(
            drawn == env.render_rgb(),
            "{id} at {state:?}: pictures differ"
        );
    }

    #[test]
    fn classic_control_frames_equal_the_envs_own() {
        // Values exact in f32, so the observation holds the state exactly.
        assert_same_picture("CartPole-v1", &Params::new(), &[0.5, 0.25, -0.125, 1.0]);
        assert_same_picture("MountainCar-v0", &Params::new(), &[-0.5, 0.015625]);
        assert_same_picture("Acrobot-v1", &Params::new(), &[1.0, -2.0, 0.5, -1.5]);
    }

    #[test]
    fn toy_text_frames_equal_the_envs_own_and_respect_the_map() {
        let eight = Params::new().with("map_name", "8x8");
        assert_same_picture("FrozenLake-v1", &Params::new(), &[6.0]);
        assert_same_picture("FrozenLake-v1", &eight, &[45.0]);
        assert_same_picture("Taxi-v3", &Params::new(), &[328.0]);
        assert_same_picture("CliffWalking-v0", &Params::new(), &[30.0]);
        let four = render_observation("FrozenLake-v1", &Params::new(), &[0.0]).expect("4x4");
        let big = render_observation("FrozenLake-v1", &eight, &[0.0]).expect("8x8");
        assert_ne!(four.width(), big.width());
    }

    #[test]
    fn what_is_not_an_observation_draws_nothing() {
        assert!(render_observation("CartPole-v1", &Params::new(), &[0.0; 3]).is_none());
        assert!(render_observation("Taxi-v3", &Params::new(), &[500.0]).is_none());
        assert!(render_observation("Taxi-v3", &Params::new(), &[1.5]).is_none());
        assert!(render_observation("NoSuchEnv-v0", &Params::new(), &[0.0]).is_none());
        let unknown_param = Params::new().with("colour", "red");
        assert!(render_observation("CartPole-v1", &unknown_param, &[0.0; 4]).is_none());
        assert!(ObservationRenderer::supports("CliffWalking-v0"));
    }
}

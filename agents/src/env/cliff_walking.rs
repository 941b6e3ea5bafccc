//! `CliffWalking-v1`: Gymnasium 1.4's cliff walking (Sutton & Barto, ex. 6.6).
//!
//! A 4x12 grid; start at (3, 0), goal at (3, 11), a cliff along (3, 1..10).
//! Actions: 0 up, 1 right, 2 down, 3 left. Reward -1 per step; stepping
//! into the cliff costs -100 and sends the agent back to the start without
//! ending the episode. Reaching the goal terminates. As in Gymnasium's
//! registry there is no time limit.
//!
//! Parameter: `is_slippery` (default `false`): each move goes to
//! `[(a - 1) % 4, a, (a + 1) % 4]` with probability 1/3 each.
//! `CliffWalkingSlippery-v1` is registered with `is_slippery=true`.
//! `CliffWalking-v0` is accepted as an alias for the non-slippery walk,
//! whose dynamics v1 left unchanged (v1 only added the slippery option).

use std::fmt::Write as _;
use std::sync::Arc;

use crate::env::frozen_lake::{tabular_outcomes, tabular_state};
use crate::env::snapshot::{EnvSnapshot, parse_tabular, tabular_values};
use crate::env::tabular::{TabularModel, Transition};
use crate::env::{Env, Info, StepResult, discrete_action};
use crate::render::{Frame, colors};
use crate::rng::EnvRng;
use crate::{Action, EnvError, Params, Space};

const NROW: usize = 4;
const NCOL: usize = 12;
const START: u32 = 36;
/// Row/col deltas for up, right, down, left.
const DELTAS: [(i64, i64); 4] = [(-1, 0), (0, 1), (1, 0), (0, -1)];

fn is_cliff(r: usize, c: usize) -> bool {
    r == 3 && (1..NCOL - 1).contains(&c)
}

/// The cliff-walking gridworld.
#[derive(Debug, Clone)]
pub struct CliffWalking {
    id: &'static str,
    model: Arc<TabularModel>,
    s: u32,
    last_action: Option<u32>,
    last_prob: f64,
    rng: EnvRng,
    ready: bool,
    observation_space: Space,
    action_space: Space,
}

impl CliffWalking {
    /// The registry id.
    pub const ID: &'static str = "CliffWalking-v1";
    /// The registry id of the slippery variant.
    pub const ID_SLIPPERY: &'static str = "CliffWalkingSlippery-v1";
    /// The older id, accepted for the non-slippery walk.
    pub const ID_V0: &'static str = "CliffWalking-v0";
    /// Parameters accepted by [`CliffWalking::from_params`].
    pub const PARAMS: &'static [&'static str] = &["is_slippery"];

    /// Builds the walk; `id` is reported by [`Env::id`].
    pub fn new(id: &'static str, is_slippery: bool) -> Self {
        let model = TabularModel::build((NROW * NCOL) as u32, 4, &[(START, 1.0)], |s, a, out| {
            let (row, col) = ((s as usize / NCOL) as i64, (s as usize % NCOL) as i64);
            let moves: &[u32] = if is_slippery {
                &[(a + 3) % 4, a, (a + 1) % 4]
            } else {
                &[a]
            };
            let prob = 1.0 / moves.len() as f64;
            for &m in moves {
                let (dr, dc) = DELTAS[m as usize];
                let r = (row + dr).clamp(0, NROW as i64 - 1) as usize;
                let c = (col + dc).clamp(0, NCOL as i64 - 1) as usize;
                out.push(if is_cliff(r, c) {
                    Transition {
                        prob,
                        next_state: START,
                        reward: -100.0,
                        terminated: false,
                    }
                } else {
                    Transition {
                        prob,
                        next_state: (r * NCOL + c) as u32,
                        reward: -1.0,
                        terminated: (r, c) == (NROW - 1, NCOL - 1),
                    }
                });
            }
        });
        Self {
            id,
            model: Arc::new(model),
            s: START,
            last_action: None,
            last_prob: 1.0,
            rng: EnvRng::default(),
            ready: false,
            observation_space: Space::Discrete {
                n: (NROW * NCOL) as u64,
            },
            action_space: Space::Discrete { n: 4 },
        }
    }

    /// Builds from `make()` parameters for `id`.
    pub fn from_params(id: &'static str, params: &Params) -> Result<Self, EnvError> {
        params.check_keys(id, Self::PARAMS)?;
        let is_slippery = params.bool_or("is_slippery", id == Self::ID_SLIPPERY)?;
        if id == Self::ID_V0 && is_slippery {
            return Err(EnvError::InvalidParam {
                key: "is_slippery".into(),
                value: "true".into(),
                reason: "CliffWalking-v0 has no slippery variant; use CliffWalking-v1".into(),
            });
        }
        Ok(Self::new(id, is_slippery))
    }

    /// The transition model (shared between clones).
    pub fn model(&self) -> &TabularModel {
        &self.model
    }
}

impl Env for CliffWalking {
    fn id(&self) -> &str {
        self.id
    }

    fn observation_space(&self) -> &Space {
        &self.observation_space
    }

    fn action_space(&self) -> &Space {
        &self.action_space
    }

    fn obs_dim(&self) -> usize {
        1
    }

    fn reset_into(&mut self, seed: Option<u64>, obs: &mut [f32]) {
        self.rng.on_reset(seed);
        self.s = self.model.sample_initial(self.rng.rng().next_f64());
        self.last_action = None;
        self.last_prob = 1.0;
        self.ready = true;
        obs[0] = self.s as f32;
    }

    fn step_into(&mut self, action: Action<'_>, obs: &mut [f32]) -> Result<StepResult, EnvError> {
        let a = discrete_action(action, 4, &self.action_space)? as u32;
        if !self.ready {
            return Err(EnvError::ResetNeeded);
        }
        let t = *self.model.sample(self.s, a, self.rng.rng().next_f64());
        self.s = t.next_state;
        self.last_action = Some(a);
        self.last_prob = t.prob;
        obs[0] = t.next_state as f32;
        Ok(StepResult {
            reward: t.reward,
            terminated: t.terminated,
            truncated: false,
        })
    }

    fn info(&self) -> Info {
        Info {
            prob: Some(self.last_prob),
            ..Info::default()
        }
    }

    /// Gymnasium's `ansi` board: `x` agent, `T` goal, `C` cliff, `o` free.
    fn render_text(&self) -> Option<String> {
        let mut out = String::new();
        for s in 0..(NROW * NCOL) {
            let (r, c) = (s / NCOL, s % NCOL);
            let cell = if self.s as usize == s {
                " x "
            } else if (r, c) == (3, 11) {
                " T "
            } else if is_cliff(r, c) {
                " C "
            } else {
                " o "
            };
            let cell = if c == 0 { cell.trim_start() } else { cell };
            if c == NCOL - 1 {
                let _ = writeln!(out, "{}", cell.trim_end());
            } else {
                out.push_str(cell);
            }
        }
        out.push('\n');
        Some(out)
    }

    fn observe_into(&self, obs: &mut [f32]) {
        obs[0] = self.s as f32;
    }

    fn render_rgb(&self) -> Frame {
        const CELL: i64 = 32;
        let mut f = Frame::new(NCOL * CELL as usize, NROW * CELL as usize, [170, 210, 130]);
        for r in 0..NROW {
            for c in 0..NCOL {
                let (x, y) = (c as i64 * CELL, r as i64 * CELL);
                if is_cliff(r, c) {
                    f.fill_rect(x, y, CELL, CELL, [90, 70, 60]);
                } else if (r, c) == (3, 11) {
                    f.fill_rect(x, y, CELL, CELL, colors::GREEN);
                } else if r * NCOL + c == START as usize {
                    f.fill_rect(x, y, CELL, CELL, [200, 200, 170]);
                }
                f.stroke_rect(x, y, CELL, CELL, colors::LIGHT_GREY);
            }
        }
        let (r, c) = (self.s as usize / NCOL, self.s as usize % NCOL);
        f.fill_circle(
            (c as f64 + 0.5) * CELL as f64,
            (r as f64 + 0.5) * CELL as f64,
            CELL as f64 * 0.3,
            colors::RED,
        );
        f
    }

    fn state(&self) -> Vec<f64> {
        vec![f64::from(self.s)]
    }

    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError> {
        self.s = tabular_state(state, (NROW * NCOL) as u32)?;
        self.ready = true;
        Ok(())
    }

    /// Values: `[s, last_action or -1, last_prob, ready]`.
    fn snapshot(&self) -> Result<EnvSnapshot, EnvError> {
        let v = tabular_values(self.s, self.last_action, self.last_prob, self.ready);
        Ok(EnvSnapshot::new(v, self.rng.clone()))
    }

    fn restore(&mut self, snapshot: &EnvSnapshot) -> Result<(), EnvError> {
        let v = snapshot.values_of(self.id, 4)?;
        let (s, last_action, last_prob, ready) = parse_tabular(v, self.model.n_states(), 4)?;
        (self.s, self.last_action, self.last_prob, self.ready) = (s, last_action, last_prob, ready);
        self.rng = snapshot.rng.clone();
        Ok(())
    }

    fn transitions(&self, state: u64, action: u64) -> Result<&[Transition], EnvError> {
        tabular_outcomes(&self.model, state, action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_into_the_cliff_returns_to_start_with_minus_100() {
        let mut env = CliffWalking::new(CliffWalking::ID, false);
        let (obs, _) = env.reset(Some(0));
        assert_eq!(obs, vec![36.0]);
        let s = env.step(Action::Discrete(1)).unwrap();
        assert_eq!((s.obs[0], s.reward, s.terminated), (36.0, -100.0, false));
    }

    #[test]
    fn walking_along_the_top_reaches_the_goal() {
        let mut env = CliffWalking::new(CliffWalking::ID, false);
        env.reset(Some(0));
        let mut ret = 0.0;
        let mut path = vec![0];
        path.extend(std::iter::repeat_n(1, 11));
        path.extend([2, 2, 2]);
        let mut last = None;
        for a in path {
            let s = env.step(Action::Discrete(a)).unwrap();
            ret += s.reward;
            last = Some(s);
        }
        let last = last.unwrap();
        assert!(last.terminated);
        assert_eq!(last.obs, vec![47.0]);
        assert_eq!(ret, -15.0);
    }

    #[test]
    fn slippery_lists_three_thirds() {
        let env = CliffWalking::from_params(CliffWalking::ID_SLIPPERY, &Params::new()).unwrap();
        let t = env.transitions(0, 1).unwrap();
        assert_eq!(t.len(), 3);
        assert!(t.iter().all(|t| t.prob == 1.0 / 3.0));
    }

    #[test]
    fn v0_alias_refuses_slippery() {
        assert!(
            CliffWalking::from_params(
                CliffWalking::ID_V0,
                &Params::new().with("is_slippery", true)
            )
            .is_err()
        );
    }

    #[test]
    fn text_board_matches_gymnasium_layout() {
        let mut env = CliffWalking::new(CliffWalking::ID, false);
        env.reset(Some(0));
        let text = env.render_text().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "o  o  o  o  o  o  o  o  o  o  o  o");
        assert_eq!(lines[3], "x  C  C  C  C  C  C  C  C  C  C  T");
    }
}

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

use crate::env::tabular::{TabularModel, Transition};
use crate::env::tabular_env::{TabularEnv, TabularRules};
use crate::render::{Frame, colors};
use crate::{EnvError, Params};

const NROW: usize = 4;
const NCOL: usize = 12;
const START: u32 = 36;
/// Row/col deltas for up, right, down, left.
const DELTAS: [(i64, i64); 4] = [(-1, 0), (0, 1), (1, 0), (0, -1)];

fn is_cliff(r: usize, c: usize) -> bool {
    r == 3 && (1..NCOL - 1).contains(&c)
}

/// The cliff-walking gridworld.
pub type CliffWalking = TabularEnv<CliffWalkingRules>;

/// What the cliff walk adds to its table: its board (the grid is fixed).
#[derive(Debug, Clone, Copy)]
pub struct CliffWalkingRules;

impl CliffWalking {
    /// The registry id.
    pub const ID: &'static str = "CliffWalking-v1";
    /// The registry id of the slippery variant.
    pub const ID_SLIPPERY: &'static str = "CliffWalkingSlippery-v1";
    /// The older id, accepted for the non-slippery walk.
    pub const ID_V0: &'static str = "CliffWalking-v0";
    /// Parameters accepted by [`CliffWalking::from_params`].
    pub const PARAMS: &'static [&'static str] = &["is_slippery"];

    /// Builds the walk; `id` is reported by [`Env::id`](crate::Env::id).
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
        Self::from_model(id, model, CliffWalkingRules)
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
}

impl TabularRules for CliffWalkingRules {
    /// The walk has one start tile, so that is where it stands even before a reset.
    fn state_before_reset(&self) -> u32 {
        START
    }

    /// Gymnasium's `ansi` board: `x` agent, `T` goal, `C` cliff, `o` free.
    fn render_text(&self, agent: u32, _last_action: Option<u32>) -> String {
        let mut out = String::new();
        for s in 0..(NROW * NCOL) {
            let (r, c) = (s / NCOL, s % NCOL);
            let cell = if agent as usize == s {
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
        out
    }

    fn render_rgb(&self, s: u32) -> Frame {
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
        let (r, c) = (s as usize / NCOL, s as usize % NCOL);
        f.fill_circle(
            (c as f64 + 0.5) * CELL as f64,
            (r as f64 + 0.5) * CELL as f64,
            CELL as f64 * 0.3,
            colors::RED,
        );
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Env};

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

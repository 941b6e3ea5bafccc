//! `FrozenLake-v1`: Gymnasium 1.4's frozen lake, built-in or custom maps.
//!
//! The agent walks from `S` to `G` over frozen tiles `F` without falling into
//! a hole `H`. Actions: 0 left, 1 down, 2 right, 3 up. The observation is the
//! state index `row * ncol + col`. The transition table is built exactly as
//! `gymnasium.envs.toy_text.frozen_lake.FrozenLakeEnv.__init__` builds `P`:
//! on a slippery lake the intended move has probability `success_rate` and
//! each perpendicular move `(1 - success_rate) / 2`, listed in the order
//! `[(a - 1) % 4, a, (a + 1) % 4]`; goal and hole states loop on themselves
//! with reward 0.
//!
//! Parameters (Gymnasium's keyword arguments): `map_name` (`4x4` default,
//! `8x8`), `desc` (rows of `SFHG`, overrides `map_name`), `is_slippery`
//! (default `true`), `success_rate` (default 1/3), `reward_schedule`
//! (goal, hole, frozen; default `1,0,0`). Gymnasium's random map
//! (`map_name=None`) is not offered: pass the map as `desc`.
//!
//! Time limits follow the registry: `FrozenLake-v1` has 100 steps whatever
//! the map (as in Gymnasium, `make("FrozenLake-v1", map_name="8x8")` keeps
//! 100), `FrozenLake8x8-v1` has 200.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::env::tabular::{TabularModel, Transition};
use crate::env::tabular_env::{TabularEnv, TabularRules};
use crate::render::{Frame, colors};
use crate::{EnvError, Params};

const LEFT: u32 = 0;
const DOWN: u32 = 1;
const RIGHT: u32 = 2;
// UP = 3 is the remaining case of every match below.

/// The built-in 4x4 map.
pub const MAP_4X4: [&str; 4] = ["SFFF", "FHFH", "FFFH", "HFFG"];
/// The built-in 8x8 map.
pub const MAP_8X8: [&str; 8] = [
    "SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG",
];

/// What a FrozenLake is made of; the `make()` parameters, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenLakeConfig {
    /// The map, one string of `S`, `F`, `H`, `G` per row.
    pub desc: Vec<String>,
    /// Whether moves may slip sideways.
    pub is_slippery: bool,
    /// Probability of the intended move on a slippery lake.
    pub success_rate: f64,
    /// Rewards for reaching a goal, a hole, a frozen (or start) tile.
    pub reward_schedule: [f64; 3],
}

impl Default for FrozenLakeConfig {
    fn default() -> Self {
        Self {
            desc: MAP_4X4.iter().map(|s| s.to_string()).collect(),
            is_slippery: true,
            success_rate: 1.0 / 3.0,
            reward_schedule: [1.0, 0.0, 0.0],
        }
    }
}

impl FrozenLakeConfig {
    /// Parses `make()` parameters; `default_map` is the registry's `map_name`.
    pub fn from_params(id: &str, params: &Params, default_map: &str) -> Result<Self, EnvError> {
        params.check_keys(id, FrozenLake::PARAMS)?;
        let desc = match params.list_opt("desc")? {
            Some(rows) => rows,
            None => {
                let name = params.str_opt("map_name").unwrap_or(default_map);
                match name {
                    "4x4" => MAP_4X4.iter().map(|s| s.to_string()).collect(),
                    "8x8" => MAP_8X8.iter().map(|s| s.to_string()).collect(),
                    other => {
                        return Err(EnvError::InvalidParam {
                            key: "map_name".into(),
                            value: other.into(),
                            reason: "expected 4x4 or 8x8 (or give the map as desc)".into(),
                        });
                    }
                }
            }
        };
        let success_rate = params.f64_or("success_rate", 1.0 / 3.0)?;
        if !(0.0..=1.0).contains(&success_rate) {
            return Err(EnvError::InvalidParam {
                key: "success_rate".into(),
                value: success_rate.to_string(),
                reason: "expected a probability in [0, 1]".into(),
            });
        }
        let reward_schedule = match params.f64_list_opt("reward_schedule", 3)? {
            Some(v) => [v[0], v[1], v[2]],
            None => [1.0, 0.0, 0.0],
        };
        Ok(Self {
            desc,
            is_slippery: params.bool_or("is_slippery", true)?,
            success_rate,
            reward_schedule,
        })
    }

    /// Checks the map: non-empty, rectangular, only `SFHG`, at least one `S`.
    fn validate(&self) -> Result<(usize, usize), EnvError> {
        let nrow = self.desc.len();
        let ncol = self.desc.first().map_or(0, |r| r.len());
        if nrow == 0 || ncol == 0 {
            return Err(EnvError::InvalidMap("the map is empty".into()));
        }
        if let Some((i, r)) = self.desc.iter().enumerate().find(|(_, r)| r.len() != ncol) {
            return Err(EnvError::InvalidMap(format!(
                "row {i} (`{r}`) has {} tiles, row 0 has {ncol}; rows must have equal length",
                r.len()
            )));
        }
        for (i, r) in self.desc.iter().enumerate() {
            if let Some(c) = r.chars().find(|c| !"SFHG".contains(*c)) {
                return Err(EnvError::InvalidMap(format!(
                    "row {i} (`{r}`) has tile `{c}`; tiles are S, F, H, G"
                )));
            }
        }
        if !self.desc.iter().any(|r| r.contains('S')) {
            return Err(EnvError::InvalidMap("the map has no start tile `S`".into()));
        }
        if nrow * ncol > (1 << 24) {
            return Err(EnvError::InvalidMap(format!(
                "{nrow}x{ncol} is too large (at most 2^24 tiles, so states fit an f32 exactly)"
            )));
        }
        Ok((nrow, ncol))
    }
}

/// The frozen-lake gridworld.
pub type FrozenLake = TabularEnv<FrozenLakeRules>;

/// What a frozen lake adds to its table: the map, for the boards.
#[derive(Debug, Clone)]
pub struct FrozenLakeRules {
    desc: Arc<Vec<Vec<u8>>>,
    ncol: u32,
}

impl FrozenLake {
    /// The registry id of the 4x4-by-default variant.
    pub const ID: &'static str = "FrozenLake-v1";
    /// The registry id of the 8x8-by-default variant.
    pub const ID_8X8: &'static str = "FrozenLake8x8-v1";
    /// Parameters accepted by [`FrozenLake::from_params`].
    pub const PARAMS: &'static [&'static str] = &[
        "desc",
        "map_name",
        "is_slippery",
        "success_rate",
        "reward_schedule",
    ];

    /// Builds a lake; `id` is reported by [`Env::id`](crate::Env::id).
    pub fn new(id: &'static str, config: &FrozenLakeConfig) -> Result<Self, EnvError> {
        let (nrow, ncol) = config.validate()?;
        let desc: Vec<Vec<u8>> = config.desc.iter().map(|r| r.as_bytes().to_vec()).collect();
        let n_states = (nrow * ncol) as u32;
        let initial: Vec<(u32, f64)> = (0..n_states)
            .filter(|&s| desc[(s as usize) / ncol][(s as usize) % ncol] == b'S')
            .map(|s| (s, 1.0))
            .collect();
        let rs = config.reward_schedule;
        let fail_rate = (1.0 - config.success_rate) / 2.0;
        let target = |row: usize, col: usize, a: u32| -> Transition {
            let (r, c) = match a {
                LEFT => (row, col.saturating_sub(1)),
                DOWN => ((row + 1).min(nrow - 1), col),
                RIGHT => (row, (col + 1).min(ncol - 1)),
                _ => (row.saturating_sub(1), col), // UP
            };
            let letter = desc[r][c];
            Transition {
                prob: 1.0,
                next_state: (r * ncol + c) as u32,
                reward: match letter {
                    b'G' => rs[0],
                    b'H' => rs[1],
                    _ => rs[2],
                },
                terminated: letter == b'G' || letter == b'H',
            }
        };
        let model = TabularModel::build(n_states, 4, &initial, |s, a, out| {
            let (row, col) = ((s as usize) / ncol, (s as usize) % ncol);
            let letter = desc[row][col];
            if letter == b'G' || letter == b'H' {
                out.push(Transition {
                    prob: 1.0,
                    next_state: s,
                    reward: 0.0,
                    terminated: true,
                });
            } else if config.is_slippery {
                for b in [(a + 3) % 4, a, (a + 1) % 4] {
                    let prob = if b == a {
                        config.success_rate
                    } else {
                        fail_rate
                    };
                    out.push(Transition {
                        prob,
                        ..target(row, col, b)
                    });
                }
            } else {
                out.push(target(row, col, a));
            }
        });
        let rules = FrozenLakeRules {
            desc: Arc::new(desc),
            ncol: ncol as u32,
        };
        Ok(Self::from_model(id, model, rules))
    }

    /// Builds from `make()` parameters for registry id `id`.
    pub fn from_params(id: &'static str, params: &Params) -> Result<Self, EnvError> {
        let default_map = if id == Self::ID_8X8 { "8x8" } else { "4x4" };
        Self::new(id, &FrozenLakeConfig::from_params(id, params, default_map)?)
    }
}

impl FrozenLakeRules {
    fn tile(&self, s: u32) -> u8 {
        self.desc[(s / self.ncol) as usize][(s % self.ncol) as usize]
    }
}

impl TabularRules for FrozenLakeRules {
    /// Gymnasium's `ansi` board without colour: the agent's tile is shown as `@`.
    fn render_text(&self, s: u32, last_action: Option<u32>) -> String {
        let mut out = String::new();
        match last_action {
            Some(a) => {
                let _ = writeln!(out, "  ({})", ["Left", "Down", "Right", "Up"][a as usize]);
            }
            None => out.push('\n'),
        }
        let (ar, ac) = ((s / self.ncol) as usize, (s % self.ncol) as usize);
        for (r, row) in self.desc.iter().enumerate() {
            for (c, &t) in row.iter().enumerate() {
                out.push(if (r, c) == (ar, ac) { '@' } else { t as char });
            }
            out.push('\n');
        }
        out
    }

    fn render_rgb(&self, s: u32) -> Frame {
        let nrow = self.desc.len();
        let ncol = self.ncol as usize;
        // Gymnasium's window: 64-px tiles, capped at 512 px per side.
        let cw = (512 / ncol).clamp(1, 64);
        let ch = (512 / nrow).clamp(1, 64);
        let mut f = Frame::new(cw * ncol, ch * nrow, colors::WHITE);
        for (r, row) in self.desc.iter().enumerate() {
            for (c, &t) in row.iter().enumerate() {
                let colour = match t {
                    b'H' => colors::BLUE,
                    b'G' => colors::GREEN,
                    b'S' => [200, 220, 240],
                    _ => [225, 240, 250],
                };
                let (x, y) = ((c * cw) as i64, (r * ch) as i64);
                f.fill_rect(x, y, cw as i64, ch as i64, colour);
                f.stroke_rect(x, y, cw as i64, ch as i64, [180, 200, 230]);
            }
        }
        if self.tile(s) != b'H' {
            let (r, c) = ((s / self.ncol) as usize, (s % self.ncol) as usize);
            let cx = (c * cw) as f64 + cw as f64 / 2.0;
            let cy = (r * ch) as f64 + ch as f64 / 2.0;
            f.fill_circle(cx, cy, cw.min(ch) as f64 * 0.3, colors::RED);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Env};

    fn lake(params: Params) -> Result<FrozenLake, EnvError> {
        FrozenLake::from_params(FrozenLake::ID, &params)
    }

    #[test]
    fn non_slippery_moves_are_deterministic() {
        let mut env = lake(Params::new().with("is_slippery", false)).unwrap();
        env.reset(Some(0));
        let s = env.step(Action::Discrete(2)).unwrap();
        assert_eq!(s.obs, vec![1.0]);
        let s = env.step(Action::Discrete(1)).unwrap();
        assert_eq!(s.obs, vec![5.0]);
        assert!(s.terminated, "state 5 is a hole");
        assert_eq!(s.reward, 0.0);
    }

    #[test]
    fn slippery_transitions_list_three_moves_in_gymnasium_order() {
        let env = lake(Params::new()).unwrap();
        let t = env.transitions(0, 0).unwrap();
        let next: Vec<u32> = t.iter().map(|t| t.next_state).collect();
        // Left from 0: up (stay), left (stay), down (4).
        assert_eq!(next, vec![0, 0, 4]);
        assert!(t.iter().all(|t| (t.prob - 1.0 / 3.0).abs() < 1e-12));
    }

    #[test]
    fn goal_and_holes_loop_with_zero_reward() {
        let env = lake(Params::new()).unwrap();
        for s in [5, 15] {
            let t = env.transitions(s, 2).unwrap();
            assert_eq!(
                t,
                &[Transition {
                    prob: 1.0,
                    next_state: s as u32,
                    reward: 0.0,
                    terminated: true
                }]
            );
        }
    }

    #[test]
    fn slip_frequencies_follow_success_rate() {
        let mut env = lake(
            Params::new()
                .with("success_rate", 0.8)
                .with("map_name", "8x8"),
        )
        .unwrap();
        let mut intended = 0;
        for seed in 0..2000 {
            env.reset(Some(seed));
            // From 0, RIGHT intends state 1; slips go up (stay 0) or down (8).
            if env.step(Action::Discrete(2)).unwrap().obs[0] == 1.0 {
                intended += 1;
            }
        }
        assert!((1500..1700).contains(&intended), "{intended}");
    }

    #[test]
    fn reward_schedule_is_applied_on_arrival() {
        let env = lake(
            Params::new()
                .with("is_slippery", false)
                .with("reward_schedule", "5,-2,-0.1"),
        )
        .unwrap();
        assert_eq!(env.transitions(0, 2).unwrap()[0].reward, -0.1);
        assert_eq!(env.transitions(1, 1).unwrap()[0].reward, -2.0);
        assert_eq!(env.transitions(14, 2).unwrap()[0].reward, 5.0);
    }

    #[test]
    fn invalid_maps_are_explained() {
        let e = lake(Params::new().with("desc", "SFF,FG")).unwrap_err();
        assert!(e.to_string().contains("equal length"), "{e}");
        let e = lake(Params::new().with("desc", "SX,FG")).unwrap_err();
        assert!(e.to_string().contains("tile `X`"), "{e}");
        let e = lake(Params::new().with("desc", "FF,FG")).unwrap_err();
        assert!(e.to_string().contains("no start"), "{e}");
        let e = lake(Params::new().with("map_name", "5x5")).unwrap_err();
        assert!(e.to_string().contains("map_name"), "{e}");
        let e = lake(Params::new().with("success_rate", "1.5")).unwrap_err();
        assert!(e.to_string().contains("success_rate"), "{e}");
    }

    #[test]
    fn several_start_tiles_share_the_start_distribution() {
        let env = lake(Params::new().with("desc", "SFS,FFG")).unwrap();
        assert_eq!(env.model().initial_distribution(), vec![(0, 0.5), (2, 0.5)]);
    }

    #[test]
    fn text_board_marks_the_agent() {
        let mut env = lake(Params::new().with("is_slippery", false)).unwrap();
        env.reset(Some(0));
        assert_eq!(env.render_text().unwrap(), "\n@FFF\nFHFH\nFFFH\nHFFG\n");
        env.step(Action::Discrete(2)).unwrap();
        assert_eq!(
            env.render_text().unwrap(),
            "  (Right)\nS@FF\nFHFH\nFFFH\nHFFG\n"
        );
    }

    #[test]
    fn rgb_frame_is_tiles_with_the_agent_in_red() {
        let mut env = lake(Params::new()).unwrap();
        env.reset(Some(0));
        let f = env.render_rgb();
        assert_eq!((f.width(), f.height()), (256, 256));
        assert_eq!(f.get(32, 32), Some(colors::RED));
        assert_eq!(f.get(64 + 32, 64 + 32), Some(colors::BLUE));
        assert_eq!(f.get(3 * 64 + 32, 3 * 64 + 32), Some(colors::GREEN));
    }

    #[test]
    fn set_state_rejects_out_of_range_states() {
        let mut env = lake(Params::new()).unwrap();
        assert!(env.set_state(&[16.0]).is_err());
        assert!(env.set_state(&[1.5]).is_err());
        env.set_state(&[14.0]).unwrap();
        assert_eq!(env.state(), vec![14.0]);
    }
}

//! `Taxi-v4`: Gymnasium 1.4's taxi (Dietterich's MAXQ domain).
//!
//! A taxi on a 5x5 grid with walls picks a passenger up at one of four
//! stands (R, G, Y, B) and drops them at their destination. State index
//! `((row * 5 + col) * 5 + passenger) * 4 + destination` (passenger 4 = in
//! the taxi). Actions: 0 south, 1 north, 2 east, 3 west, 4 pickup,
//! 5 dropoff. Reward -1 per step, +20 for a delivery (which terminates),
//! -10 for an illegal pickup or dropoff. The registry adds a 200-step limit.
//!
//! The table is built as `gymnasium.envs.toy_text.taxi.TaxiEnv` builds `P`,
//! dry or rainy (`is_rainy`: moves go sideways with probability
//! `(1 - rainy_probability) / 2` each, listed intended, left, right). With
//! `fickle_passenger`, the passenger may (probability `fickle_probability`,
//! drawn at reset) change destination on the first move after pickup.
//!
//! `Taxi-v3` is accepted as an alias for the dry, non-fickle taxi only:
//! Gymnasium 1.3 fixed the rainy and fickle dynamics when it introduced v4,
//! so v3 with those options would not be the v3 a user remembers.

use crate::env::env_rng::EnvRng;
use crate::env::snapshot::as_bool;
use crate::env::tabular::{TabularModel, Transition};
use crate::env::tabular_env::{TabularEnv, TabularRules};
use crate::render::{Frame, colors};
use crate::{EnvError, Params};

/// The map; `:` is a passable column boundary, `|` a wall.
pub const MAP: [&str; 7] = [
    "+---------+",
    "|R: | : :G|",
    "| : | : : |",
    "| : : : : |",
    "| | : | : |",
    "|Y| : |B: |",
    "+---------+",
];

/// The four stands (row, col): R, G, Y, B.
const LOCS: [(usize, usize); 4] = [(0, 0), (0, 4), (4, 0), (4, 3)];
const MAX_ROW: usize = 4;
const MAX_COL: usize = 4;
const N_STATES: u32 = 500;

/// The `make()` parameters of a taxi, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxiConfig {
    /// Moves may go sideways.
    pub is_rainy: bool,
    /// The passenger may change destination once.
    pub fickle_passenger: bool,
    /// Probability of the intended move when rainy.
    pub rainy_probability: f64,
    /// Probability that the passenger is fickle in an episode.
    pub fickle_probability: f64,
}

impl Default for TaxiConfig {
    fn default() -> Self {
        Self {
            is_rainy: false,
            fickle_passenger: false,
            rainy_probability: 0.8,
            fickle_probability: 0.3,
        }
    }
}

impl TaxiConfig {
    /// Parses `make()` parameters for `id` (`Taxi-v4` or the `Taxi-v3` alias).
    pub fn from_params(id: &str, params: &Params) -> Result<Self, EnvError> {
        params.check_keys(id, Taxi::PARAMS)?;
        let prob = |key: &str, default: f64| -> Result<f64, EnvError> {
            let p = params.f64_or(key, default)?;
            if (0.0..=1.0).contains(&p) {
                Ok(p)
            } else {
                Err(EnvError::InvalidParam {
                    key: key.into(),
                    value: p.to_string(),
                    reason: "expected a probability in [0, 1]".into(),
                })
            }
        };
        let cfg = Self {
            is_rainy: params.bool_or("is_rainy", false)?,
            fickle_passenger: params.bool_or("fickle_passenger", false)?,
            rainy_probability: prob("rainy_probability", 0.8)?,
            fickle_probability: prob("fickle_probability", 0.3)?,
        };
        if id == Taxi::ID_V3 && (cfg.is_rainy || cfg.fickle_passenger) {
            return Err(EnvError::InvalidParam {
                key: if cfg.is_rainy { "is_rainy" } else { "fickle_passenger" }.into(),
                value: "true".into(),
                reason: "Taxi-v3's rainy/fickle dynamics differ from Taxi-v4's (fixed in Gymnasium 1.3); use Taxi-v4"
                    .into(),
            });
        }
        Ok(cfg)
    }
}

/// Encodes (taxi row, taxi col, passenger location, destination) as a state.
pub fn encode(row: usize, col: usize, pass: usize, dest: usize) -> u32 {
    (((row * 5 + col) * 5 + pass) * 4 + dest) as u32
}

/// Decodes a state into (taxi row, taxi col, passenger location, destination).
pub fn decode(s: u32) -> (usize, usize, usize, usize) {
    let s = s as usize;
    (s / 100, (s / 20) % 5, (s / 4) % 5, s % 4)
}

fn desc(r: usize, c: usize) -> u8 {
    MAP[r].as_bytes()[c]
}

fn pickup(taxi: (usize, usize), pass: usize) -> (usize, f64) {
    if pass < 4 && taxi == LOCS[pass] {
        (4, -1.0)
    } else {
        (pass, -10.0)
    }
}

fn dropoff(taxi: (usize, usize), pass: usize, dest: usize) -> (usize, f64, bool) {
    if taxi == LOCS[dest] && pass == 4 {
        (dest, 20.0, true)
    } else if pass == 4
        && let Some(i) = LOCS.iter().position(|&l| l == taxi)
    {
        (i, -1.0, false)
    } else {
        (pass, -10.0, false)
    }
}

/// Gymnasium's `_calc_new_position`: a sideways move for rainy weather.
fn calc_new_position(row: usize, col: usize, (dr, dc): (i64, i64)) -> (usize, usize) {
    let nr = (row as i64 + dr).clamp(0, MAX_ROW as i64) as usize;
    let nc = (col as i64 + dc).clamp(0, MAX_COL as i64) as usize;
    if dc == 1 && desc(1 + nr, 2 * nc) != b':' {
        return (row, col);
    }
    if dc == -1 && desc(1 + nr, 2 * nc + 2) != b':' {
        return (row, col);
    }
    (nr, nc)
}

/// `P[s][action]` in dry weather.
fn dry_outcomes(s: u32, action: u32, out: &mut Vec<Transition>) {
    let (row, col, pass, dest) = decode(s);
    let (mut nr, mut nc, mut np) = (row, col, pass);
    let mut reward = -1.0;
    let mut terminated = false;
    match action {
        0 => nr = (row + 1).min(MAX_ROW),
        1 => nr = row.saturating_sub(1),
        _ => {}
    }
    if action == 2 && desc(1 + row, 2 * col + 2) == b':' {
        nc = (col + 1).min(MAX_COL);
    } else if action == 3 && desc(1 + row, 2 * col) == b':' {
        nc = col.saturating_sub(1);
    } else if action == 4 {
        (np, reward) = pickup((row, col), np);
    } else if action == 5 {
        (np, reward, terminated) = dropoff((row, col), np, dest);
    }
    out.push(Transition {
        prob: 1.0,
        next_state: encode(nr, nc, np, dest),
        reward,
        terminated,
    });
}

/// `P[s][action]` when it rains.
fn rainy_outcomes(cfg: &TaxiConfig, s: u32, action: u32, out: &mut Vec<Transition>) {
    let (row, col, pass, dest) = decode(s);
    let (mut nr, mut nc, mut np) = (row, col, pass);
    let (mut left, mut right) = ((row, col), (row, col));
    let mut reward = -1.0;
    let mut terminated = false;
    // (intended, left of it, right of it) for south, north, east, west.
    let moves: [[(i64, i64); 3]; 4] = [
        [(1, 0), (0, 1), (0, -1)],
        [(-1, 0), (0, -1), (0, 1)],
        [(0, 1), (-1, 0), (1, 0)],
        [(0, -1), (1, 0), (-1, 0)],
    ];
    let can_move = (action == 0 && row < MAX_ROW)
        || (action == 1 && row > 0)
        || (action == 2 && desc(1 + row, 2 * col + 2) == b':')
        || (action == 3 && desc(1 + row, 2 * col) == b':');
    if can_move {
        let m = moves[action as usize];
        nr = (row as i64 + m[0].0).clamp(0, MAX_ROW as i64) as usize;
        nc = (col as i64 + m[0].1).clamp(0, MAX_COL as i64) as usize;
        left = calc_new_position(row, col, m[1]);
        right = calc_new_position(row, col, m[2]);
    } else if action == 4 {
        (np, reward) = pickup((row, col), np);
    } else if action == 5 {
        (np, reward, terminated) = dropoff((row, col), np, dest);
    }
    let intended = encode(nr, nc, np, dest);
    if action <= 3 {
        let lateral = (1.0 - cfg.rainy_probability) / 2.0;
        for (prob, next_state) in [
            (cfg.rainy_probability, intended),
            (lateral, encode(left.0, left.1, np, dest)),
            (lateral, encode(right.0, right.1, np, dest)),
        ] {
            out.push(Transition {
                prob,
                next_state,
                reward: -1.0,
                terminated,
            });
        }
    } else {
        out.push(Transition {
            prob: 1.0,
            next_state: intended,
            reward,
            terminated,
        });
    }
}

/// The taxi domain.
pub type Taxi = TabularEnv<TaxiRules>;

/// What a taxi adds to its table: the fickle passenger.
#[derive(Debug, Clone)]
pub struct TaxiRules {
    config: TaxiConfig,
    /// This episode's passenger may still change destination.
    fickle_step: bool,
}

impl Taxi {
    /// The registry id.
    pub const ID: &'static str = "Taxi-v4";
    /// The older id, accepted for the dry, non-fickle taxi.
    pub const ID_V3: &'static str = "Taxi-v3";
    /// Parameters accepted by [`Taxi::from_params`].
    pub const PARAMS: &'static [&'static str] = &[
        "is_rainy",
        "fickle_passenger",
        "rainy_probability",
        "fickle_probability",
    ];
    /// Gymnasium's registered time limit.
    pub const MAX_EPISODE_STEPS: u32 = 200;

    /// Builds a taxi; `id` is reported by [`Env::id`](crate::Env::id).
    pub fn new(id: &'static str, config: TaxiConfig) -> Self {
        let mut initial = Vec::new();
        for s in 0..N_STATES {
            let (_, _, pass, dest) = decode(s);
            if pass < 4 && pass != dest {
                initial.push((s, 1.0));
            }
        }
        let model = TabularModel::build(N_STATES, 6, &initial, |s, a, out| {
            if config.is_rainy {
                rainy_outcomes(&config, s, a, out);
            } else {
                dry_outcomes(s, a, out);
            }
        });
        let rules = TaxiRules {
            config,
            fickle_step: false,
        };
        Self::from_model(id, model, rules)
    }

    /// Builds from `make()` parameters for `id` (`Taxi-v4` or `Taxi-v3`).
    pub fn from_params(id: &'static str, params: &Params) -> Result<Self, EnvError> {
        Ok(Self::new(id, TaxiConfig::from_params(id, params)?))
    }

    /// Gymnasium's `action_mask(state)`: 1 for actions that change the state.
    pub fn action_mask(s: u32) -> [u8; 6] {
        let (row, col, pass, dest) = decode(s);
        let mut m = [0u8; 6];
        m[0] = u8::from(row < 4);
        m[1] = u8::from(row > 0);
        m[2] = u8::from(col < 4 && desc(row + 1, 2 * col + 2) == b':');
        m[3] = u8::from(col > 0 && desc(row + 1, 2 * col) == b':');
        m[4] = u8::from(pass < 4 && (row, col) == LOCS[pass]);
        m[5] = u8::from(pass == 4 && ((row, col) == LOCS[dest] || LOCS.contains(&(row, col))));
        m
    }
}

impl TabularRules for TaxiRules {
    /// `fickle_step`.
    const SNAPSHOT_VALUES: usize = 1;

    fn on_reset(&mut self, _s: u32, rng: &mut EnvRng) {
        self.fickle_step =
            self.config.fickle_passenger && rng.random() < self.config.fickle_probability;
    }

    fn after_step(&mut self, from: u32, to: u32, rng: &mut EnvRng) -> u32 {
        let (old_row, old_col, old_pass, old_dest) = decode(from);
        let (row, col, pass, _) = decode(to);
        if self.config.fickle_passenger
            && self.fickle_step
            && old_pass == 4
            && (row != old_row || col != old_col)
        {
            self.fickle_step = false;
            // `np_random.choice` of the three other destinations, in index
            // order: one `integers(3)`.
            let k = rng.integers(3) as usize;
            let dest = (0..4).filter(|&d| d != old_dest).nth(k).unwrap_or(old_dest);
            return encode(row, col, pass, dest);
        }
        to
    }

    fn action_mask(&self, s: u32) -> Option<Vec<u8>> {
        Some(Taxi::action_mask(s).to_vec())
    }

    /// Gymnasium's `ansi` board without colour: the taxi is `T` when empty
    /// and `@` with the passenger aboard; a waiting passenger's stand letter
    /// is lower-cased; the destination letter stays upper-case.
    fn render_text(&self, s: u32, last_action: Option<u32>) -> String {
        let mut out: Vec<Vec<u8>> = MAP.iter().map(|r| r.as_bytes().to_vec()).collect();
        let (row, col, pass, _dest) = decode(s);
        if pass < 4 {
            let (pr, pc) = LOCS[pass];
            out[1 + pr][2 * pc + 1] = out[1 + pr][2 * pc + 1].to_ascii_lowercase();
            out[1 + row][2 * col + 1] = b'T';
        } else {
            out[1 + row][2 * col + 1] = b'@';
        }
        let mut text = String::new();
        for r in out {
            text.push_str(&String::from_utf8_lossy(&r));
            text.push('\n');
        }
        if let Some(a) = last_action {
            text.push_str(&format!(
                "  ({})\n",
                ["South", "North", "East", "West", "Pickup", "Dropoff"][a as usize]
            ));
        }
        text
    }

    fn render_rgb(&self, s: u32) -> Frame {
        const CELL: i64 = 48;
        let mut f = Frame::new(5 * CELL as usize, 5 * CELL as usize, [250, 250, 246]);
        let stand_colours = [[255, 0, 0], [0, 255, 0], [255, 255, 0], [0, 0, 255]];
        let (row, col, pass, dest) = decode(s);
        for (i, &(r, c)) in LOCS.iter().enumerate() {
            let shade = if i == dest {
                stand_colours[i]
            } else {
                stand_colours[i].map(|v: u8| v / 2 + 64)
            };
            f.fill_rect(c as i64 * CELL, r as i64 * CELL, CELL, CELL, shade);
        }
        for r in 0..5 {
            for c in 0..5 {
                f.stroke_rect(c * CELL, r * CELL, CELL, CELL, colors::LIGHT_GREY);
            }
        }
        // Walls: a `|` between columns c and c + 1 at map position 2c + 2.
        for r in 0..5usize {
            for c in 0..4usize {
                if desc(1 + r, 2 * c + 2) == b'|' {
                    f.fill_rect(
                        (c as i64 + 1) * CELL - 2,
                        r as i64 * CELL,
                        4,
                        CELL,
                        colors::BLACK,
                    );
                }
            }
        }
        let taxi_colour = if pass == 4 {
            colors::GREEN
        } else {
            colors::GOLD
        };
        f.fill_rect(
            col as i64 * CELL + 8,
            row as i64 * CELL + 12,
            CELL - 16,
            CELL - 24,
            taxi_colour,
        );
        if pass < 4 {
            let (pr, pc) = LOCS[pass];
            let c = (pc as f64 + 0.5) * CELL as f64;
            let r = (pr as f64 + 0.5) * CELL as f64;
            f.fill_circle(c, r, CELL as f64 * 0.2, colors::BLACK);
        }
        f
    }

    fn snapshot_values(&self) -> Vec<f64> {
        vec![f64::from(u8::from(self.fickle_step))]
    }

    fn restore_values(&mut self, values: &[f64]) -> Result<(), EnvError> {
        self.fickle_step = as_bool(values[0], "fickle_step")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Env};

    fn taxi(params: Params) -> Taxi {
        Taxi::from_params(Taxi::ID, &params).unwrap()
    }

    #[test]
    fn encode_and_decode_are_inverse() {
        for s in 0..N_STATES {
            let (r, c, p, d) = decode(s);
            assert_eq!(encode(r, c, p, d), s);
        }
        assert_eq!(encode(4, 4, 4, 3), 499);
    }

    #[test]
    fn initial_states_have_a_waiting_passenger_elsewhere_than_the_destination() {
        let env = taxi(Params::new());
        let init = env.model().initial_distribution();
        assert_eq!(init.len(), 300);
        for (s, _) in init {
            let (_, _, p, d) = decode(s);
            assert!(p < 4 && p != d);
        }
    }

    #[test]
    fn walls_block_east_moves() {
        let env = taxi(Params::new());
        // Row 0, col 1 has a wall on its east side (`|R: | :`).
        let s = encode(0, 1, 0, 1);
        assert_eq!(env.transitions(u64::from(s), 2).unwrap()[0].next_state, s);
        let s = encode(0, 2, 0, 1);
        assert_eq!(
            env.transitions(u64::from(s), 2).unwrap()[0].next_state,
            encode(0, 3, 0, 1)
        );
    }

    #[test]
    fn pickup_then_delivery_pays_twenty_and_terminates() {
        let env = taxi(Params::new());
        let at_r = encode(0, 0, 0, 1);
        let t = env.transitions(u64::from(at_r), 4).unwrap()[0];
        assert_eq!((t.next_state, t.reward), (encode(0, 0, 4, 1), -1.0));
        let at_g = encode(0, 4, 4, 1);
        let t = env.transitions(u64::from(at_g), 5).unwrap()[0];
        assert_eq!(
            (t.next_state, t.reward, t.terminated),
            (encode(0, 4, 1, 1), 20.0, true)
        );
        let t = env.transitions(u64::from(encode(2, 2, 0, 1)), 4).unwrap()[0];
        assert_eq!(t.reward, -10.0);
    }

    #[test]
    fn rainy_moves_have_three_outcomes() {
        let env = taxi(Params::new().with("is_rainy", true));
        let s = encode(2, 2, 0, 1);
        let t = env.transitions(u64::from(s), 0).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].next_state, encode(3, 2, 0, 1));
        assert!((t.iter().map(|t| t.prob).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn taxi_v3_refuses_the_changed_options() {
        assert!(Taxi::from_params(Taxi::ID_V3, &Params::new()).is_ok());
        let e = Taxi::from_params(Taxi::ID_V3, &Params::new().with("is_rainy", true)).unwrap_err();
        assert!(e.to_string().contains("Taxi-v4"), "{e}");
    }

    #[test]
    fn fickle_passenger_changes_destination_at_most_once() {
        let mut env = taxi(
            Params::new()
                .with("fickle_passenger", true)
                .with("fickle_probability", 1.0),
        );
        env.reset(Some(1));
        // Passenger in the taxi at R going to G; move east twice.
        env.set_state(&[f64::from(encode(2, 0, 4, 1))]).unwrap();
        env.rules_mut().fickle_step = true;
        let s = env.step(Action::Discrete(1)).unwrap();
        let (_, _, p, d) = decode(s.obs[0] as u32);
        assert_eq!(p, 4);
        assert_ne!(d, 1);
        let s2 = env.step(Action::Discrete(0)).unwrap();
        assert_eq!(decode(s2.obs[0] as u32).3, d);
    }

    #[test]
    fn info_carries_prob_and_action_mask() {
        let mut env = taxi(Params::new());
        let (obs, info) = env.reset(Some(3));
        assert_eq!(info.prob, Some(1.0));
        assert_eq!(
            info.action_mask.unwrap(),
            Taxi::action_mask(obs[0] as u32).to_vec()
        );
    }

    #[test]
    fn text_board_shows_taxi_and_waiting_passenger() {
        let mut env = taxi(Params::new());
        env.set_state(&[f64::from(encode(2, 2, 0, 1))]).unwrap();
        let text = env.render_text().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "|r: | : :G|");
        assert_eq!(lines[3], "| : :T: : |");
    }
}

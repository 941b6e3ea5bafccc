//! Gold miners: a multi-agent grid world for BDI (and RL) experiments.
//!
//! In the spirit of Jason's gold-miners scenario: several miners share one
//! grid with obstacles, gold nuggets and a depot. Each miner moves up, down,
//! left or right, picks up a nugget on its cell (carrying at most one) and
//! drops it; a nugget dropped on the depot is delivered. The episode
//! terminates when every nugget has been delivered and is truncated after
//! `max_steps`.
//!
//! Coordinates are `(x, y)` = (column, row) with `(0, 0)` at the top left and
//! `y` growing downwards (up is `y - 1`), as in Jason's miners.
//!
//! Each step takes one action per miner; actions are applied in miner-index
//! order, so a miner moves into a cell another miner has just left, and two
//! miners never share a cell (moving into an occupied cell, an obstacle or
//! the border is a bump). Rewards are per miner ([`MinerRewards`]).
//!
//! A miner perceives the cells within `perception_radius` (Chebyshev
//! distance: the surrounding square), in two forms:
//! - [`GoldMiners::percepts`]: facts for a BDI agent, displayed as AgentSpeak
//!   literals (`pos(3,4)`, `carrying`, `gold(5,6)`, `depot(10,10)`,
//!   `obstacle(2,2)`, `agent(1,4,4)`, `grid_size(20,20)`), ready to become
//!   beliefs;
//! - [`GoldMiners::observe_into`]: an `f32` vector for an RL policy.
//!
//! The layout (obstacles, nuggets, start cells) is drawn from the reset seed;
//! obstacles never cut the free cells in two, so every nugget can reach the
//! depot.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use crate::env::env_rng::EnvRng;
use crate::render::{Frame, colors};
use crate::{EnvError, Params, Space};

/// What a miner can do in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinerAction {
    /// Move to `y - 1`.
    Up = 0,
    /// Move to `y + 1`.
    Down = 1,
    /// Move to `x - 1`.
    Left = 2,
    /// Move to `x + 1`.
    Right = 3,
    /// Pick up the nugget on the miner's cell.
    Pick = 4,
    /// Drop the carried nugget (delivers it on the depot).
    Drop = 5,
}

impl MinerAction {
    /// All actions, in index order (the RL action index).
    pub const ALL: [MinerAction; 6] = [
        Self::Up,
        Self::Down,
        Self::Left,
        Self::Right,
        Self::Pick,
        Self::Drop,
    ];

    /// The lower-case name, as a BDI action would spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
            Self::Left => "left",
            Self::Right => "right",
            Self::Pick => "pick",
            Self::Drop => "drop",
        }
    }
}

impl TryFrom<i64> for MinerAction {
    type Error = EnvError;
    fn try_from(a: i64) -> Result<Self, EnvError> {
        usize::try_from(a)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or_else(|| EnvError::InvalidAction {
                action: a.to_string(),
                space: "Discrete(6)".into(),
            })
    }
}

impl FromStr for MinerAction {
    type Err = EnvError;
    fn from_str(s: &str) -> Result<Self, EnvError> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| EnvError::InvalidAction {
                action: format!("`{s}`"),
                space: "up, down, left, right, pick, drop".into(),
            })
    }
}

impl fmt::Display for MinerAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One fact a miner perceives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Percept {
    /// The miner's own position.
    Pos {
        /// Column.
        x: usize,
        /// Row.
        y: usize,
    },
    /// The miner carries a nugget.
    Carrying,
    /// A nugget lies at `(x, y)`.
    Gold {
        /// Column.
        x: usize,
        /// Row.
        y: usize,
    },
    /// The depot (always perceived, wherever it is).
    Depot {
        /// Column.
        x: usize,
        /// Row.
        y: usize,
    },
    /// An obstacle at `(x, y)`.
    Obstacle {
        /// Column.
        x: usize,
        /// Row.
        y: usize,
    },
    /// Another miner, by index.
    Agent {
        /// The other miner's index.
        id: usize,
        /// Column.
        x: usize,
        /// Row.
        y: usize,
    },
    /// The grid's size (always perceived).
    GridSize {
        /// Columns.
        width: usize,
        /// Rows.
        height: usize,
    },
}

impl Percept {
    /// The functor of the literal (`pos`, `gold`, …).
    pub fn functor(&self) -> &'static str {
        match self {
            Percept::Pos { .. } => "pos",
            Percept::Carrying => "carrying",
            Percept::Gold { .. } => "gold",
            Percept::Depot { .. } => "depot",
            Percept::Obstacle { .. } => "obstacle",
            Percept::Agent { .. } => "agent",
            Percept::GridSize { .. } => "grid_size",
        }
    }

    /// The integer arguments of the literal, in order.
    pub fn args(&self) -> Vec<i64> {
        let i = |v: usize| v as i64;
        match *self {
            Percept::Pos { x, y }
            | Percept::Gold { x, y }
            | Percept::Depot { x, y }
            | Percept::Obstacle { x, y } => {
                vec![i(x), i(y)]
            }
            Percept::Carrying => vec![],
            Percept::Agent { id, x, y } => vec![i(id), i(x), i(y)],
            Percept::GridSize { width, height } => vec![i(width), i(height)],
        }
    }
}

impl fmt::Display for Percept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.functor())?;
        let args = self.args();
        if !args.is_empty() {
            let parts: Vec<String> = args.iter().map(i64::to_string).collect();
            write!(f, "({})", parts.join(","))?;
        }
        Ok(())
    }
}

/// Per-miner rewards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinerRewards {
    /// Paid to every miner every step (a small cost favours short paths).
    pub step: f64,
    /// For picking up a nugget.
    pub pick: f64,
    /// For delivering a nugget on the depot.
    pub deliver: f64,
    /// For an action with no effect: a bump, picking nothing, dropping
    /// nothing or on a cell that already holds a nugget.
    pub invalid: f64,
}

impl Default for MinerRewards {
    fn default() -> Self {
        Self {
            step: -0.01,
            pick: 0.1,
            deliver: 1.0,
            invalid: -0.05,
        }
    }
}

/// The grid world's size, population and rules.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldMinersConfig {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Number of miners.
    pub num_agents: usize,
    /// Nuggets placed at reset.
    pub num_gold: usize,
    /// Obstacles placed at reset.
    pub num_obstacles: usize,
    /// How far a miner sees (Chebyshev distance).
    pub perception_radius: usize,
    /// Steps before truncation.
    pub max_steps: u32,
    /// Depot cell `(x, y)`; `None` puts it at the centre.
    pub depot: Option<(usize, usize)>,
    /// Rewards.
    pub rewards: MinerRewards,
}

impl Default for GoldMinersConfig {
    fn default() -> Self {
        Self {
            width: 20,
            height: 20,
            num_agents: 4,
            num_gold: 20,
            num_obstacles: 40,
            perception_radius: 2,
            max_steps: 1000,
            depot: None,
            rewards: MinerRewards::default(),
        }
    }
}

impl GoldMinersConfig {
    /// Parameters accepted by [`GoldMinersConfig::from_params`].
    pub const PARAMS: &'static [&'static str] = &[
        "width",
        "height",
        "num_agents",
        "num_gold",
        "num_obstacles",
        "perception_radius",
        "max_steps",
        "depot",
        "reward_step",
        "reward_pick",
        "reward_deliver",
        "reward_invalid",
    ];

    /// Builds a configuration from named parameters (e.g. a TOML table
    /// turned into [`Params`]); absent keys keep the defaults. `depot` is
    /// `x,y`.
    pub fn from_params(params: &Params) -> Result<Self, EnvError> {
        params.check_keys("gold_miners", Self::PARAMS)?;
        let d = Self::default();
        let size = |key: &str, default: usize| -> Result<usize, EnvError> {
            Ok(params.u64_opt(key)?.map_or(default, |v| v as usize))
        };
        let depot = match params.list_opt("depot")? {
            None => None,
            Some(xy) => {
                let parsed: Vec<usize> = xy.iter().filter_map(|v| v.parse().ok()).collect();
                if parsed.len() != 2 || xy.len() != 2 {
                    return Err(EnvError::InvalidParam {
                        key: "depot".into(),
                        value: params.get("depot").unwrap_or_default().into(),
                        reason: "expected two non-negative integers x,y".into(),
                    });
                }
                Some((parsed[0], parsed[1]))
            }
        };
        Ok(Self {
            width: size("width", d.width)?,
            height: size("height", d.height)?,
            num_agents: size("num_agents", d.num_agents)?,
            num_gold: size("num_gold", d.num_gold)?,
            num_obstacles: size("num_obstacles", d.num_obstacles)?,
            perception_radius: size("perception_radius", d.perception_radius)?,
            max_steps: params.u64_opt("max_steps")?.map_or(Ok(d.max_steps), |v| {
                u32::try_from(v).map_err(|_| EnvError::InvalidParam {
                    key: "max_steps".into(),
                    value: v.to_string(),
                    reason: "expected at most 2^32 - 1".into(),
                })
            })?,
            depot,
            rewards: MinerRewards {
                step: params.f64_or("reward_step", d.rewards.step)?,
                pick: params.f64_or("reward_pick", d.rewards.pick)?,
                deliver: params.f64_or("reward_deliver", d.rewards.deliver)?,
                invalid: params.f64_or("reward_invalid", d.rewards.invalid)?,
            },
        })
    }
}

/// The outcome of one [`GoldMiners::step`]; rewards went to the caller's slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinersStep {
    /// Every nugget has been delivered.
    pub terminated: bool,
    /// `max_steps` reached.
    pub truncated: bool,
    /// Nuggets delivered during this step.
    pub delivered: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Free,
    Obstacle,
    Gold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Miner {
    x: usize,
    y: usize,
    carrying: bool,
}

/// A snapshot of the world for viewers ([`GoldMiners::view`]); cells are
/// `[x, y]`, `y` growing downwards.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorldView {
    /// Cells across.
    pub width: usize,
    /// Cells down.
    pub height: usize,
    /// Blocked cells.
    pub obstacles: Vec<[usize; 2]>,
    /// Cells holding a nugget.
    pub gold: Vec<[usize; 2]>,
    /// Where nuggets are delivered.
    pub depot: [usize; 2],
    /// Every miner, by id.
    pub miners: Vec<MinerView>,
    /// World steps so far (one per as many actions as there are miners).
    pub steps: u32,
    /// Nuggets delivered so far.
    pub delivered: u32,
    /// Nuggets the world started with.
    pub num_gold: usize,
}

/// One miner in a [`WorldView`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MinerView {
    /// Column.
    pub x: usize,
    /// Row.
    pub y: usize,
    /// Whether it carries a nugget.
    pub carrying: bool,
}

/// The gold-miners world; see the module doc.
#[derive(Debug, Clone)]
pub struct GoldMiners {
    config: GoldMinersConfig,
    depot: (usize, usize),
    cells: Vec<Cell>,
    miners: Vec<Miner>,
    delivered: u32,
    steps: u32,
    /// Actions taken one miner at a time with [`act`](GoldMiners::act).
    single_actions: u64,
    rng: EnvRng,
    ready: bool,
}

impl GoldMiners {
    /// Checks the configuration; the world is empty until [`reset`](Self::reset).
    pub fn new(config: GoldMinersConfig) -> Result<Self, EnvError> {
        let (w, h) = (config.width, config.height);
        if w == 0 || h == 0 {
            return Err(EnvError::InvalidConfig(
                "the grid must be at least 1x1".into(),
            ));
        }
        if config.num_agents == 0 {
            return Err(EnvError::InvalidConfig(
                "at least one miner is needed".into(),
            ));
        }
        let depot = config.depot.unwrap_or((w / 2, h / 2));
        if depot.0 >= w || depot.1 >= h {
            return Err(EnvError::InvalidConfig(format!(
                "depot {depot:?} is outside the {w}x{h} grid"
            )));
        }
        let needed = 1 + config.num_obstacles + config.num_agents + config.num_gold;
        if needed > w * h {
            return Err(EnvError::InvalidConfig(format!(
                "{w}x{h} = {} cells cannot hold the depot, {} obstacles, {} miners and {} nuggets",
                w * h,
                config.num_obstacles,
                config.num_agents,
                config.num_gold
            )));
        }
        Ok(Self {
            cells: vec![Cell::Free; w * h],
            miners: Vec::new(),
            depot,
            config,
            delivered: 0,
            steps: 0,
            single_actions: 0,
            // Not a Gymnasium env: Agora's seeding, so a seed's layout is
            // the one it always was.
            rng: EnvRng::agora(),
            ready: false,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GoldMinersConfig {
        &self.config
    }

    /// Number of miners.
    pub fn num_agents(&self) -> usize {
        self.config.num_agents
    }

    /// The depot cell.
    pub fn depot(&self) -> (usize, usize) {
        self.depot
    }

    /// Miner `agent`'s position, `None` for an unknown miner or before reset.
    pub fn position(&self, agent: usize) -> Option<(usize, usize)> {
        self.miners.get(agent).map(|m| (m.x, m.y))
    }

    /// Whether miner `agent` carries a nugget.
    pub fn carrying(&self, agent: usize) -> bool {
        self.miners.get(agent).is_some_and(|m| m.carrying)
    }

    /// Nuggets delivered so far in this episode.
    pub fn delivered(&self) -> u32 {
        self.delivered
    }

    /// Nuggets not yet delivered (on the ground or carried).
    pub fn gold_remaining(&self) -> u32 {
        self.config.num_gold as u32 - self.delivered
    }

    /// Steps taken in this episode.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// The per-miner action space: `Discrete(6)`, indices as [`MinerAction::ALL`].
    pub fn action_space(&self) -> Space {
        Space::Discrete { n: 6 }
    }

    /// Length of one miner's observation vector.
    pub fn obs_dim(&self) -> usize {
        let side = 2 * self.config.perception_radius + 1;
        4 * side * side + 5
    }

    /// The per-miner observation space (every component in `[-1, 1]`).
    pub fn observation_space(&self) -> Space {
        Space::Box {
            low: vec![-1.0; self.obs_dim()],
            high: vec![1.0; self.obs_dim()],
        }
    }

    fn idx(&self, x: usize, y: usize) -> usize {
        y * self.config.width + x
    }

    /// Whether the free cells (everything but obstacles) form one region.
    fn free_cells_connected(&self) -> bool {
        let (w, h) = (self.config.width, self.config.height);
        let total_free = self.cells.iter().filter(|c| **c != Cell::Obstacle).count();
        let mut seen = vec![false; w * h];
        let mut queue = VecDeque::from([self.depot]);
        seen[self.idx(self.depot.0, self.depot.1)] = true;
        let mut count = 0;
        while let Some((x, y)) = queue.pop_front() {
            count += 1;
            let neighbours = [
                (x.wrapping_sub(1), y),
                (x + 1, y),
                (x, y.wrapping_sub(1)),
                (x, y + 1),
            ];
            for (nx, ny) in neighbours {
                if nx < w && ny < h {
                    let i = self.idx(nx, ny);
                    if !seen[i] && self.cells[i] != Cell::Obstacle {
                        seen[i] = true;
                        queue.push_back((nx, ny));
                    }
                }
            }
        }
        count == total_free
    }

    /// Draws a new layout and starts an episode. `Some(seed)` reseeds; see
    /// [`Env`](crate::Env)'s seeding rule.
    pub fn reset(&mut self, seed: Option<u64>) {
        self.rng.on_reset(seed);
        let (w, h) = (self.config.width, self.config.height);
        self.cells.fill(Cell::Free);
        self.miners.clear();
        self.delivered = 0;
        self.steps = 0;
        self.single_actions = 0;
        let depot_i = self.idx(self.depot.0, self.depot.1);

        // Obstacles: random cells, skipping any that would disconnect the
        // free region. Candidates are visited in a shuffled order, so the
        // loop ends even when few placements are possible.
        let mut order: Vec<usize> = (0..w * h).filter(|&i| i != depot_i).collect();
        self.shuffle(&mut order);
        let mut placed = 0;
        for &i in &order {
            if placed == self.config.num_obstacles {
                break;
            }
            self.cells[i] = Cell::Obstacle;
            if self.free_cells_connected() {
                placed += 1;
            } else {
                self.cells[i] = Cell::Free;
            }
        }

        let mut free: Vec<usize> = (0..w * h)
            .filter(|&i| i != depot_i && self.cells[i] == Cell::Free)
            .collect();
        self.shuffle(&mut free);
        let mut free = free.into_iter();
        for _ in 0..self.config.num_agents {
            if let Some(i) = free.next() {
                self.miners.push(Miner {
                    x: i % w,
                    y: i / w,
                    carrying: false,
                });
            }
        }
        for _ in 0..self.config.num_gold {
            if let Some(i) = free.next() {
                self.cells[i] = Cell::Gold;
            }
        }
        self.ready = true;
    }

    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = self.rng.integers(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }

    /// Applies one action per miner (in miner order) and writes each miner's
    /// reward into `rewards`.
    ///
    /// Fails, changing nothing, when `actions` or `rewards` does not have
    /// one entry per miner or before the first reset.
    pub fn step(
        &mut self,
        actions: &[MinerAction],
        rewards: &mut [f64],
    ) -> Result<MinersStep, EnvError> {
        if !self.ready {
            return Err(EnvError::ResetNeeded);
        }
        let n = self.miners.len();
        if actions.len() != n {
            return Err(EnvError::ActionBatchLength {
                got: actions.len(),
                expected: n,
                num_envs: n,
            });
        }
        if rewards.len() != n {
            return Err(EnvError::BufferLength {
                buffer: "rewards",
                got: rewards.len(),
                expected: n,
            });
        }
        let mut delivered_now = 0;
        for (k, &action) in actions.iter().enumerate() {
            let (reward, delivered) = self.apply(k, action);
            rewards[k] = reward;
            delivered_now += delivered;
        }
        self.steps = self.steps.saturating_add(1);
        Ok(self.outcome(delivered_now))
    }

    /// One miner acts now, on its own, as in Jason's centralised
    /// environments where each agent's action is executed when the agent
    /// takes it. The world counts a step each time as many actions as there
    /// are miners have been taken, so `max_steps` truncates as it does for
    /// [`step`](Self::step). Returns the miner's reward and the outcome.
    pub fn act(
        &mut self,
        agent: usize,
        action: MinerAction,
    ) -> Result<(f64, MinersStep), EnvError> {
        self.check_agent(agent)?;
        let (reward, delivered) = self.apply(agent, action);
        self.single_actions += 1;
        if self.single_actions.is_multiple_of(self.miners.len() as u64) {
            self.steps = self.steps.saturating_add(1);
        }
        Ok((reward, self.outcome(delivered)))
    }

    fn outcome(&self, delivered: u32) -> MinersStep {
        MinersStep {
            terminated: self.delivered as usize == self.config.num_gold,
            truncated: self.steps >= self.config.max_steps,
            delivered,
        }
    }

    /// Applies miner `k`'s action; its reward and the nuggets it delivered.
    fn apply(&mut self, k: usize, action: MinerAction) -> (f64, u32) {
        let r = self.config.rewards;
        let (w, h) = (self.config.width, self.config.height);
        let mut delivered = 0;
        let mut reward = r.step;
        let Miner { x, y, carrying } = self.miners[k];
        match action {
            MinerAction::Up | MinerAction::Down | MinerAction::Left | MinerAction::Right => {
                let target = match action {
                    MinerAction::Up => (x, y.wrapping_sub(1)),
                    MinerAction::Down => (x, y + 1),
                    MinerAction::Left => (x.wrapping_sub(1), y),
                    _ => (x + 1, y),
                };
                let free = target.0 < w
                    && target.1 < h
                    && self.cells[self.idx(target.0, target.1)] != Cell::Obstacle
                    && !self.miners.iter().any(|m| (m.x, m.y) == target);
                if free {
                    self.miners[k].x = target.0;
                    self.miners[k].y = target.1;
                } else {
                    reward += r.invalid;
                }
            }
            MinerAction::Pick => {
                let i = self.idx(x, y);
                if !carrying && self.cells[i] == Cell::Gold {
                    self.cells[i] = Cell::Free;
                    self.miners[k].carrying = true;
                    reward += r.pick;
                } else {
                    reward += r.invalid;
                }
            }
            MinerAction::Drop => {
                let i = self.idx(x, y);
                if carrying && (x, y) == self.depot {
                    self.miners[k].carrying = false;
                    self.delivered += 1;
                    delivered += 1;
                    reward += r.deliver;
                } else if carrying && self.cells[i] == Cell::Free {
                    self.miners[k].carrying = false;
                    self.cells[i] = Cell::Gold;
                } else {
                    reward += r.invalid;
                }
            }
        }
        (reward, delivered)
    }

    /// [`step`](Self::step) with RL action indices (`0..6`, see [`MinerAction::ALL`]).
    pub fn step_indices(
        &mut self,
        actions: &[i64],
        rewards: &mut [f64],
    ) -> Result<MinersStep, EnvError> {
        let parsed: Vec<MinerAction> = actions
            .iter()
            .map(|&a| MinerAction::try_from(a))
            .collect::<Result<_, _>>()?;
        self.step(&parsed, rewards)
    }

    fn check_agent(&self, agent: usize) -> Result<Miner, EnvError> {
        if !self.ready {
            return Err(EnvError::ResetNeeded);
        }
        self.miners.get(agent).copied().ok_or_else(|| {
            EnvError::InvalidConfig(format!("no miner {agent}; there are {}", self.miners.len()))
        })
    }

    /// Miner `agent`'s percepts (appended to `out`, which is cleared first).
    pub fn percepts_into(&self, agent: usize, out: &mut Vec<Percept>) -> Result<(), EnvError> {
        let me = self.check_agent(agent)?;
        out.clear();
        out.push(Percept::GridSize {
            width: self.config.width,
            height: self.config.height,
        });
        out.push(Percept::Pos { x: me.x, y: me.y });
        if me.carrying {
            out.push(Percept::Carrying);
        }
        out.push(Percept::Depot {
            x: self.depot.0,
            y: self.depot.1,
        });
        let r = self.config.perception_radius;
        let (x0, x1) = (
            me.x.saturating_sub(r),
            (me.x + r).min(self.config.width - 1),
        );
        let (y0, y1) = (
            me.y.saturating_sub(r),
            (me.y + r).min(self.config.height - 1),
        );
        for y in y0..=y1 {
            for x in x0..=x1 {
                match self.cells[self.idx(x, y)] {
                    Cell::Gold => out.push(Percept::Gold { x, y }),
                    Cell::Obstacle => out.push(Percept::Obstacle { x, y }),
                    Cell::Free => {}
                }
            }
        }
        for (id, m) in self.miners.iter().enumerate() {
            if id != agent && (x0..=x1).contains(&m.x) && (y0..=y1).contains(&m.y) {
                out.push(Percept::Agent { id, x: m.x, y: m.y });
            }
        }
        Ok(())
    }

    /// Miner `agent`'s percepts as a new list.
    pub fn percepts(&self, agent: usize) -> Result<Vec<Percept>, EnvError> {
        let mut out = Vec::new();
        self.percepts_into(agent, &mut out)?;
        Ok(out)
    }

    /// Writes miner `agent`'s observation vector into `out`
    /// ([`obs_dim`](Self::obs_dim) long).
    ///
    /// Layout: four `(2r + 1)²` planes over the square around the miner,
    /// row-major from the top-left (blocked = obstacle or outside the grid,
    /// gold, other miner, depot; 1.0 or 0.0), then `carrying`, the miner's
    /// `x / (width - 1)` and `y / (height - 1)`, and the depot's offset
    /// `(dx / width, dy / height)`.
    ///
    /// # Panics
    ///
    /// If `out` is shorter than `obs_dim()`.
    pub fn observe_into(&self, agent: usize, out: &mut [f32]) -> Result<(), EnvError> {
        let me = self.check_agent(agent)?;
        let r = self.config.perception_radius as i64;
        let side = (2 * r + 1) as usize;
        let plane = side * side;
        let out = &mut out[..self.obs_dim()];
        out.fill(0.0);
        let (w, h) = (self.config.width as i64, self.config.height as i64);
        for dy in -r..=r {
            for dx in -r..=r {
                let (x, y) = (me.x as i64 + dx, me.y as i64 + dy);
                let k = ((dy + r) as usize) * side + (dx + r) as usize;
                if x < 0 || y < 0 || x >= w || y >= h {
                    out[k] = 1.0;
                    continue;
                }
                let (x, y) = (x as usize, y as usize);
                match self.cells[self.idx(x, y)] {
                    Cell::Obstacle => out[k] = 1.0,
                    Cell::Gold => out[plane + k] = 1.0,
                    Cell::Free => {}
                }
                if self
                    .miners
                    .iter()
                    .enumerate()
                    .any(|(id, m)| id != agent && (m.x, m.y) == (x, y))
                {
                    out[2 * plane + k] = 1.0;
                }
                if (x, y) == self.depot {
                    out[3 * plane + k] = 1.0;
                }
            }
        }
        let tail = 4 * plane;
        let norm = |v: usize, n: usize| {
            if n > 1 {
                v as f32 / (n - 1) as f32
            } else {
                0.0
            }
        };
        out[tail] = f32::from(u8::from(me.carrying));
        out[tail + 1] = norm(me.x, self.config.width);
        out[tail + 2] = norm(me.y, self.config.height);
        out[tail + 3] = (self.depot.0 as f32 - me.x as f32) / w as f32;
        out[tail + 4] = (self.depot.1 as f32 - me.y as f32) / h as f32;
        Ok(())
    }

    /// Writes every miner's observation, miner `i` at
    /// `[i * obs_dim .. (i + 1) * obs_dim]` (one batch for a shared policy).
    pub fn observe_all_into(&self, out: &mut [f32]) -> Result<(), EnvError> {
        let d = self.obs_dim();
        let expected = d * self.miners.len();
        if out.len() != expected {
            return Err(EnvError::BufferLength {
                buffer: "obs",
                got: out.len(),
                expected,
            });
        }
        for (i, o) in out.chunks_exact_mut(d).enumerate() {
            self.observe_into(i, o)?;
        }
        Ok(())
    }

    /// The whole world as plain data (what a viewer draws from): unlike the
    /// text board, a miner standing on the depot or a nugget hides nothing.
    pub fn view(&self) -> WorldView {
        let (w, h) = (self.config.width, self.config.height);
        let cells_of = |kind: Cell| -> Vec<[usize; 2]> {
            (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .filter(|&(x, y)| self.cells[self.idx(x, y)] == kind)
                .map(|(x, y)| [x, y])
                .collect()
        };
        WorldView {
            width: w,
            height: h,
            obstacles: cells_of(Cell::Obstacle),
            gold: cells_of(Cell::Gold),
            depot: [self.depot.0, self.depot.1],
            miners: self
                .miners
                .iter()
                .map(|m| MinerView {
                    x: m.x,
                    y: m.y,
                    carrying: m.carrying,
                })
                .collect(),
            steps: self.steps,
            delivered: self.delivered,
            num_gold: self.config.num_gold,
        }
    }

    /// A text board: `#` obstacle, `G` nugget, `D` depot, `.` free, miners
    /// as `0`–`9` then `a`–`z`; a last line gives the step, the delivered
    /// count and which miners carry a nugget.
    pub fn render_text(&self) -> String {
        let (w, h) = (self.config.width, self.config.height);
        let mut rows: Vec<Vec<char>> = (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| match self.cells[self.idx(x, y)] {
                        Cell::Obstacle => '#',
                        Cell::Gold => 'G',
                        Cell::Free if (x, y) == self.depot => 'D',
                        Cell::Free => '.',
                    })
                    .collect()
            })
            .collect();
        for (id, m) in self.miners.iter().enumerate() {
            rows[m.y][m.x] = miner_char(id);
        }
        let mut out: String = rows
            .into_iter()
            .map(|r| r.into_iter().collect::<String>() + "\n")
            .collect();
        let carriers: Vec<String> = self
            .miners
            .iter()
            .enumerate()
            .filter(|(_, m)| m.carrying)
            .map(|(id, _)| miner_char(id).to_string())
            .collect();
        out.push_str(&format!(
            "step {} delivered {}/{} carrying: {}\n",
            self.steps,
            self.delivered,
            self.config.num_gold,
            if carriers.is_empty() {
                "-".to_string()
            } else {
                carriers.join(",")
            }
        ));
        out
    }

    /// An RGB frame, 24 px per cell.
    pub fn render_rgb(&self) -> Frame {
        const CELL: i64 = 24;
        let (w, h) = (self.config.width, self.config.height);
        let mut f = Frame::new(w * CELL as usize, h * CELL as usize, [235, 235, 225]);
        let palette: [[u8; 3]; 6] = [
            [200, 40, 40],
            [40, 90, 200],
            [40, 160, 60],
            [160, 60, 180],
            [230, 120, 20],
            [20, 160, 160],
        ];
        for y in 0..h {
            for x in 0..w {
                let (px, py) = (x as i64 * CELL, y as i64 * CELL);
                if (x, y) == self.depot {
                    f.fill_rect(px, py, CELL, CELL, [140, 100, 60]);
                }
                match self.cells[self.idx(x, y)] {
                    Cell::Obstacle => f.fill_rect(px, py, CELL, CELL, [70, 70, 70]),
                    Cell::Gold => f.fill_circle(
                        px as f64 + CELL as f64 / 2.0,
                        py as f64 + CELL as f64 / 2.0,
                        CELL as f64 * 0.25,
                        colors::GOLD,
                    ),
                    Cell::Free => {}
                }
                f.stroke_rect(px, py, CELL, CELL, colors::LIGHT_GREY);
            }
        }
        for (id, m) in self.miners.iter().enumerate() {
            let (cx, cy) = (
                (m.x as f64 + 0.5) * CELL as f64,
                (m.y as f64 + 0.5) * CELL as f64,
            );
            f.fill_circle(cx, cy, CELL as f64 * 0.4, palette[id % palette.len()]);
            if m.carrying {
                f.fill_circle(cx, cy, CELL as f64 * 0.15, colors::GOLD);
            }
        }
        f
    }
}

fn miner_char(id: usize) -> char {
    match id {
        0..=9 => char::from(b'0' + id as u8),
        10..=35 => char::from(b'a' + (id - 10) as u8),
        _ => '*',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> GoldMinersConfig {
        GoldMinersConfig {
            width: 5,
            height: 5,
            num_agents: 2,
            num_gold: 3,
            num_obstacles: 0,
            perception_radius: 1,
            max_steps: 50,
            depot: Some((0, 0)),
            rewards: MinerRewards::default(),
        }
    }

    /// Puts the world into a known layout: miners at the given cells, gold
    /// at the given cells, no obstacles.
    fn layout(world: &mut GoldMiners, miners: &[(usize, usize)], gold: &[(usize, usize)]) {
        world.reset(Some(0));
        world.cells.fill(Cell::Free);
        world.miners = miners
            .iter()
            .map(|&(x, y)| Miner {
                x,
                y,
                carrying: false,
            })
            .collect();
        for &(x, y) in gold {
            let i = world.idx(x, y);
            world.cells[i] = Cell::Gold;
        }
    }

    #[test]
    fn same_seed_same_layout_and_all_gold_reachable() {
        let mut a = GoldMiners::new(GoldMinersConfig::default()).unwrap();
        let mut b = GoldMiners::new(GoldMinersConfig::default()).unwrap();
        a.reset(Some(11));
        b.reset(Some(11));
        assert_eq!(a.render_text(), b.render_text());
        assert!(a.free_cells_connected());
        let text = a.render_text();
        assert_eq!(text.matches('G').count(), 20);
        assert_eq!(text.matches('#').count(), 40);
        b.reset(Some(12));
        assert_ne!(a.render_text(), b.render_text());
    }

    #[test]
    fn pick_carry_and_deliver() {
        let mut w = GoldMiners::new(small()).unwrap();
        layout(&mut w, &[(1, 0), (4, 4)], &[(1, 0), (2, 2), (3, 3)]);
        let mut r = [0.0; 2];
        w.step(&[MinerAction::Pick, MinerAction::Pick], &mut r)
            .unwrap();
        assert!(w.carrying(0));
        assert_eq!(r, [-0.01 + 0.1, -0.01 - 0.05]);
        w.step(&[MinerAction::Left, MinerAction::Up], &mut r)
            .unwrap();
        let s = w
            .step(&[MinerAction::Drop, MinerAction::Left], &mut r)
            .unwrap();
        assert_eq!(s.delivered, 1);
        assert!((r[0] - 0.99).abs() < 1e-12);
        assert_eq!(w.delivered(), 1);
        assert_eq!(w.gold_remaining(), 2);
        assert!(!s.terminated);
    }

    #[test]
    fn acting_one_miner_at_a_time_matches_stepping_all_at_once() {
        let mut together = GoldMiners::new(small()).unwrap();
        layout(&mut together, &[(1, 0), (4, 4)], &[(1, 0), (2, 2), (3, 3)]);
        let mut alone = together.clone();
        let script = [
            [MinerAction::Pick, MinerAction::Up],
            [MinerAction::Left, MinerAction::Left],
            [MinerAction::Drop, MinerAction::Pick],
        ];
        let mut rewards = [0.0; 2];
        for actions in script {
            let stepped = together.step(&actions, &mut rewards).unwrap();
            let mut last = None;
            for (miner, action) in actions.into_iter().enumerate() {
                let (reward, outcome) = alone.act(miner, action).unwrap();
                assert_eq!(reward, rewards[miner]);
                last = Some(outcome);
            }
            assert_eq!(
                last.map(|o| (o.terminated, o.truncated)),
                Some((stepped.terminated, stepped.truncated))
            );
            assert_eq!(alone.render_text(), together.render_text());
            assert_eq!(alone.steps(), together.steps());
        }
        assert!(matches!(
            alone.act(2, MinerAction::Up),
            Err(EnvError::InvalidConfig(_))
        ));
    }

    #[test]
    fn miners_never_share_a_cell_and_walls_bump() {
        let mut w = GoldMiners::new(small()).unwrap();
        layout(&mut w, &[(1, 1), (2, 1)], &[]);
        let mut r = [0.0; 2];
        // Miner 0 acts first and bumps into miner 1, who then moves away.
        w.step(&[MinerAction::Right, MinerAction::Right], &mut r)
            .unwrap();
        assert_eq!(w.position(0), Some((1, 1)));
        assert_eq!(w.position(1), Some((3, 1)));
        assert!(r[0] < r[1]);
        // Now the cell is free and miner 0 enters it.
        w.step(&[MinerAction::Right, MinerAction::Right], &mut r)
            .unwrap();
        assert_eq!(w.position(0), Some((2, 1)));
        layout(&mut w, &[(0, 0), (4, 4)], &[]);
        w.step(&[MinerAction::Up, MinerAction::Down], &mut r)
            .unwrap();
        assert!(r.iter().all(|v| (v + 0.06).abs() < 1e-12), "{r:?}");
    }

    #[test]
    fn delivering_everything_terminates_and_max_steps_truncates() {
        let mut cfg = small();
        cfg.num_gold = 1;
        cfg.max_steps = 3;
        let mut w = GoldMiners::new(cfg).unwrap();
        layout(&mut w, &[(0, 0), (4, 4)], &[(0, 0)]);
        let mut r = [0.0; 2];
        assert!(
            !w.step(&[MinerAction::Pick, MinerAction::Up], &mut r)
                .unwrap()
                .terminated
        );
        let s = w
            .step(&[MinerAction::Drop, MinerAction::Up], &mut r)
            .unwrap();
        assert!(s.terminated && !s.truncated);
        let s = w.step(&[MinerAction::Up, MinerAction::Up], &mut r).unwrap();
        assert!(s.truncated);
    }

    #[test]
    fn percepts_are_literals_within_the_radius() {
        let mut w = GoldMiners::new(small()).unwrap();
        layout(&mut w, &[(1, 1), (2, 2)], &[(2, 1), (4, 4)]);
        let p: Vec<String> = w
            .percepts(0)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            p,
            vec![
                "grid_size(5,5)",
                "pos(1,1)",
                "depot(0,0)",
                "gold(2,1)",
                "agent(1,2,2)"
            ]
        );
        let mut r = [0.0; 2];
        w.step(&[MinerAction::Right, MinerAction::Down], &mut r)
            .unwrap();
        w.step(&[MinerAction::Pick, MinerAction::Down], &mut r)
            .unwrap();
        assert!(w.percepts(0).unwrap().contains(&Percept::Carrying));
        assert!(w.percepts(5).is_err());
    }

    #[test]
    fn observation_marks_border_gold_agents_and_depot() {
        let mut w = GoldMiners::new(small()).unwrap();
        layout(&mut w, &[(0, 1), (1, 1)], &[(0, 2)]);
        let mut o = vec![0.0; w.obs_dim()];
        assert_eq!(o.len(), 4 * 9 + 5);
        w.observe_into(0, &mut o).unwrap();
        // Window around (0, 1): column dx = -1 is outside the grid.
        assert_eq!(&o[0..9], &[1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(o[9 + 7], 1.0, "gold below");
        assert_eq!(o[18 + 5], 1.0, "miner 1 to the right");
        assert_eq!(o[27 + 1], 1.0, "depot above");
        assert_eq!(o[36], 0.0);
        assert_eq!(o[39], 0.0);
        assert!((o[40] + 0.2).abs() < 1e-6);
    }

    #[test]
    fn bad_configs_and_batches_are_errors() {
        let mut cfg = small();
        cfg.num_gold = 30;
        assert!(GoldMiners::new(cfg).is_err());
        let mut cfg = small();
        cfg.depot = Some((5, 0));
        assert!(GoldMiners::new(cfg).is_err());
        let mut w = GoldMiners::new(small()).unwrap();
        let mut r = [0.0; 2];
        assert_eq!(
            w.step(&[MinerAction::Up; 2], &mut r).unwrap_err(),
            EnvError::ResetNeeded
        );
        w.reset(Some(1));
        assert!(w.step(&[MinerAction::Up], &mut r).is_err());
        assert!(w.step_indices(&[0, 9], &mut r).is_err());
        assert_eq!("pick".parse::<MinerAction>().unwrap(), MinerAction::Pick);
        assert!("jump".parse::<MinerAction>().is_err());
    }

    #[test]
    fn config_from_params() {
        let p = Params::new()
            .with("width", 8)
            .with("num_agents", 3)
            .with("depot", "1,2")
            .with("reward_deliver", 5);
        let cfg = GoldMinersConfig::from_params(&p).unwrap();
        assert_eq!(
            (cfg.width, cfg.height, cfg.num_agents, cfg.depot),
            (8, 20, 3, Some((1, 2)))
        );
        assert_eq!(cfg.rewards.deliver, 5.0);
        assert!(GoldMinersConfig::from_params(&Params::new().with("depot", "1")).is_err());
        assert!(GoldMinersConfig::from_params(&Params::new().with("agents", 2)).is_err());
    }

    #[test]
    fn observe_all_stacks_every_miner() {
        let mut w = GoldMiners::new(small()).unwrap();
        layout(&mut w, &[(0, 1), (1, 1)], &[(0, 2)]);
        let d = w.obs_dim();
        let mut all = vec![0.0; 2 * d];
        w.observe_all_into(&mut all).unwrap();
        let mut one = vec![0.0; d];
        w.observe_into(1, &mut one).unwrap();
        assert_eq!(&all[d..], &one[..]);
        assert!(w.observe_all_into(&mut one).is_err());
    }

    #[test]
    fn renders_text_and_rgb() {
        let mut w = GoldMiners::new(small()).unwrap();
        layout(&mut w, &[(1, 0), (4, 4)], &[(2, 2)]);
        assert_eq!(
            w.render_text(),
            "D0...\n.....\n..G..\n.....\n....1\nstep 0 delivered 0/3 carrying: -\n"
        );
        let f = w.render_rgb();
        assert_eq!((f.width(), f.height()), (120, 120));
        assert_eq!(f.get(2 * 24 + 12, 2 * 24 + 12), Some(colors::GOLD));
    }
}

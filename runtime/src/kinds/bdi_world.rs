//! Worlds shared by `bdi` agents, as Jason's centralised environments: one
//! world per run that every agent naming it acts on, each action taking
//! effect when the agent takes it, and each agent's percepts becoming its
//! beliefs (`source(percept)`) before every reasoning cycle.
//!
//! The one world so far is `gold-miners`
//! ([`GoldMiners`](agora_agents::env::gold_miners::GoldMiners)):
//!
//! | call | what |
//! | --- | --- |
//! | `.move(D)` | `D` is `up`, `down`, `left` or `right`; a bump leaves the miner where it is |
//! | `.pick` | picks up the nugget on the miner's cell |
//! | `.drop` | drops the carried nugget; on the depot it is delivered |
//!
//! Percepts: `grid_size(W, H)`, `pos(X, Y)`, `carrying`, `depot(X, Y)`,
//! `gold(X, Y)`, `obstacle(X, Y)` and `agent(Id, X, Y)` within the miner's
//! sight, `delivered(N)`, `gold_left(N)`, and `world_done` once every nugget
//! is delivered or the world's step limit is reached.
//!
//! The world lives as long as the run: a restarted agent finds it as its
//! predecessor left it, and a resumed run starts a fresh one from its seed.
//!
//! Viewers see it on the run's episodes topic: whichever agent reasons
//! next after a change publishes a `frame` holding the whole world
//! ([`GoldMiners::view`]), at most [`FRAMES_PER_SECOND`] a second, and the
//! state it ends in, so a page draws it without reading percepts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use agora_agents::env::gold_miners::{GoldMiners, GoldMinersConfig, MinerAction, Percept};
use agora_bdi::{ActionError, ActionRegistry, Term};

/// The worlds a config names.
pub const WORLDS: &[&str] = &["gold-miners"];

/// Most world frames published in a second.
pub const FRAMES_PER_SECOND: u32 = 10;

struct World {
    kind: &'static str,
    miners: GoldMiners,
    done: bool,
    /// Bumped by every action, so an agent rebuilds its percepts only when
    /// the world has changed since it last looked.
    version: u64,
    /// The version last shown to viewers, and when.
    shown: Option<(u64, Instant)>,
}

/// The world as a viewer draws it.
#[derive(serde::Serialize)]
struct WorldFrame<'a> {
    r#type: &'static str,
    run: &'a str,
    agent: &'a str,
    world: &'static str,
    step: u32,
    state: agora_agents::env::gold_miners::WorldView,
    done: bool,
    at: f64,
}

type SharedWorld = Arc<Mutex<World>>;

fn lock(world: &SharedWorld) -> MutexGuard<'_, World> {
    world
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One agent's place in a world: which miner it drives.
#[derive(Clone)]
pub struct WorldSeat {
    world: SharedWorld,
    miner: usize,
}

impl std::fmt::Debug for WorldSeat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldSeat")
            .field("miner", &self.miner)
            .finish_non_exhaustive()
    }
}

impl WorldSeat {
    /// `base` with the world's actions bound to this seat.
    pub fn bind(&self, base: &ActionRegistry) -> ActionRegistry {
        let mut actions = base.clone();
        let seat = self.clone();
        actions.add_action(".move", 1, move |args| {
            let action = match &args[0] {
                Term::Atom(direction) => match direction.as_str() {
                    "up" => MinerAction::Up,
                    "down" => MinerAction::Down,
                    "left" => MinerAction::Left,
                    "right" => MinerAction::Right,
                    other => return Err(bad_direction(other)),
                },
                other => return Err(bad_direction(&other.to_string())),
            };
            seat.act(action)
        });
        let seat = self.clone();
        actions.add_action(".pick", 0, move |_| seat.act(MinerAction::Pick));
        let seat = self.clone();
        actions.add_action(".drop", 0, move |_| seat.act(MinerAction::Drop));
        actions
    }

    /// Acts; an action has no effect once the world is done.
    fn act(&self, action: MinerAction) -> Result<bool, ActionError> {
        let mut world = lock(&self.world);
        if world.done {
            return Ok(true);
        }
        let (_, outcome) = world
            .miners
            .act(self.miner, action)
            .map_err(|e| ActionError::Custom(e.to_string()))?;
        world.version += 1;
        world.done = outcome.terminated || outcome.truncated;
        Ok(true)
    }

    /// The miner's percepts now, as terms (into `out`, cleared first), when
    /// the world changed since `seen`; false (and `out` untouched) if not.
    pub fn percepts(
        &self,
        seen: &mut Option<u64>,
        scratch: &mut Vec<Percept>,
        out: &mut Vec<Term>,
    ) -> bool {
        let world = lock(&self.world);
        if *seen == Some(world.version) {
            return false;
        }
        *seen = Some(world.version);
        out.clear();
        if world.miners.percepts_into(self.miner, scratch).is_err() {
            return true;
        }
        out.extend(scratch.iter().map(|percept| {
            let args: Vec<Term> = percept.args().into_iter().map(Term::Int).collect();
            if args.is_empty() {
                Term::atom(percept.functor())
            } else {
                Term::compound(percept.functor(), args)
            }
        }));
        let delivered = world.miners.delivered();
        out.push(Term::compound(
            "delivered",
            vec![Term::Int(delivered.into())],
        ));
        out.push(Term::compound(
            "gold_left",
            vec![Term::Int(world.miners.gold_remaining().into())],
        ));
        if world.done {
            out.push(Term::atom("world_done"));
        }
        true
    }
}

impl WorldSeat {
    /// The world's `frame` payload when viewers have not seen its latest
    /// state and the last frame is old enough (or the world just ended).
    pub fn frame_due(&self, run: &str, agent: &str) -> Option<Vec<u8>> {
        let mut world = lock(&self.world);
        let interval = Duration::from_secs(1) / FRAMES_PER_SECOND;
        match world.shown {
            Some((version, _)) if version == world.version => return None,
            Some((_, at)) if at.elapsed() < interval && !world.done => return None,
            _ => {}
        }
        world.shown = Some((world.version, Instant::now()));
        let frame = WorldFrame {
            r#type: "frame",
            run,
            agent,
            world: world.kind,
            step: world.miners.steps(),
            state: world.miners.view(),
            done: world.done,
            at: crate::transport::unix_now(),
        };
        serde_json::to_vec(&frame).ok()
    }
}

fn bad_direction(got: &str) -> ActionError {
    ActionError::Custom(format!(".move takes up, down, left or right; got `{got}`"))
}

/// The worlds of one config, built as its agents are, and the seats given
/// out so far.
#[derive(Default)]
pub struct Worlds {
    built: HashMap<String, (toml::Table, SharedWorld, usize)>,
}

impl Worlds {
    /// A seat for the next agent naming `kind`, building the world on first
    /// use from `params` (later agents may repeat the same params or give
    /// none).
    pub fn seat(
        &mut self,
        kind: &str,
        params: Option<&toml::Table>,
    ) -> Result<WorldSeat, WorldError> {
        if let Some((first, world, seats)) = self.built.get_mut(kind) {
            if let Some(params) = params
                && params != first
            {
                return Err(WorldError::OtherParams {
                    kind: kind.to_string(),
                });
            }
            let miners = lock(world).miners.num_agents();
            if *seats >= miners {
                return Err(WorldError::Full {
                    kind: kind.to_string(),
                    miners,
                    seat: *seats + 1,
                });
            }
            *seats += 1;
            return Ok(WorldSeat {
                world: world.clone(),
                miner: *seats - 1,
            });
        }
        let params = params.cloned().unwrap_or_default();
        let world = build(kind, &params)?;
        self.built
            .insert(kind.to_string(), (params, world.clone(), 1));
        Ok(WorldSeat { world, miner: 0 })
    }
}

/// Why an agent gets no seat in a world.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// No world of that name.
    #[error("unknown world `{kind}` (known worlds: {known})", known = WORLDS.join(", "))]
    Unknown {
        /// The name given.
        kind: String,
    },
    /// Two agents gave the same world different parameters.
    #[error(
        "world `{kind}` was already given other world_params by an earlier agent; give them once, or the same ones"
    )]
    OtherParams {
        /// The world.
        kind: String,
    },
    /// Every miner of the world is taken.
    #[error(
        "world `{kind}` has {miners} miners (world_params.num_agents) and this agent would be miner {seat}"
    )]
    Full {
        /// The world.
        kind: String,
        /// Its miners.
        miners: usize,
        /// The seat asked for (1-based).
        seat: usize,
    },
    /// `world_params.seed` is not a non-negative integer.
    #[error("world_params.seed must be a non-negative integer, got {0}")]
    Seed(toml::Value),
    /// A world parameter is not usable.
    #[error("world_params.{key}: {source}")]
    Param {
        /// The parameter.
        key: String,
        /// What the world said.
        source: agora_agents::EnvError,
    },
    /// The parameters do not make a world.
    #[error(transparent)]
    Env(#[from] agora_agents::EnvError),
}

fn build(kind: &str, table: &toml::Table) -> Result<SharedWorld, WorldError> {
    if kind != "gold-miners" {
        return Err(WorldError::Unknown {
            kind: kind.to_string(),
        });
    }
    let mut table = table.clone();
    let seed = match table.remove("seed") {
        None => 0,
        Some(value) => value
            .as_integer()
            .and_then(|s| u64::try_from(s).ok())
            .ok_or(WorldError::Seed(value))?,
    };
    let params = crate::settings::params_from_toml(&table)
        .map_err(|(key, source)| WorldError::Param { key, source })?;
    let config = GoldMinersConfig::from_params(&params)?;
    let mut miners = GoldMiners::new(config)?;
    miners.reset(Some(seed));
    Ok(Arc::new(Mutex::new(World {
        kind: "gold-miners",
        miners,
        done: false,
        version: 0,
        shown: None,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(params: &str) -> Worlds {
        let table: toml::Table = toml::from_str(params).expect("toml");
        let mut worlds = Worlds::default();
        worlds
            .seat("gold-miners", Some(&table))
            .expect("first seat");
        worlds
    }

    #[test]
    fn agents_share_one_world_and_see_each_other_move() {
        let mut worlds = world(
            "num_agents = 2\nwidth = 3\nheight = 3\nnum_gold = 1\nnum_obstacles = 0\nperception_radius = 3\nseed = 4",
        );
        let second = worlds.seat("gold-miners", None).expect("second seat");
        let first = WorldSeat {
            world: worlds.built["gold-miners"].1.clone(),
            miner: 0,
        };
        let (mut scratch, mut seen) = (Vec::new(), Vec::new());
        let mut version = None;
        assert!(first.percepts(&mut version, &mut scratch, &mut seen));
        assert!(
            !first.percepts(&mut version, &mut scratch, &mut seen),
            "unchanged world"
        );
        let before: Vec<String> = seen.iter().map(ToString::to_string).collect();
        assert!(
            before.iter().any(|p| p.starts_with("agent(1,")),
            "{before:?}"
        );
        assert!(before.contains(&"gold_left(1)".to_string()), "{before:?}");

        for action in [
            MinerAction::Up,
            MinerAction::Left,
            MinerAction::Down,
            MinerAction::Right,
        ] {
            second.act(action).expect("acts");
        }
        let full = worlds
            .seat("gold-miners", None)
            .expect_err("only two miners")
            .to_string();
        assert!(full.contains("2 miners"), "{full}");
    }

    #[test]
    fn viewers_get_the_newest_state_at_most_ten_times_a_second() {
        let mut worlds = world(
            "num_agents = 2\nwidth = 5\nheight = 4\nnum_gold = 2\nnum_obstacles = 1\nseed = 9",
        );
        let seat = worlds.seat("gold-miners", None).expect("second seat");
        let frame = |seat: &WorldSeat| -> Option<serde_json::Value> {
            seat.frame_due("run-1", "miner-2")
                .map(|bytes| serde_json::from_slice(&bytes).expect("json"))
        };
        let first = frame(&seat).expect("the first look shows the world");
        assert_eq!(first["type"], "frame");
        assert_eq!(first["world"], "gold-miners");
        let state = &first["state"];
        assert_eq!(
            (state["width"].as_u64(), state["height"].as_u64()),
            (Some(5), Some(4))
        );
        assert_eq!(state["miners"].as_array().map(Vec::len), Some(2));
        assert_eq!(state["gold"].as_array().map(Vec::len), Some(2));
        assert_eq!(state["obstacles"].as_array().map(Vec::len), Some(1));
        assert!(frame(&seat).is_none(), "nothing changed");

        seat.act(MinerAction::Up).expect("acts");
        assert!(
            frame(&seat).is_none(),
            "changed, but a frame went out just now"
        );
        std::thread::sleep(Duration::from_secs(1) / FRAMES_PER_SECOND);
        seat.act(MinerAction::Down).expect("acts");
        let later = frame(&seat).expect("changed and due");
        assert_eq!(
            later["step"], 1,
            "two moves of two miners are one world step"
        );
    }

    #[test]
    fn bad_world_settings_are_named() {
        let mut worlds = Worlds::default();
        let unknown = worlds
            .seat("silver-miners", None)
            .expect_err("unknown world")
            .to_string();
        assert!(unknown.contains("gold-miners"), "{unknown}");
        let table: toml::Table = toml::from_str("widht = 3").expect("toml");
        let typo = worlds
            .seat("gold-miners", Some(&table))
            .expect_err("typo")
            .to_string();
        assert!(typo.contains("widht"), "{typo}");
        let mut worlds = world("num_agents = 2");
        let other: toml::Table = toml::from_str("num_agents = 3").expect("toml");
        let clash = worlds
            .seat("gold-miners", Some(&other))
            .expect_err("other params")
            .to_string();
        assert!(clash.contains("world_params"), "{clash}");
        assert!(bad_direction("north").to_string().contains("north"));
    }
}

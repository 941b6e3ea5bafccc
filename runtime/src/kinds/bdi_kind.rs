//! The `bdi` kind's settings (program, beliefs, seed, an env with a
//! Q-table, a shared world, resource limits) and how they become an agent.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use super::bdi::{BdiAgent, BdiSettings, WORLD_CYCLES_PER_SLICE};
use super::bdi_env::{BdiEnvSettings, QSettings};
use super::bdi_world::{WORLDS, Worlds};
use super::{AgentKind, BuildContext, KindError};
use crate::agent::{AgentFactory, agent_factory};
use crate::settings::Capabilities;

/// A `bdi` entry's keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BdiEntry {
    /// The AgentSpeak program (relative to the config file's folder, or
    /// else to the current folder).
    #[serde(default)]
    pub program: Option<PathBuf>,
    /// Beliefs added before the first cycle, as AgentSpeak text.
    #[serde(default)]
    pub beliefs: Vec<String>,
    /// Seed of the agent's random numbers.
    #[serde(default)]
    pub seed: u64,
    /// Publish beliefs and intentions after every turn on
    /// `runs/{run}/telemetry/agents/bdi/{agent}`.
    #[serde(default)]
    pub bdi_telemetry: bool,
    /// An environment (discrete states and actions) the program steps
    /// through `.env_reset` / `.env_step`, with a Q-table (`.q_action`, …).
    #[serde(default)]
    pub env: Option<String>,
    /// The env's `make()` parameters.
    #[serde(default)]
    pub env_params: toml::Table,
    /// Q-learning settings for the env's Q-table.
    #[serde(default)]
    pub q_learning: QSettings,
    /// A world shared with the other agents that name it, as Jason's
    /// centralised environment (`gold-miners`).
    #[serde(default)]
    pub world: Option<String>,
    /// The world's parameters (`seed`, and those of the world; all agents
    /// of one world give the same ones, or only the first gives them).
    #[serde(default)]
    pub world_params: Option<toml::Table>,
    /// Resource limits, e.g. `limits = { max_intention_depth = 1000 }`;
    /// the engine's defaults where absent.
    #[serde(default)]
    pub limits: BdiLimits,
}

/// A `bdi` entry's `limits` table. A plan step that hits one of the first
/// five fails with `-!g[error(resource_limit), limit(..)]`; what comes
/// from outside (messages, percepts) is refused and counted.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BdiLimits {
    /// Most intended means on one intention's stack (default 10,000).
    #[serde(default)]
    pub max_intention_depth: Option<usize>,
    /// Most intended means over all intentions together (default 100,000).
    #[serde(default)]
    pub max_intended_means: Option<usize>,
    /// Most intentions at once (default 10,000).
    #[serde(default)]
    pub max_intentions: Option<usize>,
    /// Most pending external events and queued messages (default 10,000).
    #[serde(default)]
    pub max_events: Option<usize>,
    /// Most beliefs (default 100,000).
    #[serde(default)]
    pub max_beliefs: Option<usize>,
    /// Reasoning cycles per turn before the agent lets the others on its
    /// thread run (default 10,000; 32 for an agent in a `world`).
    #[serde(default)]
    pub cycles_per_slice: Option<u64>,
}

impl BdiLimits {
    /// The engine's limits: these values, else the defaults.
    pub fn resolve(&self, in_world: bool) -> agora_bdi::Limits {
        let d = agora_bdi::Limits::default();
        let slice = if in_world {
            WORLD_CYCLES_PER_SLICE
        } else {
            d.cycles_per_slice
        };
        agora_bdi::Limits {
            max_intention_depth: self.max_intention_depth.unwrap_or(d.max_intention_depth),
            max_intended_means: self.max_intended_means.unwrap_or(d.max_intended_means),
            max_intentions: self.max_intentions.unwrap_or(d.max_intentions),
            max_events: self.max_events.unwrap_or(d.max_events),
            max_beliefs: self.max_beliefs.unwrap_or(d.max_beliefs),
            cycles_per_slice: self.cycles_per_slice.unwrap_or(slice),
        }
    }

    /// A limit of 0 would let nothing run: refused, naming the key.
    fn check(&self) -> Result<(), KindError> {
        let zero = [
            ("max_intention_depth", self.max_intention_depth == Some(0)),
            ("max_intended_means", self.max_intended_means == Some(0)),
            ("max_intentions", self.max_intentions == Some(0)),
            ("max_events", self.max_events == Some(0)),
            ("max_beliefs", self.max_beliefs == Some(0)),
            ("cycles_per_slice", self.cycles_per_slice == Some(0)),
        ];
        match zero.iter().find(|(_, zero)| *zero) {
            Some((key, _)) => Err(KindError::at(
                &format!("limits.{key}"),
                format!("limits.{key} must be at least 1"),
            )),
            None => Ok(()),
        }
    }
}

impl BdiEntry {
    /// The actions and functions an agent of this entry has beyond the
    /// standard library and `base`: its env's and its world's, bound to a
    /// throwaway env and world, so a program can be checked without a run.
    pub fn actions(
        &self,
        base: &agora_bdi::ActionRegistry,
    ) -> Result<agora_bdi::ActionRegistry, KindError> {
        let mut actions = match BdiKind::env(self)? {
            Some(env) => {
                env.bind(base)
                    .map_err(|e| KindError::at("env", e.to_string()))?
                    .0
            }
            None => base.clone(),
        };
        if let Some(kind) = &self.world {
            let seat = Worlds::default()
                .seat(kind, self.world_params.as_ref())
                .map_err(|e| KindError::at("world", e.to_string()))?;
            actions = seat.bind(&actions);
        }
        Ok(actions)
    }
}

/// The `bdi` kind, with the custom actions its agents may call.
#[derive(Default)]
pub(super) struct BdiKind {
    actions: agora_bdi::ActionRegistry,
}

impl BdiKind {
    pub(super) fn with_actions(actions: agora_bdi::ActionRegistry) -> Self {
        Self { actions }
    }

    fn env(entry: &BdiEntry) -> Result<Option<BdiEnvSettings>, KindError> {
        let Some(id) = &entry.env else {
            return Ok(None);
        };
        let params = crate::settings::params_from_toml(&entry.env_params)
            .map_err(|(key, e)| KindError::at("env_params", format!("env_params.{key}: {e}")))?;
        let env = BdiEnvSettings {
            id: id.clone(),
            params,
            q: entry.q_learning.clone(),
            seed: entry.seed,
        };
        env.check()
            .map_err(|e| KindError::at("env", e.to_string()))?;
        Ok(Some(env))
    }
}

impl AgentKind for BdiKind {
    type Settings = BdiEntry;

    /// Jason's agents run until the MAS stops (`.stopMAS`).
    fn serves_by_default(&self) -> bool {
        true
    }

    fn validate(&self, entry: &BdiEntry) -> Result<(), KindError> {
        if entry.program.is_none() {
            return Err(KindError::at(
                "program",
                "a bdi agent needs `program`, the AgentSpeak file",
            ));
        }
        entry.limits.check()?;
        if entry.world_params.is_some() && entry.world.is_none() {
            return Err(KindError::at(
                "world_params",
                format!(
                    "world_params without `world` (known worlds: {})",
                    WORLDS.join(", ")
                ),
            ));
        }
        Ok(())
    }

    fn capabilities(&self, entry: &BdiEntry) -> Capabilities {
        Capabilities {
            live_beliefs: entry.bdi_telemetry,
            live_world: entry.world.is_some(),
            ..Capabilities::PROGRAMMED
        }
    }

    fn label(&self, entry: &BdiEntry) -> Option<String> {
        let program = entry.program.as_ref()?;
        Some(program.file_name()?.to_string_lossy().into_owned())
    }

    /// The program is read and checked here, so a program with errors never
    /// starts.
    fn factory(
        &self,
        entry: &BdiEntry,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        let program = entry
            .program
            .as_ref()
            .ok_or_else(|| KindError::at("program", "a bdi agent needs `program`"))?;
        let path = build.resolve(program);
        let source = std::fs::read_to_string(&path).map_err(|e| {
            KindError::at(
                "program",
                format!("cannot read program {}: {e}", path.display()),
            )
        })?;
        let world = match &entry.world {
            Some(kind) => Some(
                build
                    .shared::<Worlds>()
                    .seat(kind, entry.world_params.as_ref())
                    .map_err(|e| KindError::at("world", e.to_string()))?,
            ),
            None => None,
        };
        let settings = BdiSettings {
            source: source.into(),
            file: path.display().to_string(),
            beliefs: entry.beliefs.clone(),
            seed: entry.seed,
            actions: self.actions.clone(),
            telemetry: entry.bdi_telemetry,
            env: Self::env(entry)?,
            limits: entry.limits.resolve(world.is_some()),
            world,
        };
        settings
            .build(&build.name)
            .map_err(|e| KindError::new(e.to_string()))?;
        let name = build.name.clone();
        Ok(agent_factory(move || BdiAgent::new(&name, &settings)))
    }
}

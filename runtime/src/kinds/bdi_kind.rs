//! The `bdi` kind's settings (program, beliefs, seed, an env with a
//! Q-table, a shared world) and how they become an agent.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use super::bdi::{BdiAgent, BdiSettings};
use super::bdi_env::{BdiEnvSettings, QSettings};
use super::bdi_world::{WORLDS, Worlds};
use super::{AgentKind, BuildContext, KindError};
use crate::agent::{AgentFactory, agent_factory};

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
            world,
        };
        settings
            .build(&build.name)
            .map_err(|e| KindError::new(e.to_string()))?;
        let name = build.name.clone();
        Ok(agent_factory(move || BdiAgent::new(&name, &settings)))
    }
}

//! Agent kinds by name: the built-ins and those an embedding program
//! registers, turned into supervisor child specs from a config.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::{
    BdiAgent, BdiSettings, ContractNetManager, ContractNetWorker, Echo, ManagerSettings, Pinger,
    PingerSettings,
};
use crate::agent::{AgentError, AgentFactory, agent_factory};
use crate::config::{AgentSection, ConfigError, ExperimentConfig};
use crate::supervisor::ChildSpec;

/// Builds the factory of one agent from its config entry and instance name.
pub type KindBuilder =
    Arc<dyn Fn(&AgentSection, &str) -> Result<Arc<dyn AgentFactory>, AgentError> + Send + Sync>;

struct Kind {
    builder: KindBuilder,
    service_by_default: bool,
}

/// Agent kinds by name.
///
/// ```
/// use agora_runtime::agent::builtin::AgentRegistry;
/// use agora_runtime::agent::{Agent, Behaviours, agent_factory};
///
/// struct Idle;
/// impl Agent for Idle {
///     fn setup(&mut self, _: &mut Behaviours<Self>) {}
/// }
/// let mut registry = AgentRegistry::with_builtins();
/// registry.register("idle", false, |_section, _name| Ok(agent_factory(|| Ok(Idle))));
/// assert!(registry.kinds().contains(&"idle"));
/// ```
pub struct AgentRegistry {
    kinds: BTreeMap<String, Kind>,
    bdi_actions: agora_bdi::ActionRegistry,
}

impl Default for AgentRegistry {
    fn default() -> Self {
        Self::with_builtins()
    }
}

/// Inbound messages that may wait per agent; memory is used only when they do.
const DEFAULT_MAILBOX: usize = 16_384;
const BDI: &str = "bdi";

impl AgentRegistry {
    /// The built-in kinds: `echo`, `pinger`, `contract-net-manager`, `contract-net-worker`.
    pub fn with_builtins() -> Self {
        let mut registry = Self {
            kinds: BTreeMap::new(),
            bdi_actions: agora_bdi::ActionRegistry::new(),
        };
        registry.register("echo", true, |_, _| Ok(agent_factory(|| Ok(Echo))));
        registry.register("pinger", false, |section, _| {
            let mut settings = PingerSettings::new(
                section.target.clone().unwrap_or_default(),
                section.count.unwrap_or(1000),
            );
            settings.window = section.window.unwrap_or(1);
            settings.timeout = section.timeout.unwrap_or(Duration::from_secs(2));
            settings.payload_bytes = section.payload_bytes.unwrap_or(16);
            settings.warmup = section.warmup.unwrap_or(0);
            Ok(agent_factory(move || Ok(Pinger::new(settings.clone()))))
        });
        registry.register("contract-net-manager", false, |section, _| {
            let settings = ManagerSettings {
                workers: section.workers.clone().unwrap_or_default(),
                task: section.task.clone().unwrap_or_else(|| "task".into()),
                deadline: section.deadline.unwrap_or(Duration::from_secs(1)),
                rounds: section.rounds.unwrap_or(1),
            };
            Ok(agent_factory(move || {
                Ok(ContractNetManager::new(settings.clone()))
            }))
        });
        registry.register("contract-net-worker", true, |section, name| {
            let cost = section
                .cost
                .unwrap_or_else(|| ContractNetWorker::default_cost(name));
            let refuse = section.refuse.unwrap_or(false);
            Ok(agent_factory(move || {
                Ok(ContractNetWorker::new(cost, refuse))
            }))
        });
        registry
    }

    /// Registers (or replaces) a kind. `service_by_default` says whether the
    /// run waits for agents of this kind to finish (false) or stops them when
    /// the others are done (true).
    pub fn register(
        &mut self,
        kind: impl Into<String>,
        service_by_default: bool,
        builder: impl Fn(&AgentSection, &str) -> Result<Arc<dyn AgentFactory>, AgentError>
        + Send
        + Sync
        + 'static,
    ) {
        self.kinds.insert(
            kind.into(),
            Kind {
                builder: Arc::new(builder),
                service_by_default,
            },
        );
    }

    /// Custom actions and functions for `bdi` agents (spade_bdi's
    /// `actions.add`), by name and arity.
    pub fn set_bdi_actions(&mut self, actions: agora_bdi::ActionRegistry) {
        self.bdi_actions = actions;
    }

    /// The registered kind names (`bdi` included).
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.kinds.keys().map(String::as_str).chain([BDI]).collect();
        kinds.sort_unstable();
        kinds
    }

    /// A `bdi` agent's factory: the program is read and checked here, so a
    /// program with errors never starts.
    fn bdi_factory(
        &self,
        section: &AgentSection,
        name: &str,
        config_dir: &Path,
        worlds: &mut super::bdi_world::Worlds,
    ) -> Result<Arc<dyn AgentFactory>, String> {
        let Some(program) = &section.program else {
            return Err("a bdi agent needs `program`".into());
        };
        // Relative to the config file first, so a config means the same
        // whatever folder it is run from; then to the current folder.
        let beside_config = config_dir.join(program);
        let path = if program.is_relative() && beside_config.exists() {
            beside_config
        } else {
            program.clone()
        };
        let source = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read program {}: {e}", path.display()))?;
        let settings = BdiSettings {
            source: source.into(),
            file: path.display().to_string(),
            beliefs: section.beliefs.clone().unwrap_or_default(),
            seed: section.seed.unwrap_or(0),
            actions: self.bdi_actions.clone(),
            telemetry: section.bdi_telemetry.unwrap_or(false),
            env: match &section.env {
                Some(id) => {
                    let params = crate::config::params_from_toml(
                        &section.env_params.clone().unwrap_or_default(),
                    )
                    .map_err(|(key, e)| format!("env_params.{key}: {e}"))?;
                    let env = super::bdi_env::BdiEnvSettings {
                        id: id.clone(),
                        params,
                        q: section.q_learning.clone().unwrap_or_default(),
                        seed: section.seed.unwrap_or(0),
                    };
                    env.check()?;
                    Some(env)
                }
                None => None,
            },
            world: match &section.world {
                Some(kind) => Some(worlds.seat(kind, section.world_params.as_ref())?),
                None => None,
            },
        };
        settings.build(name)?;
        let name = name.to_string();
        Ok(agent_factory(move || BdiAgent::new(&name, &settings)))
    }

    /// The supervisor's child specs for a config, in config order.
    pub fn child_specs(&self, config: &ExperimentConfig) -> Result<Vec<ChildSpec>, ConfigError> {
        let mut specs = Vec::new();
        let config_dir = config
            .source
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let mut worlds = super::bdi_world::Worlds::default();
        for (index, section) in config.agents.iter().enumerate() {
            if section.kind == BDI {
                for name in section.instance_names() {
                    let factory = self
                        .bdi_factory(section, &name, &config_dir, &mut worlds)
                        .map_err(|message| ConfigError::Invalid {
                            file: config.source.clone(),
                            key: format!("agents[{index}] ({name})"),
                            message,
                        })?;
                    specs.push(ChildSpec {
                        name,
                        factory,
                        restart: section.restart,
                        // Jason's agents run until the MAS stops (.stopMAS).
                        service: section.service.unwrap_or(true),
                        mailbox: section.mailbox.unwrap_or(DEFAULT_MAILBOX),
                        max_restarts: section.max_restarts,
                    });
                }
                continue;
            }
            let Some(kind) = self.kinds.get(&section.kind) else {
                return Err(ConfigError::Invalid {
                    file: config.source.clone(),
                    key: format!("agents[{index}].kind"),
                    message: format!(
                        "unknown agent kind `{}` (known kinds: {})",
                        section.kind,
                        self.kinds().join(", ")
                    ),
                });
            };
            for name in section.instance_names() {
                let factory = (kind.builder)(section, &name).map_err(|e| ConfigError::Invalid {
                    file: config.source.clone(),
                    key: format!("agents[{index}]"),
                    message: e.to_string(),
                })?;
                specs.push(ChildSpec {
                    name,
                    factory,
                    restart: section.restart,
                    service: section.service.unwrap_or(kind.service_by_default),
                    mailbox: section.mailbox.unwrap_or(DEFAULT_MAILBOX),
                    max_restarts: section.max_restarts,
                });
            }
        }
        Ok(specs)
    }
}

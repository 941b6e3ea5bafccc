//! Agent kinds by name: the built-ins and those an embedding program
//! registers.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::kind::{AgentKind, BuildContext, KindError, RegisteredKind};
use crate::agent::{AgentError, AgentFactory};

/// Agent kinds by name.
///
/// ```
/// use agora_runtime::agent::{Agent, Behaviours, agent_factory};
/// use agora_runtime::kinds::AgentRegistry;
///
/// struct Idle;
/// impl Agent for Idle {
///     fn setup(&mut self, _: &mut Behaviours<Self>) {}
/// }
/// let mut registry = AgentRegistry::with_builtins();
/// registry.register("idle", false, |_build| Ok(agent_factory(|| Ok(Idle))));
/// assert!(registry.kinds().contains(&"idle"));
/// ```
pub struct AgentRegistry {
    kinds: BTreeMap<String, Arc<dyn RegisteredKind>>,
}

impl Default for AgentRegistry {
    fn default() -> Self {
        Self::with_builtins()
    }
}

impl AgentRegistry {
    /// No kinds at all.
    pub fn empty() -> Self {
        Self {
            kinds: BTreeMap::new(),
        }
    }

    /// The built-in kinds: `echo`, `pinger`, `contract-net-manager`,
    /// `contract-net-worker`, `bdi` and `learner`.
    pub fn with_builtins() -> Self {
        let mut registry = Self::empty();
        registry.register_kind("echo", super::echo::EchoKind);
        registry.register_kind("pinger", super::pinger::PingerKind);
        registry.register_kind("contract-net-manager", super::contract_net::ManagerKind);
        registry.register_kind("contract-net-worker", super::contract_net::WorkerKind);
        registry.register_kind("bdi", super::bdi_kind::BdiKind::default());
        registry.register_kind(super::learner::LEARNER, super::learner::LearnerKind);
        registry
    }

    /// Registers (or replaces) a kind with its own settings.
    pub fn register_kind(&mut self, name: impl Into<String>, kind: impl RegisteredKind + 'static) {
        self.kinds.insert(name.into(), Arc::new(kind));
    }

    /// Registers (or replaces) a kind that takes no settings of its own.
    /// `service_by_default` says whether the run waits for agents of this
    /// kind to finish (false) or stops them when the others are done (true).
    pub fn register(
        &mut self,
        name: impl Into<String>,
        service_by_default: bool,
        builder: impl Fn(&BuildContext) -> Result<Arc<dyn AgentFactory>, AgentError>
        + Send
        + Sync
        + 'static,
    ) {
        self.register_kind(
            name,
            ClosureKind {
                service_by_default,
                builder,
            },
        );
    }

    /// Custom actions and functions for `bdi` agents (spade_bdi's
    /// `actions.add`), by name and arity.
    pub fn set_bdi_actions(&mut self, actions: agora_bdi::ActionRegistry) {
        self.register_kind("bdi", super::bdi_kind::BdiKind::with_actions(actions));
    }

    /// The registered kind names, sorted.
    pub fn kinds(&self) -> Vec<&str> {
        self.kinds.keys().map(String::as_str).collect()
    }

    /// The kind registered as `name`.
    pub fn kind(&self, name: &str) -> Option<&dyn RegisteredKind> {
        self.kinds.get(name).map(|kind| kind.as_ref())
    }
}

/// The settings of a kind that has none: any key is a typo.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

struct ClosureKind<F> {
    service_by_default: bool,
    builder: F,
}

impl<F> AgentKind for ClosureKind<F>
where
    F: Fn(&BuildContext) -> Result<Arc<dyn AgentFactory>, AgentError> + Send + Sync + 'static,
{
    type Settings = NoSettings;

    fn serves_by_default(&self) -> bool {
        self.service_by_default
    }

    fn factory(
        &self,
        _: &NoSettings,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        (self.builder)(build).map_err(|e| KindError::new(e.to_string()))
    }
}

//! The one trait an agent kind implements: its settings (the `[[agents]]`
//! keys beyond the common ones), their checks, and the agents it builds.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::agent::AgentFactory;
use crate::settings::Capabilities;
pub use crate::settings::KindError;

/// A kind of agent a config can name in `[[agents]] kind = "…"`.
///
/// ```
/// use std::sync::Arc;
/// use agora_runtime::agent::{Agent, AgentFactory, Behaviours, agent_factory};
/// use agora_runtime::kinds::{AgentKind, AgentRegistry, BuildContext, KindError};
///
/// struct Idle;
/// impl Agent for Idle {
///     fn setup(&mut self, _: &mut Behaviours<Self>) {}
/// }
///
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct IdleSettings {
///     #[serde(default)]
///     patience: u32,
/// }
///
/// struct IdleKind;
/// impl AgentKind for IdleKind {
///     type Settings = IdleSettings;
///     fn validate(&self, settings: &IdleSettings) -> Result<(), KindError> {
///         if settings.patience > 10 {
///             return Err(KindError::at("patience", "at most 10"));
///         }
///         Ok(())
///     }
///     fn factory(&self, _: &IdleSettings, _: &mut BuildContext) -> Result<Arc<dyn AgentFactory>, KindError> {
///         Ok(agent_factory(|| Ok(Idle)))
///     }
/// }
///
/// let mut registry = AgentRegistry::with_builtins();
/// registry.register_kind("idle", IdleKind);
/// assert!(registry.kinds().contains(&"idle"));
/// ```
pub trait AgentKind: Send + Sync + 'static {
    /// The kind's own keys of an `[[agents]]` entry. Give it
    /// `#[serde(deny_unknown_fields)]` so a typo is an error.
    type Settings: DeserializeOwned + Debug + Send + Sync + 'static;

    /// Whether the run stops agents of this kind once the others are done
    /// (true) or waits for them to finish (false, the default).
    fn serves_by_default(&self) -> bool {
        false
    }

    /// Checks what serde cannot (ranges, names, combinations).
    fn validate(&self, settings: &Self::Settings) -> Result<(), KindError> {
        let _ = settings;
        Ok(())
    }

    /// What `agora runs list` shows for agents of this kind; the kind's
    /// name when `None`.
    fn label(&self, settings: &Self::Settings) -> Option<String> {
        let _ = settings;
        None
    }

    /// What agents of this kind can be asked to do while they run.
    fn capabilities(&self, settings: &Self::Settings) -> Capabilities {
        let _ = settings;
        Capabilities::PROGRAMMED
    }

    /// Builds the factory of one agent (called once per instance name).
    fn factory(
        &self,
        settings: &Self::Settings,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError>;
}

/// Where and for whom a factory is built.
pub struct BuildContext {
    /// The agent's instance name (`worker-3` with replicas).
    pub name: String,
    config_dir: PathBuf,
    shared: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl BuildContext {
    /// A context for the agents of the config in `config_dir`.
    pub fn new(config_dir: impl Into<PathBuf>) -> Self {
        Self {
            name: String::new(),
            config_dir: config_dir.into(),
            shared: HashMap::new(),
        }
    }

    /// A path from a config, relative to the config's folder when a file is
    /// there, else as given (relative to the current folder), so a config
    /// means the same whatever folder it is run from.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        let beside_config = self.config_dir.join(path);
        if path.is_relative() && beside_config.exists() {
            beside_config
        } else {
            path.to_path_buf()
        }
    }

    /// State the agents of one run share while they are built (the worlds
    /// of `bdi` agents, say), one value per type, made on first use.
    pub fn shared<T: Default + Send + 'static>(&mut self) -> &mut T {
        self.shared
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut::<T>()
            .expect("the value stored under a type's id has that type")
    }

    /// Puts a value the run hands its kinds (a learner's warm-start
    /// weights, say).
    pub fn provide<T: Send + 'static>(&mut self, value: T) {
        self.shared.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// A value the run handed its kinds, if it did.
    pub fn provided<T: Send + 'static>(&self) -> Option<&T> {
        self.shared
            .get(&TypeId::of::<T>())
            .and_then(|value| value.downcast_ref::<T>())
    }
}

/// A kind's parsed settings, whatever their type.
#[derive(Clone)]
pub struct KindSettings(Arc<dyn AnySettings>);

trait AnySettings: Any + Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + Debug + Send + Sync> AnySettings for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl KindSettings {
    /// Wraps settings of a kind.
    pub fn new<T: Debug + Send + Sync + 'static>(settings: T) -> Self {
        Self(Arc::new(settings))
    }

    /// The settings as their kind's type.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        // Through the trait object: `Arc` itself is `Any` too.
        (*self.0).as_any().downcast_ref::<T>()
    }
}

impl Debug for KindSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A registered kind with its settings type erased: what a config reader
/// and the run driver call. Every [`AgentKind`] is one.
pub trait RegisteredKind: Send + Sync {
    /// Reads the kind's keys of one `[[agents]]` entry.
    fn parse(
        &self,
        entry: toml::de::ValueDeserializer<'_>,
    ) -> Result<KindSettings, toml::de::Error>;
    /// Whether agents of this kind serve (stopped when the others are done).
    fn serves_by_default(&self) -> bool;
    /// Checks what serde cannot.
    fn validate(&self, settings: &KindSettings) -> Result<(), KindError>;
    /// What `agora runs list` shows for these agents.
    fn label(&self, settings: &KindSettings) -> Option<String>;
    /// What these agents can be asked to do while they run.
    fn capabilities(&self, settings: &KindSettings) -> Capabilities;
    /// The factory of one agent.
    fn factory(
        &self,
        settings: &KindSettings,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError>;
}

impl<K: AgentKind> RegisteredKind for K {
    fn parse(
        &self,
        entry: toml::de::ValueDeserializer<'_>,
    ) -> Result<KindSettings, toml::de::Error> {
        <K::Settings as serde::Deserialize>::deserialize(entry).map(KindSettings::new)
    }

    fn serves_by_default(&self) -> bool {
        AgentKind::serves_by_default(self)
    }

    fn validate(&self, settings: &KindSettings) -> Result<(), KindError> {
        AgentKind::validate(self, typed::<K>(settings)?)
    }

    fn label(&self, settings: &KindSettings) -> Option<String> {
        typed::<K>(settings)
            .ok()
            .and_then(|s| AgentKind::label(self, s))
    }

    fn capabilities(&self, settings: &KindSettings) -> Capabilities {
        typed::<K>(settings)
            .map(|s| AgentKind::capabilities(self, s))
            .unwrap_or(Capabilities::PROGRAMMED)
    }

    fn factory(
        &self,
        settings: &KindSettings,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        AgentKind::factory(self, typed::<K>(settings)?, build)
    }
}

fn typed<K: AgentKind>(settings: &KindSettings) -> Result<&K::Settings, KindError> {
    settings.get::<K::Settings>().ok_or_else(|| {
        KindError::new(format!(
            "these settings are not `{}` (the entry was parsed for another kind)",
            std::any::type_name::<K::Settings>()
        ))
    })
}

//! The supervisor's children of a run: every `[[agents]]` entry and the
//! learner, each built by its kind from the registry.

use std::path::Path;

use crate::config::{AgentSection, ConfigError, ExperimentConfig};
use crate::kinds::{AgentRegistry, BuildContext, KindError, KindSettings, LEARNER, LearnerPlan};
use crate::settings::Capabilities;
use crate::supervisor::ChildSpec;

/// Inbound messages that may wait per agent; memory is used only when they do.
const DEFAULT_MAILBOX: usize = 16_384;
/// A learner's inbox holds only control messages.
const LEARNER_MAILBOX: usize = 1024;

/// The child specs of `config`, in config order, the learner last.
pub(super) fn child_specs(
    config: &ExperimentConfig,
    registry: &AgentRegistry,
    learner: Option<LearnerPlan>,
) -> Result<Vec<ChildSpec>, ConfigError> {
    let config_dir = config.source.parent().unwrap_or(Path::new("."));
    let mut build = BuildContext::new(config_dir);
    let mut specs = Vec::new();
    for (index, section) in config.agents.iter().enumerate() {
        specs.extend(section_specs(
            config,
            registry,
            section,
            &mut build,
            |key, name| match key {
                // The instance name says which replica could not be built.
                Some(key) => format!("agents[{index}].{key} ({name})"),
                None => format!("agents[{index}] ({name})"),
            },
        )?);
    }
    if let Some(plan) = learner {
        let mut section = AgentSection::new(
            plan.spec.name.clone(),
            LEARNER,
            KindSettings::new(plan.clone()),
        );
        section.restart = plan.spec.restart;
        section.service = Some(false);
        section.mailbox = Some(LEARNER_MAILBOX);
        specs.extend(section_specs(
            config,
            registry,
            &section,
            &mut build,
            |key, _| key.unwrap_or("learner").to_string(),
        )?);
    }
    Ok(specs)
}

/// The specs of one entry: one per instance name.
fn section_specs(
    config: &ExperimentConfig,
    registry: &AgentRegistry,
    section: &AgentSection,
    build: &mut BuildContext,
    key_of: impl Fn(Option<&str>, &str) -> String,
) -> Result<Vec<ChildSpec>, ConfigError> {
    let invalid = |key: String, message: String| ConfigError::Invalid {
        file: config.source.clone(),
        key,
        message,
    };
    let Some(kind) = registry.kind(&section.kind) else {
        return Err(invalid(
            key_of(Some("kind"), &section.name),
            format!(
                "unknown agent kind `{}` (known kinds: {})",
                section.kind,
                registry.kinds().join(", ")
            ),
        ));
    };
    let mut specs = Vec::new();
    for name in section.instance_names() {
        build.name.clone_from(&name);
        let factory =
            kind.factory(&section.settings, build)
                .map_err(|KindError { key, message }| {
                    invalid(key_of(key.as_deref(), &name), message)
                })?;
        specs.push(ChildSpec {
            name,
            factory,
            restart: section.restart,
            service: section.service.unwrap_or(kind.serves_by_default()),
            mailbox: section.mailbox.unwrap_or(DEFAULT_MAILBOX),
            max_restarts: section.max_restarts,
        });
    }
    Ok(specs)
}

/// The kind and target `agora runs list` shows: the learner's algorithm and
/// env, or the agent kinds (as their kinds label them) with their counts.
/// What the run's agents can be asked to do: every entry's kind's, and a
/// learner's.
pub(super) fn run_capabilities(
    config: &ExperimentConfig,
    registry: &AgentRegistry,
) -> Capabilities {
    let learner = config.learner.is_some().then_some(Capabilities::LEARNER);
    config
        .agents
        .iter()
        .map(|section| {
            registry
                .kind(&section.kind)
                .map_or(Capabilities::PROGRAMMED, |kind| {
                    kind.capabilities(&section.settings)
                })
        })
        .chain(learner)
        .reduce(Capabilities::union)
        .unwrap_or(Capabilities::PROGRAMMED)
}

pub(super) fn describe_run(
    config: &ExperimentConfig,
    registry: &AgentRegistry,
) -> (String, String) {
    if let (Some(learner), Some(env)) = (&config.learner, &config.env) {
        return (learner.algorithm.name().to_string(), env.id.clone());
    }
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for section in &config.agents {
        let count = section.instance_names().len();
        let label = registry
            .kind(&section.kind)
            .and_then(|kind| kind.label(&section.settings))
            .unwrap_or_else(|| section.kind.clone());
        match kinds.iter_mut().find(|(k, _)| *k == label) {
            Some((_, n)) => *n += count,
            None => kinds.push((label, count)),
        }
    }
    let target = kinds
        .iter()
        .map(|(k, n)| {
            if *n > 1 {
                format!("{k} x{n}")
            } else {
                k.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    ("agents".to_string(), target)
}

//! The first phase of a run: everything that can be wrong with the config,
//! the broker choice or a warm start fails here, before any broker, file or
//! connection exists.

use std::path::PathBuf;

use super::{RunError, RunOptions, children};
use crate::config::{BrokerChoice, ConfigError, ExperimentConfig, parse_broker_choice};
use crate::kinds::LearnerPlan;
use crate::learn::{LearnerSpec, WarmStart};
use crate::settings::Capabilities;
use crate::store::{CheckpointSelector, RunDigest};
use crate::stored_run::RunLocator;
use crate::supervisor::ChildSpec;

/// What a checked config starts.
pub(super) struct Prepared {
    /// The supervisor's children, the learner last.
    pub(super) specs: Vec<ChildSpec>,
    /// Embedded or external broker.
    pub(super) broker: BrokerChoice,
    /// The store file the run records itself in.
    pub(super) store_path: PathBuf,
    /// What `agora runs list` shows: kind and target.
    pub(super) kind: String,
    pub(super) target: String,
    /// What its agents can be asked to do.
    pub(super) capabilities: Capabilities,
    /// Per-episode telemetry on (off in fast mode).
    pub(super) telemetry: bool,
}

impl Prepared {
    /// The run's digest: what it runs, over `earlier` sessions' figures.
    pub(super) fn digest(&self, earlier: &RunDigest) -> RunDigest {
        RunDigest {
            kind: self.kind.clone(),
            target: self.target.clone(),
            capabilities: Some(self.capabilities),
            telemetry: Some(self.telemetry),
            ..earlier.clone()
        }
    }
}

/// Checks the config and builds every child's factory.
pub(super) fn prepare(
    config: &ExperimentConfig,
    options: &RunOptions,
) -> Result<Prepared, RunError> {
    let learner = config.learner_spec()?;
    if config.agents.is_empty() && learner.is_none() {
        return Err(invalid_config(
            config,
            "agents",
            "nothing to run: the config has no [[agents]] and no [learner]",
        ));
    }
    let broker = broker_choice(config, options)?;
    let locator = RunLocator::new(&options.data_dir);
    let plan = match learner {
        Some(spec) => Some(learner_plan(config, &locator, spec, options)?),
        None => None,
    };
    let specs = children::child_specs(config, &options.registry, plan)?;
    let store_path = match &options.store_path {
        Some(path) => path.clone(),
        None => locator.index().store_for(config.store.path.as_deref()),
    };
    let (kind, target) = children::describe_run(config, &options.registry);
    Ok(Prepared {
        specs,
        broker,
        store_path,
        kind,
        target,
        capabilities: children::run_capabilities(config, &options.registry),
        telemetry: options.telemetry,
    })
}

fn invalid_config(config: &ExperimentConfig, key: &str, message: &str) -> RunError {
    ConfigError::Invalid {
        file: config.source.clone(),
        key: key.into(),
        message: message.into(),
    }
    .into()
}

/// `--broker` when given, else the config's `[broker] url`.
fn broker_choice(
    config: &ExperimentConfig,
    options: &RunOptions,
) -> Result<BrokerChoice, RunError> {
    let choice = match &options.broker {
        Some(text) => {
            parse_broker_choice(text, config.broker.port).map_err(|e| ConfigError::Option {
                option: "--broker".into(),
                message: e.to_string(),
            })?
        }
        None => config.broker.choice().map_err(|e| ConfigError::Invalid {
            file: config.source.clone(),
            key: "broker.url".into(),
            message: e.to_string(),
        })?,
    };
    Ok(choice)
}

fn learner_plan(
    config: &ExperimentConfig,
    locator: &RunLocator,
    spec: LearnerSpec,
    options: &RunOptions,
) -> Result<LearnerPlan, RunError> {
    let warm_start = match &options.warm_start {
        Some((source, which)) => Some(warm_start_weights(config, locator, &spec, source, which)?),
        None => None,
    };
    Ok(LearnerPlan { spec, warm_start })
}

/// The weights a warm start takes, found through the data dir's stores and
/// tried on a throwaway learner now, so a checkpoint that does not fit
/// fails before anything starts (not at the first start, where a restart
/// would quietly train from scratch).
fn warm_start_weights(
    config: &ExperimentConfig,
    locator: &RunLocator,
    learner: &LearnerSpec,
    source: &str,
    which: &CheckpointSelector,
) -> Result<WarmStart, RunError> {
    let invalid = |message: String| ConfigError::Option {
        option: "--warm-start".into(),
        message,
    };
    let found = locator.find(source).map_err(|e| invalid(e.to_string()))?;
    let loaded = found
        .learner_checkpoint(which)
        .map_err(|e| invalid(e.to_string()))?;
    if loaded.spec.algorithm != learner.algorithm {
        return Err(invalid(format!(
            "checkpoint #{} of run {} is {}, the config's learner is {}",
            loaded.checkpoint.meta.sequence,
            found.id(),
            loaded.spec.algorithm.name().to_uppercase(),
            learner.algorithm.name().to_uppercase()
        ))
        .into());
    }
    let mut probe = learner.trainer().map_err(|e| ConfigError::Invalid {
        file: config.source.clone(),
        key: learner.algorithm.name().into(),
        message: e.to_string(),
    })?;
    probe
        .warm_start(&loaded.checkpoint.bytes)
        .map_err(|e| invalid(format!("{}: {e}", found.id())))?;
    Ok(WarmStart {
        source: format!(
            "checkpoint #{} of run {}",
            loaded.checkpoint.meta.sequence,
            found.id()
        ),
        bytes: loaded.checkpoint.bytes,
    })
}

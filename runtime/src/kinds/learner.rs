//! The `learner` kind: a reinforcement-learning agent. Its settings come
//! from the config's `[learner]`, `[env]` and algorithm sections (resolved
//! into a [`LearnerSpec`] before the run starts), not from `[[agents]]`.

use std::sync::Arc;

use super::{BuildContext, KindError, KindSettings, RegisteredKind};
use crate::agent::AgentFactory;
use crate::learn::{LearnerFactory, LearnerSpec, WarmStart};
use crate::settings::Capabilities;

/// The learner kind's name.
pub const LEARNER: &str = "learner";

/// What the run hands the learner kind: the checked spec and the weights
/// of a warm start.
#[derive(Debug, Clone)]
pub struct LearnerPlan {
    /// The learner, checked against its env.
    pub spec: LearnerSpec,
    /// Weights to start from when there is no checkpoint of its own.
    pub warm_start: Option<WarmStart>,
}

pub(super) struct LearnerKind;

impl RegisteredKind for LearnerKind {
    fn parse(&self, _: toml::de::ValueDeserializer<'_>) -> Result<KindSettings, toml::de::Error> {
        Err(serde::de::Error::custom(
            "a learner is set up by the [learner] and [env] sections, not by [[agents]]",
        ))
    }

    fn serves_by_default(&self) -> bool {
        false
    }

    fn validate(&self, settings: &KindSettings) -> Result<(), KindError> {
        plan(settings).map(|_| ())
    }

    fn label(&self, settings: &KindSettings) -> Option<String> {
        plan(settings)
            .ok()
            .map(|plan| plan.spec.algorithm.name().to_string())
    }

    fn capabilities(&self, _: &KindSettings) -> Capabilities {
        Capabilities::LEARNER
    }

    fn factory(
        &self,
        settings: &KindSettings,
        _: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        let plan = plan(settings)?;
        Ok(Arc::new(LearnerFactory::new(
            plan.spec.clone(),
            plan.warm_start.clone(),
        )))
    }
}

fn plan(settings: &KindSettings) -> Result<&LearnerPlan, KindError> {
    settings
        .get::<LearnerPlan>()
        .ok_or_else(|| KindError::new("a learner's settings are its LearnerPlan"))
}

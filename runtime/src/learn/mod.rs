//! Reinforcement-learning agents in the runtime: a learner from
//! `agora-agents` trained against env shards, supervised like any agent
//! (restarted from its last checkpoint), checkpointed every K steps, at
//! stop and as `best`. Env 0's finished episodes are kept for replay as
//! `[telemetry] record_episodes` says ([`recorded`] reads them back).

mod actor;
mod frame_image;
mod host;
pub mod recorded;
mod recorder;
mod settings;
mod spec;
mod stream;
mod stream_publisher;
mod train_loop;

use std::sync::Arc;

use actix::{Actor, Arbiter};

pub use actor::{LearnerActor, LearnerDriver, Progress};
pub use frame_image::FrameImage;
pub use host::EnvHost;
pub use recorded::{RecordError, RecordedEpisode, RecordedEpisodes, RecordedSummary};
pub use recorder::{
    MAX_RECORDED_STEPS, RecordEpisodes, RecordEpisodesError, RecordSettings, Recorder,
};
pub use settings::{EnvSection, LearnerSection};
pub use spec::LearnerSpec;
pub use stream::Stream;
pub use stream_publisher::StreamStep;
pub use train_loop::{LearnError, Pass, TrainLoop};

use crate::agent::{AgentError, AgentFactory, ChildActor, ChildExit, ChildHandle, Launch};

/// Receives learners' progress (the CLI shows it).
pub type ProgressSink = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Weights a learner starts from instead of its own initialisation.
#[derive(Debug, Clone)]
pub struct WarmStart {
    /// The checkpoint's bytes.
    pub bytes: Vec<u8>,
    /// Where they come from, in words (`checkpoint #3 of run r-1`).
    pub source: String,
}

/// Builds a learner for each (re)start.
pub struct LearnerFactory {
    spec: Arc<LearnerSpec>,
    warm_start: Option<WarmStart>,
}

impl LearnerFactory {
    /// A factory for `spec`; `warm_start` weights are used on a first start
    /// that has no checkpoint of its own.
    pub fn new(spec: LearnerSpec, warm_start: Option<WarmStart>) -> Self {
        Self {
            spec: Arc::new(spec),
            warm_start,
        }
    }
}

impl AgentFactory for LearnerFactory {
    fn launch(&self, mut launch: Launch) -> Result<ChildHandle, AgentError> {
        if let Err(error) = agora_agents::nn::threads::set_compute_threads(self.spec.threads) {
            tracing::warn!(%error, "compute threads not set");
        }
        let built = self
            .spec
            .trainer()
            .map_err(AgentError::wrap)
            .and_then(|trainer| {
                self.spec
                    .env_host()
                    .map(|envs| (trainer, envs))
                    .map_err(AgentError::wrap)
            });
        let (trainer, envs) = match built {
            Ok(parts) => parts,
            Err(error) => {
                launch
                    .link
                    .set_exit(ChildExit::Failed(format!("start failed: {error}")));
                return Err(error);
            }
        };
        let telemetry = launch
            .env
            .telemetry_enabled
            .then(|| launch.env.telemetry.clone());
        let mut work = TrainLoop::new(
            trainer,
            envs,
            &launch.env.run_id,
            &self.spec.name,
            self.spec.best_window,
            self.spec.checkpoint_every,
            telemetry,
        )
        .with_metrics_interval(launch.env.metrics_interval)
        .with_best_with_replay(self.spec.best_with_replay);
        // Fast mode records nothing: it is for training as fast as it goes.
        if launch.env.telemetry_enabled
            && let Some(settings) = launch.env.extensions.get::<RecordSettings>()
            && settings.keep != RecordEpisodes::Off
            && let Some(recorder) = Recorder::start(
                settings,
                &self.spec.name,
                &self.spec.env_id,
                &self.spec.params,
            )
        {
            work = work.with_recorder(recorder);
        }
        if launch.env.telemetry_enabled && launch.env.stream_episodes {
            work = work.with_stream(Stream::new(
                launch.env.transport.clone(),
                &launch.env.run_id,
                &self.spec.name,
                self.spec.visual_fps,
            ));
        }
        let restore = launch.checkpoint.take();
        let warm_start = if restore.is_none() && launch.incarnation == 1 {
            self.warm_start.clone()
        } else {
            None
        };
        let driver = LearnerDriver::new(self.spec.clone(), work, restore, warm_start);
        let arbiter = Arbiter::new();
        let actor = LearnerActor::start_in_arbiter(&arbiter.handle(), move |_| {
            ChildActor::new(launch, driver)
        });
        Ok(ChildHandle {
            stop: actor.clone().recipient(),
            control: actor.recipient(),
        })
    }
}

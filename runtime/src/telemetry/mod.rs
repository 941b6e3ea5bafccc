//! Telemetry of a run. This part carries lifecycle events and agent
//! reports, which are always delivered: to the log, to the run's
//! `telemetry/lifecycle` topic, and to `events.jsonl` in the run's folder.

pub mod curve_files;
mod event;
mod learner_report;
pub mod tensorboard;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix::prelude::*;

pub use event::{EpisodeEvent, Event, LifecycleEvent, LifecycleKind, TrainEvent};
pub use learner_report::LearnerReport;

use crate::store::{RunDigest, StoreWriter, UpdateRun};
use crate::transport::{QoS, Transport, unix_now};
use curve_files::CurveFiles;
use tensorboard::EventFileWriter;

/// A handle for emitting telemetry. Cheap to clone.
#[derive(Clone)]
pub struct Telemetry {
    addr: Addr<TelemetryActor>,
    run_id: String,
    dropped: Arc<AtomicU64>,
}

/// Telemetry events that may wait for the telemetry actor; beyond this
/// they are dropped and counted, never waited for.
const EVENT_QUEUE: usize = 4096;

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry")
            .field("run_id", &self.run_id)
            .finish_non_exhaustive()
    }
}

/// What telemetry collected, for the end-of-run summary.
#[derive(Debug, Clone, Default)]
pub struct TelemetrySummary {
    /// Count of each lifecycle event.
    pub counts: BTreeMap<String, u64>,
    /// The last report of each agent.
    pub reports: BTreeMap<String, serde_json::Value>,
    /// Problems writing the events file, if any.
    pub sink_errors: Vec<String>,
    /// Telemetry events dropped because the queue (or the MQTT outbox)
    /// was full.
    pub dropped: u64,
}

impl Telemetry {
    /// Starts the telemetry actor of a run on the current arbiter, with
    /// the sinks that are on. A sink that cannot be opened is reported in the
    /// summary and left off; the run goes on.
    pub fn start(run_id: impl Into<String>, sinks: Sinks) -> Telemetry {
        let run_id = run_id.into();
        let mut sink_errors = Vec::new();
        let file = sinks.events_file.and_then(|path| match open_append(&path) {
            Ok(file) => Some(BufWriter::new(file)),
            Err(error) => {
                tracing::error!(file = %path.display(), %error, "events file turned off");
                sink_errors.push(format!("{}: {error}", path.display()));
                None
            }
        });
        let tensorboard = sinks.tensorboard_dir.and_then(|dir| match EventFileWriter::create(&dir, unix_now()) {
            Ok(writer) => Some(writer),
            Err(error) => {
                tracing::error!(folder = %dir.display(), %error, "tensorboard files turned off");
                sink_errors.push(format!("tensorboard {}: {error}", dir.display()));
                None
            }
        });
        let curves = sinks
            .curves_in
            .and_then(|folder| match CurveFiles::open(&folder) {
                Ok(files) => files,
                Err(error) => {
                    tracing::error!(folder = %folder.display(), %error, "curve files turned off");
                    sink_errors.push(format!("curve files in {}: {error}", folder.display()));
                    None
                }
            });
        let topic = sinks
            .transport
            .as_ref()
            .map(|t| t.topics().telemetry(&run_id, "lifecycle"));
        let actor = TelemetryActor {
            run_id: run_id.clone(),
            transport: sinks.transport,
            mqtt_events: sinks.mqtt_events,
            topic,
            file,
            curves,
            tensorboard,
            flush_scheduled: false,
            store: sinks.store,
            digest: sinks.digest,
            // Due at once: `agora runs list` shows the first figures as soon
            // as training has any, not only after the first interval.
            digest_written: std::time::Instant::now()
                .checked_sub(DIGEST_INTERVAL)
                .unwrap_or_else(std::time::Instant::now),
            summary: TelemetrySummary {
                sink_errors,
                ..Default::default()
            },
        };
        Telemetry {
            addr: actor.start(),
            run_id,
            dropped: Arc::default(),
        }
    }

    /// The run this telemetry belongs to.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Emits a lifecycle event.
    ///
    /// # Backpressure
    ///
    /// Lifecycle events are never dropped: they bypass the mailbox bound.
    /// There is a handful per agent start or stop, so this cannot grow
    /// without bound the way per-step telemetry could.
    pub fn lifecycle(&self, event: LifecycleEvent) {
        self.addr.do_send(Emit(event));
    }

    /// Emits an event that may be dropped: episodes, training metrics.
    ///
    /// # Backpressure
    ///
    /// Never waits: when the queue is full the event is dropped and counted
    /// (the count is in the run summary), so a slow sink never slows
    /// training.
    pub fn emit(&self, event: Event) {
        if self.addr.try_send(Record(event)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Telemetry events dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Emits an agent's report (a result such as a pinger's latencies).
    pub fn report(&self, agent: &str, report: serde_json::Value) {
        self.lifecycle(
            LifecycleEvent::new(LifecycleKind::AgentReport, &self.run_id)
                .agent(agent)
                .detail(report),
        );
    }

    /// Emits a learner's final report, and brings the run's digest up to
    /// date with it.
    pub fn report_learner(&self, agent: &str, report: LearnerReport) {
        self.report(agent, report.to_json());
        self.addr.do_send(LearnerFinished(report));
    }

    /// Flushes the sinks and returns what was collected.
    pub async fn finish(&self) -> TelemetrySummary {
        let mut summary = self.addr.send(Finish).await.unwrap_or_else(|_| {
            // Not "no events": the actor died, so its counts are unknown.
            tracing::error!(run = %self.run_id, "telemetry actor gone before the run ended; event counts are missing");
            TelemetrySummary::default()
        });
        summary.dropped += self.dropped();
        summary
    }
}

fn open_append(path: &PathBuf) -> std::io::Result<File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Where a run's telemetry goes.
#[derive(Default)]
pub struct Sinks {
    /// Lifecycle events always go here (when connected).
    pub transport: Option<Transport>,
    /// Episode and training events go to MQTT too.
    pub mqtt_events: bool,
    /// The JSON-lines events file.
    pub events_file: Option<PathBuf>,
    /// The run folder to keep the curve files in (see [`curve_files`]).
    pub curves_in: Option<PathBuf>,
    /// The folder for TensorBoard event files.
    pub tensorboard_dir: Option<PathBuf>,
    /// The store writer, for the run's digest.
    pub store: Option<Addr<StoreWriter>>,
    /// The digest as the run starts (kind, target, earlier sessions).
    pub digest: RunDigest,
}

/// How often the digest in the run registry is brought up to date.
const DIGEST_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

struct TelemetryActor {
    run_id: String,
    transport: Option<Transport>,
    mqtt_events: bool,
    topic: Option<String>,
    file: Option<BufWriter<File>>,
    curves: Option<CurveFiles>,
    tensorboard: Option<EventFileWriter>,
    flush_scheduled: bool,
    store: Option<Addr<StoreWriter>>,
    digest: RunDigest,
    digest_written: std::time::Instant,
    summary: TelemetrySummary,
}

impl TelemetryActor {
    /// Appends a line to the events file; flushed right after the burst of
    /// events now in the mailbox (one write for 10,000 agents starting), so
    /// no event waits in memory longer than one pass of the actor.
    fn write_line(&mut self, line: &[u8], ctx: &mut Context<Self>) {
        let Some(file) = &mut self.file else { return };
        let written = file.write_all(line).and_then(|()| file.write_all(b"\n"));
        if let Err(error) = written {
            self.file_failed(error);
        } else {
            self.schedule_flush(ctx);
        }
    }

    fn schedule_flush(&mut self, ctx: &mut Context<Self>) {
        if !self.flush_scheduled {
            self.flush_scheduled = true;
            ctx.notify(FlushFile);
        }
    }

    /// Adds an event to the curve files.
    fn write_curves(&mut self, event: &Event, line: &[u8], ctx: &mut Context<Self>) {
        let Some(curves) = &mut self.curves else {
            return;
        };
        let written = match event {
            Event::Episode(episode) => curves.episode(episode),
            Event::Train(_) => curves.train(line),
        };
        match written {
            Ok(()) => self.schedule_flush(ctx),
            Err(error) => self.curves_failed(error),
        }
    }

    /// Curve files with a hole would show wrong curves: they are removed,
    /// and readers go back to `events.jsonl`.
    fn curves_failed(&mut self, error: std::io::Error) {
        self.summary
            .sink_errors
            .push(format!("curve files: {error}; curve files removed"));
        tracing::error!(%error, "curve files removed");
        if let Some(curves) = self.curves.take() {
            curves.discard();
        }
    }

    /// A sink that fails reports it once and turns itself off; the run goes on.
    fn file_failed(&mut self, error: std::io::Error) {
        self.summary
            .sink_errors
            .push(format!("events file: {error}; events file turned off"));
        tracing::error!(%error, "events file turned off");
        self.file = None;
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct FlushFile;

impl Handler<FlushFile> for TelemetryActor {
    type Result = ();

    fn handle(&mut self, _: FlushFile, _: &mut Self::Context) {
        self.flush_scheduled = false;
        if let Some(writer) = &mut self.tensorboard
            && let Err(error) = writer.flush()
        {
            self.summary.sink_errors.push(format!(
                "tensorboard: {error}; tensorboard files turned off"
            ));
            self.tensorboard = None;
        }
        if let Some(file) = &mut self.file
            && let Err(error) = file.flush()
        {
            self.file_failed(error);
        }
        if let Some(curves) = &mut self.curves
            && let Err(error) = curves.flush()
        {
            self.curves_failed(error);
        }
    }
}

impl Actor for TelemetryActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(EVENT_QUEUE);
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Record(Event);

impl Handler<Record> for TelemetryActor {
    type Result = ();

    fn handle(&mut self, Record(event): Record, ctx: &mut Self::Context) {
        let line = match serde_json::to_vec(&event) {
            Ok(line) => line,
            Err(error) => {
                tracing::error!(%error, "telemetry event does not serialize");
                return;
            }
        };
        if let (true, Some(transport), Some(topic)) =
            (self.mqtt_events, &self.transport, &self.topic)
        {
            // `.../telemetry/lifecycle` → `.../telemetry/{kind}`.
            let topic = format!("{}{}", topic.trim_end_matches("lifecycle"), event.kind());
            // Telemetry is not worth an error to the learner: a full outbox
            // drops it, counted with the queue's drops, logged the first time.
            if let Err(error) = transport.publish(topic, line.clone(), QoS::AtLeastOnce, false) {
                if self.summary.dropped == 0 {
                    tracing::warn!(%error, "telemetry event not published on MQTT; later drops are only counted");
                }
                self.summary.dropped += 1;
            }
        }
        self.write_line(&line, ctx);
        self.write_curves(&event, &line, ctx);
        self.scalars(&event);
        if self.tensorboard.is_some() {
            self.schedule_flush(ctx);
        }
        self.update_digest(&event);
    }
}

impl TelemetryActor {
    /// TensorBoard scalars of an event.
    fn scalars(&mut self, event: &Event) {
        let Some(writer) = &mut self.tensorboard else {
            return;
        };
        let mut written = Ok(());
        let mut add = |tag: &str, step: u64, value: Option<f64>, at: f64| {
            if let (Some(value), Ok(())) = (value, &written) {
                written = writer.add_scalar(tag, step, value, at);
            }
        };
        match event {
            Event::Episode(e) => {
                add("episode/return", e.env_steps, Some(e.episode_return), e.at);
                add(
                    "episode/length",
                    e.env_steps,
                    Some(f64::from(e.length)),
                    e.at,
                );
            }
            Event::Train(t) => {
                let m = &t.metrics;
                let step = m.env_steps;
                add("train/mean_return", step, t.mean_return, t.at);
                add("train/best_mean_return", step, t.best_mean_return, t.at);
                add("train/steps_per_second", step, Some(t.sps), t.at);
                add("train/epsilon", step, m.epsilon, t.at);
                add("train/learning_rate", step, m.learning_rate, t.at);
                add("losses/td_loss", step, m.td_loss, t.at);
                add("losses/q_values", step, m.q_mean, t.at);
                add("losses/policy_loss", step, m.policy_loss, t.at);
                add("losses/value_loss", step, m.value_loss, t.at);
                add("losses/entropy", step, m.entropy, t.at);
                add("losses/approx_kl", step, m.approx_kl, t.at);
                add("losses/clip_fraction", step, m.clip_fraction, t.at);
                add(
                    "losses/explained_variance",
                    step,
                    m.explained_variance,
                    t.at,
                );
                add("losses/grad_norm", step, m.grad_norm, t.at);
            }
        }
        if let Err(error) = written {
            self.summary.sink_errors.push(format!(
                "tensorboard: {error}; tensorboard files turned off"
            ));
            tracing::error!(%error, "tensorboard files turned off");
            self.tensorboard = None;
        }
    }

    fn update_digest(&mut self, event: &Event) {
        match event {
            Event::Episode(e) => {
                self.digest.episodes = self.digest.episodes.max(e.episode);
                self.digest.env_steps = self.digest.env_steps.max(e.env_steps);
            }
            Event::Train(t) => {
                self.digest.env_steps = t.metrics.env_steps;
                self.digest.episodes = t.metrics.episodes;
                self.digest.mean_return = t.mean_return;
                self.digest.best_mean_return = t.best_mean_return;
            }
        }
        if self.digest_written.elapsed() >= DIGEST_INTERVAL {
            self.write_digest();
        }
    }

    fn write_digest(&mut self) {
        self.digest_written = std::time::Instant::now();
        if let Some(store) = &self.store {
            let digest = self.digest.clone();
            let run = self.run_id.clone();
            store.do_send(UpdateRun {
                run,
                change: Box::new(move |record| {
                    record.digest.episodes = digest.episodes;
                    record.digest.env_steps = digest.env_steps;
                    record.digest.mean_return = digest.mean_return;
                    record.digest.best_mean_return = digest.best_mean_return;
                }),
            });
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Emit(LifecycleEvent);

#[derive(Message)]
#[rtype(result = "()")]
struct LearnerFinished(LearnerReport);

impl Handler<LearnerFinished> for TelemetryActor {
    type Result = ();

    /// The learner's last figures, written at once: the run ends soon after.
    fn handle(&mut self, LearnerFinished(report): LearnerFinished, _: &mut Self::Context) {
        self.digest.env_steps = report.env_steps;
        self.digest.episodes = report.episodes;
        self.digest.mean_return = report.mean_return.or(self.digest.mean_return);
        self.digest.best_mean_return = report.best_mean_return.or(self.digest.best_mean_return);
        self.write_digest();
    }
}

#[derive(Message)]
#[rtype(result = "TelemetrySummary")]
struct Finish;

impl Handler<Emit> for TelemetryActor {
    type Result = ();

    fn handle(&mut self, Emit(event): Emit, ctx: &mut Self::Context) {
        let kind = event.event.as_str();
        match (event.event, &event.agent) {
            (LifecycleKind::AgentStarted | LifecycleKind::AgentStopped, Some(agent)) => {
                tracing::debug!(event = kind, %agent, "{}", event.detail)
            }
            (LifecycleKind::AgentReport, Some(agent)) => {
                self.summary
                    .reports
                    .insert(agent.clone(), event.detail.clone());
                tracing::debug!(event = kind, %agent, "{}", event.detail)
            }
            (_, Some(agent)) => tracing::info!(event = kind, %agent, "{}", event.detail),
            (_, None) => tracing::info!(event = kind, run = %event.run, "{}", event.detail),
        }
        *self.summary.counts.entry(kind.to_string()).or_default() += 1;
        let line = match serde_json::to_vec(&event) {
            Ok(line) => line,
            Err(error) => {
                tracing::error!(%error, "lifecycle event does not serialize");
                return;
            }
        };
        if let (Some(transport), Some(topic)) = (&self.transport, &self.topic)
            && let Err(error) =
                transport.publish(topic.clone(), line.clone(), QoS::AtLeastOnce, false)
        {
            tracing::warn!(%error, "lifecycle event not published");
        }
        self.write_line(&line, ctx);
    }
}

impl Handler<Finish> for TelemetryActor {
    type Result = MessageResult<Finish>;

    fn handle(&mut self, _: Finish, _: &mut Self::Context) -> Self::Result {
        if let Some(file) = &mut self.file
            && let Err(error) = file.flush()
        {
            self.summary
                .sink_errors
                .push(format!("events file: {error}"));
        }
        if let Some(writer) = &mut self.tensorboard
            && let Err(error) = writer.flush()
        {
            self.summary
                .sink_errors
                .push(format!("tensorboard: {error}"));
        }
        if let Some(curves) = &mut self.curves
            && let Err(error) = curves.flush()
        {
            self.curves_failed(error);
        }
        MessageResult(self.summary.clone())
    }
}

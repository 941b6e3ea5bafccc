//! Running an experiment from its config on this host: broker, store,
//! connection, telemetry, supervisor; waiting for the end; shutting down in
//! order; reporting.

mod children;
mod id;
mod report;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, Addr};
use tokio::sync::oneshot;

pub use crate::agent::RunSwitch;
pub use id::new_run_id;
pub use report::RunReport;

use crate::agent::{AgentStatsSnapshot, RunContext};
use crate::config::{BrokerChoice, ConfigError, ExperimentConfig, parse_broker_choice};
use crate::kinds::AgentRegistry;
use crate::store::{
    CheckpointSelector, RunDigest, RunRecord, RunStatus, Store, StoreError, StoreWriter,
};
use crate::stored_run::RunLocator;
use crate::supervisor::{Report, Shutdown, SupervisionOutcome, Supervisor, SupervisorSettings};
use crate::telemetry::{LifecycleEvent, LifecycleKind, Sinks, Telemetry};
use crate::transport::{BrokerUrl, QoS, Transport, TransportError, TransportOptions, unix_now};

/// How a run is started, beyond its config.
pub struct RunOptions {
    /// Broker override (`--broker`): `embedded`, `embedded:PORT` or a URL.
    pub broker: Option<String>,
    /// Folder for the store (unless the config names a file) and run files.
    pub data_dir: PathBuf,
    /// Agent kinds available to the config.
    pub registry: AgentRegistry,
    /// Where agents' console output goes (`.print`); logged when `None`.
    pub console: Option<crate::agent::Console>,
    /// Where learners' progress goes; logged when `None`.
    pub progress: Option<crate::learn::ProgressSink>,
    /// Build per-step and per-episode telemetry. Off is fast mode
    /// (`--no-telemetry`): only lifecycle events are sent.
    pub telemetry: bool,
    /// Continue this run (same id) from its agents' last checkpoints.
    pub resume: Option<String>,
    /// Start the learner from another run's weights: (run or unique
    /// prefix, which checkpoint).
    pub warm_start: Option<(String, CheckpointSelector)>,
    /// The store to use instead of the one the config names (a resumed
    /// run continues in the store it was found in).
    pub store_path: Option<PathBuf>,
}

impl RunOptions {
    /// Built-in kinds, data under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            broker: None,
            data_dir: data_dir.into(),
            registry: AgentRegistry::with_builtins(),
            console: None,
            progress: None,
            telemetry: true,
            resume: None,
            warm_start: None,
            store_path: None,
        }
    }
}

/// Milestones of a starting run, for the CLI to show.
#[derive(Debug, Clone)]
pub enum RunProgress {
    /// The embedded broker listens.
    BrokerStarted {
        /// Where it listens.
        addr: SocketAddr,
        /// The port the config asked for, when it was taken.
        port_taken: Option<u16>,
    },
    /// The run is registered and its agents are starting.
    Started {
        /// Run id.
        run_id: String,
        /// Broker in use.
        broker: String,
        /// Agents to start.
        agents: usize,
    },
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The embedded broker did not start.
    #[cfg(feature = "embedded-broker")]
    #[error(transparent)]
    Broker(#[from] crate::broker::BrokerError),
    /// This build has no embedded broker.
    #[error(
        "this build of agora has no embedded broker (feature `embedded-broker`); pass --broker mqtt://HOST:PORT"
    )]
    NoEmbeddedBroker,
    /// The broker cannot be reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The store cannot be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(feature = "embedded-broker")]
type BrokerGuard = Option<crate::broker::EmbeddedBroker>;
#[cfg(not(feature = "embedded-broker"))]
type BrokerGuard = Option<()>;

fn start_broker(
    choice: BrokerChoice,
    progress: &mut impl FnMut(RunProgress),
) -> Result<(BrokerUrl, BrokerGuard), RunError> {
    match choice {
        BrokerChoice::External(url) => Ok((url, None)),
        #[cfg(feature = "embedded-broker")]
        BrokerChoice::Embedded { port } => {
            use crate::broker::{EmbeddedBroker, EmbeddedBrokerOptions};
            let broker = EmbeddedBroker::start(EmbeddedBrokerOptions {
                port,
                ..EmbeddedBrokerOptions::default()
            })?;
            let addr = broker.local_addr();
            progress(RunProgress::BrokerStarted {
                addr,
                port_taken: broker.fell_back_to_free_port().then_some(port),
            });
            Ok((
                BrokerUrl::new(addr.ip().to_string(), addr.port()),
                Some(broker),
            ))
        }
        #[cfg(not(feature = "embedded-broker"))]
        BrokerChoice::Embedded { .. } => Err(RunError::NoEmbeddedBroker),
    }
}

/// Runs an experiment to its end on this host and reports.
///
/// Must be called inside an actix system. Ends when every non-service agent
/// is done, when an agent fails and the run is set to fail with it, after
/// `[run] max_duration`, or on Ctrl-C / SIGTERM (graceful: final
/// checkpoints, presence offline).
pub async fn run_experiment(
    config: &ExperimentConfig,
    options: RunOptions,
    mut progress: impl FnMut(RunProgress),
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    // Everything that can be wrong with the config fails here, before any
    // broker, file or connection exists.
    let learner = config.learner_spec()?;
    if config.agents.is_empty() && learner.is_none() {
        return Err(ConfigError::Invalid {
            file: config.source.clone(),
            key: "agents".into(),
            message: "nothing to run: the config has no [[agents]] and no [learner]".into(),
        }
        .into());
    }
    let choice = match &options.broker {
        Some(text) => parse_broker_choice(text, config.broker.port).map_err(|message| {
            ConfigError::Invalid {
                file: "--broker".into(),
                key: "broker".into(),
                message,
            }
        })?,
        None => config
            .broker
            .choice()
            .map_err(|message| ConfigError::Invalid {
                file: config.source.clone(),
                key: "broker.url".into(),
                message,
            })?,
    };

    let locator = RunLocator::new(&options.data_dir);
    let warm = match (&learner, &options.warm_start) {
        (Some(learner), Some((source, which))) => Some(warm_start_weights(
            config, &locator, learner, source, which,
        )?),
        _ => None,
    };
    let plan = learner.map(|spec| crate::kinds::LearnerPlan {
        spec,
        warm_start: warm,
    });
    let specs = children::child_specs(config, &options.registry, plan)?;
    let store_path = match &options.store_path {
        Some(path) => path.clone(),
        None => locator.index().store_for(config.store.path.as_deref()),
    };
    let store = Store::open(&store_path)?;
    if let Err(error) = locator.index().remember(&store_path) {
        // The run itself is unaffected; only finding it by id later is.
        tracing::warn!(%error, "store not recorded in the data dir's index");
    }
    for crashed in store.mark_crashed(&crate::host_name(), crate::agora_process_alive)? {
        tracing::warn!(run = %crashed, "run marked crashed: its process is gone (agora resume {crashed})");
    }
    let (broker_url, broker_guard) = start_broker(choice, &mut progress)?;

    let name = config.run_name();
    let (kind, target) = children::describe_run(config, &options.registry);
    let run_id = match &options.resume {
        Some(run) => run.clone(),
        None => new_run_id(&name),
    };
    let host = format!("{}-{}", crate::host_name(), std::process::id());
    let namespace = config.run.namespace.clone();
    let topics = crate::transport::Topics::new(&namespace);
    let host_status = |status: &str| {
        serde_json::json!({"status": status, "host": crate::host_name(), "pid": std::process::id(), "run": run_id, "at": unix_now()})
            .to_string()
            .into_bytes()
    };

    let mut transport_options = TransportOptions::new(
        broker_url.clone(),
        format!("agora-{host}-{run_id}"),
        namespace,
    );
    transport_options.connect_timeout = config.broker.connect_timeout;
    transport_options.outbox_capacity = config.broker.outbox_capacity;
    transport_options.max_packet_size = config.broker.max_packet_size;
    transport_options.last_will = Some((topics.host_status(&host), host_status("offline")));
    let transport = Transport::connect(transport_options).await?;

    match &options.resume {
        Some(run) => {
            store.update_run(run, |r| {
                r.status = RunStatus::Running;
                r.ended_at = None;
                r.reason = None;
                r.host = crate::host_name();
                r.pid = std::process::id();
                r.broker = Some(broker_url.to_string());
            })?;
        }
        None => {
            let mut record = RunRecord::started(&run_id, &name, &config.text);
            record.config_path = Some(config.source.display().to_string());
            record.broker = Some(broker_url.to_string());
            record.namespace = Some(config.run.namespace.clone());
            record.digest = RunDigest {
                kind: kind.clone(),
                target: target.clone(),
                ..RunDigest::default()
            };
            store.put_run(&record)?;
        }
    }

    let publish_retained = |topic: String, payload: Vec<u8>| {
        if let Err(error) = transport.publish(topic, payload, QoS::AtLeastOnce, true) {
            tracing::warn!(%error, "status not published");
        }
    };
    publish_retained(topics.host_status(&host), host_status("online"));
    let run_status = |status: RunStatus, reason: Option<&str>| {
        serde_json::json!({"status": status.as_str(), "run": run_id, "host": host, "reason": reason, "at": unix_now()})
            .to_string()
            .into_bytes()
    };
    publish_retained(
        topics.run_status(&run_id),
        run_status(RunStatus::Running, None),
    );

    let run_folder = options.data_dir.join("runs").join(&run_id);
    let writer = StoreWriter::start(store.clone());
    let earlier = match &options.resume {
        Some(run) => store.run(run)?.map(|r| r.digest).unwrap_or_default(),
        None => RunDigest::default(),
    };
    let sinks = Sinks {
        transport: Some(transport.clone()),
        mqtt_events: config.telemetry.mqtt,
        events_file: config
            .telemetry
            .jsonl
            .then(|| run_folder.join("events.jsonl")),
        tensorboard_dir: config
            .telemetry
            .tensorboard
            .then(|| run_folder.join("tensorboard")),
        store: Some(writer.clone()),
        digest: RunDigest {
            kind: kind.clone(),
            target: target.clone(),
            ..earlier.clone()
        },
    };
    let telemetry = Telemetry::start(run_id.clone(), sinks);
    let run_switch = Arc::new(RunSwitch::default());
    let env = Arc::new(RunContext {
        run_id: run_id.clone(),
        transport: transport.clone(),
        encoding: config.run.encoding,
        batch: config.run.batch,
        store: writer,
        telemetry: telemetry.clone(),
        ready: Arc::default(),
        run_switch: run_switch.clone(),
        agent_names: Arc::new(specs.iter().map(|s| s.name.clone()).collect()),
        console: options.console.clone(),
        extensions: run_extensions(&options),
        telemetry_enabled: options.telemetry,
        metrics_interval: Duration::from_secs_f64(1.0 / config.telemetry.metrics_hz),
        stream_episodes: config.telemetry.mqtt,
    });
    telemetry.lifecycle(
        LifecycleEvent::new(LifecycleKind::RunStarted, &run_id)
            .detail(serde_json::json!({"name": name, "agents": specs.len(), "broker": broker_url.to_string(), "host": host})),
    );
    progress(RunProgress::Started {
        run_id: run_id.clone(),
        broker: broker_url.to_string(),
        agents: specs.len(),
    });

    let settings = SupervisorSettings {
        strategy: config.supervisor.strategy,
        max_restarts: config.supervisor.max_restarts,
        within: config.supervisor.within,
        shutdown_timeout: config.supervisor.shutdown_timeout,
        on_agent_failure: config.run.on_agent_failure,
        subscribe_timeout: Duration::from_secs(10).max(config.broker.connect_timeout),
        resume: options.resume.is_some(),
    };
    let (outcome_tx, outcome_rx) = oneshot::channel();
    let supervisor = Supervisor::new(env.clone(), specs, settings, outcome_tx).start();
    let _control = crate::control::RunControl::new(env, supervisor.clone(), host.clone()).start();

    let (status, reason) = wait_for_end(outcome_rx, &run_switch, config.run.max_duration).await;
    let report = shut_down(&supervisor).await;

    let totals = report
        .children
        .iter()
        .fold(AgentStatsSnapshot::default(), |mut sum, c| {
            sum += c.stats;
            sum
        });
    let restarts = report.children.iter().map(|c| c.restarts).sum();
    let failed = report
        .children
        .iter()
        .filter(|c| matches!(c.state, crate::supervisor::ChildState::Failed(_)))
        .count() as u64;
    let kind = if status == RunStatus::Failed {
        LifecycleKind::RunFailed
    } else {
        LifecycleKind::RunCompleted
    };
    telemetry.lifecycle(
        LifecycleEvent::new(kind, &run_id).detail(serde_json::json!({"status": status.as_str(), "reason": reason, "restarts": restarts, "failed_agents": failed})),
    );
    let summary = telemetry.finish().await;

    let mut run_report = RunReport {
        run_id: run_id.clone(),
        name,
        status,
        reason: reason.clone(),
        duration: started.elapsed(),
        startup_seconds: report.startup.map(|d| d.as_secs_f64()),
        peak_rss_kib: peak_rss_kib(),
        broker: broker_url.to_string(),
        store: store_path.display().to_string(),
        agents: report.children,
        totals,
        restarts,
        failed,
        reports: summary.reports,
        transport: transport.stats().snapshot(),
        events: summary.counts,
        telemetry_dropped: summary.dropped,
        telemetry_problems: summary.sink_errors,
    };
    let summary_json = serde_json::to_value(&run_report).unwrap_or_else(|error| {
        // Once per run; the record keeps its status and digest without it.
        tracing::error!(%error, "run summary not stored: it does not serialise");
        serde_json::Value::Null
    });
    let session_seconds = run_report.duration.as_secs_f64();
    let learner_report = run_report
        .reports
        .values()
        .find(|r| r.get("kind").and_then(serde_json::Value::as_str) == Some("learner"))
        .cloned();
    let ended_reason = reason.clone();
    if let Err(error) = store.update_run(&run_id, move |r| {
        r.status = status;
        r.ended_at = Some(unix_now());
        r.reason = Some(ended_reason);
        r.summary = summary_json;
        r.digest.wall_seconds = earlier.wall_seconds + session_seconds;
        if let Some(learner) = &learner_report {
            let number = |key: &str| learner.get(key).and_then(serde_json::Value::as_u64);
            let figure = |key: &str| learner.get(key).and_then(serde_json::Value::as_f64);
            r.digest.env_steps = number("env_steps").unwrap_or(r.digest.env_steps);
            r.digest.episodes = number("episodes").unwrap_or(r.digest.episodes);
            r.digest.mean_return = figure("mean_return").or(r.digest.mean_return);
            r.digest.best_mean_return = figure("best_mean_return").or(r.digest.best_mean_return);
        }
    }) {
        tracing::error!(%error, "run record not updated");
    }
    publish_retained(
        topics.run_status(&run_id),
        run_status(status, Some(&reason)),
    );
    publish_retained(topics.host_status(&host), host_status("offline"));
    transport.shutdown(Duration::from_secs(3)).await;
    run_report.transport = transport.stats().snapshot();
    drop(broker_guard);
    Ok(run_report)
}

/// What the run hands its agents beyond the kernel's context.
fn run_extensions(options: &RunOptions) -> crate::agent::Extensions {
    let mut extensions = crate::agent::Extensions::default();
    if let Some(sink) = &options.progress {
        extensions.insert(sink.clone());
    }
    extensions
}

/// Waits for the supervised work to end, a stop signal, or the time limit.
async fn wait_for_end(
    outcome: oneshot::Receiver<SupervisionOutcome>,
    switch: &RunSwitch,
    limit: Option<Duration>,
) -> (RunStatus, String) {
    let time_limit = async {
        match limit {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        outcome = outcome => match outcome {
            Ok(SupervisionOutcome::AllTasksDone) => (RunStatus::Completed, "all agents finished".to_string()),
            Ok(SupervisionOutcome::AgentFailed { agent, reason }) => (RunStatus::Failed, format!("agent {agent} failed: {reason}")),
            Ok(SupervisionOutcome::NotReady(reason)) => (RunStatus::Failed, format!("not ready: {reason}")),
            Err(_) => (RunStatus::Failed, "the supervisor ended unexpectedly".to_string()),
        },
        outcome = switch.ended() => outcome,
        signal = stop_signal() => (RunStatus::Stopped, format!("stopped by {signal}")),
        // Stopped, not completed: the agents had not finished, and the run
        // can be resumed.
        () = time_limit => (RunStatus::Stopped, "max_duration reached".to_string()),
    }
}

async fn shut_down(supervisor: &Addr<Supervisor>) -> crate::supervisor::SupervisorReport {
    if supervisor
        .send(Shutdown {
            reason: "run ending".into(),
        })
        .await
        .is_err()
    {
        tracing::error!("supervisor gone before shutdown");
    }
    supervisor.send(Report).await.unwrap_or_else(|_| {
        tracing::error!(
            "supervisor gone before its final report; restarts and failures are not counted"
        );
        crate::supervisor::SupervisorReport::default()
    })
}

/// Resolves on Ctrl-C or SIGTERM with the signal's name.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// Peak resident set size of this process (VmHWM), where the OS tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The weights a warm start takes, found through the data dir's stores and
/// tried on a throwaway learner now, so a checkpoint that does not fit
/// fails before anything starts (not at the first start, where a restart
/// would quietly train from scratch).
fn warm_start_weights(
    config: &ExperimentConfig,
    locator: &RunLocator,
    learner: &crate::learn::LearnerSpec,
    source: &str,
    which: &CheckpointSelector,
) -> Result<Vec<u8>, RunError> {
    let invalid = |message: String| ConfigError::Invalid {
        file: "--warm-start".into(),
        key: "warm_start".into(),
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
    Ok(loaded.checkpoint.bytes)
}

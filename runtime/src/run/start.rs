//! The second phase of a run: store, broker, connection, run record,
//! telemetry, supervisor and control, in that order.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr};
use tokio::sync::oneshot;

use super::broker::{BrokerGuard, start_broker};
use super::prepare::Prepared;
use super::status::StatusBoard;
use super::{RunError, RunOptions, RunProgress, new_run_id};
use crate::agent::{Claims, Extensions, RunContext, RunSwitch};
use crate::config::BrokerChoice;
use crate::config::ExperimentConfig;
use crate::learn::{RecordEpisodes, RecordSettings};
use crate::store::{
    MarkCrashed, PutRun, RunDigest, RunRecord, RunStatus, Store, StoreError, StoreWriter, UpdateRun,
};
use crate::stored_run::RunLocator;
use crate::supervisor::{SupervisionOutcome, Supervisor, SupervisorSettings};
use crate::telemetry::{LifecycleEvent, LifecycleKind, Sinks, Telemetry};
use crate::transport::{BrokerUrl, Transport, TransportOptions};

/// How long the run waits for the broker to acknowledge its control topic
/// before it says it is running anyway.
const CONTROL_SUBSCRIBE_WITHIN: Duration = Duration::from_secs(10);

/// A run whose agents are starting or running.
pub(super) struct LiveRun {
    pub(super) name: String,
    pub(super) board: StatusBoard,
    pub(super) transport: Transport,
    pub(super) broker_url: BrokerUrl,
    pub(super) broker_guard: BrokerGuard,
    pub(super) store_path: PathBuf,
    pub(super) writer: Addr<StoreWriter>,
    pub(super) telemetry: Telemetry,
    pub(super) supervisor: Addr<Supervisor>,
    pub(super) run_switch: Arc<RunSwitch>,
    /// The digest of earlier sessions of a resumed run.
    pub(super) earlier: RunDigest,
    _control: Addr<crate::control::RunControl>,
}

/// What the later steps of a start all read.
struct Wiring<'a> {
    config: &'a ExperimentConfig,
    options: &'a RunOptions,
    prepared: &'a Prepared,
    board: &'a StatusBoard,
    transport: &'a Transport,
    writer: &'a Addr<StoreWriter>,
}

/// Starts everything a prepared run needs and its agents; answers the run
/// and where the supervisor will say that its work is over.
pub(super) async fn start(
    config: &ExperimentConfig,
    options: &RunOptions,
    prepared: Prepared,
    progress: &mut impl FnMut(RunProgress),
) -> Result<(LiveRun, oneshot::Receiver<SupervisionOutcome>), RunError> {
    let (store, writer) = open_store(&options.data_dir, &prepared.store_path).await?;
    store.keep_latest(config.store.keep_checkpoints);
    let (broker_url, broker_guard) = start_broker(
        prepared.broker.clone(),
        config.broker.max_packet_size,
        progress,
    )?;
    let name = config.run_name();
    let run_id = match &options.resume {
        Some(run) => run.clone(),
        None => new_run_id(&name),
    };
    let board = StatusBoard::new(&run_id, &config.run.namespace);
    let transport = connect(config, &board, &broker_url).await?;
    let claims = Arc::new(Claims::new(&run_id, &board.host));
    claim_names(&prepared, options, &transport, &claims).await?;
    let wiring = Wiring {
        config,
        options,
        prepared: &prepared,
        board: &board,
        transport: &transport,
        writer: &writer,
    };
    let earlier = record_start(&wiring, &store, &broker_url).await?;
    board.host(&transport, "online");
    let telemetry = start_telemetry(&wiring, &earlier);
    let run_switch = Arc::new(RunSwitch::default());
    let context = run_context(&wiring, &telemetry, &run_switch, claims);
    announce(
        &telemetry,
        &board,
        &name,
        &broker_url,
        prepared.specs.len(),
        progress,
    );
    let (supervisor, outcome, control, control_subscribed) =
        supervise(config, options, context, prepared.specs, &board);
    if let Err(error) = control_subscribed
        .acknowledged(CONTROL_SUBSCRIBE_WITHIN)
        .await
    {
        tracing::warn!(%error, "control topic not subscribed: commands may go unheard");
    }
    board.run(&transport, RunStatus::Running, None);
    let live = LiveRun {
        name,
        board,
        transport,
        broker_url,
        broker_guard,
        store_path: prepared.store_path,
        writer,
        telemetry,
        supervisor,
        run_switch,
        earlier,
        _control: control,
    };
    Ok((live, outcome))
}

/// Says that the run started: in telemetry and to the caller.
fn announce(
    telemetry: &Telemetry,
    board: &StatusBoard,
    name: &str,
    broker_url: &BrokerUrl,
    agents: usize,
    progress: &mut impl FnMut(RunProgress),
) {
    let broker = broker_url.to_string();
    telemetry.lifecycle(
        LifecycleEvent::new(LifecycleKind::RunStarted, &board.run_id).detail(
            serde_json::json!({"name": name, "agents": agents, "broker": broker, "host": board.host}),
        ),
    );
    progress(RunProgress::Started {
        run_id: board.run_id.clone(),
        broker,
        agents,
    });
}

/// Claims the run's agent names on an external broker (a broker this run
/// started itself holds nobody else's names).
async fn claim_names(
    prepared: &Prepared,
    options: &RunOptions,
    transport: &Transport,
    claims: &Arc<Claims>,
) -> Result<(), RunError> {
    if !matches!(prepared.broker, BrokerChoice::External(_)) {
        return Ok(());
    }
    let names: Vec<String> = prepared.specs.iter().map(|s| s.name.clone()).collect();
    super::claims::claim(transport, claims, &names, options.take_over).await
}

/// Opens the store, notes it in the data dir's index and marks the runs of
/// dead processes on this host crashed.
async fn open_store(
    data_dir: &std::path::Path,
    path: &std::path::Path,
) -> Result<(Store, Addr<StoreWriter>), RunError> {
    let store = Store::open(path)?;
    if let Err(error) = RunLocator::new(data_dir).index().remember(path) {
        // The run itself is unaffected; only finding it by id later is.
        tracing::warn!(%error, "store not recorded in the data dir's index");
    }
    let writer = StoreWriter::start(store.clone());
    let crashed = ask(
        &writer,
        MarkCrashed {
            host: crate::host_name(),
            alive: crate::agora_process_alive,
        },
    )
    .await??;
    for run in crashed {
        tracing::warn!(%run, "run marked crashed: its process is gone (agora resume {run})");
    }
    Ok((store, writer))
}

/// Sends the writer a request and waits for its answer.
pub(super) async fn ask<M>(writer: &Addr<StoreWriter>, request: M) -> Result<M::Result, StoreError>
where
    M: actix::Message + Send + 'static,
    M::Result: Send,
    StoreWriter: actix::Handler<M>,
{
    writer
        .send(request)
        .await
        .map_err(|_| StoreError::WriterGone)
}

async fn connect(
    config: &ExperimentConfig,
    board: &StatusBoard,
    broker_url: &BrokerUrl,
) -> Result<Transport, RunError> {
    let mut options = TransportOptions::new(
        broker_url.clone(),
        format!("agora-{}-{}", board.host, board.run_id),
        config.run.namespace.clone(),
    );
    options.connect_timeout = config.broker.connect_timeout;
    options.outbox_capacity = config.broker.outbox_capacity;
    options.max_packet_size = config.broker.max_packet_size;
    options.last_will = Some((board.host_topic(), board.host_payload("offline")));
    Ok(Transport::connect(options).await?)
}

/// Records the run as running (a new record, or a resumed one brought
/// back); answers the digest of its earlier sessions.
async fn record_start(
    wiring: &Wiring<'_>,
    store: &Store,
    broker_url: &BrokerUrl,
) -> Result<RunDigest, RunError> {
    let Wiring {
        config,
        options,
        prepared,
        board,
        writer,
        ..
    } = *wiring;
    let broker = broker_url.to_string();
    if let Some(run) = &options.resume {
        ask(
            writer,
            UpdateRun {
                run: run.clone(),
                change: Box::new(move |r| {
                    r.status = RunStatus::Running;
                    r.ended_at = None;
                    r.reason = None;
                    r.host = crate::host_name();
                    r.pid = std::process::id();
                    r.broker = Some(broker);
                }),
            },
        )
        .await??;
        return Ok(store.run(run)?.map(|r| r.digest).unwrap_or_default());
    }
    let mut record = RunRecord::started(&board.run_id, config.run_name(), &config.text);
    record.config_path = Some(config.source.display().to_string());
    record.broker = Some(broker);
    record.namespace = Some(config.run.namespace.clone());
    record.digest = prepared.digest(&RunDigest::default());
    ask(writer, PutRun(record)).await??;
    Ok(RunDigest::default())
}

fn start_telemetry(wiring: &Wiring<'_>, earlier: &RunDigest) -> Telemetry {
    let run_folder = run_folder(wiring);
    let sinks = Sinks {
        transport: Some(wiring.transport.clone()),
        mqtt_events: wiring.config.telemetry.mqtt,
        events_file: wiring
            .config
            .telemetry
            .jsonl
            .then(|| run_folder.join("events.jsonl")),
        curves_in: wiring.config.telemetry.jsonl.then(|| run_folder.clone()),
        tensorboard_dir: wiring
            .config
            .telemetry
            .tensorboard
            .then(|| run_folder.join("tensorboard")),
        store: Some(wiring.writer.clone()),
        digest: wiring.prepared.digest(earlier),
    };
    Telemetry::start(wiring.board.run_id.clone(), sinks)
}

/// What every agent of the run receives from it.
fn run_context(
    wiring: &Wiring<'_>,
    telemetry: &Telemetry,
    run_switch: &Arc<RunSwitch>,
    claims: Arc<Claims>,
) -> Arc<RunContext> {
    Arc::new(RunContext {
        run_id: wiring.board.run_id.clone(),
        transport: wiring.transport.clone(),
        encoding: wiring.config.run.encoding,
        batch: wiring.config.run.batch,
        store: wiring.writer.clone(),
        telemetry: telemetry.clone(),
        ready: Arc::default(),
        run_switch: run_switch.clone(),
        claims,
        agent_names: Arc::new(
            wiring
                .prepared
                .specs
                .iter()
                .map(|s| s.name.clone())
                .collect(),
        ),
        console: wiring.options.console.clone(),
        extensions: extensions(wiring),
        telemetry_enabled: wiring.options.telemetry,
        metrics_interval: Duration::from_secs_f64(1.0 / wiring.config.telemetry.metrics_hz),
        stream_episodes: wiring.config.telemetry.mqtt,
    })
}

/// What the run hands its agents beyond the kernel's context.
fn extensions(wiring: &Wiring<'_>) -> Extensions {
    let mut extensions = Extensions::default();
    if let Some(sink) = &wiring.options.progress {
        extensions.insert(sink.clone());
    }
    let telemetry = &wiring.config.telemetry;
    // Fast mode records nothing (see learn::Recorder).
    if wiring.options.telemetry && telemetry.record_episodes != RecordEpisodes::Off {
        extensions.insert(RecordSettings {
            run_folder: run_folder(wiring),
            keep: telemetry.record_episodes,
            max_bytes: telemetry.record_max_mb * 1024 * 1024,
        });
    }
    extensions
}

/// The run's folder in the data dir: events, TensorBoard, kept episodes.
fn run_folder(wiring: &Wiring<'_>) -> PathBuf {
    wiring
        .options
        .data_dir
        .join("runs")
        .join(&wiring.board.run_id)
}

fn supervise(
    config: &ExperimentConfig,
    options: &RunOptions,
    context: Arc<RunContext>,
    specs: Vec<crate::supervisor::ChildSpec>,
    board: &StatusBoard,
) -> (
    Addr<Supervisor>,
    oneshot::Receiver<SupervisionOutcome>,
    Addr<crate::control::RunControl>,
    crate::transport::SubscribeTicket,
) {
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
    let supervisor = Supervisor::new(context.clone(), specs, settings, outcome_tx).start();
    let control =
        crate::control::RunControl::new(context.clone(), supervisor.clone(), board.host.clone())
            .start();
    let control_subscribed = crate::control::subscribe_control(&context, &control);
    (supervisor, outcome_rx, control, control_subscribed)
}

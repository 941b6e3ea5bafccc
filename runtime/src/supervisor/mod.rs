//! Supervision, OTP style, on top of actix (whose own `Supervisor` never
//! gives up and reuses a half-updated struct): child specs, restart
//! policies, strategies, restart intensity, ordered shutdown.

mod intensity;
mod policy;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use serde::Serialize;
use tokio::sync::oneshot;

pub use crate::agent::{ChildExit, ChildExited, Link};
pub use intensity::RestartWindow;
pub use policy::{OnAgentFailure, RestartPolicy, Strategy};

use crate::agent::{AgentControl, ControlRefused};
use crate::agent::{
    AgentFactory, AgentMailbox, AgentStats, AgentStatsSnapshot, ChildHandle, Launch, RunContext,
    StopAgent,
};
use crate::store::LoadLatestCheckpoint;
use crate::telemetry::{LifecycleEvent, LifecycleKind};
use crate::transport::QoS;

/// How to start and restart one agent.
#[derive(Clone)]
pub struct ChildSpec {
    /// Agent name (unique in the run).
    pub name: String,
    /// Builds a fresh agent for every start.
    pub factory: Arc<dyn AgentFactory>,
    /// When to restart it.
    pub restart: RestartPolicy,
    /// A service runs until the others are done; the run does not wait for it.
    pub service: bool,
    /// Mailbox capacity of its actor.
    pub mailbox: usize,
    /// Override of the supervisor's restart intensity.
    pub max_restarts: Option<u32>,
}

impl std::fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildSpec")
            .field("name", &self.name)
            .field("restart", &self.restart)
            .field("service", &self.service)
            .finish()
    }
}

/// Supervisor-wide settings.
#[derive(Debug, Clone)]
pub struct SupervisorSettings {
    /// Which siblings restart with a failed child.
    pub strategy: Strategy,
    /// Restarts allowed per child within `within`.
    pub max_restarts: u32,
    /// The intensity window.
    pub within: Duration,
    /// How long each child gets to stop at shutdown.
    pub shutdown_timeout: Duration,
    /// What a failed child does to the run.
    pub on_agent_failure: OnAgentFailure,
    /// How long to wait for the broker to acknowledge the inbox subscriptions.
    pub subscribe_timeout: Duration,
    /// Start every agent from its latest checkpoint (resuming a run).
    pub resume: bool,
}

impl Default for SupervisorSettings {
    fn default() -> Self {
        Self {
            strategy: Strategy::OneForOne,
            max_restarts: 3,
            within: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(5),
            on_agent_failure: OnAgentFailure::Continue,
            subscribe_timeout: Duration::from_secs(10),
            resume: false,
        }
    }
}

/// How the supervised work ended by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupervisionOutcome {
    /// Every non-service agent finished (normally or failed with the run
    /// set to continue).
    AllTasksDone,
    /// An agent failed and the run is set to fail with it.
    AgentFailed {
        /// The agent.
        agent: String,
        /// Why it was given up on.
        reason: String,
    },
    /// The inbox subscriptions were not acknowledged in time.
    NotReady(String),
}

/// State of one child, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum ChildState {
    /// Waiting for its first start.
    Waiting,
    /// Running.
    Running,
    /// Being restarted.
    Restarting,
    /// Ended normally.
    Stopped(String),
    /// Given up on.
    Failed(String),
}

impl ChildState {
    fn is_final(&self) -> bool {
        matches!(self, ChildState::Stopped(_) | ChildState::Failed(_))
    }
}

/// One child in a [`SupervisorReport`].
#[derive(Debug, Clone, Serialize)]
pub struct ChildReport {
    /// Agent name.
    pub name: String,
    /// Current state.
    #[serde(flatten)]
    pub state: ChildState,
    /// Restarts so far.
    pub restarts: u64,
    /// Message counters over all its incarnations.
    pub stats: AgentStatsSnapshot,
}

/// Every child's state and counters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SupervisorReport {
    /// Children in start order.
    pub children: Vec<ChildReport>,
    /// From the supervisor's creation (broker, store and connection already
    /// up) until every agent had subscribed its inbox and run its setup.
    pub startup: Option<Duration>,
}

struct Child {
    spec: ChildSpec,
    mailbox: Arc<AgentMailbox>,
    stats: Arc<AgentStats>,
    state: ChildState,
    running: Option<ChildHandle>,
    incarnation: u64,
    restarts: u64,
    window: RestartWindow,
    restart_with_sibling: bool,
}

/// The supervisor of one host process's agents.
pub struct Supervisor {
    env: Arc<RunContext>,
    settings: SupervisorSettings,
    children: Vec<Child>,
    by_name: HashMap<String, usize>,
    outcome: Option<oneshot::Sender<SupervisionOutcome>>,
    shutting_down: bool,
    exit_waiters: HashMap<String, oneshot::Sender<()>>,
    created: Instant,
    startup: Option<Duration>,
}

/// Stops every child in reverse start order; answers when all have ended.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Shutdown {
    /// Why, passed to each child.
    pub reason: String,
}

/// Asks for a [`SupervisorReport`].
#[derive(Debug, Message)]
#[rtype(result = "SupervisorReport")]
pub struct Report;

impl Supervisor {
    /// A supervisor for `specs`, started in order once their inboxes are
    /// subscribed. `outcome` hears when the supervised work ends by itself.
    pub fn new(
        env: Arc<RunContext>,
        specs: Vec<ChildSpec>,
        settings: SupervisorSettings,
        outcome: oneshot::Sender<SupervisionOutcome>,
    ) -> Self {
        let mut by_name = HashMap::with_capacity(specs.len());
        let children = specs
            .into_iter()
            .enumerate()
            .map(|(index, spec)| {
                by_name.insert(spec.name.clone(), index);
                let stats = Arc::new(AgentStats::default());
                let max_restarts = spec.max_restarts.unwrap_or(settings.max_restarts);
                Child {
                    mailbox: Arc::new(AgentMailbox::new(spec.mailbox, stats.clone())),
                    stats,
                    window: RestartWindow::new(max_restarts, settings.within),
                    spec,
                    state: ChildState::Waiting,
                    running: None,
                    incarnation: 0,
                    restarts: 0,
                    restart_with_sibling: false,
                }
            })
            .collect();
        Self {
            env,
            settings,
            children,
            by_name,
            outcome: Some(outcome),
            shutting_down: false,
            exit_waiters: HashMap::new(),
            created: Instant::now(),
            startup: None,
        }
    }

    fn emit(&self, kind: LifecycleKind, agent: &str, detail: serde_json::Value) {
        self.env.telemetry.lifecycle(
            LifecycleEvent::new(kind, &self.env.run_id)
                .agent(agent)
                .detail(detail),
        );
    }

    fn launch(
        &mut self,
        ctx: &mut Context<Self>,
        index: usize,
        checkpoint: Option<crate::store::Checkpoint>,
    ) {
        let child = &mut self.children[index];
        child.incarnation += 1;
        child.state = ChildState::Running;
        let launch = Launch {
            name: child.spec.name.clone(),
            incarnation: child.incarnation,
            checkpoint,
            env: self.env.clone(),
            mailbox: child.mailbox.clone(),
            stats: child.stats.clone(),
            link: Link::new(
                ctx.address().recipient(),
                child.spec.name.clone(),
                child.incarnation,
            ),
        };
        match child.spec.factory.launch(launch) {
            Ok(handle) => child.running = Some(handle),
            // The launch's link has already told us; ChildExited follows.
            Err(error) => tracing::warn!(agent = %child.spec.name, %error, "agent did not start"),
        }
    }

    /// Loads the child's last checkpoint through the store writer (so every
    /// save it queued before failing is committed first), then starts it.
    fn restart(&mut self, ctx: &mut Context<Self>, index: usize, why: String) {
        let child = &mut self.children[index];
        child.state = ChildState::Restarting;
        child.restarts += 1;
        self.launch_from_checkpoint(ctx, index, LifecycleKind::AgentRestarted, why);
    }

    /// Loads the child's latest checkpoint through the store writer (so
    /// every save queued before is committed first), starts the child with
    /// it, and emits `event`.
    fn launch_from_checkpoint(
        &mut self,
        ctx: &mut Context<Self>,
        index: usize,
        event: LifecycleKind,
        why: String,
    ) {
        let load = self.env.store.send(LoadLatestCheckpoint {
            run: self.env.run_id.clone(),
            agent: self.children[index].spec.name.clone(),
        });
        ctx.spawn(load.into_actor(self).map(move |loaded, supervisor, ctx| {
            if supervisor.shutting_down {
                let child = &mut supervisor.children[index];
                child.state = ChildState::Stopped("shut down while starting".into());
                return;
            }
            let name = supervisor.children[index].spec.name.clone();
            let checkpoint = match loaded {
                Ok(Ok(checkpoint)) => checkpoint,
                Ok(Err(error)) => {
                    tracing::error!(agent = %name, %error, "starting without checkpoint");
                    None
                }
                Err(error) => {
                    tracing::error!(agent = %name, %error, "store writer unreachable; starting without checkpoint");
                    None
                }
            };
            let sequence = checkpoint.as_ref().map(|c| c.meta.sequence);
            // Announced before the launch, as at first start.
            let incarnation = supervisor.children[index].incarnation + 1;
            supervisor.emit(
                event,
                &name,
                serde_json::json!({"incarnation": incarnation, "reason": why, "from_checkpoint": sequence}),
            );
            supervisor.launch(ctx, index, checkpoint);
        }));
    }

    fn give_up(&mut self, index: usize, reason: String) {
        let child = &mut self.children[index];
        child.state = ChildState::Failed(reason.clone());
        child.running = None;
        let name = child.spec.name.clone();
        self.emit(
            LifecycleKind::AgentFailed,
            &name,
            serde_json::json!({"reason": reason}),
        );
        if self.settings.on_agent_failure == OnAgentFailure::FailRun
            && let Some(outcome) = self.outcome.take()
        {
            let _ = outcome.send(SupervisionOutcome::AgentFailed {
                agent: name,
                reason,
            });
        }
    }

    fn check_completion(&mut self) {
        if self.shutting_down || self.outcome.is_none() {
            return;
        }
        let mut tasks = self.children.iter().filter(|c| !c.spec.service).peekable();
        if tasks.peek().is_none() {
            return; // only services: the run goes on until stopped
        }
        if tasks.all(|c| c.state.is_final())
            && let Some(outcome) = self.outcome.take()
        {
            let _ = outcome.send(SupervisionOutcome::AllTasksDone);
        }
    }

    /// Siblings that restart with `index` under the strategy.
    fn siblings_to_restart(&self, index: usize) -> Vec<usize> {
        let running = |j: &usize| *j != index && self.children[*j].running.is_some();
        match self.settings.strategy {
            Strategy::OneForOne => Vec::new(),
            Strategy::OneForAll => (0..self.children.len()).filter(running).collect(),
            Strategy::RestForOne => (index + 1..self.children.len()).filter(running).collect(),
        }
    }
}

impl Actor for Supervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Agents may only start once every inbox is subscribed: a request to
        // an agent whose subscription the broker has not yet processed would
        // be dropped by the broker.
        let transport = self.env.transport.clone();
        let tickets: Vec<_> = self
            .children
            .iter()
            .map(|child| {
                transport.subscribe(
                    transport.topics().inbox(&child.spec.name),
                    QoS::AtLeastOnce,
                    child.mailbox.clone(),
                )
            })
            .collect();
        let timeout = self.settings.subscribe_timeout;
        let subscribed = async move {
            for ticket in tickets {
                ticket.acknowledged(timeout).await?;
            }
            Ok::<(), crate::transport::SubscribeTimeout>(())
        };
        ctx.wait(
            subscribed
                .into_actor(self)
                .map(|subscribed, supervisor, ctx| {
                    if let Err(error) = subscribed {
                        if let Some(outcome) = supervisor.outcome.take() {
                            let _ = outcome.send(SupervisionOutcome::NotReady(format!(
                                "agent inboxes: {error}"
                            )));
                        }
                        return;
                    }
                    for index in 0..supervisor.children.len() {
                        if supervisor.settings.resume {
                            supervisor.launch_from_checkpoint(
                                ctx,
                                index,
                                LifecycleKind::AgentStarted,
                                "resumed".into(),
                            );
                            continue;
                        }
                        // Announced before the launch: an agent on its own
                        // arbiter may report (or even stop) before this
                        // actor gets to run again.
                        let name = supervisor.children[index].spec.name.clone();
                        supervisor.emit(
                            LifecycleKind::AgentStarted,
                            &name,
                            serde_json::json!({"incarnation": 1}),
                        );
                        supervisor.launch(ctx, index, None);
                    }
                    let ready = supervisor.env.ready.clone();
                    let all = supervisor.children.len();
                    let all_set_up = async move { ready.reached(all).await };
                    ctx.spawn(all_set_up.into_actor(supervisor).map(|(), supervisor, _| {
                        supervisor.startup = Some(supervisor.created.elapsed());
                    }));
                }),
        );
    }
}

impl Handler<ChildExited> for Supervisor {
    type Result = ();

    fn handle(&mut self, exited: ChildExited, ctx: &mut Self::Context) {
        let Some(&index) = self.by_name.get(&exited.name) else {
            return;
        };
        if exited.incarnation != self.children[index].incarnation {
            return; // an older incarnation; already handled
        }
        let child = &mut self.children[index];
        child.running = None;
        if let Some(waiter) = self.exit_waiters.remove(&exited.name) {
            let _ = waiter.send(());
        }
        let failed = exited.exit.is_failure();
        let description = exited.exit.describe();

        if self.shutting_down {
            let child = &mut self.children[index];
            child.state = if failed {
                ChildState::Failed(description.clone())
            } else {
                ChildState::Stopped(description.clone())
            };
            let kind = if failed {
                LifecycleKind::AgentFailed
            } else {
                LifecycleKind::AgentStopped
            };
            self.emit(
                kind,
                &exited.name,
                serde_json::json!({"reason": description}),
            );
            return;
        }
        if std::mem::take(&mut self.children[index].restart_with_sibling) {
            return self.restart(ctx, index, "restarted with a sibling".into());
        }
        if self.children[index].spec.restart.restarts(failed) {
            if self.children[index].window.try_restart(Instant::now()) {
                for sibling in self.siblings_to_restart(index) {
                    let child = &mut self.children[sibling];
                    child.restart_with_sibling = true;
                    if let Some(running) = &child.running {
                        // Control messages must not be refused by a busy
                        // mailbox; there is one per sibling.
                        running.stop.do_send(StopAgent {
                            reason: format!("restarting with {}", exited.name),
                        });
                    }
                }
                return self.restart(ctx, index, description);
            }
            let limit = self.children[index]
                .spec
                .max_restarts
                .unwrap_or(self.settings.max_restarts);
            let reason = format!(
                "restart intensity exceeded ({limit} restarts within {:?}); last exit: {description}",
                self.settings.within
            );
            self.give_up(index, reason);
        } else if failed {
            self.give_up(index, description);
        } else {
            self.children[index].state = ChildState::Stopped(description.clone());
            self.emit(
                LifecycleKind::AgentStopped,
                &exited.name,
                serde_json::json!({"reason": description}),
            );
        }
        self.check_completion();
    }
}

impl Handler<Shutdown> for Supervisor {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, shutdown: Shutdown, _: &mut Self::Context) -> Self::Result {
        self.shutting_down = true;
        let deadline = self.settings.shutdown_timeout;
        let mut order = Vec::new();
        for child in self.children.iter().rev() {
            if let Some(running) = &child.running {
                let (tx, rx) = oneshot::channel();
                self.exit_waiters.insert(child.spec.name.clone(), tx);
                order.push((child.spec.name.clone(), running.clone(), rx));
            }
        }
        let reason = shutdown.reason;
        // Stop requests go out in reverse start order, but the next one does
        // not wait for the previous agent to finish: waiting one by one made
        // every final checkpoint its own fsync'd transaction (10,000 agents
        // took minutes on a large store); overlapping, the store writer
        // commits them together. Every agent still gets the full deadline.
        for (_, running, _) in &order {
            running.stop.do_send(StopAgent {
                reason: reason.clone(),
            });
        }
        Box::pin(
            async move {
                let waits = order.into_iter().map(|(name, _, exited)| async move {
                    if tokio::time::timeout(deadline, exited).await.is_err() {
                        tracing::warn!(agent = %name, "did not stop within {deadline:?}; moving on");
                    }
                });
                futures::future::join_all(waits).await;
            }
            .into_actor(self),
        )
    }
}

impl Handler<Report> for Supervisor {
    type Result = MessageResult<Report>;

    fn handle(&mut self, _: Report, _: &mut Self::Context) -> Self::Result {
        MessageResult(SupervisorReport {
            children: self
                .children
                .iter()
                .map(|c| ChildReport {
                    name: c.spec.name.clone(),
                    state: c.state.clone(),
                    restarts: c.restarts,
                    stats: c.stats.snapshot(),
                })
                .collect(),
            startup: self.startup,
        })
    }
}

/// Carries a control command to every running agent; answers once all have
/// (the first refusal, if any).
#[derive(Debug, Message)]
#[rtype(result = "Result<(), AgentRefused>")]
pub struct Broadcast(pub AgentControl);

/// The agent that refused a [`Broadcast`] command, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{agent}: {refusal}")]
pub struct AgentRefused {
    /// The agent's name.
    pub agent: String,
    /// What it answered (already part of the message).
    pub refusal: ControlRefused,
}

impl Handler<Broadcast> for Supervisor {
    type Result = ResponseFuture<Result<(), AgentRefused>>;

    fn handle(&mut self, Broadcast(order): Broadcast, _: &mut Self::Context) -> Self::Result {
        let requests: Vec<_> = self
            .children
            .iter()
            .filter_map(|c| {
                c.running
                    .as_ref()
                    .map(|h| (c.spec.name.clone(), h.control.send(order.clone())))
            })
            .collect();
        Box::pin(async move {
            let mut first_error = None;
            for (agent, request) in requests {
                match request.await {
                    Ok(Ok(())) => {}
                    Ok(Err(refusal)) => {
                        first_error.get_or_insert(AgentRefused { agent, refusal });
                    }
                    // Ended meanwhile: nothing to control.
                    Err(_) => {}
                }
            }
            first_error.map_or(Ok(()), Err)
        })
    }
}

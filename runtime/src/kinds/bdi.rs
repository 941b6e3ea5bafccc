//! `bdi`: an AgentSpeak agent (the `agora-bdi` engine) hosted in an actor.
//!
//! Envelopes become the messages Jason would receive (`tell`, `achieve`,
//! `askOne`, …; FIPA `inform` is read as `tell` and `request` as `achieve`,
//! as SPADE-BDI does). `.send` / `.broadcast` become envelopes with the
//! term's AgentSpeak text as content and `language = "AgentSpeak"`. The
//! engine runs until it is idle after each message, then sleeps until its
//! next deadline (`.wait`, ask timeouts): an idle agent has no timer and
//! uses no CPU.
//!
//! Each agent runs under its engine's resource limits (`limits` in the
//! entry, see `bdi_kind`): a busy agent runs at most `cycles_per_slice`
//! cycles per turn, then yields the thread; a limit hit is logged the first
//! time per limit and counted, and the counts go out as the agent's report
//! (`{"kind": "bdi", "limit_hits": {..}}`) when they change.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_bdi::{ActionRegistry, AgentBuilder, Limit, LimitCounts, Performative as Force, Report};

use super::bdi_env::SharedEnvState;
use crate::agent::{Agent, AgentContext, AgentError, Behaviour, Behaviours, Next, Template};
use crate::transport::{Envelope, Performative, QoS};

/// Default cycles per slice of an agent in a shared world: short turns
/// interleave the agents' actions, so no miner runs a thousand moves while
/// the others wait. (Other agents default to the engine's
/// `Limits::DEFAULT_CYCLES_PER_SLICE`, 10,000: a program that loops forever
/// still lets the rest of the process run.)
pub const WORLD_CYCLES_PER_SLICE: u64 = 32;

/// How often, at most, a busy agent whose limit counts keep changing
/// reports them again (a new kind of hit, or an idle agent, reports at
/// once).
const LIMIT_REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// What a `bdi` agent is made of.
#[derive(Clone)]
pub struct BdiSettings {
    /// The program text.
    pub source: Arc<str>,
    /// Where it came from, for error messages.
    pub file: String,
    /// Beliefs added before the first cycle (AgentSpeak text).
    pub beliefs: Vec<String>,
    /// Seed of the agent's random numbers.
    pub seed: u64,
    /// Custom actions and functions.
    pub actions: ActionRegistry,
    /// Publish beliefs and intentions after every turn.
    pub telemetry: bool,
    /// An environment and a Q-table, reached through custom actions.
    pub env: Option<super::bdi_env::BdiEnvSettings>,
    /// A world shared with other agents, and this agent's place in it.
    pub world: Option<super::bdi_world::WorldSeat>,
    /// The engine's resource limits, cycles per slice included.
    pub limits: agora_bdi::Limits,
}
impl std::fmt::Debug for BdiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BdiSettings")
            .field("file", &self.file)
            .field("seed", &self.seed)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl BdiSettings {
    /// Loads the engine for agent `name`, with the initial beliefs.
    ///
    /// # Errors
    ///
    /// Parse errors (file, line, column, what was expected), unknown
    /// actions, or an initial belief that is not a term.
    pub fn build(
        &self,
        name: &str,
    ) -> Result<(agora_bdi::Agent, Option<SharedEnvState>), BdiBuildError> {
        let (actions, env_state) = match &self.env {
            Some(env) => {
                let (actions, state) = env.bind(&self.actions)?;
                (actions, Some(state))
            }
            None => (self.actions.clone(), None),
        };
        let actions = match &self.world {
            Some(seat) => seat.bind(&actions),
            None => actions,
        };
        let mut engine = AgentBuilder::new(name)
            .seed(self.seed)
            .limits(self.limits)
            .actions(actions)
            .load(&self.source, &self.file)?;
        for belief in &self.beliefs {
            let (term, _) =
                agora_bdi::parse_term(belief).map_err(|source| BdiBuildError::Belief {
                    belief: belief.clone(),
                    source,
                })?;
            engine.add_belief(&term);
        }
        Ok((engine, env_state))
    }
}

/// Why a `bdi` agent's engine cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum BdiBuildError {
    /// The program does not parse or names unknown actions.
    #[error(transparent)]
    Program(#[from] agora_bdi::LoadError),
    /// Its env or Q-table cannot be set up.
    #[error(transparent)]
    Env(#[from] super::bdi_env::BdiEnvError),
    /// An initial belief is not a term.
    #[error("initial belief `{belief}`: {source}")]
    Belief {
        /// The belief as written.
        belief: String,
        /// Where the parser stopped.
        source: agora_bdi::ParseError,
    },
}

/// An AgentSpeak agent.
pub struct BdiAgent {
    engine: agora_bdi::Agent,
    env_state: Option<SharedEnvState>,
    world: Option<Perception>,
    telemetry: bool,
    epoch: Instant,
    /// The limit counts last reported, and when.
    limits_reported: LimitCounts,
    limits_reported_at: Option<Instant>,
}

/// A world seat with the buffers its percepts are built in.
struct Perception {
    seat: super::bdi_world::WorldSeat,
    scratch: Vec<agora_agents::env::gold_miners::Percept>,
    percepts: Vec<agora_bdi::Term>,
    /// The world version the percepts were built from.
    seen: Option<u64>,
}

impl Perception {
    /// Jason's perceive step: the world as it is now becomes the agent's
    /// `source(percept)` beliefs.
    fn update(&mut self, engine: &mut agora_bdi::Agent) {
        if self
            .seat
            .percepts(&mut self.seen, &mut self.scratch, &mut self.percepts)
        {
            engine.perceive(&self.percepts);
        }
    }
}

impl BdiAgent {
    /// Builds the agent's engine.
    pub fn new(name: &str, settings: &BdiSettings) -> Result<Self, AgentError> {
        let (engine, env_state) = settings
            .build(name)
            .map_err(|e| AgentError::new(e.to_string()))?;
        Ok(Self {
            engine,
            env_state,
            world: settings.world.clone().map(|seat| Perception {
                seat,
                scratch: Vec::new(),
                percepts: Vec::new(),
                seen: None,
            }),
            telemetry: settings.telemetry,
            epoch: Instant::now(),
            limits_reported: LimitCounts::default(),
            limits_reported_at: None,
        })
    }

    /// The engine, for inspection.
    pub fn engine(&self) -> &agora_bdi::Agent {
        &self.engine
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

impl Agent for BdiAgent {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(Reasoning {
            template: Template::new(),
        });
    }

    /// Beliefs and RNG (the engine's text checkpoint), plus the Q-table
    /// and exploration when the agent learns.
    fn snapshot(&self) -> Result<Option<Vec<u8>>, AgentError> {
        let saved = SavedMind {
            engine: self.engine.checkpoint(),
            learning: self.env_state.as_ref().map(super::bdi_env::save),
        };
        Ok(Some(serde_json::to_vec(&saved)?))
    }

    fn restore(&mut self, checkpoint: &[u8]) -> Result<(), AgentError> {
        let saved: SavedMind = serde_json::from_slice(checkpoint)
            .map_err(|e| AgentError::new(format!("BDI checkpoint does not decode: {e}")))?;
        self.engine
            .restore(&saved.engine)
            .map_err(|e| AgentError::new(e.to_string()))?;
        if let (Some(state), Some(learning)) = (&self.env_state, saved.learning) {
            super::bdi_env::restore(state, learning).map_err(|e| AgentError::new(e.to_string()))?;
        }
        Ok(())
    }
}
/// What a BDI agent's checkpoint holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedMind {
    engine: String,
    learning: Option<super::bdi_env::QProgress>,
}

/// The agent's one behaviour: the reasoning cycle, driven by messages and
/// by the engine's own deadlines.
struct Reasoning {
    template: Template,
}

/// The AgentSpeak force an envelope carries, if it carries one.
fn force_of(performative: Performative) -> Option<Force> {
    Some(match performative {
        Performative::Tell | Performative::Inform => Force::Tell,
        Performative::Untell => Force::Untell,
        Performative::Achieve | Performative::Request => Force::Achieve,
        Performative::Unachieve => Force::Unachieve,
        Performative::AskOne => Force::AskOne,
        Performative::AskAll => Force::AskAll,
        Performative::TellHow => Force::TellHow,
        Performative::UntellHow => Force::UntellHow,
        _ => return None,
    })
}

fn performative_of(force: Force) -> Performative {
    match force {
        Force::Tell => Performative::Tell,
        Force::Untell => Performative::Untell,
        Force::Achieve => Performative::Achieve,
        Force::Unachieve => Performative::Unachieve,
        Force::AskOne => Performative::AskOne,
        Force::AskAll => Performative::AskAll,
        Force::TellHow => Performative::TellHow,
        Force::UntellHow => Performative::UntellHow,
    }
}

/// AgentSpeak text of an envelope's content: strings as they are, numbers
/// and booleans written out; anything else is not a term.
fn content_text(content: &serde_json::Value) -> Option<String> {
    match content {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Reasoning {
    /// Runs the engine for one slice (until it is idle, or its cycles per
    /// slice are spent), delivers what it produced, and says when to come
    /// back.
    fn turn(
        &mut self,
        agent: &mut BdiAgent,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let now = agent.now_ms();
        match &mut agent.world {
            Some(world) => {
                for _ in 0..agent.engine.limits().cycles_per_slice {
                    world.update(&mut agent.engine);
                    if agent.engine.is_stopped() || agent.engine.is_idle() {
                        break;
                    }
                    agent.engine.step(now);
                }
            }
            None => {
                agent.engine.run_slice(now);
            }
        }
        for line in agent.engine.take_prints() {
            ctx.print(&line);
        }
        send_outbox(agent, ctx)?;
        log_reports(agent, ctx);
        report_limits(agent, ctx);
        if agent.telemetry {
            publish_mind(agent, ctx);
        }
        publish_world(agent, ctx);
        if agent.engine.is_stopped() {
            ctx.stop_run(format!(".stopMAS by {}", ctx.name()));
            return Ok(Next::Done);
        }
        if !agent.engine.is_idle() {
            // Yield the thread to the other agents, and come back at once.
            return Ok(Next::Sleep(Duration::ZERO));
        }
        Ok(match agent.engine.next_deadline() {
            Some(at) => Next::Until(agent.epoch + Duration::from_millis(at)),
            None => Next::Idle,
        })
    }
}

/// Sends what `.send` and `.broadcast` produced.
fn send_outbox(agent: &mut BdiAgent, ctx: &mut AgentContext<'_>) -> Result<(), AgentError> {
    for out in agent.engine.take_outbox() {
        let content = serde_json::Value::String(out.content.to_string());
        let receivers: Vec<String> = match out.receiver {
            Some(receiver) => vec![receiver],
            None => ctx
                .agent_names()
                .iter()
                .filter(|n| n.as_str() != ctx.name())
                .cloned()
                .collect(),
        };
        for receiver in receivers {
            let mut envelope = ctx
                .message(&receiver, performative_of(out.performative))
                .with_content(content.clone())
                .with_language("AgentSpeak");
            envelope.reply_with.clone_from(&out.reply_with);
            envelope.in_reply_to.clone_from(&out.in_reply_to);
            ctx.send(envelope)?;
        }
    }
    Ok(())
}

/// Logs what the engine reported: failures nobody handled, context
/// errors, bad messages, and the first hit of each resource limit.
fn log_reports(agent: &mut BdiAgent, ctx: &AgentContext<'_>) {
    for report in agent.engine.take_reports() {
        match &report {
            Report::IntentionDropped { root, reason } => {
                tracing::warn!(agent = ctx.name(), %root, %reason, "plan failed with no failure plan; intention dropped")
            }
            Report::NoApplicablePlan { event } => {
                tracing::warn!(agent = ctx.name(), %event, "no applicable plan")
            }
            Report::ContextError {
                plan,
                line,
                message,
            } => {
                tracing::warn!(agent = ctx.name(), %plan, line, %message, "plan context could not be evaluated")
            }
            Report::BadMessage { sender, message } => {
                tracing::warn!(agent = ctx.name(), %sender, %message, "message could not be handled")
            }
            Report::ResourceLimit { limit, max, detail } => {
                let setting = format!("limits.{}", limit.setting());
                tracing::warn!(
                    agent = ctx.name(),
                    %limit,
                    max,
                    %setting,
                    %detail,
                    "resource limit hit; later hits are only counted (in the agent's report)"
                )
            }
        }
    }
}

/// Reports the limit counts when they changed: at once for a limit hit
/// for the first time or when the agent is idle, otherwise at most every
/// [`LIMIT_REPORT_INTERVAL`] (a run's summary keeps the last report).
fn report_limits(agent: &mut BdiAgent, ctx: &mut AgentContext<'_>) {
    let stats = agent.engine.stats();
    let hits = stats.limit_hits;
    if hits == agent.limits_reported {
        return;
    }
    let new_kind = Limit::ALL
        .iter()
        .any(|&l| hits.get(l) > 0 && agent.limits_reported.get(l) == 0);
    let due = agent
        .limits_reported_at
        .is_none_or(|at| at.elapsed() >= LIMIT_REPORT_INTERVAL);
    if !(new_kind || due || agent.engine.is_idle()) {
        return;
    }
    let counts: serde_json::Map<String, serde_json::Value> = Limit::ALL
        .iter()
        .map(|&l| (l.name().to_string(), hits.get(l).into()))
        .collect();
    ctx.report(serde_json::json!({
        "kind": "bdi",
        "limit_hits": counts,
        "dropped_intentions": stats.dropped_intentions,
        "cycles": stats.cycles,
    }));
    agent.limits_reported = hits;
    agent.limits_reported_at = Some(Instant::now());
}

/// Beliefs and intentions, on the agent's own telemetry topic (QoS 0).
fn publish_mind(agent: &BdiAgent, ctx: &mut AgentContext<'_>) {
    let transport = &ctx.core.env.transport;
    let topic = format!(
        "{}/bdi/{}",
        transport.topics().telemetry(ctx.run_id(), "agents"),
        ctx.name()
    );
    let beliefs: Vec<String> = agent
        .engine
        .beliefs()
        .iter()
        .map(ToString::to_string)
        .collect();
    let payload = serde_json::json!({
        "agent": ctx.name(),
        "at": crate::transport::unix_now(),
        "beliefs": beliefs,
        "intentions": agent.engine.intention_count(),
        "intended_means": agent.engine.intended_means_count(),
    });
    // Telemetry is never worth an error to the agent: a full outbox drops
    // it, counted (`telemetry_dropped`) and logged the first time.
    if let Err(error) = transport.publish(
        topic,
        payload.to_string().into_bytes(),
        QoS::AtMostOnce,
        false,
    ) && ctx.core.stats.telemetry_not_published()
    {
        tracing::warn!(agent = ctx.name(), %error, "beliefs and intentions not published; later drops are only counted");
    }
}

/// The shared world's latest state for viewers, when it is due (see
/// `bdi_world`), on the run's episodes topic (QoS 0); nothing in fast mode
/// or where `[telemetry] mqtt` is off.
fn publish_world(agent: &BdiAgent, ctx: &mut AgentContext<'_>) {
    let Some(world) = &agent.world else {
        return;
    };
    if !(ctx.core.env.telemetry_enabled && ctx.core.env.stream_episodes) {
        return;
    }
    let Some(payload) = world.seat.frame_due(ctx.run_id(), ctx.name()) else {
        return;
    };
    let transport = &ctx.core.env.transport;
    let topic = transport.topics().episodes(ctx.run_id());
    if let Err(error) = transport.publish(topic, payload, QoS::AtMostOnce, false)
        && ctx.core.stats.telemetry_not_published()
    {
        tracing::warn!(agent = ctx.name(), %error, "world frame not published; later drops are only counted");
    }
}

impl Behaviour<BdiAgent> for Reasoning {
    fn name(&self) -> &str {
        "reasoning-cycle"
    }

    fn template(&self) -> Option<&Template> {
        Some(&self.template)
    }

    fn start(
        &mut self,
        agent: &mut BdiAgent,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        self.turn(agent, ctx)
    }

    fn message(
        &mut self,
        agent: &mut BdiAgent,
        message: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let Some(force) = force_of(message.performative) else {
            tracing::debug!(agent = ctx.name(), performative = %message.performative, "no AgentSpeak meaning; ignored");
            return Ok(Next::Unchanged);
        };
        let Some(text) = content_text(&message.content) else {
            ctx.count_malformed();
            tracing::warn!(agent = ctx.name(), sender = %message.sender, content = %message.content, "content is not an AgentSpeak term; dropped");
            return Ok(Next::Unchanged);
        };
        let sender = if message.sender.is_empty() {
            "unknown"
        } else {
            message.sender.as_str()
        };
        // A request without `reply_with` is answered by its `id`, as every
        // other kind answers (`Envelope::reply_token`).
        let reply_with = Some(message.reply_token().to_string());
        if let Err(error) =
            agent
                .engine
                .push_message_text(sender, force, &text, reply_with, message.in_reply_to)
        {
            ctx.count_malformed();
            tracing::warn!(agent = ctx.name(), %sender, %error, "content does not parse as a term; dropped");
            return Ok(Next::Unchanged);
        }
        self.turn(agent, ctx)
    }

    fn timer(
        &mut self,
        agent: &mut BdiAgent,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        self.turn(agent, ctx)
    }
}

//! `contract-net-manager` and `contract-net-worker`: FIPA's Contract Net,
//! the manager written as a finite-state machine.
//!
//! ```text
//!   announce ──▶ collect ──▶ award ──▶ next ──▶ announce …
//!                   │                   ▲
//!                   └── no bids ────────┘
//! ```

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{AgentKind, BuildContext, KindError};
use crate::agent::{
    Agent, AgentContext, AgentError, AgentFactory, Behaviours, Cyclic, Flow, Fsm, FsmState,
    StateStep, Template, agent_factory,
};
use crate::transport::{Envelope, Performative, validate_name};

/// What a manager does: its `[[agents]]` keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManagerSettings {
    /// The workers asked for bids.
    pub workers: Vec<String>,
    /// Name of the task put out to tender.
    pub task: String,
    /// How long to wait for bids, and then for the winner's result.
    #[serde(deserialize_with = "crate::settings::duration::deserialize")]
    pub deadline: Duration,
    /// Tasks awarded one after another.
    pub rounds: u32,
}

impl Default for ManagerSettings {
    fn default() -> Self {
        Self {
            workers: Vec::new(),
            task: "task".into(),
            deadline: Duration::from_secs(1),
            rounds: 1,
        }
    }
}

/// The `contract-net-manager` kind.
pub(super) struct ManagerKind;

impl AgentKind for ManagerKind {
    type Settings = ManagerSettings;

    fn validate(&self, settings: &ManagerSettings) -> Result<(), KindError> {
        if settings.workers.is_empty() {
            return Err(KindError::at(
                "workers",
                "a contract-net manager needs a non-empty `workers` list",
            ));
        }
        for worker in &settings.workers {
            validate_name(worker).map_err(|e| KindError::at("workers", e.to_string()))?;
        }
        Ok(())
    }

    fn factory(
        &self,
        settings: &ManagerSettings,
        _: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        let settings = settings.clone();
        Ok(agent_factory(move || {
            Ok(ContractNetManager::new(settings.clone()))
        }))
    }
}

/// A worker's `[[agents]]` keys.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSettings {
    /// The bid; lower wins. Default: a stable value derived from the name.
    #[serde(default)]
    pub cost: Option<f64>,
    /// Answer calls for proposals with `refuse`.
    #[serde(default)]
    pub refuse: bool,
}

/// The `contract-net-worker` kind; it serves until the others are done.
pub(super) struct WorkerKind;

impl AgentKind for WorkerKind {
    type Settings = WorkerSettings;

    fn serves_by_default(&self) -> bool {
        true
    }

    fn validate(&self, settings: &WorkerSettings) -> Result<(), KindError> {
        match settings.cost {
            Some(cost) if !cost.is_finite() => {
                Err(KindError::at("cost", "must be a finite number"))
            }
            _ => Ok(()),
        }
    }

    fn factory(
        &self,
        settings: &WorkerSettings,
        build: &mut BuildContext,
    ) -> Result<Arc<dyn AgentFactory>, KindError> {
        let cost = settings
            .cost
            .unwrap_or_else(|| ContractNetWorker::default_cost(&build.name));
        let refuse = settings.refuse;
        Ok(agent_factory(move || {
            Ok(ContractNetWorker::new(cost, refuse))
        }))
    }
}

/// One finished round, as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundResult {
    /// 0-based round number.
    pub round: u32,
    /// (worker, bid) of every proposal.
    pub bids: Vec<(String, f64)>,
    /// Workers that refused.
    pub refused: Vec<String>,
    /// The lowest bidder, if anyone bid.
    pub winner: Option<String>,
    /// Its bid.
    pub winning_bid: Option<f64>,
    /// What the winner answered (`performative`, `content`).
    pub result: Option<serde_json::Value>,
}

/// What a manager reports when its rounds are over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractNetReport {
    /// The task put out to tender.
    pub task: String,
    /// Every round, in order.
    pub rounds: Vec<RoundResult>,
    /// Rounds that were awarded.
    pub awarded: usize,
}

/// Progress that survives a restart.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ManagerProgress {
    round: u32,
    finished: Vec<RoundResult>,
}

/// Calls for proposals, awards each task to the lowest bid and waits for
/// the result, `rounds` times.
#[derive(Debug)]
pub struct ContractNetManager {
    settings: ManagerSettings,
    progress: ManagerProgress,
    current: Option<RoundResult>,
    conversation: String,
}

impl ContractNetManager {
    /// A manager with these settings.
    pub fn new(settings: ManagerSettings) -> Self {
        Self {
            settings,
            progress: ManagerProgress::default(),
            current: None,
            conversation: String::new(),
        }
    }

    fn round(&mut self) -> Result<&mut RoundResult, AgentError> {
        self.current
            .as_mut()
            .ok_or_else(|| AgentError::new("contract net: no round in progress"))
    }
}

impl Agent for ContractNetManager {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        let machine = Fsm::builder("contract-net")
            .state("announce", Announce)
            .state(
                "collect",
                Collect {
                    template: Template::new()
                        .performative(Performative::Propose)
                        .or(Template::new().performative(Performative::Refuse)),
                },
            )
            .state(
                "award",
                Award {
                    template: Template::new()
                        .performative(Performative::Inform)
                        .or(Template::new().performative(Performative::Failure)),
                },
            )
            .state("next", NextRound)
            .transition("announce", "collect")
            .transition("collect", "award")
            .transition("collect", "next")
            .transition("award", "next")
            .transition("next", "announce")
            .initial("next")
            .build();
        match machine {
            Ok(machine) => {
                behaviours.add(machine);
            }
            Err(error) => tracing::error!(%error, "contract-net machine is malformed"),
        }
    }

    fn snapshot(&self) -> Result<Option<Vec<u8>>, AgentError> {
        Ok(Some(serde_json::to_vec(&self.progress)?))
    }

    fn restore(&mut self, checkpoint: &[u8]) -> Result<(), AgentError> {
        self.progress = serde_json::from_slice(checkpoint)?;
        Ok(())
    }
}

/// Sends the call for proposals to every worker.
struct Announce;

impl FsmState<ContractNetManager> for Announce {
    fn enter(
        &mut self,
        manager: &mut ContractNetManager,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        let round = manager.progress.round;
        manager.conversation = format!("{}-{}-round-{round}", ctx.name(), ctx.run_id());
        manager.current = Some(RoundResult {
            round,
            bids: Vec::new(),
            refused: Vec::new(),
            winner: None,
            winning_bid: None,
            result: None,
        });
        for worker in &manager.settings.workers {
            let cfp = ctx
                .message(worker, Performative::Cfp)
                .with_conversation(manager.conversation.clone())
                .with_content(serde_json::json!({"task": manager.settings.task, "round": round}));
            ctx.send(cfp)?;
        }
        Ok(StateStep::goto("collect"))
    }
}

/// Gathers bids until every worker answered or the deadline passed.
struct Collect {
    template: Template,
}

impl Collect {
    fn decide(
        manager: &mut ContractNetManager,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        let conversation = manager.conversation.clone();
        let workers = manager.settings.workers.clone();
        let round = manager.round()?;
        let best = round
            .bids
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .cloned();
        let Some((winner, bid)) = best else {
            return Ok(StateStep::goto("next"));
        };
        round.winner = Some(winner.clone());
        round.winning_bid = Some(bid);
        let bidders: Vec<String> = round.bids.iter().map(|(w, _)| w.clone()).collect();
        for worker in workers.iter().filter(|w| bidders.contains(w)) {
            let performative = if *worker == winner {
                Performative::AcceptProposal
            } else {
                Performative::RejectProposal
            };
            let answer = ctx
                .message(worker, performative)
                .with_conversation(conversation.clone())
                .with_content(serde_json::json!({"bid": bid}));
            ctx.send(answer)?;
        }
        Ok(StateStep::goto("award"))
    }
}

impl FsmState<ContractNetManager> for Collect {
    fn template(&self) -> Option<&Template> {
        Some(&self.template)
    }

    fn enter(
        &mut self,
        manager: &mut ContractNetManager,
        _: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        Ok(StateStep::StayFor(manager.settings.deadline))
    }

    fn message(
        &mut self,
        manager: &mut ContractNetManager,
        answer: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        if answer.conversation_id.as_deref() != Some(manager.conversation.as_str()) {
            return Ok(StateStep::Stay);
        }
        let expected = manager.settings.workers.len();
        let round = manager.round()?;
        if round.bids.iter().any(|(w, _)| *w == answer.sender)
            || round.refused.contains(&answer.sender)
        {
            return Ok(StateStep::Stay);
        }
        match answer.performative {
            Performative::Propose => match answer
                .content
                .get("cost")
                .and_then(serde_json::Value::as_f64)
            {
                Some(cost) if cost.is_finite() => round.bids.push((answer.sender, cost)),
                _ => {
                    tracing::warn!(worker = %answer.sender, content = %answer.content, "proposal without a numeric `cost` ignored");
                    round.refused.push(answer.sender);
                }
            },
            _ => round.refused.push(answer.sender),
        }
        if round.bids.len() + round.refused.len() == expected {
            return Self::decide(manager, ctx);
        }
        Ok(StateStep::Stay)
    }

    fn timeout(
        &mut self,
        manager: &mut ContractNetManager,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        Self::decide(manager, ctx)
    }
}

/// Waits for the winner's result.
struct Award {
    template: Template,
}

impl FsmState<ContractNetManager> for Award {
    fn template(&self) -> Option<&Template> {
        Some(&self.template)
    }

    fn enter(
        &mut self,
        manager: &mut ContractNetManager,
        _: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        Ok(StateStep::StayFor(manager.settings.deadline))
    }

    fn message(
        &mut self,
        manager: &mut ContractNetManager,
        result: Envelope,
        _: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        let conversation_matches =
            result.conversation_id.as_deref() == Some(manager.conversation.as_str());
        let round = manager.round()?;
        if !conversation_matches || round.winner.as_deref() != Some(result.sender.as_str()) {
            return Ok(StateStep::Stay);
        }
        round.result = Some(
            serde_json::json!({"performative": result.performative.as_str(), "content": result.content}),
        );
        Ok(StateStep::goto("next"))
    }

    fn timeout(
        &mut self,
        manager: &mut ContractNetManager,
        _: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        manager.round()?.result = Some(serde_json::json!({"performative": "timeout"}));
        Ok(StateStep::goto("next"))
    }
}

/// Records the finished round, checkpoints, and starts the next or ends.
struct NextRound;

impl FsmState<ContractNetManager> for NextRound {
    fn enter(
        &mut self,
        manager: &mut ContractNetManager,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        if let Some(done) = manager.current.take() {
            manager.progress.finished.push(done);
            manager.progress.round += 1;
            ctx.checkpoint();
        }
        if manager.progress.round < manager.settings.rounds {
            return Ok(StateStep::goto("announce"));
        }
        let awarded = manager
            .progress
            .finished
            .iter()
            .filter(|r| r.winner.is_some())
            .count();
        let report = ContractNetReport {
            task: manager.settings.task.clone(),
            rounds: manager.progress.finished.clone(),
            awarded,
        };
        ctx.report(super::KindReport::ContractNet(report).to_json());
        Ok(StateStep::Finish)
    }
}

/// Bids `cost` on every call for proposals (or refuses) and carries out the
/// tasks it is awarded.
#[derive(Debug)]
pub struct ContractNetWorker {
    cost: f64,
    refuse: bool,
    awarded: u64,
}

impl ContractNetWorker {
    /// A worker that bids `cost`, or refuses every call when `refuse`.
    pub fn new(cost: f64, refuse: bool) -> Self {
        Self {
            cost,
            refuse,
            awarded: 0,
        }
    }

    /// A stable default bid derived from the agent's name (FNV-1a), so
    /// replicas bid differently and runs are repeatable.
    pub fn default_cost(name: &str) -> f64 {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        1.0 + (hash % 90) as f64 / 10.0
    }
}

impl Agent for ContractNetWorker {
    fn setup(&mut self, behaviours: &mut Behaviours<Self>) {
        behaviours.add(Cyclic::new(
            "bid",
            Template::new().performative(Performative::Cfp),
            |worker: &mut Self, cfp, ctx| {
                if worker.refuse {
                    ctx.reply(
                        &cfp,
                        Performative::Refuse,
                        serde_json::json!({"reason": "busy"}),
                    )?;
                } else {
                    ctx.reply(
                        &cfp,
                        Performative::Propose,
                        serde_json::json!({"cost": worker.cost}),
                    )?;
                }
                Ok(Flow::Continue)
            },
        ));
        behaviours.add(Cyclic::new("work", Template::new().performative(Performative::AcceptProposal), |worker: &mut Self, award, ctx| {
            worker.awarded += 1;
            let result = serde_json::json!({"result": "done", "by": ctx.name(), "tasks_done": worker.awarded});
            ctx.reply(&award, Performative::Inform, result)?;
            Ok(Flow::Continue)
        }));
        behaviours.add(Cyclic::new(
            "rejected",
            Template::new().performative(Performative::RejectProposal),
            |_, _, _| Ok(Flow::Continue),
        ));
    }
}

//! The agent: its beliefs, plans, events, intentions and mailboxes, how it
//! is built from a program, and what the host can do with it from outside
//! (beliefs, goals, messages, percepts, collecting effects).
//!
//! The reasoning cycle itself is in [`crate::cycle`]; speech acts in
//! [`crate::speech`].

use std::collections::VecDeque;

use crate::actions::registry::ActionRegistry;
use crate::actions::{self, Kind};
use crate::belief_base::{Added, BeliefBase};
use crate::error::{ActionError, ContentError, LoadError, ParseError};
use crate::event::Event;
use crate::intention::Intention;
use crate::limits::{Limit, LimitCounts, Limits};
use crate::message::{InMessage, OutMessage, Performative};
use crate::parser::{Program, parse_program, parse_term};
use crate::plan::{GoalKind, PlanLibrary, TriggerOp};
use crate::rng::Rng;
use crate::solve::{Env, GoalView, solve};
use crate::symbol::Symbol;
use crate::term::Term;
use crate::unify::{Heap, detach};

/// Something the host should know about (logged, counted, or turned into
/// an exit status).
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// A plan failed and no failure plan (`-!g`) handled it: the intention
    /// was dropped.
    IntentionDropped {
        /// The triggering event at the bottom of the intention.
        root: String,
        /// Why it failed.
        reason: String,
    },
    /// An achievement goal had no applicable plan and no failure plan.
    NoApplicablePlan {
        /// The event, e.g. `+!g(1)`.
        event: String,
    },
    /// A plan's context could not be evaluated (e.g. arithmetic on an
    /// unbound variable); the plan was treated as not applicable.
    ContextError {
        /// The plan's trigger.
        plan: String,
        /// Line of the plan.
        line: usize,
        /// The error.
        message: String,
    },
    /// An incoming message could not be handled (e.g. a tellHow whose
    /// plan does not parse).
    BadMessage {
        /// Sender.
        sender: String,
        /// What was wrong.
        message: String,
    },
    /// A resource limit was hit for the first time (later hits are only
    /// counted in [`Stats::limit_hits`]). Where a plan step hit it, the
    /// intention got a `-!g[error(resource_limit), limit(..)]` failure.
    ResourceLimit {
        /// Which limit.
        limit: Limit,
        /// Its value.
        max: usize,
        /// What was refused, in words.
        detail: String,
    },
}

/// Each report as a sentence, for people (`agora asl run` prints them).
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Report::IntentionDropped { root, reason } => write!(
                f,
                "the intention for {root} was dropped: {reason} (no failure plan handled it)"
            ),
            Report::NoApplicablePlan { event } => {
                write!(f, "no applicable plan for {event}, and no failure plan")
            }
            Report::ContextError {
                plan,
                line,
                message,
            } => write!(
                f,
                "the context of plan {plan} (line {line}) could not be evaluated, so the plan was not applicable: {message}"
            ),
            Report::BadMessage { sender, message } => {
                write!(f, "a message from {sender} could not be handled: {message}")
            }
            Report::ResourceLimit { limit, max, detail } => {
                write!(f, "resource limit {limit} ({max}) hit: {detail}")
            }
        }
    }
}

impl Report {
    /// Whether this report is a plan failure nobody handled (the
    /// standalone runner exits with status 1 on these).
    pub fn is_unhandled_failure(&self) -> bool {
        matches!(
            self,
            Report::IntentionDropped { .. } | Report::NoApplicablePlan { .. }
        )
    }
}

/// Counters the host can export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Reasoning cycles run.
    pub cycles: u64,
    /// Messages whose content did not parse (see
    /// [`Agent::push_message_text`]).
    pub malformed_messages: u64,
    /// Messages handled.
    pub messages_in: u64,
    /// Messages produced.
    pub messages_out: u64,
    /// Intentions dropped because of an unhandled failure.
    pub dropped_intentions: u64,
    /// How often each resource limit was hit.
    pub limit_hits: LimitCounts,
}

/// Builds an [`Agent`]: name, seed, custom actions, then the program.
#[derive(Debug)]
pub struct AgentBuilder {
    name: String,
    seed: u64,
    actions: ActionRegistry,
    limits: Limits,
}

impl AgentBuilder {
    /// A builder for an agent called `name`.
    pub fn new(name: &str) -> AgentBuilder {
        AgentBuilder {
            name: name.to_string(),
            seed: 0,
            actions: ActionRegistry::new(),
            limits: Limits::default(),
        }
    }

    /// Sets the agent's resource limits (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> AgentBuilder {
        self.limits = limits;
        self
    }

    /// Seeds the agent's random numbers (default 0).
    pub fn seed(mut self, seed: u64) -> AgentBuilder {
        self.seed = seed;
        self
    }

    /// Uses `actions` as the custom actions (shared closures).
    pub fn actions(mut self, actions: ActionRegistry) -> AgentBuilder {
        self.actions = actions;
        self
    }

    /// Registers one custom action (see [`ActionRegistry::add_action`]).
    pub fn action<F>(mut self, name: &str, arity: usize, f: F) -> AgentBuilder
    where
        F: Fn(&[Term]) -> Result<bool, ActionError> + Send + Sync + 'static,
    {
        self.actions.add_action(name, arity, f);
        self
    }

    /// Registers one custom function (see [`ActionRegistry::add_function`]).
    pub fn function<F>(mut self, name: &str, arity: usize, f: F) -> AgentBuilder
    where
        F: Fn(&[Term]) -> Result<Term, ActionError> + Send + Sync + 'static,
    {
        self.actions.add_function(name, arity, f);
        self
    }

    /// Parses `source` (`file` names it in errors) and builds the agent.
    ///
    /// # Errors
    /// Every syntax error, and every call of an internal action that does
    /// not exist or has the wrong number of arguments.
    pub fn load(self, source: &str, file: &str) -> Result<Agent, LoadError> {
        let program = parse_program(source, file).map_err(LoadError::Invalid)?;
        self.build(program)
    }

    /// Builds the agent from a parsed program, after checking its internal
    /// action calls.
    ///
    /// # Errors
    /// Unknown internal actions or wrong arities.
    pub fn build(self, program: Program) -> Result<Agent, LoadError> {
        let errors = check_calls(&program, &self.actions);
        if !errors.is_empty() {
            return Err(LoadError::Invalid(errors));
        }
        let mut agent = Agent::empty(&self.name, self.seed, self.actions, self.limits);
        for rule in program.rules {
            agent.beliefs.add_rule(rule);
        }
        for plan in program.plans {
            agent.plans.add(plan);
        }
        // Initial beliefs come first and raise `+b` events (Jason and
        // python-agentspeak both do), then the initial goals, in order.
        // They are bounded by the program text, so no limit applies: the
        // limits bound what a program does while it runs.
        for (b, n) in program.beliefs {
            let b = with_default_source(b, Symbol::SELF);
            if let Added::New(t) | Added::Merged(t) = agent.beliefs.add(b, n, true) {
                agent.push_event(Event::external(TriggerOp::Add, GoalKind::Belief, t, n));
            }
        }
        for (g, n) in program.goals {
            let g = with_default_source(g, Symbol::SELF);
            agent.push_event(Event::external(TriggerOp::Add, GoalKind::Achieve, g, n));
        }
        Ok(agent)
    }
}

/// Checks internal action names and arities against the built-ins and the
/// custom registry.
pub fn check_calls(program: &Program, custom: &ActionRegistry) -> Vec<ParseError> {
    let mut errors = Vec::new();
    for call in &program.internal_calls {
        let err = |message: String| ParseError {
            file: program.file.clone(),
            line: call.line,
            column: call.column,
            message,
        };
        if custom.contains(&call.name, call.arity) {
            continue;
        }
        match actions::builtin(&call.name) {
            Some((lo, hi, _)) if call.arity < lo || call.arity > hi => {
                let expects = if lo == hi {
                    format!("{lo}")
                } else if hi == usize::MAX {
                    format!("at least {lo}")
                } else {
                    format!("{lo} to {hi}")
                };
                errors.push(err(format!(
                    "wrong number of arguments for {}: {} given, expected {expects}",
                    call.name, call.arity
                )));
            }
            Some(_) => {}
            None if custom.has_name(&call.name) => errors.push(err(format!(
                "wrong number of arguments for custom action {}: {} given",
                call.name, call.arity
            ))),
            None => errors.push(err(format!(
                "unknown internal action {}/{}",
                call.name, call.arity
            ))),
        }
    }
    errors
}

/// `t` with `source(src)` unless it already names a source.
pub(crate) fn with_default_source(t: Term, src: Symbol) -> Term {
    if t.annots()
        .iter()
        .any(|a| a.functor() == Some(Symbol::SOURCE))
    {
        return t;
    }
    t.add_annot(source(src))
}

/// `source(name)`.
pub(crate) fn source(name: Symbol) -> Term {
    Term::structure(Symbol::SOURCE, vec![Term::Atom(name)], Vec::new())
}

/// A BDI agent running an AgentSpeak program.
///
/// The host drives it: [`Agent::step`] (or [`Agent::run_until_idle`]) with
/// the current time, pushes messages and percepts in, and takes prints,
/// outgoing messages and reports out.
///
/// ```
/// use agora_bdi::AgentBuilder;
///
/// let mut agent = AgentBuilder::new("bob")
///     .load("!hi. +!hi <- .my_name(N); .print(\"hello from\", N).", "hi.asl")
///     .expect("valid program");
/// agent.run_until_idle(0, 1_000);
/// assert_eq!(agent.take_prints(), vec!["hello from bob".to_string()]);
/// ```
#[derive(Debug)]
pub struct Agent {
    pub(crate) name: String,
    pub(crate) name_sym: Symbol,
    pub(crate) beliefs: BeliefBase,
    pub(crate) plans: PlanLibrary,
    pub(crate) events: VecDeque<Event>,
    // Intentions are boxed: they move between queues and events every
    // cycle, and moving a pointer is cheaper than moving the struct.
    pub(crate) active: VecDeque<Box<Intention>>,
    #[allow(clippy::vec_box)] // boxed on purpose, see above
    pub(crate) waiting: Vec<Box<Intention>>,
    pub(crate) inbox: VecDeque<InMessage>,
    pub(crate) outbox: Vec<OutMessage>,
    pub(crate) prints: Vec<String>,
    pub(crate) reports: Vec<Report>,
    pub(crate) custom: ActionRegistry,
    pub(crate) rng: Rng,
    pub(crate) now: u64,
    pub(crate) stopped: bool,
    pub(crate) stats: Stats,
    pub(crate) limits: Limits,
    pub(crate) event_waiters: usize,
    /// At least the number of intended means over all intentions: raised
    /// on every push, recounted exactly only when it reaches
    /// [`Limits::max_intended_means`], so the limit costs one addition per
    /// sub-goal instead of a count over every intention.
    pub(crate) means_bound: usize,
    /// `source(self)`, built once.
    pub(crate) src_self: Term,
    next_intention: u64,
    // Finished intentions kept for reuse, so that the many short
    // intentions of belief events do not each allocate a stack and a heap.
    #[allow(clippy::vec_box)] // handed out as boxes
    spare: Vec<Box<Intention>>,
    next_message: u64,
    percepts: Vec<Term>,
}

impl Agent {
    fn empty(name: &str, seed: u64, custom: ActionRegistry, limits: Limits) -> Agent {
        Agent {
            name: name.to_string(),
            name_sym: Symbol::intern(name),
            beliefs: BeliefBase::new(),
            plans: PlanLibrary::new(),
            events: VecDeque::new(),
            active: VecDeque::new(),
            waiting: Vec::new(),
            inbox: VecDeque::new(),
            outbox: Vec::new(),
            prints: Vec::new(),
            reports: Vec::new(),
            custom,
            rng: Rng::new(seed),
            now: 0,
            stopped: false,
            stats: Stats::default(),
            limits,
            event_waiters: 0,
            means_bound: 0,
            src_self: source(Symbol::SELF),
            next_intention: 1,
            spare: Vec::new(),
            next_message: 1,
            percepts: Vec::new(),
        }
    }

    /// The agent's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The resource limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The plan library.
    pub fn plans(&self) -> &PlanLibrary {
        &self.plans
    }

    /// The belief base.
    pub fn belief_base(&self) -> &BeliefBase {
        &self.beliefs
    }

    pub(crate) fn new_intention(&mut self) -> Box<Intention> {
        let id = self.next_intention;
        self.next_intention += 1;
        match self.spare.pop() {
            Some(mut i) => {
                i.id = id;
                i
            }
            None => Box::new(Intention::new(id)),
        }
    }

    /// Keeps a finished intention's allocations for reuse.
    pub(crate) fn recycle(&mut self, mut int: Box<Intention>) {
        if self.spare.len() < 16 {
            int.stack.clear();
            int.heap.clear();
            int.wait = None;
            self.spare.push(int);
        }
    }

    pub(crate) fn new_message_id(&mut self) -> String {
        let id = self.next_message;
        self.next_message += 1;
        format!("{}.{id}", self.name)
    }

    /// Adds an event to the queue, waking intentions waiting for it. No
    /// limit is checked: internal events are bounded by the intentions
    /// they carry, and body steps check before they post (see
    /// [`Agent::push_external_event`] for events from outside).
    pub(crate) fn push_event(&mut self, ev: Event) {
        if self.event_waiters > 0 {
            self.wake_event_waiters(&ev);
        }
        self.events.push_back(ev);
    }

    /// Queues an external event unless [`Limits::max_events`] events are
    /// already pending; then it is dropped and counted (there is no
    /// intention to fail). Returns whether it was queued.
    pub(crate) fn push_external_event(&mut self, ev: Event) -> bool {
        if self.events_full() {
            self.drop_external_event(&ev);
            return false;
        }
        self.push_event(ev);
        true
    }

    #[cold]
    fn drop_external_event(&mut self, ev: &Event) {
        let pending = self.events.len();
        self.limit_hit(Limit::Events, || {
            format!("event {} dropped: {pending} events are pending", ev.text())
        });
    }

    /// Whether [`Limits::max_events`] events are pending.
    pub(crate) fn events_full(&self) -> bool {
        self.events.len() >= self.limits.max_events
    }

    /// Whether a new belief like `term` would go beyond
    /// [`Limits::max_beliefs`] (merging annotations into an existing one
    /// never does).
    pub(crate) fn beliefs_full(&self, term: &Term) -> bool {
        self.beliefs.len() >= self.limits.max_beliefs && self.beliefs.get(term).is_none()
    }

    /// Number of intentions: runnable, suspended, and waiting in events
    /// for their sub-goal.
    pub(crate) fn live_intentions(&self) -> usize {
        self.active.len()
            + self.waiting.len()
            + self.events.iter().filter(|e| e.intention.is_some()).count()
    }

    /// At least [`Agent::live_intentions`], in O(1): every pending event
    /// counted as if it carried an intention. The exact count is taken
    /// only when this bound reaches the limit.
    pub(crate) fn intentions_bound(&self) -> usize {
        self.active.len() + self.waiting.len() + self.events.len()
    }

    /// Whether the intentions hold [`Limits::max_intended_means`] intended
    /// means, counting `in_hand` for an intention that is in none of the
    /// queues (the one being handled).
    pub(crate) fn intended_means_full(&mut self, in_hand: usize) -> bool {
        if self.means_bound < self.limits.max_intended_means {
            return false;
        }
        self.means_bound = self.intended_means_count() + in_hand;
        self.means_bound >= self.limits.max_intended_means
    }

    /// Counts a hit of `limit` and reports the first one of its kind.
    /// Returns whether this was the first.
    #[cold]
    pub(crate) fn limit_hit(&mut self, limit: Limit, detail: impl FnOnce() -> String) -> bool {
        let first = self.stats.limit_hits.hit(limit);
        if first {
            self.reports.push(Report::ResourceLimit {
                limit,
                max: self.limits.max_of(limit),
                detail: detail(),
            });
        }
        first
    }

    /// Adds a data belief and raises the `+b` event if something changed.
    /// A new belief beyond [`Limits::max_beliefs`] is refused (counted);
    /// returns whether the belief is in the base now.
    pub(crate) fn add_belief_with_event(&mut self, term: Term, nvars: u32) -> bool {
        if self.beliefs_full(&term) {
            let held = self.beliefs.len();
            self.limit_hit(Limit::Beliefs, || {
                format!("belief {term} not added: the agent has {held} beliefs")
            });
            return false;
        }
        if let Added::New(t) | Added::Merged(t) = self.beliefs.add(term, nvars, false) {
            self.push_external_event(Event::external(TriggerOp::Add, GoalKind::Belief, t, nvars));
        }
        true
    }

    /// [`Agent::add_belief_with_event`] for a plan step that has checked
    /// the belief and event limits already.
    pub(crate) fn add_checked_belief(&mut self, term: Term, nvars: u32) {
        if let Added::New(t) | Added::Merged(t) = self.beliefs.add(term, nvars, false) {
            self.push_event(Event::external(TriggerOp::Add, GoalKind::Belief, t, nvars));
        }
    }

    /// Removes `annots` from the belief like `term`; raises `-b` if one
    /// was removed.
    pub(crate) fn remove_belief_with_event(&mut self, term: &Term, annots: &[Term]) -> bool {
        match self.beliefs.remove(term, annots) {
            Some(old) => {
                let removed = if annots.is_empty() {
                    old
                } else {
                    term.with_annots(annots.to_vec())
                };
                let (t, n) = detach(&removed);
                self.push_external_event(Event::external(
                    TriggerOp::Remove,
                    GoalKind::Belief,
                    t,
                    n,
                ));
                true
            }
            None => false,
        }
    }

    // ----- beliefs from outside -----

    /// Adds a belief (annotated `source(percept)` unless it names a
    /// source) and raises `+b`, as spade_bdi's `set_belief` does for a new
    /// belief. `belief` may come from [`crate::parse_term`].
    pub fn add_belief(&mut self, belief: &Term) {
        let (t, n) = detach(belief);
        let t = with_default_source(t, Symbol::PERCEPT);
        self.add_belief_with_event(t, n);
    }

    /// spade_bdi's `set_belief`: removes the beliefs with the same functor
    /// and arity from source `percept`, then adds this one.
    pub fn set_belief(&mut self, belief: &Term) {
        let Some((f, a)) = belief.functor_arity() else {
            return;
        };
        let old: Vec<Term> = self
            .beliefs
            .candidates(f, a, None)
            .map(|b| b.term.clone())
            .collect();
        let percept = source(Symbol::PERCEPT);
        for o in old {
            if !o.without_annots().same(&belief.without_annots())
                && o.annots().iter().any(|x| x.same(&percept))
            {
                self.remove_belief_with_event(&o, std::slice::from_ref(&percept));
            }
        }
        self.add_belief(belief);
    }

    /// Removes the belief equal to `belief` (ignoring annotations) with all
    /// its annotations; raises `-b`. Returns whether there was one.
    pub fn remove_belief(&mut self, belief: &Term) -> bool {
        self.remove_belief_with_event(belief, &[])
    }

    /// The beliefs with this functor and arity, in belief order.
    pub fn beliefs_of(&self, functor: &str, arity: usize) -> Vec<Term> {
        self.beliefs
            .candidates(Symbol::intern(functor), arity, None)
            .map(|b| b.term.clone())
            .collect()
    }

    /// Every belief (grouped by functor/arity).
    pub fn beliefs(&self) -> Vec<Term> {
        self.beliefs.iter().cloned().collect()
    }

    /// All instances of `query` (a formula, e.g. from
    /// [`crate::parse_term`], whose variables are cells `0..nvars`) that
    /// follow from the beliefs and rules, in order.
    ///
    /// # Errors
    /// Evaluation errors inside the formula.
    pub fn query(&mut self, query: &Term, nvars: u32) -> Result<Vec<Term>, ActionError> {
        let mut heap = Heap::new();
        let q = heap.attach(query, nvars);
        let mut env = Env {
            beliefs: &self.beliefs,
            name: self.name_sym,
            rng: &mut self.rng,
            custom: &self.custom,
            goals: GoalView {
                active: &self.active,
                waiting: &self.waiting,
                events: &self.events,
                current: None,
            },
        };
        let mut out = Vec::new();
        solve(&mut env, &mut heap, &q, 0, 0, &mut |_, h| {
            out.push(h.substitute(&q, 0));
            Ok(false)
        })?;
        Ok(out)
    }

    /// [`Agent::query`] on text, e.g. `"b(X) & X > 1"`.
    ///
    /// # Errors
    /// Unparseable text or evaluation errors.
    pub fn query_text(&mut self, query: &str) -> Result<Vec<Term>, ActionError> {
        let (t, n) = parse_term(query).map_err(|e| ActionError::BadArgument {
            action: "query".into(),
            message: e.to_string(),
        })?;
        self.query(&t, n)
    }

    // ----- goals, messages and percepts from outside -----

    /// Adds the external goal `+!goal` (a new intention when handled).
    /// At [`Limits::max_events`] pending events it is dropped and counted.
    pub fn achieve(&mut self, goal: &Term) {
        let (t, n) = detach(goal);
        self.push_external_event(Event::external(TriggerOp::Add, GoalKind::Achieve, t, n));
    }

    /// Queues an incoming message (handled one per cycle, as in Jason). At
    /// [`Limits::max_events`] queued messages it is dropped and counted
    /// under the events limit.
    pub fn push_message(&mut self, msg: InMessage) {
        if self.inbox.len() >= self.limits.max_events {
            let queued = self.inbox.len();
            self.limit_hit(Limit::Events, || {
                format!(
                    "message from {} dropped: {queued} messages are queued",
                    msg.sender
                )
            });
            return;
        }
        self.inbox.push_back(msg);
    }

    /// Runs one scheduling slice: reasoning cycles at time `now` until the
    /// agent is idle, stopped, or [`Limits::cycles_per_slice`] ran.
    /// Returns the number of cycles run; a host that hosts several agents
    /// on one thread gives the others their turn in between.
    pub fn run_slice(&mut self, now: u64) -> u64 {
        self.run_until_idle(now, self.limits.cycles_per_slice)
    }

    /// Queues a message whose content is AgentSpeak text. Content that does
    /// not parse is counted in [`Stats::malformed_messages`] and returned as
    /// an error; the agent is unaffected.
    ///
    /// # Errors
    /// The parse error of the content.
    pub fn push_message_text(
        &mut self,
        sender: &str,
        performative: Performative,
        content: &str,
        reply_with: Option<String>,
        in_reply_to: Option<String>,
    ) -> Result<(), ContentError> {
        match parse_term(content) {
            Ok((content, content_vars)) => {
                self.push_message(InMessage {
                    sender: sender.to_string(),
                    performative,
                    content,
                    content_vars,
                    reply_with,
                    in_reply_to,
                });
                Ok(())
            }
            Err(e) => {
                self.stats.malformed_messages += 1;
                Err(ContentError(e))
            }
        }
    }

    /// Replaces the agent's percepts (Jason's belief update function):
    /// percepts no longer present are removed (`-b[source(percept)]`), new
    /// ones added (`+b[source(percept)]`).
    pub fn perceive(&mut self, percepts: &[Term]) {
        let percept = source(Symbol::PERCEPT);
        let new: Vec<Term> = percepts
            .iter()
            .map(|p| detach(p).0.without_annots())
            .collect();
        let old = std::mem::take(&mut self.percepts);
        for o in &old {
            if !new.iter().any(|n| n.same(o)) {
                self.remove_belief_with_event(o, std::slice::from_ref(&percept));
            }
        }
        // Only percepts that made it into the belief base count as
        // perceived, so one refused at the belief limit is tried again.
        let mut kept = Vec::with_capacity(new.len());
        for n in new {
            if old.iter().any(|o| o.same(&n))
                || self.add_belief_with_event(n.add_annot(percept.clone()), 0)
            {
                kept.push(n);
            }
        }
        self.percepts = kept;
    }

    // ----- effects for the host -----

    /// Takes the lines printed by `.print` since the last call (without the
    /// agent-name prefix).
    pub fn take_prints(&mut self) -> Vec<String> {
        std::mem::take(&mut self.prints)
    }

    /// Takes the messages produced since the last call.
    pub fn take_outbox(&mut self) -> Vec<OutMessage> {
        std::mem::take(&mut self.outbox)
    }

    /// Takes the reports produced since the last call.
    pub fn take_reports(&mut self) -> Vec<Report> {
        std::mem::take(&mut self.reports)
    }

    /// Whether `.stopMAS` ran.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Whether nothing can run now: no events, no runnable intentions, no
    /// messages. Suspended intentions may still wake at
    /// [`Agent::next_deadline`] or on a message.
    pub fn is_idle(&self) -> bool {
        self.events.is_empty() && self.active.is_empty() && self.inbox.is_empty()
    }

    /// Whether the agent is idle and nothing is suspended either.
    pub fn is_quiescent(&self) -> bool {
        self.is_idle() && self.waiting.is_empty()
    }

    /// The earliest time (host milliseconds) at which a suspended intention
    /// wakes by itself (`.wait(Ms)`, ask or wait timeouts).
    pub fn next_deadline(&self) -> Option<u64> {
        self.waiting
            .iter()
            .filter_map(|i| i.wait.as_ref()?.deadline())
            .min()
    }

    /// Number of intentions (runnable, suspended, and waiting on events).
    pub fn intention_count(&self) -> usize {
        self.live_intentions()
    }

    /// Number of intended means over all intentions (for telemetry: a
    /// number that keeps growing means a recursion that does not end).
    pub fn intended_means_count(&self) -> usize {
        let events = self.events.iter().filter_map(|e| e.intention.as_ref());
        self.active
            .iter()
            .chain(self.waiting.iter())
            .chain(events)
            .map(|i| i.stack.len())
            .sum()
    }

    /// A checkpoint of the agent's mental state that matters across a
    /// restart: its beliefs (as AgentSpeak text, one per line) and its RNG
    /// state. Intentions are not saved; a restored agent re-runs its
    /// initial goals.
    pub fn checkpoint(&self) -> String {
        let mut s = String::from("rng ");
        for b in self.rng.to_bytes() {
            s.push_str(&format!("{b:02x}"));
        }
        s.push('\n');
        for b in self.beliefs.iter() {
            s.push_str(&b.to_string());
            s.push('\n');
        }
        s
    }

    /// Restores beliefs and RNG state from [`Agent::checkpoint`] text,
    /// replacing the current beliefs (no events are raised).
    ///
    /// # Errors
    /// A line that does not parse.
    pub fn restore(&mut self, checkpoint: &str) -> Result<(), ContentError> {
        let mut lines = checkpoint.lines();
        let bad = |msg: &str| {
            ContentError(ParseError {
                file: "<checkpoint>".into(),
                line: 1,
                column: 1,
                message: msg.to_string(),
            })
        };
        let rng_line = lines
            .next()
            .and_then(|l| l.strip_prefix("rng "))
            .ok_or_else(|| bad("expected 'rng <hex>'"))?;
        let mut bytes = [0u8; 32];
        if rng_line.len() != 64 {
            return Err(bad("expected 64 hex digits of RNG state"));
        }
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(rng_line.get(i * 2..i * 2 + 2).unwrap_or("zz"), 16)
                .map_err(|_| bad("bad hex in RNG state"))?;
        }
        let mut beliefs = Vec::new();
        for (i, line) in lines.enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (t, n) = parse_term(line).map_err(|mut e| {
                e.line = i + 2;
                ContentError(e)
            })?;
            beliefs.push((t, n));
        }
        self.rng = Rng::from_bytes(bytes);
        self.beliefs.clear();
        for (t, n) in beliefs {
            self.beliefs.add(t, n, true);
        }
        Ok(())
    }
}

impl Kind {
    /// Whether this is a body-only action.
    pub fn is_control(self) -> bool {
        self == Kind::Control
    }
}

//! The reasoning cycle, stage by stage as in Jason's `TransitionSystem`:
//! sense (messages, timers) → select event → relevant plans → applicable
//! plans → select option → intend → select intention (round robin) →
//! execute one step, plus failure handling and clearing finished intended
//! means.
//!
//! One call of [`Agent::step`] is one cycle: at most one message, one event
//! and one body step of one intention. Time comes from the host (`now`, in
//! milliseconds); nothing here reads a clock.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::actions;
use crate::agent::{Agent, Report, with_default_source};
use crate::error::ActionError;
use crate::event::Event;
use crate::intention::{Intention, LoopState, Wait};
use crate::limits::Limit;
use crate::plan::{GoalKind, Plan, Step, TriggerOp};
use crate::solve::{solve, solve_first};
use crate::symbol::Symbol;
use crate::term::Term;
use crate::unify::{Heap, Mark, detach};

/// The `error(..)` kind of a failure caused by a resource limit.
pub const RESOURCE_LIMIT: &str = "resource_limit";

/// Why a body step failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Jason's error kind (the `error(...)` annotation of `-!g`).
    pub kind: &'static str,
    /// Human-readable reason.
    pub message: String,
    /// Source line of the step.
    pub line: usize,
    /// Set when a resource limit caused the failure (boxed: rare, and
    /// failures travel in every step's outcome).
    pub limit: Option<Box<LimitFailure>>,
}

/// What a failure caused by a resource limit adds to its `-!g` event:
/// `limit(Name)`, `max(N)` and `code(Literal)`.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitFailure {
    /// Which limit.
    pub limit: Limit,
    /// Its value.
    pub max: usize,
    /// The goal or belief the step could not post or add.
    pub code: Term,
    /// Whether this was the agent's first hit of this limit: only the
    /// first is reported, later intentions it drops are only counted.
    pub first: bool,
}

impl Failure {
    /// A failure of kind `kind` (Jason's `error(..)` atom) at `line`.
    pub fn new(kind: &'static str, message: String, line: usize) -> Failure {
        Failure {
            kind,
            message,
            line,
            limit: None,
        }
    }

    fn from_error(e: &ActionError, line: usize) -> Failure {
        Failure::new(e.kind(), e.to_string(), line)
    }
}

/// What executing one step did with the intention.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Keep running it (round robin).
    Continue,
    /// Suspend it until the wait ends.
    Suspend(Wait),
    /// Hand it to this internal event (sub-goal, test goal with plans).
    Post(Event),
    /// The step failed.
    Fail(Failure),
    /// Drop it silently (`.drop_intention`).
    Drop,
}

/// A chosen plan: instantiated at `base` in the event's heap.
#[derive(Debug)]
pub struct Option_ {
    /// The plan.
    pub plan: Arc<Plan>,
    /// Frame base.
    pub base: u32,
    /// Heap position before the frame.
    pub mark: Mark,
}

macro_rules! env {
    ($agent:expr, $current:expr) => {
        $crate::solve::Env {
            beliefs: &$agent.beliefs,
            name: $agent.name_sym,
            rng: &mut $agent.rng,
            custom: &$agent.custom,
            goals: $crate::solve::GoalView {
                active: &$agent.active,
                waiting: &$agent.waiting,
                events: &$agent.events,
                current: $current,
            },
        }
    };
}
pub(crate) use env;

impl Agent {
    /// Runs one reasoning cycle at host time `now` (milliseconds, never
    /// going backwards). Returns whether anything happened.
    #[inline]
    pub fn step(&mut self, now: u64) -> bool {
        if self.stopped {
            return false;
        }
        self.now = self.now.max(now);
        self.stats.cycles += 1;
        let mut worked = self.sense();
        if let Some(ev) = self.select_event() {
            self.handle_event(ev);
            worked = true;
        }
        if let Some(int) = self.select_intention() {
            self.execute(int);
            worked = true;
        }
        worked
    }

    /// Runs cycles at time `now` until the agent is idle, stopped, or
    /// `max_cycles` ran. Returns the number of cycles run.
    pub fn run_until_idle(&mut self, now: u64, max_cycles: u64) -> u64 {
        let mut n = 0;
        while n < max_cycles && !self.stopped && !self.is_idle() {
            self.step(now);
            n += 1;
        }
        n
    }

    /// Sense stage: wakes suspended intentions whose deadline passed and
    /// handles one incoming message.
    pub fn sense(&mut self) -> bool {
        let mut worked = self.wake_timeouts();
        if let Some(msg) = self.inbox.pop_front() {
            self.handle_message(msg);
            worked = true;
        }
        worked
    }

    fn wake_timeouts(&mut self) -> bool {
        let now = self.now;
        if !self.waiting.iter().any(|i| {
            i.wait
                .as_ref()
                .and_then(|w| w.deadline())
                .is_some_and(|d| d <= now)
        }) {
            return false;
        }
        let (due, keep): (Vec<Box<Intention>>, Vec<Box<Intention>>) =
            std::mem::take(&mut self.waiting)
                .into_iter()
                .partition(|i| {
                    i.wait
                        .as_ref()
                        .and_then(|w| w.deadline())
                        .is_some_and(|d| d <= now)
                });
        self.waiting = keep;
        for mut int in due {
            match int.wait.take() {
                Some(Wait::Event { .. }) => {
                    self.event_waiters = self.event_waiters.saturating_sub(1);
                    let line = current_line(&int);
                    self.fail(
                        int,
                        Failure::new(
                            "wait_timeout",
                            ".wait timed out before the event happened".into(),
                            line,
                        ),
                    );
                }
                Some(Wait::Reply { answer, .. }) => {
                    if int.heap.unify(&answer, 0, &Term::Atom(Symbol::TIMEOUT), 0) {
                        self.active.push_back(int);
                    } else {
                        let line = current_line(&int);
                        self.fail(
                            int,
                            Failure::new(
                                "ask_timeout",
                                "ask timed out and the answer did not unify with timeout".into(),
                                line,
                            ),
                        );
                    }
                }
                _ => self.active.push_back(int),
            }
        }
        true
    }

    /// Resumes intentions waiting (`.wait("+b")`) for an event like `ev`.
    pub(crate) fn wake_event_waiters(&mut self, ev: &Event) {
        let (ev_term, ev_n) = match &ev.intention {
            Some(int) => detach(&int.heap.substitute(&ev.term, 0)),
            None => (ev.term.clone(), ev.nvars),
        };
        let mut i = 0;
        while i < self.waiting.len() {
            let hit = match &self.waiting[i].wait {
                Some(Wait::Event {
                    op,
                    kind,
                    pattern,
                    nvars,
                    ..
                }) if *op == ev.op && *kind == ev.kind => {
                    let mut h = Heap::new();
                    let p = h.attach(pattern, *nvars);
                    let t = h.attach(&ev_term, ev_n);
                    h.unify(&p, 0, &t, 0)
                }
                _ => false,
            };
            if hit {
                let mut int = self.waiting.remove(i);
                int.wait = None;
                self.event_waiters = self.event_waiters.saturating_sub(1);
                self.active.push_back(int);
            } else {
                i += 1;
            }
        }
    }

    /// Event selection: the oldest pending event (Jason's default).
    pub fn select_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Relevant plans: those whose trigger unifies with the event
    /// (`term`, in `heap`). The heap is left as it was.
    pub fn relevant_plans(
        &self,
        heap: &mut Heap,
        op: TriggerOp,
        kind: GoalKind,
        term: &Term,
    ) -> Vec<Arc<Plan>> {
        let Some((f, a)) = term.functor_arity() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in self.plans.candidates(op, kind, f, a) {
            let m = heap.mark();
            let base = heap.alloc(p.nvars);
            if heap.unify(&p.trigger.literal, base, term, 0) {
                out.push(p.clone());
            }
            heap.undo(m);
        }
        heap.take_error();
        out
    }

    /// Applicability of one plan: unifies its trigger with the event and
    /// finds the first solution of its context. On success the bindings
    /// stay in `heap` and the option is returned; otherwise `heap` is left
    /// as it was. A context that raises an error is not applicable (and
    /// is reported).
    pub fn applicable(
        &mut self,
        heap: &mut Heap,
        plan: &Arc<Plan>,
        term: &Term,
        current: Option<&Intention>,
    ) -> Option<Option_> {
        let mut env = env!(self, current.map(|i| i.stack.as_slice()));
        try_plan(&mut env, &mut self.reports, heap, plan, term)
    }

    /// All applicable plans for an event, in order (each checked on its
    /// own; the heap is left as it was). Option selection uses the first,
    /// so the cycle itself stops at the first applicable plan instead.
    pub fn applicable_plans(
        &mut self,
        heap: &mut Heap,
        relevant: &[Arc<Plan>],
        term: &Term,
    ) -> Vec<Arc<Plan>> {
        let mut out = Vec::new();
        for p in relevant {
            if let Some(o) = self.applicable(heap, p, term, None) {
                heap.undo(o.mark);
                out.push(o.plan);
            }
        }
        out
    }

    /// Option selection (Jason's default): the first applicable plan, in
    /// plan-library order.
    pub fn select_option(
        &mut self,
        heap: &mut Heap,
        relevant: &[Arc<Plan>],
        term: &Term,
        current: Option<&Intention>,
    ) -> Option<Option_> {
        relevant
            .iter()
            .find_map(|p| self.applicable(heap, p, term, current))
    }

    /// Handles one event: finds an option and intends it (pushing it on
    /// the event's intention, or on a new intention for an external
    /// event), or deals with the lack of one as Jason does.
    pub fn handle_event(&mut self, mut ev: Event) {
        let internal = ev.intention.is_some();
        // The depth and intended means limits of sub-goals are checked
        // where they are posted (`Agent::refuse_sub_goal`); a failure plan
        // pushed here may go beyond them, so that a failure can always be
        // handled (it cannot recurse without end: goals above a running
        // failure plan take no new failure). A new intention is checked
        // below, once a plan applies.
        let mut near_limits = false;
        let mut int = match ev.intention.take() {
            Some(i) => i,
            None => {
                near_limits = self.near_intention_limits();
                let mut i = self.new_intention();
                ev.term = i.heap.attach(&ev.term, ev.nvars);
                ev.nvars = 0;
                i
            }
        };
        // Relevance (trigger unification) and applicability (context) are
        // checked in one pass over the indexed candidates, stopping at the
        // first applicable plan: the same result as computing the relevant
        // and applicable sets and selecting the first option, without
        // unifying every trigger twice.
        let chosen = match ev.term.functor_arity() {
            Some((f, a)) => {
                // Borrow the stack (for `.intend` in contexts) and the heap
                // (for the bindings) of the intention separately.
                let Intention { stack, heap, .. } = &mut *int;
                let mut env = env!(self, Some(stack.as_slice()));
                let reports = &mut self.reports;
                self.plans
                    .candidates(ev.op, ev.kind, f, a)
                    .find_map(|p| try_plan(&mut env, reports, heap, p, &ev.term))
            }
            None => None,
        };
        match chosen {
            Some(opt) => {
                let ground = !ev.term.is_open();
                int.push_means(opt.plan, opt.base, opt.mark, ev.fail_depth, ground);
                // Checked once the plan is on the new intention, so that
                // the option is not kept across the (rare) check.
                if near_limits && self.new_intention_refused(&ev, &int) {
                    self.recycle(int);
                    return;
                }
                self.means_bound += 1;
                self.active.push_back(int);
            }
            None => {
                let no_relevant = self
                    .relevant_plans(&mut int.heap, ev.op, ev.kind, &ev.term)
                    .is_empty();
                self.no_option(ev, int, internal, no_relevant);
            }
        }
    }

    /// Whether one more intended means on a stack of `depth` may go beyond
    /// the depth or intended means limit: one comparison each on the hot
    /// path; [`Agent::refuse_sub_goal`] decides exactly.
    #[inline]
    fn near_means_limits(&self, depth: usize) -> bool {
        depth >= self.limits.max_intention_depth
            || self.means_bound >= self.limits.max_intended_means
    }

    /// Whether a new intention may go beyond the intentions or intended
    /// means limit; [`Agent::new_intention_refused`] decides exactly.
    #[inline]
    fn near_intention_limits(&self) -> bool {
        self.intentions_bound() >= self.limits.max_intentions
            || self.means_bound >= self.limits.max_intended_means
    }

    /// The failure of a step posting the sub-goal `goal` (`sign` `!`, or
    /// `?` for a test goal with plans) whose plan would make `int` deeper
    /// than [`Limits::max_intention_depth`](crate::Limits::max_intention_depth),
    /// or the intentions hold [`Limits::max_intended_means`](crate::Limits::max_intended_means)
    /// already; `None` if neither is the case after all (the intended
    /// means bound was recounted). `int` is the running intention, in none
    /// of the queues.
    #[cold]
    fn refuse_sub_goal(
        &mut self,
        int: &Intention,
        sign: &str,
        goal: &Term,
        line: usize,
    ) -> Option<Failure> {
        let depth = int.stack.len();
        let limit = if depth >= self.limits.max_intention_depth {
            Limit::IntentionDepth
        } else if self.intended_means_full(depth) {
            Limit::IntendedMeans
        } else {
            return None;
        };
        let what = match limit {
            Limit::IntentionDepth => format!(
                "{sign}{goal} refused: the intention for {} is already {depth} intended means deep",
                int.root_text()
            ),
            _ => format!(
                "{sign}{goal} refused: the agent's intentions hold {} intended means",
                self.means_bound
            ),
        };
        Some(self.limit_failure(limit, goal.clone(), line, what))
    }

    /// Whether an external event with an applicable plan may not start a
    /// new intention (`int`, not queued yet) because of the intentions or
    /// intended means limit; if so the hit is counted and the event is
    /// dropped by the caller.
    #[cold]
    fn new_intention_refused(&mut self, ev: &Event, int: &Intention) -> bool {
        let intentions = self.live_intentions();
        let limit = if intentions >= self.limits.max_intentions {
            Limit::Intentions
        } else if self.intended_means_full(0) {
            Limit::IntendedMeans
        } else {
            return false;
        };
        let event = event_text(ev, int);
        let held = self.means_bound;
        self.limit_hit(limit, || match limit {
            Limit::Intentions => {
                format!("event {event} dropped: the agent has {intentions} intentions")
            }
            _ => {
                format!("event {event} dropped: the agent's intentions hold {held} intended means")
            }
        });
        true
    }

    /// An achievement goal with no applicable plan: its own failure plan
    /// handles it if it has one; otherwise the intention fails (a
    /// sub-goal) or the event is dropped and reported (an external goal).
    fn no_plan_for_goal(
        &mut self,
        ev: Event,
        mut int: Box<Intention>,
        internal: bool,
        failure: Failure,
    ) {
        // The goal's intended means was never pushed, so the cut depth is
        // the current stack height.
        let goal = int.heap.substitute(&ev.term, 0);
        if let Some(term) = self.failure_event_term(&mut int.heap, &goal, &failure) {
            let depth = int.stack.len();
            self.push_event(Event {
                op: TriggerOp::Remove,
                kind: GoalKind::Achieve,
                term,
                nvars: 0,
                intention: Some(int),
                fail_depth: Some(depth),
            });
        } else if internal {
            self.fail(int, failure);
        } else {
            self.stats.dropped_intentions += 1;
            self.reports.push(Report::NoApplicablePlan {
                event: event_text(&ev, &int),
            });
        }
    }

    fn no_option(&mut self, ev: Event, int: Box<Intention>, internal: bool, no_relevant: bool) {
        let what = if no_relevant {
            "no relevant plan"
        } else {
            "no applicable plan"
        };
        match (ev.op, ev.kind) {
            (TriggerOp::Add, GoalKind::Achieve) => {
                let kind = if no_relevant {
                    "no_relevant"
                } else {
                    "no_applicable"
                };
                let message = format!("{what} for {}", event_text(&ev, &int));
                let failure = Failure::new(kind, message, current_line(&int));
                self.no_plan_for_goal(ev, int, internal, failure);
            }
            (TriggerOp::Remove, GoalKind::Achieve) if internal => {
                // A failure plan that does not apply: the intention goes.
                let text = event_text(&ev, &int);
                self.drop_intention_report(&int, format!("{what} for failure event {text}"));
            }
            (TriggerOp::Add, GoalKind::Test) if internal => {
                let failure = Failure::new(
                    "test_goal_failed",
                    format!("test goal {} failed ({what})", event_text(&ev, &int)),
                    current_line(&int),
                );
                self.fail(int, failure);
            }
            _ => {
                // Belief events and other external events without plans
                // are simply discarded, as in Jason.
                if internal {
                    self.active.push_back(int);
                } else {
                    self.recycle(int);
                }
            }
        }
    }

    /// Intention selection: round robin over the runnable intentions.
    pub fn select_intention(&mut self) -> Option<Box<Intention>> {
        self.active.pop_front()
    }

    /// Executes one step of `int` and puts it where it belongs next.
    pub fn execute(&mut self, mut int: Box<Intention>) {
        let outcome = self.run_step(&mut int);
        match outcome {
            Outcome::Continue => {
                clear_finished(&mut int);
                if int.stack.is_empty() {
                    self.recycle(int);
                } else {
                    self.active.push_back(int);
                }
            }
            Outcome::Suspend(w) => {
                if matches!(w, Wait::Event { .. }) {
                    self.event_waiters += 1;
                }
                int.wait = Some(w);
                self.waiting.push(int);
            }
            Outcome::Post(mut ev) => {
                ev.intention = Some(int);
                self.push_event(ev);
            }
            Outcome::Fail(f) => self.fail(int, f),
            Outcome::Drop => {}
        }
    }

    /// Runs the next body step of the top intended means.
    pub(crate) fn run_step(&mut self, int: &mut Intention) -> Outcome {
        let Some(top) = int.stack.last_mut() else {
            return Outcome::Drop;
        };
        let plan = top.plan.clone();
        let base = top.base;
        let Some(ps) = plan.body.get(top.pc) else {
            return Outcome::Continue;
        };
        top.pc += 1;
        let line = ps.line;
        match &ps.step {
            Step::Jump(_)
            | Step::LoopStart
            | Step::While { .. }
            | Step::ForStart { .. }
            | Step::ForNext { .. }
            | Step::If { .. } => self.run_control_step(int, &plan, &ps.step, base, line),
            Step::Formula(t) => match self.holds(int, t, base) {
                Ok(true) => Outcome::Continue,
                Ok(false) => Outcome::Fail(Failure::new(
                    "formula_failed",
                    format!("{} is false", int.heap.substitute(t, base)),
                    line,
                )),
                Err(e) => Outcome::Fail(Failure::from_error(&e, line)),
            },
            Step::Internal(t) => self.run_internal(int, t, base, line),
            Step::Action(t) => self.run_action(int, t, base, line),
            Step::Achieve(t) => self.run_achieve(int, &plan, t, base, line),
            Step::AchieveNew(t) => self.run_achieve_new(int, t, base, line),
            Step::Test(t) => self.run_test(int, t, base, line),
            Step::AddBelief(_) | Step::RemoveBelief(_) | Step::ReplaceBelief(_) => {
                self.run_belief_step(int, &ps.step, base, line)
            }
        }
    }

    /// `if`, `while`, `for` and jumps: they move the program counter and
    /// keep loop state; only a condition that raises an error fails.
    fn run_control_step(
        &mut self,
        int: &mut Intention,
        plan: &Plan,
        step: &Step,
        base: u32,
        line: usize,
    ) -> Outcome {
        let fail = |e: ActionError| Outcome::Fail(Failure::from_error(&e, line));
        match step {
            Step::Jump(t) => set_pc(int, *t),
            Step::LoopStart => {
                let mark = int.heap.mark();
                if let Some(top) = int.stack.last_mut() {
                    top.loops.push(LoopState {
                        mark,
                        solutions: None,
                    });
                }
            }
            Step::While { cond, exit } => {
                if let Some(l) = int.stack.last().and_then(|t| t.loops.last()) {
                    int.heap.undo(l.mark);
                }
                match self.holds(int, cond, base) {
                    Ok(true) => {}
                    Ok(false) => {
                        if let Some(top) = int.stack.last_mut() {
                            top.loops.pop();
                            top.pc = *exit;
                        }
                    }
                    Err(e) => return fail(e),
                }
            }
            Step::ForStart { cond } => {
                if let Err(e) = self.start_for(int, plan.nvars, cond, base) {
                    return fail(e);
                }
            }
            Step::ForNext { exit } => next_for(int, base, *exit),
            Step::If { cond, otherwise } => match self.holds(int, cond, base) {
                Ok(true) => {}
                Ok(false) => set_pc(int, *otherwise),
                Err(e) => return fail(e),
            },
            _ => {}
        }
        Outcome::Continue
    }

    /// `for` start: collects every solution of `cond` (as values of the
    /// plan's `nvars` cells) and opens the loop.
    fn start_for(
        &mut self,
        int: &mut Intention,
        nvars: u32,
        cond: &Term,
        base: u32,
    ) -> Result<(), ActionError> {
        let mark = int.heap.mark();
        let mut sols = VecDeque::new();
        let r = {
            let mut env = env!(self, Some(int.stack.as_slice()));
            solve(&mut env, &mut int.heap, cond, base, 0, &mut |_, h| {
                let vals = (0..nvars)
                    .map(|i| match h.substitute(&Term::Var(i), base) {
                        Term::Ref(_) => None,
                        v => Some(v),
                    })
                    .collect();
                sols.push_back(vals);
                Ok(false)
            })
        };
        int.heap.undo(mark);
        r?;
        if let Some(top) = int.stack.last_mut() {
            top.loops.push(LoopState {
                mark,
                solutions: Some(sols),
            });
        }
        Ok(())
    }

    /// An internal action: control actions act on the agent, the others
    /// are formulas over the beliefs.
    fn run_internal(&mut self, int: &mut Intention, t: &Term, base: u32, line: usize) -> Outcome {
        let name = t.functor().map(Symbol::as_str).unwrap_or("");
        if actions::builtin(name).is_some_and(|(_, _, k)| k.is_control()) {
            return self.control(int, name, t, base, line);
        }
        match self.holds(int, t, base) {
            Ok(true) => Outcome::Continue,
            Ok(false) => Outcome::Fail(Failure::new(
                "ia_failed",
                format!("{} failed", int.heap.substitute(t, base)),
                line,
            )),
            Err(e) => Outcome::Fail(Failure::from_error(&e, line)),
        }
    }

    /// A custom (environment) action.
    fn run_action(&mut self, int: &mut Intention, t: &Term, base: u32, line: usize) -> Outcome {
        let name = t.functor().map(Symbol::as_str).unwrap_or("");
        let functor = t.functor().unwrap_or(Symbol::TRUE);
        let action_failed =
            |message: String| Outcome::Fail(Failure::new("action_failed", message, line));
        match self.custom.call(functor, t, base, &mut int.heap) {
            Ok(None) => Outcome::Fail(Failure::from_error(
                &ActionError::Unknown {
                    name: name.to_string(),
                    arity: t.args().len(),
                },
                line,
            )),
            Ok(Some(actions::registry::CustomOutcome::Succeed)) => Outcome::Continue,
            Ok(Some(actions::registry::CustomOutcome::Fail)) => {
                action_failed(format!("action {} failed", int.heap.substitute(t, base)))
            }
            Ok(Some(actions::registry::CustomOutcome::Unify(a, b))) => {
                if int.heap.unify(&a, 0, &b, 0) {
                    Outcome::Continue
                } else {
                    action_failed(format!("result of {name} did not unify"))
                }
            }
            Err(e) => Outcome::Fail(Failure::from_error(&e, line)),
        }
    }

    /// `!g`: posts the sub-goal with this intention; the step fails
    /// instead when the goal's plan would go beyond the depth or intended
    /// means limit (checked here rather than where the plan is pushed, so
    /// that the hot path of [`Agent::handle_event`] stays as it was).
    /// Posts `goal` as a sub-goal of `int` (`!g` or `?g` with plans), unless
    /// the intention is at a means limit, when the step fails instead.
    fn post_sub_goal(
        &mut self,
        int: &mut Intention,
        kind: GoalKind,
        goal: Term,
        line: usize,
    ) -> Outcome {
        let sign = if kind == GoalKind::Test { "?" } else { "!" };
        if self.near_means_limits(int.stack.len())
            && let Some(refused) = self.refuse_sub_goal(int, sign, &goal, line)
        {
            return Outcome::Fail(refused);
        }
        Outcome::Post(Event {
            op: TriggerOp::Add,
            kind,
            term: goal,
            nvars: 0,
            intention: None,
            fail_depth: None,
        })
    }

    fn run_achieve(
        &mut self,
        int: &mut Intention,
        plan: &Plan,
        t: &Term,
        base: u32,
        line: usize,
    ) -> Outcome {
        // Jason annotates the agent's own goals with `source(self)`.
        match resolve_with_source(&mut int.heap, t, base, &self.src_self) {
            Ok(goal) if goal.is_literal() => {
                if tail_recursive(int, plan, &goal) {
                    // Jason's tail recursion optimisation: the means has
                    // nothing left to do and nothing can flow back through
                    // it, so it leaves the stack now instead of after the
                    // sub-goal; recursive loops then run in constant space.
                    int.pop();
                }
                self.post_sub_goal(int, GoalKind::Achieve, goal, line)
            }
            Ok(other) => Outcome::Fail(Failure::from_error(&not_literal("!", &other), line)),
            Err(e) => Outcome::Fail(Failure::from_error(&e.into(), line)),
        }
    }

    /// `!!g`: a new intention's goal, as an external event; fails at the
    /// intentions or events limit, so a program that spawns without end
    /// hears of it.
    fn run_achieve_new(
        &mut self,
        int: &mut Intention,
        t: &Term,
        base: u32,
        line: usize,
    ) -> Outcome {
        let goal = match resolve_with_source(&mut int.heap, t, base, &self.src_self) {
            Ok(goal) if goal.is_literal() => goal,
            Ok(other) => {
                return Outcome::Fail(Failure::from_error(&not_literal("!!", &other), line));
            }
            Err(e) => return Outcome::Fail(Failure::from_error(&e.into(), line)),
        };
        // The running intention is out of the queues while it runs: + 1.
        if self.intentions_bound() + 1 >= self.limits.max_intentions {
            let intentions = self.live_intentions() + 1;
            if intentions >= self.limits.max_intentions {
                let what = format!("!!{goal} refused: the agent has {intentions} intentions");
                return Outcome::Fail(self.limit_failure(Limit::Intentions, goal, line, what));
            }
        }
        if self.events_full() {
            return Outcome::Fail(self.events_failure("!!", goal, line));
        }
        let (g, n) = detach(&goal);
        self.push_event(Event::external(TriggerOp::Add, GoalKind::Achieve, g, n));
        Outcome::Continue
    }

    /// `?g`: the first solution from the beliefs, else a `+?g` plan, else
    /// failure.
    fn run_test(&mut self, int: &mut Intention, t: &Term, base: u32, line: usize) -> Outcome {
        match self.holds(int, t, base) {
            Ok(true) => Outcome::Continue,
            Ok(false) => {
                let goal = int.heap.substitute(t, base);
                let has_plans = goal.functor_arity().is_some_and(|(f, a)| {
                    self.plans
                        .has_candidates(TriggerOp::Add, GoalKind::Test, f, a)
                });
                if has_plans {
                    self.post_sub_goal(int, GoalKind::Test, goal, line)
                } else {
                    Outcome::Fail(Failure::new(
                        "test_goal_failed",
                        format!("test goal ?{goal} failed"),
                        line,
                    ))
                }
            }
            Err(e) => Outcome::Fail(Failure::from_error(&e, line)),
        }
    }

    /// `+b`, `-b`, `-+b`. Each raises a belief event, so each fails when
    /// [`Limits::max_events`](crate::Limits::max_events) events are
    /// pending; `+b` and `-+b` also fail when a new belief would go beyond
    /// [`Limits::max_beliefs`](crate::Limits::max_beliefs). The checks come
    /// first, so a failing step changes nothing (`-+b` removes first; see
    /// there).
    fn run_belief_step(
        &mut self,
        int: &mut Intention,
        step: &Step,
        base: u32,
        line: usize,
    ) -> Outcome {
        let fail = |e: ActionError| Outcome::Fail(Failure::from_error(&e, line));
        match step {
            Step::AddBelief(t) => match resolve_with_source(&mut int.heap, t, base, &self.src_self)
            {
                Ok(b) if b.is_literal() => {
                    if let Some(refused) = self.refuse_belief_step("+", &b, line) {
                        return refused;
                    }
                    let (b, n) = detach(&b);
                    self.add_checked_belief(b, n);
                    Outcome::Continue
                }
                Ok(other) => fail(not_literal("+", &other)),
                Err(e) => fail(e.into()),
            },
            Step::RemoveBelief(t) => {
                if self.events_full() {
                    let b = int.heap.substitute(t, base);
                    return Outcome::Fail(self.events_failure("-", b, line));
                }
                match self.remove_matching(int, t, base, false) {
                    Ok(()) => Outcome::Continue,
                    Err(e) => fail(e),
                }
            }
            Step::ReplaceBelief(t) => {
                let (b, n) = match int.heap.resolve(t, base) {
                    Ok(b) => detach(&b),
                    Err(e) => return fail(e.into()),
                };
                let b = with_default_source(b, Symbol::SELF);
                if self.events_full() {
                    return Outcome::Fail(self.events_failure("-+", b, line));
                }
                if let Err(e) = self.remove_matching(int, t, base, true) {
                    return fail(e);
                }
                // Checked after the removal, which usually makes room: a
                // counter kept with `-+count(N + 1)` works at the limit.
                if let Some(refused) = self.refuse_new_belief("-+", &b, line) {
                    return refused;
                }
                // Its `+b` event may go one beyond the events limit (the
                // `-b` event took the last place): a step that succeeded
                // does not lose half of its events.
                self.add_checked_belief(b, n);
                Outcome::Continue
            }
            _ => Outcome::Continue,
        }
    }

    /// The failure of a belief step (`op` is `+` or `-+`) that would post
    /// an event beyond the events limit or add a belief beyond the beliefs
    /// limit, if it would.
    fn refuse_belief_step(&mut self, op: &str, belief: &Term, line: usize) -> Option<Outcome> {
        if self.events_full() {
            return Some(Outcome::Fail(self.events_failure(op, belief.clone(), line)));
        }
        self.refuse_new_belief(op, belief, line)
    }

    /// The failure of a belief step that would add a belief beyond
    /// [`Limits::max_beliefs`](crate::Limits::max_beliefs), if it would.
    fn refuse_new_belief(&mut self, op: &str, belief: &Term, line: usize) -> Option<Outcome> {
        if !self.beliefs_full(belief) {
            return None;
        }
        let what = format!(
            "{op}{belief} refused: the agent has {} beliefs",
            self.beliefs.len()
        );
        let failure = self.limit_failure(Limit::Beliefs, belief.clone(), line, what);
        Some(Outcome::Fail(failure))
    }

    /// The failure of a step (`op` and its literal `code`) that would post
    /// an event beyond [`Limits::max_events`](crate::Limits::max_events).
    #[cold]
    fn events_failure(&mut self, op: &str, code: Term, line: usize) -> Failure {
        let what = format!(
            "{op}{code} refused: {} events are pending",
            self.events.len()
        );
        self.limit_failure(Limit::Events, code, line, what)
    }

    /// A failure for hitting `limit` at the step on `line`; `code` is the
    /// goal or belief it could not post or add. Counts the hit (reporting
    /// the first of its kind).
    #[cold]
    pub(crate) fn limit_failure(
        &mut self,
        limit: Limit,
        code: Term,
        line: usize,
        what: String,
    ) -> Failure {
        let max = self.limits.max_of(limit);
        let first = self.limit_hit(limit, || what.clone());
        let message = format!("{what} ({} = {max})", limit.setting());
        Failure {
            kind: RESOURCE_LIMIT,
            message,
            line,
            limit: Some(Box::new(LimitFailure {
                limit,
                max,
                code,
                first,
            })),
        }
    }

    /// First solution of a formula in the intention's heap (bindings kept).
    fn holds(&mut self, int: &mut Intention, t: &Term, base: u32) -> Result<bool, ActionError> {
        let mut env = env!(self, Some(int.stack.as_slice()));
        solve_first(&mut env, &mut int.heap, t, base)
    }

    /// `-b`: removes the annotations of the first matching belief (default
    /// `source(self)`), binding the pattern's variables. With `any_args`
    /// (`-+b`) the arguments are ignored: the first belief with the same
    /// functor and arity from that source goes.
    fn remove_matching(
        &mut self,
        int: &mut Intention,
        t: &Term,
        base: u32,
        any_args: bool,
    ) -> Result<(), ActionError> {
        let pattern = resolve_with_source(&mut int.heap, t, base, &self.src_self)?;
        let Some((f, a)) = pattern.functor_arity() else {
            return Err(not_literal("-", &pattern));
        };
        let pattern = if any_args {
            let mut i = int.heap.len();
            let anon: Vec<Term> = (0..a)
                .map(|_| {
                    i += 1;
                    Term::Ref(i - 1)
                })
                .collect();
            int.heap.alloc(u32::try_from(a).unwrap_or(0));
            Term::structure(f, anon, pattern.annots().to_vec())
        } else {
            pattern
        };
        let mark = int.heap.mark();
        let mut found = None;
        let first = if any_args {
            None
        } else {
            pattern.args().first()
        };
        for b in self.beliefs.candidates(f, a, first) {
            let m = int.heap.mark();
            let bt = int.heap.attach(&b.term, b.nvars);
            if int.heap.unify(&pattern, 0, &bt, 0) {
                found = Some(b.term.clone());
                break;
            }
            int.heap.undo(m);
        }
        let Some(belief) = found else {
            int.heap.undo(mark);
            return Ok(());
        };
        let annots = int.heap.substitute(&pattern, 0).annots().to_vec();
        if any_args {
            int.heap.undo(mark);
        }
        self.remove_belief_with_event(&belief, &annots);
        Ok(())
    }

    /// Plan failure: raises `-!g` for the innermost goal of the intention
    /// that has a relevant failure plan (the intention goes with the
    /// event), or drops the intention and reports it.
    pub fn fail(&mut self, mut int: Box<Intention>, failure: Failure) {
        // Goals above a running failure plan's target are already being
        // handled; only goals below it can take the new failure.
        let limit = int
            .stack
            .iter()
            .filter_map(|im| im.fail_depth)
            .min()
            .unwrap_or(int.stack.len());
        for idx in (0..limit.min(int.stack.len())).rev() {
            let im = &int.stack[idx];
            if !im.is_achieve() {
                continue;
            }
            let goal = int.heap.substitute(&im.plan.trigger.literal, im.base);
            if let Some(term) = self.failure_event_term(&mut int.heap, &goal, &failure) {
                self.push_event(Event {
                    op: TriggerOp::Remove,
                    kind: GoalKind::Achieve,
                    term,
                    nvars: 0,
                    intention: Some(int),
                    fail_depth: Some(idx),
                });
                return;
            }
        }
        if failure.limit.as_ref().is_some_and(|l| !l.first) {
            // A limit hit again: reported the first time, counted since.
            self.stats.dropped_intentions += 1;
            return;
        }
        self.drop_intention_report(&int, format!("line {}: {}", failure.line, failure.message));
    }

    /// The `-!goal` event literal for `failure`, if `goal` has a relevant
    /// failure plan for it (one whose trigger unifies with the annotated
    /// event, so that `-!g[error(resource_limit)]` is relevant only to
    /// failures of that kind).
    fn failure_event_term(&self, heap: &mut Heap, goal: &Term, failure: &Failure) -> Option<Term> {
        let term = failure_term(goal, failure);
        let relevant = self.relevant_plans(heap, TriggerOp::Remove, GoalKind::Achieve, &term);
        (!relevant.is_empty()).then_some(term)
    }

    fn drop_intention_report(&mut self, int: &Intention, reason: String) {
        self.stats.dropped_intentions += 1;
        self.reports.push(Report::IntentionDropped {
            root: int.root_text(),
            reason,
        });
    }
}

/// `t` resolved, with the annotation `src` added unless `t` names a source
/// (one structure built instead of two on the `+b` hot path).
fn resolve_with_source(
    heap: &mut Heap,
    t: &Term,
    base: u32,
    src: &Term,
) -> Result<Term, crate::error::EvalError> {
    let has_source = |annots: &[Term]| annots.iter().any(|a| a.functor() == Some(Symbol::SOURCE));
    match t {
        Term::Atom(f) => Ok(Term::structure(*f, Vec::new(), vec![src.clone()])),
        Term::Struct(s) if !has_source(s.annots()) => {
            if let ([a], []) = (s.args(), s.annots()) {
                // `+b(X)`: the common case, built directly.
                return Ok(Term::from_two(
                    s.functor,
                    heap.resolve(a, base)?,
                    src.clone(),
                    1,
                ));
            }
            let mut terms = Vec::with_capacity(s.args().len() + s.annots().len() + 1);
            for a in s.args().iter().chain(s.annots().iter()) {
                terms.push(heap.resolve(a, base)?);
            }
            terms.push(src.clone());
            Ok(Term::from_parts(s.functor, terms, s.args().len()))
        }
        _ => {
            let r = heap.resolve(t, base)?;
            Ok(if r.is_literal() {
                with_default_source(r, Symbol::SELF)
            } else {
                r
            })
        }
    }
}

/// Unifies `plan`'s trigger with `term` and solves its context (the
/// applicability test); see [`Agent::applicable`].
fn try_plan(
    env: &mut crate::solve::Env<'_>,
    reports: &mut Vec<Report>,
    heap: &mut Heap,
    plan: &Arc<Plan>,
    term: &Term,
) -> Option<Option_> {
    let mark = heap.mark();
    let base = heap.alloc(plan.nvars);
    if !heap.unify(&plan.trigger.literal, base, term, 0) {
        heap.take_error();
        heap.undo(mark);
        return None;
    }
    let ok = match &plan.context {
        None => Ok(true),
        Some(c) => solve_first(env, heap, c, base),
    };
    match ok {
        Ok(true) => Some(Option_ {
            plan: plan.clone(),
            base,
            mark,
        }),
        Ok(false) => {
            heap.undo(mark);
            None
        }
        Err(e) => {
            heap.undo(mark);
            reports.push(Report::ContextError {
                plan: plan.trigger.text(),
                line: plan.line,
                message: e.to_string(),
            });
            None
        }
    }
}

/// The `-!g` event literal: the goal annotated like Jason's failure
/// events, `error(Kind)`, `error_msg("...")` and `code_line(Line)`, and for
/// a resource limit also `limit(Name)`, `max(N)` and `code(Literal)`.
fn failure_term(goal: &Term, f: &Failure) -> Term {
    let mut annots = vec![
        Term::structure(Symbol::ERROR, vec![Term::atom(f.kind)], Vec::new()),
        Term::structure(
            Symbol::ERROR_MSG,
            vec![Term::string(&f.message)],
            Vec::new(),
        ),
    ];
    if let Some(l) = &f.limit {
        annots.push(Term::compound("limit", vec![Term::atom(l.limit.name())]));
        let max = i64::try_from(l.max).unwrap_or(i64::MAX);
        annots.push(Term::compound("max", vec![Term::Int(max)]));
        annots.push(Term::compound("code", vec![l.code.clone()]));
    }
    let line = i64::try_from(f.line).unwrap_or(i64::MAX);
    annots.push(Term::compound("code_line", vec![Term::Int(line)]));
    annots
        .into_iter()
        .fold(goal.clone(), |term, annot| term.add_annot(annot))
}

fn not_literal(op: &str, t: &Term) -> ActionError {
    ActionError::BadArgument {
        action: op.to_string(),
        message: format!("expected a literal, got {t}"),
    }
}

/// Whether posting `goal` from the top means of `int` is a tail-recursive
/// call that may drop the means first: `!goal` was its last step, `goal`
/// has the functor and arity of the means' own trigger, `goal` is ground,
/// the trigger is ground (so its caller expects no bindings back), and the
/// means is neither a failure plan nor inside a loop.
fn tail_recursive(int: &Intention, plan: &Plan, goal: &Term) -> bool {
    let Some(top) = int.stack.last() else {
        return false;
    };
    top.finished()
        && top.fail_depth.is_none()
        && top.loops.is_empty()
        && top.is_achieve()
        && plan.trigger.literal.functor_arity() == goal.functor_arity()
        && !goal.is_open()
        && (top.ground_trigger || int.heap.is_ground(&plan.trigger.literal, top.base))
}

/// `for` iteration: binds the next solution's values to the cells still
/// unbound, or leaves the loop (to `exit`) when none is left.
fn next_for(int: &mut Intention, base: u32, exit: usize) {
    let Some(top) = int.stack.last_mut() else {
        return;
    };
    let Some(l) = top.loops.last_mut() else {
        top.pc = exit;
        return;
    };
    int.heap.undo(l.mark);
    match l.solutions.as_mut().and_then(VecDeque::pop_front) {
        Some(vals) => {
            for (i, v) in vals.into_iter().enumerate() {
                let cell = base + u32::try_from(i).unwrap_or(0);
                if let Some(v) = v
                    && int.heap.cell(cell).is_none()
                {
                    int.heap.bind_cell(cell, v);
                }
            }
        }
        None => {
            top.loops.pop();
            top.pc = exit;
        }
    }
}

fn set_pc(int: &mut Intention, pc: usize) {
    if let Some(top) = int.stack.last_mut() {
        top.pc = pc;
    }
}

fn event_text(ev: &Event, int: &Intention) -> String {
    crate::plan::Trigger {
        op: ev.op,
        kind: ev.kind,
        literal: int.heap.substitute(&ev.term, 0),
    }
    .text()
}

/// Line of the step the intention last ran.
pub(crate) fn current_line(int: &Intention) -> usize {
    int.stack
        .last()
        .and_then(|im| {
            im.plan
                .body
                .get(im.pc.saturating_sub(1))
                .map(|s| s.line)
                .or(Some(im.plan.line))
        })
        .unwrap_or(0)
}

/// Removes finished intended means from the top (Jason's ClrInt). A
/// finished failure plan cuts the intention back below the failed goal.
pub(crate) fn clear_finished(int: &mut Intention) {
    while let Some(top) = int.stack.last() {
        if !top.finished() {
            break;
        }
        match top.fail_depth {
            Some(d) => int.cut_to(d),
            None => {
                int.pop();
            }
        }
    }
}

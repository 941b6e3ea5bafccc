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
use crate::plan::{GoalKind, Plan, Step, TriggerOp};
use crate::solve::{solve, solve_first};
use crate::symbol::Symbol;
use crate::term::Term;
use crate::unify::{Heap, Mark, detach};

/// Why a body step failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Jason's error kind (the `error(...)` annotation of `-!g`).
    pub kind: &'static str,
    /// Human-readable reason.
    pub message: String,
    /// Source line of the step.
    pub line: usize,
}

impl Failure {
    fn from_error(e: &ActionError, line: usize) -> Failure {
        Failure {
            kind: e.kind(),
            message: e.to_string(),
            line,
        }
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
                        Failure {
                            kind: "wait_timeout",
                            message: ".wait timed out before the event happened".into(),
                            line,
                        },
                    );
                }
                Some(Wait::Reply { answer, .. }) => {
                    if int.heap.unify(&answer, 0, &Term::Atom(Symbol::TIMEOUT), 0) {
                        self.active.push_back(int);
                    } else {
                        let line = current_line(&int);
                        self.fail(
                            int,
                            Failure {
                                kind: "ask_timeout",
                                message: "ask timed out and the answer did not unify with timeout"
                                    .into(),
                                line,
                            },
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
        let mut int = match ev.intention.take() {
            Some(i) => i,
            None => {
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

    fn no_option(&mut self, ev: Event, int: Box<Intention>, internal: bool, no_relevant: bool) {
        let what = if no_relevant {
            "no relevant plan"
        } else {
            "no applicable plan"
        };
        match (ev.op, ev.kind) {
            (TriggerOp::Add, GoalKind::Achieve) => {
                let failure = Failure {
                    kind: if no_relevant {
                        "no_relevant"
                    } else {
                        "no_applicable"
                    },
                    message: format!("{what} for {}", event_text(&ev, &int)),
                    line: current_line(&int),
                };
                // The goal itself may have a failure plan; its intended
                // means was never pushed, so the cut depth is the current
                // stack height.
                let goal = int.heap.substitute(&ev.term, 0);
                let mut int = int;
                if self.has_failure_plan(&mut int.heap, &goal) {
                    let depth = int.stack.len();
                    let term = failure_term(&goal, &failure);
                    let ev = Event {
                        op: TriggerOp::Remove,
                        kind: GoalKind::Achieve,
                        term,
                        nvars: 0,
                        intention: Some(int),
                        fail_depth: Some(depth),
                    };
                    self.push_event(ev);
                } else if internal {
                    self.fail(int, failure);
                } else {
                    self.stats.dropped_intentions += 1;
                    self.reports.push(Report::NoApplicablePlan {
                        event: event_text(&ev, &int),
                    });
                }
            }
            (TriggerOp::Remove, GoalKind::Achieve) if internal => {
                // A failure plan that does not apply: the intention goes.
                let text = event_text(&ev, &int);
                self.drop_intention_report(&int, format!("{what} for failure event {text}"));
            }
            (TriggerOp::Add, GoalKind::Test) if internal => {
                let failure = Failure {
                    kind: "test_goal_failed",
                    message: format!("test goal {} failed ({what})", event_text(&ev, &int)),
                    line: current_line(&int),
                };
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
        let fail = |e: ActionError| Outcome::Fail(Failure::from_error(&e, line));
        match &ps.step {
            Step::Jump(t) => {
                set_pc(int, *t);
                Outcome::Continue
            }
            Step::LoopStart => {
                let mark = int.heap.mark();
                if let Some(top) = int.stack.last_mut() {
                    top.loops.push(LoopState {
                        mark,
                        solutions: None,
                    });
                }
                Outcome::Continue
            }
            Step::While { cond, exit } => {
                if let Some(l) = int.stack.last().and_then(|t| t.loops.last()) {
                    int.heap.undo(l.mark);
                }
                match self.holds(int, cond, base) {
                    Ok(true) => Outcome::Continue,
                    Ok(false) => {
                        if let Some(top) = int.stack.last_mut() {
                            top.loops.pop();
                            top.pc = *exit;
                        }
                        Outcome::Continue
                    }
                    Err(e) => fail(e),
                }
            }
            Step::ForStart { cond } => {
                let mark = int.heap.mark();
                let mut sols = VecDeque::new();
                let n = plan.nvars;
                let r = {
                    let mut env = env!(self, Some(int.stack.as_slice()));
                    solve(&mut env, &mut int.heap, cond, base, 0, &mut |_, h| {
                        let vals = (0..n)
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
                if let Err(e) = r {
                    return fail(e);
                }
                if let Some(top) = int.stack.last_mut() {
                    top.loops.push(LoopState {
                        mark,
                        solutions: Some(sols),
                    });
                }
                Outcome::Continue
            }
            Step::ForNext { exit } => {
                let Some(top) = int.stack.last_mut() else {
                    return Outcome::Drop;
                };
                let Some(l) = top.loops.last_mut() else {
                    top.pc = *exit;
                    return Outcome::Continue;
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
                        top.pc = *exit;
                    }
                }
                Outcome::Continue
            }
            Step::If { cond, otherwise } => match self.holds(int, cond, base) {
                Ok(true) => Outcome::Continue,
                Ok(false) => {
                    set_pc(int, *otherwise);
                    Outcome::Continue
                }
                Err(e) => fail(e),
            },
            Step::Formula(t) => match self.holds(int, t, base) {
                Ok(true) => Outcome::Continue,
                Ok(false) => Outcome::Fail(Failure {
                    kind: "formula_failed",
                    message: format!("{} is false", int.heap.substitute(t, base)),
                    line,
                }),
                Err(e) => fail(e),
            },
            Step::Internal(t) => {
                let name = t.functor().map(Symbol::as_str).unwrap_or("");
                if actions::builtin(name).is_some_and(|(_, _, k)| k.is_control()) {
                    return self.control(int, name, t, base, line);
                }
                match self.holds(int, t, base) {
                    Ok(true) => Outcome::Continue,
                    Ok(false) => Outcome::Fail(Failure {
                        kind: "ia_failed",
                        message: format!("{} failed", int.heap.substitute(t, base)),
                        line,
                    }),
                    Err(e) => fail(e),
                }
            }
            Step::Action(t) => {
                let name = t.functor().map(Symbol::as_str).unwrap_or("");
                let functor = t.functor().unwrap_or(Symbol::TRUE);
                match self.custom.call(functor, t, base, &mut int.heap) {
                    Ok(None) => fail(ActionError::Unknown {
                        name: name.to_string(),
                        arity: t.args().len(),
                    }),
                    Ok(Some(actions::registry::CustomOutcome::Succeed)) => Outcome::Continue,
                    Ok(Some(actions::registry::CustomOutcome::Fail)) => Outcome::Fail(Failure {
                        kind: "action_failed",
                        message: format!("action {} failed", int.heap.substitute(t, base)),
                        line,
                    }),
                    Ok(Some(actions::registry::CustomOutcome::Unify(a, b))) => {
                        if int.heap.unify(&a, 0, &b, 0) {
                            Outcome::Continue
                        } else {
                            Outcome::Fail(Failure {
                                kind: "action_failed",
                                message: format!("result of {name} did not unify"),
                                line,
                            })
                        }
                    }
                    Err(e) => fail(e),
                }
            }
            // Jason annotates the agent's own goals with `source(self)`.
            Step::Achieve(t) => match resolve_with_source(&mut int.heap, t, base, &self.src_self) {
                Ok(goal) if goal.is_literal() => {
                    if tail_recursive(int, &plan, &goal) {
                        // Jason's tail recursion optimisation: the means
                        // has nothing left to do and nothing can flow back
                        // through it, so it leaves the stack now instead of
                        // after the sub-goal; recursive loops then run in
                        // constant space.
                        int.pop();
                    }
                    Outcome::Post(Event {
                        op: TriggerOp::Add,
                        kind: GoalKind::Achieve,
                        term: goal,
                        nvars: 0,
                        intention: None,
                        fail_depth: None,
                    })
                }
                Ok(other) => fail(not_literal("!", &other)),
                Err(e) => fail(e.into()),
            },
            Step::AchieveNew(t) => {
                match resolve_with_source(&mut int.heap, t, base, &self.src_self) {
                    Ok(goal) if goal.is_literal() => {
                        let (g, n) = detach(&goal);
                        self.push_event(Event::external(TriggerOp::Add, GoalKind::Achieve, g, n));
                        Outcome::Continue
                    }
                    Ok(other) => fail(not_literal("!!", &other)),
                    Err(e) => fail(e.into()),
                }
            }
            Step::Test(t) => match self.holds(int, t, base) {
                Ok(true) => Outcome::Continue,
                Ok(false) => {
                    let goal = int.heap.substitute(t, base);
                    let has_plans = goal.functor_arity().is_some_and(|(f, a)| {
                        self.plans
                            .has_candidates(TriggerOp::Add, GoalKind::Test, f, a)
                    });
                    if has_plans {
                        Outcome::Post(Event {
                            op: TriggerOp::Add,
                            kind: GoalKind::Test,
                            term: goal,
                            nvars: 0,
                            intention: None,
                            fail_depth: None,
                        })
                    } else {
                        Outcome::Fail(Failure {
                            kind: "test_goal_failed",
                            message: format!("test goal ?{goal} failed"),
                            line,
                        })
                    }
                }
                Err(e) => fail(e),
            },
            Step::AddBelief(t) => match resolve_with_source(&mut int.heap, t, base, &self.src_self)
            {
                Ok(b) if b.is_literal() => {
                    let (b, n) = detach(&b);
                    self.add_belief_with_event(b, n);
                    Outcome::Continue
                }
                Ok(other) => fail(not_literal("+", &other)),
                Err(e) => fail(e.into()),
            },
            Step::RemoveBelief(t) => match self.remove_matching(int, t, base, false) {
                Ok(()) => Outcome::Continue,
                Err(e) => fail(e),
            },
            Step::ReplaceBelief(t) => match self.remove_matching(int, t, base, true) {
                Ok(()) => match int.heap.resolve(t, base) {
                    Ok(b) => {
                        let (b, n) = detach(&b);
                        self.add_belief_with_event(with_default_source(b, Symbol::SELF), n);
                        Outcome::Continue
                    }
                    Err(e) => fail(e.into()),
                },
                Err(e) => fail(e),
            },
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
            if self.has_failure_plan(&mut int.heap, &goal) {
                let term = failure_term(&goal, &failure);
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
        self.drop_intention_report(&int, format!("line {}: {}", failure.line, failure.message));
    }

    fn has_failure_plan(&self, heap: &mut Heap, goal: &Term) -> bool {
        let term = failure_term(
            goal,
            &Failure {
                kind: "",
                message: String::new(),
                line: 0,
            },
        );
        !self
            .relevant_plans(heap, TriggerOp::Remove, GoalKind::Achieve, &term)
            .is_empty()
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

/// The `-!g` event literal: the goal annotated `error(Kind)` and
/// `error_msg("...")` like Jason's failure events.
fn failure_term(goal: &Term, f: &Failure) -> Term {
    goal.add_annot(Term::structure(
        Symbol::ERROR,
        vec![Term::atom(f.kind)],
        Vec::new(),
    ))
    .add_annot(Term::structure(
        Symbol::ERROR_MSG,
        vec![Term::string(&f.message)],
        Vec::new(),
    ))
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

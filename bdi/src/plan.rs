//! Plans, their triggering events and compiled bodies, and the plan
//! library indexed by trigger type and functor/arity.

use crate::fxhash::FxHashMap;
use std::sync::Arc;

use crate::symbol::Symbol;
use crate::term::Term;

/// Addition (`+`) or deletion (`-`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TriggerOp {
    /// `+`
    Add,
    /// `-`
    Remove,
}

/// What a trigger is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GoalKind {
    /// A belief (`+b`, `-b`).
    Belief,
    /// An achievement goal (`+!g`, `-!g`).
    Achieve,
    /// A test goal (`+?g`, `-?g`).
    Test,
}

/// A triggering event pattern such as `+!count(N)`.
#[derive(Clone, Debug)]
pub struct Trigger {
    /// `+` or `-`.
    pub op: TriggerOp,
    /// Belief, achievement or test.
    pub kind: GoalKind,
    /// The literal (in a plan: clause code with `Var`s).
    pub literal: Term,
}

impl Trigger {
    /// The index key: op, kind, functor and arity (`None` for a variable
    /// literal such as `+!G`, which is relevant for every goal).
    pub fn key(&self) -> Option<(TriggerOp, GoalKind, Symbol, usize)> {
        self.literal
            .functor_arity()
            .map(|(f, a)| (self.op, self.kind, f, a))
    }

    /// The trigger as AgentSpeak text, e.g. `+!g(1)`.
    pub fn text(&self) -> String {
        let op = match self.op {
            TriggerOp::Add => "+",
            TriggerOp::Remove => "-",
        };
        let kind = match self.kind {
            GoalKind::Belief => "",
            GoalKind::Achieve => "!",
            GoalKind::Test => "?",
        };
        format!("{op}{kind}{}", self.literal)
    }
}

/// One compiled body step. Control structures (`if`, `while`, `for`) are
/// compiled to conditional jumps so that an intended means is just a plan
/// and a program counter.
#[derive(Clone, Debug)]
pub enum Step {
    /// An environment or custom action `act(...)`.
    Action(Term),
    /// An internal action `.name(...)`.
    Internal(Term),
    /// `!g`: achieve as a sub-goal of this intention.
    Achieve(Term),
    /// `!!g`: achieve in a new intention, without waiting.
    AchieveNew(Term),
    /// `?g`: test goal.
    Test(Term),
    /// `+b`
    AddBelief(Term),
    /// `-b`
    RemoveBelief(Term),
    /// `-+b`: replace the belief.
    ReplaceBelief(Term),
    /// A formula used as a step (`X = Y + 1`, `N > 3`, `not b`).
    Formula(Term),
    /// Evaluate `cond` (keeping its bindings) or jump to `otherwise`.
    If {
        /// Condition formula.
        cond: Term,
        /// Target when the condition fails.
        otherwise: usize,
    },
    /// Unconditional jump.
    Jump(usize),
    /// Start of a `while` loop: remembers the bindings to restart from.
    LoopStart,
    /// `while` test: restart from the loop's bindings, evaluate `cond`,
    /// leave the loop (to `exit`) when it fails.
    While {
        /// Condition formula.
        cond: Term,
        /// Target after the loop.
        exit: usize,
    },
    /// `for` start: collect all solutions of `cond`.
    ForStart {
        /// Formula whose solutions are iterated.
        cond: Term,
    },
    /// `for` iteration: bind the next solution or leave (to `exit`).
    ForNext {
        /// Target after the loop.
        exit: usize,
    },
}

/// A body step with its source line (for failure reports).
#[derive(Clone, Debug)]
pub struct PlanStep {
    /// The step.
    pub step: Step,
    /// Line in the source file.
    pub line: usize,
}

/// A plan: `@label trigger : context <- body.`
#[derive(Clone, Debug)]
pub struct Plan {
    /// Optional `@label`.
    pub label: Option<Term>,
    /// Triggering event.
    pub trigger: Trigger,
    /// Context formula (`None` means `true`).
    pub context: Option<Term>,
    /// Compiled body.
    pub body: Vec<PlanStep>,
    /// Number of clause variables (frame size).
    pub nvars: u32,
    /// Variable names by index, for messages.
    pub var_names: Vec<String>,
    /// Line where the plan starts.
    pub line: usize,
}

type Key = (TriggerOp, GoalKind, Symbol, usize);

/// All plans of an agent, in source order, indexed by trigger.
#[derive(Clone, Debug, Default)]
pub struct PlanLibrary {
    all: Vec<Arc<Plan>>,
    index: FxHashMap<Key, Vec<Arc<Plan>>>,
    // Plans whose trigger literal is a variable (`+!G`): relevant to every
    // event of their op and kind, kept apart so the index stays exact.
    generic: Vec<Arc<Plan>>,
}

impl PlanLibrary {
    /// An empty library.
    pub fn new() -> PlanLibrary {
        PlanLibrary::default()
    }

    /// Adds a plan after the existing ones.
    pub fn add(&mut self, plan: Plan) {
        let plan = Arc::new(plan);
        match plan.trigger.key() {
            Some(k) => self.index.entry(k).or_default().push(plan.clone()),
            None => self.generic.push(plan.clone()),
        }
        self.all.push(plan);
    }

    /// Removes the plans labelled `label`; returns how many were removed.
    pub fn remove_labelled(&mut self, label: &Term) -> usize {
        let matches = |p: &Arc<Plan>| {
            p.label
                .as_ref()
                .is_some_and(|l| l.without_annots().same(&label.without_annots()))
        };
        let before = self.all.len();
        self.all.retain(|p| !matches(p));
        for v in self.index.values_mut() {
            v.retain(|p| !matches(p));
        }
        self.generic.retain(|p| !matches(p));
        before - self.all.len()
    }

    /// Plans whose trigger has this op, kind, functor and arity, in source
    /// order, followed by the generic (`+!G`-style) plans of that op and
    /// kind. Unification with the event is the caller's next step.
    pub fn candidates(
        &self,
        op: TriggerOp,
        kind: GoalKind,
        functor: Symbol,
        arity: usize,
    ) -> impl Iterator<Item = &Arc<Plan>> {
        self.index
            .get(&(op, kind, functor, arity))
            .into_iter()
            .flatten()
            .chain(
                self.generic
                    .iter()
                    .filter(move |p| p.trigger.op == op && p.trigger.kind == kind),
            )
    }

    /// Whether any plan could be relevant for this trigger type.
    pub fn has_candidates(
        &self,
        op: TriggerOp,
        kind: GoalKind,
        functor: Symbol,
        arity: usize,
    ) -> bool {
        self.candidates(op, kind, functor, arity).next().is_some()
    }

    /// All plans in order.
    pub fn plans(&self) -> &[Arc<Plan>] {
        &self.all
    }

    /// Number of plans.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether there are no plans.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(op: TriggerOp, kind: GoalKind, lit: Term, label: Option<&str>) -> Plan {
        Plan {
            label: label.map(Term::atom),
            trigger: Trigger {
                op,
                kind,
                literal: lit,
            },
            context: None,
            body: Vec::new(),
            nvars: 0,
            var_names: Vec::new(),
            line: 1,
        }
    }

    #[test]
    fn candidates_are_indexed_by_trigger_and_keep_order() {
        let mut lib = PlanLibrary::new();
        let g = Symbol::intern("g");
        lib.add(plan(
            TriggerOp::Add,
            GoalKind::Achieve,
            Term::compound("g", vec![Term::Int(1)]),
            Some("p1"),
        ));
        lib.add(plan(
            TriggerOp::Add,
            GoalKind::Belief,
            Term::compound("g", vec![Term::Int(1)]),
            None,
        ));
        lib.add(plan(
            TriggerOp::Add,
            GoalKind::Achieve,
            Term::compound("g", vec![Term::Var(0)]),
            Some("p2"),
        ));
        lib.add(plan(
            TriggerOp::Add,
            GoalKind::Achieve,
            Term::Var(0),
            Some("any"),
        ));
        let labels: Vec<String> = lib
            .candidates(TriggerOp::Add, GoalKind::Achieve, g, 1)
            .filter_map(|p| p.label.as_ref().map(|l| l.to_string()))
            .collect();
        assert_eq!(labels, ["p1", "p2", "any"]);
        assert!(!lib.has_candidates(TriggerOp::Remove, GoalKind::Achieve, g, 1));
        assert_eq!(lib.remove_labelled(&Term::atom("p1")), 1);
        assert_eq!(
            lib.candidates(TriggerOp::Add, GoalKind::Achieve, g, 1)
                .count(),
            2
        );
    }
}

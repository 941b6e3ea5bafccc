//! Intentions: stacks of intended means (a plan instance with its program
//! counter and frame) sharing one binding heap, and what a suspended
//! intention waits for.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::plan::{GoalKind, Plan, TriggerOp};
use crate::term::Term;
use crate::unify::{Heap, Mark};

/// State of an active `while` or `for` loop in an intended means.
#[derive(Debug, Clone)]
pub struct LoopState {
    /// Bindings to return to at each iteration.
    pub mark: Mark,
    /// For `for`: the remaining solutions, as values of the frame's cells
    /// (`None` where a cell stays unbound).
    pub solutions: Option<VecDeque<Vec<Option<Term>>>>,
}

/// One plan instance on an intention's stack.
#[derive(Debug, Clone)]
pub struct IntendedMeans {
    /// The plan.
    pub plan: Arc<Plan>,
    /// Frame base of the plan's variables in the heap.
    pub base: u32,
    /// Heap position before the frame was allocated.
    pub mark: Mark,
    /// Next body step.
    pub pc: usize,
    /// Open loops, innermost last.
    pub loops: Vec<LoopState>,
    /// For a failure plan (`-!g`): the depth to cut the stack back to when
    /// it finishes.
    pub fail_depth: Option<usize>,
    /// Whether the event this means was chosen for was ground, so that its
    /// trigger is ground too (no bindings can flow back to the caller).
    pub ground_trigger: bool,
}

impl IntendedMeans {
    /// Whether the body has no more steps.
    pub fn finished(&self) -> bool {
        self.pc >= self.plan.body.len()
    }

    /// Whether this means is for an achievement goal addition (`+!g`).
    pub fn is_achieve(&self) -> bool {
        self.plan.trigger.op == TriggerOp::Add && self.plan.trigger.kind == GoalKind::Achieve
    }
}

/// What a suspended intention waits for.
#[derive(Debug, Clone)]
pub enum Wait {
    /// `.wait(Ms)`: resume at this time.
    Until(u64),
    /// `.wait("+b")` / `.wait("+b", Ms)`: resume when a matching event is
    /// generated; fail at the deadline.
    Event {
        /// `+` or `-`.
        op: TriggerOp,
        /// Belief, achievement or test.
        kind: GoalKind,
        /// Detached pattern.
        pattern: Term,
        /// Cells of the pattern.
        nvars: u32,
        /// Timeout.
        deadline: Option<u64>,
    },
    /// An ask with an answer variable: resume when the reply arrives.
    Reply {
        /// The ask's `reply_with` id.
        id: String,
        /// Where the answer goes (a data term in the intention's heap).
        answer: Term,
        /// When to give up and answer `timeout`.
        deadline: Option<u64>,
    },
}

impl Wait {
    /// The time at which this wait ends by itself, if any.
    pub fn deadline(&self) -> Option<u64> {
        match self {
            Wait::Until(t) => Some(*t),
            Wait::Event { deadline, .. } | Wait::Reply { deadline, .. } => *deadline,
        }
    }
}

/// An intention: a stack of intended means, the top one running.
#[derive(Debug, Clone)]
pub struct Intention {
    /// Unique id within the agent.
    pub id: u64,
    /// Intended means, bottom first.
    pub stack: Vec<IntendedMeans>,
    /// Bindings of every frame on the stack.
    pub heap: Heap,
    /// Set while suspended.
    pub wait: Option<Wait>,
}

impl Intention {
    /// An empty intention.
    pub fn new(id: u64) -> Intention {
        Intention {
            id,
            stack: Vec::new(),
            heap: Heap::new(),
            wait: None,
        }
    }

    /// Pushes a plan instance whose frame was allocated at `base` (after
    /// `mark`) and whose trigger is already unified.
    pub fn push(&mut self, plan: Arc<Plan>, base: u32, mark: Mark, fail_depth: Option<usize>) {
        self.push_means(plan, base, mark, fail_depth, false);
    }

    /// [`Intention::push`], saying whether the event was ground.
    pub fn push_means(
        &mut self,
        plan: Arc<Plan>,
        base: u32,
        mark: Mark,
        fail_depth: Option<usize>,
        ground_trigger: bool,
    ) {
        self.stack.push(IntendedMeans {
            plan,
            base,
            mark,
            pc: 0,
            loops: Vec::new(),
            fail_depth,
            ground_trigger,
        });
    }

    /// Pops the top intended means, freeing its frame when nothing older
    /// refers into it.
    pub fn pop(&mut self) -> Option<IntendedMeans> {
        let im = self.stack.pop()?;
        self.heap.pop_frame(im.base, im.mark.trail_len());
        Some(im)
    }

    /// Cuts the stack back to `depth` means, undoing every binding made
    /// since the means at `depth` was pushed (a failed goal's bindings do
    /// not survive its failure).
    pub fn cut_to(&mut self, depth: usize) {
        if let Some(im) = self.stack.get(depth) {
            let m = im.mark;
            self.stack.truncate(depth);
            self.heap.undo(m);
        }
    }

    /// The goals (`+!g` triggers) on the stack, resolved, bottom first.
    pub fn goals(&self) -> Vec<Term> {
        self.stack
            .iter()
            .filter(|im| im.is_achieve())
            .map(|im| self.heap.substitute(&im.plan.trigger.literal, im.base))
            .collect()
    }

    /// The trigger of the bottom intended means, as text (for reports).
    pub fn root_text(&self) -> String {
        match self.stack.first() {
            Some(im) => {
                let mut t = im.plan.trigger.clone();
                t.literal = self.heap.substitute(&t.literal, im.base);
                t.text()
            }
            None => String::new(),
        }
    }
}

//! Events: a triggering event and, for internal events (sub-goals, test
//! goals with plans, failures), the intention that is suspended on it.

use crate::intention::Intention;
use crate::plan::{GoalKind, TriggerOp};
use crate::term::Term;

/// A pending event.
#[derive(Debug)]
pub struct Event {
    /// `+` or `-`.
    pub op: TriggerOp,
    /// Belief, achievement or test.
    pub kind: GoalKind,
    /// The literal. With an intention its cells live in the intention's
    /// heap; without one it is detached with `nvars` cells.
    pub term: Term,
    /// Detached cell count (external events only).
    pub nvars: u32,
    /// The intention waiting for this event to be handled (internal
    /// events); `None` for external events, which start a new intention.
    pub intention: Option<Box<Intention>>,
    /// For `-!g` failure events: the stack depth of the failed goal's
    /// intended means; when the failure plan finishes, the intention is cut
    /// back to this depth (Jason's semantics).
    pub fail_depth: Option<usize>,
}

impl Event {
    /// An external event (no intention).
    pub fn external(op: TriggerOp, kind: GoalKind, term: Term, nvars: u32) -> Event {
        Event {
            op,
            kind,
            term,
            nvars,
            intention: None,
            fail_depth: None,
        }
    }

    /// The event as AgentSpeak text, e.g. `+!g(1)`.
    pub fn text(&self) -> String {
        crate::plan::Trigger {
            op: self.op,
            kind: self.kind,
            literal: self.term.clone(),
        }
        .text()
    }
}

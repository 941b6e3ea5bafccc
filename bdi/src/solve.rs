//! Logical consequence: evaluating formulas (plan contexts, rule bodies,
//! test goals, conditions of `if`/`while`/`for`) against the belief base
//! and rules by backtracking.
//!
//! The solver is written in continuation-passing style: `solve` calls `k`
//! once per solution with the bindings of that solution in the heap; `k`
//! returns `Ok(true)` to accept it (the bindings stay) or `Ok(false)` to
//! ask for the next one (the solver undoes and backtracks).

use std::collections::VecDeque;

use crate::actions::{self, registry::ActionRegistry};
use crate::belief_base::BeliefBase;
use crate::error::{ActionError, EvalError};
use crate::event::Event;
use crate::intention::{IntendedMeans, Intention};
use crate::rng::Rng;
use crate::symbol::Symbol;
use crate::term::{Expr, RelOp, Term};
use crate::unify::Heap;

/// Deepest nesting of rules and formulas before evaluation gives up with
/// [`ActionError::TooDeep`]. The solver recurses on the native stack; 400
/// levels fit with room to spare in the 2 MiB stacks of test and Tokio
/// worker threads even in unoptimised builds, where 1000 overflowed.
pub const MAX_DEPTH: u32 = 400;

/// The continuation: called once per solution.
pub type Cont<'k> = dyn FnMut(&mut Env<'_>, &mut Heap) -> Result<bool, ActionError> + 'k;

/// Intentions and events as seen by `.desire` and `.intend`.
#[derive(Clone, Copy)]
pub struct GoalView<'a> {
    /// Runnable intentions.
    pub active: &'a VecDeque<Box<Intention>>,
    /// Suspended intentions.
    pub waiting: &'a [Box<Intention>],
    /// Pending events (with the intentions suspended on them).
    pub events: &'a VecDeque<Event>,
    /// The stack of the intention being executed (its heap is the one
    /// being solved in).
    pub current: Option<&'a [IntendedMeans]>,
}

/// What formulas can see: beliefs, the agent's name, its random numbers,
/// custom actions, and its goals.
pub struct Env<'a> {
    /// Beliefs and rules.
    pub beliefs: &'a BeliefBase,
    /// The agent's name.
    pub name: Symbol,
    /// The agent's random numbers.
    pub rng: &'a mut Rng,
    /// Custom actions and functions.
    pub custom: &'a ActionRegistry,
    /// Goals, for `.desire` and `.intend`.
    pub goals: GoalView<'a>,
}

fn eval_err(e: EvalError) -> ActionError {
    ActionError::Eval(e)
}

/// Unifies and, on success, continues with `k`; undoes on failure or
/// when `k` asks for more.
pub fn unify_then(
    env: &mut Env<'_>,
    heap: &mut Heap,
    a: &Term,
    ba: u32,
    b: &Term,
    bb: u32,
    k: &mut Cont<'_>,
) -> Result<bool, ActionError> {
    let m = heap.mark();
    if heap.unify(a, ba, b, bb) {
        if k(env, heap)? {
            return Ok(true);
        }
    } else if let Some(e) = heap.take_error() {
        heap.undo(m);
        return Err(eval_err(e));
    }
    heap.undo(m);
    Ok(false)
}

/// Finds solutions of `goal` (clause code relative to `base`), calling `k`
/// for each. Returns `Ok(true)` when `k` accepted one.
pub fn solve(
    env: &mut Env<'_>,
    heap: &mut Heap,
    goal: &Term,
    base: u32,
    depth: u32,
    k: &mut Cont<'_>,
) -> Result<bool, ActionError> {
    if depth > MAX_DEPTH {
        return Err(ActionError::TooDeep(MAX_DEPTH));
    }
    // A variable goal is followed to its value (a copy); any other goal is
    // used in place.
    let walked;
    let (goal, base) = match goal {
        Term::Var(_) | Term::Ref(_) => {
            walked = heap.walk(goal, base);
            (&walked, 0)
        }
        _ => (goal, base),
    };
    match goal {
        Term::Atom(s) if *s == Symbol::TRUE => k(env, heap),
        Term::Atom(s) if *s == Symbol::FALSE => Ok(false),
        Term::Expr(e) => match &**e {
            Expr::And(a, b) => solve(env, heap, a, base, depth + 1, &mut |env, heap| {
                solve(env, heap, b, base, depth + 1, k)
            }),
            Expr::Or(a, b) => {
                if solve(env, heap, a, base, depth + 1, k)? {
                    return Ok(true);
                }
                solve(env, heap, b, base, depth + 1, k)
            }
            Expr::Not(a) => {
                let m = heap.mark();
                let found = solve(env, heap, a, base, depth + 1, &mut |_, _| Ok(true))?;
                heap.undo(m);
                if found { Ok(false) } else { k(env, heap) }
            }
            Expr::Rel(RelOp::Unify, a, b) => unify_then(env, heap, a, base, b, base, k),
            Expr::Rel(op, a, b) => {
                if heap.compare(*op, a, b, base).map_err(eval_err)? {
                    k(env, heap)
                } else {
                    Ok(false)
                }
            }
            Expr::Arith(..) | Expr::Neg(_) => Err(ActionError::BadArgument {
                action: "formula".into(),
                message: format!("{goal} is an arithmetic expression, not a formula"),
            }),
        },
        Term::Atom(_) | Term::Struct(_) => {
            let Some((functor, arity)) = goal.functor_arity() else {
                return Ok(false);
            };
            if functor.is_internal() {
                return actions::query::call(env, heap, functor, goal, base, depth, k);
            }
            if let Some(r) = env.custom.call(functor, goal, base, heap)? {
                return match r {
                    actions::registry::CustomOutcome::Fail => Ok(false),
                    actions::registry::CustomOutcome::Succeed => k(env, heap),
                    actions::registry::CustomOutcome::Unify(a, b) => {
                        unify_then(env, heap, &a, 0, &b, 0, k)
                    }
                };
            }
            query_beliefs(env, heap, goal, base, functor, arity, depth, k)
        }
        Term::Ref(_) => Err(eval_err(EvalError::Unbound)),
        other => Err(ActionError::BadArgument {
            action: "formula".into(),
            message: format!("{other} is not a formula"),
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn query_beliefs(
    env: &mut Env<'_>,
    heap: &mut Heap,
    goal: &Term,
    base: u32,
    functor: Symbol,
    arity: usize,
    depth: u32,
    k: &mut Cont<'_>,
) -> Result<bool, ActionError> {
    // Copy the shared reference out of `env` so the iteration does not
    // borrow `env`, which the continuation needs mutably.
    let beliefs: &BeliefBase = env.beliefs;
    let first = goal.args().first().map(|a| heap.walk(a, base));
    for belief in beliefs.candidates(functor, arity, first.as_ref()) {
        let m = heap.mark();
        let ok = if belief.nvars == 0 {
            heap.unify(goal, base, &belief.term, 0)
        } else {
            let t = heap.attach(&belief.term, belief.nvars);
            heap.unify(goal, base, &t, 0)
        };
        if ok && k(env, heap)? {
            return Ok(true);
        }
        heap.undo(m);
        if let Some(e) = heap.take_error() {
            return Err(eval_err(e));
        }
    }
    for rule in beliefs.rules(functor, arity) {
        let m = heap.mark();
        let rb = heap.alloc(rule.nvars);
        if heap.unify(goal, base, &rule.head, rb) && solve(env, heap, &rule.body, rb, depth + 1, k)?
        {
            return Ok(true);
        }
        heap.undo(m);
    }
    Ok(false)
}

/// The first solution of `goal`, keeping its bindings. `Ok(false)` when
/// there is none.
pub fn solve_first(
    env: &mut Env<'_>,
    heap: &mut Heap,
    goal: &Term,
    base: u32,
) -> Result<bool, ActionError> {
    solve(env, heap, goal, base, 0, &mut |_, _| Ok(true))
}

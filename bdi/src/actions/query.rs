//! Internal actions that are formulas: they bind variables (possibly with
//! several solutions, like `.member`) and have no effect on the agent
//! beyond its random numbers.

use crate::actions::{Kind, builtin, registry::CustomOutcome};
use crate::error::{ActionError, EvalError};
use crate::solve::{Cont, Env, solve, unify_then};
use crate::symbol::Symbol;
use crate::term::{Term, compare_terms};
use crate::unify::{Heap, detach};

fn bad(action: &str, message: impl Into<String>) -> ActionError {
    ActionError::BadArgument {
        action: action.to_string(),
        message: message.into(),
    }
}

fn list_arg(name: &str, t: &Term) -> Result<Vec<Term>, ActionError> {
    t.list_items()
        .ok_or_else(|| bad(name, format!("expected a list, got {t}")))
}

fn int_arg(name: &str, t: &Term) -> Result<i64, ActionError> {
    match t {
        Term::Int(i) => Ok(*i),
        Term::Float(f) if f.fract() == 0.0 => Ok(*f as i64),
        Term::Ref(_) => Err(ActionError::Eval(EvalError::Unbound)),
        other => Err(bad(name, format!("expected an integer, got {other}"))),
    }
}

fn text_of(t: &Term) -> String {
    match t {
        Term::Str(s) => s.to_string(),
        other => other.print_text(),
    }
}

/// Runs internal action `goal` (named `functor`) as a formula.
pub fn call(
    env: &mut Env<'_>,
    heap: &mut Heap,
    functor: Symbol,
    goal: &Term,
    base: u32,
    depth: u32,
    k: &mut Cont<'_>,
) -> Result<bool, ActionError> {
    let name = functor.as_str();
    let args = goal.args();
    match builtin(name) {
        Some((lo, hi, kind)) => {
            if args.len() < lo || args.len() > hi {
                return Err(ActionError::Unknown {
                    name: name.to_string(),
                    arity: args.len(),
                });
            }
            if kind == Kind::Control {
                return Err(bad(name, "can only be used as a plan body step"));
            }
        }
        None => {
            return match env.custom.call(functor, goal, base, heap)? {
                None => Err(ActionError::Unknown {
                    name: name.to_string(),
                    arity: args.len(),
                }),
                Some(CustomOutcome::Fail) => Ok(false),
                Some(CustomOutcome::Succeed) => k(env, heap),
                Some(CustomOutcome::Unify(a, b)) => unify_then(env, heap, &a, 0, &b, 0, k),
            };
        }
    }
    let arg = |heap: &mut Heap, i: usize| -> Result<Term, ActionError> {
        match args.get(i) {
            Some(a) => Ok(heap.resolve(a, base)?),
            None => Err(bad(name, "missing argument")),
        }
    };
    let out = |i: usize| args.get(i).cloned().unwrap_or(Term::Nil);
    match name {
        ".my_name" => unify_then(env, heap, &out(0), base, &Term::Atom(env.name), 0, k),
        ".member" => {
            let list = list_arg(name, &arg(heap, 1)?)?;
            for item in list {
                if unify_then(env, heap, &out(0), base, &item, 0, k)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        ".nth" => {
            let list = list_arg(name, &arg(heap, 1)?)?;
            match arg(heap, 0)? {
                Term::Ref(_) => {
                    for (i, item) in list.into_iter().enumerate() {
                        let m = heap.mark();
                        let idx = Term::Int(i64::try_from(i).unwrap_or(i64::MAX));
                        if heap.unify(&out(0), base, &idx, 0)
                            && unify_then(env, heap, &out(2), base, &item, 0, k)?
                        {
                            return Ok(true);
                        }
                        heap.undo(m);
                    }
                    Ok(false)
                }
                t => {
                    let i = int_arg(name, &t)?;
                    match usize::try_from(i).ok().and_then(|i| list.get(i)) {
                        Some(item) => unify_then(env, heap, &out(2), base, item, 0, k),
                        None => Err(bad(name, format!("index {i} out of range"))),
                    }
                }
            }
        }
        ".length" => {
            let n = match arg(heap, 0)? {
                Term::Str(s) => s.chars().count(),
                t => list_arg(name, &t)?.len(),
            };
            let n = Term::Int(i64::try_from(n).unwrap_or(i64::MAX));
            unify_then(env, heap, &out(1), base, &n, 0, k)
        }
        ".concat" => {
            let last = args.len() - 1;
            let mut parts = Vec::with_capacity(last);
            for i in 0..last {
                parts.push(arg(heap, i)?);
            }
            let result = if parts.iter().all(|p| p.list_items().is_some()) {
                Term::list(
                    parts
                        .iter()
                        .flat_map(|p| p.list_items().unwrap_or_default())
                        .collect::<Vec<_>>(),
                )
            } else {
                Term::string(&parts.iter().map(text_of).collect::<String>())
            };
            unify_then(env, heap, &out(last), base, &result, 0, k)
        }
        ".findall" => {
            let template = out(0);
            let query = out(1);
            let mut found = Vec::new();
            let m = heap.mark();
            solve(env, heap, &query, base, depth + 1, &mut |_, h| {
                found.push(h.resolve(&template, base)?);
                Ok(false)
            })?;
            heap.undo(m);
            unify_then(env, heap, &out(2), base, &Term::list(found), 0, k)
        }
        ".count" => {
            let mut n: i64 = 0;
            let m = heap.mark();
            solve(env, heap, &out(0), base, depth + 1, &mut |_, _| {
                n += 1;
                Ok(false)
            })?;
            heap.undo(m);
            unify_then(env, heap, &out(1), base, &Term::Int(n), 0, k)
        }
        ".min" | ".max" => {
            let list = list_arg(name, &arg(heap, 0)?)?;
            let pick = if name == ".min" {
                list.into_iter().min_by(compare_terms)
            } else {
                list.into_iter().max_by(compare_terms)
            };
            match pick {
                Some(v) => unify_then(env, heap, &out(1), base, &v, 0, k),
                None => Ok(false),
            }
        }
        ".sort" => {
            let mut list = list_arg(name, &arg(heap, 0)?)?;
            list.sort_by(compare_terms);
            unify_then(env, heap, &out(1), base, &Term::list(list), 0, k)
        }
        ".reverse" => {
            let r = match arg(heap, 0)? {
                Term::Str(s) => Term::string(&s.chars().rev().collect::<String>()),
                t => {
                    let mut l = list_arg(name, &t)?;
                    l.reverse();
                    Term::list(l)
                }
            };
            unify_then(env, heap, &out(1), base, &r, 0, k)
        }
        ".random" => {
            if args.len() == 2 {
                let list = list_arg(name, &arg(heap, 0)?)?;
                if list.is_empty() {
                    return Ok(false);
                }
                let i = env.rng.below(list.len());
                let pick = list[i].clone();
                unify_then(env, heap, &out(1), base, &pick, 0, k)
            } else {
                let x = Term::Float(env.rng.next_f64());
                unify_then(env, heap, &out(0), base, &x, 0, k)
            }
        }
        ".desire" | ".intend" => {
            let goals = collect_goals(env, heap, name == ".desire");
            for (g, n) in goals {
                let g = heap.attach(&g, n);
                if unify_then(env, heap, &out(0), base, &g, 0, k)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        ".ground" => {
            let t = arg(heap, 0)?;
            if contains_ref(&t) {
                Ok(false)
            } else {
                k(env, heap)
            }
        }
        ".atom" | ".number" | ".string" | ".list" | ".structure" | ".literal" => {
            let t = arg(heap, 0)?;
            let yes = match name {
                ".atom" => matches!(t, Term::Atom(_)),
                ".number" => matches!(t, Term::Int(_) | Term::Float(_)),
                ".string" => matches!(t, Term::Str(_)),
                ".list" => matches!(t, Term::Nil | Term::Cons(_)),
                ".structure" => matches!(
                    t,
                    Term::Atom(_) | Term::Struct(_) | Term::Nil | Term::Cons(_)
                ),
                _ => t.is_literal(),
            };
            if yes { k(env, heap) } else { Ok(false) }
        }
        ".term2string" => {
            let t = arg(heap, 0)?;
            if matches!(t, Term::Ref(_)) {
                let s = match arg(heap, 1)? {
                    Term::Str(s) => s,
                    other => return Err(bad(name, format!("expected a string, got {other}"))),
                };
                let (parsed, n) =
                    crate::parser::parse_term(&s).map_err(|e| bad(name, e.message))?;
                let parsed = heap.attach(&parsed, n);
                unify_then(env, heap, &out(0), base, &parsed, 0, k)
            } else {
                let s = Term::string(&t.to_string());
                unify_then(env, heap, &out(1), base, &s, 0, k)
            }
        }
        ".substring" => {
            let needle = text_of(&arg(heap, 0)?);
            let hay = text_of(&arg(heap, 1)?);
            if args.len() == 2 {
                return if hay.contains(&needle) {
                    k(env, heap)
                } else {
                    Ok(false)
                };
            }
            let mut start = 0;
            while let Some(pos) = hay.get(start..).and_then(|h| h.find(&needle)) {
                let at = start + pos;
                let chars = hay.get(..at).map_or(0, |p| p.chars().count());
                let pos_t = Term::Int(i64::try_from(chars).unwrap_or(i64::MAX));
                if unify_then(env, heap, &out(2), base, &pos_t, 0, k)? {
                    return Ok(true);
                }
                start = at + needle.len().max(1);
                if start > hay.len() {
                    break;
                }
            }
            Ok(false)
        }
        ".range" => {
            let lo = int_arg(name, &arg(heap, 1)?)?;
            let hi = int_arg(name, &arg(heap, 2)?)?;
            for i in lo..=hi {
                if unify_then(env, heap, &out(0), base, &Term::Int(i), 0, k)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(ActionError::Unknown {
            name: name.to_string(),
            arity: args.len(),
        }),
    }
}

fn contains_ref(t: &Term) -> bool {
    if !t.is_open() {
        return false;
    }
    match t {
        Term::Ref(_) | Term::Var(_) => true,
        Term::Struct(s) => s.args().iter().chain(s.annots().iter()).any(contains_ref),
        Term::Cons(_) => {
            let mut cur = t;
            while let Term::Cons(c) = cur {
                if contains_ref(&c.0) {
                    return true;
                }
                cur = &c.1;
            }
            contains_ref(cur)
        }
        _ => false,
    }
}

/// Goals of every intention (and, for desires, of pending achievement
/// events), detached so they can be attached to the asking heap.
fn collect_goals(env: &Env<'_>, heap: &Heap, desires: bool) -> Vec<(Term, u32)> {
    use crate::plan::{GoalKind, TriggerOp};
    let mut out = Vec::new();
    if let Some(stack) = env.goals.current {
        for im in stack.iter().filter(|im| im.is_achieve()) {
            out.push(detach(&heap.substitute(&im.plan.trigger.literal, im.base)));
        }
    }
    let others = env.goals.active.iter().chain(env.goals.waiting.iter());
    for int in others {
        out.extend(int.goals().iter().map(detach));
    }
    for ev in env.goals.events.iter() {
        if let Some(int) = &ev.intention {
            out.extend(int.goals().iter().map(detach));
        }
        if desires && ev.op == TriggerOp::Add && ev.kind == GoalKind::Achieve {
            match &ev.intention {
                Some(int) => out.push(detach(&int.heap.substitute(&ev.term, 0))),
                None => out.push((ev.term.clone(), ev.nvars)),
            }
        }
    }
    out
}

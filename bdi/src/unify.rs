//! The binding store and unification.
//!
//! Each intention owns one [`Heap`]: a stack of variable cells. Instantiating
//! a plan or rule allocates one contiguous frame of cells for its clause
//! variables, so clause code is never copied or renamed: a [`Term::Var`]`(i)`
//! inside a clause instantiated at `base` *is* cell `base + i`. Values put
//! into cells are data terms (no `Var`; [`Term::Ref`] for what is unbound),
//! so a binding can be read without knowing which frame made it, and a
//! sub-goal that binds a variable of its caller does so directly.
//!
//! Every binding is recorded on a trail so that backtracking (in contexts,
//! rules and loops) undoes exactly what it did. Annotations unify with
//! Jason's subset semantics: the annotations of the left term must each
//! unify with some annotation of the right term.

use std::borrow::Cow;

use crate::error::EvalError;
use crate::term::{Expr, Term};

/// A position on the heap to return to when backtracking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    trail: usize,
    cells: usize,
}

impl Mark {
    /// Trail length at the mark.
    pub fn trail_len(&self) -> usize {
        self.trail
    }
}

/// Variable cells, their trail and the last evaluation error.
#[derive(Debug, Default, Clone)]
pub struct Heap {
    cells: Vec<Option<Term>>,
    trail: Vec<u32>,
    error: Option<Box<EvalError>>,
}

/// A dereferenced term: an unbound cell, or a value (with the base its
/// clause variables are relative to).
/// A variable followed to its value by reference ([`Heap::lookup`]).
pub(crate) enum Looked<'a> {
    Unbound(u32),
    Bound(&'a Term, u32),
}

pub(crate) enum Deref<'t> {
    Unbound(u32),
    // Borrowed when the term was not a variable: dereferencing a
    // structure then costs no reference-count traffic.
    Bound(Cow<'t, Term>, u32),
}

impl Heap {
    /// An empty heap.
    pub fn new() -> Heap {
        Heap::default()
    }

    /// Allocates `n` fresh unbound cells and returns the first one's index
    /// (the frame base for a clause with `n` variables).
    pub fn alloc(&mut self, n: u32) -> u32 {
        let base = self.len();
        self.cells.resize(self.cells.len() + n as usize, None);
        base
    }

    /// Forgets every cell and binding, keeping the allocations.
    pub fn clear(&mut self) {
        self.cells.clear();
        self.trail.clear();
        self.error = None;
    }

    /// Number of cells.
    pub fn len(&self) -> u32 {
        u32::try_from(self.cells.len()).unwrap_or(u32::MAX)
    }

    /// Whether no cell is allocated.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The current position, for [`Heap::undo`].
    pub fn mark(&self) -> Mark {
        Mark {
            trail: self.trail.len(),
            cells: self.cells.len(),
        }
    }

    /// Undoes every binding made since `m` and frees cells allocated since.
    pub fn undo(&mut self, m: Mark) {
        while self.trail.len() > m.trail {
            if let Some(c) = self.trail.pop()
                && let Some(cell) = self.cells.get_mut(c as usize)
            {
                *cell = None;
            }
        }
        self.cells.truncate(m.cells);
    }

    /// Takes the error recorded by the last failed evaluation, if any.
    pub fn take_error(&mut self) -> Option<EvalError> {
        self.error.take().map(|e| *e)
    }

    fn bind(&mut self, cell: u32, value: Term) {
        if let Some(c) = self.cells.get_mut(cell as usize) {
            *c = Some(value);
            self.trail.push(cell);
        }
    }

    /// Binds cell `cell` (unbound) to a data value. Used by loops that
    /// replay a solution.
    pub(crate) fn bind_cell(&mut self, cell: u32, value: Term) {
        self.bind(cell, value);
    }

    /// The value of a cell, if bound (one step, no dereferencing).
    pub(crate) fn cell(&self, cell: u32) -> Option<&Term> {
        self.cells.get(cell as usize).and_then(Option::as_ref)
    }

    pub(crate) fn deref<'t>(&self, t: &'t Term, base: u32) -> Deref<'t> {
        let mut cell = match t {
            Term::Var(i) => base.wrapping_add(*i),
            Term::Ref(c) => *c,
            _ => return Deref::Bound(Cow::Borrowed(t), base),
        };
        loop {
            match self.cells.get(cell as usize) {
                Some(Some(Term::Ref(next))) if *next != cell => cell = *next,
                Some(Some(v)) => return Deref::Bound(Cow::Owned(v.clone()), 0),
                _ => return Deref::Unbound(cell),
            }
        }
    }

    /// Follows variables without cloning anything: the value `t` stands
    /// for, borrowed from `t` itself or from the cells.
    pub(crate) fn lookup<'a>(&'a self, t: &'a Term, base: u32) -> Looked<'a> {
        let mut cell = match t {
            Term::Var(i) => base.wrapping_add(*i),
            Term::Ref(c) => *c,
            _ => return Looked::Bound(t, base),
        };
        loop {
            match self.cells.get(cell as usize) {
                Some(Some(Term::Ref(next))) if *next != cell => cell = *next,
                Some(Some(v)) => return Looked::Bound(v, 0),
                _ => return Looked::Unbound(cell),
            }
        }
    }

    /// The value of `t` one level deep: variables followed to their value
    /// (or to the unbound cell as a `Ref`).
    pub fn walk(&self, t: &Term, base: u32) -> Term {
        match self.deref(t, base) {
            Deref::Unbound(c) => Term::Ref(c),
            Deref::Bound(v, _) => v.into_owned(),
        }
    }

    /// Unifies `a` (clause variables relative to `ba`) with `b` (relative
    /// to `bb`). On failure some bindings may remain: callers that continue
    /// after a failure take a [`Heap::mark`] first and [`Heap::undo`].
    /// An arithmetic error fails the unification and is kept for
    /// [`Heap::take_error`].
    pub fn unify(&mut self, a: &Term, ba: u32, b: &Term, bb: u32) -> bool {
        // Fast path, the usual one when a trigger meets an event: an
        // unbound variable against a closed value binds without copying
        // anything but the value itself.
        if let (Term::Var(_) | Term::Ref(_), false) = (a, b.is_open())
            && let Looked::Unbound(x) = self.lookup(a, ba)
        {
            self.bind(x, b.clone());
            return true;
        }
        match (self.deref(a, ba), self.deref(b, bb)) {
            (Deref::Unbound(x), Deref::Unbound(y)) => {
                // Younger cells point at older ones so that popping a
                // frame rarely leaves older cells referring into it.
                if x > y {
                    self.bind(x, Term::Ref(y));
                } else if y > x {
                    self.bind(y, Term::Ref(x));
                }
                true
            }
            (Deref::Unbound(x), Deref::Bound(t, bt)) | (Deref::Bound(t, bt), Deref::Unbound(x)) => {
                match self.resolve(&t, bt) {
                    Ok(v) => {
                        self.bind(x, v);
                        true
                    }
                    Err(e) => {
                        self.error = Some(Box::new(e));
                        false
                    }
                }
            }
            (Deref::Bound(s, bs), Deref::Bound(t, bt)) => self.unify_values(&s, bs, &t, bt),
        }
    }

    fn unify_values(&mut self, a: &Term, ba: u32, b: &Term, bb: u32) -> bool {
        match (a, b) {
            (Term::Expr(e), _) if is_arith(e) => match self.eval(a, ba) {
                Ok(v) => self.unify(&v, 0, b, bb),
                Err(err) => {
                    self.error = Some(Box::new(err));
                    false
                }
            },
            (_, Term::Expr(e)) if is_arith(e) => match self.eval(b, bb) {
                Ok(v) => self.unify(a, ba, &v, 0),
                Err(err) => {
                    self.error = Some(Box::new(err));
                    false
                }
            },
            (Term::Atom(x), Term::Atom(y)) => x == y,
            (Term::Atom(x), Term::Struct(s)) => s.args().is_empty() && s.functor == *x,
            (Term::Struct(s), Term::Atom(y)) => {
                s.args().is_empty() && s.annots().is_empty() && s.functor == *y
            }
            (Term::Int(x), Term::Int(y)) => x == y,
            (Term::Int(_) | Term::Float(_), Term::Int(_) | Term::Float(_)) => {
                a.as_f64() == b.as_f64()
            }
            (Term::Str(x), Term::Str(y)) => x == y,
            (Term::Nil, Term::Nil) => true,
            (Term::Cons(_), Term::Cons(_)) => {
                // Along the spine iteratively; only a tail reached through
                // a variable costs a (bounded) recursive call.
                let (mut x, mut y) = (a, b);
                while let (Term::Cons(p), Term::Cons(q)) = (x, y) {
                    if !self.unify(&p.0, ba, &q.0, bb) {
                        return false;
                    }
                    x = &p.1;
                    y = &q.1;
                }
                self.unify(x, ba, y, bb)
            }
            (Term::Struct(x), Term::Struct(y)) => {
                if x.functor != y.functor || x.args().len() != y.args().len() {
                    return false;
                }
                for (p, q) in x.args().iter().zip(y.args().iter()) {
                    if !self.unify(p, ba, q, bb) {
                        return false;
                    }
                }
                self.annots_subset(x.annots(), ba, y.annots(), bb)
            }
            (Term::Expr(x), Term::Expr(y)) => std::sync::Arc::ptr_eq(x, y),
            _ => false,
        }
    }

    /// Each annotation of `sub` must unify with some annotation of `sup`.
    fn annots_subset(&mut self, sub: &[Term], bs: u32, sup: &[Term], bp: u32) -> bool {
        'outer: for a in sub {
            for b in sup {
                let m = self.mark();
                if self.unify(a, bs, b, bp) {
                    continue 'outer;
                }
                self.undo(m);
            }
            return false;
        }
        true
    }

    /// `t` as a data term: variables replaced by their values (unbound ones
    /// by `Ref`), arithmetic evaluated. Logical and relational expressions
    /// stay expressions with their operands substituted.
    pub fn resolve(&self, t: &Term, base: u32) -> Result<Term, EvalError> {
        if !t.is_open() {
            return Ok(t.clone());
        }
        match t {
            Term::Var(_) | Term::Ref(_) => match self.lookup(t, base) {
                Looked::Unbound(c) => Ok(Term::Ref(c)),
                Looked::Bound(v, b) => self.resolve(v, b),
            },
            Term::Struct(s) => {
                let nargs = s.args().len();
                match (s.args(), s.annots()) {
                    ([a], []) | ([], [a]) => {
                        Ok(Term::from_one(s.functor, self.resolve(a, base)?, nargs))
                    }
                    ([a, b], []) | ([a], [b]) | ([], [a, b]) => {
                        let a = self.resolve(a, base)?;
                        let b = self.resolve(b, base)?;
                        Ok(Term::from_two(s.functor, a, b, nargs))
                    }
                    (args, annots) => {
                        let mut terms = Vec::with_capacity(args.len() + annots.len());
                        for a in args.iter().chain(annots.iter()) {
                            terms.push(self.resolve(a, base)?);
                        }
                        Ok(Term::from_parts(s.functor, terms, nargs))
                    }
                }
            }
            Term::Cons(_) => {
                let mut items = Vec::new();
                let mut cur = t.clone();
                let mut cur_base = base;
                loop {
                    match cur {
                        Term::Cons(c) => {
                            items.push(self.resolve(&c.0, cur_base)?);
                            cur = c.1.clone();
                        }
                        Term::Var(_) | Term::Ref(_) => match self.deref(&cur, cur_base) {
                            Deref::Unbound(c) => {
                                cur = Term::Ref(c);
                                break;
                            }
                            Deref::Bound(v, b) => {
                                cur = v.into_owned();
                                cur_base = b;
                            }
                        },
                        other => {
                            cur = self.resolve(&other, cur_base)?;
                            break;
                        }
                    }
                }
                Ok(Term::list_with_tail(items, cur))
            }
            Term::Expr(e) => match &**e {
                Expr::Arith(..) | Expr::Neg(_) => self.eval(t, base),
                _ => Ok(self.substitute(t, base)),
            },
            other => Ok(other.clone()),
        }
    }

    /// Whether `t` (relative to `base`) has no unbound variable, without
    /// building anything.
    pub fn is_ground(&self, t: &Term, base: u32) -> bool {
        if !t.is_open() {
            return true;
        }
        match t {
            Term::Var(_) | Term::Ref(_) => match self.lookup(t, base) {
                Looked::Unbound(_) => false,
                Looked::Bound(v, b) => self.is_ground(v, b),
            },
            Term::Struct(s) => s
                .args()
                .iter()
                .chain(s.annots().iter())
                .all(|a| self.is_ground(a, base)),
            Term::Cons(_) => {
                let mut cur = t;
                let mut cur_base = base;
                loop {
                    match cur {
                        Term::Cons(c) => {
                            if !self.is_ground(&c.0, cur_base) {
                                return false;
                            }
                            cur = &c.1;
                        }
                        Term::Var(_) | Term::Ref(_) => match self.lookup(cur, cur_base) {
                            Looked::Unbound(_) => return false,
                            Looked::Bound(v, b) => {
                                cur = v;
                                cur_base = b;
                            }
                        },
                        other => return self.is_ground(other, cur_base),
                    }
                }
            }
            Term::Expr(_) => false,
            _ => true,
        }
    }

    /// Like [`Heap::resolve`] but never evaluates: expressions are kept with
    /// their variables substituted. Used for terms that are formulas.
    pub fn substitute(&self, t: &Term, base: u32) -> Term {
        if !t.is_open() {
            return t.clone();
        }
        match t {
            Term::Var(_) | Term::Ref(_) => match self.lookup(t, base) {
                Looked::Unbound(c) => Term::Ref(c),
                Looked::Bound(v, b) => self.substitute(v, b),
            },
            Term::Struct(s) => Term::structure(
                s.functor,
                s.args().iter().map(|a| self.substitute(a, base)).collect(),
                s.annots()
                    .iter()
                    .map(|a| self.substitute(a, base))
                    .collect(),
            ),
            Term::Cons(_) => {
                let mut items = Vec::new();
                let mut cur = t;
                let mut cur_base = base;
                let tail = loop {
                    match cur {
                        Term::Cons(c) => {
                            items.push(self.substitute(&c.0, cur_base));
                            cur = &c.1;
                        }
                        Term::Var(_) | Term::Ref(_) => match self.lookup(cur, cur_base) {
                            Looked::Unbound(c) => break Term::Ref(c),
                            Looked::Bound(v, b) => {
                                cur = v;
                                cur_base = b;
                            }
                        },
                        other => break self.substitute(other, cur_base),
                    }
                };
                Term::list_with_tail(items, tail)
            }
            Term::Expr(e) => {
                let s = |x: &Term| self.substitute(x, base);
                Term::expr(match &**e {
                    Expr::Arith(op, a, b) => Expr::Arith(*op, s(a), s(b)),
                    Expr::Neg(a) => Expr::Neg(s(a)),
                    Expr::Rel(op, a, b) => Expr::Rel(*op, s(a), s(b)),
                    Expr::And(a, b) => Expr::And(s(a), s(b)),
                    Expr::Or(a, b) => Expr::Or(s(a), s(b)),
                    Expr::Not(a) => Expr::Not(s(a)),
                })
            }
            other => other.clone(),
        }
    }

    /// Copies a detached data term (cells numbered from 0, see [`detach`])
    /// into this heap on `n` fresh cells.
    pub fn attach(&mut self, t: &Term, n: u32) -> Term {
        if n == 0 {
            return t.clone();
        }
        let base = self.alloc(n);
        shift_refs(t, base)
    }

    /// Called when the frame at `base` (allocated when the trail was at
    /// `trail_mark`) is finished: frees its cells unless a binding of an
    /// older cell still refers into it.
    pub(crate) fn pop_frame(&mut self, base: u32, trail_mark: usize) {
        if trail_mark > self.trail.len() || base > self.len() {
            return;
        }
        if self.trail[trail_mark..].iter().all(|c| *c >= base) {
            // Nothing older was bound: the common case, no copying.
            self.cells.truncate(base as usize);
            self.trail.truncate(trail_mark);
            return;
        }
        let outer: Vec<u32> = self.trail[trail_mark..]
            .iter()
            .copied()
            .filter(|c| *c < base)
            .collect();
        for &c in &outer {
            let Some(v) = self.cell(c).cloned() else {
                continue;
            };
            let r = self.substitute(&v, 0);
            if max_ref(&r).is_some_and(|m| m >= base) {
                return;
            }
            if let Some(slot) = self.cells.get_mut(c as usize) {
                *slot = Some(r);
            }
        }
        self.cells.truncate(base as usize);
        self.trail.truncate(trail_mark);
        self.trail.extend(outer);
    }

    /// Position of the trail (for frames).
    #[cfg(test)]
    pub(crate) fn trail_len(&self) -> usize {
        self.trail.len()
    }
}

fn is_arith(e: &Expr) -> bool {
    matches!(e, Expr::Arith(..) | Expr::Neg(_))
}

fn max_ref(t: &Term) -> Option<u32> {
    if !t.is_open() {
        return None;
    }
    match t {
        Term::Ref(c) => Some(*c),
        Term::Struct(s) => s
            .args()
            .iter()
            .chain(s.annots().iter())
            .filter_map(max_ref)
            .max(),
        Term::Cons(_) => {
            let mut m = None;
            let mut cur = t;
            while let Term::Cons(c) = cur {
                m = m.max(max_ref(&c.0));
                cur = &c.1;
            }
            m.max(max_ref(cur))
        }
        Term::Expr(e) => match &**e {
            Expr::Arith(_, a, b) | Expr::Rel(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                max_ref(a).max(max_ref(b))
            }
            Expr::Neg(a) | Expr::Not(a) => max_ref(a),
        },
        _ => None,
    }
}

fn map_refs(t: &Term, f: &mut dyn FnMut(u32) -> Term) -> Term {
    if !t.is_open() {
        return t.clone();
    }
    match t {
        Term::Ref(c) => f(*c),
        Term::Struct(s) => {
            let args = s.args().iter().map(|a| map_refs(a, f)).collect();
            let annots = s.annots().iter().map(|a| map_refs(a, f)).collect();
            Term::structure(s.functor, args, annots)
        }
        Term::Cons(_) => {
            let mut items = Vec::new();
            let mut cur = t;
            while let Term::Cons(c) = cur {
                items.push(map_refs(&c.0, f));
                cur = &c.1;
            }
            let tail = map_refs(cur, f);
            Term::list_with_tail(items, tail)
        }
        Term::Expr(e) => {
            let mut m = |x: &Term| map_refs(x, f);
            Term::expr(match &**e {
                Expr::Arith(op, a, b) => Expr::Arith(*op, m(a), m(b)),
                Expr::Neg(a) => Expr::Neg(m(a)),
                Expr::Rel(op, a, b) => Expr::Rel(*op, m(a), m(b)),
                Expr::And(a, b) => Expr::And(m(a), m(b)),
                Expr::Or(a, b) => Expr::Or(m(a), m(b)),
                Expr::Not(a) => Expr::Not(m(a)),
            })
        }
        other => other.clone(),
    }
}

fn shift_refs(t: &Term, base: u32) -> Term {
    map_refs(t, &mut |c| Term::Ref(c.saturating_add(base)))
}

/// Renumbers the unbound cells of a resolved data term from 0, so it can
/// leave its heap (become a belief, an event of a new intention, a
/// message). Returns the term and how many cells it needs.
pub fn detach(t: &Term) -> (Term, u32) {
    if !t.is_open() {
        return (t.clone(), 0);
    }
    let mut seen: Vec<u32> = Vec::new();
    let out = map_refs(t, &mut |c| {
        let i = match seen.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                seen.push(c);
                seen.len() - 1
            }
        };
        Term::Ref(u32::try_from(i).unwrap_or(u32::MAX))
    });
    (out, u32::try_from(seen.len()).unwrap_or(u32::MAX))
}

/// Turns the clause variables of a parsed term (`Var(i)`) into detached
/// cells (`Ref(i)`), for terms read from messages or given by the host.
pub fn vars_to_refs(t: &Term) -> Term {
    if !t.is_open() {
        return t.clone();
    }
    match t {
        Term::Var(i) => Term::Ref(*i),
        Term::Struct(s) => Term::structure(
            s.functor,
            s.args().iter().map(vars_to_refs).collect(),
            s.annots().iter().map(vars_to_refs).collect(),
        ),
        Term::Cons(_) => {
            let mut items = Vec::new();
            let mut cur = t;
            while let Term::Cons(c) = cur {
                items.push(vars_to_refs(&c.0));
                cur = &c.1;
            }
            Term::list_with_tail(items, vars_to_refs(cur))
        }
        Term::Expr(e) => Term::expr(match &**e {
            Expr::Arith(op, a, b) => Expr::Arith(*op, vars_to_refs(a), vars_to_refs(b)),
            Expr::Neg(a) => Expr::Neg(vars_to_refs(a)),
            Expr::Rel(op, a, b) => Expr::Rel(*op, vars_to_refs(a), vars_to_refs(b)),
            Expr::And(a, b) => Expr::And(vars_to_refs(a), vars_to_refs(b)),
            Expr::Or(a, b) => Expr::Or(vars_to_refs(a), vars_to_refs(b)),
            Expr::Not(a) => Expr::Not(vars_to_refs(a)),
        }),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbol::Symbol;

    fn f(args: Vec<Term>) -> Term {
        Term::compound("f", args)
    }
    fn src(n: &str) -> Term {
        Term::compound("source", vec![Term::atom(n)])
    }

    #[test]
    fn binds_clause_variables_relative_to_their_frame() {
        let mut h = Heap::new();
        let b1 = h.alloc(2);
        let b2 = h.alloc(1);
        // f(X, Y) at b1 = f(1, Z) at b2
        assert!(h.unify(
            &f(vec![Term::Var(0), Term::Var(1)]),
            b1,
            &f(vec![Term::Int(1), Term::Var(0)]),
            b2
        ));
        assert_eq!(
            h.resolve(&Term::Var(0), b1).ok().map(|t| t.to_string()),
            Some("1".into())
        );
        // Y and Z are now the same variable: binding Z binds Y.
        assert!(h.unify(&Term::Var(0), b2, &Term::atom("k"), 0));
        assert_eq!(
            h.resolve(&Term::Var(1), b1).ok().map(|t| t.to_string()),
            Some("k".into())
        );
    }

    #[test]
    fn undo_restores_bindings() {
        let mut h = Heap::new();
        let b = h.alloc(1);
        let m = h.mark();
        assert!(h.unify(&Term::Var(0), b, &Term::Int(3), 0));
        h.undo(m);
        assert!(h.unify(&Term::Var(0), b, &Term::Int(4), 0));
        assert_eq!(
            h.resolve(&Term::Var(0), b).ok().map(|t| t.to_string()),
            Some("4".into())
        );
    }

    #[test]
    fn lists_unify_head_and_tail() {
        let mut h = Heap::new();
        let b = h.alloc(2);
        let pat = Term::list_with_tail([Term::Var(0)], Term::Var(1));
        let l = Term::list([Term::Int(1), Term::Int(2), Term::Int(3)]);
        assert!(h.unify(&pat, b, &l, 0));
        assert_eq!(
            h.resolve(&Term::Var(1), b).ok().map(|t| t.to_string()),
            Some("[2, 3]".into())
        );
        assert!(!h.unify(&Term::Nil, 0, &l, 0));
    }

    #[test]
    fn annotations_use_subset_semantics() {
        let mut h = Heap::new();
        let b = h.alloc(1);
        let belief = Term::structure(
            Symbol::intern("b"),
            vec![Term::Int(1)],
            vec![src("self"), src("bob")],
        );
        let pattern = Term::structure(Symbol::intern("b"), vec![Term::Int(1)], vec![src("bob")]);
        assert!(h.unify(&pattern, 0, &belief, 0));
        // No annotations in the pattern: matches anything.
        assert!(h.unify(&f(vec![]).with_annots(vec![]), 0, &Term::atom("f"), 0));
        // Pattern with an annotation the belief lacks: no match.
        let m = h.mark();
        let p2 = Term::structure(Symbol::intern("b"), vec![Term::Int(1)], vec![src("carol")]);
        assert!(!h.unify(&p2, 0, &belief, 0));
        h.undo(m);
        // A variable annotation binds to a matching annotation.
        let p3 = Term::structure(
            Symbol::intern("b"),
            vec![Term::Int(1)],
            vec![Term::compound("source", vec![Term::Var(0)])],
        );
        assert!(h.unify(&p3, b, &belief, 0));
        assert_eq!(
            h.resolve(&Term::Var(0), b).ok().map(|t| t.to_string()),
            Some("self".into())
        );
    }

    #[test]
    fn numbers_unify_by_value_and_expressions_evaluate() {
        let mut h = Heap::new();
        assert!(h.unify(&Term::Int(1), 0, &Term::Float(1.0), 0));
        let b = h.alloc(1);
        let e = Term::expr(Expr::Arith(
            crate::term::ArithOp::Add,
            Term::Int(1),
            Term::Int(2),
        ));
        assert!(h.unify(&Term::Var(0), b, &e, b));
        assert_eq!(
            h.resolve(&Term::Var(0), b).ok().map(|t| t.to_string()),
            Some("3".into())
        );
        let bad = Term::expr(Expr::Arith(
            crate::term::ArithOp::Add,
            Term::string("a"),
            Term::Int(2),
        ));
        let c = h.alloc(1);
        assert!(!h.unify(&Term::Var(0), c, &bad, c));
        assert!(matches!(h.take_error(), Some(EvalError::Type { .. })));
    }

    #[test]
    fn detach_and_attach_renumber_cells() {
        let t = f(vec![Term::Ref(7), Term::Ref(3), Term::Ref(7)]);
        let (d, n) = detach(&t);
        assert_eq!(n, 2);
        assert_eq!(d.to_string(), "f(_0, _1, _0)");
        let mut h = Heap::new();
        h.alloc(5);
        let a = h.attach(&d, n);
        assert_eq!(a.to_string(), "f(_5, _6, _5)");
    }

    #[test]
    fn popping_a_frame_keeps_outer_bindings_alive() {
        let mut h = Heap::new();
        let parent = h.alloc(1);
        let mark = h.trail_len();
        let child = h.alloc(1);
        // Parent's X = g(Child's Y), then Y = 5.
        assert!(h.unify(
            &Term::Var(0),
            parent,
            &Term::compound("g", vec![Term::Var(0)]),
            child
        ));
        assert!(h.unify(&Term::Var(0), child, &Term::Int(5), 0));
        h.pop_frame(child, mark);
        assert_eq!(h.len(), 1);
        assert_eq!(
            h.resolve(&Term::Var(0), parent).ok().map(|t| t.to_string()),
            Some("g(5)".into())
        );
    }
}

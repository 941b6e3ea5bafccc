//! Terms: atoms, numbers, strings, variables, structures with annotations,
//! lists and (unevaluated) expressions, plus their AgentSpeak text form.
//!
//! Terms are immutable and cheap to clone: compound terms sit behind `Arc`,
//! so copying a belief or an event is a reference-count bump. Variables come
//! in two kinds, which is what lets unification work without renaming whole
//! plans (see [`crate::unify`]):
//!
//! * [`Term::Var`] is a variable of program code (a plan or rule), numbered
//!   from 0 within its clause and only meaningful relative to the frame the
//!   clause was instantiated at;
//! * [`Term::Ref`] is an absolute cell of a binding store. Data terms
//!   (beliefs, events, messages) contain no `Var`, only `Ref` for whatever
//!   is still unbound; a detached data term numbers its `Ref`s from 0.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::symbol::Symbol;

/// An AgentSpeak term.
#[derive(Clone, Debug)]
pub enum Term {
    /// An atom such as `a`, `true` or `~rain` (strong negation is part of
    /// the name).
    Atom(Symbol),
    /// An integer. Jason distinguishes integral and real numbers in output;
    /// we also keep them apart in arithmetic.
    Int(i64),
    /// A floating point number.
    Float(f64),
    /// A string literal.
    Str(Arc<str>),
    /// A clause-local variable (code only), numbered within its clause.
    Var(u32),
    /// An absolute binding-store cell (data terms only).
    Ref(u32),
    /// A structure `f(args)[annots]`, or an annotated atom `b[annots]`.
    Struct(Arc<Structure>),
    /// The empty list `[]`.
    Nil,
    /// A list cell `[Head|Tail]`.
    Cons(Arc<ConsCell>),
    /// An arithmetic, relational or logical expression, evaluated when the
    /// term is used.
    Expr(Arc<Expr>),
}

/// A list cell: head, tail, and whether either holds variables, cells or
/// expressions. Long lists are dropped, compared and walked iteratively,
/// never by recursion along the tail, so a list of any length (say from a
/// message) cannot overflow the stack.
#[derive(Debug)]
pub struct ConsCell(pub Term, pub Term, bool);

impl Drop for ConsCell {
    fn drop(&mut self) {
        // Unlink the tail cell by cell instead of letting each cell's drop
        // recurse into the next.
        let mut tail = std::mem::replace(&mut self.1, Term::Nil);
        while let Term::Cons(arc) = tail {
            match Arc::try_unwrap(arc) {
                Ok(mut cell) => tail = std::mem::replace(&mut cell.1, Term::Nil),
                Err(_) => break,
            }
        }
    }
}

/// The compound part of [`Term::Struct`].
#[derive(Debug)]
pub struct Structure {
    /// Functor name.
    pub functor: Symbol,
    /// Arguments followed by annotations, inline when there are one or two
    /// of them (most beliefs, goals and events), so that the whole
    /// structure is a single allocation.
    terms: Terms,
    /// How many of `terms` are arguments.
    nargs: usize,
    /// Whether some argument or annotation holds a variable, a cell or an
    /// expression, i.e. whether copying needs to walk it.
    pub open: bool,
}

impl Structure {
    /// Arguments (may be empty for an annotated atom).
    #[inline(always)]
    pub fn args(&self) -> &[Term] {
        self.terms.as_slice().get(..self.nargs).unwrap_or(&[])
    }

    /// Annotations (may be empty).
    #[inline(always)]
    pub fn annots(&self) -> &[Term] {
        self.terms.as_slice().get(self.nargs..).unwrap_or(&[])
    }
}

#[derive(Debug)]
enum Terms {
    One([Term; 1]),
    Two([Term; 2]),
    Many(Box<[Term]>),
}

impl Terms {
    #[inline(always)]
    fn as_slice(&self) -> &[Term] {
        match self {
            Terms::One(a) => a,
            Terms::Two(a) => a,
            Terms::Many(b) => b,
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (always real division)
    Div,
    /// `div` (integer division, rounding toward negative infinity)
    IntDiv,
    /// `mod`
    Mod,
    /// `**`
    Pow,
}

/// Relational operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `\==`
    Ne,
    /// `=` (unification)
    Unify,
}

/// An expression kept as a term until it is evaluated.
#[derive(Debug)]
pub enum Expr {
    /// Binary arithmetic.
    Arith(ArithOp, Term, Term),
    /// Unary minus.
    Neg(Term),
    /// Relational comparison or unification.
    Rel(RelOp, Term, Term),
    /// Conjunction `a & b`.
    And(Term, Term),
    /// Disjunction `a | b`.
    Or(Term, Term),
    /// Negation as failure `not a`.
    Not(Term),
}

impl ArithOp {
    /// The operator as written in AgentSpeak.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::IntDiv => "div",
            ArithOp::Mod => "mod",
            ArithOp::Pow => "**",
        }
    }
}

impl RelOp {
    /// The operator as written in AgentSpeak.
    pub fn as_str(self) -> &'static str {
        match self {
            RelOp::Lt => "<",
            RelOp::Le => "<=",
            RelOp::Gt => ">",
            RelOp::Ge => ">=",
            RelOp::Eq => "==",
            RelOp::Ne => "\\==",
            RelOp::Unify => "=",
        }
    }
}

impl Term {
    /// An atom.
    pub fn atom(name: &str) -> Term {
        Term::Atom(Symbol::intern(name))
    }

    /// A string.
    pub fn string(s: &str) -> Term {
        Term::Str(Arc::from(s))
    }

    /// A boolean as the atoms `true` / `false`.
    pub fn bool(b: bool) -> Term {
        Term::Atom(if b { Symbol::TRUE } else { Symbol::FALSE })
    }

    /// A structure `functor(args)[annots]`; with no arguments and no
    /// annotations this is the plain atom.
    pub fn structure(functor: Symbol, args: Vec<Term>, annots: Vec<Term>) -> Term {
        if args.is_empty() && annots.is_empty() {
            return Term::Atom(functor);
        }
        if annots.is_empty() {
            let nargs = args.len();
            return Term::from_parts(functor, args, nargs);
        }
        let nargs = args.len();
        let mut terms = Vec::with_capacity(args.len() + annots.len());
        terms.extend(args);
        terms.extend(annots);
        Term::from_parts(functor, terms, nargs)
    }

    /// A structure from its arguments followed by its annotations in one
    /// vector (`nargs` of them arguments): one allocation fewer than
    /// [`Term::structure`] when there are annotations.
    pub fn from_parts(functor: Symbol, terms: Vec<Term>, nargs: usize) -> Term {
        if terms.is_empty() {
            return Term::Atom(functor);
        }
        let open = terms.iter().any(Term::is_open);
        let nargs = nargs.min(terms.len());
        let terms = match terms.len() {
            1 | 2 => {
                let mut it = terms.into_iter();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => Terms::Two([a, b]),
                    (Some(a), None) => Terms::One([a]),
                    _ => return Term::Atom(functor),
                }
            }
            _ => Terms::Many(terms.into_boxed_slice()),
        };
        Term::Struct(Arc::new(Structure {
            functor,
            terms,
            nargs,
            open,
        }))
    }

    /// A structure with one term (`nargs` 1: one argument; 0: one
    /// annotation), built without an intermediate vector.
    pub fn from_one(functor: Symbol, a: Term, nargs: usize) -> Term {
        let open = a.is_open();
        Term::Struct(Arc::new(Structure {
            functor,
            terms: Terms::One([a]),
            nargs: nargs.min(1),
            open,
        }))
    }

    /// A structure with two terms (arguments first, `nargs` of them),
    /// built without an intermediate vector.
    pub fn from_two(functor: Symbol, a: Term, b: Term, nargs: usize) -> Term {
        let open = a.is_open() || b.is_open();
        Term::Struct(Arc::new(Structure {
            functor,
            terms: Terms::Two([a, b]),
            nargs: nargs.min(2),
            open,
        }))
    }

    /// `functor(args)` without annotations, interning the name.
    pub fn compound(functor: &str, args: Vec<Term>) -> Term {
        Term::structure(Symbol::intern(functor), args, Vec::new())
    }

    /// A proper list of `items`, or a partial one ending in `tail`.
    pub fn list_with_tail<I>(items: I, tail: Term) -> Term
    where
        I: IntoIterator<Item = Term>,
        I::IntoIter: DoubleEndedIterator,
    {
        items
            .into_iter()
            .rev()
            .fold(tail, |acc, t| Term::cons(t, acc))
    }

    /// A list cell `[head|tail]`.
    pub fn cons(head: Term, tail: Term) -> Term {
        let open = head.is_open() || tail.is_open();
        Term::Cons(Arc::new(ConsCell(head, tail, open)))
    }

    /// A proper list.
    pub fn list<I>(items: I) -> Term
    where
        I: IntoIterator<Item = Term>,
        I::IntoIter: DoubleEndedIterator,
    {
        Term::list_with_tail(items, Term::Nil)
    }

    /// An expression term.
    pub fn expr(e: Expr) -> Term {
        Term::Expr(Arc::new(e))
    }

    /// Whether this term holds variables, cells or expressions anywhere,
    /// i.e. whether it must be walked to be resolved against bindings.
    #[inline]
    pub fn is_open(&self) -> bool {
        match self {
            Term::Var(_) | Term::Ref(_) | Term::Expr(_) => true,
            Term::Struct(s) => s.open,
            Term::Cons(c) => c.2,
            _ => false,
        }
    }

    /// Functor and arity of an atom or structure (the index key of beliefs
    /// and plans).
    #[inline]
    pub fn functor_arity(&self) -> Option<(Symbol, usize)> {
        match self {
            Term::Atom(s) => Some((*s, 0)),
            Term::Struct(s) => Some((s.functor, s.args().len())),
            _ => None,
        }
    }

    /// The functor of an atom or structure.
    #[inline]
    pub fn functor(&self) -> Option<Symbol> {
        self.functor_arity().map(|(f, _)| f)
    }

    /// Arguments of a structure (empty for atoms and everything else).
    #[inline]
    pub fn args(&self) -> &[Term] {
        match self {
            Term::Struct(s) => s.args(),
            _ => &[],
        }
    }

    /// Annotations of a structure (empty for everything else).
    #[inline]
    pub fn annots(&self) -> &[Term] {
        match self {
            Term::Struct(s) => s.annots(),
            _ => &[],
        }
    }

    /// Whether this is an atom or a structure (something that can be a
    /// belief, a goal or an action).
    #[inline]
    pub fn is_literal(&self) -> bool {
        matches!(self, Term::Atom(_) | Term::Struct(_))
    }

    /// The same literal with `annots` replacing its annotations.
    pub fn with_annots(&self, annots: Vec<Term>) -> Term {
        match self {
            Term::Atom(f) => Term::structure(*f, Vec::new(), annots),
            Term::Struct(s) => Term::structure(s.functor, s.args().to_vec(), annots),
            other => other.clone(),
        }
    }

    /// The same literal without annotations.
    pub fn without_annots(&self) -> Term {
        match self {
            Term::Struct(s) if !s.annots().is_empty() => {
                Term::structure(s.functor, s.args().to_vec(), Vec::new())
            }
            other => other.clone(),
        }
    }

    /// The literal with `annot` added unless an equal one is already there.
    pub fn add_annot(&self, annot: Term) -> Term {
        if self.annots().iter().any(|a| a.same(&annot)) {
            return self.clone();
        }
        let mut annots = self.annots().to_vec();
        annots.push(annot);
        self.with_annots(annots)
    }

    /// The items of a proper list, or `None` if this is not one.
    pub fn list_items(&self) -> Option<Vec<Term>> {
        let mut out = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                Term::Nil => return Some(out),
                Term::Cons(c) => {
                    out.push(c.0.clone());
                    cur = &c.1;
                }
                _ => return None,
            }
        }
    }

    /// The numeric value, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Term::Int(i) => Some(*i as f64),
            Term::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Structural identity (`==` in AgentSpeak on data terms): numbers
    /// compare by value so `1 == 1.0`, annotations compare as sets.
    pub fn same(&self, other: &Term) -> bool {
        match (self, other) {
            (Term::Atom(a), Term::Atom(b)) => a == b,
            (Term::Int(a), Term::Int(b)) => a == b,
            (Term::Int(_) | Term::Float(_), Term::Int(_) | Term::Float(_)) => {
                self.as_f64() == other.as_f64()
            }
            (Term::Str(a), Term::Str(b)) => a == b,
            (Term::Var(a), Term::Var(b)) | (Term::Ref(a), Term::Ref(b)) => a == b,
            (Term::Nil, Term::Nil) => true,
            (Term::Cons(_), Term::Cons(_)) => {
                let (mut x, mut y) = (self, other);
                while let (Term::Cons(a), Term::Cons(b)) = (x, y) {
                    if !a.0.same(&b.0) {
                        return false;
                    }
                    x = &a.1;
                    y = &b.1;
                }
                x.same(y)
            }
            (Term::Struct(a), Term::Struct(b)) => {
                a.functor == b.functor
                    && a.args().len() == b.args().len()
                    && a.args().iter().zip(b.args().iter()).all(|(x, y)| x.same(y))
                    && a.annots().len() == b.annots().len()
                    && a.annots()
                        .iter()
                        .all(|x| b.annots().iter().any(|y| x.same(y)))
            }
            (Term::Expr(a), Term::Expr(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Text for `.print`, in python-agentspeak's format: top-level strings
    /// without quotes (also as top-level list items), structures as
    /// `f(a, "s")`, integral numbers without `.0`.
    pub fn print_text(&self) -> String {
        let mut s = String::new();
        write_term(&mut s, self, Style::Print).unwrap_or(());
        s
    }
}

/// Total order used by `.sort`, `.min` and `.max`: numbers < atoms <
/// strings < structures < lists; numbers by value, atoms and strings
/// alphabetically, structures by arity, then functor, then arguments, lists
/// element by element. Jason's order is the same for the common cases.
pub fn compare_terms(a: &Term, b: &Term) -> Ordering {
    fn rank(t: &Term) -> u8 {
        match t {
            Term::Int(_) | Term::Float(_) => 0,
            Term::Atom(_) => 1,
            Term::Str(_) => 2,
            Term::Struct(_) => 3,
            Term::Nil | Term::Cons(_) => 4,
            Term::Var(_) | Term::Ref(_) => 5,
            Term::Expr(_) => 6,
        }
    }
    match (a, b) {
        (Term::Int(x), Term::Int(y)) => x.cmp(y),
        (Term::Int(_) | Term::Float(_), Term::Int(_) | Term::Float(_)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        (Term::Atom(x), Term::Atom(y)) => x.as_str().cmp(y.as_str()),
        (Term::Str(x), Term::Str(y)) => x.cmp(y),
        (Term::Struct(x), Term::Struct(y)) => x
            .args()
            .len()
            .cmp(&y.args().len())
            .then_with(|| x.functor.as_str().cmp(y.functor.as_str()))
            .then_with(|| {
                x.args()
                    .iter()
                    .zip(y.args().iter())
                    .map(|(p, q)| compare_terms(p, q))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
            }),
        (Term::Cons(_), Term::Cons(_)) => {
            let (mut x, mut y) = (a, b);
            while let (Term::Cons(p), Term::Cons(q)) = (x, y) {
                let o = compare_terms(&p.0, &q.0);
                if o != Ordering::Equal {
                    return o;
                }
                x = &p.1;
                y = &q.1;
            }
            compare_terms(x, y)
        }
        (Term::Nil, Term::Nil) => Ordering::Equal,
        (Term::Nil, Term::Cons(_)) => Ordering::Less,
        (Term::Cons(_), Term::Nil) => Ordering::Greater,
        (Term::Var(x), Term::Var(y)) | (Term::Ref(x), Term::Ref(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Strict structural equality (floats by bit pattern, annotations in
/// order); see [`Term::same`] for AgentSpeak's `==`.
impl PartialEq for Term {
    fn eq(&self, other: &Term) -> bool {
        key_eq(self, other)
    }
}

/// Key of a belief: the literal compared and hashed structurally (floats by
/// bit pattern) *ignoring its top-level annotations*, for O(1) lookup and
/// removal without building an unannotated copy.
#[derive(Clone, Debug)]
pub struct TermKey(pub Term);

impl PartialEq for TermKey {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Term::Struct(x), Term::Struct(y)) => {
                x.functor == y.functor
                    && x.args().len() == y.args().len()
                    && x.args()
                        .iter()
                        .zip(y.args().iter())
                        .all(|(p, q)| key_eq(p, q))
            }
            (Term::Struct(x), Term::Atom(a)) | (Term::Atom(a), Term::Struct(x)) => {
                x.args().is_empty() && x.functor == *a
            }
            (a, b) => key_eq(a, b),
        }
    }
}
impl Eq for TermKey {}

pub(crate) fn key_eq(a: &Term, b: &Term) -> bool {
    match (a, b) {
        (Term::Atom(x), Term::Atom(y)) => x == y,
        (Term::Int(x), Term::Int(y)) => x == y,
        (Term::Float(x), Term::Float(y)) => x.to_bits() == y.to_bits(),
        (Term::Str(x), Term::Str(y)) => x == y,
        (Term::Var(x), Term::Var(y)) | (Term::Ref(x), Term::Ref(y)) => x == y,
        (Term::Nil, Term::Nil) => true,
        (Term::Cons(_), Term::Cons(_)) => {
            let (mut x, mut y) = (a, b);
            while let (Term::Cons(p), Term::Cons(q)) = (x, y) {
                if !key_eq(&p.0, &q.0) {
                    return false;
                }
                x = &p.1;
                y = &q.1;
            }
            key_eq(x, y)
        }
        (Term::Struct(x), Term::Struct(y)) => {
            x.functor == y.functor
                && x.args().len() == y.args().len()
                && x.args()
                    .iter()
                    .zip(y.args().iter())
                    .all(|(p, q)| key_eq(p, q))
                && x.annots().len() == y.annots().len()
                && x.annots()
                    .iter()
                    .zip(y.annots().iter())
                    .all(|(p, q)| key_eq(p, q))
        }
        (Term::Expr(x), Term::Expr(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

impl Hash for TermKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_term(&self.0, state);
    }
}

pub(crate) fn hash_term<H: Hasher>(t: &Term, state: &mut H) {
    match t {
        Term::Atom(s) => {
            0u8.hash(state);
            s.hash(state);
        }
        Term::Int(i) => {
            1u8.hash(state);
            i.hash(state);
        }
        Term::Float(f) => {
            2u8.hash(state);
            f.to_bits().hash(state);
        }
        Term::Str(s) => {
            3u8.hash(state);
            s.hash(state);
        }
        Term::Var(v) | Term::Ref(v) => {
            4u8.hash(state);
            v.hash(state);
        }
        Term::Nil => 5u8.hash(state),
        Term::Cons(_) => {
            let mut cur = t;
            while let Term::Cons(c) = cur {
                6u8.hash(state);
                hash_term(&c.0, state);
                cur = &c.1;
            }
            hash_term(cur, state);
        }
        // An annotated atom hashes like the plain atom (annotations are
        // not part of a key).
        Term::Struct(s) if s.args().is_empty() => {
            0u8.hash(state);
            s.functor.hash(state);
        }
        Term::Struct(s) => {
            7u8.hash(state);
            s.functor.hash(state);
            s.args().len().hash(state);
            for a in s.args().iter() {
                hash_term(a, state);
            }
        }
        Term::Expr(_) => 8u8.hash(state),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// Re-parseable AgentSpeak text.
    Source,
    /// python-agentspeak `.print` text for a top-level argument.
    Print,
}

fn write_float(out: &mut String, f: f64, style: Style) -> fmt::Result {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e17 {
        if style == Style::Print {
            write!(out, "{}", f as i64)
        } else {
            write!(out, "{}.0", f as i64)
        }
    } else {
        write!(out, "{f}")
    }
}

fn write_string_literal(out: &mut String, s: &str) -> fmt::Result {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// Whether an atom name can be written bare and parse back as the same
/// atom.
fn atom_is_plain(name: &str) -> bool {
    let body = name.strip_prefix('~').unwrap_or(name);
    let body = body.strip_prefix('.').unwrap_or(body);
    let mut chars = body.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => {}
        _ => return false,
    }
    body.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn write_atom(out: &mut String, s: Symbol) -> fmt::Result {
    let name = s.as_str();
    if atom_is_plain(name) {
        out.push_str(name);
        Ok(())
    } else {
        // Jason writes such atoms between single quotes.
        out.push('\'');
        for c in name.chars() {
            if c == '\'' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('\'');
        Ok(())
    }
}

fn write_term(out: &mut String, t: &Term, style: Style) -> fmt::Result {
    match t {
        Term::Atom(s) => {
            if style == Style::Print {
                out.push_str(s.as_str());
                Ok(())
            } else {
                write_atom(out, *s)
            }
        }
        Term::Int(i) => write!(out, "{i}"),
        Term::Float(f) => write_float(out, *f, style),
        Term::Str(s) => {
            if style == Style::Print {
                out.push_str(s);
                Ok(())
            } else {
                write_string_literal(out, s)
            }
        }
        Term::Var(v) => write!(out, "_V{v}"),
        Term::Ref(r) => write!(out, "_{r}"),
        Term::Nil => out.write_str("[]"),
        Term::Cons(_) => {
            out.push('[');
            let mut cur = t;
            let mut first = true;
            loop {
                match cur {
                    Term::Cons(c) => {
                        if !first {
                            out.push_str(", ");
                        }
                        first = false;
                        // python-agentspeak prints list items of a
                        // top-level list like top-level terms.
                        write_term(out, &c.0, style)?;
                        cur = &c.1;
                    }
                    Term::Nil => break,
                    other => {
                        out.push('|');
                        write_term(out, other, style)?;
                        break;
                    }
                }
            }
            out.push(']');
            Ok(())
        }
        Term::Struct(s) => {
            // Inside a structure python-agentspeak uses the source form
            // (quoted strings) but still drops `.0` from integral numbers.
            let inner = if style == Style::Print {
                Style::Print
            } else {
                Style::Source
            };
            if style == Style::Print {
                out.push_str(s.functor.as_str());
            } else {
                write_atom(out, s.functor)?;
            }
            if !s.args().is_empty() {
                out.push('(');
                for (i, a) in s.args().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_nested(out, a, inner)?;
                }
                out.push(')');
            }
            if !s.annots().is_empty() {
                out.push('[');
                for (i, a) in s.annots().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_nested(out, a, inner)?;
                }
                out.push(']');
            }
            Ok(())
        }
        Term::Expr(e) => write_expr(out, e, style),
    }
}

/// A term nested inside a structure: strings keep their quotes even when
/// printing.
fn write_nested(out: &mut String, t: &Term, style: Style) -> fmt::Result {
    match (t, style) {
        (Term::Str(s), _) => write_string_literal(out, s),
        (Term::Cons(_), Style::Print) => {
            // Lists nested in structures print their strings quoted too.
            let mut cur = t;
            out.push('[');
            let mut first = true;
            loop {
                match cur {
                    Term::Cons(c) => {
                        if !first {
                            out.push_str(", ");
                        }
                        first = false;
                        write_nested(out, &c.0, style)?;
                        cur = &c.1;
                    }
                    Term::Nil => break,
                    other => {
                        out.push('|');
                        write_nested(out, other, style)?;
                        break;
                    }
                }
            }
            out.push(']');
            Ok(())
        }
        _ => write_term(out, t, style),
    }
}

fn write_expr(out: &mut String, e: &Expr, style: Style) -> fmt::Result {
    match e {
        Expr::Arith(op, a, b) => {
            out.push('(');
            write_nested(out, a, style)?;
            write!(out, " {} ", op.as_str())?;
            write_nested(out, b, style)?;
            out.push(')');
        }
        Expr::Rel(op, a, b) => {
            out.push('(');
            write_nested(out, a, style)?;
            write!(out, " {} ", op.as_str())?;
            write_nested(out, b, style)?;
            out.push(')');
        }
        Expr::Neg(a) => {
            out.push_str("(-");
            write_nested(out, a, style)?;
            out.push(')');
        }
        Expr::And(a, b) => {
            out.push('(');
            write_nested(out, a, style)?;
            out.push_str(" & ");
            write_nested(out, b, style)?;
            out.push(')');
        }
        Expr::Or(a, b) => {
            out.push('(');
            write_nested(out, a, style)?;
            out.push_str(" | ");
            write_nested(out, b, style)?;
            out.push(')');
        }
        Expr::Not(a) => {
            out.push_str("not (");
            write_nested(out, a, style)?;
            out.push(')');
        }
    }
    Ok(())
}

/// AgentSpeak source text; [`crate::parser::parse_term`] reads it back.
impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        write_term(&mut s, self, Style::Source)?;
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_text_quotes_strings_and_keeps_floats() {
        let t = Term::compound(
            "f",
            vec![
                Term::string("a \"b\""),
                Term::Float(1.0),
                Term::Int(2),
                Term::list([Term::Int(1), Term::atom("x")]),
            ],
        );
        assert_eq!(t.to_string(), "f(\"a \\\"b\\\"\", 1.0, 2, [1, x])");
    }

    #[test]
    fn print_text_follows_python_agentspeak() {
        assert_eq!(Term::string("hi").print_text(), "hi");
        assert_eq!(Term::Float(3.0).print_text(), "3");
        assert_eq!(Term::Float(2.5).print_text(), "2.5");
        let l = Term::list([
            Term::Int(1),
            Term::string("x"),
            Term::compound("g", vec![Term::string("y")]),
        ]);
        assert_eq!(l.print_text(), "[1, x, g(\"y\")]");
        let s = Term::compound(
            "f",
            vec![Term::atom("a"), Term::string("s"), Term::Float(1.0)],
        );
        assert_eq!(s.print_text(), "f(a, \"s\", 1)");
    }

    #[test]
    fn annotated_atom_and_odd_atoms_print_reparseably() {
        let b = Term::atom("b").add_annot(Term::compound("source", vec![Term::atom("self")]));
        assert_eq!(b.to_string(), "b[source(self)]");
        assert_eq!(Term::atom("Hello world").to_string(), "'Hello world'");
    }

    #[test]
    fn ordering_puts_numbers_before_atoms_before_strings() {
        let mut v = vec![
            Term::string("a"),
            Term::atom("b"),
            Term::Float(2.5),
            Term::Int(1),
        ];
        v.sort_by(compare_terms);
        assert_eq!(Term::list(v).to_string(), "[1, 2.5, b, \"a\"]");
    }

    #[test]
    fn same_compares_numbers_by_value_and_annotations_as_sets() {
        assert!(Term::Int(1).same(&Term::Float(1.0)));
        let s = |n: &str| Term::compound("source", vec![Term::atom(n)]);
        let a = Term::atom("b").with_annots(vec![s("x"), s("y")]);
        let b = Term::atom("b").with_annots(vec![s("y"), s("x")]);
        assert!(a.same(&b));
        assert!(!a.same(&Term::atom("b")));
    }
}

//! The belief base: beliefs indexed by functor/arity, by the belief itself
//! (for O(1) addition, merging and removal) and by first argument (for
//! queries with a bound first argument), plus the rules.
//!
//! Order follows Jason: beliefs added while the agent runs go before older
//! ones (newest first); initial beliefs keep their source order. Adding a
//! belief that exists with other annotations merges the annotations, as
//! Jason does, and only the new annotations make an event.

use std::collections::VecDeque;
use std::collections::hash_map::Entry;

use crate::fxhash::FxHashMap;
use std::sync::Arc;

use crate::symbol::Symbol;
use std::hash::{Hash, Hasher};

use crate::term::{Term, TermKey, hash_term, key_eq};

/// A rule `head :- body.` (clause code; variables numbered in the rule).
#[derive(Clone, Debug)]
pub struct Rule {
    /// The head literal.
    pub head: Term,
    /// The body formula.
    pub body: Term,
    /// Number of clause variables.
    pub nvars: u32,
}

/// A stored belief: a data term with its annotations; `nvars` counts the
/// detached cells of a belief that holds unbound variables (usually 0).
#[derive(Clone, Debug)]
pub struct Belief {
    /// The literal with annotations.
    pub term: Term,
    /// Number of detached cells in `term`.
    pub nvars: u32,
}

/// Beliefs of one group in order, addressed by sequence number. New
/// beliefs go at either end, so the sequence numbers of a group are a
/// contiguous range: lookup is an index computation, and removal leaves a
/// hole that is trimmed at the ends or squeezed out by [`Group::compact`].
#[derive(Default, Debug, Clone)]
struct Slots {
    slots: VecDeque<Option<Belief>>,
    /// Sequence number of `slots[0]`.
    offset: i64,
    live: usize,
}

impl Slots {
    fn index(&self, seq: i64) -> Option<usize> {
        usize::try_from(seq.checked_sub(self.offset)?).ok()
    }

    fn get(&self, seq: &i64) -> Option<&Belief> {
        self.slots.get(self.index(*seq)?)?.as_ref()
    }

    fn get_mut(&mut self, seq: &i64) -> Option<&mut Belief> {
        let i = self.index(*seq)?;
        self.slots.get_mut(i)?.as_mut()
    }

    fn insert(&mut self, b: Belief, at_end: bool) -> i64 {
        self.live += 1;
        if self.slots.is_empty() {
            self.offset = 0;
        }
        if at_end {
            self.slots.push_back(Some(b));
            self.offset + i64::try_from(self.slots.len()).unwrap_or(i64::MAX) - 1
        } else {
            self.slots.push_front(Some(b));
            self.offset -= 1;
            self.offset
        }
    }

    fn remove(&mut self, seq: &i64) -> Option<Belief> {
        let i = self.index(*seq)?;
        let b = self.slots.get_mut(i)?.take()?;
        self.live -= 1;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.offset += 1;
        }
        while let Some(None) = self.slots.back() {
            self.slots.pop_back();
        }
        Some(b)
    }

    fn values(&self) -> std::iter::Flatten<std::collections::vec_deque::Iter<'_, Option<Belief>>> {
        self.slots.iter().flatten()
    }

    /// Whether holes take more room than the beliefs.
    fn sparse(&self) -> bool {
        self.slots.len() > 2 * self.live + 32
    }
}

#[derive(Default, Debug, Clone)]
struct Group {
    by_seq: Slots,
    // Keyed by the arguments only (the group fixes functor and arity), so
    // that a one-argument group can be searched by its argument without
    // building a literal.
    by_key: FxHashMap<ArgsKey, i64>,
    // Sorted sequence numbers per first argument. Usually one or a few
    // entries, where a sorted Vec beats a tree node allocation.
    by_first: FxHashMap<TermKey, Seqs>,
}

impl Group {
    /// Renumbers the beliefs without holes and rebuilds the indexes
    /// (amortised: runs when holes outnumber beliefs).
    fn compact(&mut self) {
        let beliefs: Vec<Belief> = std::mem::take(&mut self.by_seq.slots)
            .into_iter()
            .flatten()
            .collect();
        self.by_seq = Slots::default();
        self.by_key.clear();
        self.by_first.clear();
        for b in beliefs {
            let term = b.term.clone();
            let seq = self.by_seq.insert(b, true);
            self.by_key.insert(ArgsKey::Of(term.clone()), seq);
            if let [first, _, ..] = term.args()
                && let Some(k) = first_key(first)
            {
                self.by_first.entry(k).or_default().insert(seq);
            }
        }
    }
}

/// Merges the annotations of `term` into the stored belief `seq`.
fn merge(group: &mut Group, seq: i64, term: Term) -> Added {
    let Some(existing) = group.by_seq.get_mut(&seq) else {
        return Added::Unchanged;
    };
    let new: Vec<Term> = term
        .annots()
        .iter()
        .filter(|a| !existing.term.annots().iter().any(|e| e.same(a)))
        .cloned()
        .collect();
    if new.is_empty() {
        return Added::Unchanged;
    }
    let mut annots = existing.term.annots().to_vec();
    annots.extend(new.iter().cloned());
    existing.term = existing.term.with_annots(annots);
    Added::Merged(term.with_annots(new))
}

/// Sequence numbers of the beliefs sharing a first argument, in order.
/// Most first arguments occur in one belief, which is kept inline.
#[derive(Debug, Clone)]
enum Seqs {
    One(i64),
    Many(Vec<i64>),
}

impl Default for Seqs {
    fn default() -> Seqs {
        Seqs::Many(Vec::new())
    }
}

impl Seqs {
    fn insert(&mut self, seq: i64) {
        match self {
            Seqs::Many(v) if v.is_empty() => *self = Seqs::One(seq),
            Seqs::One(x) => {
                let mut v = vec![*x, seq];
                v.sort_unstable();
                v.dedup();
                *self = Seqs::Many(v);
            }
            Seqs::Many(v) => {
                if let Err(pos) = v.binary_search(&seq) {
                    v.insert(pos, seq);
                }
            }
        }
    }

    fn remove(&mut self, seq: i64) {
        match self {
            Seqs::One(x) if *x == seq => *self = Seqs::Many(Vec::new()),
            Seqs::One(_) => {}
            Seqs::Many(v) => {
                if let Ok(pos) = v.binary_search(&seq) {
                    v.remove(pos);
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Seqs::Many(v) if v.is_empty())
    }

    fn as_slice(&self) -> &[i64] {
        match self {
            Seqs::One(x) => std::slice::from_ref(x),
            Seqs::Many(v) => v,
        }
    }
}

/// The beliefs [`BeliefBase::candidates`] yields, in belief order.
#[derive(Debug)]
#[allow(private_interfaces)] // the variants' contents are opaque iterators
pub enum Candidates<'a> {
    /// None.
    Empty,
    /// At most one (exact argument match).
    One(Option<&'a Belief>),
    /// A whole group.
    All(std::iter::Flatten<std::collections::vec_deque::Iter<'a, Option<Belief>>>),
    /// Those with a given first argument.
    Seqs(std::slice::Iter<'a, i64>, &'a Slots),
}

impl<'a> Iterator for Candidates<'a> {
    type Item = &'a Belief;

    fn next(&mut self) -> Option<&'a Belief> {
        match self {
            Candidates::Empty => None,
            Candidates::One(b) => b.take(),
            Candidates::All(it) => it.next(),
            Candidates::Seqs(it, map) => it.find_map(|s| map.get(s)),
        }
    }
}

/// What [`BeliefBase::add`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    /// A new belief (the term, to make the `+b` event from).
    New(Term),
    /// The belief existed; these annotations were new (the `+b` event
    /// carries only them).
    Merged(Term),
    /// Nothing changed; no event.
    Unchanged,
}

/// Beliefs and rules.
#[derive(Default, Debug, Clone)]
pub struct BeliefBase {
    groups: FxHashMap<(Symbol, usize), Group>,
    rules: FxHashMap<(Symbol, usize), Vec<Arc<Rule>>>,
    len: usize,
}

/// First-argument index key: atomic values only, integral floats as
/// integers so that `1` and `1.0` (which unify) share a key.
/// The arguments of a belief as a hash key: either the belief itself or,
/// for lookups in one-argument groups, that one argument.
#[derive(Clone, Debug)]
enum ArgsKey {
    Of(Term),
    One(Term),
}

impl ArgsKey {
    fn args(&self) -> &[Term] {
        match self {
            ArgsKey::Of(t) => t.args(),
            ArgsKey::One(a) => std::slice::from_ref(a),
        }
    }
}

impl PartialEq for ArgsKey {
    fn eq(&self, other: &ArgsKey) -> bool {
        let (a, b) = (self.args(), other.args());
        a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| key_eq(x, y))
    }
}
impl Eq for ArgsKey {}

impl Hash for ArgsKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let args = self.args();
        state.write_usize(args.len());
        for a in args {
            hash_term(a, state);
        }
    }
}

fn first_key(t: &Term) -> Option<TermKey> {
    match t {
        Term::Atom(_) | Term::Int(_) | Term::Str(_) => Some(TermKey(t.clone())),
        Term::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Some(TermKey(Term::Int(*f as i64))),
        Term::Float(_) => Some(TermKey(t.clone())),
        Term::Struct(s) if s.args().is_empty() => Some(TermKey(Term::Atom(s.functor))),
        _ => None,
    }
}

impl BeliefBase {
    /// An empty belief base.
    pub fn new() -> BeliefBase {
        BeliefBase::default()
    }

    /// Number of beliefs (not counting rules).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no beliefs.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a belief (a data literal). `at_end` puts a new belief after the
    /// others (initial beliefs); otherwise it goes first (Jason's default).
    pub fn add(&mut self, term: Term, nvars: u32, at_end: bool) -> Added {
        let Some(fa) = term.functor_arity() else {
            return Added::Unchanged;
        };
        let group = self.groups.entry(fa).or_default();
        // One hash of the key for both the lookup and the insertion.
        let slot = match group.by_key.entry(ArgsKey::Of(term.clone())) {
            Entry::Vacant(v) => v,
            Entry::Occupied(o) => {
                let seq = *o.get();
                return merge(group, seq, term);
            }
        };
        let seq = group.by_seq.insert(
            Belief {
                term: term.clone(),
                nvars,
            },
            at_end,
        );
        slot.insert(seq);
        if let [first, _, ..] = term.args()
            && let Some(k) = first_key(first)
        {
            group.by_first.entry(k).or_default().insert(seq);
        }
        self.len += 1;
        Added::New(term)
    }

    /// Removes annotations `annots` from the belief equal (ignoring
    /// annotations) to `term`; when none are left (or `annots` is empty)
    /// the belief goes. Returns the belief as it was, or `None` if there was
    /// no such belief or it had none of those annotations.
    pub fn remove(&mut self, term: &Term, annots: &[Term]) -> Option<Term> {
        let fa = term.functor_arity()?;
        let key = ArgsKey::Of(term.clone());
        let group = self.groups.get_mut(&fa)?;
        let seq = *group.by_key.get(&key)?;
        let existing = group.by_seq.get_mut(&seq)?;
        let old = existing.term.clone();
        if !annots.is_empty() {
            let keep: Vec<Term> = old
                .annots()
                .iter()
                .filter(|a| !annots.iter().any(|r| r.same(a)))
                .cloned()
                .collect();
            if keep.len() == old.annots().len() {
                return None;
            }
            // As in Jason, a belief lives as long as some source supports
            // it; other annotations alone do not keep it.
            if keep.iter().any(|a| a.functor() == Some(Symbol::SOURCE)) {
                existing.term = old.with_annots(keep);
                return Some(old);
            }
        }
        group.by_seq.remove(&seq);
        group.by_key.remove(&key);
        if group.by_seq.sparse() {
            group.compact();
        }
        if let [first, _, ..] = old.args()
            && let Some(k) = first_key(first)
            && let Some(set) = group.by_first.get_mut(&k)
        {
            set.remove(seq);
            if set.is_empty() {
                group.by_first.remove(&k);
            }
        }
        self.len -= 1;
        Some(old)
    }

    /// The stored belief equal to `term` ignoring annotations.
    pub fn get(&self, term: &Term) -> Option<&Term> {
        let group = self.groups.get(&term.functor_arity()?)?;
        let seq = group.by_key.get(&ArgsKey::Of(term.clone()))?;
        group.by_seq.get(seq).map(|b| &b.term)
    }

    /// Beliefs that may unify with a query of this functor and arity whose
    /// first argument is `first` (if it is bound to an atomic value only
    /// beliefs with that first argument are returned), in belief order.
    pub fn candidates<'a>(
        &'a self,
        functor: Symbol,
        arity: usize,
        first: Option<&Term>,
    ) -> Candidates<'a> {
        let Some(group) = self.groups.get(&(functor, arity)) else {
            return Candidates::Empty;
        };
        let Some(k) = first.and_then(first_key) else {
            return Candidates::All(group.by_seq.values());
        };
        if arity == 1 {
            // The argument is the whole key. `1` and `1.0` unify, so a
            // number is looked up in both forms.
            let find = |t: Term| {
                group
                    .by_key
                    .get(&ArgsKey::One(t))
                    .and_then(|s| group.by_seq.get(s))
            };
            let alt = match &k.0 {
                Term::Int(i) => Some(Term::Float(*i as f64)),
                _ => None,
            };
            let hit = find(k.0.clone())
                .or_else(|| {
                    first
                        .filter(|f| matches!(f, Term::Float(_)))
                        .and_then(|f| find(f.clone()))
                })
                .or_else(|| alt.and_then(find));
            return Candidates::One(hit);
        }
        match group.by_first.get(&k) {
            Some(set) => Candidates::Seqs(set.as_slice().iter(), &group.by_seq),
            None => Candidates::Empty,
        }
    }

    /// Every belief, grouped by functor/arity (groups in no fixed order).
    pub fn iter(&self) -> impl Iterator<Item = &Term> {
        self.groups
            .values()
            .flat_map(|g| g.by_seq.values().map(|b| &b.term))
    }

    /// Adds a rule after the existing rules of its head's functor/arity.
    pub fn add_rule(&mut self, rule: Rule) {
        if let Some(fa) = rule.head.functor_arity() {
            self.rules.entry(fa).or_default().push(Arc::new(rule));
        }
    }

    /// Rules whose head has this functor and arity.
    pub fn rules(&self, functor: Symbol, arity: usize) -> &[Arc<Rule>] {
        self.rules.get(&(functor, arity)).map_or(&[], Vec::as_slice)
    }

    /// Removes every belief, keeping the rules.
    pub fn clear(&mut self) {
        self.groups.clear();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(i: i64, src: &str) -> Term {
        Term::structure(
            Symbol::intern("b"),
            vec![Term::Int(i)],
            vec![Term::compound("source", vec![Term::atom(src)])],
        )
    }

    #[test]
    fn add_merges_annotations_and_remove_drops_them() {
        let mut bb = BeliefBase::new();
        assert!(matches!(bb.add(b(1, "self"), 0, false), Added::New(_)));
        assert_eq!(bb.add(b(1, "self"), 0, false), Added::Unchanged);
        let merged = bb.add(b(1, "bob"), 0, false);
        assert!(matches!(merged, Added::Merged(ref t) if t.to_string() == "b(1)[source(bob)]"));
        assert_eq!(bb.len(), 1);
        assert_eq!(
            bb.get(&b(1, "x")).map(|t| t.to_string()),
            Some("b(1)[source(self), source(bob)]".into())
        );
        let src_self = b(1, "self").annots().to_vec();
        assert!(bb.remove(&b(1, "self"), &src_self).is_some());
        assert_eq!(bb.len(), 1);
        assert!(bb.remove(&b(1, "self"), &src_self).is_none());
        let src_bob = b(1, "bob").annots().to_vec();
        // A belief whose last source goes is removed, other annotations or not.
        let mut other = BeliefBase::new();
        let t = b(7, "self").add_annot(Term::compound("certainty", vec![Term::atom("high")]));
        other.add(t.clone(), 0, false);
        assert!(other.remove(&t, &src_self).is_some());
        assert!(other.is_empty());
        assert!(bb.remove(&b(1, "bob"), &src_bob).is_some());
        assert!(bb.is_empty());
    }

    #[test]
    fn newest_first_except_initial_beliefs_and_first_arg_index() {
        let mut bb = BeliefBase::new();
        let bsym = Symbol::intern("b");
        bb.add(b(1, "self"), 0, true);
        bb.add(b(2, "self"), 0, true);
        bb.add(b(3, "self"), 0, false);
        let order: Vec<String> = bb
            .candidates(bsym, 1, None)
            .map(|x| x.term.args()[0].to_string())
            .collect();
        assert_eq!(order, ["3", "1", "2"]);
        let hit: Vec<String> = bb
            .candidates(bsym, 1, Some(&Term::Float(2.0)))
            .map(|x| x.term.to_string())
            .collect();
        assert_eq!(hit, ["b(2)[source(self)]"]);
        bb.remove(&b(2, "self"), &[]);
        assert_eq!(bb.candidates(bsym, 1, Some(&Term::Int(2))).count(), 0);
    }

    #[test]
    fn holes_are_squeezed_out_and_indexes_survive() {
        let mut bb = BeliefBase::new();
        let p = |i: i64| {
            Term::structure(
                Symbol::intern("p"),
                vec![Term::Int(i % 7), Term::Int(i)],
                Vec::new(),
            )
        };
        for i in 0..300 {
            bb.add(p(i), 0, i % 2 == 0);
        }
        // Remove two thirds, from the middle outwards, to force compaction.
        for i in (0..300).filter(|i| i % 3 != 0) {
            assert!(bb.remove(&p(i), &[]).is_some());
        }
        assert_eq!(bb.len(), 100);
        let psym = Symbol::intern("p");
        let order: Vec<i64> = bb
            .candidates(psym, 2, None)
            .filter_map(|b| match b.term.args()[1] {
                Term::Int(i) => Some(i),
                _ => None,
            })
            .collect();
        // Odd numbers went to the front (newest first), even ones to the end.
        let mut want: Vec<i64> = (0..300)
            .filter(|i| i % 3 == 0 && i % 2 == 1)
            .rev()
            .collect();
        want.extend((0..300).filter(|i| i % 3 == 0 && i % 2 == 0));
        assert_eq!(order, want);
        assert_eq!(
            bb.candidates(psym, 2, Some(&Term::Int(3))).count(),
            (0..300).filter(|i| i % 3 == 0 && i % 7 == 3).count()
        );
        assert!(bb.get(&p(3)).is_some());
        assert!(bb.get(&p(4)).is_none());
    }

    #[test]
    fn removal_of_many_beliefs_is_fast() {
        // Regression guard for the linear-scan removal of python-agentspeak:
        // 20k removals must not be quadratic.
        let mut bb = BeliefBase::new();
        for i in 0..20_000 {
            bb.add(b(i, "self"), 0, false);
        }
        let start = std::time::Instant::now();
        for i in 0..20_000 {
            assert!(bb.remove(&b(i, "self"), &[]).is_some());
        }
        assert!(bb.is_empty());
        assert!(start.elapsed().as_secs_f64() < 2.0);
    }
}

//! Interned symbols: functors and atom names as small copyable ids.
//!
//! Comparing and hashing functors happens on every unification and every
//! belief/plan lookup, so names are interned once into a process-wide table
//! and handled as `u32` afterwards. The table only grows: every distinct
//! atom ever seen (including in incoming message content) stays for the
//! life of the process, which is the usual trade-off of symbol interning.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// An interned name (functor or atom).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(u32);

struct Interner {
    ids: HashMap<&'static str, u32>,
    names: Vec<&'static str>,
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| {
        let mut i = Interner {
            ids: HashMap::new(),
            names: Vec::new(),
        };
        // Pre-intern the names the engine itself uses so that `Symbol::
        // well_known` ids are stable and need no lock.
        for name in WELL_KNOWN {
            i.insert(name);
        }
        Mutex::new(i)
    })
}

impl Interner {
    fn insert(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        // Leaked on purpose: symbols live as long as the process and this
        // lets `as_str` hand out `&'static str` without holding the lock.
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        let index = u32::try_from(self.names.len()).unwrap_or(INDEX_MASK) & INDEX_MASK;
        // Internal action names carry a flag bit so that "is this an
        // internal action?" needs no lookup on the hot path.
        let id = if s.starts_with('.') {
            index | INTERNAL_BIT
        } else {
            index
        };
        self.names.push(leaked);
        self.ids.insert(leaked, id);
        id
    }
}

const INTERNAL_BIT: u32 = 1 << 31;
const INDEX_MASK: u32 = !INTERNAL_BIT;

const WELL_KNOWN: [&str; 12] = [
    "true",
    "false",
    "source",
    "self",
    "percept",
    "error",
    "error_msg",
    "timeout",
    "tell",
    "untell",
    "achieve",
    "",
];

impl Symbol {
    /// `true`
    pub const TRUE: Symbol = Symbol(0);
    /// `false`
    pub const FALSE: Symbol = Symbol(1);
    /// `source`, the annotation naming where a belief came from.
    pub const SOURCE: Symbol = Symbol(2);
    /// `self`
    pub const SELF: Symbol = Symbol(3);
    /// `percept`
    pub const PERCEPT: Symbol = Symbol(4);
    /// `error`, annotation on failure events.
    pub const ERROR: Symbol = Symbol(5);
    /// `error_msg`, annotation on failure events.
    pub const ERROR_MSG: Symbol = Symbol(6);
    /// `timeout`, the answer of an ask that timed out.
    pub const TIMEOUT: Symbol = Symbol(7);

    /// Interns `name` and returns its symbol.
    pub fn intern(name: &str) -> Symbol {
        let mut guard = interner().lock().unwrap_or_else(|e| e.into_inner());
        Symbol(guard.insert(name))
    }

    /// The name this symbol stands for.
    pub fn as_str(self) -> &'static str {
        let guard = interner().lock().unwrap_or_else(|e| e.into_inner());
        guard
            .names
            .get((self.0 & INDEX_MASK) as usize)
            .copied()
            .unwrap_or("")
    }

    /// Whether the name starts with `.` (an internal action), without
    /// looking the name up.
    pub fn is_internal(self) -> bool {
        self.0 & INTERNAL_BIT != 0
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_well_known_ids_match() {
        assert_eq!(Symbol::intern("true"), Symbol::TRUE);
        assert_eq!(Symbol::intern("source"), Symbol::SOURCE);
        assert_eq!(Symbol::intern("timeout"), Symbol::TIMEOUT);
        let a = Symbol::intern("some_atom");
        assert_eq!(a, Symbol::intern("some_atom"));
        assert_ne!(a, Symbol::intern("other_atom"));
        assert_eq!(a.as_str(), "some_atom");
        assert!(!a.is_internal());
        let p = Symbol::intern(".print");
        assert!(p.is_internal());
        assert_eq!(p.as_str(), ".print");
    }
}

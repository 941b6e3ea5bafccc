//! Custom actions and functions registered by the embedding program, the
//! Rust counterpart of spade_bdi's `actions.add` / `add_function`.
//!
//! An action `name/n` receives its `n` arguments resolved (unbound
//! variables appear as [`Term::Ref`]) and says whether it succeeded. A
//! function `name/n` is called as `name(A1, ..., An, Result)`: its value is
//! unified with the last argument, as python-agentspeak does. Registries are
//! cheap to clone (the closures are shared), so one registry can serve many
//! agents.

use std::sync::Arc;

use crate::fxhash::FxHashMap;
use crate::symbol::Symbol;

use crate::error::ActionError;
use crate::term::Term;
use crate::unify::Heap;

/// A custom action: arguments in, success out.
pub type ActionFn = Arc<dyn Fn(&[Term]) -> Result<bool, ActionError> + Send + Sync>;
/// A custom function: arguments in, value out.
pub type FunctionFn = Arc<dyn Fn(&[Term]) -> Result<Term, ActionError> + Send + Sync>;

#[derive(Clone)]
enum Custom {
    Action(ActionFn),
    Function(FunctionFn),
}

/// What calling a custom action decided.
pub enum CustomOutcome {
    /// The action failed.
    Fail,
    /// The action succeeded.
    Succeed,
    /// A function returned: unify these two terms.
    Unify(Term, Term),
}

/// Custom actions and functions by name and call arity.
#[derive(Clone, Default)]
pub struct ActionRegistry {
    map: FxHashMap<(Symbol, usize), Custom>,
}

impl std::fmt::Debug for ActionRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.map.keys()).finish()
    }
}

impl ActionRegistry {
    /// An empty registry.
    pub fn new() -> ActionRegistry {
        ActionRegistry::default()
    }

    /// Registers action `name/arity` (name as written in programs, e.g.
    /// `.beep` or `move`). Replaces an earlier registration.
    pub fn add_action<F>(&mut self, name: &str, arity: usize, f: F)
    where
        F: Fn(&[Term]) -> Result<bool, ActionError> + Send + Sync + 'static,
    {
        self.map
            .insert((Symbol::intern(name), arity), Custom::Action(Arc::new(f)));
    }

    /// Registers function `name/arity`, called from programs with one more
    /// argument that receives the value.
    pub fn add_function<F>(&mut self, name: &str, arity: usize, f: F)
    where
        F: Fn(&[Term]) -> Result<Term, ActionError> + Send + Sync + 'static,
    {
        self.map.insert(
            (Symbol::intern(name), arity + 1),
            Custom::Function(Arc::new(f)),
        );
    }

    /// Whether `name` with `arity` call arguments is registered.
    pub fn contains(&self, name: &str, arity: usize) -> bool {
        self.map.contains_key(&(Symbol::intern(name), arity))
    }

    /// Whether any arity of `name` is registered.
    pub fn has_name(&self, name: &str) -> bool {
        let name = Symbol::intern(name);
        self.map.keys().any(|(n, _)| *n == name)
    }

    /// Calls the action or function `call` (a literal named `name`, clause
    /// code relative to `base`). `Ok(None)` when nothing is registered
    /// under that name and arity.
    pub fn call(
        &self,
        name: Symbol,
        call: &Term,
        base: u32,
        heap: &mut Heap,
    ) -> Result<Option<CustomOutcome>, ActionError> {
        if self.map.is_empty() {
            return Ok(None);
        }
        let args = call.args();
        let Some(custom) = self.map.get(&(name, args.len())) else {
            return Ok(None);
        };
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(heap.resolve(a, base)?);
        }
        Ok(Some(match custom {
            Custom::Action(f) => {
                if f(&values)? {
                    CustomOutcome::Succeed
                } else {
                    CustomOutcome::Fail
                }
            }
            Custom::Function(f) => {
                let (result, inputs) = match values.split_last() {
                    Some((r, i)) => (r.clone(), i),
                    None => return Ok(Some(CustomOutcome::Fail)),
                };
                CustomOutcome::Unify(result, f(inputs)?)
            }
        }))
    }
}

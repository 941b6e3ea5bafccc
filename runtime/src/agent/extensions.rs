//! Values the layers above the kernel hand their agents through the run
//! context, found by type, so the kernel names none of them.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// A set of values, at most one per type.
///
/// ```
/// use agora_runtime::agent::Extensions;
///
/// struct Greeting(&'static str);
/// let mut extensions = Extensions::default();
/// extensions.insert(Greeting("hello"));
/// assert_eq!(extensions.get::<Greeting>().map(|g| g.0), Some("hello"));
/// assert!(extensions.get::<u8>().is_none());
/// ```
#[derive(Clone, Default)]
pub struct Extensions {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Extensions {
    /// Adds `value`, replacing one of the same type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if one was added.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|value| value.downcast_ref::<T>())
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("count", &self.values.len())
            .finish()
    }
}

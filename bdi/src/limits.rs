//! Resource limits of one agent: how deep an intention may grow, how many
//! intended means all its intentions may hold together, how many
//! intentions, pending events and beliefs it may hold, and how many
//! reasoning cycles a host runs before it lets other agents have the
//! thread.
//!
//! The depth limit alone does not bound memory: a program that starts new
//! intentions that each recurse (`+!g <- !!g; !h. +!h <- !h; .print(x).`)
//! would grow `max_intentions` × `max_intention_depth` intended means (10⁸
//! with the defaults). The total is bounded on its own, by
//! `max_intended_means`.
//!
//! Jason has no such limits (a runaway recursion grows until the JVM runs
//! out of memory; it only warns once an intention is 3,000 intended means
//! deep). Here a program that hits one gets what Jason gives any other
//! failing step: a `-!g` failure event, annotated
//! `[error(resource_limit), error_msg(".."), limit(intention_depth),
//! max(10000), code(..), code_line(..)]`, which a failure plan may handle;
//! the agent and its process keep running. What comes from outside the
//! program (messages, percepts, goals and beliefs the host adds) has no
//! intention to fail: at a limit it is refused and counted.
//!
//! Each limit is reported once per agent ([`crate::Report::ResourceLimit`],
//! the first time it is hit) and counted every time ([`LimitCounts`] in
//! [`crate::Stats`]).

use std::fmt;

/// The limits of one agent. The defaults keep a runaway program to a few
/// megabytes and leave room for any program seen so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most intended means on one intention's stack. A sub-goal (`!g`) or
    /// test goal with plans (`?g`) that would push one more fails instead.
    /// Failure plans (`-!g`) may go beyond it, so a failure can always be
    /// handled.
    pub max_intention_depth: usize,
    /// Most intended means over all intentions together: the memory bound
    /// (an intended means costs a few hundred bytes). A sub-goal beyond it
    /// fails as one beyond the depth limit does; an external event that
    /// would start an intention beyond it is dropped.
    pub max_intended_means: usize,
    /// Most intentions (running, suspended, waiting on a sub-goal) at once.
    /// `!!g` fails at the limit; an external event that would start one
    /// more is dropped.
    pub max_intentions: usize,
    /// Most pending events, and most queued incoming messages. At the
    /// limit a body step that would post an event (`!!g`, `+b`, `-b`,
    /// `-+b`) fails, and one from outside (message, percept, host call) is
    /// dropped. Sub-goal and failure events are never refused: each
    /// carries its intention, so `max_intentions` bounds them.
    pub max_events: usize,
    /// Most beliefs. Adding a new one beyond it is refused: `+b` or `-+b`
    /// in a plan fails, a told or perceived belief is not added. Adding
    /// annotations to an existing belief is always allowed.
    pub max_beliefs: usize,
    /// Reasoning cycles per scheduling slice ([`crate::Agent::run_slice`]):
    /// how long a busy agent runs before its host lets the other agents on
    /// the thread have their turn.
    pub cycles_per_slice: u64,
}

impl Limits {
    /// Default of [`Limits::max_intention_depth`]: above the depth at which
    /// Jason warns that a recursion has likely gone wrong (3,000).
    pub const DEFAULT_MAX_INTENTION_DEPTH: usize = 10_000;
    /// Default of [`Limits::max_intended_means`]: ten intentions at the
    /// full depth, some tens of megabytes.
    pub const DEFAULT_MAX_INTENDED_MEANS: usize = 100_000;
    /// Default of [`Limits::max_intentions`].
    pub const DEFAULT_MAX_INTENTIONS: usize = 10_000;
    /// Default of [`Limits::max_events`].
    pub const DEFAULT_MAX_EVENTS: usize = 10_000;
    /// Default of [`Limits::max_beliefs`].
    pub const DEFAULT_MAX_BELIEFS: usize = 100_000;
    /// Default of [`Limits::cycles_per_slice`].
    pub const DEFAULT_CYCLES_PER_SLICE: u64 = 10_000;

    /// The largest value allowed for `limit`.
    pub fn max_of(&self, limit: Limit) -> usize {
        match limit {
            Limit::IntentionDepth => self.max_intention_depth,
            Limit::IntendedMeans => self.max_intended_means,
            Limit::Intentions => self.max_intentions,
            Limit::Events => self.max_events,
            Limit::Beliefs => self.max_beliefs,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_intention_depth: Limits::DEFAULT_MAX_INTENTION_DEPTH,
            max_intended_means: Limits::DEFAULT_MAX_INTENDED_MEANS,
            max_intentions: Limits::DEFAULT_MAX_INTENTIONS,
            max_events: Limits::DEFAULT_MAX_EVENTS,
            max_beliefs: Limits::DEFAULT_MAX_BELIEFS,
            cycles_per_slice: Limits::DEFAULT_CYCLES_PER_SLICE,
        }
    }
}

/// One of the limits a program can hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`Limits::max_intention_depth`].
    IntentionDepth,
    /// [`Limits::max_intended_means`].
    IntendedMeans,
    /// [`Limits::max_intentions`].
    Intentions,
    /// [`Limits::max_events`].
    Events,
    /// [`Limits::max_beliefs`].
    Beliefs,
}

impl Limit {
    /// Every limit, in the order of [`LimitCounts`].
    pub const ALL: [Limit; 5] = [
        Limit::IntentionDepth,
        Limit::IntendedMeans,
        Limit::Intentions,
        Limit::Events,
        Limit::Beliefs,
    ];

    /// The atom in the failure event's `limit(..)` annotation, e.g.
    /// `intention_depth`.
    pub fn name(self) -> &'static str {
        match self {
            Limit::IntentionDepth => "intention_depth",
            Limit::IntendedMeans => "intended_means",
            Limit::Intentions => "intentions",
            Limit::Events => "events",
            Limit::Beliefs => "beliefs",
        }
    }

    /// The setting that raises it, e.g. `max_intention_depth`.
    pub fn setting(self) -> &'static str {
        match self {
            Limit::IntentionDepth => "max_intention_depth",
            Limit::IntendedMeans => "max_intended_means",
            Limit::Intentions => "max_intentions",
            Limit::Events => "max_events",
            Limit::Beliefs => "max_beliefs",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How often each limit was hit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LimitCounts {
    /// Sub-goals refused for [`Limits::max_intention_depth`].
    pub intention_depth: u64,
    /// Sub-goals refused or external events dropped for
    /// [`Limits::max_intended_means`].
    pub intended_means: u64,
    /// `!!g` steps failed or external events dropped for
    /// [`Limits::max_intentions`].
    pub intentions: u64,
    /// Steps failed, events or messages dropped for [`Limits::max_events`].
    pub events: u64,
    /// Beliefs refused for [`Limits::max_beliefs`].
    pub beliefs: u64,
}

impl LimitCounts {
    /// The count of `limit`.
    pub fn get(&self, limit: Limit) -> u64 {
        match limit {
            Limit::IntentionDepth => self.intention_depth,
            Limit::IntendedMeans => self.intended_means,
            Limit::Intentions => self.intentions,
            Limit::Events => self.events,
            Limit::Beliefs => self.beliefs,
        }
    }

    fn get_mut(&mut self, limit: Limit) -> &mut u64 {
        match limit {
            Limit::IntentionDepth => &mut self.intention_depth,
            Limit::IntendedMeans => &mut self.intended_means,
            Limit::Intentions => &mut self.intentions,
            Limit::Events => &mut self.events,
            Limit::Beliefs => &mut self.beliefs,
        }
    }

    /// Counts one hit of `limit`; returns whether it was the first.
    pub(crate) fn hit(&mut self, limit: Limit) -> bool {
        let count = self.get_mut(limit);
        *count += 1;
        *count == 1
    }

    /// Whether no limit was hit.
    pub fn is_empty(&self) -> bool {
        Limit::ALL.iter().all(|&l| self.get(l) == 0)
    }
}

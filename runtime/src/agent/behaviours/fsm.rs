//! A finite-state machine behaviour (SPADE's `FSMBehaviour`).

use std::collections::HashSet;
use std::time::Duration;

use crate::agent::{AgentContext, AgentError, Behaviour, Next, Template};
use crate::transport::Envelope;

/// What a state wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateStep {
    /// Stay in this state. After `enter` that means waiting for messages
    /// with no timer; after `message` it keeps the timer that was set.
    Stay,
    /// Stay, and call [`FsmState::timeout`] after this long.
    StayFor(Duration),
    /// Move to the named state (the transition must be registered).
    Goto(String),
    /// The machine is finished.
    Finish,
}

impl StateStep {
    /// Moves to `state`.
    pub fn goto(state: impl Into<String>) -> Self {
        StateStep::Goto(state.into())
    }
}

/// One state of an [`Fsm`]. The agent's own struct holds the data the
/// states share (and checkpoints it); states themselves are usually empty.
pub trait FsmState<A>: Send + 'static {
    /// Which messages this state takes; `None` takes none.
    fn template(&self) -> Option<&Template> {
        None
    }

    /// Called when the machine enters this state.
    fn enter(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>)
    -> Result<StateStep, AgentError>;

    /// Called for each message the template matches.
    fn message(
        &mut self,
        agent: &mut A,
        message: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        let _ = (agent, message, ctx);
        Ok(StateStep::Stay)
    }

    /// Called when the time asked for by [`StateStep::StayFor`] has passed.
    fn timeout(
        &mut self,
        agent: &mut A,
        ctx: &mut AgentContext<'_>,
    ) -> Result<StateStep, AgentError> {
        let _ = (agent, ctx);
        Ok(StateStep::Finish)
    }
}

/// A machine that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FsmError {
    /// No states were added.
    #[error("state machine `{0}` has no states")]
    NoStates(String),
    /// Two states share a name.
    #[error("state machine `{machine}`: state `{state}` is defined twice")]
    DuplicateState {
        /// The machine.
        machine: String,
        /// The state.
        state: String,
    },
    /// A transition or the initial state names a state that does not exist.
    #[error("state machine `{machine}`: unknown state `{state}`")]
    UnknownState {
        /// The machine.
        machine: String,
        /// The missing state.
        state: String,
    },
}

/// Builds an [`Fsm`]: states, allowed transitions, the initial state.
///
/// ```
/// use agora_runtime::agent::{AgentContext, AgentError, Fsm, FsmState, StateStep};
/// struct Light { switched: u32 }
/// struct On;
/// struct Off;
/// impl FsmState<Light> for On {
///     fn enter(&mut self, light: &mut Light, _: &mut AgentContext<'_>) -> Result<StateStep, AgentError> {
///         light.switched += 1;
///         Ok(if light.switched < 3 { StateStep::goto("off") } else { StateStep::Finish })
///     }
/// }
/// impl FsmState<Light> for Off {
///     fn enter(&mut self, _: &mut Light, _: &mut AgentContext<'_>) -> Result<StateStep, AgentError> {
///         Ok(StateStep::goto("on"))
///     }
/// }
/// let machine = Fsm::builder("light")
///     .state("on", On)
///     .state("off", Off)
///     .transition("on", "off")
///     .transition("off", "on")
///     .initial("on")
///     .build()
///     .unwrap();
/// ```
pub struct FsmBuilder<A> {
    name: String,
    states: Vec<(String, Box<dyn FsmState<A>>)>,
    transitions: Vec<(String, String)>,
    initial: Option<String>,
}

/// A behaviour that is always in exactly one of its states.
pub struct Fsm<A> {
    name: String,
    states: Vec<(String, Box<dyn FsmState<A>>)>,
    transitions: HashSet<(usize, usize)>,
    current: usize,
}

/// How many transitions may happen in one call before the machine is
/// considered stuck in a loop of states that never wait.
const MAX_TRANSITIONS_PER_CALL: usize = 10_000;

impl<A: 'static> Fsm<A> {
    /// Starts building a machine.
    pub fn builder(name: impl Into<String>) -> FsmBuilder<A> {
        FsmBuilder {
            name: name.into(),
            states: Vec::new(),
            transitions: Vec::new(),
            initial: None,
        }
    }

    /// The current state's name.
    pub fn current_state(&self) -> &str {
        &self.states[self.current].0
    }

    /// Carries out `step` taken in the current state; `entered` says whether
    /// it came from `enter` (where `Stay` means "no timer").
    fn follow(
        &mut self,
        agent: &mut A,
        mut step: StateStep,
        mut entered: bool,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        for _ in 0..MAX_TRANSITIONS_PER_CALL {
            match step {
                StateStep::Stay if entered => return Ok(Next::Idle),
                StateStep::Stay => return Ok(Next::Unchanged),
                StateStep::StayFor(delay) => return Ok(Next::Sleep(delay)),
                StateStep::Finish => return Ok(Next::Done),
                StateStep::Goto(target) => {
                    let Some(next) = self.states.iter().position(|(name, _)| *name == target)
                    else {
                        return Err(AgentError::new(format!(
                            "state machine `{}`: unknown state `{target}`",
                            self.name
                        )));
                    };
                    if !self.transitions.contains(&(self.current, next)) {
                        return Err(AgentError::new(format!(
                            "state machine `{}`: transition `{}` → `{target}` is not registered",
                            self.name,
                            self.current_state()
                        )));
                    }
                    self.current = next;
                    step = self.states[next].1.enter(agent, ctx)?;
                    entered = true;
                }
            }
        }
        Err(AgentError::new(format!(
            "state machine `{}` made {MAX_TRANSITIONS_PER_CALL} transitions without waiting; it is looping",
            self.name
        )))
    }
}

impl<A: 'static> FsmBuilder<A> {
    /// Adds a state. The first one added is the initial state unless
    /// [`initial`](Self::initial) says otherwise.
    pub fn state(mut self, name: impl Into<String>, state: impl FsmState<A>) -> Self {
        self.states.push((name.into(), Box::new(state)));
        self
    }

    /// Allows moving from `from` to `to`.
    pub fn transition(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.transitions.push((from.into(), to.into()));
        self
    }

    /// Names the initial state.
    pub fn initial(mut self, name: impl Into<String>) -> Self {
        self.initial = Some(name.into());
        self
    }

    /// Checks the machine and builds it.
    pub fn build(self) -> Result<Fsm<A>, FsmError> {
        if self.states.is_empty() {
            return Err(FsmError::NoStates(self.name));
        }
        let mut names = HashSet::new();
        for (name, _) in &self.states {
            if !names.insert(name.clone()) {
                return Err(FsmError::DuplicateState {
                    machine: self.name,
                    state: name.clone(),
                });
            }
        }
        let index = |state: &str| self.states.iter().position(|(name, _)| name == state);
        let mut transitions = HashSet::new();
        for (from, to) in &self.transitions {
            let (Some(a), Some(b)) = (index(from), index(to)) else {
                let missing = if index(from).is_none() { from } else { to };
                return Err(FsmError::UnknownState {
                    machine: self.name.clone(),
                    state: missing.clone(),
                });
            };
            transitions.insert((a, b));
        }
        let current = match &self.initial {
            Some(initial) => index(initial).ok_or_else(|| FsmError::UnknownState {
                machine: self.name.clone(),
                state: initial.clone(),
            })?,
            None => 0,
        };
        Ok(Fsm {
            name: self.name,
            states: self.states,
            transitions,
            current,
        })
    }
}

impl<A: 'static> Behaviour<A> for Fsm<A> {
    fn name(&self) -> &str {
        &self.name
    }

    fn template(&self) -> Option<&Template> {
        self.states[self.current].1.template()
    }

    fn start(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        let step = self.states[self.current].1.enter(agent, ctx)?;
        self.follow(agent, step, true, ctx)
    }

    fn message(
        &mut self,
        agent: &mut A,
        message: Envelope,
        ctx: &mut AgentContext<'_>,
    ) -> Result<Next, AgentError> {
        let step = self.states[self.current].1.message(agent, message, ctx)?;
        self.follow(agent, step, false, ctx)
    }

    fn timer(&mut self, agent: &mut A, ctx: &mut AgentContext<'_>) -> Result<Next, AgentError> {
        let step = self.states[self.current].1.timeout(agent, ctx)?;
        self.follow(agent, step, false, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;
    struct Idle;
    impl FsmState<Nothing> for Idle {
        fn enter(
            &mut self,
            _: &mut Nothing,
            _: &mut AgentContext<'_>,
        ) -> Result<StateStep, AgentError> {
            Ok(StateStep::Stay)
        }
    }

    #[test]
    fn builder_rejects_unknown_and_duplicate_states() {
        let unknown = Fsm::<Nothing>::builder("m")
            .state("a", Idle)
            .transition("a", "b")
            .build();
        assert!(matches!(unknown, Err(FsmError::UnknownState { ref state, .. }) if state == "b"));
        let duplicate = Fsm::<Nothing>::builder("m")
            .state("a", Idle)
            .state("a", Idle)
            .build();
        assert!(matches!(duplicate, Err(FsmError::DuplicateState { .. })));
        let empty = Fsm::<Nothing>::builder("m").build();
        assert!(matches!(empty, Err(FsmError::NoStates(_))));
        let initial = Fsm::<Nothing>::builder("m")
            .state("a", Idle)
            .initial("z")
            .build();
        assert!(matches!(initial, Err(FsmError::UnknownState { .. })));
    }

    #[test]
    fn first_state_is_initial_by_default() {
        let machine = Fsm::<Nothing>::builder("m")
            .state("first", Idle)
            .state("second", Idle)
            .build()
            .expect("valid");
        assert_eq!(machine.current_state(), "first");
    }
}

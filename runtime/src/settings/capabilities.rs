//! What a run's agents can be asked to do while they run: the capability
//! matrix `agora runs show` and the dashboard read, so they offer only the
//! controls a run supports.

use serde::{Deserialize, Serialize};

/// What the agents of a kind (or a whole run) support.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    /// Pause between steps without losing state, and resume.
    pub pause: bool,
    /// End gracefully on a stop command.
    pub stop: bool,
    /// Visual mode (live episodes and frames on the episodes topic) and its speed.
    pub visual: bool,
    /// Checkpoint on command.
    pub checkpoint: bool,
    /// Start another run from its checkpoints (`--warm-start`).
    pub warm_start: bool,
    /// Play a checkpoint greedily (`agora eval`).
    pub eval: bool,
    /// Beliefs and intentions readable while it runs.
    pub live_beliefs: bool,
    /// Finished training episodes streamed step by step.
    pub live_episodes: bool,
    /// A shared world's whole state streamed as frames (`bdi` agents in a
    /// `world`).
    pub live_world: bool,
}

impl Capabilities {
    /// Programmed agents: they pause, resume and stop.
    pub const PROGRAMMED: Capabilities = Capabilities {
        pause: true,
        stop: true,
        visual: false,
        checkpoint: false,
        warm_start: false,
        eval: false,
        live_beliefs: false,
        live_episodes: false,
        live_world: false,
    };

    /// Learners: everything but beliefs.
    pub const LEARNER: Capabilities = Capabilities {
        pause: true,
        stop: true,
        visual: true,
        checkpoint: true,
        warm_start: true,
        eval: true,
        live_beliefs: false,
        live_episodes: true,
        live_world: false,
    };

    /// What a run whose agents have `self` and `other` supports: a run
    /// command goes to every agent, so pause and stop need all of them;
    /// the rest is offered when some agent has it.
    pub fn union(self, other: Capabilities) -> Capabilities {
        Capabilities {
            pause: self.pause && other.pause,
            stop: self.stop && other.stop,
            visual: self.visual || other.visual,
            checkpoint: self.checkpoint || other.checkpoint,
            warm_start: self.warm_start || other.warm_start,
            eval: self.eval || other.eval,
            live_beliefs: self.live_beliefs || other.live_beliefs,
            live_episodes: self.live_episodes || other.live_episodes,
            live_world: self.live_world || other.live_world,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_pauses_only_when_every_agent_can() {
        let cannot_pause = Capabilities {
            pause: false,
            ..Capabilities::PROGRAMMED
        };
        let run = Capabilities::LEARNER.union(cannot_pause);
        assert!(!run.pause);
        assert!(run.visual && run.eval && run.stop);
    }
}

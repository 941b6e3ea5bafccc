//! Messages between agents: the speech-act performatives and the incoming
//! and outgoing message values the host moves between agents.
//!
//! The engine does no I/O. `.send` and `.broadcast` put an [`OutMessage`]
//! in the agent's outbox for the host to deliver; the host pushes what
//! arrives as an [`InMessage`]. Content travels as AgentSpeak text
//! ([`Term`]'s `Display` and [`crate::parse_term`]), which keeps structure,
//! nested terms and lists intact.

use std::fmt;
use std::str::FromStr;

use crate::term::Term;

/// AgentSpeak illocutionary forces (KQML performatives used by Jason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Performative {
    /// Add the content to the receiver's beliefs.
    Tell,
    /// Remove the content from the receiver's beliefs.
    Untell,
    /// Ask the receiver to achieve the content.
    Achieve,
    /// Ask the receiver to drop the goal.
    Unachieve,
    /// Ask for one belief unifying with the content.
    AskOne,
    /// Ask for all beliefs unifying with the content.
    AskAll,
    /// Give the receiver a plan (content: the plan as a string).
    TellHow,
    /// Remove the plan with this label from the receiver.
    UntellHow,
}

impl Performative {
    /// The name as written in AgentSpeak (`askOne`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Performative::Tell => "tell",
            Performative::Untell => "untell",
            Performative::Achieve => "achieve",
            Performative::Unachieve => "unachieve",
            Performative::AskOne => "askOne",
            Performative::AskAll => "askAll",
            Performative::TellHow => "tellHow",
            Performative::UntellHow => "untellHow",
        }
    }
}

impl fmt::Display for Performative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown performative name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown performative '{0}'")]
pub struct UnknownPerformative(pub String);

impl FromStr for Performative {
    type Err = UnknownPerformative;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "tell" => Performative::Tell,
            "untell" => Performative::Untell,
            "achieve" => Performative::Achieve,
            "unachieve" => Performative::Unachieve,
            "askOne" | "askone" => Performative::AskOne,
            "askAll" | "askall" => Performative::AskAll,
            "tellHow" | "tellhow" => Performative::TellHow,
            "untellHow" | "untellhow" => Performative::UntellHow,
            other => return Err(UnknownPerformative(other.to_string())),
        })
    }
}

/// A message pushed into an agent by its host.
#[derive(Clone, Debug)]
pub struct InMessage {
    /// Name of the sending agent (becomes `source(Sender)`).
    pub sender: String,
    /// Illocutionary force.
    pub performative: Performative,
    /// Content as a detached data term (see [`crate::parse_term`]).
    pub content: Term,
    /// Number of detached cells (variables) in `content`.
    pub content_vars: u32,
    /// Id the sender wants replies tagged with (asks).
    pub reply_with: Option<String>,
    /// Id of the ask this message answers.
    pub in_reply_to: Option<String>,
}

/// A message produced by `.send`/`.broadcast` or by answering an ask, for
/// the host to deliver.
#[derive(Clone, Debug, PartialEq)]
pub struct OutMessage {
    /// Receiver name; `None` for a broadcast to every other agent.
    pub receiver: Option<String>,
    /// Illocutionary force.
    pub performative: Performative,
    /// Content; `content.to_string()` is the wire text.
    pub content: Term,
    /// Set on asks: the id the answer must carry in `in_reply_to`.
    pub reply_with: Option<String>,
    /// Set on answers: the ask's `reply_with`.
    pub in_reply_to: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn performatives_round_trip_by_name() {
        for p in [
            Performative::Tell,
            Performative::Untell,
            Performative::Achieve,
            Performative::Unachieve,
            Performative::AskOne,
            Performative::AskAll,
            Performative::TellHow,
            Performative::UntellHow,
        ] {
            assert_eq!(p.as_str().parse::<Performative>(), Ok(p));
        }
        assert!("inform".parse::<Performative>().is_err());
    }
}

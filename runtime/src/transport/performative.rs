//! The performatives an envelope may carry: FIPA-ACL's communicative acts and
//! AgentSpeak's illocutionary forces.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What the sender means by a message.
///
/// The wire names are FIPA-ACL's (`inform`, `query-if`, …) and Jason's
/// (`tell`, `askOne`, …), so any MQTT client can write them by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Performative {
    /// FIPA `accept-proposal`.
    #[serde(rename = "accept-proposal")]
    AcceptProposal,
    /// FIPA `agree`.
    #[serde(rename = "agree")]
    Agree,
    /// FIPA `cancel`.
    #[serde(rename = "cancel")]
    Cancel,
    /// FIPA `cfp` (call for proposals).
    #[serde(rename = "cfp")]
    Cfp,
    /// FIPA `confirm`.
    #[serde(rename = "confirm")]
    Confirm,
    /// FIPA `disconfirm`.
    #[serde(rename = "disconfirm")]
    Disconfirm,
    /// FIPA `failure`.
    #[serde(rename = "failure")]
    Failure,
    /// FIPA `inform`.
    #[serde(rename = "inform")]
    Inform,
    /// FIPA `inform-if`.
    #[serde(rename = "inform-if")]
    InformIf,
    /// FIPA `inform-ref`.
    #[serde(rename = "inform-ref")]
    InformRef,
    /// FIPA `not-understood`.
    #[serde(rename = "not-understood")]
    NotUnderstood,
    /// FIPA `propagate`.
    #[serde(rename = "propagate")]
    Propagate,
    /// FIPA `propose`.
    #[serde(rename = "propose")]
    Propose,
    /// FIPA `proxy`.
    #[serde(rename = "proxy")]
    Proxy,
    /// FIPA `query-if`.
    #[serde(rename = "query-if")]
    QueryIf,
    /// FIPA `query-ref`.
    #[serde(rename = "query-ref")]
    QueryRef,
    /// FIPA `refuse`.
    #[serde(rename = "refuse")]
    Refuse,
    /// FIPA `reject-proposal`.
    #[serde(rename = "reject-proposal")]
    RejectProposal,
    /// FIPA `request`.
    #[serde(rename = "request")]
    Request,
    /// FIPA `request-when`.
    #[serde(rename = "request-when")]
    RequestWhen,
    /// FIPA `request-whenever`.
    #[serde(rename = "request-whenever")]
    RequestWhenever,
    /// FIPA `subscribe`.
    #[serde(rename = "subscribe")]
    Subscribe,
    /// AgentSpeak `tell`: add a belief to the receiver.
    #[serde(rename = "tell")]
    Tell,
    /// AgentSpeak `untell`: remove a belief from the receiver.
    #[serde(rename = "untell")]
    Untell,
    /// AgentSpeak `achieve`: give the receiver a goal.
    #[serde(rename = "achieve")]
    Achieve,
    /// AgentSpeak `unachieve`: drop a goal of the receiver.
    #[serde(rename = "unachieve")]
    Unachieve,
    /// AgentSpeak `askOne`: ask for one matching belief.
    #[serde(rename = "askOne")]
    AskOne,
    /// AgentSpeak `askAll`: ask for all matching beliefs.
    #[serde(rename = "askAll")]
    AskAll,
    /// AgentSpeak `tellHow`: add a plan to the receiver.
    #[serde(rename = "tellHow")]
    TellHow,
    /// AgentSpeak `untellHow`: remove a plan from the receiver.
    #[serde(rename = "untellHow")]
    UntellHow,
}

impl Performative {
    /// Every performative, in wire-name order of the table in the README.
    pub const ALL: [Performative; 30] = [
        Self::AcceptProposal,
        Self::Agree,
        Self::Cancel,
        Self::Cfp,
        Self::Confirm,
        Self::Disconfirm,
        Self::Failure,
        Self::Inform,
        Self::InformIf,
        Self::InformRef,
        Self::NotUnderstood,
        Self::Propagate,
        Self::Propose,
        Self::Proxy,
        Self::QueryIf,
        Self::QueryRef,
        Self::Refuse,
        Self::RejectProposal,
        Self::Request,
        Self::RequestWhen,
        Self::RequestWhenever,
        Self::Subscribe,
        Self::Tell,
        Self::Untell,
        Self::Achieve,
        Self::Unachieve,
        Self::AskOne,
        Self::AskAll,
        Self::TellHow,
        Self::UntellHow,
    ];

    /// The name used on the wire, e.g. `"query-if"` or `"askOne"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AcceptProposal => "accept-proposal",
            Self::Agree => "agree",
            Self::Cancel => "cancel",
            Self::Cfp => "cfp",
            Self::Confirm => "confirm",
            Self::Disconfirm => "disconfirm",
            Self::Failure => "failure",
            Self::Inform => "inform",
            Self::InformIf => "inform-if",
            Self::InformRef => "inform-ref",
            Self::NotUnderstood => "not-understood",
            Self::Propagate => "propagate",
            Self::Propose => "propose",
            Self::Proxy => "proxy",
            Self::QueryIf => "query-if",
            Self::QueryRef => "query-ref",
            Self::Refuse => "refuse",
            Self::RejectProposal => "reject-proposal",
            Self::Request => "request",
            Self::RequestWhen => "request-when",
            Self::RequestWhenever => "request-whenever",
            Self::Subscribe => "subscribe",
            Self::Tell => "tell",
            Self::Untell => "untell",
            Self::Achieve => "achieve",
            Self::Unachieve => "unachieve",
            Self::AskOne => "askOne",
            Self::AskAll => "askAll",
            Self::TellHow => "tellHow",
            Self::UntellHow => "untellHow",
        }
    }
}

impl fmt::Display for Performative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a performative.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown performative `{0}` (expected one of FIPA's inform, request, agree, refuse, query-if, … or AgentSpeak's tell, untell, achieve, unachieve, askOne, askAll, tellHow, untellHow)"
)]
pub struct UnknownPerformative(pub String);

impl FromStr for Performative {
    type Err = UnknownPerformative;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| UnknownPerformative(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_from_str() {
        for p in Performative::ALL {
            let json = serde_json::to_string(&p).expect("serialize");
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(
                serde_json::from_str::<Performative>(&json).expect("parse"),
                p
            );
            assert_eq!(p.as_str().parse::<Performative>(), Ok(p));
        }
    }

    #[test]
    fn unknown_name_is_an_error_that_names_it() {
        let err = "shout"
            .parse::<Performative>()
            .expect_err("not a performative");
        assert!(err.to_string().contains("`shout`"));
    }
}

//! Message templates: which envelopes a behaviour takes (SPADE's `Template`).

use crate::transport::{Envelope, Performative};

/// A filter over envelopes. Fields left unset match anything; set fields must
/// all match. Templates combine with [`and`](Self::and), [`or`](Self::or)
/// and [`not`](Self::negate), as SPADE's `&`, `|` and `~`.
///
/// ```
/// use agora_runtime::agent::Template;
/// use agora_runtime::transport::{Envelope, Performative};
///
/// let requests_from_alice = Template::new().performative(Performative::Request).sender("alice");
/// let msg = Envelope::new(Performative::Request, "alice", "bob");
/// assert!(requests_from_alice.matches(&msg));
/// assert!(!requests_from_alice.clone().negate().matches(&msg));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// Field constraints, all of which must hold.
    Fields(FieldTemplate),
    /// Both must match.
    And(Box<Template>, Box<Template>),
    /// Either must match.
    Or(Box<Template>, Box<Template>),
    /// Must not match.
    Not(Box<Template>),
}

/// Constraints on single envelope fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldTemplate {
    /// Required sender.
    pub sender: Option<String>,
    /// Required performative.
    pub performative: Option<Performative>,
    /// Required conversation id.
    pub conversation_id: Option<String>,
    /// Required `in_reply_to`.
    pub in_reply_to: Option<String>,
    /// Required ontology.
    pub ontology: Option<String>,
    /// Required language.
    pub language: Option<String>,
    /// Metadata pairs that must all be present with these values.
    pub metadata: Vec<(String, String)>,
}

impl Default for Template {
    fn default() -> Self {
        Self::new()
    }
}

impl Template {
    /// Matches every envelope.
    pub fn new() -> Self {
        Template::Fields(FieldTemplate::default())
    }

    fn with_fields(self, change: impl FnOnce(&mut FieldTemplate)) -> Self {
        match self {
            Template::Fields(mut fields) => {
                change(&mut fields);
                Template::Fields(fields)
            }
            other => {
                let mut fields = FieldTemplate::default();
                change(&mut fields);
                other.and(Template::Fields(fields))
            }
        }
    }

    /// Requires this sender.
    pub fn sender(self, sender: impl Into<String>) -> Self {
        let sender = sender.into();
        self.with_fields(|f| f.sender = Some(sender))
    }

    /// Requires this performative.
    pub fn performative(self, performative: Performative) -> Self {
        self.with_fields(|f| f.performative = Some(performative))
    }

    /// Requires this conversation id.
    pub fn conversation(self, conversation_id: impl Into<String>) -> Self {
        let conversation_id = conversation_id.into();
        self.with_fields(|f| f.conversation_id = Some(conversation_id))
    }

    /// Requires this `in_reply_to`.
    pub fn in_reply_to(self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.with_fields(|f| f.in_reply_to = Some(token))
    }

    /// Requires this ontology.
    pub fn ontology(self, ontology: impl Into<String>) -> Self {
        let ontology = ontology.into();
        self.with_fields(|f| f.ontology = Some(ontology))
    }

    /// Requires this language.
    pub fn language(self, language: impl Into<String>) -> Self {
        let language = language.into();
        self.with_fields(|f| f.language = Some(language))
    }

    /// Requires a metadata pair.
    pub fn metadata(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let pair = (key.into(), value.into());
        self.with_fields(|f| f.metadata.push(pair))
    }

    /// Both this and `other`.
    pub fn and(self, other: Template) -> Self {
        Template::And(Box::new(self), Box::new(other))
    }

    /// This or `other`.
    pub fn or(self, other: Template) -> Self {
        Template::Or(Box::new(self), Box::new(other))
    }

    /// Anything this does not match.
    pub fn negate(self) -> Self {
        Template::Not(Box::new(self))
    }

    /// Whether the envelope fits.
    pub fn matches(&self, envelope: &Envelope) -> bool {
        match self {
            Template::Fields(fields) => fields.matches(envelope),
            Template::And(a, b) => a.matches(envelope) && b.matches(envelope),
            Template::Or(a, b) => a.matches(envelope) || b.matches(envelope),
            Template::Not(inner) => !inner.matches(envelope),
        }
    }
}

impl FieldTemplate {
    fn matches(&self, e: &Envelope) -> bool {
        fn same(want: &Option<String>, have: Option<&str>) -> bool {
            want.as_deref().is_none_or(|w| have == Some(w))
        }
        same(&self.sender, Some(&e.sender))
            && self.performative.is_none_or(|p| p == e.performative)
            && same(&self.conversation_id, e.conversation_id.as_deref())
            && same(&self.in_reply_to, e.in_reply_to.as_deref())
            && same(&self.ontology, e.ontology.as_deref())
            && same(&self.language, e.language.as_deref())
            && self
                .metadata
                .iter()
                .all(|(k, v)| e.metadata.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Envelope {
        Envelope::new(Performative::Propose, "w1", "m")
            .with_conversation("cnp-1")
            .with_metadata("lang", "en")
    }

    #[test]
    fn every_field_constraint_must_hold() {
        assert!(Template::new().matches(&msg()));
        assert!(
            Template::new()
                .conversation("cnp-1")
                .performative(Performative::Propose)
                .matches(&msg())
        );
        assert!(!Template::new().conversation("cnp-2").matches(&msg()));
        assert!(Template::new().metadata("lang", "en").matches(&msg()));
        assert!(!Template::new().metadata("lang", "fr").matches(&msg()));
        assert!(
            !Template::new().in_reply_to("x").matches(&msg()),
            "unset field on the envelope does not match a set one"
        );
    }

    #[test]
    fn combinators_behave_as_spade_operators() {
        let propose = Template::new().performative(Performative::Propose);
        let refuse = Template::new().performative(Performative::Refuse);
        assert!(propose.clone().or(refuse.clone()).matches(&msg()));
        assert!(!propose.clone().and(refuse.clone()).matches(&msg()));
        assert!(refuse.negate().matches(&msg()));
        assert!(propose.negate().sender("w1").matches(&Envelope::new(
            Performative::Inform,
            "w1",
            "m"
        )));
    }
}

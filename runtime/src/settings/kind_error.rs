//! A section owner's refusal of a value, naming its key.

/// What is wrong with the settings of a kind (or of a learner); `key` is
/// one of their keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct KindError {
    /// The key at fault, when one is.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl KindError {
    /// An error about the entry as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            key: None,
            message: message.into(),
        }
    }

    /// An error about one key.
    pub fn at(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: Some(key.to_string()),
            message: message.into(),
        }
    }
}

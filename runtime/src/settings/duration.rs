//! Durations in configs as people write them: `"500ms"`, `"2s"`, `"1m 30s"`.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Deserializes a humantime duration string.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// Deserializes an optional humantime duration string.
pub fn deserialize_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    text.map(|t| parse(&t).map_err(serde::de::Error::custom))
        .transpose()
}

/// Text that is not a duration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{text}` is not a duration ({reason}); write it like \"500ms\", \"2s\" or \"1m 30s\"")]
pub struct DurationError {
    /// The text given.
    pub text: String,
    /// What humantime said.
    pub reason: humantime::DurationError,
}

/// Parses `"2s"`, `"150ms"`, `"1h 5m"`.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    humantime::parse_duration(text.trim()).map_err(|reason| DurationError {
        text: text.to_string(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_forms_and_explains_bad_ones() {
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse(" 150ms "), Ok(Duration::from_millis(150)));
        assert!(
            parse("soon")
                .expect_err("not a duration")
                .to_string()
                .contains("`soon`")
        );
    }
}

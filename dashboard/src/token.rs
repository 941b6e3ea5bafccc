//! Who may use the dashboard: anyone on loopback, or whoever carries the
//! run's token when the server listens on another address.

use std::net::IpAddr;

use rand::Rng;

/// The dashboard's access rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Bound to loopback only: no token.
    Open,
    /// Every `/api/` request carries this token.
    Token(String),
}

/// Why the server will not start with these options.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--token: {0}")]
pub struct TokenError(String);

impl Access {
    /// The rule for a server bound to `bind`: a given token is always
    /// required; a non-loopback bind without one gets a generated token.
    pub fn for_bind(bind: IpAddr, token: Option<String>) -> Result<Access, TokenError> {
        match token {
            Some(token) if token.len() < 16 => Err(TokenError(format!(
                "a token must be at least 16 characters (got {})",
                token.len()
            ))),
            // It travels in URLs (the WebSocket cannot send headers).
            Some(token)
                if !token
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)) =>
            {
                Err(TokenError(
                    "a token may hold only letters, digits and - _ . ~".into(),
                ))
            }
            Some(token) => Ok(Access::Token(token)),
            None if bind.is_loopback() => Ok(Access::Open),
            None => Ok(Access::Token(generate())),
        }
    }

    /// The token to put in URLs, if one is needed.
    pub fn token(&self) -> Option<&str> {
        match self {
            Access::Open => None,
            Access::Token(token) => Some(token),
        }
    }

    /// Whether a request that carried `bearer` (header) or `query` (the
    /// `token` URL parameter) may go on.
    pub fn allows(&self, bearer: Option<&str>, query: Option<&str>) -> bool {
        match self {
            Access::Open => true,
            Access::Token(token) => [bearer, query]
                .into_iter()
                .flatten()
                .any(|given| same_secret(given.as_bytes(), token.as_bytes())),
        }
    }
}

/// Compares without returning early, so the time taken does not tell how
/// much of a guess was right.
fn same_secret(given: &[u8], token: &[u8]) -> bool {
    if given.len() != token.len() {
        return false;
    }
    given
        .iter()
        .zip(token)
        .fold(0u8, |differ, (a, b)| differ | (a ^ b))
        == 0
}

fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const ANY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

    #[test]
    fn loopback_needs_no_token_other_binds_get_one() {
        assert_eq!(Access::for_bind(LOOPBACK, None), Ok(Access::Open));
        let generated = Access::for_bind(ANY, None).expect("generated");
        let token = generated.token().expect("a token").to_string();
        assert_eq!(token.len(), 32);
        assert_ne!(
            Access::for_bind(ANY, None).expect("generated").token(),
            Some(token.as_str()),
            "two servers got the same token"
        );
    }

    #[test]
    fn only_the_right_token_passes() {
        let access = Access::for_bind(ANY, Some("s3cret-s3cret-s3cret".into())).expect("token");
        assert!(access.allows(Some("s3cret-s3cret-s3cret"), None));
        assert!(access.allows(None, Some("s3cret-s3cret-s3cret")));
        assert!(!access.allows(None, None));
        assert!(!access.allows(Some("s3cret-s3cret-s3creT"), None));
        assert!(!access.allows(Some("s3cret"), Some("wrong")));
        assert!(Access::Open.allows(None, None));
    }

    #[test]
    fn weak_tokens_are_refused() {
        assert!(Access::for_bind(ANY, Some("short".into())).is_err());
        assert!(Access::for_bind(ANY, Some("has a space in it!!".into())).is_err());
    }
}

//! Parsing of broker addresses as users write them: `mqtt://host:port`.

use std::fmt;
use std::str::FromStr;

/// Where an external MQTT broker listens, with optional credentials.
///
/// ```
/// use agora_runtime::transport::BrokerUrl;
///
/// let url: BrokerUrl = "mqtt://user:secret@broker.lan:1884".parse().unwrap();
/// assert_eq!((url.host.as_str(), url.port), ("broker.lan", 1884));
/// assert_eq!(url.username.as_deref(), Some("user"));
/// assert_eq!(url.to_string(), "mqtt://user@broker.lan:1884"); // never prints the password
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// Host name or IP address.
    pub host: String,
    /// TCP port (1883 when the URL names none).
    pub port: u16,
    /// User name, if the broker wants one.
    pub username: Option<String>,
    /// Password, if the broker wants one.
    pub password: Option<String>,
}

impl BrokerUrl {
    /// A URL for `host:port` without credentials.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            username: None,
            password: None,
        }
    }
}

impl fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.username {
            Some(user) => write!(f, "mqtt://{user}@{}:{}", self.host, self.port),
            None => write!(f, "mqtt://{}:{}", self.host, self.port),
        }
    }
}

impl fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BrokerUrl({self})")
    }
}

/// A broker URL that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid broker URL `{url}`: {reason} (expected mqtt://[user[:password]@]host[:port])")]
pub struct BrokerUrlError {
    /// The text as given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for BrokerUrl {
    type Err = BrokerUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str| BrokerUrlError {
            url: text.to_string(),
            reason: reason.to_string(),
        };
        let rest = match text.split_once("://") {
            Some(("mqtt" | "tcp", rest)) => rest,
            Some((scheme, _)) => return Err(fail(&format!("scheme `{scheme}` is not supported"))),
            None => text,
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err(fail("a broker URL has no path"));
        }
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((credentials, address)) => (Some(credentials), address),
            None => (None, rest),
        };
        let (username, password) = match credentials {
            None => (None, None),
            Some(c) => match c.split_once(':') {
                Some((user, pass)) => (Some(user.to_string()), Some(pass.to_string())),
                None => (Some(c.to_string()), None),
            },
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => {
                let port = port
                    .parse::<u16>()
                    .map_err(|_| fail(&format!("port `{port}` is not a number from 0 to 65535")))?;
                (host, port)
            }
            None => (address, 1883),
        };
        if host.is_empty() {
            return Err(fail("the host is missing"));
        }
        Ok(BrokerUrl {
            host: host.to_string(),
            port,
            username,
            password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_forms_users_write() {
        assert_eq!(
            "mqtt://localhost".parse::<BrokerUrl>().expect("url"),
            BrokerUrl::new("localhost", 1883)
        );
        assert_eq!(
            "tcp://10.0.0.2:1999/".parse::<BrokerUrl>().expect("url"),
            BrokerUrl::new("10.0.0.2", 1999)
        );
        assert_eq!(
            "127.0.0.1:1884".parse::<BrokerUrl>().expect("url"),
            BrokerUrl::new("127.0.0.1", 1884)
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_broker() {
        for bad in [
            "http://x",
            "mqtt://:1883",
            "mqtt://host:99999",
            "mqtt://host/path",
        ] {
            let err = bad.parse::<BrokerUrl>().expect_err(bad);
            assert!(err.to_string().contains(bad), "{err}");
        }
    }
}

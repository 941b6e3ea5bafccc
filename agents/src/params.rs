//! Construction parameters, named as Gymnasium's `make()` keyword arguments.
//!
//! [`Params`] is a string-to-string map (what `--param key=value` on the
//! command line and a TOML table both produce) with typed readers that turn a
//! bad value into an [`EnvError::InvalidParam`] naming the key. Each
//! environment declares the keys it accepts; an unknown key is an error, as
//! an unexpected keyword argument is in Python.
//!
//! Value syntax: booleans `true`/`false` (also Python's `True`/`False` and
//! `1`/`0`), numbers as Rust parses them (`1.0/3.0` is not evaluated), lists
//! (FrozenLake `desc`, `reward_schedule`) comma-separated (`SFFF,FHFH,FFFH,HFFG`)
//! or as a JSON array (`["SFFF","FHFH"]`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::EnvError;

/// Named construction parameters for an environment.
///
/// Serialized as a plain map of strings, so it travels in any wire format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// No parameters: every environment's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a parameter; builder style.
    pub fn with(mut self, key: impl Into<String>, value: impl fmt::Display) -> Self {
        self.set(key, value);
        self
    }

    /// Adds or replaces a parameter.
    pub fn set(&mut self, key: impl Into<String>, value: impl fmt::Display) {
        self.values.insert(key.into(), value.to_string());
    }

    /// Parses `key=value` (the CLI's `--param` syntax) and adds it.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), EnvError> {
        match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                self.set(k.trim(), v.trim());
                Ok(())
            }
            _ => Err(EnvError::InvalidParam {
                key: pair.to_string(),
                value: pair.to_string(),
                reason: "expected key=value".to_string(),
            }),
        }
    }

    /// Builds parameters from `key=value` strings.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<Self, EnvError> {
        let mut p = Self::new();
        for pair in pairs {
            p.set_pair(pair)?;
        }
        Ok(p)
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Whether no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The parameters as `(key, value)` pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Fails with [`EnvError::UnknownParam`] on the first key not in `accepted`.
    pub fn check_keys(&self, id: &str, accepted: &[&str]) -> Result<(), EnvError> {
        match self.values.keys().find(|k| !accepted.contains(&k.as_str())) {
            Some(key) => Err(EnvError::UnknownParam {
                id: id.to_string(),
                key: key.clone(),
                accepted: accepted.iter().map(|s| s.to_string()).collect(),
            }),
            None => Ok(()),
        }
    }

    fn invalid(key: &str, value: &str, reason: impl Into<String>) -> EnvError {
        EnvError::InvalidParam {
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// A boolean parameter, `default` when absent.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, EnvError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v {
                "true" | "True" | "1" => Ok(true),
                "false" | "False" | "0" => Ok(false),
                _ => Err(Self::invalid(key, v, "expected true or false")),
            },
        }
    }

    /// A finite float parameter, `default` when absent.
    pub fn f64_or(&self, key: &str, default: f64) -> Result<f64, EnvError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(Self::invalid(key, v, "expected a finite number")),
            },
        }
    }

    /// A non-negative integer parameter, `None` when absent.
    pub fn u64_opt(&self, key: &str) -> Result<Option<u64>, EnvError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .parse::<u64>()
                .map(Some)
                .map_err(|_| Self::invalid(key, v, "expected a non-negative integer")),
        }
    }

    /// A string parameter, `None` when absent.
    pub fn str_opt(&self, key: &str) -> Option<&str> {
        self.get(key)
    }

    /// A list parameter (comma-separated or a JSON array of strings or
    /// numbers), `None` when absent.
    pub fn list_opt(&self, key: &str) -> Result<Option<Vec<String>>, EnvError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let t = v.trim();
        if t.starts_with('[') {
            let parsed: Vec<serde_json::Value> = serde_json::from_str(t)
                .map_err(|e| Self::invalid(key, v, format!("not a JSON array: {e}")))?;
            parsed
                .into_iter()
                .map(|x| match x {
                    serde_json::Value::String(s) => Ok(s),
                    serde_json::Value::Number(n) => Ok(n.to_string()),
                    _ => Err(Self::invalid(
                        key,
                        v,
                        "list items must be strings or numbers",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        } else {
            let t = t.trim_start_matches('(').trim_end_matches(')');
            Ok(Some(
                t.split(',')
                    .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
                    .collect(),
            ))
        }
    }

    /// A list of finite floats of exactly `len` items, `None` when absent.
    pub fn f64_list_opt(&self, key: &str, len: usize) -> Result<Option<Vec<f64>>, EnvError> {
        let Some(items) = self.list_opt(key)? else {
            return Ok(None);
        };
        let raw = self.get(key).unwrap_or_default();
        if items.len() != len {
            return Err(Self::invalid(key, raw, format!("expected {len} numbers")));
        }
        items
            .iter()
            .map(|s| match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(Self::invalid(
                    key,
                    raw,
                    format!("`{s}` is not a finite number"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (k, v) in &self.values {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_and_typed_readers_convert() {
        let p = Params::from_pairs(["is_slippery=False", "map_name = 8x8", "success_rate=0.75"])
            .unwrap();
        assert!(!p.bool_or("is_slippery", true).unwrap());
        assert_eq!(p.str_opt("map_name"), Some("8x8"));
        assert_eq!(p.f64_or("success_rate", 0.0).unwrap(), 0.75);
        assert!(p.bool_or("absent", true).unwrap());
    }

    #[test]
    fn a_pair_without_equals_is_rejected() {
        let err = Params::from_pairs(["map_name"]).unwrap_err();
        assert!(err.to_string().contains("expected key=value"), "{err}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let p = Params::new()
            .with("is_slippery", "maybe")
            .with("success_rate", "nan");
        let e = p.bool_or("is_slippery", true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameter `is_slippery`: expected true or false (got `maybe`)"
        );
        assert!(p.f64_or("success_rate", 0.1).is_err());
    }

    #[test]
    fn lists_accept_commas_json_and_python_tuples() {
        let p = Params::new()
            .with("desc", "SF, FG")
            .with("j", r#"["SFFF","FHFG"]"#)
            .with("r", "(1, 0, -0.5)");
        assert_eq!(p.list_opt("desc").unwrap().unwrap(), vec!["SF", "FG"]);
        assert_eq!(p.list_opt("j").unwrap().unwrap(), vec!["SFFF", "FHFG"]);
        assert_eq!(
            p.f64_list_opt("r", 3).unwrap().unwrap(),
            vec![1.0, 0.0, -0.5]
        );
        assert!(p.f64_list_opt("r", 2).is_err());
    }

    #[test]
    fn unknown_keys_are_listed_with_the_accepted_ones() {
        let p = Params::new().with("slippery", "true");
        let e = p
            .check_keys("FrozenLake-v1", &["is_slippery", "map_name"])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`FrozenLake-v1` has no parameter `slippery`; it accepts: is_slippery, map_name"
        );
    }
}

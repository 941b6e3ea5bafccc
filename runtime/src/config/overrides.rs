//! Command-line changes to a config (`--set KEY=VALUE`, `--seed S`): applied
//! to the parsed TOML before it is checked, so an overridden value is typed
//! and validated as if it were written in the file, and the run records
//! the config it really ran.

use std::path::Path;

use super::{ConfigError, ExperimentConfig};
use crate::kinds::AgentRegistry;

/// One `KEY=VALUE`: a dotted key (`ppo.learning_rate`, `agents[1].count`)
/// and a TOML value (`3`, `0.5`, `true`, `"text"`, `[1, 2]`; a bare word is
/// a string).
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The key as given.
    pub key: String,
    /// The value, read as TOML.
    pub value: toml::Value,
}

impl Override {
    /// Reads `KEY=VALUE`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| option_error(format!("`{text}` is not KEY=VALUE")))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(option_error(format!("`{text}` has no key before `=`")));
        }
        let value = value.trim();
        let value = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut table| table.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_string()));
        Ok(Self {
            key: key.to_string(),
            value,
        })
    }

    /// `--seed S`: the learner's seed, or else every `bdi` agent's.
    pub fn seed(seed: u64, text: &str) -> Result<Vec<Self>, ConfigError> {
        let document: toml::Table =
            toml::from_str(text).map_err(|e| option_error(e.to_string()))?;
        let value = toml::Value::Integer(
            i64::try_from(seed)
                .map_err(|_| option_error(format!("--seed {seed} is above {}", i64::MAX)))?,
        );
        if document.contains_key("learner") {
            return Ok(vec![Self {
                key: "learner.seed".into(),
                value,
            }]);
        }
        let bdi: Vec<Self> = document
            .get("agents")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, agent)| agent.get("kind").and_then(toml::Value::as_str) == Some("bdi"))
            .map(|(index, _)| Self {
                key: format!("agents[{index}].seed"),
                value: value.clone(),
            })
            .collect();
        if bdi.is_empty() {
            return Err(option_error(
                "--seed: the config has no [learner] and no bdi agent to seed".into(),
            ));
        }
        Ok(bdi)
    }

    fn apply(&self, document: &mut toml::Table) -> Result<(), ConfigError> {
        let segments = key_segments(&self.key).map_err(option_error)?;
        let (last, path) = segments
            .split_last()
            .ok_or_else(|| option_error(format!("`{}`: empty key", self.key)))?;
        let mut table = document;
        for segment in path {
            table = descend(table, segment, &self.key)?;
        }
        match last {
            Segment::Key(name) => {
                table.insert(name.clone(), self.value.clone());
                Ok(())
            }
            Segment::Index(..) => Err(option_error(format!(
                "--set {}: a key must end in a name, not an index",
                self.key
            ))),
        }
    }
}

enum Segment {
    Key(String),
    Index(String, usize),
}

fn key_segments(key: &str) -> Result<Vec<Segment>, String> {
    key.split('.')
        .map(|part| match part.split_once('[') {
            Some((name, rest)) => rest
                .strip_suffix(']')
                .and_then(|n| n.parse().ok())
                .map(|n| Segment::Index(name.to_string(), n))
                .ok_or_else(|| format!("`{key}`: `{part}` should be NAME[INDEX]")),
            None if part.is_empty() => Err(format!("`{key}`: empty part")),
            None => Ok(Segment::Key(part.to_string())),
        })
        .collect()
}

fn descend<'t>(
    table: &'t mut toml::Table,
    segment: &Segment,
    key: &str,
) -> Result<&'t mut toml::Table, ConfigError> {
    match segment {
        Segment::Key(name) => table
            .entry(name.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| option_error(format!("--set {key}: `{name}` is not a table"))),
        Segment::Index(name, index) => table
            .get_mut(name)
            .and_then(toml::Value::as_array_mut)
            .and_then(|items| items.get_mut(*index))
            .and_then(toml::Value::as_table_mut)
            .ok_or_else(|| option_error(format!("--set {key}: there is no `{name}[{index}]`"))),
    }
}

fn option_error(message: String) -> ConfigError {
    ConfigError::Option {
        option: "--set".into(),
        message,
    }
}

impl ExperimentConfig {
    /// Parses config text with `overrides` applied; `source` names it in
    /// errors, marked as changed when there are overrides.
    pub fn from_toml_str_with_overrides(
        source: impl AsRef<Path>,
        text: &str,
        registry: &AgentRegistry,
        overrides: &[Override],
    ) -> Result<Self, ConfigError> {
        if overrides.is_empty() {
            return Self::from_toml_str_with_registry(source, text, registry);
        }
        let mut document: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: source.as_ref().to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        for change in overrides {
            change.apply(&mut document)?;
        }
        let changed = toml::to_string(&document).map_err(|e| option_error(e.to_string()))?;
        let mut config = Self::from_toml_str_with_registry(source.as_ref(), &changed, registry)?;
        // The config the run really runs is what it records and resumes.
        config.text = changed;
        Ok(config)
    }
}

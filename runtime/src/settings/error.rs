//! Config errors: each names the file, the key (and its line where it is
//! known) and what was expected.

use std::path::PathBuf;

/// A config that cannot be used. Nothing has started when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The config file.
        file: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, a wrong type or a missing field. The
    /// message from the TOML parser gives line, column and key.
    #[error("{file}: {message}")]
    Syntax {
        /// The config file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A key whose value its owner (a kind's settings, say) refuses; the
    /// line and column are where the key is written.
    #[error("{file}: line {line}, column {column}: `{key}`: {message}")]
    Setting {
        /// The config file.
        file: PathBuf,
        /// 1-based line of the key.
        line: usize,
        /// 1-based column of the key.
        column: usize,
        /// Dotted path of the key, e.g. `agents[2].window`.
        key: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A command-line option the run was given (`--broker`, `--warm-start`)
    /// that cannot be used.
    #[error("{option}: {message}")]
    Option {
        /// The option as typed, e.g. `--broker`.
        option: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// Valid TOML whose values do not fit together.
    #[error("{file}: `{key}`: {message}")]
    Invalid {
        /// The config file.
        file: PathBuf,
        /// Dotted path of the key, e.g. `agents[2].window`.
        key: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

//! Error types of the engine: loading programs, evaluating terms and
//! running actions.

use thiserror::Error;

/// One syntax or load error, located in the source text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ParseError {
    /// File name given when loading (for messages only).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

/// Loading a program failed; the program never starts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LoadError {
    /// The text has syntax errors or names unknown internal actions.
    #[error("{}", render(.0))]
    Invalid(Vec<ParseError>),
}

impl LoadError {
    /// The individual errors.
    pub fn errors(&self) -> &[ParseError] {
        match self {
            LoadError::Invalid(v) => v,
        }
    }
}

fn render(errors: &[ParseError]) -> String {
    let mut s = String::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&e.to_string());
    }
    s
}

/// Evaluating an expression failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvalError {
    /// A variable had no value where a value was needed.
    #[error("unbound variable in expression")]
    Unbound,
    /// An operand had the wrong type.
    #[error("type error: {op} expects numbers, got {found}")]
    Type {
        /// The operator.
        op: &'static str,
        /// The offending operand, as text.
        found: String,
    },
    /// Integer division or modulo by zero.
    #[error("division by zero")]
    DivisionByZero,
    /// An integer result beyond the 64-bit range. Integers and floats are
    /// kept apart, so it is an error rather than a silent float.
    #[error(
        "integer overflow: {expression} is beyond the 64-bit integer range (write a float operand, like 1.0, for float arithmetic)"
    )]
    IntegerOverflow {
        /// The operation, as text (`9223372036854775807 + 1`).
        expression: String,
    },
}

/// An internal or custom action failed with an error (as opposed to simply
/// failing, which is not an error). The intention gets a `-!g` event whose
/// `error(...)` annotation is [`ActionError::kind`].
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ActionError {
    /// No internal action or custom action of this name and arity.
    #[error("unknown action {name}/{arity}")]
    Unknown {
        /// Action name.
        name: String,
        /// Number of arguments it was called with.
        arity: usize,
    },
    /// An argument had the wrong type or was unbound.
    #[error("{action}: {message}")]
    BadArgument {
        /// Action name.
        action: String,
        /// What was wrong.
        message: String,
    },
    /// Evaluating an argument failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A custom action reported an error.
    #[error("{0}")]
    Custom(String),
    /// Rules (or nested formulas) recursed deeper than the engine allows.
    #[error("formula nested deeper than {0} levels (runaway rule recursion?)")]
    TooDeep(u32),
}

impl ActionError {
    /// Jason's error kind atom for this error (`error(Kind)` annotation).
    pub fn kind(&self) -> &'static str {
        match self {
            ActionError::Unknown { .. } => "action_failed",
            ActionError::BadArgument { .. } => "wrong_arguments",
            ActionError::Eval(_) => "eval_error",
            ActionError::Custom(_) => "action_failed",
            ActionError::TooDeep(_) => "eval_error",
        }
    }
}

/// Message content text that does not parse as a term.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("malformed message content: {0}")]
pub struct ContentError(pub ParseError);

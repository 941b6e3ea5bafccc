//! Agora's actor runtime.
#![warn(missing_docs)]

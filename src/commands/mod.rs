//! One module per subcommand.

pub mod broker;
pub mod run;
pub mod runs;
pub mod send;

//! One module per subcommand.

pub mod asl;
pub mod broker;
pub mod ctl;
pub mod dashboard;
pub mod env;
pub mod eval;
pub mod plot;
pub mod record;
pub mod run;
pub mod runs;
pub mod send;

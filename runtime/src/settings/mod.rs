//! What every part of a config is read with, below the layers that own
//! the sections: durations as people write them, env parameters from TOML
//! tables, and the config error that names file, line and key.

mod capabilities;
pub mod duration;
mod error;
mod kind_error;
mod params;

pub use capabilities::Capabilities;
pub use error::ConfigError;
pub use kind_error::KindError;
pub use params::params_from_toml;

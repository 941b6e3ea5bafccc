//! [`EpisodeStats`]: the return and length of one finished episode.
//!
//! Its own module because both layers use it: [`Info`](crate::Info) in
//! `env` carries it, and the `RecordEpisodeStatistics` wrapper (built on
//! `env`) fills it. Kept below both so that `env` need not import from
//! `wrappers`. Its public path stays `wrappers::episode_stats::EpisodeStats`.

use serde::{Deserialize, Serialize};

/// Return and length of one finished episode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpisodeStats {
    /// Sum of the episode's rewards.
    pub episode_return: f64,
    /// Number of steps in the episode.
    pub length: u32,
}

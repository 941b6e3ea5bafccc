//! How many whole live episodes one tab is sent. A CartPole learner ends a
//! thousand short episodes a second; a page can show a few of them, and
//! parsing the rest cost a headless Chromium tab a fifth of a core, taken
//! from training on a small machine. A tab gets at most one episode per
//! [`EPISODE_INTERVAL`]: the first after a quiet interval at once, and the
//! newest of those that came within an interval when it is over; the others
//! are skipped and counted (the page is told the count). Frames and
//! everything else pass untouched.

use std::time::{Duration, Instant};

use crate::live::Payload;

/// Shortest time between two whole episodes sent to one tab (25 a second).
pub const EPISODE_INTERVAL: Duration = Duration::from_millis(40);

/// One tab's pacing of whole episodes.
#[derive(Debug, Default)]
pub struct EpisodePacer {
    last_sent: Option<Instant>,
    held: Option<Payload>,
    skipped: u64,
    told: u64,
}

/// Whether a message of the episodes topic is a whole episode (a run
/// writes its `type` first: `{"type":"episode",…`); frames are not.
pub fn is_whole_episode(payload: &str) -> bool {
    payload.starts_with(r#"{"type":"episode""#)
}

impl EpisodePacer {
    /// An episode arrived at `now`: `Some` when it goes out at once;
    /// otherwise it waits (replacing, and skipping, one that waited).
    pub fn offer(&mut self, episode: Payload, now: Instant) -> Option<Payload> {
        let quiet = self
            .last_sent
            .is_none_or(|at| now.duration_since(at) >= EPISODE_INTERVAL);
        if quiet && self.held.is_none() {
            self.last_sent = Some(now);
            return Some(episode);
        }
        if self.held.replace(episode).is_some() {
            self.skipped += 1;
        }
        None
    }

    /// When the waiting episode is due, if one waits.
    pub fn due(&self) -> Option<Instant> {
        self.held.as_ref()?;
        Some(
            self.last_sent
                .map_or_else(Instant::now, |at| at + EPISODE_INTERVAL),
        )
    }

    /// The waiting episode, sent at `now` (call once `due` has passed).
    pub fn release(&mut self, now: Instant) -> Option<Payload> {
        let episode = self.held.take()?;
        self.last_sent = Some(now);
        Some(episode)
    }

    /// Episodes skipped so far, when that grew since last asked.
    pub fn untold_skips(&mut self) -> Option<u64> {
        (self.skipped > self.told).then(|| {
            self.told = self.skipped;
            self.skipped
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(n: u32) -> Payload {
        Payload::from(format!(r#"{{"type":"episode","episode":{n}}}"#))
    }

    #[test]
    fn the_first_goes_at_once_and_the_newest_of_a_burst_follows_an_interval_later() {
        let mut pacer = EpisodePacer::default();
        let t0 = Instant::now();
        assert_eq!(pacer.offer(episode(1), t0), Some(episode(1)));
        assert_eq!(pacer.due(), None);
        for n in 2..=5 {
            assert_eq!(
                pacer.offer(episode(n), t0 + Duration::from_millis(n.into())),
                None
            );
        }
        assert_eq!(pacer.due(), Some(t0 + EPISODE_INTERVAL));
        assert_eq!(
            pacer.untold_skips(),
            Some(3),
            "2, 3 and 4 were replaced by a newer one"
        );
        assert_eq!(pacer.untold_skips(), None, "told once");
        let later = t0 + EPISODE_INTERVAL;
        assert_eq!(pacer.release(later), Some(episode(5)));
        assert_eq!(pacer.release(later), None);
        // Within an interval of that send: waits again.
        assert_eq!(
            pacer.offer(episode(6), later + Duration::from_millis(1)),
            None
        );
        assert_eq!(pacer.due(), Some(later + EPISODE_INTERVAL));
    }

    #[test]
    fn only_whole_episodes_are_paced() {
        assert!(is_whole_episode(
            r#"{"type":"episode","episode":1,"relayed_at":2.0}"#
        ));
        assert!(!is_whole_episode(r#"{"type":"frame","step":3}"#));
        assert!(!is_whole_episode(r#"{"type":"episode_summary"}"#));
    }

    #[test]
    fn after_a_quiet_interval_an_episode_goes_at_once() {
        let mut pacer = EpisodePacer::default();
        let t0 = Instant::now();
        assert!(pacer.offer(episode(1), t0).is_some());
        let quiet = t0 + EPISODE_INTERVAL + Duration::from_millis(1);
        assert_eq!(pacer.offer(episode(2), quiet), Some(episode(2)));
        assert_eq!(pacer.untold_skips(), None);
    }
}

//! [`AutoresetMode`]: when a batch resets an env whose episode ended.
//!
//! A module of its own because both sides of a batch need it without
//! needing each other: the batch types in [`vec_env`](crate::vec_env) and
//! the saved form in [`env::snapshot`](crate::env::snapshot) and
//! [`batch_episodes`](crate::batch_episodes).

/// When a finished episode's env is reset; the two modes are described in
/// the [`vec_env`](crate::vec_env) module doc.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AutoresetMode {
    /// Reset on the step after the episode ended (Gymnasium's default).
    #[default]
    NextStep,
    /// Reset within the step that ended the episode; final obs in `final_obs`.
    SameStep,
}

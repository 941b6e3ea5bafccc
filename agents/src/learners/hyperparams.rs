//! Range checks of the learners' hyperparameters; each error names the key.

use crate::learners::TrainError;

/// Checks a hyperparameter: `ok` or a [`TrainError::Config`] for `key`.
pub(crate) fn ensure(
    ok: bool,
    key: &str,
    reason: impl FnOnce() -> String,
) -> Result<(), TrainError> {
    if ok {
        Ok(())
    } else {
        Err(TrainError::config(key, reason()))
    }
}

/// Checks that `value` (a discount, rate or fraction) is in [0, 1].
pub(crate) fn ensure_unit_interval(key: &str, value: f64) -> Result<(), TrainError> {
    ensure((0.0..=1.0).contains(&value), key, || {
        format!("must be in [0, 1], got {value}")
    })
}

/// Checks the Adam keys the network learners share: `learning_rate` and `adam_eps`.
pub(crate) fn ensure_adam(learning_rate: f64, adam_eps: f64) -> Result<(), TrainError> {
    ensure(
        learning_rate > 0.0 && learning_rate.is_finite(),
        "learning_rate",
        || format!("must be positive, got {learning_rate}"),
    )?;
    ensure(adam_eps > 0.0, "adam_eps", || {
        format!("must be positive, got {adam_eps}")
    })
}

//! The categorical distribution over discrete actions, from logits.
//!
//! Acting happens on the host: [`sample`] turns one row of logits into an
//! action and its log-probability (inverse CDF with one uniform draw from
//! the learner's seeded [`Rng`]). Learning happens on tensors:
//! [`log_prob_and_entropy`] gives `log pi(a|s)` and the entropy for a
//! batch, differentiably, as `torch.distributions.Categorical(logits=…)`'s
//! `log_prob` and `entropy`.

use candle_core::{D, Tensor};

use crate::Rng;
use crate::train_error::TrainError;

/// `log_softmax` of one row, computed stably in `f64`.
pub fn log_softmax(logits: &[f32], out: &mut [f64]) {
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let max = f64::from(max);
    let lse = logits
        .iter()
        .map(|&x| (f64::from(x) - max).exp())
        .sum::<f64>()
        .ln()
        + max;
    for (o, &x) in out.iter_mut().zip(logits) {
        *o = f64::from(x) - lse;
    }
}

/// Draws an action from one row of logits; returns it with its
/// log-probability. `scratch` must be as long as the row.
pub fn sample(logits: &[f32], rng: &mut Rng, scratch: &mut [f64]) -> (i64, f64) {
    log_softmax(logits, scratch);
    let u = rng.next_f64();
    let mut acc = 0.0;
    for (a, &lp) in scratch.iter().enumerate() {
        acc += lp.exp();
        if u < acc {
            return (a as i64, lp);
        }
    }
    // Rounding left the sum just under 1 and u landed above it: the last
    // action with non-zero probability.
    let last = scratch
        .iter()
        .rposition(|lp| lp.is_finite())
        .unwrap_or(scratch.len() - 1);
    (last as i64, scratch[last])
}

/// The index of the largest logit (the first on ties, as `argmax`).
pub fn argmax(row: &[f32]) -> i64 {
    let mut best = 0;
    for (i, &x) in row.iter().enumerate() {
        if x > row[best] {
            best = i;
        }
    }
    best as i64
}

/// `log pi(a|s)` and entropy for a batch: `logits [B, A]`, `actions [B]`
/// (u32) → two `[B]` tensors, differentiable with respect to the logits.
pub fn log_prob_and_entropy(
    logits: &Tensor,
    actions: &Tensor,
) -> Result<(Tensor, Tensor), TrainError> {
    let logp = candle_nn::ops::log_softmax(logits, D::Minus1)?;
    let chosen = logp.gather(&actions.unsqueeze(1)?, 1)?.squeeze(1)?;
    let entropy = (logp.exp()? * &logp)?.sum(1)?.neg()?;
    Ok((chosen, entropy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn log_prob_and_entropy_match_hand_values() {
        // Logits [0, ln 3]: probabilities 1/4 and 3/4.
        let l3 = 3f32.ln();
        let logits = Tensor::from_slice(&[0.0f32, l3, l3, 0.0], (2, 2), &Device::Cpu).unwrap();
        let actions = Tensor::from_slice(&[0u32, 0], 2, &Device::Cpu).unwrap();
        let (lp, ent) = log_prob_and_entropy(&logits, &actions).unwrap();
        let lp = lp.to_vec1::<f32>().unwrap();
        let ent = ent.to_vec1::<f32>().unwrap();
        assert!((lp[0] - 0.25f32.ln()).abs() < 1e-6);
        assert!((lp[1] - 0.75f32.ln()).abs() < 1e-6);
        let h = -(0.25f32 * 0.25f32.ln() + 0.75 * 0.75f32.ln());
        assert!((ent[0] - h).abs() < 1e-6 && (ent[1] - h).abs() < 1e-6);
    }

    #[test]
    fn sampling_follows_the_probabilities() {
        let mut rng = Rng::seed_from_u64(11);
        let logits = [0.0f32, 3f32.ln()];
        let mut scratch = [0.0; 2];
        let mut ones = 0;
        for _ in 0..20_000 {
            let (a, lp) = sample(&logits, &mut rng, &mut scratch);
            let want = if a == 1 { 0.75f64.ln() } else { 0.25f64.ln() };
            assert!((lp - want).abs() < 1e-7);
            ones += a;
        }
        let frac = ones as f64 / 20_000.0;
        assert!((frac - 0.75).abs() < 0.015, "{frac}");
    }

    #[test]
    fn an_action_with_minus_infinite_logit_is_never_drawn() {
        let mut rng = Rng::seed_from_u64(1);
        let mut scratch = [0.0; 3];
        for _ in 0..1000 {
            let (a, _) = sample(&[f32::NEG_INFINITY, 0.0, 0.0], &mut rng, &mut scratch);
            assert_ne!(a, 0);
        }
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }
}

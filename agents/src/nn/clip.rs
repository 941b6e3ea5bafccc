//! Global gradient-norm clipping, as `torch.nn.utils.clip_grad_norm_`.
//!
//! The norm is taken over all parameters together (the 2-norm of the
//! per-tensor 2-norms). When it exceeds `max_norm`, every gradient is scaled
//! by `max_norm / (norm + 1e-6)`; otherwise nothing changes. The norm before
//! clipping is returned, as torch returns it (CleanRL logs it). Sums are
//! accumulated in `f64`, so the result is torch's up to `f32` rounding.

/// Clips `grads` in place; returns the total norm before clipping.
pub fn clip_grad_norm(grads: &mut [Vec<f32>], max_norm: f64) -> f64 {
    let total = grad_norm(grads);
    let coef = max_norm / (total + 1e-6);
    if coef < 1.0 {
        let c = coef as f32;
        for g in grads.iter_mut() {
            for x in g.iter_mut() {
                *x *= c;
            }
        }
    }
    total
}

/// The global 2-norm of `grads` without changing them.
pub fn grad_norm(grads: &[Vec<f32>]) -> f64 {
    grads
        .iter()
        .map(|g| g.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>())
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_to_max_norm_over_all_tensors() {
        // Norm of [3, 0] and [4] together is 5.
        let mut g = vec![vec![3.0f32, 0.0], vec![4.0]];
        let n = clip_grad_norm(&mut g, 0.5);
        assert!((n - 5.0).abs() < 1e-12);
        let c = (0.5 / (5.0 + 1e-6)) as f32;
        assert_eq!(g, vec![vec![3.0 * c, 0.0], vec![4.0 * c]]);
        assert!((grad_norm(&g) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn leaves_small_gradients_alone() {
        let mut g = vec![vec![0.1f32, -0.2]];
        let n = clip_grad_norm(&mut g, 0.5);
        assert!((n - 0.05f64.sqrt()).abs() < 1e-7);
        assert_eq!(g, vec![vec![0.1, -0.2]]);
    }

    #[test]
    fn a_nan_gradient_gives_a_nan_norm() {
        let mut g = vec![vec![f32::NAN]];
        assert!(clip_grad_norm(&mut g, 0.5).is_nan());
    }
}

//! Seeded weight initialisation: torch's `nn.Linear` default and orthogonal.
//!
//! * [`kaiming_uniform`]: what `torch.nn.Linear` does on construction,
//!   `kaiming_uniform_(a = sqrt(5))` for the weight, which is
//!   `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, and the same bound for the bias.
//!   CleanRL's DQN uses these defaults.
//! * [`orthogonal`]: `torch.nn.init.orthogonal_(w, gain)`: a Gaussian matrix
//!   made orthogonal (Q of its QR decomposition with the signs of R's
//!   diagonal folded in) times `gain`. CleanRL's PPO `layer_init` uses it
//!   with gain `sqrt(2)` (hidden), `0.01` (policy head), `1` (value head)
//!   and zero biases.
//!
//! Draws come from the crate's [`Rng`], so a seed fixes the network on
//! every build; the numbers differ from torch's (another generator).

use crate::Rng;

/// A standard normal draw (Box–Muller, one of the pair).
pub fn normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - rng.next_f64();
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// torch's default `nn.Linear` init: weight `[out, in]` row-major and bias
/// `[out]`, all `U(-1/sqrt(in), 1/sqrt(in))`.
pub fn kaiming_uniform(rng: &mut Rng, out_dim: usize, in_dim: usize) -> (Vec<f32>, Vec<f32>) {
    let bound = 1.0 / (in_dim.max(1) as f64).sqrt();
    let w = (0..out_dim * in_dim)
        .map(|_| rng.uniform(-bound, bound) as f32)
        .collect();
    let b = (0..out_dim)
        .map(|_| rng.uniform(-bound, bound) as f32)
        .collect();
    (w, b)
}

/// An `[rows, cols]` row-major matrix with orthonormal rows (if
/// `rows <= cols`) or columns (otherwise), times `gain`.
pub fn orthogonal(rng: &mut Rng, rows: usize, cols: usize, gain: f64) -> Vec<f32> {
    // Work on the tall orientation (n >= m), as torch does by transposing.
    let (n, m) = if rows >= cols {
        (rows, cols)
    } else {
        (cols, rows)
    };
    // Column-major n x m Gaussian.
    let mut a: Vec<f64> = (0..n * m).map(|_| normal(rng)).collect();
    // Modified Gram-Schmidt: Q's columns with R's diagonal positive, which
    // is QR with torch's `q *= sign(diag(r))` correction already applied.
    for j in 0..m {
        for k in 0..j {
            let dot: f64 = (0..n).map(|i| a[k * n + i] * a[j * n + i]).sum();
            for i in 0..n {
                a[j * n + i] -= dot * a[k * n + i];
            }
        }
        let norm = (0..n).map(|i| a[j * n + i].powi(2)).sum::<f64>().sqrt();
        // A zero column has probability zero with Gaussian draws; keep it
        // zero rather than divide by zero.
        let inv = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        for i in 0..n {
            a[j * n + i] *= inv;
        }
    }
    let mut out = vec![0.0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            // Tall case: element (r, c) is Q[r][c]; wide case: Q^T.
            let q = if rows >= cols {
                a[c * n + r]
            } else {
                a[r * n + c]
            };
            out[r * cols + c] = (q * gain) as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gram(w: &[f32], rows: usize, cols: usize, by_rows: bool) -> Vec<f64> {
        let k = if by_rows { rows } else { cols };
        let mut g = vec![0.0; k * k];
        for a in 0..k {
            for b in 0..k {
                g[a * k + b] = if by_rows {
                    (0..cols)
                        .map(|c| f64::from(w[a * cols + c]) * f64::from(w[b * cols + c]))
                        .sum()
                } else {
                    (0..rows)
                        .map(|r| f64::from(w[r * cols + a]) * f64::from(w[r * cols + b]))
                        .sum()
                };
            }
        }
        g
    }

    #[test]
    fn orthogonal_tall_matrix_has_orthonormal_columns_times_gain() {
        let mut rng = Rng::seed_from_u64(1);
        let w = orthogonal(&mut rng, 64, 4, 2f64.sqrt());
        let g = gram(&w, 64, 4, false);
        for a in 0..4 {
            for b in 0..4 {
                let want = if a == b { 2.0 } else { 0.0 };
                assert!(
                    (g[a * 4 + b] - want).abs() < 1e-5,
                    "{a},{b}: {}",
                    g[a * 4 + b]
                );
            }
        }
    }

    #[test]
    fn orthogonal_wide_matrix_has_orthonormal_rows() {
        let mut rng = Rng::seed_from_u64(2);
        let w = orthogonal(&mut rng, 2, 64, 0.01);
        let g = gram(&w, 2, 64, true);
        assert!((g[0] - 1e-4).abs() < 1e-9 && (g[3] - 1e-4).abs() < 1e-9);
        assert!(g[1].abs() < 1e-9);
    }

    #[test]
    fn orthogonal_of_a_hand_made_case_matches_gram_schmidt_by_hand() {
        // With a 2x1 target, Q is the normalised first Gaussian column:
        // its sign is kept (R's diagonal is the positive norm).
        let mut a = Rng::seed_from_u64(9);
        let (x, y) = (normal(&mut a), normal(&mut a));
        let norm = (x * x + y * y).sqrt();
        let mut b = Rng::seed_from_u64(9);
        let w = orthogonal(&mut b, 2, 1, 1.0);
        assert!((f64::from(w[0]) - x / norm).abs() < 1e-7);
        assert!((f64::from(w[1]) - y / norm).abs() < 1e-7);
    }

    #[test]
    fn kaiming_uniform_stays_within_one_over_sqrt_fan_in() {
        let mut rng = Rng::seed_from_u64(3);
        let (w, b) = kaiming_uniform(&mut rng, 120, 4);
        assert_eq!((w.len(), b.len()), (480, 120));
        assert!(w.iter().chain(&b).all(|v| v.abs() <= 0.5));
        // Uniform on [-0.5, 0.5]: the spread is wide, not clumped at zero.
        assert!(w.iter().any(|v| *v > 0.4) && w.iter().any(|v| *v < -0.4));
        let mut again = Rng::seed_from_u64(3);
        assert_eq!(kaiming_uniform(&mut again, 120, 4).0, w, "seeded");
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut rng = Rng::seed_from_u64(4);
        let n = 50_000;
        let xs: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.02 && (var - 1.0).abs() < 0.03,
            "{mean} {var}"
        );
    }
}

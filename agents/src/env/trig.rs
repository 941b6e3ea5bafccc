//! Inline sine and cosine for the small angles of the classic-control envs.
//!
//! CartPole's step is dominated by `sin` and `cos` of the pole angle, which
//! stays within ±0.21 rad while an episode runs. Two libm calls cost more
//! than the rest of the step; these inline polynomials (the fdlibm /
//! musl `__kernel_sin` and `__kernel_cos` minimax kernels, error below one
//! ulp on `|x| <= pi/4`) let the compiler schedule several envs' work at
//! once. Outside that range they defer to libm, so results are always
//! within an ulp of `f64::sin_cos`, which keeps trajectories on Gymnasium's
//! to ~1e-15.

use std::f64::consts::FRAC_PI_4;

// fdlibm's coefficients, by bit pattern (decimal in the comments).
const S1: f64 = f64::from_bits(0xBFC55555_55555549); // -1.66666666666666324348e-1
const S2: f64 = f64::from_bits(0x3F811111_1110F8A6); // 8.33333333332248946124e-3
const S3: f64 = f64::from_bits(0xBF2A01A0_19C161D5); // -1.98412698298579493134e-4
const S4: f64 = f64::from_bits(0x3EC71DE3_57B1FE7D); // 2.75573137070700676789e-6
const S5: f64 = f64::from_bits(0xBE5AE5E6_8A2B9CEB); // -2.50507602534068634195e-8
const S6: f64 = f64::from_bits(0x3DE5D93A_5ACFD57C); // 1.58969099521155010221e-10

const C1: f64 = f64::from_bits(0x3FA55555_5555554C); // 4.16666666666666019037e-2
const C2: f64 = f64::from_bits(0xBF56C16C_16C15177); // -1.38888888888741095749e-3
const C3: f64 = f64::from_bits(0x3EFA01A0_19CB1590); // 2.48015872894767294178e-5
const C4: f64 = f64::from_bits(0xBE927E4F_809C52AD); // -2.75573143513906633035e-7
const C5: f64 = f64::from_bits(0x3E21EE9E_BDB4B1C4); // 2.08757232129817482790e-9
const C6: f64 = f64::from_bits(0xBDA8FAE9_BE8838D4); // -1.13596475577881948265e-11

/// `(sin x, cos x)`; see the module doc for accuracy.
#[inline(always)]
pub(crate) fn sin_cos(x: f64) -> (f64, f64) {
    if in_kernel_range(x) {
        sin_cos_kernel(x)
    } else {
        x.sin_cos()
    }
}

/// Whether [`sin_cos_kernel`] is accurate for `x` (`|x| <= pi/4`).
#[inline(always)]
pub(crate) fn in_kernel_range(x: f64) -> bool {
    x.abs() <= FRAC_PI_4
}

/// The polynomials alone, branch-free (so loops over them vectorize);
/// only meaningful where [`in_kernel_range`] holds.
#[inline(always)]
pub(crate) fn sin_cos_kernel(x: f64) -> (f64, f64) {
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    let sin = x + z * x * (S1 + z * r);
    let rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let one_minus_hz = 1.0 - hz;
    let cos = one_minus_hz + (((1.0 - one_minus_hz) - hz) + z * rc);
    (sin, cos)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn within_one_ulp_of_libm_on_the_kernel_range() {
        let mut worst = (0, 0);
        for i in -200_000..=200_000 {
            let x = f64::from(i) * (FRAC_PI_4 / 200_000.0);
            let (s, c) = sin_cos(x);
            worst.0 = worst.0.max(ulps(s, x.sin()));
            worst.1 = worst.1.max(ulps(c, x.cos()));
        }
        assert!(
            worst.0 <= 1 && worst.1 <= 1,
            "worst ulps (sin, cos) = {worst:?}"
        );
    }

    #[test]
    fn large_angles_fall_back_to_libm() {
        for x in [1.0, -2.5, 100.0, 1e10] {
            assert_eq!(sin_cos(x), x.sin_cos());
        }
        assert_eq!(sin_cos(0.0), (0.0, 1.0));
    }
}

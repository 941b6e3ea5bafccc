//! How many CPU threads candle may use for a learner's tensor maths.
//!
//! Candle's CPU matmul is `gemm`, which splits a product over rayon threads
//! when `m * n * k` exceeds gemm's *threading threshold* (about 590k
//! multiply-adds) and candle's `get_num_threads()` (the `RAYON_NUM_THREADS`
//! variable, else the physical core count) is above one. Every other candle
//! CPU op an MLP uses runs on the calling thread. For the small networks of
//! classic-control RL a split costs more than it saves, and on a busy
//! machine it is far slower (PyTorch's two intra-op threads made CleanRL's
//! PPO 25x slower under load here).
//!
//! Both knobs are process-wide, so this is a process-wide setting:
//! [`set_compute_threads`]`(1)` raises gemm's threshold to infinity, which
//! keeps every product on the calling thread whatever `RAYON_NUM_THREADS`
//! says; `n > 1` restores gemm's default threshold and sizes rayon's global
//! pool to `n` threads (if nothing built it yet), and gemm then uses at most
//! `min(n, candle's thread count)` of them. The runtime calls it once at
//! start; each learner also applies its own `threads` setting when it is
//! built, and the last call wins.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::learners::TrainError;

/// gemm's own default threshold (gemm-common 0.19 `DEFAULT_THREADING_THRESHOLD`).
const GEMM_DEFAULT_THRESHOLD: usize = 48 * 48 * 256;

/// The thread count last applied (0: never applied).
static APPLIED: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads candle's CPU matmul may use; see the module doc.
///
/// Fails on 0. A rayon global pool that already exists with another size
/// is left as it is (rayon cannot resize it); gemm's thread cap still applies.
pub fn set_compute_threads(threads: usize) -> Result<(), TrainError> {
    if threads == 0 {
        return Err(TrainError::config("threads", "must be at least 1, got 0"));
    }
    if threads == 1 {
        gemm_common::gemm::set_threading_threshold(usize::MAX);
    } else {
        gemm_common::gemm::set_threading_threshold(GEMM_DEFAULT_THRESHOLD);
        // Err means the pool exists already; its size then stays.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    APPLIED.store(threads, Ordering::Relaxed);
    Ok(())
}

/// The thread count last set by [`set_compute_threads`], if any.
pub fn compute_threads() -> Option<usize> {
    match APPLIED.load(Ordering::Relaxed) {
        0 => None,
        n => Some(n),
    }
}

/// Whether a matmul of `m x k` by `k x n` would run on one thread now.
pub fn matmul_is_single_threaded(m: usize, n: usize, k: usize) -> bool {
    m.saturating_mul(n).saturating_mul(k) < gemm_common::gemm::get_threading_threshold()
        || candle_core::utils::get_num_threads() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_keeps_even_large_products_on_the_caller() {
        set_compute_threads(1).unwrap();
        assert!(matmul_is_single_threaded(512, 120, 84));
        assert!(matmul_is_single_threaded(4096, 4096, 4096));
        assert_eq!(compute_threads(), Some(1));
        assert!(set_compute_threads(0).is_err());
    }
}

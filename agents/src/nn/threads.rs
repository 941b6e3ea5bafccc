//! How many CPU threads a learner's tensor maths may use.
//!
//! The only multi-threaded op the networks use is the matrix product.
//! With one thread (the default), [`mm`](crate::nn::matmul::mm) computes
//! every CPU product on the calling thread with `matrixmultiply`, whatever
//! `RAYON_NUM_THREADS` says: for the small networks of classic-control RL a
//! split costs more than it saves, and on a busy machine it is far slower
//! (PyTorch's two intra-op threads made CleanRL's PPO 25x slower under load
//! here). With `n > 1`, products go to candle's `matmul` (gemm), which
//! splits products above gemm's threshold (~590k multiply-adds) over
//! rayon's global pool; this sizes that pool to `n` threads if nothing has
//! built it yet, and gemm uses at most candle's thread count
//! (`RAYON_NUM_THREADS`, else the physical cores) of them.
//!
//! The setting is process-wide (rayon's pool is): the runtime calls
//! [`set_compute_threads`] once at start, and each learner applies its own
//! `threads` setting when it is built; the last call wins.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::train_error::TrainError;

/// The thread count last applied (0: never applied, which means 1).
static APPLIED: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads the tensor maths may use; see the module doc.
///
/// Fails on 0. A rayon global pool that already exists with another size
/// is left as it is (rayon cannot resize it).
pub fn set_compute_threads(threads: usize) -> Result<(), TrainError> {
    if threads == 0 {
        return Err(TrainError::config("threads", "must be at least 1, got 0"));
    }
    if threads > 1 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threads_is_refused_and_one_is_recorded() {
        assert!(set_compute_threads(0).is_err());
        set_compute_threads(1).unwrap();
        assert_eq!(compute_threads(), Some(1));
    }
}

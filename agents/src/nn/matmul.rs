//! Matrix products for the networks, with a one-thread CPU kernel.
//!
//! Candle's CPU `matmul` asks `candle_core::utils::get_num_threads()` on
//! every call, and when `RAYON_NUM_THREADS` is unset that query counts the
//! physical cores by reading `/proc/cpuinfo` (num_cpus). For the small
//! products of classic-control RL that read costs more than the product:
//! CleanRL-default PPO on CartPole ran at ~10k steps/s with it and ~36k
//! with `RAYON_NUM_THREADS=1` on this machine, most of the difference in
//! system time. Setting the variable needs `unsafe` (`std::env::set_var`),
//! which the workspace forbids, so [`mm`] routes CPU products to
//! `ndarray`'s `general_mat_mul` (the `matrixmultiply` sgemm: AVX/FMA
//! kernels picked at run time, always on the calling thread) through a
//! candle custom op with its own backward pass. With more than one compute
//! thread configured ([`threads`](crate::nn::threads)), or on a GPU, it is
//! candle's own `matmul`.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};
use ndarray::{Array2, ArrayView2, ShapeBuilder};

use crate::nn::threads::compute_threads;

/// `a [m, k] x b [k, n] -> [m, n]`; see the module doc for which kernel.
pub fn mm(a: &Tensor, b: &Tensor) -> candle_core::Result<Tensor> {
    if a.device().is_cpu() && compute_threads().is_none_or(|n| n == 1) {
        a.apply_op2(b, CpuMatMul)
    } else {
        a.matmul(b)
    }
}

/// The custom op behind [`mm`] on the CPU.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuMatMul;

/// A 2-D `f32` view of a candle storage with its layout.
pub(crate) fn view<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<ArrayView2<'a, f32>> {
    let data = s.as_slice::<f32>()?;
    let (dims, strides) = (l.dims(), l.stride());
    if dims.len() != 2 {
        candle_core::bail!("agora matmul needs 2-D operands, got shape {dims:?}");
    }
    let data = data.get(l.start_offset()..).unwrap_or(&[]);
    ArrayView2::from_shape((dims[0], dims[1]).strides((strides[0], strides[1])), data)
        .map_err(|e| candle_core::Error::Msg(format!("agora matmul layout: {e}")))
}

impl CustomOp2 for CpuMatMul {
    fn name(&self) -> &'static str {
        "agora-matmul"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (a, b) = (view(s1, l1)?, view(s2, l2)?);
        let ((m, k), (k2, n)) = (a.dim(), b.dim());
        if k != k2 {
            candle_core::bail!("agora matmul: [{m}, {k}] x [{k2}, {n}] do not chain");
        }
        let mut c = Array2::<f32>::zeros((m, n));
        ndarray::linalg::general_mat_mul(1.0, &a, &b, 0.0, &mut c);
        let (data, _) = c.into_raw_vec_and_offset();
        Ok((CpuStorage::F32(data), Shape::from((m, n))))
    }

    fn bwd(
        &self,
        a: &Tensor,
        b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        // C = A B: dA = dC B^T, dB = A^T dC.
        let da = grad.apply_op2(&b.t()?, CpuMatMul)?;
        let db = a.t()?.apply_op2(grad, CpuMatMul)?;
        Ok((Some(da), Some(db)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    #[test]
    fn product_and_gradients_match_candle_matmul() {
        let dev = Device::Cpu;
        let a = Var::from_tensor(
            &Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], (2, 3), &dev).unwrap(),
        )
        .unwrap();
        let w = Var::from_tensor(
            &Tensor::from_slice(&[0.5f32, -1.0, 2.0, 0.0, 1.0, 1.0], (2, 3), &dev).unwrap(),
        )
        .unwrap();
        // x W^T with a transposed (strided) right operand, as the MLP uses it.
        let ours = mm(a.as_tensor(), &w.as_tensor().t().unwrap()).unwrap();
        let theirs = a.as_tensor().matmul(&w.as_tensor().t().unwrap()).unwrap();
        assert_eq!(
            ours.to_vec2::<f32>().unwrap(),
            vec![vec![4.5, 5.0], vec![9.0, 11.0]]
        );
        assert_eq!(
            ours.to_vec2::<f32>().unwrap(),
            theirs.to_vec2::<f32>().unwrap()
        );
        let g_ours = ours.sqr().unwrap().sum_all().unwrap().backward().unwrap();
        let g_theirs = theirs.sqr().unwrap().sum_all().unwrap().backward().unwrap();
        for v in [&a, &w] {
            let x = g_ours.get(v.as_tensor()).unwrap().to_vec2::<f32>().unwrap();
            let y = g_theirs
                .get(v.as_tensor())
                .unwrap()
                .to_vec2::<f32>()
                .unwrap();
            assert_eq!(x, y);
        }
    }

    #[test]
    fn operands_that_do_not_chain_are_an_error() {
        let dev = Device::Cpu;
        let a = Tensor::zeros((2, 3), candle_core::DType::F32, &dev).unwrap();
        assert!(mm(&a, &a).is_err());
    }
}

//! The affine layer `y = x W^T + b` as one candle custom op on the CPU.
//!
//! Built from candle ops, a layer is a matmul, a broadcast add, and in the
//! backward pass a strided column reduction for the bias gradient; for the
//! small batches of classic-control RL those per-op passes and allocations
//! cost as much as the product. [`linear`] does the forward in one
//! `matrixmultiply` call that accumulates onto the broadcast bias, and its
//! backward computes `dx = dy W`, `dW = dy^T x` and `db = sum_rows(dy)`
//! directly, all on the calling thread (see
//! [`matmul`](crate::nn::matmul) for why the thread matters). With more
//! than one compute thread or off the CPU it is candle's matmul and
//! broadcast add.

use candle_core::{CpuStorage, CustomOp1, CustomOp3, Layout, Shape, Tensor};
use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::nn::matmul::{CpuMatMul, view};
use crate::nn::threads::compute_threads;

/// `x [m, in]`, `w [out, in]`, `b [out]` → `x w^T + b`, `[m, out]`.
pub fn linear(x: &Tensor, w: &Tensor, b: &Tensor) -> candle_core::Result<Tensor> {
    if x.device().is_cpu() && compute_threads().is_none_or(|n| n == 1) {
        x.apply_op3(w, b, CpuLinear)
    } else {
        x.matmul(&w.t()?)?.broadcast_add(b)
    }
}

#[derive(Debug, Clone, Copy)]
struct CpuLinear;

impl CustomOp3 for CpuLinear {
    fn name(&self) -> &'static str {
        "agora-linear"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (x, w) = (view(s1, l1)?, view(s2, l2)?);
        let ((m, k), (n, k2)) = (x.dim(), w.dim());
        let bias = s3.as_slice::<f32>()?;
        let b = match (l3.dims(), l3.contiguous_offsets()) {
            ([len], Some((start, end))) if *len == n => ArrayView1::from(&bias[start..end]),
            _ => candle_core::bail!(
                "agora linear: bias {:?} does not fit {n} outputs",
                l3.dims()
            ),
        };
        if k != k2 {
            candle_core::bail!("agora linear: input [{m}, {k}] and weight [{n}, {k2}] do not fit");
        }
        // Row-major, as candle expects; the product accumulates onto it.
        let mut y = Array2::from_shape_fn((m, n), |(_, j)| b[j]);
        ndarray::linalg::general_mat_mul(1.0, &x, &w.t(), 1.0, &mut y);
        let (data, _) = y.into_raw_vec_and_offset();
        Ok((CpuStorage::F32(data), Shape::from((m, n))))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let dx = grad.apply_op2_no_bwd(w, &CpuMatMul)?;
        let dw = grad.t()?.apply_op2_no_bwd(x, &CpuMatMul)?;
        let db = grad.apply_op1_no_bwd(&ColumnSum)?;
        Ok((Some(dx), Some(dw), Some(db)))
    }
}

/// Sums a `[m, n]` matrix over its rows into `[n]` (the bias gradient).
#[derive(Debug, Clone, Copy)]
struct ColumnSum;

impl CustomOp1 for ColumnSum {
    fn name(&self) -> &'static str {
        "agora-column-sum"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let g: ArrayView2<'_, f32> = view(s, l)?;
        let n = g.dim().1;
        let mut out = vec![0.0f32; n];
        for row in g.rows() {
            for (o, v) in out.iter_mut().zip(row) {
                *o += v;
            }
        }
        Ok((CpuStorage::F32(out), Shape::from(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn var(v: &[f32], shape: (usize, usize)) -> Var {
        Var::from_tensor(&Tensor::from_slice(v, shape, &Device::Cpu).unwrap()).unwrap()
    }

    #[test]
    fn forward_and_gradients_match_candle_ops() {
        let x = var(&[1.0, -2.0, 0.5, 3.0, 0.0, -1.0], (3, 2));
        let w = var(&[0.5, 1.0, -1.5, 2.0], (2, 2));
        let b = Var::from_tensor(&Tensor::from_slice(&[0.25f32, -0.75], 2, &Device::Cpu).unwrap())
            .unwrap();
        let ours = linear(x.as_tensor(), w.as_tensor(), b.as_tensor()).unwrap();
        let theirs = x
            .as_tensor()
            .matmul(&w.as_tensor().t().unwrap())
            .unwrap()
            .broadcast_add(b.as_tensor())
            .unwrap();
        // Row 0: [1*0.5 - 2*1 + 0.25, 1*-1.5 - 2*2 - 0.75] = [-1.25, -6.25].
        assert_eq!(ours.to_vec2::<f32>().unwrap()[0], vec![-1.25, -6.25]);
        assert_eq!(
            ours.to_vec2::<f32>().unwrap(),
            theirs.to_vec2::<f32>().unwrap()
        );
        // A loss that weighs outputs differently, so every gradient is non-trivial.
        let weights = Tensor::from_slice(&[1.0f32, -2.0], 2, &Device::Cpu).unwrap();
        let loss = |y: &Tensor| {
            y.sqr()
                .unwrap()
                .broadcast_mul(&weights)
                .unwrap()
                .sum_all()
                .unwrap()
        };
        let (ga, gb) = (
            loss(&ours).backward().unwrap(),
            loss(&theirs).backward().unwrap(),
        );
        for v in [&x, &w] {
            assert_eq!(
                ga.get(v.as_tensor()).unwrap().to_vec2::<f32>().unwrap(),
                gb.get(v.as_tensor()).unwrap().to_vec2::<f32>().unwrap()
            );
        }
        assert_eq!(
            ga.get(b.as_tensor()).unwrap().to_vec1::<f32>().unwrap(),
            gb.get(b.as_tensor()).unwrap().to_vec1::<f32>().unwrap()
        );
    }
}

//! The forward pass of an [`Mlp`](crate::nn::mlp::Mlp) from host copies of
//! its parameters, for acting. One env step's few rows cost more in candle's
//! tensor creation, dispatch and read-back than in arithmetic (CleanRL's
//! 4-120-84-2 Q-network is ~11k multiply-adds), and the optimizer already
//! keeps every parameter on the host. The arithmetic is the CPU linear
//! layer's own (bias rows, then one `general_mat_mul` onto them), so the
//! values equal candle's one-thread CPU forward pass bit for bit (same
//! product, same `tanh` kernel).

use ndarray::{Array2, ArrayView2};

use crate::nn::mlp::Activation;
use crate::nn::tanh::tanh_f32;
use crate::train_error::TrainError;

/// `rows` inputs `x` (`rows x sizes[0]`) through the layers whose weights
/// and biases are `params` (`[w0, b0, w1, b1, …]`, torch's layout) with
/// `activation` between them; `rows x sizes.last()` outputs.
pub fn forward(
    params: &[Vec<f32>],
    sizes: &[usize],
    activation: Activation,
    x: &[f32],
    rows: usize,
) -> Result<Vec<f32>, TrainError> {
    let layers = sizes.len().saturating_sub(1);
    if params.len() != 2 * layers || x.len() != rows * sizes.first().copied().unwrap_or(0) {
        return Err(TrainError::BatchShape(format!(
            "host forward pass: {} parameters for {layers} layers, {} inputs for {rows} rows of {:?}",
            params.len(),
            x.len(),
            sizes.first()
        )));
    }
    let mut h = x.to_vec();
    for (l, pair) in params.chunks_exact(2).enumerate() {
        let (inputs, outputs) = (sizes[l], sizes[l + 1]);
        let shape_error = |e: ndarray::ShapeError| {
            TrainError::BatchShape(format!("host forward pass, layer {l}: {e}"))
        };
        let w = ArrayView2::from_shape((outputs, inputs), &pair[0]).map_err(shape_error)?;
        let xin = ArrayView2::from_shape((rows, inputs), &h).map_err(shape_error)?;
        let bias = &pair[1];
        let mut y = Array2::from_shape_fn((rows, outputs), |(_, j)| bias[j]);
        ndarray::linalg::general_mat_mul(1.0, &xin, &w.t(), 1.0, &mut y);
        let (mut data, _) = y.into_raw_vec_and_offset();
        if l + 1 < layers {
            match activation {
                Activation::Relu => data.iter_mut().for_each(|v| *v = v.max(0.0)),
                Activation::Tanh => data.iter_mut().for_each(|v| *v = tanh_f32(*v)),
            }
        }
        h = data;
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;
    use crate::nn::mlp::{LayerInit, Mlp};
    use candle_core::{Device, Tensor};

    #[test]
    fn equals_the_candle_forward_pass_bit_for_bit() {
        for activation in [Activation::Relu, Activation::Tanh] {
            let sizes = [4, 120, 84, 2];
            let mut rng = Rng::seed_from_u64(9);
            let net = Mlp::new(
                "q",
                &sizes,
                activation,
                &[LayerInit::TorchDefault; 3],
                &mut rng,
                &Device::Cpu,
            )
            .unwrap();
            let params: Vec<Vec<f32>> = net
                .named_params()
                .iter()
                .map(|(_, v)| v.as_tensor().flatten_all().unwrap().to_vec1().unwrap())
                .collect();
            let x: Vec<f32> = (0..12).map(|i| (i as f32 * 0.37).sin() * 2.0).collect();
            let candle = net
                .forward(&Tensor::from_slice(&x, (3, 4), &Device::Cpu).unwrap())
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            assert_eq!(forward(&params, &sizes, activation, &x, 3).unwrap(), candle);
        }
    }

    #[test]
    fn mismatched_shapes_are_an_error() {
        let params = vec![vec![0.0; 8], vec![0.0; 2]];
        assert!(forward(&params, &[4, 2], Activation::Relu, &[0.0; 3], 1).is_err());
        assert!(forward(&params[..1], &[4, 2], Activation::Relu, &[0.0; 4], 1).is_err());
    }
}

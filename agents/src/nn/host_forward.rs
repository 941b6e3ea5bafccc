//! A network's forward pass on the host for the few rows of one acting
//! step, from the parameter copy the optimizer keeps. Through candle, one
//! env step's forward pass cost more in tensor creation, dispatch, the
//! product's packing and the read-back than in arithmetic (CleanRL's
//! 4-120-84-2 Q-network is ~11k multiply-adds). Each output is a dot
//! product of a weight row (torch's `[out, in]` layout, contiguous) with
//! the input, summed in eight lanes so that it vectorizes; the values
//! differ from candle's blocked product in the last bits, and acting always
//! takes this path, so runs stay reproducible and resume bit for bit.

use crate::nn::mlp::Activation;
use crate::nn::tanh::tanh_f32;
use crate::train_error::TrainError;

/// The buffers of a host forward pass, reused from step to step.
#[derive(Debug, Clone, Default)]
pub struct HostForward {
    input: Vec<f32>,
    output: Vec<f32>,
}

impl HostForward {
    /// `rows` inputs `x` (`rows x sizes[0]`) through the layers whose
    /// weights and biases are `params` (`[w0, b0, w1, b1, …]`, torch's
    /// layout) with `activation` between them; `rows x sizes.last()`
    /// outputs.
    pub fn forward(
        &mut self,
        params: &[Vec<f32>],
        sizes: &[usize],
        activation: Activation,
        x: &[f32],
        rows: usize,
    ) -> Result<&[f32], TrainError> {
        check_shapes(params, sizes, x, rows)?;
        let layers = sizes.len() - 1;
        self.input.clear();
        self.input.extend_from_slice(x);
        for l in 0..layers {
            let inputs = sizes[l];
            let (weights, bias) = (&params[2 * l], &params[2 * l + 1]);
            self.output.clear();
            for row in self.input.chunks_exact(inputs) {
                self.output.extend(
                    weights
                        .chunks_exact(inputs)
                        .zip(bias)
                        .map(|(w, b)| b + dot(w, row)),
                );
            }
            if l + 1 < layers {
                match activation {
                    Activation::Relu => self.output.iter_mut().for_each(|v| *v = v.max(0.0)),
                    Activation::Tanh => self.output.iter_mut().for_each(|v| *v = tanh_f32(*v)),
                }
            }
            std::mem::swap(&mut self.input, &mut self.output);
        }
        Ok(&self.input)
    }
}

/// `a · b` in eight independent lanes (which the compiler turns into
/// vector instructions; one running sum would be a chain of dependent adds).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (a_chunks, a_rest) = a.as_chunks::<8>();
    let (b_chunks, b_rest) = b.as_chunks::<8>();
    let mut lanes = [0.0f32; 8];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for k in 0..8 {
            lanes[k] += x[k] * y[k];
        }
    }
    let rest: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + rest
}

fn check_shapes(
    params: &[Vec<f32>],
    sizes: &[usize],
    x: &[f32],
    rows: usize,
) -> Result<(), TrainError> {
    let layers = sizes.len().saturating_sub(1);
    let fits = layers > 0
        && params.len() == 2 * layers
        && x.len() == rows * sizes[0]
        && (0..layers).all(|l| {
            params[2 * l].len() == sizes[l] * sizes[l + 1]
                && params[2 * l + 1].len() == sizes[l + 1]
        });
    if fits {
        Ok(())
    } else {
        Err(TrainError::BatchShape(format!(
            "host forward pass: parameters {:?} do not fit layers {sizes:?}, or {} inputs do not make {rows} rows",
            params.iter().map(Vec::len).collect::<Vec<_>>(),
            x.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;
    use crate::nn::mlp::{LayerInit, Mlp};
    use candle_core::{Device, Tensor};

    fn network(activation: Activation, sizes: &[usize], seed: u64) -> (Mlp, Vec<Vec<f32>>) {
        let mut rng = Rng::seed_from_u64(seed);
        let net = Mlp::new(
            "q",
            sizes,
            activation,
            &vec![LayerInit::TorchDefault; sizes.len() - 1],
            &mut rng,
            &Device::Cpu,
        )
        .unwrap();
        let params = net
            .named_params()
            .iter()
            .map(|(_, v)| v.as_tensor().flatten_all().unwrap().to_vec1().unwrap())
            .collect();
        (net, params)
    }

    #[test]
    fn equals_the_candle_forward_pass_to_float_rounding() {
        let sizes = [4, 120, 84, 2];
        let x: Vec<f32> = (0..12).map(|i| (i as f32 * 0.37).sin() * 2.0).collect();
        for activation in [Activation::Relu, Activation::Tanh] {
            let (net, params) = network(activation, &sizes, 9);
            let candle = net
                .forward(&Tensor::from_slice(&x, (3, 4), &Device::Cpu).unwrap())
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let mut host = HostForward::default();
            let ours = host.forward(&params, &sizes, activation, &x, 3).unwrap();
            assert_eq!(ours.len(), candle.len());
            for (a, b) in ours.iter().zip(&candle) {
                assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn the_dot_product_covers_lengths_that_are_not_a_multiple_of_eight() {
        let a: Vec<f32> = (0..19).map(|i| i as f32).collect();
        let b = vec![1.0f32; 19];
        assert_eq!(dot(&a, &b), (0..19).sum::<i32>() as f32);
        assert_eq!(dot(&[], &[]), 0.0);
    }

    #[test]
    fn mismatched_shapes_are_an_error() {
        let params = vec![vec![0.0; 8], vec![0.0; 2]];
        let mut host = HostForward::default();
        assert!(
            host.forward(&params, &[4, 2], Activation::Relu, &[0.0; 3], 1)
                .is_err()
        );
        assert!(
            host.forward(&params[..1], &[4, 2], Activation::Relu, &[0.0; 4], 1)
                .is_err()
        );
        assert!(
            host.forward(&params, &[4, 3], Activation::Relu, &[0.0; 4], 1)
                .is_err()
        );
    }
}

//! Fully connected networks: `Linear -> act -> ... -> Linear`.
//!
//! Weights are stored as torch stores `nn.Linear`'s: `weight [out, in]`,
//! `bias [out]`, and named as a `nn.Sequential` names them
//! (`{name}.0.weight`, `{name}.2.weight`, … with the activations taking the
//! odd indices), so a checkpoint's tensors read like CleanRL's state dicts.
//! Every parameter is a candle `Var` on the network's device; a forward
//! pass over a `[batch, in]` tensor is one matmul and one broadcast add per
//! layer, so a whole env batch is acted on at once.

use candle_core::{Device, Tensor, Var};

use crate::Rng;
use crate::nn::init;
use crate::nn::linear::linear;
use crate::nn::tanh::tanh;
use crate::train_error::TrainError;

/// The nonlinearity between layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `max(x, 0)` (CleanRL's DQN).
    Relu,
    /// `tanh(x)` (CleanRL's PPO).
    Tanh,
}

/// How one layer's parameters are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LayerInit {
    /// torch's `nn.Linear` default ([`init::kaiming_uniform`]).
    TorchDefault,
    /// Orthogonal weight with `gain`, zero bias (CleanRL's `layer_init`).
    Orthogonal {
        /// The gain (`std` in CleanRL's `layer_init`).
        gain: f64,
    },
}

/// One `nn.Linear`.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `[out, in]`.
    pub weight: Var,
    /// `[out]`.
    pub bias: Var,
}

/// A multilayer perceptron; see the module doc.
#[derive(Debug, Clone)]
pub struct Mlp {
    name: String,
    sizes: Vec<usize>,
    layers: Vec<Linear>,
    activation: Activation,
}

impl Mlp {
    /// A network with layer widths `sizes` (input first, output last),
    /// layer `i` initialised by `inits[i]` (one per layer).
    pub fn new(
        name: &str,
        sizes: &[usize],
        activation: Activation,
        inits: &[LayerInit],
        rng: &mut Rng,
        device: &Device,
    ) -> Result<Self, TrainError> {
        if sizes.len() < 2 || sizes.contains(&0) || inits.len() != sizes.len() - 1 {
            return Err(TrainError::config(
                "hidden_sizes",
                format!("a network needs non-zero widths and one init per layer, got {sizes:?}"),
            ));
        }
        let mut layers = Vec::with_capacity(sizes.len() - 1);
        for (w, init) in sizes.windows(2).zip(inits) {
            let (inp, out) = (w[0], w[1]);
            let (wv, bv) = match *init {
                LayerInit::TorchDefault => init::kaiming_uniform(rng, out, inp),
                LayerInit::Orthogonal { gain } => {
                    (init::orthogonal(rng, out, inp, gain), vec![0.0; out])
                }
            };
            layers.push(Linear {
                weight: Var::from_tensor(&Tensor::from_vec(wv, (out, inp), device)?)?,
                bias: Var::from_tensor(&Tensor::from_vec(bv, out, device)?)?,
            });
        }
        Ok(Self {
            name: name.to_string(),
            sizes: sizes.to_vec(),
            layers,
            activation,
        })
    }

    /// Layer widths, input first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The forward pass of a `[batch, in]` tensor to `[batch, out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor, TrainError> {
        let mut h = x.clone();
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            h = linear(&h, l.weight.as_tensor(), l.bias.as_tensor())?;
            if i < last {
                h = match self.activation {
                    Activation::Relu => h.relu()?,
                    Activation::Tanh => tanh(&h)?,
                };
            }
        }
        Ok(h)
    }

    /// The parameters with their `nn.Sequential` names, in layer order
    /// (weight before bias).
    pub fn named_params(&self) -> Vec<(String, Var)> {
        self.layers
            .iter()
            .enumerate()
            .flat_map(|(i, l)| {
                [
                    (format!("{}.{}.weight", self.name, 2 * i), l.weight.clone()),
                    (format!("{}.{}.bias", self.name, 2 * i), l.bias.clone()),
                ]
            })
            .collect()
    }

    /// Copies every parameter of `src` into this network (CleanRL's
    /// `target.load_state_dict(q.state_dict())`, or a soft update with
    /// `tau < 1`: `p = tau * src + (1 - tau) * p`).
    pub fn update_from(&self, src: &Mlp, tau: f64) -> Result<(), TrainError> {
        for (dst, src) in self.layers.iter().zip(&src.layers) {
            for (d, s) in [(&dst.weight, &src.weight), (&dst.bias, &src.bias)] {
                if tau >= 1.0 {
                    d.set(&s.as_tensor().copy()?)?;
                } else {
                    let mixed = ((s.as_tensor() * tau)? + (d.as_tensor() * (1.0 - tau))?)?;
                    d.set(&mixed)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(activation: Activation) -> Mlp {
        let mut rng = Rng::seed_from_u64(0);
        let m = Mlp::new(
            "q",
            &[2, 3, 1],
            activation,
            &[LayerInit::TorchDefault; 2],
            &mut rng,
            &Device::Cpu,
        )
        .unwrap();
        // Hand-set weights so the output can be computed on paper.
        let p = m.named_params();
        let set = |i: usize, v: &[f32], shape: &[usize]| {
            p[i].1
                .set(&Tensor::from_slice(v, shape, &Device::Cpu).unwrap())
                .unwrap()
        };
        set(0, &[1.0, 0.0, 0.0, 1.0, 1.0, -1.0], &[3, 2]);
        set(1, &[0.0, 0.5, 0.0], &[3]);
        set(2, &[1.0, 2.0, 3.0], &[1, 3]);
        set(3, &[0.25], &[1]);
        m
    }

    #[test]
    fn forward_matches_a_hand_computed_relu_network() {
        let m = net(Activation::Relu);
        let x = Tensor::from_slice(&[2.0f32, 3.0, -1.0, 1.0], (2, 2), &Device::Cpu).unwrap();
        let y = m.forward(&x).unwrap().to_vec2::<f32>().unwrap();
        // Row 1: h = relu([2, 3.5, -1]) = [2, 3.5, 0]; y = 2 + 7 + 0 + 0.25.
        // Row 2: h = relu([-1, 1.5, -2]) = [0, 1.5, 0]; y = 3 + 0.25.
        assert_eq!(y, vec![vec![9.25], vec![3.25]]);
    }

    #[test]
    fn forward_with_tanh() {
        let m = net(Activation::Tanh);
        let x = Tensor::from_slice(&[0.0f32, 0.0], (1, 2), &Device::Cpu).unwrap();
        let y = m.forward(&x).unwrap().to_vec2::<f32>().unwrap();
        let want = 2.0 * 0.5f32.tanh() + 0.25;
        assert!((y[0][0] - want).abs() < 1e-6);
    }

    #[test]
    fn names_follow_torch_sequential() {
        let names: Vec<String> = net(Activation::Relu)
            .named_params()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["q.0.weight", "q.0.bias", "q.2.weight", "q.2.bias"]);
    }

    #[test]
    fn soft_and_hard_updates() {
        let a = net(Activation::Relu);
        let mut rng = Rng::seed_from_u64(5);
        let b = Mlp::new(
            "t",
            &[2, 3, 1],
            Activation::Relu,
            &[LayerInit::TorchDefault; 2],
            &mut rng,
            &Device::Cpu,
        )
        .unwrap();
        let before = b.named_params()[3].1.as_tensor().to_vec1::<f32>().unwrap()[0];
        b.update_from(&a, 0.5).unwrap();
        let mid = b.named_params()[3].1.as_tensor().to_vec1::<f32>().unwrap()[0];
        assert!((mid - (0.5 * 0.25 + 0.5 * before)).abs() < 1e-7);
        b.update_from(&a, 1.0).unwrap();
        let w = b.named_params()[0].1.as_tensor().to_vec2::<f32>().unwrap();
        assert_eq!(w, vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, -1.0]]);
    }
}

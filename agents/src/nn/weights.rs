//! Named parameters: gradients, safetensors bytes, warm start.
//!
//! A [`ParamSet`] is the ordered list of a learner's `(name, Var)` pairs.
//! It writes them as a safetensors file in memory (the format torch,
//! candle and the Hugging Face tools read) and loads them back, checking
//! every name and shape: a missing tensor or a shape that differs is an
//! error naming the tensor and both shapes, and nothing is changed.

use std::collections::HashMap;

use candle_core::{DType, Tensor, Var};

use crate::train_error::TrainError;

/// A learner's parameters, by name, in a fixed order.
#[derive(Debug, Clone)]
pub struct ParamSet {
    params: Vec<(String, Var)>,
}

impl ParamSet {
    /// The set of `params` (names must be unique).
    pub fn new(params: Vec<(String, Var)>) -> Self {
        Self { params }
    }

    /// The `Var`s, in order.
    pub fn vars(&self) -> Vec<Var> {
        self.params.iter().map(|(_, v)| v.clone()).collect()
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|(n, _)| n.as_str())
    }

    /// Runs backprop from `loss` and returns each parameter's gradient
    /// flattened, in order (zeros for a parameter the loss does not use).
    pub fn gradients(&self, loss: &Tensor) -> Result<Vec<Vec<f32>>, TrainError> {
        let grads = loss.backward()?;
        self.params
            .iter()
            .map(|(_, v)| match grads.get(v.as_tensor()) {
                Some(g) => Ok(g.flatten_all()?.to_vec1::<f32>()?),
                None => Ok(vec![0.0; v.as_tensor().elem_count()]),
            })
            .collect()
    }

    /// All parameters as safetensors bytes.
    pub fn to_safetensors(&self) -> Result<Vec<u8>, TrainError> {
        let tensors: Vec<(&str, Tensor)> = self
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_tensor().clone()))
            .collect();
        safetensors::serialize(tensors, None).map_err(|e| TrainError::corrupt("weights", e))
    }

    /// Loads every parameter from safetensors bytes. Extra tensors in the
    /// file are ignored; a missing one, a shape mismatch or a non-`f32`
    /// tensor fails before anything is written.
    pub fn load_safetensors(&self, bytes: &[u8]) -> Result<(), TrainError> {
        let device = match self.params.first() {
            Some((_, v)) => v.as_tensor().device().clone(),
            None => return Ok(()),
        };
        let loaded: HashMap<String, Tensor> = candle_core::safetensors::load_buffer(bytes, &device)
            .map_err(|e| TrainError::corrupt("weights (safetensors)", e))?;
        let mut staged = Vec::with_capacity(self.params.len());
        for (name, var) in &self.params {
            let t = loaded
                .get(name)
                .ok_or_else(|| TrainError::MissingTensor(name.clone()))?;
            if t.dims() != var.as_tensor().dims() {
                return Err(TrainError::ShapeMismatch {
                    tensor: name.clone(),
                    checkpoint: t.dims().to_vec(),
                    model: var.as_tensor().dims().to_vec(),
                });
            }
            if t.dtype() != DType::F32 {
                return Err(TrainError::CheckpointMismatch(format!(
                    "tensor `{name}` is {:?}, the network is F32",
                    t.dtype()
                )));
            }
            staged.push((var, t));
        }
        for (var, t) in staged {
            var.set(t)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn var(v: &[f32], shape: &[usize]) -> Var {
        Var::from_tensor(&Tensor::from_slice(v, shape, &Device::Cpu).unwrap()).unwrap()
    }

    #[test]
    fn round_trips_through_safetensors() {
        let a = ParamSet::new(vec![
            ("q.0.weight".into(), var(&[1.0, 2.0, 3.0, 4.0], &[2, 2])),
            ("q.0.bias".into(), var(&[5.0, 6.0], &[2])),
        ]);
        let b = ParamSet::new(vec![
            ("q.0.weight".into(), var(&[0.0; 4], &[2, 2])),
            ("q.0.bias".into(), var(&[0.0; 2], &[2])),
        ]);
        b.load_safetensors(&a.to_safetensors().unwrap()).unwrap();
        assert_eq!(
            b.vars()[0].as_tensor().to_vec2::<f32>().unwrap(),
            vec![vec![1.0, 2.0], vec![3.0, 4.0]]
        );
        assert_eq!(
            b.vars()[1].as_tensor().to_vec1::<f32>().unwrap(),
            vec![5.0, 6.0]
        );
    }

    #[test]
    fn shape_mismatch_names_the_tensor_and_both_shapes_and_changes_nothing() {
        let a = ParamSet::new(vec![
            ("q.0.bias".into(), var(&[1.0], &[1])),
            ("q.0.weight".into(), var(&[1.0; 6], &[3, 2])),
        ]);
        let b = ParamSet::new(vec![
            ("q.0.bias".into(), var(&[0.0], &[1])),
            ("q.0.weight".into(), var(&[0.0; 4], &[2, 2])),
        ]);
        let e = b
            .load_safetensors(&a.to_safetensors().unwrap())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "tensor `q.0.weight` has shape [3, 2] in the checkpoint but [2, 2] in the network"
        );
        assert_eq!(b.vars()[0].as_tensor().to_vec1::<f32>().unwrap(), vec![0.0]);
        let c = ParamSet::new(vec![("pi.0.bias".into(), var(&[0.0], &[1]))]);
        let e = c
            .load_safetensors(&a.to_safetensors().unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("`pi.0.bias` is missing"), "{e}");
    }

    #[test]
    fn corrupt_bytes_are_an_error_not_a_panic() {
        let a = ParamSet::new(vec![("w".into(), var(&[1.0, 2.0], &[2]))]);
        let mut bytes = a.to_safetensors().unwrap();
        for cut in [0, 3, 8, 20, bytes.len() - 1] {
            assert!(a.load_safetensors(&bytes[..cut]).is_err(), "cut {cut}");
        }
        bytes[9] ^= 0x55;
        assert!(a.load_safetensors(&bytes).is_err());
    }

    #[test]
    fn gradients_of_a_quadratic() {
        let w = var(&[1.0, -2.0], &[2]);
        let unused = var(&[7.0], &[1]);
        let ps = ParamSet::new(vec![("w".into(), w.clone()), ("u".into(), unused)]);
        // d/dw sum(w^2) = 2w.
        let loss = w.as_tensor().sqr().unwrap().sum_all().unwrap();
        let g = ps.gradients(&loss).unwrap();
        assert_eq!(g, vec![vec![2.0, -4.0], vec![0.0]]);
    }
}

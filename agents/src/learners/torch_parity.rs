//! What the torch-parity tests of DQN and PPO share: the reference file
//! written by `agents/tests/data/torch_parity/make_reference.py` (torch
//! running CleanRL's update on a fixed minibatch), loading its weights into
//! a learner's parameters, and the comparison to 1e-5.

use candle_core::{Tensor, Var};
use serde_json::Value;

use crate::learners::EnvBatchSpec;
use crate::{AutoresetMode, Params, make_vec};

/// The reference file, parsed.
pub(crate) fn reference() -> Value {
    serde_json::from_str(include_str!("../../tests/data/torch_parity/reference.json"))
        .expect("reference.json is JSON")
}

/// CartPole's spec (4 observations, 2 actions), the shape of the reference.
pub(crate) fn cartpole_spec() -> EnvBatchSpec {
    let env =
        make_vec("CartPole-v1", &Params::new(), 0..1, AutoresetMode::SameStep).expect("CartPole");
    EnvBatchSpec::of(env.as_ref(), Params::new())
}

/// The floats of a JSON array, as the f32 torch held.
pub(crate) fn floats(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

/// The unsigned integers of a JSON array.
pub(crate) fn indices(value: &Value) -> Vec<u32> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|x| u32::try_from(x.as_u64().expect("an index")).expect("fits u32"))
        .collect()
}

/// Writes the reference's tensor of each parameter's name into it.
pub(crate) fn load_weights(params: &[(String, Var)], weights: &Value) {
    for (name, var) in params {
        let values = floats(&weights[name]);
        let shape = var.as_tensor().dims().to_vec();
        let tensor = Tensor::from_vec(values, shape, var.as_tensor().device())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        var.set(&tensor).expect("set");
    }
}

/// `got` within 1e-5 of `want` (relative to `want` where it exceeds 1).
pub(crate) fn assert_close(what: &str, got: f64, want: f64) {
    let tolerance = 1e-5 * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: Agora {got}, torch {want} (difference {:e})",
        (got - want).abs()
    );
}

/// Every element of `got` within 1e-5 of the reference's array.
pub(crate) fn assert_all_close(what: &str, got: &[f32], want: &Value) {
    let want = floats(want);
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(&format!("{what}[{i}]"), f64::from(*g), f64::from(*w));
    }
}

/// Every parameter's current values against the reference's.
pub(crate) fn assert_weights(what: &str, params: &[(String, Var)], weights: &Value) {
    for (name, var) in params {
        let got = var
            .as_tensor()
            .flatten_all()
            .and_then(|t| t.to_vec1::<f32>())
            .expect("weights");
        assert_all_close(&format!("{what} {name}"), &got, &weights[name]);
    }
}

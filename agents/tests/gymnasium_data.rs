//! Reading the seeded reference data that `bench/envs/gymnasium_reference.py`
//! recorded from Gymnasium (`agents/tests/data/gymnasium/*.jsonl`).
//!
//! Every file starts with a provenance line (Gymnasium, numpy and Python
//! versions); the rest are cases. Observations were written as the float64
//! value of Gymnasium's float32, so reading one as `f64` and casting to
//! `f32` gives Gymnasium's value bit for bit.

use serde_json::Value;

/// The cases of a reference file, after checking its provenance line.
pub fn cases(text: &str) -> Vec<Value> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Value = serde_json::from_str(lines.next().expect("a provenance line")).unwrap();
    let gymnasium = header["gymnasium"].as_str().unwrap();
    assert!(
        gymnasium.starts_with("1.4"),
        "recorded with Gymnasium {gymnasium}"
    );
    lines.map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A recorded observation as Agora writes it: `f32` values (an integer
/// observation, a tabular state, becomes one value).
pub fn obs(v: &Value) -> Vec<f32> {
    match v {
        Value::Array(xs) => xs.iter().map(|x| x.as_f64().unwrap() as f32).collect(),
        x => vec![x.as_f64().unwrap() as f32],
    }
}

/// The same observations, compared as bit patterns (so `-0.0 != 0.0` and
/// a NaN equals itself, as Gymnasium's arrays would).
pub fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// A `u64` field, or a `u64` held in a JSON number.
pub fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

//! Reading the seeded reference data that `bench/envs/gymnasium_reference.py`
//! recorded from Gymnasium (`agents/tests/data/gymnasium/*.jsonl`).
//!
//! Every file starts with a provenance line (Gymnasium, numpy and Python
//! versions); the rest are cases.

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

/// A `u64` field, or a `u64` held in a JSON number.
pub fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

//! `agora_agents::numpy_rng` against numpy 2.x itself: for seeds from 0 to
//! 2^64 - 1, the SeedSequence state words, the PCG64 state after seeding,
//! raw outputs, `random()`, `uniform`, `integers(n)` on both the 32- and
//! 64-bit paths, and one interleaving of them (numpy's spare 32-bit half
//! carries across other draws). All compared exactly.

use agora_agents::numpy_rng::{NumpyGenerator, Pcg64, SeedSequence};
use serde_json::Value;

use crate::gymnasium_data::{cases, u64_of};

const NUMPY_RNG: &str = include_str!("data/gymnasium/numpy_rng.jsonl");

fn hex_u128(v: &Value) -> u128 {
    u128::from_str_radix(v.as_str().unwrap(), 16).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn seed_sequence_and_pcg64_state_are_numpys() {
    let rows = cases(NUMPY_RNG);
    assert!(rows.len() >= 8);
    for row in &rows {
        let seed = u64_of(&row["seed"]);
        let seeds = SeedSequence::new(seed);
        let words: Vec<u64> = row["state_words"]
            .as_array()
            .unwrap()
            .iter()
            .map(u64_of)
            .collect();
        assert_eq!(seeds.generate_state_u64(4), words, "seed {seed}");
        let state = Pcg64::from_seed_sequence(&seeds).state();
        assert_eq!(state.state, hex_u128(&row["pcg_state"]), "seed {seed}");
        assert_eq!(state.increment, hex_u128(&row["pcg_inc"]), "seed {seed}");
    }
}

#[test]
fn raw_random_and_uniform_draws_are_numpys() {
    for row in cases(NUMPY_RNG) {
        let seed = u64_of(&row["seed"]);
        let mut bits = Pcg64::from_seed_sequence(&SeedSequence::new(seed));
        let raw: Vec<u64> = row["raw"].as_array().unwrap().iter().map(u64_of).collect();
        let got: Vec<u64> = (0..raw.len()).map(|_| bits.next_u64()).collect();
        assert_eq!(got, raw, "seed {seed}");

        let want = floats(&row["random"]);
        let mut g = NumpyGenerator::from_seed(seed);
        let got: Vec<f64> = (0..want.len()).map(|_| g.random()).collect();
        assert_eq!(got, want, "random(), seed {seed}");

        let want = floats(&row["uniform"]);
        let mut g = NumpyGenerator::from_seed(seed);
        let got: Vec<f64> = (0..want.len()).map(|_| g.uniform(-0.05, 0.05)).collect();
        assert_eq!(got, want, "uniform(-0.05, 0.05), seed {seed}");
    }
}

#[test]
fn bounded_integers_are_numpys_on_both_paths() {
    let mut checked = 0;
    for row in cases(NUMPY_RNG) {
        let seed = u64_of(&row["seed"]);
        for case in row["integers"].as_array().unwrap() {
            let n = u64_of(&case[0]);
            let want: Vec<u64> = case[1].as_array().unwrap().iter().map(u64_of).collect();
            let mut g = NumpyGenerator::from_seed(seed);
            let got: Vec<u64> = (0..want.len()).map(|_| g.integers(n)).collect();
            assert_eq!(got, want, "integers({n}), seed {seed}");
            checked += 1;
        }
    }
    assert!(checked >= 80, "{checked}");
}

#[test]
fn interleaved_draws_share_numpys_spare_half() {
    for row in cases(NUMPY_RNG) {
        let seed = u64_of(&row["seed"]);
        let mut g = NumpyGenerator::from_seed(seed);
        for (k, step) in row["mixed"].as_array().unwrap().iter().enumerate() {
            let op = step[0].as_str().unwrap();
            let got = match op {
                "int3" => g.integers(3) as f64,
                "int7" => g.integers(7) as f64,
                "int2p40" => g.integers(1 << 40) as f64,
                "random" => g.random(),
                "uniform" => g.uniform(-0.6, -0.4),
                other => panic!("unknown draw {other}"),
            };
            assert_eq!(
                got,
                step[1].as_f64().unwrap(),
                "seed {seed}, draw {k} ({op})"
            );
        }
    }
}

//! Rust side of the side-by-side BDI benchmark against python-agentspeak
//! (driven by `bench/bdi/run.py`). Runs the same programs as
//! `bench/bdi/programs.py` and prints one JSON line per measured phase:
//! `{"impl", "phase", "seconds", "ops"}`.
//!
//! `cargo bench -p agora-bdi --bench peer -- count|beliefs|queries`

use std::time::Instant;

use agora_bdi::{Agent, AgentBuilder, Term};

const COUNT: &str = "
+!count(N) : N < 100000 <- !count(N + 1).
+!count(N) : N >= 100000.
";

const BELIEFS: &str = "
+!add(N) : N < 10000 <- +b(N); !add(N + 1).
+!add(N) : N >= 10000.
+!remove(N) : N < 10000 <- -b(N); !remove(N + 1).
+!remove(N) : N >= 10000.
+b(X) <- Y = X.
-b(X) <- Y = X.
";

const QUERIES: &str = "
+!setup(N) : N < 1000 <- +v(N, N * 2); !setup(N + 1).
+!setup(N) : N >= 1000.
+!query(N) : N < 10000 <- K = N mod 1000; ?v(K, V); !query(N + 1).
+!query(N) : N >= 10000.
";

fn build(src: &str) -> Agent {
    match AgentBuilder::new("bench").load(src, "bench.asl") {
        Ok(a) => a,
        Err(e) => panic!("benchmark program does not load: {e}"),
    }
}

fn goal(agent: &mut Agent, functor: &str) -> f64 {
    agent.achieve(&Term::compound(functor, vec![Term::Int(0)]));
    let start = Instant::now();
    agent.run_until_idle(0, u64::MAX);
    let secs = start.elapsed().as_secs_f64();
    let reports = agent.take_reports();
    assert!(
        reports.is_empty(),
        "benchmark reported problems: {reports:?}"
    );
    secs
}

fn report(phase: &str, seconds: f64, ops: u64) {
    println!(
        "{{\"impl\": \"agora-bdi\", \"phase\": \"{phase}\", \"seconds\": {seconds}, \"ops\": {ops}}}"
    );
}

fn main() {
    // `cargo bench` passes `--bench`; the scenario is the first other word.
    let which: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let which: Vec<&str> = if which.is_empty() {
        vec!["count", "beliefs", "queries"]
    } else {
        which.iter().map(String::as_str).collect()
    };
    for w in which {
        match w {
            "count" => {
                let mut a = build(COUNT);
                report("count_goals", goal(&mut a, "count"), 100_000);
            }
            "beliefs" => {
                let mut a = build(BELIEFS);
                report("add_beliefs", goal(&mut a, "add"), 10_000);
                assert_eq!(a.belief_base().len(), 10_000);
                report("remove_beliefs", goal(&mut a, "remove"), 10_000);
                assert_eq!(a.belief_base().len(), 0);
            }
            "add" => {
                let mut a = build(BELIEFS);
                report("add_beliefs", goal(&mut a, "add"), 10_000);
            }
            "add_noplan" => {
                let mut a = build(&BELIEFS.replace("+b(X) <- Y = X.", ""));
                report("add_beliefs_noplan", goal(&mut a, "add"), 10_000);
            }
            "count10k" => {
                let mut a = build(&COUNT.replace("100000", "10000"));
                report("count10k", goal(&mut a, "count"), 10_000);
            }
            "queries" => {
                let mut a = build(QUERIES);
                goal(&mut a, "setup");
                report("queries", goal(&mut a, "query"), 10_000);
            }
            other => panic!("unknown scenario {other}"),
        }
    }
}

//! Criterion micro-benchmarks of the engine's hot paths: recursive goals,
//! belief addition/removal with plans, indexed queries, parsing and
//! unification. `cargo bench -p agora-bdi --bench engine`.
//!
//! The side-by-side comparison with python-agentspeak is `peer.rs`, driven
//! by `bench/bdi/run.py`.

use std::hint::black_box;

use agora_bdi::unify::Heap;
use agora_bdi::{Agent, AgentBuilder, Term, parse_program, parse_term};
use criterion::{Criterion, criterion_group, criterion_main};

fn build(src: &str) -> Agent {
    match AgentBuilder::new("bench").load(src, "bench.asl") {
        Ok(a) => a,
        Err(e) => panic!("benchmark program does not load: {e}"),
    }
}

fn goal(a: &mut Agent, functor: &str) {
    a.achieve(&Term::compound(functor, vec![Term::Int(0)]));
    a.run_until_idle(0, u64::MAX);
}

fn recursive_goals(c: &mut Criterion) {
    let src = "+!count(N) : N < 10000 <- !count(N + 1). +!count(N) : N >= 10000.";
    c.bench_function("count to 10k by recursive goals", |b| {
        b.iter_batched(
            || build(src),
            |mut a| goal(&mut a, "count"),
            criterion::BatchSize::LargeInput,
        )
    });
}

fn beliefs(c: &mut Criterion) {
    let src = "
        +!add(N) : N < 1000 <- +b(N); !add(N + 1).
        +!add(N) : N >= 1000.
        +!remove(N) : N < 1000 <- -b(N); !remove(N + 1).
        +!remove(N) : N >= 1000.
        +b(X) <- Y = X.
        -b(X) <- Y = X.";
    c.bench_function("add then remove 1k beliefs with plans", |b| {
        b.iter_batched(
            || build(src),
            |mut a| {
                goal(&mut a, "add");
                goal(&mut a, "remove");
                a
            },
            criterion::BatchSize::LargeInput,
        )
    });
}

fn queries(c: &mut Criterion) {
    let src = "
        +!setup(N) : N < 1000 <- +v(N, N * 2); !setup(N + 1).
        +!setup(N) : N >= 1000.
        +!query(N) : N < 1000 <- K = N mod 1000; ?v(K, V); !query(N + 1).
        +!query(N) : N >= 1000.";
    let mut a = build(src);
    goal(&mut a, "setup");
    c.bench_function("1k test-goal queries over 1k beliefs", |b| {
        b.iter(|| goal(&mut a, "query"))
    });
}

fn parsing(c: &mut Criterion) {
    let src = "
        b(1). c(X) :- b(X) & X > 0. !start.
        @p1 +!start : b(N) & not c(2) <- .print(\"n\", N); !g(N + 1); ?b(Y); +d; -d; -+e(1).
        +!g(X) <- if (X > 1) { .print(big) } elif (X > 0) { .print(small) } else { .print(none) }.
        +!h <- while (b(X) & X < 3) { -+b(X + 1) }; for (.member(Y, [1, 2, 3])) { .print(Y) }.";
    c.bench_function("parse a small program", |b| {
        b.iter(|| parse_program(black_box(src), "p.asl"))
    });
    c.bench_function("parse message content", |b| {
        b.iter(|| {
            parse_term(black_box(
                "say(\"hello\", [1, 2.5, f(g(1), h)], ~rain[source(alice)])",
            ))
        })
    });
}

fn unification(c: &mut Criterion) {
    let pattern = parse_term("f(X, [H|T], g(Y, \"s\"))")
        .map(|(t, _)| t)
        .unwrap_or(Term::Nil);
    let data = parse_term("f(1, [a, b, c], g(h(2), \"s\"))")
        .map(|(t, _)| t)
        .unwrap_or(Term::Nil);
    c.bench_function("unify a structure with lists", |b| {
        let mut heap = Heap::new();
        b.iter(|| {
            let m = heap.mark();
            let base = heap.alloc(4);
            let ok = heap.unify(black_box(&pattern), base, black_box(&data), 0);
            heap.undo(m);
            ok
        })
    });
}

criterion_group!(
    benches,
    recursive_goals,
    beliefs,
    queries,
    parsing,
    unification
);
criterion_main!(benches);

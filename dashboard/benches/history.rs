//! The dashboard's hot paths on a million-episode events file: reading it
//! cold (what opening a big run's view costs), and one curve request
//! (decimating every series to 1,200 columns) once it is read.

use std::io::Write;

use agora_dashboard::decimate::{XRange, decimate};
use agora_dashboard::history::{Axis, History};
use criterion::{Criterion, criterion_group, criterion_main};

const EPISODES: u64 = 1_000_000;

fn events_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("events.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let mut steps = 0u64;
    for episode in 1..=EPISODES {
        let length = 8 + episode % 30;
        steps += length;
        writeln!(
            file,
            r#"{{"event":"episode","run":"frozenlake-1m-20261202-180623-753e","agent":"learner","episode":{episode},"env_index":0,"episode_return":{}.0,"length":{length},"env_steps":{steps},"at":{}.{:03}}}"#,
            episode % 2,
            1_796_000_000 + episode / 1000,
            episode % 1000
        )
        .expect("write");
        if episode % 1000 == 0 {
            writeln!(
                file,
                r#"{{"event":"train","run":"r","agent":"learner","env_steps":{steps},"episodes":{episode},"updates":{steps},"epsilon":0.5,"sps":2000000.0,"mean_return":0.7,"best_mean_return":0.8,"at":{}.0}}"#,
                1_796_000_000 + episode / 1000
            )
            .expect("write");
        }
    }
    path
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = events_file(dir.path());
    let mut group = c.benchmark_group("history");
    group.sample_size(10);
    group.bench_function("read 1M episodes cold", |b| {
        b.iter(|| {
            let mut history = History::new(&path, 1_796_000_000.0);
            history.refresh().expect("read");
            assert_eq!(history.episodes.len() as u64, EPISODES);
        })
    });
    let mut history = History::new(&path, 1_796_000_000.0);
    history.refresh().expect("read");
    group.bench_function("decimate every series to 1200 columns", |b| {
        b.iter(|| {
            for column in history.series.values() {
                let xs = column.x(Axis::Steps);
                let range = XRange::spanning(xs).expect("points");
                std::hint::black_box(decimate(xs, &column.y, range, 1200));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

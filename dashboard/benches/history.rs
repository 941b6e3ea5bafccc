//! The dashboard's hot paths on a million-episode run: reading its curves
//! cold (what opening a big run's view costs) from the curve files a run
//! writes and, for runs from older builds, from `events.jsonl`; and one
//! curve request (decimating every series to 1,200 columns) once read.

use std::io::Write;

use agora_dashboard::decimate::{XRange, decimate};
use agora_dashboard::history::{Axis, History};
use agora_runtime::telemetry::EpisodeEvent;
use agora_runtime::telemetry::curve_files::CurveFiles;
use criterion::{Criterion, criterion_group, criterion_main};

const EPISODES: u64 = 1_000_000;

/// Writes a run folder's events file, and its curve files when `curves`.
fn run_folder(dir: &std::path::Path, curves: bool) {
    let path = dir.join("events.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let mut curve_files = curves.then(|| CurveFiles::open(dir).expect("open").expect("new run"));
    let mut steps = 0u64;
    for episode in 1..=EPISODES {
        let length = 8 + episode % 30;
        steps += length;
        if let Some(files) = &mut curve_files {
            files
                .episode(&EpisodeEvent {
                    run: "r".into(),
                    agent: "learner".into(),
                    episode,
                    env_index: 0,
                    episode_return: (episode % 2) as f64,
                    length: length as u32,
                    env_steps: steps,
                    at: 1_796_000_000.0 + episode as f64 / 1000.0,
                })
                .expect("write");
        }
        writeln!(
            file,
            r#"{{"event":"episode","run":"frozenlake-1m-20261202-180623-753e","agent":"learner","episode":{episode},"env_index":0,"episode_return":{}.0,"length":{length},"env_steps":{steps},"at":{}.{:03}}}"#,
            episode % 2,
            1_796_000_000 + episode / 1000,
            episode % 1000
        )
        .expect("write");
        if episode % 1000 == 0 {
            let line = format!(
                r#"{{"event":"train","run":"r","agent":"learner","env_steps":{steps},"episodes":{episode},"updates":{steps},"epsilon":0.5,"sps":2000000.0,"mean_return":0.7,"best_mean_return":0.8,"at":{}.0}}"#,
                1_796_000_000 + episode / 1000
            );
            writeln!(file, "{line}").expect("write");
            if let Some(files) = &mut curve_files {
                files.train(line.as_bytes()).expect("write");
            }
        }
    }
    file.flush().expect("flush");
    if let Some(mut files) = curve_files {
        files.flush().expect("flush");
    }
}

fn bench(c: &mut Criterion) {
    let events_only = tempfile::tempdir().expect("tempdir");
    run_folder(events_only.path(), false);
    let with_curves = tempfile::tempdir().expect("tempdir");
    run_folder(with_curves.path(), true);
    let mut group = c.benchmark_group("history");
    group.sample_size(10);
    for (name, folder) in [
        ("read 1M episodes cold from curve files", with_curves.path()),
        (
            "read 1M episodes cold from events.jsonl",
            events_only.path(),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut history = History::new(folder, 1_796_000_000.0);
                history.refresh().expect("read");
                assert_eq!(history.episodes.len() as u64, EPISODES);
            })
        });
    }
    let mut history = History::new(with_curves.path(), 1_796_000_000.0);
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

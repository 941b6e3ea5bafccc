//! `agora plot RUN --out FILE.png`: the return curve and losses of a run,
//! drawn from its events file with plotters and an embedded font (so a PNG
//! comes out on a machine without fonts).

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use plotters::prelude::*;

use crate::cli::GlobalOptions;

struct Series {
    episodes: Vec<(f64, f64)>,
    losses: Vec<(String, Vec<(f64, f64)>)>,
}

pub fn run(
    global: &GlobalOptions,
    wanted: &str,
    out: &Path,
    window: usize,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(window > 0, "--window must be at least 1");
    let found = crate::commands::runs::locator(global).find(wanted)?;
    let record = found.record();
    let events = global
        .data_dir
        .join("runs")
        .join(&record.id)
        .join("events.jsonl");
    let series = read_series(&events)?;
    if series.episodes.is_empty() {
        bail!(
            "run {} has no episode telemetry in {} (did it run with --no-telemetry, or without a learner?)",
            record.id,
            events.display()
        );
    }
    draw(&series, window, out, &record.id)?;
    if global.json {
        println!(
            "{}",
            serde_json::json!({"run": record.id, "out": out, "episodes": series.episodes.len()})
        );
    } else {
        println!(
            "{}: {} episodes drawn to {}",
            record.id,
            series.episodes.len(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_series(path: &Path) -> anyhow::Result<Series> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut series = Series {
        episodes: Vec::new(),
        losses: Vec::new(),
    };
    for line in std::io::BufReader::new(file).lines() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let steps = event["env_steps"].as_f64();
        match (event["event"].as_str(), steps) {
            (Some("episode"), Some(steps)) => {
                if let Some(r) = event["episode_return"].as_f64() {
                    series.episodes.push((steps, r));
                }
            }
            (Some("train"), Some(steps)) => {
                for key in ["td_loss", "policy_loss", "value_loss"] {
                    if let Some(value) = event[key].as_f64() {
                        match series.losses.iter_mut().find(|(k, _)| k == key) {
                            Some((_, points)) => points.push((steps, value)),
                            None => series.losses.push((key.to_string(), vec![(steps, value)])),
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(series)
}

fn rolling_mean(points: &[(f64, f64)], window: usize) -> Vec<(f64, f64)> {
    let mut sum = 0.0;
    points
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            sum += y;
            if i >= window {
                sum -= points[i - window].1;
            }
            (*x, sum / (i + 1).min(window) as f64)
        })
        .collect()
}

fn bounds(points: impl Iterator<Item = (f64, f64)>) -> ((f64, f64), (f64, f64)) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    ((x0, x1), (y0, y1))
}

fn draw(series: &Series, window: usize, out: &Path, title: &str) -> anyhow::Result<()> {
    // Registered once per process; an error only means it was already there.
    let _ =
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    let root = BitMapBackend::new(out, (1100, 760)).into_drawing_area();
    let plot_error = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", out.display());
    root.fill(&WHITE).map_err(|e| plot_error(&e))?;
    let (top, bottom) = if series.losses.is_empty() {
        (root.clone(), None)
    } else {
        let (top, bottom) = root.split_vertically(480);
        (top, Some(bottom))
    };

    let mean = rolling_mean(&series.episodes, window);
    let ((x0, x1), (y0, y1)) = bounds(series.episodes.iter().copied());
    let mut chart = ChartBuilder::on(&top)
        .caption(format!("{title}: episode return"), ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| plot_error(&e))?;
    chart
        .configure_mesh()
        .x_desc("env steps")
        .x_label_formatter(&|steps| step_label(*steps))
        .y_desc("return")
        .draw()
        .map_err(|e| plot_error(&e))?;
    chart
        .draw_series(
            series
                .episodes
                .iter()
                .map(|p| Circle::new(*p, 1, RGBColor(120, 160, 220).filled())),
        )
        .map_err(|e| plot_error(&e))?
        .label("episode")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, RGBColor(120, 160, 220).filled()));
    chart
        .draw_series(LineSeries::new(mean, RGBColor(200, 40, 40).stroke_width(2)))
        .map_err(|e| plot_error(&e))?
        .label(format!("mean of {window}"))
        .legend(|(x, y)| {
            PathElement::new(
                vec![(x, y), (x + 20, y)],
                RGBColor(200, 40, 40).stroke_width(2),
            )
        });
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| plot_error(&e))?;

    if let Some(bottom) = bottom {
        let ((x0, x1), (y0, y1)) = bounds(
            series
                .losses
                .iter()
                .flat_map(|(_, points)| points.iter().copied()),
        );
        let mut chart = ChartBuilder::on(&bottom)
            .caption("losses", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| plot_error(&e))?;
        chart
            .configure_mesh()
            .x_desc("env steps")
            .x_label_formatter(&|steps| step_label(*steps))
            .y_desc("loss")
            .draw()
            .map_err(|e| plot_error(&e))?;
        let colours = [
            RGBColor(40, 140, 60),
            RGBColor(150, 60, 170),
            RGBColor(230, 140, 20),
        ];
        for ((name, points), colour) in series.losses.iter().zip(colours) {
            chart
                .draw_series(LineSeries::new(points.iter().copied(), colour))
                .map_err(|e| plot_error(&e))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| plot_error(&e))?;
    }
    root.present().map_err(|e| plot_error(&e))?;
    Ok(())
}

/// An env-step tick as people write it: `50k`, `1.5M`, `800`.
fn step_label(steps: f64) -> String {
    let trimmed = |value: f64, unit: &str| {
        let text = format!("{value:.1}");
        format!("{}{unit}", text.strip_suffix(".0").unwrap_or(&text))
    };
    match steps.abs() {
        s if s >= 1e6 => trimmed(steps / 1e6, "M"),
        s if s >= 1e3 => trimmed(steps / 1e3, "k"),
        _ => format!("{steps:.0}"),
    }
}

#[cfg(test)]
mod tests {
    use super::step_label;

    #[test]
    fn step_ticks_read_as_counts_not_floats() {
        assert_eq!(step_label(50_000.0), "50k");
        assert_eq!(step_label(1_500_000.0), "1.5M");
        assert_eq!(step_label(800.0), "800");
        assert_eq!(step_label(12_345.0), "12.3k");
    }
}

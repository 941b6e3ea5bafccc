//! `agora record RUN [--episode N --out clip.gif [--fps 30]]`: the episodes
//! a run kept (`[telemetry] record_episodes`), and one of them as an
//! animated GIF drawn by its env's own renderer: one frame per step (what
//! the learner saw before acting) and one for the observation it ended in.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

use agora_agents::render::{Frame, ObservationRenderer};
use agora_runtime::learn::{RecordedEpisode, RecordedEpisodes, RecordedSummary};
use anyhow::{Context, bail};

use crate::cli::GlobalOptions;
use crate::terminal;

/// Episode numbers named in full in an error before the list is shortened.
const NAMED: usize = 12;

pub fn run(
    global: &GlobalOptions,
    wanted: &str,
    episode: Option<u64>,
    out: Option<&Path>,
    fps: u32,
) -> anyhow::Result<ExitCode> {
    let found = crate::commands::runs::locator(global).find(wanted)?;
    let run = found.record().id.clone();
    let folder = global.data_dir.join("runs").join(&run);
    let recorded = RecordedEpisodes::open(&folder)?;
    let skipped = recorded.skipped();
    if skipped.truncated || skipped.unreadable > 0 {
        terminal::err_line(&format!(
            "agora: {}: {} unreadable record(s){} passed over",
            recorded.file().display(),
            skipped.unreadable,
            if skipped.truncated {
                " and a last one cut short"
            } else {
                ""
            }
        ));
    }
    match (episode, out) {
        (Some(episode), Some(out)) => write_gif(global, &run, &recorded, episode, out, fps),
        (None, None) => list(global, &run, &recorded),
        _ => bail!("--episode N and --out FILE.gif go together"),
    }
}

fn list(
    global: &GlobalOptions,
    run: &str,
    recorded: &RecordedEpisodes,
) -> anyhow::Result<ExitCode> {
    let episodes = recorded.list();
    // Through `terminal`, so `agora record RUN | head` ends quietly.
    if global.json {
        terminal::out_line(
            &serde_json::json!({"run": run, "file": recorded.file(), "episodes": episodes})
                .to_string(),
        );
        return Ok(ExitCode::SUCCESS);
    }
    if episodes.is_empty() {
        terminal::out_line(&format!(
            "{run}: no episodes kept (fast mode and record_episodes = \"off\" keep none; only learners keep any)"
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{run}: {} episodes kept in {}\n{:>10} {:>12} {:>8} {:>12}\n",
        episodes.len(),
        recorded.file().display(),
        "episode",
        "return",
        "length",
        "env_steps"
    );
    for s in &episodes {
        text.push_str(&format!(
            "{:>10} {:>12.3} {:>8} {:>12}\n",
            s.episode, s.episode_return, s.length, s.env_steps
        ));
    }
    terminal::out(&text);
    Ok(ExitCode::SUCCESS)
}

fn write_gif(
    global: &GlobalOptions,
    run: &str,
    recorded: &RecordedEpisodes,
    number: u64,
    out: &Path,
    fps: u32,
) -> anyhow::Result<ExitCode> {
    let Some(episode) = recorded.read(number)? else {
        bail!(
            "run {run} did not keep episode {number}; {}",
            kept_in_words(run, &recorded.list())
        );
    };
    let Some(mut renderer) = ObservationRenderer::new(&episode.env.id, &episode.env.params) else {
        bail!(
            "episode {number} of run {run} was played in {}, which has no picture of its observations (CartPole-v1, MountainCar-v0, Acrobot-v1, FrozenLake-v1, Taxi-v3 and CliffWalking-v0 have)",
            episode.env.id
        );
    };
    let frames = encode(&episode, &mut renderer, out, fps)?;
    if global.json {
        terminal::out_line(
            &serde_json::json!({"run": run, "episode": number, "out": out, "frames": frames, "return": episode.summary.episode_return})
                .to_string(),
        );
    } else {
        let cut = if episode.steps_cut > 0 {
            format!(" (its last {} steps were not kept)", episode.steps_cut)
        } else {
            String::new()
        };
        terminal::out_line(&format!(
            "{run}: episode {number} (return {}, {} steps) drawn in {frames} frames to {}{cut}",
            episode.summary.episode_return,
            episode.summary.length,
            out.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Which episodes were kept, briefly.
fn kept_in_words(run: &str, kept: &[RecordedSummary]) -> String {
    let numbers: Vec<String> = kept.iter().map(|s| s.episode.to_string()).collect();
    match numbers.len() {
        0 => "it kept none".to_string(),
        n if n <= NAMED => format!("it kept {}", numbers.join(", ")),
        n => format!(
            "it kept {n}: {}, …, {} (`agora record {run}` lists them)",
            numbers[..NAMED - 1].join(", "),
            numbers[n - 1],
        ),
    }
}

/// Writes the episode's frames to `out` as a looping GIF; answers how
/// many frames it has.
fn encode(
    episode: &RecordedEpisode,
    renderer: &mut ObservationRenderer,
    out: &Path,
    fps: u32,
) -> anyhow::Result<usize> {
    let observations = episode
        .steps
        .iter()
        .map(|step| step.obs.as_slice())
        .chain(std::iter::once(episode.final_obs.as_slice()));
    // GIF delays are in hundredths of a second; below 2 viewers slow down.
    let delay = u16::try_from((100 + fps / 2) / fps.max(1))
        .unwrap_or(u16::MAX)
        .max(2);
    let file = File::create(out).with_context(|| format!("cannot write {}", out.display()))?;
    let mut encoder: Option<gif::Encoder<BufWriter<File>>> = None;
    let mut writer = Some(BufWriter::new(file));
    let mut frames = 0;
    for (step, obs) in observations.enumerate() {
        let Some(picture) = renderer.render(obs) else {
            bail!(
                "episode {}: step {step}'s observation {obs:?} is not one of {}",
                episode.summary.episode,
                episode.env.id
            );
        };
        let (width, height) = (
            u16::try_from(picture.width()).context("frame too wide for a GIF")?,
            u16::try_from(picture.height()).context("frame too high for a GIF")?,
        );
        if encoder.is_none()
            && let Some(writer) = writer.take()
        {
            let mut started = gif::Encoder::new(writer, width, height, &[])
                .with_context(|| format!("writing {}", out.display()))?;
            started
                .set_repeat(gif::Repeat::Infinite)
                .with_context(|| format!("writing {}", out.display()))?;
            encoder = Some(started);
        }
        let mut frame = gif_frame(&picture, width, height);
        frame.delay = delay;
        if let Some(encoder) = &mut encoder {
            encoder
                .write_frame(&frame)
                .with_context(|| format!("writing {}", out.display()))?;
        }
        frames += 1;
    }
    // Dropping the encoder writes the trailer; flushing surfaces an error.
    if let Some(encoder) = encoder {
        let mut writer = encoder
            .into_inner()
            .with_context(|| format!("writing {}", out.display()))?;
        std::io::Write::flush(&mut writer).with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(frames)
}

/// One GIF frame: an exact palette when the picture has at most 256
/// colours (env pictures are flat colour, so they do), else quantized.
fn gif_frame(picture: &Frame, width: u16, height: u16) -> gif::Frame<'static> {
    let mut palette: Vec<u8> = Vec::with_capacity(48);
    let mut index: HashMap<[u8; 3], u8> = HashMap::new();
    let mut pixels = Vec::with_capacity(picture.width() * picture.height());
    // Neighbouring pixels mostly share a colour: look the map up only
    // when it changes.
    let mut last: Option<([u8; 3], u8)> = None;
    for rgb in picture.pixels().chunks_exact(3) {
        let colour = [rgb[0], rgb[1], rgb[2]];
        if let Some((seen, slot)) = last
            && seen == colour
        {
            pixels.push(slot);
            continue;
        }
        let next = index.len();
        let slot = match index.get(&colour) {
            Some(slot) => *slot,
            None if next < 256 => {
                let slot = next as u8;
                index.insert(colour, slot);
                palette.extend_from_slice(&colour);
                slot
            }
            None => return gif::Frame::from_rgb_speed(width, height, picture.pixels(), 10),
        };
        last = Some((colour, slot));
        pixels.push(slot);
    }
    gif::Frame::from_palette_pixels(width, height, pixels, palette, None)
}

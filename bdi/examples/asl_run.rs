//! Runs an AgentSpeak file standalone, like `agora asl run` will:
//! `cargo run -p agora-bdi --example asl_run -- FILE.asl [--seed S] [--max-cycles N] [--name NAME]`.
//! Prints what `.print` prints; exits 1 on an unhandled plan failure and 2
//! when the program does not load.

use std::process::ExitCode;

use agora_bdi::{RunOptions, run_program};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = RunOptions::default();
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned();
        match args[i].as_str() {
            "--seed" => options.seed = value.and_then(|v| v.parse().ok()).unwrap_or(0),
            "--max-cycles" => options.max_cycles = value.and_then(|v| v.parse().ok()),
            "--name" => options.name = value,
            other => {
                file = Some(other.to_string());
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let Some(file) = file else {
        eprintln!("usage: asl_run FILE.asl [--seed S] [--max-cycles N] [--name NAME]");
        return ExitCode::from(2);
    };
    let source = match std::fs::read_to_string(&file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    match run_program(&source, &file, &options, &mut |line| println!("{line}")) {
        Ok(outcome) => {
            for r in &outcome.reports {
                eprintln!("{r:?}");
            }
            if outcome.failed() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

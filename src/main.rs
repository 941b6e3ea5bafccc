//! The `agora` command: parses arguments and calls the runtime.

mod cli;
mod commands;
mod output;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Err(error) = init_logging(&cli.global.log) {
        eprintln!("agora: --log: {error}");
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        cli::Command::Run {
            config,
            no_telemetry,
            warm_start,
            take_over,
            changes,
            quiet,
            dashboard,
            serve,
        } => commands::run::run(
            &cli.global,
            config,
            &commands::run::Launch {
                no_telemetry: *no_telemetry,
                warm_start: warm_start.clone(),
                take_over: *take_over,
                changes: changes.clone(),
                quiet: *quiet,
                resume: None,
                store_path: None,
                dashboard: dashboard.then(|| serve.clone()),
            },
        ),
        cli::Command::Dashboard { serve } => commands::dashboard::serve(&cli.global, serve),
        cli::Command::Resume {
            run,
            no_telemetry,
            changes,
            quiet,
        } => commands::run::resume(&cli.global, run, *no_telemetry, changes, *quiet),
        cli::Command::Plot { run, out, window } => {
            commands::plot::run(&cli.global, run, out, *window)
        }
        cli::Command::Record {
            run,
            episode,
            out,
            fps,
        } => commands::record::run(&cli.global, run, *episode, out.as_deref(), *fps),
        cli::Command::Ctl {
            run,
            command,
            timeout,
        } => commands::ctl::run(&cli.global, run, command, *timeout),
        cli::Command::Eval {
            checkpoint,
            episodes,
            seed,
            render,
            env,
        } => commands::eval::run(
            &cli.global,
            checkpoint,
            *episodes,
            *seed,
            *render,
            env.as_deref(),
        ),
        cli::Command::Broker { bind, port } => commands::broker::run(&cli.global, *bind, *port),
        cli::Command::Send(args) => commands::send::run(&cli.global, args),
        cli::Command::Runs { command } => commands::runs::run(&cli.global, command),
        cli::Command::Env { command } => commands::env::run(&cli.global, command),
        cli::Command::Asl { command } => commands::asl::run(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("agora: {}", error_sentence(&error));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes in one line, each cause said once: most of our
/// errors already quote their source in their own message, and anyhow's
/// `{:#}` would repeat it (`os error 2: os error 2`).
fn error_sentence(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

fn init_logging(filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // Colour only on a terminal: a log file or pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // Its default is to `eprintln!` a failed write, which panics when
        // stderr is a closed pipe; a run must outlive its terminal.
        .log_internal_errors(false)
        .init();
    // Agent panics are caught and reported as failures; one log line each
    // is enough, without the default hook's backtrace advice.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-text panic payload".into());
        tracing::error!("panic{location}: {payload}");
    }));
    Ok(())
}

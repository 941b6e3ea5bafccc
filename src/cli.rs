//! Command-line interface definition (clap derive).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Agora: BDI and RL agents as supervised actors over MQTT.
#[derive(Debug, Parser)]
#[command(name = "agora", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// Broker: `embedded`, `embedded:PORT` or mqtt://[user[:pass]@]host[:port]
    /// (overrides the config's [broker] url).
    #[arg(long, global = true, env = "AGORA_BROKER")]
    pub broker: Option<String>,

    /// Folder for the checkpoint store and run files.
    #[arg(
        long,
        global = true,
        env = "AGORA_DATA_DIR",
        default_value = "agora-data"
    )]
    pub data_dir: PathBuf,

    /// Log filter, e.g. `info` or `warn,agora_runtime=debug` (RUST_LOG syntax).
    #[arg(long, global = true, env = "AGORA_LOG", default_value = "warn")]
    pub log: String,

    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Changes to the config given on the command line.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConfigChanges {
    /// The seed of everything random: the learner's `seed`, or else every
    /// bdi agent's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Set a config key, typed and checked as in the file
    /// (`--set ppo.learning_rate=0.001`, `--set agents[1].count=500`); may
    /// be repeated.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Where the dashboard listens.
#[derive(Debug, Clone, clap::Args)]
pub struct DashboardServe {
    /// Dashboard port (0: any free port).
    #[arg(long = "dashboard-port", alias = "port", default_value_t = 8321)]
    pub port: u16,
    /// Dashboard address; anything but loopback requires a token.
    #[arg(long = "dashboard-bind", alias = "bind", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The token every dashboard request must carry (generated and printed
    /// when binding a non-loopback address without one).
    #[arg(long, env = "AGORA_DASHBOARD_TOKEN")]
    pub token: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run an experiment config to its end.
    Run {
        /// The experiment file (TOML).
        config: PathBuf,
        /// Fast mode: no per-step or per-episode telemetry is built; only
        /// lifecycle events are sent.
        #[arg(long, env = "AGORA_NO_TELEMETRY", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true", default_value = "false")]
        no_telemetry: bool,
        /// Start the learner from another run's weights: RUN, RUN:best or RUN:SEQ.
        #[arg(long, value_name = "RUN[:best|:SEQ]")]
        warm_start: Option<String>,
        /// Start agents even when another live run on the broker has their
        /// names, taking the names over (refused otherwise).
        #[arg(long)]
        take_over: bool,
        #[command(flatten)]
        changes: ConfigChanges,
        /// No progress output.
        #[arg(long)]
        quiet: bool,
        /// Serve the dashboard while the run lasts; its URL is the first
        /// line of output.
        #[arg(long)]
        dashboard: bool,
        #[command(flatten)]
        serve: DashboardServe,
    },
    /// Continue a stopped or crashed run from its last checkpoints.
    Resume {
        /// Run id (a unique prefix is enough).
        run: String,
        /// Fast mode, as for `run`.
        #[arg(long, env = "AGORA_NO_TELEMETRY", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true", default_value = "false")]
        no_telemetry: bool,
        #[command(flatten)]
        changes: ConfigChanges,
        /// No progress output.
        #[arg(long)]
        quiet: bool,
    },
    /// Control a running run: pause, resume, stop, checkpoint, visual on|off, speed X.
    Ctl {
        /// Run id (a unique prefix is enough).
        run: String,
        /// The command and its value: `pause`, `speed 0.5`, `visual on`, …
        #[arg(required = true, num_args = 1..=2, allow_hyphen_values = true)]
        command: Vec<String>,
        /// How long to wait for the run's answer.
        #[arg(long, default_value = "5s", value_parser = parse_duration)]
        timeout: Duration,
    },
    /// Draw a run's return curve (and losses) to a PNG file.
    Plot {
        /// Run id (a unique prefix is enough).
        run: String,
        /// The PNG file to write.
        #[arg(long)]
        out: PathBuf,
        /// Episodes in the rolling mean.
        #[arg(long, default_value_t = 20)]
        window: usize,
    },
    /// List the episodes a run kept (`[telemetry] record_episodes`), or
    /// draw one to an animated GIF.
    Record {
        /// Run id (a unique prefix is enough).
        run: String,
        /// The episode to draw (its number in the run's episode telemetry).
        #[arg(long, requires = "out")]
        episode: Option<u64>,
        /// The GIF file to write.
        #[arg(long, requires = "episode")]
        out: Option<PathBuf>,
        /// Frames per second of the GIF.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=50))]
        fps: u32,
    },
    /// Play a saved policy greedily and print mean/min/max return.
    Eval {
        /// RUN, RUN:best or RUN:SEQ (default: the latest checkpoint).
        checkpoint: String,
        /// Episodes to play.
        #[arg(long, default_value_t = 100)]
        episodes: u64,
        /// Seed of the evaluation envs.
        #[arg(long, default_value_t = 12_345)]
        seed: u64,
        /// Show the first episode step by step (text boards for grid envs).
        #[arg(long)]
        render: bool,
        /// Evaluate on this env id instead of the run's (must be the one
        /// the checkpoint was trained on).
        #[arg(long)]
        env: Option<String>,
    },
    /// Run the embedded MQTT broker alone, for other processes and hosts.
    Broker {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 1883)]
        port: u16,
    },
    /// Serve the web dashboard: every run of the data dir, live.
    Dashboard {
        #[command(flatten)]
        serve: DashboardServe,
    },
    /// Send one envelope to an agent and print the reply, if one comes.
    Send(SendArgs),
    /// The run registry.
    Runs {
        #[command(subcommand)]
        command: RunsCommand,
    },
    /// Environments: list, trace against Gymnasium, benchmark.
    Env {
        #[command(subcommand)]
        command: EnvCommand,
    },
    /// AgentSpeak programs: run one agent standalone, or check a program.
    Asl {
        #[command(subcommand)]
        command: AslCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AslCommand {
    /// Run one agent without a broker, printing what `.print` prints; exits
    /// when the agent is quiescent or `.stopMAS` runs (status 1 if it ended
    /// on an unhandled plan failure or ran into the cycle limit).
    Run {
        /// The program.
        file: PathBuf,
        /// Agent name (default: the file's stem).
        #[arg(long)]
        name: Option<String>,
        /// Stop after this many reasoning cycles (said on stderr, status 1).
        #[arg(long, default_value_t = agora_bdi::DEFAULT_MAX_CYCLES)]
        max_cycles: u64,
        /// Seed of the agent's random numbers.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[command(flatten)]
        limits: AslLimits,
    },
    /// Parse and check a program; report errors only. Actions of the world
    /// or env an agent runs in are known with `--world` / `--env`, or for
    /// every `bdi` agent of a config with `--config`.
    Check {
        /// The program (with `--config`: only the agents running it).
        #[arg(required_unless_present = "config")]
        file: Option<PathBuf>,
        /// The shared world the agent acts in (`gold-miners`).
        #[arg(long, conflicts_with = "config")]
        world: Option<String>,
        /// The env the agent steps through `.env_*` (e.g. `FrozenLake-v1`).
        #[arg(long, conflicts_with = "config")]
        env: Option<String>,
        /// A config whose `bdi` agents' programs are checked, each with its
        /// world and env.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// The resource limits of `agora asl run` (those of a `bdi` agent's
/// `limits` table); a plan step that hits one fails with
/// `-!g[error(resource_limit), limit(..)]`.
#[derive(Debug, Clone, Copy, Args)]
pub struct AslLimits {
    /// Most intended means on one intention's stack (deeper sub-goals fail).
    #[arg(long, default_value_t = agora_bdi::Limits::DEFAULT_MAX_INTENTION_DEPTH, value_parser = at_least_one())]
    pub max_intention_depth: usize,
    /// Most intended means over all intentions together.
    #[arg(long, default_value_t = agora_bdi::Limits::DEFAULT_MAX_INTENDED_MEANS, value_parser = at_least_one())]
    pub max_intended_means: usize,
    /// Most intentions at once.
    #[arg(long, default_value_t = agora_bdi::Limits::DEFAULT_MAX_INTENTIONS, value_parser = at_least_one())]
    pub max_intentions: usize,
    /// Most pending external events (and queued messages).
    #[arg(long, default_value_t = agora_bdi::Limits::DEFAULT_MAX_EVENTS, value_parser = at_least_one())]
    pub max_events: usize,
    /// Most beliefs.
    #[arg(long, default_value_t = agora_bdi::Limits::DEFAULT_MAX_BELIEFS, value_parser = at_least_one())]
    pub max_beliefs: usize,
}

/// A count of at least 1 (a limit of 0 would let nothing run).
fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
}

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// List the environment ids.
    List,
    /// Answer JSON commands on stdin, one per line, for cross-checking
    /// against Gymnasium: {"reset": {"seed": S}}, {"set_state": [...],
    /// "elapsed": K}, {"step": A}, {"transitions": {"state": S, "action": A}}.
    Trace {
        /// Environment id, e.g. CartPole-v1.
        env: String,
        /// A `make()` keyword argument, e.g. `map_name=8x8`.
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// Random-action transitions/s: one thread, then through the env actors.
    Bench {
        /// Environment id.
        env: String,
        /// Envs in the batch.
        #[arg(long, default_value_t = 64)]
        num_envs: usize,
        /// Shards (threads) for the env actors; default one per core.
        #[arg(long)]
        shards: Option<usize>,
        /// Batch steps to time.
        #[arg(long, default_value_t = 20_000)]
        steps: u64,
        /// A `make()` keyword argument, e.g. `is_slippery=false`.
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Receiving agent.
    #[arg(long)]
    pub to: String,
    /// Performative, e.g. request, inform, tell, achieve, askOne.
    #[arg(long, default_value = "request")]
    pub performative: String,
    /// Content as JSON, e.g. '"hello"' or '{"n": 1}'.
    #[arg(long, default_value = "null")]
    pub content: String,
    /// Sender name; replies go to its inbox.
    #[arg(long)]
    pub sender: Option<String>,
    /// Conversation id.
    #[arg(long)]
    pub conversation: Option<String>,
    /// Topic namespace.
    #[arg(long, default_value = "default")]
    pub namespace: String,
    /// How long to wait for a reply.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Do not wait for a reply.
    #[arg(long)]
    pub no_wait: bool,
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// List runs, oldest first.
    List,
    /// Show one run: config, status, summary, checkpoints.
    Show {
        /// Run id (a unique prefix is enough).
        run: String,
    },
    /// Delete a finished run, its checkpoints and its files.
    Rm {
        /// Run id (a unique prefix is enough).
        run: String,
    },
}

fn parse_duration(text: &str) -> Result<Duration, agora_runtime::config::duration::DurationError> {
    agora_runtime::config::duration::parse(text)
}

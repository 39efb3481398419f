//! The `wirewatch` command: parse arguments, run the chosen command, and
//! map its outcome to an exit code (64 for bad config or watchlists).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: the matcher allocates per article on several threads; glibc's
/// per-thread arenas held on to freed memory (peak RSS) and its malloc was
/// about a tenth of matching time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use wirewatch::cli::{self, Failure};

#[derive(Parser)]
#[command(
    name = "wirewatch",
    version,
    about = "Alerts when watched companies are sanctioned, banned, fined, sued, investigated, breached, exit or are acquired."
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon: consume articles from Kafka, match, and send alerts.
    Run {
        #[arg(long, default_value = "/etc/wirewatch/wirewatch.toml")]
        config: PathBuf,
        /// Replay a JSONL file (or - for stdin) through the matcher and the
        /// real notifiers instead of consuming from Kafka.
        #[arg(long)]
        input: Option<PathBuf>,
    },
    /// Validate the config and its watchlists; print every problem as
    /// file:line: message and exit 64 if there is one.
    Check {
        #[arg(long, default_value = "/etc/wirewatch/wirewatch.toml")]
        config: PathBuf,
    },
    /// Run the matcher over a JSONL file of articles, or over a time range
    /// of the configured Kafka topics, and report the hits.
    Backtest {
        /// Watchlist file or folder (or take the watchlists from --config).
        #[arg(long, required_unless_present = "config", conflicts_with = "config")]
        watchlists: Option<PathBuf>,
        /// The daemon's config: its watchlists and, with --since, its Kafka
        /// brokers and topics.
        #[arg(long)]
        config: Option<PathBuf>,
        /// JSONL file of article events, or - for stdin.
        #[arg(long, required_unless_present = "since", conflicts_with = "since")]
        input: Option<PathBuf>,
        /// Read the configured topics from this time on: a duration back
        /// from now (7d, 36h) or an RFC 3339 timestamp. Needs --config.
        #[arg(long, value_parser = cli::backtest::when::parse)]
        since: Option<cli::backtest::When>,
        /// Stop before this time (default: the end of the topics when the
        /// backtest starts): a duration back from now or an RFC 3339 timestamp.
        #[arg(long, value_parser = cli::backtest::when::parse)]
        until: Option<cli::backtest::When>,
        /// One JSON object per hit on stdout.
        #[arg(long)]
        json: bool,
        /// Show, for each rule, why it fired on this article or what was missing.
        #[arg(long, value_name = "ARTICLE_ID")]
        explain: Option<String>,
        /// A JSON map of article id to expected rule ids: print precision and recall.
        #[arg(long)]
        expected: Option<PathBuf>,
        /// Only this rule: its hits, counts, explanation and expected labels.
        #[arg(long, value_name = "ID")]
        rule: Option<String>,
        /// Threads that match articles (default: one per available CPU).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
        jobs: Option<u32>,
    },
    /// Run the real pipeline on an embedded Kafka cluster with the bundled
    /// sample articles, writing alert emails as .eml files.
    Demo {
        /// Where to write the alert emails.
        #[arg(long, default_value = "wirewatch-demo")]
        out: PathBuf,
    },
    /// Inspect and repair the durable outbox (while the daemon is stopped).
    Outbox {
        #[arg(long, global = true, default_value = "/etc/wirewatch/wirewatch.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: cli::outbox::Action,
    },
    /// Silence a rule, a company within a rule, or a channel until a time;
    /// list and lift silences (while the daemon is stopped).
    Silence {
        #[arg(long, global = true, default_value = "/etc/wirewatch/wirewatch.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: cli::silence::Action,
    },
    /// Write a watchlist file with one [[list]] from a published sanctions
    /// list or a CSV export; rules use it with `lists = ["ID"]`.
    Import {
        #[command(subcommand)]
        format: cli::import::Format,
    },
    /// Mark alerts as not relevant, list the marks, and suggest watchlist
    /// changes from them (while the daemon is stopped; suggest changes
    /// nothing).
    Feedback {
        #[arg(long, global = true, default_value = "/etc/wirewatch/wirewatch.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: cli::feedback::Action,
    },
    /// The web console's helpers: `hash-password` prints the argon2 hash
    /// of a password read from stdin, for `[[console.user]]`.
    Console {
        #[command(subcommand)]
        action: cli::console::Action,
    },
    /// Probe a health URL (for container health checks): exit 0 on 2xx.
    Health {
        #[arg(long, default_value = "http://127.0.0.1:9464/healthz")]
        url: String,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Check { config } => cli::check::run(&config),
        Command::Import { format } => cli::import::run(format),
        Command::Outbox { config, action } => cli::outbox::run(&config, action),
        Command::Silence { config, action } => cli::silence::run(&config, action),
        Command::Feedback { config, action } => cli::feedback::run(&config, action),
        Command::Console { action } => cli::console::run(action),
        Command::Backtest {
            watchlists,
            config,
            input,
            since,
            until,
            json,
            explain,
            expected,
            rule,
            jobs,
        } => {
            use cli::backtest::{Input, Options, Rules};
            let rules = match (watchlists, config) {
                (Some(w), _) => Rules::Watchlists(w),
                (None, Some(c)) => Rules::Config(c),
                (None, None) => unreachable!("clap requires one"),
            };
            // clap lets `requires` go when the required option conflicts
            // with one given (--until with --input): checked here.
            let input = match (input, since, until) {
                (Some(_), _, Some(_)) => Err(Failure::Usage(vec![
                    "--until bounds a Kafka backtest: it needs --since (and --config), not --input"
                        .into(),
                ])),
                (Some(i), _, None) => Ok(Input::File(i)),
                (None, Some(since), until) => Ok(Input::Kafka { since, until }),
                (None, None, _) => unreachable!("clap requires one"),
            };
            input.and_then(|input| {
                cli::backtest::run(&Options {
                    rules,
                    input,
                    json,
                    explain,
                    expected,
                    rule,
                    jobs: jobs.map(|j| j as usize),
                })
            })
        }
        command => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let result = runtime.block_on(async move {
                match command {
                    Command::Run { config, input } => {
                        cli::run::run(&config, input.as_deref()).await
                    }
                    Command::Demo { out } => cli::demo::run(&out).await,
                    Command::Health { url } => cli::health(&url).await,
                    Command::Check { .. }
                    | Command::Backtest { .. }
                    | Command::Outbox { .. }
                    | Command::Silence { .. }
                    | Command::Import { .. }
                    | Command::Feedback { .. }
                    | Command::Console { .. } => {
                        unreachable!("handled above")
                    }
                }
            });
            // Everything that matters was awaited. A blocking librdkafka
            // call still running (a metadata request to an unreachable
            // broker, when SIGTERM came at start) must not hold the exit.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            result
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(problems)) => {
            for p in problems {
                eprintln!("{p}");
            }
            ExitCode::from(64)
        }
        Err(Failure::Data(e)) => {
            eprintln!("error: {}", report(&e));
            ExitCode::from(65)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {}", report(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes as one line, "outer: cause: cause". A cause
/// that an outer message already quotes (our typed errors keep redb's or
/// rdkafka's error as their source *and* say it, so logs read well) is not
/// repeated.
fn report(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::report;

    #[test]
    fn a_cause_the_message_already_quotes_is_not_repeated() {
        let cause = std::io::Error::other("disk full");
        let quoted = anyhow::Error::new(cause).context("store: disk full");
        assert_eq!(report(&quoted), "store: disk full");
        let other = anyhow::Error::new(std::io::Error::other("disk full")).context("cannot write");
        assert_eq!(report(&other), "cannot write: disk full");
    }
}

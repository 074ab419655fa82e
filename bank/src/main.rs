//! `bank`: the whole bank in one process, or an operator command.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use messaging_layers::host::{MetricsOptions, init_logging, shutdown_on_signals};

use bank::Databases;
use bank::databases::{embedded_urls, postgres_urls};

/// The reference bank: the account and funds-transfer components, the
/// aggregator and the web UI, in one process. With no command it serves the
/// UI; stop it with Ctrl-C, and everything is still there next time.
#[derive(Debug, Parser)]
#[command(name = "bank", version)]
struct Options {
    /// Where the embedded SQLite files live.
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    /// Use this Postgres database for the message store (installed if
    /// needed), and `{database}_views` beside it for the views, instead of
    /// the SQLite files.
    #[arg(long, env = "BANK_POSTGRES_URL", global = true)]
    postgres: Option<String>,
    /// The message store, instead of the data directory or --postgres:
    /// postgres://... or sqlite://path. Needs --view-database-url too.
    #[arg(
        long,
        env = "MESSAGE_STORE_URL",
        global = true,
        requires = "view_database_url"
    )]
    message_store_url: Option<String>,
    /// The view database, with --message-store-url.
    #[arg(long, env = "VIEW_DATABASE_URL", global = true)]
    view_database_url: Option<String>,
    /// The web UI's port.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    port: u16,
    /// The address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Milliseconds the consumers sleep after finding nothing new.
    #[arg(long, env = "POLL_INTERVAL_MS", default_value_t = 100)]
    poll_interval_ms: u64,
    #[command(flatten)]
    metrics: MetricsOptions,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the bank (the default).
    Serve,
    /// Print the messages of a stream (`account-<id>`) or of a category
    /// (`account`, `fundsTransfer:command`), with their metadata.
    Print {
        /// A stream name or a category.
        name: String,
    },
    /// Drop the views and rebuild them from the message store. Stop the
    /// running bank first.
    RebuildViews,
    /// Check the invariants of the message store (money conserved, every
    /// transfer ended once, no transaction applied twice, no negative
    /// balance, contiguous streams, views equal to a rebuild). Exits with an
    /// error if any is violated. Run it when the bank is at rest.
    Audit,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let options = Options::parse();
    let (store_url, views_url) = match (
        &options.message_store_url,
        &options.view_database_url,
        &options.postgres,
    ) {
        (Some(store), Some(views), _) => (store.clone(), views.clone()),
        (_, _, Some(url)) => postgres_urls(url),
        _ => embedded_urls(&options.data_dir),
    };
    let command = options.command.unwrap_or(Command::Serve);
    // The commands that only read open Postgres as it is (see
    // `Databases::open_existing`); the embedded files are created and
    // installed whatever the command, as the bank owns them.
    let only_reads = matches!(command, Command::Print { .. } | Command::Audit);
    let databases = if only_reads && !store_url.starts_with("sqlite:") {
        Databases::open_existing(&store_url, &views_url).await?
    } else {
        Databases::open(&store_url, &views_url).await?
    };
    let mut out = std::io::stdout().lock();
    match command {
        Command::Serve => {
            let address = SocketAddr::new(options.host, options.port);
            let poll_interval = Duration::from_millis(options.poll_interval_ms.max(1));
            let shutdown = shutdown_on_signals();
            options
                .metrics
                .start(
                    bank::layers::METRICS_NAMESPACE,
                    Some(web_ui::metrics::render),
                    &shutdown,
                )
                .await
                .context("serving metrics")?;
            bank::serve::serve(databases, address, poll_interval, shutdown, |address| {
                let _ = writeln!(
                    out,
                    "The bank is open at http://{address}\n\
                     Messages: {store_url}\nViews:    {views_url}\nPress Ctrl-C to stop."
                );
                let _ = out.flush();
            })
            .await?;
        }
        Command::Print { name } => {
            let printed = bank::print::print(&databases.store, &name, &mut out).await;
            ends_quietly_on_a_closed_pipe(printed.map(|_| ()))?;
        }
        Command::Audit => {
            let report = bank::audit::audit(
                &databases.store,
                Some(&databases.views),
                bank::audit::Expect::Quiescent,
            )
            .await?;
            ends_quietly_on_a_closed_pipe(report.print(&mut out).map_err(anyhow::Error::from))?;
            anyhow::ensure!(
                report.violations() == 0,
                "{} violation(s)",
                report.violations()
            );
        }
        Command::RebuildViews => {
            let replayed = aggregator::rebuild(&databases.store, &databases.views, 500).await?;
            writeln!(out, "Rebuilt the views from {replayed} message(s).")?;
        }
    }
    Ok(())
}

/// `bank print account | head` closes the pipe after ten lines; the next
/// write fails with "broken pipe". That is the reader saying it has seen
/// enough, not an error: end quietly, as other command-line tools do.
fn ends_quietly_on_a_closed_pipe(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(error)
            if error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(())
        }
        other => other,
    }
}

//! `web-ui`: the bank's web UI as a process.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use clap::Parser;
use messaging::Clock;
use messaging::store::Writes;
use messaging_layers::host::{MetricsOptions, init_logging, shutdown_on_signals};

use bank::layers;
use web_ui::security::AllowedHosts;
use web_ui::{AppState, Application};

/// Serves the bank's web UI: reads the views, writes commands.
#[derive(Debug, Parser)]
#[command(name = "web-ui", version)]
struct Options {
    /// The view database the aggregator writes: postgres://... or sqlite://path.
    /// On Postgres, connect as a role that can only read (bank_web).
    #[arg(long, env = "VIEW_DATABASE_URL")]
    view_database_url: String,
    /// The message store, where commands are written: postgres://... or sqlite://path.
    #[arg(long, env = "MESSAGE_STORE_URL")]
    message_store_url: String,
    /// The port to listen on.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    port: u16,
    /// The address to listen on (0.0.0.0 in a container).
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// The host names (with port) the UI answers to, separated by commas,
    /// such as `localhost:3000,bank.example`. Requests for any other host
    /// are refused. By default: localhost, 127.0.0.1 and [::1] with PORT.
    #[arg(long, env = "ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    #[command(flatten)]
    metrics: MetricsOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_logging();
    let options = Options::parse();
    // The UI writes commands and nothing else: its handle on the store
    // refuses any other stream, and on Postgres writes through the function
    // its role is allowed (`write_command`).
    let store = layers::message_store(&options.message_store_url, 10)
        .await
        .context("connecting to the message store")?
        .restricted_to(Writes::OnlyCommands);
    let views = layers::view_database(&options.view_database_url, 10)
        .await
        .context("connecting to the view database")?;
    let shutdown = shutdown_on_signals();
    options
        .metrics
        .start(
            layers::METRICS_NAMESPACE,
            Some(web_ui::metrics::render),
            &shutdown,
        )
        .await
        .context("serving metrics")?;
    // The aggregator makes the views; until it has, every page would fail.
    // So the UI waits for them before it listens (and its port opens), and
    // says why once.
    if !views.are_installed().await {
        tracing::info!(
            version = views::SCHEMA_VERSION,
            "waiting for the aggregator to create the views"
        );
        while !views.are_installed().await {
            tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            }
        }
        tracing::info!("the views are there");
    }
    let hosts = if options.allowed_hosts.is_empty() {
        AllowedHosts::loopback(options.port)
    } else {
        AllowedHosts::listed(options.allowed_hosts)
    };
    let state = AppState {
        views: views::Views::new(&views),
        store,
        clock: Clock::system(),
        hosts,
        // The components run as processes of their own.
        components: web_ui::components::InProcess::default(),
    };
    let application = Application::bind(SocketAddr::new(options.host, options.port), state)
        .await
        .context("binding the port")?;
    tracing::info!("the bank's web UI is at http://{}", application.address()?);
    application.serve(shutdown).await?;
    Ok(())
}

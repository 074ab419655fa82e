//! `account-component`: the account component as a process.

use clap::Parser;
use messaging::Clock;

use bank::component_process::{ComponentOptions, run};

/// Runs the account component: reads `account:command` and
/// `accountTransaction` from the message store and writes account events.
#[derive(Debug, Parser)]
#[command(name = "account-component", version)]
struct Options {
    #[command(flatten)]
    component: ComponentOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    run(
        "account component",
        options.component,
        |consumers, store| {
            account_component::start(consumers, store, Clock::system());
        },
    )
    .await
}

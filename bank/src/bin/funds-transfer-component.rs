//! `funds-transfer-component`: the funds-transfer component as a process.

use clap::Parser;
use messaging::Clock;

use bank::component_process::{ComponentOptions, run};

/// Runs the funds-transfer component: reads `fundsTransfer:command`,
/// `fundsTransfer` and (correlated) `account`, and writes transfer events
/// and account commands.
#[derive(Debug, Parser)]
#[command(name = "funds-transfer-component", version)]
struct Options {
    #[command(flatten)]
    component: ComponentOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    run(
        "funds-transfer component",
        options.component,
        |consumers, store| {
            funds_transfer_component::start(consumers, store, Clock::system());
        },
    )
    .await
}

//! L9: the message inspector, for one account with a real history, in a
//! store of about a thousand messages and again after a million more. It
//! reads only streams it can name and follows causation from there (see
//! `web-ui/src/inspector.rs`), so its cost must not grow with the store.

use std::sync::Arc;
use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Open, Withdraw};
use benchmarks::BenchPostgres;
use messaging::controls::postgres::store_at;
use messaging::store::Writes;
use messaging::{Clock, Component, ComponentSettings, MessageStore, Time};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use views::ViewDatabase;
use web_ui::security::AllowedHosts;

use crate::aggregation;
use crate::report::Rung;
use crate::web::{load, serve_on};

/// The inspected account's deposits and withdrawals.
const TRANSACTIONS: usize = 40;

/// L9, with `events` filler messages in the large store.
pub async fn rungs(postgres: &BenchPostgres, events: usize) -> anyhow::Result<Vec<Rung>> {
    let url = postgres.create_database("ladder_inspector").await?;
    let store = store_at(&url).await;
    let account_id = history(&store).await?;
    let views_url = postgres.create_database("ladder_inspector_views").await?;
    let views = ViewDatabase::connect(&views_url, 4).await?;
    views.install().await?;
    aggregator::catch_up(&store, &views, 500).await?;

    // Filler accounts are numbered from far away, so their streams never
    // meet the ones written before.
    aggregation::prepare(&store, 10, 100, 1_000_000_000).await?;
    let (small, shown) = inspect(&store, &views, account_id).await?;
    let small_total = messages(&store).await?;
    let accounts = (events / 100).max(1) as i64;
    aggregation::prepare(&store, accounts, 100, 2_000_000_000).await?;
    let (large, shown_large) = inspect(&store, &views, account_id).await?;
    let large_total = messages(&store).await?;
    anyhow::ensure!(
        shown == shown_large,
        "the inspection showed {shown} messages, then {shown_large}"
    );
    Ok(vec![
        Rung::new(
            "L9",
            format!("the inspector, one account, in a store of {large_total} messages"),
            large,
            "requests/s",
        )
        .against(format!("the same in a store of {small_total}"), small)
        .target_ratio(0.5),
        Rung::new(
            "L9",
            format!(
                "  messages shown per inspection (at most {})",
                web_ui::inspector::MESSAGES_PER_INSPECTION
            ),
            shown as f64,
            "messages",
        ),
    ])
}

/// Opens an account and moves money in and out of it through the account
/// component, running in this process: a history with commands,
/// reservations and events, as the inspector meets them.
async fn history(store: &MessageStore) -> anyhow::Result<Uuid> {
    let account_id = Uuid::new_v4();
    let shutdown = CancellationToken::new();
    let mut component = Component::new(store.clone(), ComponentSettings::default(), &shutdown);
    account_component::start(&mut component, store.clone(), Clock::system());
    let running = tokio::spawn(component.run());
    let open = Open {
        account_id,
        customer_id: Uuid::new_v4(),
        holder_name: "Inspected".to_string(),
        time: Time::now(),
    };
    AccountCommand::open(&open)?.send(store).await?;
    for n in 0..TRANSACTIONS {
        let amount = Money::from_cents(100);
        let command = if n % 4 == 3 {
            AccountCommand::withdraw(&Withdraw {
                withdrawal_id: Uuid::new_v4(),
                account_id,
                amount,
                time: Time::now(),
                reference: None,
            })?
        } else {
            AccountCommand::deposit(&Deposit {
                deposit_id: Uuid::new_v4(),
                account_id,
                amount,
                time: Time::now(),
                reference: None,
            })?
        };
        command.send(store).await?;
    }
    let stream = account_component::streams::account_stream(account_id);
    let expected = i64::try_from(TRANSACTIONS)?;
    for _ in 0..600 {
        if store.stream_version(&stream).await? == Some(expected) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    running.await??;
    anyhow::ensure!(
        store.stream_version(&stream).await? == Some(expected),
        "the account component did not handle the account's history"
    );
    Ok(account_id)
}

/// The inspector page's requests per second, and how many messages it
/// shows.
async fn inspect(
    store: &MessageStore,
    views: &ViewDatabase,
    account_id: Uuid,
) -> anyhow::Result<(f64, usize)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let state = web_ui::AppState {
        views: views::Views::new(views),
        store: store.clone().restricted_to(Writes::OnlyCommands),
        clock: Clock::system(),
        hosts: AllowedHosts::listed(["bench"]),
        components: web_ui::components::InProcess::default(),
    };
    let shutdown = CancellationToken::new();
    let address = serve_on(listener, web_ui::app(state.clone()), shutdown.clone())?;
    let path = format!("/inspector?account={account_id}");
    let request = Arc::new(move |_| format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n"));
    let rate = load(address, request).await?;
    shutdown.cancel();
    let shown = web_ui::inspector::account(&state.store, account_id)
        .await?
        .len();
    Ok((rate, shown))
}

/// How many messages the store holds.
async fn messages(store: &MessageStore) -> anyhow::Result<i64> {
    let pool = benchmarks::postgres_pool(store)?;
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM message_store.messages")
            .fetch_one(&pool)
            .await?,
    )
}

//! Applying again, rebuilding, and the rebuild refused under a running
//! aggregator: the views are disposable and idempotent.

use std::time::Duration;

use aggregator::Settings;
use tokio_util::sync::CancellationToken;

use crate::support::*;

async fn applying_the_same_events_twice_or_in_overlapping_batches_changes_nothing(
    backend: Backend,
) {
    let Some((bank, _, _)) = busy_bank(backend).await else {
        return;
    };
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let once = snapshot(&bank.views).await;
    assert!(once["statement_lines"].len() > 10, "{once:#?}");

    // Everything again, from the start.
    sqlx::query("UPDATE aggregator_positions SET position = 0")
        .execute(bank.views.pool())
        .await
        .expect("rewound");
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    assert_eq!(snapshot(&bank.views).await, once);

    // Small batches, starting half way, as after a crash mid-way.
    sqlx::query("UPDATE aggregator_positions SET position = position / 2")
        .execute(bank.views.pool())
        .await
        .expect("rewound");
    aggregator::catch_up(&bank.store, &bank.views, 3)
        .await
        .expect("caught up");
    assert_eq!(snapshot(&bank.views).await, once);
}

async fn rebuilt_views_equal_the_live_views_row_for_row(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    // The live aggregator follows the components as they work.
    let shutdown = CancellationToken::new();
    let settings = Settings {
        poll_interval: Duration::from_millis(20),
        ..Settings::default()
    };
    let live = tokio::spawn(aggregator::run(
        bank.store.clone(),
        bank.views.clone(),
        settings,
        aggregator::Layers::default(),
        shutdown.clone(),
    ));
    let components = Components::start(&bank.store);
    let (_, transfers) = activity(&bank.store).await;
    wait_for_transfers(&bank.store, &transfers).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    components.stop().await;
    // Quiescent: the live views have caught up when a catch-up finds nothing.
    let read = bank.read();
    let mut caught_up = false;
    for _ in 0..500 {
        let pending = read.pending_commands(None).await.expect("read");
        let transfers_seen = read.recent_transfers(100).await.expect("read");
        if pending.is_empty()
            && transfers_seen.len() == transfers.len()
            && transfers_seen.iter().all(|t| t.status.has_ended())
        {
            caught_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(caught_up, "the live views never caught up");
    tokio::time::sleep(Duration::from_millis(300)).await;
    shutdown.cancel();
    live.await.expect("task").expect("stopped cleanly");
    let live_snapshot = snapshot(&bank.views).await;

    let (rebuilt, _file) = bank.other_views().await;
    aggregator::rebuild(&bank.store, &rebuilt, 500)
        .await
        .expect("rebuilt");
    assert_eq!(snapshot(&rebuilt).await, live_snapshot);

    // And in place: drop, replay, same rows.
    aggregator::rebuild(&bank.store, &bank.views, 7)
        .await
        .expect("rebuilt");
    assert_eq!(snapshot(&bank.views).await, live_snapshot);
}

async fn the_views_are_not_rebuilt_under_a_running_aggregator(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let shutdown = CancellationToken::new();
    let live = tokio::spawn(aggregator::run(
        bank.store.clone(),
        bank.views.clone(),
        Settings::default(),
        aggregator::Layers::default(),
        shutdown.clone(),
    ));
    // Once it has said it is there (within a second of starting, or a few
    // on a busy machine), a rebuild refuses.
    let mut announced = false;
    for _ in 0..300 {
        let running = views::presence::running(bank.views.pool()).await;
        if running.is_ok_and(|running| !running.is_empty()) {
            announced = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(announced, "the aggregator never said it was running");
    let refused = match aggregator::rebuild(&bank.store, &bank.views, 500).await {
        Err(error @ aggregator::AggregatorError::ViewsInUse { .. }) => error,
        other => panic!("the rebuild went ahead under a running aggregator: {other:?}"),
    };
    assert!(
        refused.to_string().contains("stop it before rebuilding"),
        "{refused}"
    );

    shutdown.cancel();
    live.await.expect("task").expect("stopped cleanly");
    aggregator::rebuild(&bank.store, &bank.views, 500)
        .await
        .expect("rebuilt once the aggregator stopped");
}

crate::support::on_both!(
    applying_the_same_events_twice_or_in_overlapping_batches_changes_nothing,
    rebuilt_views_equal_the_live_views_row_for_row,
    the_views_are_not_rebuilt_under_a_running_aggregator
);

//! `Close` arriving at the commands handler.

use account_component::controls::{self, store::arriving, store::given_history};
use account_component::messages::Reason;
use account_component::messages::events::{CloseRejected, Closed};
use account_component::{Money, streams};
use messaging::{ExpectedVersion, Handler};

use crate::support::{commands, only_write, store, writes};

async fn close_arriving(store: &messaging::MessageStore) -> messaging::StoredMessage {
    arriving(
        store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::close(),
    )
    .await
}

#[tokio::test]
async fn closing_an_account_with_a_zero_balance_records_it_as_closed() {
    let store = store();
    given_history(&store, &controls::history::open_with_balance(Money::ZERO)).await;
    let close = close_arriving(&store).await;

    commands(&store).handle(&close).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::account_stream(controls::id::account())
    );
    let closed: Closed = write.messages[0].decode().expect("a Closed event");
    assert_eq!(closed.sequence, close.global_position);
}

#[tokio::test]
async fn closed_is_written_at_the_version_the_account_was_fetched_at() {
    let store = store();
    given_history(&store, &controls::history::open_with_balance(Money::ZERO)).await;
    let close = close_arriving(&store).await;

    commands(&store).handle(&close).await.expect("handled");

    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::Exactly(0)
    );
}

#[tokio::test]
async fn closing_an_account_with_money_in_it_is_rejected_because_the_balance_is_not_zero() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let close = close_arriving(&store).await;

    commands(&store).handle(&close).await.expect("handled");

    let rejected: CloseRejected = only_write(&store).messages[0]
        .decode()
        .expect("CloseRejected");
    assert_eq!(rejected.reason, Reason::BalanceNotZero);
}

#[tokio::test]
async fn closing_an_account_that_was_never_opened_is_rejected_because_it_is_not_open() {
    let store = store();
    let close = close_arriving(&store).await;

    commands(&store).handle(&close).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(write.expected_version, ExpectedVersion::INITIAL);
    let rejected: CloseRejected = write.messages[0].decode().expect("CloseRejected");
    assert_eq!(rejected.reason, Reason::AccountNotOpen);
}

#[tokio::test]
async fn closing_a_closed_account_is_ignored() {
    let store = store();
    given_history(&store, &controls::history::closed()).await;
    let close = close_arriving(&store).await;

    commands(&store).handle(&close).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_close_rejected_already_is_ignored_when_it_arrives_again() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let close = close_arriving(&store).await;
    commands(&store).handle(&close).await.expect("handled");
    store.as_memory().expect("memory").clear_writes();

    commands(&store)
        .handle(&close)
        .await
        .expect("handled again");

    assert!(writes(&store).is_empty());
}

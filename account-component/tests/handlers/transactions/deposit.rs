//! A reserved `Deposit` arriving at the transactions handler.

use account_component::controls::{self, store::arriving, store::given_history};
use account_component::messages::Reason;
use account_component::messages::commands::Deposit;
use account_component::messages::events::{DepositRejected, Deposited};
use account_component::{Money, streams};
use messaging::{ExpectedVersion, Handler, MessageStore, StoredMessage};

use crate::support::{only_write, store, transactions, writes};

async fn reserved(store: &MessageStore, deposit: &Deposit) -> StoredMessage {
    let stream = streams::transaction_stream(deposit.account_id, deposit.deposit_id);
    arriving(store, &stream, deposit).await
}

#[tokio::test]
async fn a_deposit_into_an_open_account_is_recorded_as_deposited() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let deposit = reserved(&store, &controls::commands::deposit()).await;

    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::account_stream(controls::id::account())
    );
    let deposited: Deposited = write.messages[0].decode().expect("a Deposited event");
    assert_eq!(deposited.deposit_id, controls::id::deposit());
    assert_eq!(deposited.amount, controls::money::amount());
    assert_eq!(deposited.time, controls::time::example());
    assert_eq!(deposited.processed_time, controls::time::processed());
}

#[tokio::test]
async fn deposited_is_written_at_the_version_the_account_was_fetched_at() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let deposit = reserved(&store, &controls::commands::deposit()).await;

    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");

    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::Exactly(1)
    );
}

#[tokio::test]
async fn deposited_carries_the_reservations_global_position_as_its_sequence() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let deposit = reserved(&store, &controls::commands::deposit()).await;

    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");

    let deposited: Deposited = only_write(&store).messages[0].decode().expect("Deposited");
    assert_eq!(deposited.sequence, deposit.global_position);
}

#[tokio::test]
async fn deposited_follows_the_reserved_deposit() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let deposit = reserved(&store, &controls::commands::deposit()).await;

    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");

    let metadata = &only_write(&store).messages[0].metadata;
    assert_eq!(
        metadata.causation_message_stream_name.as_deref(),
        Some(deposit.stream_name.as_str())
    );
    assert_eq!(metadata.causation_message_position, Some(deposit.position));
}

#[tokio::test]
async fn a_deposit_processed_already_is_ignored() {
    let store = store();
    let mut history = controls::history::open();
    // A later transaction (sequence 100) was processed, so every sequence up
    // to it has been: transactions reach the account in order.
    history.push(controls::history::message(&controls::events::deposited(
        controls::id::account(),
        Money::from_cents(1),
        100,
    )));
    given_history(&store, &history).await;
    let deposit = reserved(&store, &controls::commands::deposit()).await;
    assert!(deposit.global_position < 100);

    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");

    assert!(writes(&store).is_empty());
}

async fn rejection_reason(history: Vec<messaging::NewMessage>, deposit: Deposit) -> Reason {
    let store = store();
    given_history(&store, &history).await;
    let deposit = reserved(&store, &deposit).await;
    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");
    let rejected: DepositRejected = only_write(&store).messages[0]
        .decode()
        .expect("DepositRejected");
    assert_eq!(rejected.sequence, deposit.global_position);
    rejected.reason
}

#[tokio::test]
async fn a_deposit_into_an_account_never_opened_is_rejected_as_not_open() {
    let reason = rejection_reason(vec![], controls::commands::deposit()).await;
    assert_eq!(reason, Reason::AccountNotOpen);
}

#[tokio::test]
async fn a_deposit_into_a_closed_account_is_rejected_as_closed() {
    let reason = rejection_reason(controls::history::closed(), controls::commands::deposit()).await;
    assert_eq!(reason, Reason::AccountClosed);
}

#[tokio::test]
async fn a_deposit_of_zero_is_rejected_as_an_invalid_amount() {
    let deposit = Deposit {
        amount: Money::ZERO,
        ..controls::commands::deposit()
    };
    let reason = rejection_reason(controls::history::open(), deposit).await;
    assert_eq!(reason, Reason::InvalidAmount);
}

#[tokio::test]
async fn a_negative_deposit_is_rejected_as_an_invalid_amount() {
    let deposit = Deposit {
        amount: Money::from_cents(-500),
        ..controls::commands::deposit()
    };
    let reason = rejection_reason(controls::history::open(), deposit).await;
    assert_eq!(reason, Reason::InvalidAmount);
}

#[tokio::test]
async fn a_deposit_that_would_overflow_the_balance_is_rejected() {
    let deposit = Deposit {
        amount: Money::MAX,
        ..controls::commands::deposit()
    };
    let reason = rejection_reason(controls::history::open(), deposit).await;
    assert_eq!(reason, Reason::BalanceLimitExceeded);
}

#[tokio::test]
async fn a_handler_with_a_stale_cache_decides_on_the_latest_version() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let deposit = reserved(&store, &controls::commands::deposit()).await;
    let handler = transactions(&store);
    // Warm the handler's cache, then slip an event in behind its back.
    handler.handle(&deposit).await.expect("handled");
    store.as_memory().expect("memory").clear_writes();
    let stale = reserved(
        &store,
        &Deposit {
            deposit_id: uuid::Uuid::new_v4(),
            ..controls::commands::deposit()
        },
    )
    .await;
    let account = streams::account_stream(controls::id::account());
    let intruder = controls::history::message(&controls::events::deposited(
        controls::id::account(),
        Money::from_cents(1),
        1,
    ));
    store
        .write_message(&account, &intruder, ExpectedVersion::Any)
        .await
        .expect("written");
    store.as_memory().expect("memory").clear_writes();

    // The same handler, its cache now behind the stream: the fetch reads
    // past the cache, so the decision is made on the latest version and
    // succeeds. (A fetch that trusted its cache would write at version 2,
    // be refused, and fail here.)
    handler
        .handle(&stale)
        .await
        .expect("handled on fresh state");
    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::Exactly(3)
    );
}

/// The reference a customer wrote is carried to the event, so the
/// statement can show it: on a deposit made, and on one refused.
#[tokio::test]
async fn a_deposits_reference_is_carried_to_its_event_made_or_refused() {
    let with_reference = Deposit {
        reference: Some("Rent, May".to_string()),
        ..controls::commands::deposit()
    };

    let store = store();
    given_history(&store, &controls::history::open()).await;
    let deposit = reserved(&store, &with_reference).await;
    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");
    let deposited: Deposited = only_write(&store).messages[0].decode().expect("Deposited");
    assert_eq!(deposited.reference.as_deref(), Some("Rent, May"));

    let store = self::store();
    let deposit = reserved(&store, &with_reference).await;
    transactions(&store)
        .handle(&deposit)
        .await
        .expect("handled");
    let refused: DepositRejected = only_write(&store).messages[0].decode().expect("refused");
    assert_eq!(refused.reason, Reason::AccountNotOpen);
    assert_eq!(refused.reference.as_deref(), Some("Rent, May"));
}

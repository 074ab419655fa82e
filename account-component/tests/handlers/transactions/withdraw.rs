//! A reserved `Withdraw` arriving at the transactions handler.

use account_component::controls::{self, store::arriving, store::given_history};
use account_component::messages::Reason;
use account_component::messages::commands::Withdraw;
use account_component::messages::events::{WithdrawalRejected, Withdrawn};
use account_component::{Money, streams};
use messaging::{ExpectedVersion, Handler, MessageStore, StoredMessage};

use crate::support::{only_write, store, transactions, writes};

async fn reserved(store: &MessageStore, withdraw: &Withdraw) -> StoredMessage {
    let stream = streams::transaction_stream(withdraw.account_id, withdraw.withdrawal_id);
    arriving(store, &stream, withdraw).await
}

#[tokio::test]
async fn a_withdrawal_within_the_balance_is_recorded_as_withdrawn() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let withdraw = reserved(&store, &controls::commands::withdraw()).await;

    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::account_stream(controls::id::account())
    );
    let withdrawn: Withdrawn = write.messages[0].decode().expect("a Withdrawn event");
    assert_eq!(withdrawn.withdrawal_id, controls::id::withdrawal());
    assert_eq!(withdrawn.amount, controls::money::amount());
    assert_eq!(withdrawn.sequence, withdraw.global_position);
}

#[tokio::test]
async fn withdrawn_is_written_at_the_version_the_account_was_fetched_at() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let withdraw = reserved(&store, &controls::commands::withdraw()).await;

    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");

    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::Exactly(1)
    );
}

#[tokio::test]
async fn the_whole_balance_can_be_withdrawn() {
    let store = store();
    given_history(
        &store,
        &controls::history::open_with_balance(controls::money::amount()),
    )
    .await;
    let withdraw = reserved(&store, &controls::commands::withdraw()).await;

    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");

    assert!(only_write(&store).messages[0].decode::<Withdrawn>().is_ok());
}

#[tokio::test]
async fn a_withdrawal_processed_already_is_ignored() {
    let store = store();
    let mut history = controls::history::open();
    history.push(controls::history::message(&controls::events::withdrawn(
        controls::id::account(),
        Money::from_cents(1),
        100,
    )));
    given_history(&store, &history).await;
    let withdraw = reserved(&store, &controls::commands::withdraw()).await;

    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");

    assert!(writes(&store).is_empty());
}

async fn rejection_reason(history: Vec<messaging::NewMessage>, withdraw: Withdraw) -> Reason {
    let store = store();
    given_history(&store, &history).await;
    let withdraw = reserved(&store, &withdraw).await;
    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");
    let rejected: WithdrawalRejected = only_write(&store).messages[0]
        .decode()
        .expect("WithdrawalRejected");
    assert_eq!(rejected.sequence, withdraw.global_position);
    rejected.reason
}

#[tokio::test]
async fn a_withdrawal_larger_than_the_balance_is_rejected_for_insufficient_funds() {
    let withdraw = Withdraw {
        amount: Money::from_cents(10_001),
        ..controls::commands::withdraw()
    };
    let reason = rejection_reason(controls::history::open(), withdraw).await;
    assert_eq!(reason, Reason::InsufficientFunds);
}

#[tokio::test]
async fn a_withdrawal_from_an_account_never_opened_is_rejected_as_not_open() {
    let reason = rejection_reason(vec![], controls::commands::withdraw()).await;
    assert_eq!(reason, Reason::AccountNotOpen);
}

#[tokio::test]
async fn a_withdrawal_from_a_closed_account_is_rejected_as_closed() {
    let reason =
        rejection_reason(controls::history::closed(), controls::commands::withdraw()).await;
    assert_eq!(reason, Reason::AccountClosed);
}

#[tokio::test]
async fn a_withdrawal_of_zero_is_rejected_as_an_invalid_amount() {
    let withdraw = Withdraw {
        amount: Money::ZERO,
        ..controls::commands::withdraw()
    };
    let reason = rejection_reason(controls::history::open(), withdraw).await;
    assert_eq!(reason, Reason::InvalidAmount);
}

/// The reference a customer wrote is carried to the event, so the
/// statement can show it: on a withdrawal made, and on one refused.
#[tokio::test]
async fn a_withdrawals_reference_is_carried_to_its_event_made_or_refused() {
    let with_reference = Withdraw {
        reference: Some("Groceries".to_string()),
        ..controls::commands::withdraw()
    };

    let store = store();
    given_history(&store, &controls::history::open()).await;
    let withdraw = reserved(&store, &with_reference).await;
    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");
    let withdrawn: Withdrawn = only_write(&store).messages[0].decode().expect("Withdrawn");
    assert_eq!(withdrawn.reference.as_deref(), Some("Groceries"));

    let store = self::store();
    let withdraw = reserved(&store, &with_reference).await;
    transactions(&store)
        .handle(&withdraw)
        .await
        .expect("handled");
    let refused: WithdrawalRejected = only_write(&store).messages[0].decode().expect("refused");
    assert_eq!(refused.reason, Reason::AccountNotOpen);
    assert_eq!(refused.reference.as_deref(), Some("Groceries"));
}

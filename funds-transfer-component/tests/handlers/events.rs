//! The transfer's own events arriving at the events handler, which sends
//! the accounts their commands.

use account_component::messages::commands::{Deposit, Withdraw};
use account_component::streams as account_streams;
use funds_transfer_component::controls::{self, store::arriving};
use funds_transfer_component::streams;
use messaging::{Handler, MessageStore, NewMessage, StoredMessage};

use crate::support::{events, given_transfer, message, only_write, store, writes};

/// The transfer's history, then `last` arriving as the newest event.
async fn after<M: messaging::Message>(
    store: &MessageStore,
    history: &[NewMessage],
    last: &M,
) -> StoredMessage {
    given_transfer(store, history).await;
    arriving(
        store,
        &streams::transfer_stream(controls::id::transfer()),
        last,
    )
    .await
}

#[tokio::test]
async fn initiated_asks_the_source_account_to_withdraw_the_amount() {
    let store = store();
    let initiated = after(&store, &[], &controls::events::initiated()).await;

    events(&store).handle(&initiated).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        account_streams::command_stream(controls::id::source_account())
    );
    let withdraw: Withdraw = write.messages[0].decode().expect("Withdraw");
    assert_eq!(withdraw.withdrawal_id, controls::id::withdrawal());
    assert_eq!(withdraw.amount, controls::money::amount());
}

#[tokio::test]
async fn the_withdraw_command_is_correlated_with_the_transfer_and_follows_initiated() {
    let store = store();
    let initiated = after(&store, &[], &controls::events::initiated()).await;

    events(&store).handle(&initiated).await.expect("handled");

    let metadata = &only_write(&store).messages[0].metadata;
    let transfer_stream = streams::transfer_stream(controls::id::transfer()).to_string();
    assert_eq!(
        metadata.correlation_stream_name.as_deref(),
        Some(transfer_stream.as_str())
    );
    assert_eq!(
        metadata.causation_message_global_position,
        Some(initiated.global_position)
    );
}

#[tokio::test]
async fn initiated_arriving_again_once_the_withdrawal_is_answered_sends_nothing() {
    let store = store();
    let history = [
        message(&controls::events::initiated()),
        message(&controls::events::withdrawn()),
    ];
    given_transfer(&store, &history).await;
    let initiated = store
        .read_stream(&streams::transfer_stream(controls::id::transfer()), 0, 1)
        .await
        .expect("read")
        .remove(0);

    events(&store).handle(&initiated).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn withdrawn_asks_the_destination_account_to_deposit_the_amount() {
    let store = store();
    let withdrawn = after(
        &store,
        &[message(&controls::events::initiated())],
        &controls::events::withdrawn(),
    )
    .await;

    events(&store).handle(&withdrawn).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        account_streams::command_stream(controls::id::destination_account())
    );
    let deposit: Deposit = write.messages[0].decode().expect("Deposit");
    assert_eq!(deposit.deposit_id, controls::id::deposit());
    assert_eq!(deposit.amount, controls::money::amount());
}

#[tokio::test]
async fn deposit_rejected_asks_the_source_account_for_a_refund() {
    let store = store();
    let history = [
        message(&controls::events::initiated()),
        message(&controls::events::withdrawn()),
    ];
    let rejected = after(&store, &history, &controls::events::deposit_rejected()).await;

    events(&store).handle(&rejected).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        account_streams::command_stream(controls::id::source_account())
    );
    let refund: Deposit = write.messages[0].decode().expect("Deposit");
    assert_eq!(refund.deposit_id, controls::id::refund());
    assert_eq!(refund.account_id, controls::id::source_account());
}

#[tokio::test]
async fn the_same_command_is_sent_again_with_the_same_ids_if_its_event_arrives_again_unanswered() {
    let store = store();
    let initiated = after(&store, &[], &controls::events::initiated()).await;
    events(&store).handle(&initiated).await.expect("handled");
    events(&store)
        .handle(&initiated)
        .await
        .expect("handled again");

    let sent: Vec<Withdraw> = writes(&store)
        .iter()
        .map(|write| write.messages[0].decode().expect("Withdraw"))
        .collect();
    // Harmless: the account reserves the withdrawal id once.
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].withdrawal_id, sent[1].withdrawal_id);
}

/// The transfer's reference goes with every command it sends: the
/// withdrawal, the deposit and the refund, so that both statements show it.
#[tokio::test]
async fn every_step_carries_the_transfers_reference() {
    let initiated = funds_transfer_component::messages::events::Initiated {
        reference: Some("Dinner".to_string()),
        ..controls::events::initiated()
    };

    let store = store();
    let arrived = after(&store, &[], &initiated).await;
    events(&store).handle(&arrived).await.expect("handled");
    let withdraw: Withdraw = only_write(&store).messages[0].decode().expect("Withdraw");
    assert_eq!(withdraw.reference.as_deref(), Some("Dinner"));

    let store = self::store();
    let history = [message(&initiated)];
    let arrived = after(&store, &history, &controls::events::withdrawn()).await;
    events(&store).handle(&arrived).await.expect("handled");
    let deposit: Deposit = only_write(&store).messages[0].decode().expect("Deposit");
    assert_eq!(deposit.reference.as_deref(), Some("Dinner"));

    let store = self::store();
    let history = [message(&initiated), message(&controls::events::withdrawn())];
    let arrived = after(&store, &history, &controls::events::deposit_rejected()).await;
    events(&store).handle(&arrived).await.expect("handled");
    let refund: Deposit = only_write(&store).messages[0].decode().expect("Deposit");
    assert_eq!(refund.deposit_id, controls::id::refund());
    assert_eq!(refund.reference.as_deref(), Some("Dinner"));
}

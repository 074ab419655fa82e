//! The accounts' answers arriving at the account events handler.

use account_component::messages::Reason;
use funds_transfer_component::controls::events::answers;
use funds_transfer_component::controls::{self, store::given};
use funds_transfer_component::messages::events::{
    Cancelled, DepositRejected, Deposited, RefundRejected, Reversed, Transferred, Withdrawn,
};
use funds_transfer_component::streams;
use messaging::{ExpectedVersion, Handler, HandlerError, MessageStore, NewMessage, StoredMessage};
use uuid::Uuid;

use crate::support::{account_events, given_transfer, message, only_write, store, writes};

/// The transfer's history, then an account's answer arriving.
async fn answer(
    store: &MessageStore,
    history: &[NewMessage],
    account_id: Uuid,
    event: NewMessage,
) -> StoredMessage {
    given_transfer(store, history).await;
    given(store, &answers::stream(account_id), &[event]).await;
    store
        .read_last(&answers::stream(account_id), None)
        .await
        .expect("read")
        .expect("written")
}

fn initiated() -> NewMessage {
    message(&controls::events::initiated())
}

fn withdrawn() -> NewMessage {
    message(&controls::events::withdrawn())
}

#[tokio::test]
async fn the_source_accounts_withdrawal_is_recorded_as_withdrawn() {
    let store = store();
    let event = answer(
        &store,
        &[initiated()],
        controls::id::source_account(),
        answers::correlated(&answers::withdrawn()),
    )
    .await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::transfer_stream(controls::id::transfer())
    );
    assert_eq!(write.expected_version, ExpectedVersion::Exactly(0));
    let withdrawn: Withdrawn = write.messages[0].decode().expect("Withdrawn");
    assert_eq!(withdrawn.withdrawal_id, controls::id::withdrawal());
}

#[tokio::test]
async fn a_refused_withdrawal_cancels_the_transfer_with_the_accounts_reason() {
    let store = store();
    let refusal = answers::correlated(&answers::withdrawal_rejected(Reason::InsufficientFunds));
    let event = answer(
        &store,
        &[initiated()],
        controls::id::source_account(),
        refusal,
    )
    .await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    let cancelled: Cancelled = only_write(&store).messages[0].decode().expect("Cancelled");
    assert_eq!(cancelled.reason, Reason::InsufficientFunds);
}

#[tokio::test]
async fn the_destinations_deposit_records_deposited_and_transferred_in_one_write() {
    let store = store();
    let deposited = answers::correlated(&answers::deposited(
        controls::id::deposit(),
        controls::id::destination_account(),
    ));
    let event = answer(
        &store,
        &[initiated(), withdrawn()],
        controls::id::destination_account(),
        deposited,
    )
    .await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    let write = only_write(&store);
    assert_eq!(write.expected_version, ExpectedVersion::Exactly(1));
    assert_eq!(write.messages.len(), 2);
    assert!(write.messages[0].decode::<Deposited>().is_ok());
    assert!(write.messages[1].decode::<Transferred>().is_ok());
}

#[tokio::test]
async fn the_destinations_refusal_is_recorded_so_the_money_is_refunded() {
    let store = store();
    let refusal = answers::correlated(&answers::deposit_rejected(
        controls::id::deposit(),
        controls::id::destination_account(),
    ));
    let event = answer(
        &store,
        &[initiated(), withdrawn()],
        controls::id::destination_account(),
        refusal,
    )
    .await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    let rejected: DepositRejected = only_write(&store).messages[0]
        .decode()
        .expect("DepositRejected");
    assert_eq!(rejected.reason, Reason::AccountClosed);
}

#[tokio::test]
async fn the_refund_deposited_at_the_source_reverses_the_transfer() {
    let store = store();
    let history = [
        initiated(),
        withdrawn(),
        message(&controls::events::deposit_rejected()),
    ];
    let refunded = answers::correlated(&answers::deposited(
        controls::id::refund(),
        controls::id::source_account(),
    ));
    let event = answer(&store, &history, controls::id::source_account(), refunded).await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    let reversed: Reversed = only_write(&store).messages[0].decode().expect("Reversed");
    assert_eq!(reversed.refund_id, controls::id::refund());
    assert_eq!(reversed.reason, Reason::AccountClosed);
}

#[tokio::test]
async fn a_refused_refund_is_recorded_and_the_money_held() {
    let store = store();
    let history = [
        initiated(),
        withdrawn(),
        message(&controls::events::deposit_rejected()),
    ];
    let refusal = answers::correlated(&answers::deposit_rejected(
        controls::id::refund(),
        controls::id::source_account(),
    ));
    let event = answer(&store, &history, controls::id::source_account(), refusal).await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    let held: RefundRejected = only_write(&store).messages[0]
        .decode()
        .expect("RefundRejected");
    assert_eq!(held.amount, controls::money::amount());
}

#[tokio::test]
async fn each_answer_arriving_again_is_ignored() {
    let cases = [
        (
            vec![initiated(), withdrawn()],
            controls::id::source_account(),
            answers::correlated(&answers::withdrawn()),
        ),
        (
            vec![
                initiated(),
                withdrawn(),
                message(&controls::events::deposit_rejected()),
            ],
            controls::id::destination_account(),
            answers::correlated(&answers::deposit_rejected(
                controls::id::deposit(),
                controls::id::destination_account(),
            )),
        ),
    ];
    for (history, account_id, event) in cases {
        let store = store();
        let event = answer(&store, &history, account_id, event).await;

        account_events(&store)
            .handle(&event)
            .await
            .expect("handled");

        assert!(writes(&store).is_empty(), "{}", event.message_type);
    }
}

#[tokio::test]
async fn a_deposit_arriving_again_after_the_transfer_completed_is_ignored() {
    let store = store();
    let deposited = answers::correlated(&answers::deposited(
        controls::id::deposit(),
        controls::id::destination_account(),
    ));
    let event = answer(
        &store,
        &[initiated(), withdrawn()],
        controls::id::destination_account(),
        deposited,
    )
    .await;
    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");
    store.as_memory().expect("memory").clear_writes();

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled again");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn an_account_event_of_no_transfer_is_ignored() {
    let store = store();
    let uncorrelated = message(&answers::withdrawn());
    let event = answer(
        &store,
        &[initiated()],
        controls::id::source_account(),
        uncorrelated,
    )
    .await;

    account_events(&store)
        .handle(&event)
        .await
        .expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn an_answer_with_an_id_the_transfer_never_fixed_cannot_be_handled() {
    let store = store();
    let stranger = account_component::messages::events::Withdrawn {
        withdrawal_id: Uuid::new_v4(),
        ..answers::withdrawn()
    };
    let event = answer(
        &store,
        &[initiated()],
        controls::id::source_account(),
        answers::correlated(&stranger),
    )
    .await;

    let error = account_events(&store)
        .handle(&event)
        .await
        .expect_err("not this transfer's");

    assert!(matches!(error, HandlerError::Message(_)), "{error:?}");
    assert!(writes(&store).is_empty());
}

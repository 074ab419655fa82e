//! `Withdraw` arriving at the commands handler: the reservation.

use account_component::controls::{self, store::arriving, store::given};
use account_component::messages::Reason;
use account_component::messages::commands::Withdraw;
use account_component::messages::events::WithdrawalRejected;
use account_component::streams;
use messaging::{ExpectedVersion, Handler};

use crate::support::{commands, only_write, store, writes};

fn reservation_stream() -> messaging::StreamName {
    streams::transaction_stream(controls::id::account(), controls::id::withdrawal())
}

#[tokio::test]
async fn a_withdrawal_is_copied_into_its_reservation_stream() {
    let store = store();
    let withdraw = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::withdraw(),
    )
    .await;

    commands(&store).handle(&withdraw).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(write.stream_name, reservation_stream());
    assert_eq!(write.expected_version, ExpectedVersion::INITIAL);
    assert_eq!(
        write.messages[0].decode::<Withdraw>().expect("a Withdraw"),
        controls::commands::withdraw()
    );
}

#[tokio::test]
async fn a_withdrawal_reserved_already_is_ignored() {
    let store = store();
    given(
        &store,
        &reservation_stream(),
        &[controls::history::message(&controls::commands::withdraw())],
    )
    .await;
    let withdraw = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::withdraw(),
    )
    .await;

    commands(&store).handle(&withdraw).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_withdrawal_whose_id_another_amount_reserved_is_rejected_as_an_id_in_use() {
    let store = store();
    let other = Withdraw {
        amount: account_component::Money::from_cents(1),
        ..controls::commands::withdraw()
    };
    given(
        &store,
        &reservation_stream(),
        &[controls::history::message(&other)],
    )
    .await;
    let withdraw = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::withdraw(),
    )
    .await;

    commands(&store).handle(&withdraw).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::account_stream(controls::id::account())
    );
    let rejected: WithdrawalRejected = write.messages[0].decode().expect("a WithdrawalRejected");
    assert_eq!(rejected.reason, Reason::TransactionIdInUse);
    assert_eq!(rejected.withdrawal_id, controls::id::withdrawal());
    assert_eq!(rejected.sequence, withdraw.global_position);
}

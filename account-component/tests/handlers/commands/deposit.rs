//! `Deposit` arriving at the commands handler: the reservation.

use account_component::controls::{self, store::arriving, store::given, store::given_history};
use account_component::messages::Reason;
use account_component::messages::commands::{Deposit, Withdraw};
use account_component::messages::events::DepositRejected;
use account_component::streams;
use messaging::{ExpectedVersion, Handler, HandlerError, Metadata, NewMessage};

use crate::support::{commands, only_write, store, writes};

fn reservation_stream() -> messaging::StreamName {
    streams::transaction_stream(controls::id::account(), controls::id::deposit())
}

#[tokio::test]
async fn a_deposit_is_copied_into_its_reservation_stream() {
    let store = store();
    let deposit = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::deposit(),
    )
    .await;

    commands(&store).handle(&deposit).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(write.stream_name, reservation_stream());
    assert_eq!(
        write.messages[0].decode::<Deposit>().expect("a Deposit"),
        controls::commands::deposit()
    );
}

#[tokio::test]
async fn the_reservation_is_written_only_if_the_stream_is_new() {
    let store = store();
    let deposit = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::deposit(),
    )
    .await;

    commands(&store).handle(&deposit).await.expect("handled");

    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::INITIAL
    );
}

#[tokio::test]
async fn the_reservation_follows_the_command_and_keeps_its_correlation() {
    let store = store();
    let command = NewMessage::new(&controls::commands::deposit())
        .expect("encodes")
        .correlated_with(&messaging::StreamName::from_stored("fundsTransfer-7"));
    given(
        &store,
        &streams::command_stream(controls::id::account()),
        &[command],
    )
    .await;
    let deposit = store
        .read_last(&streams::command_stream(controls::id::account()), None)
        .await
        .expect("read")
        .expect("written");

    commands(&store).handle(&deposit).await.expect("handled");

    let metadata: &Metadata = &only_write(&store).messages[0].metadata;
    assert_eq!(
        metadata.causation_message_global_position,
        Some(deposit.global_position)
    );
    assert_eq!(
        metadata.correlation_stream_name.as_deref(),
        Some("fundsTransfer-7")
    );
}

#[tokio::test]
async fn a_deposit_reserved_already_is_ignored() {
    let store = store();
    given(
        &store,
        &reservation_stream(),
        &[controls::history::message(&controls::commands::deposit())],
    )
    .await;
    let deposit = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::deposit(),
    )
    .await;

    commands(&store).handle(&deposit).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_deposit_whose_data_does_not_parse_cannot_be_handled() {
    let store = store();
    let garbled = NewMessage {
        id: uuid::Uuid::new_v4(),
        message_type: "Deposit".into(),
        data: r#"{"depositId": "not a uuid"}"#.into(),
        metadata: Metadata::default(),
    };
    given(
        &store,
        &streams::command_stream(controls::id::account()),
        &[garbled],
    )
    .await;
    let deposit = store
        .read_last(&streams::command_stream(controls::id::account()), None)
        .await
        .expect("read")
        .expect("written");

    let error = commands(&store)
        .handle(&deposit)
        .await
        .expect_err("garbled");

    assert!(matches!(error, HandlerError::Message(_)), "{error:?}");
    assert!(writes(&store).is_empty());
}

/// The example deposit's reservation, made by `reserved` (a deposit or a
/// withdrawal under the deposit's id), and the example deposit arriving,
/// with `correlation` if given.
async fn arriving_after_a_reservation<M: messaging::Message>(
    store: &messaging::MessageStore,
    reserved: &M,
    correlation: Option<&str>,
) -> messaging::StoredMessage {
    given(
        store,
        &reservation_stream(),
        &[controls::history::message(reserved)],
    )
    .await;
    let mut command = NewMessage::new(&controls::commands::deposit()).expect("encodes");
    if let Some(correlation) = correlation {
        command = command.correlated_with(&messaging::StreamName::from_stored(correlation));
    }
    let commands = streams::command_stream(controls::id::account());
    given(store, &commands, &[command]).await;
    store
        .read_last(&commands, None)
        .await
        .expect("read")
        .expect("written")
}

/// The handler's only write, as a `DepositRejected`.
fn only_rejection(store: &messaging::MessageStore) -> DepositRejected {
    let write = only_write(store);
    assert_eq!(
        write.stream_name,
        streams::account_stream(controls::id::account())
    );
    write.messages[0]
        .decode::<DepositRejected>()
        .expect("a DepositRejected")
}

#[tokio::test]
async fn the_same_deposit_sent_again_at_another_time_is_ignored() {
    let store = store();
    let earlier = Deposit {
        time: messaging::Time::parse("2020-01-01T00:00:00.000Z").expect("a time"),
        ..controls::commands::deposit()
    };
    let deposit = arriving_after_a_reservation(&store, &earlier, None).await;

    commands(&store).handle(&deposit).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_deposit_whose_id_another_amount_reserved_is_rejected_as_an_id_in_use() {
    let store = store();
    let other = Deposit {
        amount: account_component::Money::from_cents(1),
        ..controls::commands::deposit()
    };
    let deposit = arriving_after_a_reservation(&store, &other, None).await;

    commands(&store).handle(&deposit).await.expect("handled");

    let rejected = only_rejection(&store);
    assert_eq!(rejected.reason, Reason::TransactionIdInUse);
    assert_eq!(rejected.amount, controls::commands::deposit().amount);
}

#[tokio::test]
async fn a_deposit_whose_id_a_withdrawal_reserved_is_rejected_as_an_id_in_use() {
    let store = store();
    let withdrawal = Withdraw {
        withdrawal_id: controls::id::deposit(),
        ..controls::commands::withdraw()
    };
    let deposit = arriving_after_a_reservation(&store, &withdrawal, None).await;

    commands(&store).handle(&deposit).await.expect("handled");

    assert_eq!(only_rejection(&store).reason, Reason::TransactionIdInUse);
}

#[tokio::test]
async fn a_deposit_whose_id_was_reserved_for_another_process_is_rejected_as_an_id_in_use() {
    let store = store();
    let deposit = arriving_after_a_reservation(
        &store,
        &controls::commands::deposit(),
        Some("fundsTransfer-7"),
    )
    .await;

    commands(&store).handle(&deposit).await.expect("handled");

    assert_eq!(only_rejection(&store).reason, Reason::TransactionIdInUse);
}

#[tokio::test]
async fn the_refusal_of_an_id_in_use_answers_the_command_and_keeps_its_correlation() {
    let store = store();
    let other = Deposit {
        amount: account_component::Money::from_cents(1),
        ..controls::commands::deposit()
    };
    let deposit = arriving_after_a_reservation(&store, &other, Some("fundsTransfer-7")).await;

    commands(&store).handle(&deposit).await.expect("handled");

    let write = only_write(&store);
    let rejected: DepositRejected = write.messages[0].decode().expect("a DepositRejected");
    assert_eq!(rejected.sequence, deposit.global_position);
    assert_eq!(
        write.messages[0]
            .metadata
            .correlation_stream_name
            .as_deref(),
        Some("fundsTransfer-7")
    );
    assert_eq!(
        write.messages[0].metadata.causation_message_global_position,
        Some(deposit.global_position)
    );
}

#[tokio::test]
async fn the_refusal_of_an_id_in_use_is_written_at_the_version_of_the_account() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let other = Deposit {
        amount: account_component::Money::from_cents(1),
        ..controls::commands::deposit()
    };
    let deposit = arriving_after_a_reservation(&store, &other, None).await;

    commands(&store).handle(&deposit).await.expect("handled");

    let version = controls::history::open().len() as i64 - 1;
    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::Exactly(version)
    );
}

#[tokio::test]
async fn a_deposit_whose_id_in_use_was_refused_already_is_ignored() {
    let store = store();
    let other = Deposit {
        amount: account_component::Money::from_cents(1),
        ..controls::commands::deposit()
    };
    let deposit = arriving_after_a_reservation(&store, &other, None).await;
    let refused =
        controls::events::deposit_rejected(Reason::TransactionIdInUse, deposit.global_position);
    given_history(&store, &[controls::history::message(&refused)]).await;

    commands(&store).handle(&deposit).await.expect("handled");

    assert!(writes(&store).is_empty());
}

/// A reservation that fails for any other reason than a stream taken (the
/// database away) is not a reservation found: the error goes back to the
/// consumer as it is, transient, so that the command is tried again, and
/// nothing else is written meanwhile.
#[tokio::test]
async fn a_reservation_the_database_failed_is_tried_again_not_taken_for_reserved() {
    let store = store();
    let deposit = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::deposit(),
    )
    .await;
    let memory = store.as_memory().expect("the memory store");
    memory.fail_next_write(messaging::store::WriteFailure::BeforeStoring);

    let error = commands(&store)
        .handle(&deposit)
        .await
        .expect_err("the write failed");

    match error {
        HandlerError::Store(error) => assert!(error.is_transient(), "{error}"),
        other => panic!("not the store's error: {other}"),
    }
    assert!(writes(&store).is_empty());
    // Tried again, it reserves.
    commands(&store).handle(&deposit).await.expect("handled");
    assert_eq!(only_write(&store).stream_name, reservation_stream());
}

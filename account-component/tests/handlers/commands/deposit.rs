//! `Deposit` arriving at the commands handler: the reservation.

use account_component::controls::{self, store::arriving, store::given};
use account_component::messages::commands::Deposit;
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

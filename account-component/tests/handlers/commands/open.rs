//! `Open` arriving at the commands handler.

use account_component::controls::{self, store::arriving, store::given_history};
use account_component::messages::events::Opened;
use account_component::streams;
use messaging::{ExpectedVersion, Handler};

use crate::support::{commands, only_write, store, writes};

#[tokio::test]
async fn an_open_command_is_recorded_as_opened_in_the_account_stream() {
    let store = store();
    let open = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::open(),
    )
    .await;

    commands(&store).handle(&open).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::account_stream(controls::id::account())
    );
    let opened: Opened = write.messages[0].decode().expect("an Opened event");
    assert_eq!(opened.account_id, controls::id::account());
    assert_eq!(opened.customer_id, controls::id::customer());
    assert_eq!(opened.holders, ["Ada Lovelace"]);
    assert_eq!(opened.processed_time, controls::time::processed());
}

#[tokio::test]
async fn opened_is_written_at_the_version_the_account_was_fetched_at() {
    let store = store();
    let open = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::open(),
    )
    .await;

    commands(&store).handle(&open).await.expect("handled");

    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::INITIAL
    );
}

#[tokio::test]
async fn opened_records_the_command_as_its_cause_and_sequence() {
    let store = store();
    let open = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::open(),
    )
    .await;

    commands(&store).handle(&open).await.expect("handled");

    let event = &only_write(&store).messages[0];
    assert_eq!(
        event.metadata.causation_message_global_position,
        Some(open.global_position)
    );
    assert_eq!(
        event.metadata.causation_message_stream_name.as_deref(),
        Some(open.stream_name.as_str())
    );
    assert_eq!(
        event.decode::<Opened>().expect("Opened").sequence,
        open.global_position
    );
}

#[tokio::test]
async fn opening_an_account_that_was_opened_already_is_ignored() {
    let store = store();
    given_history(&store, &controls::history::open()).await;
    let open = arriving(
        &store,
        &streams::command_stream(controls::id::account()),
        &controls::commands::open(),
    )
    .await;

    commands(&store).handle(&open).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn an_open_command_in_another_accounts_stream_cannot_be_handled() {
    let store = store();
    let open = arriving(
        &store,
        &streams::command_stream(controls::id::other_account()),
        &controls::commands::open(),
    )
    .await;

    let error = commands(&store)
        .handle(&open)
        .await
        .expect_err("misaddressed");

    assert!(
        matches!(error, messaging::HandlerError::Message(_)),
        "{error:?}"
    );
    assert!(writes(&store).is_empty());
}

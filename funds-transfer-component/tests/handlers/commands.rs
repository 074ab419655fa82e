//! `Transfer` arriving at the commands handler.

use account_component::Money;
use funds_transfer_component::controls::{self, store::arriving};
use funds_transfer_component::messages::RejectionReason;
use funds_transfer_component::messages::commands::Transfer;
use funds_transfer_component::messages::events::{Initiated, Rejected};
use funds_transfer_component::streams;
use messaging::{ExpectedVersion, Handler};

use crate::support::{commands, given_transfer, message, only_write, store, writes};

async fn transfer_arriving(
    store: &messaging::MessageStore,
    transfer: &Transfer,
) -> messaging::StoredMessage {
    arriving(
        store,
        &streams::command_stream(transfer.funds_transfer_id),
        transfer,
    )
    .await
}

#[tokio::test]
async fn a_transfer_is_initiated_with_the_ids_of_its_steps_fixed() {
    let store = store();
    let transfer = transfer_arriving(&store, &controls::commands::transfer()).await;

    commands(&store).handle(&transfer).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        streams::transfer_stream(controls::id::transfer())
    );
    assert_eq!(
        write.messages[0].decode::<Initiated>().expect("Initiated"),
        controls::events::initiated()
    );
}

#[tokio::test]
async fn initiated_is_written_only_if_the_transfer_has_no_events_yet() {
    let store = store();
    let transfer = transfer_arriving(&store, &controls::commands::transfer()).await;

    commands(&store).handle(&transfer).await.expect("handled");

    assert_eq!(
        only_write(&store).expected_version,
        ExpectedVersion::INITIAL
    );
}

#[tokio::test]
async fn a_transfer_initiated_already_is_ignored() {
    let store = store();
    given_transfer(&store, &[message(&controls::events::initiated())]).await;
    let transfer = transfer_arriving(&store, &controls::commands::transfer()).await;

    commands(&store).handle(&transfer).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_transfer_to_the_same_account_is_rejected() {
    let store = store();
    let same = Transfer {
        deposit_account_id: controls::id::source_account(),
        ..controls::commands::transfer()
    };
    let transfer = transfer_arriving(&store, &same).await;

    commands(&store).handle(&transfer).await.expect("handled");

    let rejected: Rejected = only_write(&store).messages[0].decode().expect("Rejected");
    assert_eq!(rejected.reason, RejectionReason::SameAccount);
}

#[tokio::test]
async fn a_transfer_of_nothing_is_rejected_as_an_invalid_amount() {
    let store = store();
    let nothing = Transfer {
        amount: Money::ZERO,
        ..controls::commands::transfer()
    };
    let transfer = transfer_arriving(&store, &nothing).await;

    commands(&store).handle(&transfer).await.expect("handled");

    let rejected: Rejected = only_write(&store).messages[0].decode().expect("Rejected");
    assert_eq!(rejected.reason, RejectionReason::InvalidAmount);
}

#[tokio::test]
async fn a_rejected_transfer_arriving_again_is_ignored() {
    let store = store();
    let nothing = Transfer {
        amount: Money::ZERO,
        ..controls::commands::transfer()
    };
    let transfer = transfer_arriving(&store, &nothing).await;
    commands(&store).handle(&transfer).await.expect("handled");
    store.as_memory().expect("memory").clear_writes();

    commands(&store)
        .handle(&transfer)
        .await
        .expect("handled again");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn initiated_carries_the_transfers_reference() {
    let store = store();
    let with_reference = Transfer {
        reference: Some("Dinner".to_string()),
        ..controls::commands::transfer()
    };
    let transfer = transfer_arriving(&store, &with_reference).await;

    commands(&store).handle(&transfer).await.expect("handled");

    let initiated: Initiated = only_write(&store).messages[0].decode().expect("Initiated");
    assert_eq!(initiated.reference.as_deref(), Some("Dinner"));
}

/// A command whose data names another transfer than its stream is parked,
/// whichever it is: a transfer or a release. Acting on it would start, or
/// pay out, a transfer that no one asked for in its own stream.
#[tokio::test]
async fn a_command_in_another_transfers_stream_is_parked_and_writes_nothing() {
    let elsewhere = streams::command_stream(uuid::Uuid::from_u128(0xe15e));
    for (store, message) in [
        {
            let store = store();
            let message = arriving(&store, &elsewhere, &controls::commands::transfer()).await;
            (store, message)
        },
        {
            let store = store();
            given_transfer(
                &store,
                &[
                    message(&controls::events::initiated()),
                    message(&controls::events::refund_rejected()),
                ],
            )
            .await;
            let release = controls::commands::release_held_refund();
            let message = arriving(&store, &elsewhere, &release).await;
            (store, message)
        },
    ] {
        let error = commands(&store)
            .handle(&message)
            .await
            .expect_err("refused");
        assert!(
            matches!(error, messaging::HandlerError::Message(_)),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("is not the transfer of its stream"),
            "{error}"
        );
        assert!(writes(&store).is_empty());
    }
}

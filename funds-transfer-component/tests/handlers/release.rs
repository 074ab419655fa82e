//! Releasing the money a transfer holds: the command, the deposit it sends,
//! and the chosen account's answer.

use account_component::messages::commands::Deposit;
use funds_transfer_component::controls::events::answers;
use funds_transfer_component::controls::{self, store::arriving};
use funds_transfer_component::messages::events::{ReleaseRejected, ReleaseRequested, Released};
use funds_transfer_component::streams;
use messaging::{Handler, HandlerError, MessageStore, NewMessage};

use crate::support::{
    account_events, commands, events, given_transfer, message, only_write, store, writes,
};

/// A transfer whose refund was refused: the bank holds its money.
fn held() -> Vec<NewMessage> {
    vec![
        message(&controls::events::initiated()),
        message(&controls::events::withdrawn()),
        message(&controls::events::deposit_rejected()),
        message(&controls::events::refund_rejected()),
    ]
}

async fn release_arriving(store: &MessageStore) -> messaging::StoredMessage {
    let release = controls::commands::release_held_refund();
    arriving(
        store,
        &streams::command_stream(release.funds_transfer_id),
        &release,
    )
    .await
}

#[tokio::test]
async fn a_release_of_held_money_is_recorded_with_the_transfers_amount() {
    let store = store();
    given_transfer(&store, &held()).await;
    let release = release_arriving(&store).await;

    commands(&store).handle(&release).await.expect("handled");

    let requested: ReleaseRequested = only_write(&store).messages[0]
        .decode()
        .expect("ReleaseRequested");
    assert_eq!(requested, controls::events::release_requested());
}

#[tokio::test]
async fn the_same_release_arriving_again_is_ignored() {
    let store = store();
    let mut history = held();
    history.push(message(&controls::events::release_requested()));
    given_transfer(&store, &history).await;
    let release = release_arriving(&store).await;

    commands(&store).handle(&release).await.expect("handled");

    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_release_of_a_transfer_that_holds_nothing_is_parked_and_moves_nothing() {
    for history in [
        // Never started.
        vec![],
        // Under way, its money in flight, not held.
        vec![
            message(&controls::events::initiated()),
            message(&controls::events::withdrawn()),
        ],
    ] {
        let store = store();
        given_transfer(&store, &history).await;
        let release = release_arriving(&store).await;

        let error = commands(&store)
            .handle(&release)
            .await
            .expect_err("nothing to release");

        assert!(matches!(error, HandlerError::Message(_)), "{error:?}");
        assert!(error.to_string().contains("no money to release"), "{error}");
        assert!(writes(&store).is_empty());
    }
}

#[tokio::test]
async fn a_second_release_of_money_released_already_is_parked() {
    let store = store();
    let mut history = held();
    history.push(message(&controls::events::release_requested()));
    history.push(message(&Released {
        funds_transfer_id: controls::id::transfer(),
        release_id: controls::id::release(),
        account_id: controls::id::release_account(),
        amount: controls::money::amount(),
        time: controls::time::processed(),
        processed_time: controls::time::processed(),
    }));
    given_transfer(&store, &history).await;
    let another = funds_transfer_component::messages::commands::ReleaseHeldRefund {
        release_id: uuid::Uuid::new_v4(),
        ..controls::commands::release_held_refund()
    };
    let arrived = arriving(
        &store,
        &streams::command_stream(another.funds_transfer_id),
        &another,
    )
    .await;

    let error = commands(&store)
        .handle(&arrived)
        .await
        .expect_err("released already");

    assert!(error.to_string().contains("released already"), "{error}");
    assert!(writes(&store).is_empty());
}

#[tokio::test]
async fn a_requested_release_deposits_the_money_into_the_chosen_account() {
    let store = store();
    let mut history = held();
    history.push(message(&controls::events::release_requested()));
    given_transfer(&store, &history).await;
    let requested = store
        .read_last(&streams::transfer_stream(controls::id::transfer()), None)
        .await
        .expect("read")
        .expect("written");

    events(&store).handle(&requested).await.expect("handled");

    let write = only_write(&store);
    assert_eq!(
        write.stream_name,
        account_component::streams::command_stream(controls::id::release_account())
    );
    let deposit: Deposit = write.messages[0].decode().expect("a Deposit");
    assert_eq!(deposit.deposit_id, controls::id::release());
    assert_eq!(deposit.amount, controls::money::amount());
    assert_eq!(
        write.messages[0]
            .metadata
            .correlation_stream_name
            .as_deref(),
        Some(streams::transfer_stream(controls::id::transfer()).as_str())
    );
}

#[tokio::test]
async fn the_chosen_accounts_deposit_releases_the_money_and_a_refusal_keeps_it_held() {
    for accepted in [true, false] {
        let store = store();
        let mut history = held();
        history.push(message(&controls::events::release_requested()));
        given_transfer(&store, &history).await;
        let account = controls::id::release_account();
        let answer = if accepted {
            answers::correlated(&answers::deposited(controls::id::release(), account))
        } else {
            answers::correlated(&answers::deposit_rejected(controls::id::release(), account))
        };
        controls::store::given(&store, &answers::stream(account), &[answer]).await;
        let arrived = store
            .read_last(&answers::stream(account), None)
            .await
            .expect("read")
            .expect("written");

        account_events(&store)
            .handle(&arrived)
            .await
            .expect("handled");

        let write = only_write(&store);
        if accepted {
            let released: Released = write.messages[0].decode().expect("Released");
            assert_eq!(released.amount, controls::money::amount());
        } else {
            let refused: ReleaseRejected = write.messages[0].decode().expect("ReleaseRejected");
            assert_eq!(refused.account_id, account);
        }
    }
}

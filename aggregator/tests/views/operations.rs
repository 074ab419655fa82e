//! The operations views, and events that cannot be applied.

use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::Deposit;
use messaging::{ExpectedVersion, NewMessage, StreamName, Time};
use uuid::Uuid;
use views::accounts::AccountStatus;

use crate::support::*;

async fn lag_reaches_zero_when_the_consumers_catch_up(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let components = Components::start(&bank.store);
    let (_, transfers) = activity(&bank.store).await;
    wait_for_transfers(&bank.store, &transfers).await;
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let mut operations =
        aggregator::operations::Operations::new(bank.store.clone(), bank.views.clone());
    let mut all_zero = false;
    for _ in 0..300 {
        operations.refresh().await.expect("refreshed");
        let consumers = bank.read().consumers().await.expect("read");
        if consumers.len() >= 5 + 4 && consumers.iter().all(|c| c.lag == 0) {
            all_zero = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    components.stop().await;
    assert!(all_zero, "{:#?}", bank.read().consumers().await);

    // With the components stopped, a new command is lag for its consumer.
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id: Uuid::new_v4(),
        amount: Money::from_cents(1),
        time: Time::now(),
        reference: None,
    };
    AccountCommand::deposit(&deposit)
        .expect("encodes")
        .send(&bank.store)
        .await
        .expect("sent");
    operations.refresh().await.expect("refreshed");
    let consumers = bank.read().consumers().await.expect("read");
    let commands = consumers
        .iter()
        .find(|c| c.position_stream == "account:command+position")
        .expect("listed");
    assert_eq!(commands.lag, 1);
}

async fn an_event_that_cannot_be_applied_is_parked_and_the_rest_applied(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let account_id = Uuid::new_v4();
    let stream = StreamName::from_stored(format!("account-{account_id}"));
    let garbled = NewMessage {
        id: Uuid::new_v4(),
        message_type: "Deposited".into(),
        data: r#"{"amount":"lots"}"#.into(),
        metadata: Default::default(),
    };
    bank.store
        .write_message(&stream, &garbled, ExpectedVersion::Any)
        .await
        .expect("written");
    let opened = account_component::messages::events::Opened {
        account_id,
        ..account_component::controls::events::opened()
    };
    bank.store
        .write_message(
            &stream,
            &NewMessage::new(&opened).expect("encodes"),
            ExpectedVersion::Any,
        )
        .await
        .expect("written");

    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");

    assert_eq!(
        bank.read()
            .account(account_id)
            .await
            .expect("read")
            .expect("opened")
            .status,
        AccountStatus::Open
    );
    let parked = bank
        .store
        .read_last(
            &StreamName::from_stored("account+deadLetter-aggregator"),
            None,
        )
        .await
        .expect("read")
        .expect("parked");
    let parked: messaging::consumer::DeadLettered = parked.decode().expect("decodes");
    assert_eq!(parked.stream_name, stream.to_string());
    assert_eq!(parked.position, 0);
}

crate::support::on_both!(
    lag_reaches_zero_when_the_consumers_catch_up,
    an_event_that_cannot_be_applied_is_parked_and_the_rest_applied
);

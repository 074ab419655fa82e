//! The accounts view: each account event's change to its account's row.

use account_component::controls::{events, id, time};
use account_component::messages::Reason;
use account_component::messages::events::CloseRejected;
use account_component::{Money, streams};
use views::accounts::{Account, AccountStatus};

use super::Given;

fn stream() -> messaging::StreamName {
    streams::account_stream(id::account())
}

async fn row(given: &Given) -> Account {
    given
        .read()
        .account(id::account())
        .await
        .expect("read")
        .expect("a row")
}

/// An account opened, with 10.00 in it.
async fn open_with_ten() -> Given {
    let given = Given::new().await;
    given.applied(&stream(), &events::opened()).await;
    let ten = events::deposited(id::account(), Money::from_cents(1_000), 2);
    given.applied(&stream(), &ten).await;
    given
}

#[tokio::test]
async fn opened_opens_the_row_with_its_holder() {
    let given = Given::new().await;
    given.applied(&stream(), &events::opened()).await;
    let row = row(&given).await;
    assert_eq!(row.status, AccountStatus::Open);
    assert_eq!(row.holder_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(row.opened_time, Some(time::processed()));
}

/// An `Opened` as the release before wrote it, with one `holderName`:
/// upcast on read, it opens the same row.
#[tokio::test]
async fn opened_in_its_first_shape_opens_the_same_row() {
    let current = Given::new().await;
    current.applied(&stream(), &events::opened()).await;
    let first = Given::new().await;
    let mut message = account_component::controls::history::message(&events::opened());
    let mut data: serde_json::Value = serde_json::from_str(&message.data).expect("JSON");
    let holders = data
        .as_object_mut()
        .and_then(|fields| fields.remove("holders"))
        .expect("holders");
    data["holderName"] = holders[0].clone();
    message.data = data.to_string();
    first.applied_as(&stream(), message).await;
    assert_eq!(row(&first).await, row(&current).await);
}

#[tokio::test]
async fn an_account_of_several_holders_shows_them_all() {
    let given = Given::new().await;
    let joint = account_component::messages::events::Opened {
        holders: vec!["Ada Lovelace".into(), "Charles Babbage".into()],
        ..events::opened()
    };
    given.applied(&stream(), &joint).await;
    assert_eq!(
        row(&given).await.holder_name.as_deref(),
        Some("Ada Lovelace & Charles Babbage")
    );
}

#[tokio::test]
async fn deposited_raises_the_balance() {
    let given = open_with_ten().await;
    let more = events::deposited(id::account(), Money::from_cents(250), 3);
    given.applied(&stream(), &more).await;
    assert_eq!(row(&given).await.balance, Money::from_cents(1_250));
}

#[tokio::test]
async fn withdrawn_lowers_the_balance() {
    let given = open_with_ten().await;
    let less = events::withdrawn(id::account(), Money::from_cents(250), 3);
    given.applied(&stream(), &less).await;
    assert_eq!(row(&given).await.balance, Money::from_cents(750));
}

#[tokio::test]
async fn a_refused_deposit_leaves_the_balance() {
    let given = open_with_ten().await;
    let refused = events::deposit_rejected(Reason::AccountClosed, 3);
    given.applied(&stream(), &refused).await;
    assert_eq!(row(&given).await.balance, Money::from_cents(1_000));
}

#[tokio::test]
async fn a_refused_withdrawal_leaves_the_balance() {
    let given = open_with_ten().await;
    let refused = events::withdrawal_rejected(Reason::InsufficientFunds, 3);
    given.applied(&stream(), &refused).await;
    assert_eq!(row(&given).await.balance, Money::from_cents(1_000));
}

#[tokio::test]
async fn closed_closes_the_row() {
    let given = Given::new().await;
    given.applied(&stream(), &events::opened()).await;
    given.applied(&stream(), &events::closed(3)).await;
    let row = row(&given).await;
    assert_eq!(row.status, AccountStatus::Closed);
    assert_eq!(row.closed_time, Some(time::processed()));
}

/// A close of an account the views never saw opened (its `Opened` parked,
/// say) makes no row: a row that is only "closed" would show an account
/// with no holder.
#[tokio::test]
async fn closed_without_a_row_makes_none() {
    let given = Given::new().await;
    given.applied(&stream(), &events::closed(3)).await;
    let read = given.read().account(id::account()).await.expect("read");
    assert_eq!(read, None);
}

#[tokio::test]
async fn a_refused_close_leaves_the_row_open() {
    let given = open_with_ten().await;
    let refused = CloseRejected {
        account_id: id::account(),
        reason: Reason::BalanceNotZero,
        time: time::example(),
        processed_time: time::processed(),
        sequence: 3,
    };
    let before = row(&given).await;
    given.applied(&stream(), &refused).await;
    // It changes nothing of the row, not even the position it reflects: it
    // only answers the `Close` (see the commands view's specs).
    assert_eq!(row(&given).await, before);
    assert_eq!(before.status, AccountStatus::Open);
}

#[tokio::test]
async fn a_deposit_applied_again_raises_the_balance_once() {
    let given = open_with_ten().await;
    given.rewound().await;
    assert_eq!(row(&given).await.balance, Money::from_cents(1_000));
}

//! The transfers view: each transfer event's change to its transfer's row.

use funds_transfer_component::controls::events::{self, answers};
use funds_transfer_component::controls::{commands, id, time};
use funds_transfer_component::messages::RejectionReason;
use funds_transfer_component::messages::events::{
    Cancelled, Deposited, Rejected, ReleaseRejected, Released, Reversed, Transferred,
};
use funds_transfer_component::streams;
use views::transfers::{Transfer, TransferStatus};

use super::Given;

fn stream() -> messaging::StreamName {
    streams::transfer_stream(id::transfer())
}

async fn row(given: &Given) -> Option<Transfer> {
    given.read().transfer(id::transfer()).await.expect("read")
}

/// Given the example transfer's events up to `events`, each applied.
async fn given(events: &[&dyn Fn(&Given) -> messaging::NewMessage]) -> Given {
    let given = Given::new().await;
    for event in events {
        given.applied_as(&stream(), event(&given)).await;
    }
    given
}

fn message<M: messaging::Message>(event: &M) -> messaging::NewMessage {
    account_component::controls::history::message(event)
}

fn initiated(_: &Given) -> messaging::NewMessage {
    message(&events::initiated())
}

fn withdrawn(_: &Given) -> messaging::NewMessage {
    message(&events::withdrawn())
}

fn deposit_rejected(_: &Given) -> messaging::NewMessage {
    message(&events::deposit_rejected())
}

fn refund_rejected(_: &Given) -> messaging::NewMessage {
    message(&events::refund_rejected())
}

fn release_requested(_: &Given) -> messaging::NewMessage {
    message(&events::release_requested())
}

/// The account's deposit of the transfer's money into the destination.
fn destination_deposited() -> account_component::messages::events::Deposited {
    answers::deposited(id::deposit(), id::destination_account())
}

async fn status(given: &Given) -> TransferStatus {
    row(given).await.expect("a row").status
}

#[tokio::test]
async fn initiated_starts_the_row_with_its_accounts_and_amount() {
    let given = given(&[&initiated]).await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::Initiated);
    assert_eq!(row.withdrawal_account_id, id::source_account());
    assert_eq!(row.deposit_account_id, id::destination_account());
    assert_eq!(row.amount, events::initiated().amount);
}

#[tokio::test]
async fn rejected_starts_the_row_as_refused_with_its_reason() {
    let given = Given::new().await;
    let rejected = Rejected::answering(
        &commands::transfer(),
        RejectionReason::SameAccount,
        time::processed(),
    );
    given.applied(&stream(), &rejected).await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::Rejected);
    assert!(row.reason.is_some());
}

#[tokio::test]
async fn withdrawn_puts_the_money_in_flight() {
    let given = given(&[&initiated, &withdrawn]).await;
    assert_eq!(status(&given).await, TransferStatus::Withdrawn);
}

#[tokio::test]
async fn deposited_marks_the_money_arrived() {
    let given = given(&[&initiated, &withdrawn]).await;
    let deposited =
        Deposited::answering(&destination_deposited(), id::transfer(), time::processed());
    given.applied(&stream(), &deposited).await;
    assert_eq!(status(&given).await, TransferStatus::Deposited);
}

#[tokio::test]
async fn transferred_ends_the_transfer_as_done() {
    let given = given(&[&initiated, &withdrawn]).await;
    let transferred =
        Transferred::answering(&destination_deposited(), id::transfer(), time::processed());
    given.applied(&stream(), &transferred).await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::Transferred);
    assert_eq!(row.transferred_time, Some(time::processed()));
}

#[tokio::test]
async fn cancelled_ends_the_transfer_with_the_source_s_reason() {
    let given = given(&[&initiated]).await;
    let refused =
        answers::withdrawal_rejected(account_component::messages::Reason::InsufficientFunds);
    let cancelled = Cancelled::answering(&refused, id::transfer(), time::processed());
    given.applied(&stream(), &cancelled).await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::Cancelled);
    assert_eq!(row.reason.as_deref(), Some("insufficient funds"));
}

#[tokio::test]
async fn a_refused_deposit_sends_the_transfer_refunding() {
    let given = given(&[&initiated, &withdrawn, &deposit_rejected]).await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::Refunding);
    assert_eq!(row.reason.as_deref(), Some("account closed"));
}

#[tokio::test]
async fn reversed_ends_the_transfer_with_the_money_back() {
    let given = given(&[&initiated, &withdrawn, &deposit_rejected]).await;
    let refunded = answers::deposited(id::refund(), id::source_account());
    let reversed = Reversed::answering(
        &refunded,
        account_component::messages::Reason::AccountClosed,
        id::transfer(),
        time::processed(),
    );
    given.applied(&stream(), &reversed).await;
    assert_eq!(status(&given).await, TransferStatus::Reversed);
}

#[tokio::test]
async fn a_refused_refund_leaves_the_bank_holding_the_money() {
    let given = given(&[&initiated, &withdrawn, &deposit_rejected, &refund_rejected]).await;
    let status = status(&given).await;
    assert_eq!(status, TransferStatus::RefundRejected);
    assert!(status.holds_money());
}

#[tokio::test]
async fn a_release_requested_is_under_way_to_the_account_chosen() {
    let given = given(&[
        &initiated,
        &withdrawn,
        &deposit_rejected,
        &refund_rejected,
        &release_requested,
    ])
    .await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::Releasing);
    assert_eq!(row.release_account_id, Some(id::release_account()));
}

#[tokio::test]
async fn released_ends_the_holding() {
    let given = given(&[
        &initiated,
        &withdrawn,
        &deposit_rejected,
        &refund_rejected,
        &release_requested,
    ])
    .await;
    let paid = answers::deposited(id::release(), id::release_account());
    let released = Released::answering(&paid, id::transfer(), time::processed());
    given.applied(&stream(), &released).await;
    assert_eq!(status(&given).await, TransferStatus::Released);
}

#[tokio::test]
async fn a_refused_release_leaves_the_bank_holding_the_money_again() {
    let given = given(&[
        &initiated,
        &withdrawn,
        &deposit_rejected,
        &refund_rejected,
        &release_requested,
    ])
    .await;
    let refused = answers::deposit_rejected(id::release(), id::release_account());
    let release_rejected = ReleaseRejected::answering(&refused, id::transfer(), time::processed());
    given.applied(&stream(), &release_rejected).await;
    let row = row(&given).await.expect("a row");
    assert_eq!(row.status, TransferStatus::RefundRejected);
    assert!(
        row.reason
            .is_some_and(|reason| reason.contains("the release was refused"))
    );
}

#[tokio::test]
async fn a_step_of_a_transfer_never_started_makes_no_row() {
    let given = given(&[&withdrawn]).await;
    assert_eq!(row(&given).await, None);
}

#[tokio::test]
async fn a_step_applied_again_changes_nothing() {
    let given = given(&[&initiated, &withdrawn, &deposit_rejected]).await;
    let before = row(&given).await;
    given.rewound().await;
    assert_eq!(row(&given).await, before);
}

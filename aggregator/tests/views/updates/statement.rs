//! The statement view: each account event's line, with the balance after
//! it.

use account_component::controls::{events, id};
use account_component::messages::Reason;
use account_component::{Money, streams};
use views::statement::{Entry, StatementLine};

use super::Given;

fn stream() -> messaging::StreamName {
    streams::account_stream(id::account())
}

/// The account's statement, whole.
async fn lines(given: &Given) -> Vec<StatementLine> {
    given
        .read()
        .statement(id::account(), None)
        .await
        .expect("read")
}

/// The statement's last line.
async fn last_line(given: &Given) -> StatementLine {
    lines(given).await.pop().expect("a line")
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
async fn opened_adds_no_line() {
    let given = Given::new().await;
    given.applied(&stream(), &events::opened()).await;
    assert!(lines(&given).await.is_empty());
}

#[tokio::test]
async fn deposited_adds_a_deposit_line_with_the_balance_after_it() {
    let given = open_with_ten().await;
    let more = events::deposited(id::account(), Money::from_cents(250), 3);
    given.applied(&stream(), &more).await;
    let line = last_line(&given).await;
    assert_eq!(
        (line.entry, line.amount, line.balance_after),
        (
            Entry::Deposit,
            Money::from_cents(250),
            Money::from_cents(1_250)
        )
    );
}

#[tokio::test]
async fn withdrawn_adds_a_withdrawal_line_with_the_balance_after_it() {
    let given = open_with_ten().await;
    let less = events::withdrawn(id::account(), Money::from_cents(250), 3);
    given.applied(&stream(), &less).await;
    let line = last_line(&given).await;
    assert_eq!(
        (line.entry, line.amount, line.balance_after),
        (
            Entry::Withdrawal,
            Money::from_cents(250),
            Money::from_cents(750)
        )
    );
}

#[tokio::test]
async fn a_refused_deposit_adds_a_refused_line_with_its_reason() {
    let given = open_with_ten().await;
    let refused = events::deposit_rejected(Reason::AccountClosed, 3);
    given.applied(&stream(), &refused).await;
    let line = last_line(&given).await;
    assert_eq!(line.entry, Entry::DepositRejected);
    assert_eq!(line.balance_after, Money::from_cents(1_000));
    assert_eq!(line.reason.as_deref(), Some("account closed"));
}

#[tokio::test]
async fn a_refused_withdrawal_adds_a_refused_line_with_its_reason() {
    let given = open_with_ten().await;
    let refused = events::withdrawal_rejected(Reason::InsufficientFunds, 3);
    given.applied(&stream(), &refused).await;
    let line = last_line(&given).await;
    assert_eq!(line.entry, Entry::WithdrawalRejected);
    assert_eq!(line.balance_after, Money::from_cents(1_000));
    assert_eq!(line.reason.as_deref(), Some("insufficient funds"));
}

#[tokio::test]
async fn a_line_of_a_transfer_names_the_transfer() {
    let given = open_with_ten().await;
    let transfer = uuid::Uuid::from_u128(0x7f);
    let correlated = account_component::controls::history::message(&events::withdrawn(
        id::account(),
        Money::from_cents(250),
        3,
    ))
    .correlated_with(&funds_transfer_component::streams::transfer_stream(
        transfer,
    ));
    given.applied_as(&stream(), correlated).await;
    assert_eq!(last_line(&given).await.funds_transfer_id, Some(transfer));
}

#[tokio::test]
async fn a_line_applied_again_is_one_line() {
    let given = open_with_ten().await;
    given.rewound().await;
    assert_eq!(lines(&given).await.len(), 1);
}

#[tokio::test]
async fn a_lines_reference_is_the_events() {
    let given = open_with_ten().await;
    let mut deposited = events::deposited(id::account(), Money::from_cents(250), 3);
    deposited.reference = Some("Rent, May".to_string());
    given.applied(&stream(), &deposited).await;
    assert_eq!(
        last_line(&given).await.reference.as_deref(),
        Some("Rent, May")
    );
    // And the account page, read in one statement, shows the same.
    let page = given
        .read()
        .account_page(
            id::account(),
            views::account_page::StatementLines {
                before: None,
                lines: 5,
            },
        )
        .await
        .expect("the page");
    let references: Vec<_> = page
        .statement
        .iter()
        .map(|line| line.reference.clone())
        .collect();
    assert_eq!(references, [None, Some("Rent, May".to_string())]);
}

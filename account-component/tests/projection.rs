//! The account's projection, event by event: what each event does to the
//! account, one outcome per test.
//!
//! A handler decides from the account the projection builds, so a mistake
//! here is a wrong decision there: a refusal that does not record its
//! sequence is refused again when it is re-delivered.

use account_component::controls::{self, events};
use account_component::messages::Reason;
use account_component::{Account, Money, streams};
use messaging::{Message, MessageError, Projection, StoredMessage, Time};

/// `message` as the entity store hands it to the projection.
fn stored<M: Message>(message: &M) -> StoredMessage {
    StoredMessage {
        id: uuid::Uuid::new_v4(),
        stream_name: streams::account_stream(controls::id::account()),
        message_type: M::TYPE.to_string(),
        position: 0,
        global_position: 1,
        data: serde_json::to_string(message).expect("encodes"),
        metadata: None,
        time: Time::now(),
    }
}

/// An opened account with `balance`, transaction sequence 2 and command
/// sequence 1.
fn opened_with(balance: Money) -> Account {
    Account {
        id: Some(controls::id::account()),
        customer_id: Some(controls::id::customer()),
        balance,
        opened_time: Some(controls::time::processed()),
        closed_time: None,
        sequence: Some(2),
        command_sequence: Some(1),
    }
}

fn applied<M: Message>(mut account: Account, event: &M) -> Account {
    account.apply(&stored(event)).expect("applied");
    account
}

#[test]
fn opened_opens_the_account_and_records_its_command_sequence() {
    let account = applied(Account::default(), &events::opened());
    assert_eq!(account.id, Some(controls::id::account()));
    assert_eq!(account.customer_id, Some(controls::id::customer()));
    assert_eq!(account.opened_time, Some(controls::time::processed()));
    assert_eq!(account.command_sequence, Some(events::opened().sequence));
    assert!(account.is_open());
}

#[test]
fn deposited_raises_the_balance() {
    let event = events::deposited(controls::id::account(), Money::from_cents(250), 5);
    let account = applied(opened_with(Money::from_cents(1_000)), &event);
    assert_eq!(account.balance, Money::from_cents(1_250));
}

#[test]
fn deposited_records_its_sequence() {
    let event = events::deposited(controls::id::account(), Money::from_cents(250), 5);
    let account = applied(opened_with(Money::ZERO), &event);
    assert_eq!(account.sequence, Some(5));
}

#[test]
fn withdrawn_lowers_the_balance() {
    let event = events::withdrawn(controls::id::account(), Money::from_cents(250), 5);
    let account = applied(opened_with(Money::from_cents(1_000)), &event);
    assert_eq!(account.balance, Money::from_cents(750));
}

#[test]
fn withdrawn_records_its_sequence() {
    let event = events::withdrawn(controls::id::account(), Money::from_cents(250), 5);
    let account = applied(opened_with(Money::from_cents(1_000)), &event);
    assert_eq!(account.sequence, Some(5));
}

#[test]
fn withdrawal_rejected_records_its_sequence_and_moves_no_money() {
    let event = events::withdrawal_rejected(Reason::InsufficientFunds, 5);
    let account = applied(opened_with(Money::from_cents(1_000)), &event);
    assert_eq!(account.sequence, Some(5));
    assert_eq!(account.balance, Money::from_cents(1_000));
}

#[test]
fn deposit_rejected_records_its_sequence_and_moves_no_money() {
    let event = events::deposit_rejected(Reason::AccountClosed, 5);
    let account = applied(opened_with(Money::from_cents(1_000)), &event);
    assert_eq!(account.sequence, Some(5));
    assert_eq!(account.balance, Money::from_cents(1_000));
}

#[test]
fn a_deposit_refused_for_an_id_in_use_records_a_command_sequence_not_a_transaction_one() {
    let event = events::deposit_rejected(Reason::TransactionIdInUse, 9);
    let account = applied(opened_with(Money::ZERO), &event);
    assert_eq!(account.command_sequence, Some(9));
    assert_eq!(account.sequence, Some(2));
}

#[test]
fn a_withdrawal_refused_for_an_id_in_use_records_a_command_sequence_not_a_transaction_one() {
    let event = events::withdrawal_rejected(Reason::TransactionIdInUse, 9);
    let account = applied(opened_with(Money::ZERO), &event);
    assert_eq!(account.command_sequence, Some(9));
    assert_eq!(account.sequence, Some(2));
}

#[test]
fn closed_closes_the_account_and_records_its_command_sequence() {
    let account = applied(opened_with(Money::ZERO), &events::closed(7));
    assert_eq!(account.closed_time, Some(controls::time::processed()));
    assert_eq!(account.command_sequence, Some(7));
    assert!(!account.is_open());
}

#[test]
fn close_rejected_records_its_command_sequence_and_leaves_the_account_open() {
    let rejected = account_component::messages::events::CloseRejected {
        account_id: controls::id::account(),
        reason: Reason::BalanceNotZero,
        time: controls::time::example(),
        processed_time: controls::time::processed(),
        sequence: 7,
    };
    let account = applied(opened_with(Money::from_cents(5)), &rejected);
    assert_eq!(account.command_sequence, Some(7));
    assert!(account.is_open());
}

#[test]
fn an_event_of_another_type_changes_nothing() {
    let before = opened_with(Money::from_cents(5));
    let after = applied(before.clone(), &controls::commands::deposit());
    assert_eq!(after, before);
}

#[test]
fn a_deposit_beyond_what_a_balance_holds_cannot_be_applied() {
    let event = events::deposited(controls::id::account(), Money::from_cents(1), 5);
    let mut account = opened_with(Money::MAX);
    let error = account.apply(&stored(&event)).expect_err("overflows");
    assert!(
        matches!(error, MessageError::Unhandleable { .. }),
        "{error}"
    );
}

#[test]
fn a_withdrawal_beyond_what_a_balance_holds_cannot_be_applied() {
    let event = events::withdrawn(controls::id::account(), Money::from_cents(1), 5);
    let mut account = opened_with(Money::from_cents(i64::MIN));
    let error = account.apply(&stored(&event)).expect_err("overflows");
    assert!(
        matches!(error, MessageError::Unhandleable { .. }),
        "{error}"
    );
}

/// The same history, with its `Opened` in the shape the release before
/// wrote (`holderName`) and in this release's (`holders`), and deposits
/// with and without a reference: the account is the same either way.
#[test]
fn a_history_in_the_first_shapes_projects_to_the_same_account_as_in_the_current_ones() {
    let opened = events::opened();
    let mut first_shape = serde_json::to_value(&opened).expect("encodes");
    let holders = first_shape
        .as_object_mut()
        .and_then(|fields| fields.remove("holders"))
        .expect("holders");
    first_shape["holderName"] = holders[0].clone();
    let deposited = events::deposited(controls::id::account(), Money::from_cents(1_000), 2);
    let withdrawn = events::withdrawn(controls::id::account(), Money::from_cents(250), 3);
    let referenced = |mut event: serde_json::Value| {
        event["reference"] = serde_json::json!("Rent, May");
        event
    };

    let fold = |history: Vec<(&str, serde_json::Value)>| {
        let mut account = Account::default();
        for (message_type, data) in history {
            let mut event = stored(&events::opened());
            event.message_type = message_type.to_string();
            event.data = data.to_string();
            account.apply(&event).expect("applied");
        }
        account
    };
    let first = fold(vec![
        ("Opened", first_shape),
        ("Deposited", json(&deposited)),
        ("Withdrawn", json(&withdrawn)),
    ]);
    let current = fold(vec![
        ("Opened", json(&opened)),
        ("Deposited", referenced(json(&deposited))),
        ("Withdrawn", referenced(json(&withdrawn))),
    ]);
    assert_eq!(first, current);
    assert_eq!(current.balance, Money::from_cents(750));
}

/// A message as JSON.
fn json<M: serde::Serialize>(message: &M) -> serde_json::Value {
    serde_json::to_value(message).expect("encodes")
}

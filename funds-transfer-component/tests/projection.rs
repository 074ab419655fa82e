//! The transfer's projection, event by event: what each event records of
//! the transfer, one outcome per test. The handlers decide from it, so an
//! event it forgets is a step taken again.

use account_component::messages::Reason;
use funds_transfer_component::controls::{events, id, time};
use funds_transfer_component::messages::events::{
    Cancelled, Deposited, ReleaseRejected, Released, Reversed, Transferred,
};
use funds_transfer_component::{FundsTransfer, ReleaseRefusal, streams};
use messaging::{Message, Projection, StoredMessage, Time};

fn stored<M: Message>(message: &M) -> StoredMessage {
    StoredMessage {
        id: uuid::Uuid::new_v4(),
        stream_name: streams::transfer_stream(id::transfer()),
        message_type: M::TYPE.to_string(),
        position: 0,
        global_position: 1,
        data: serde_json::to_string(message).expect("encodes"),
        metadata: None,
        time: Time::now(),
    }
}

fn applied<M: Message>(event: &M) -> FundsTransfer {
    let mut transfer = FundsTransfer::default();
    transfer.apply(&stored(event)).expect("applied");
    transfer
}

/// A release other than the one the controls make.
fn another_release() -> uuid::Uuid {
    uuid::Uuid::from_u128(0x7e2)
}

#[test]
fn initiated_records_the_accounts_amount_step_ids_and_reference() {
    let initiated = funds_transfer_component::messages::events::Initiated {
        reference: Some("Dinner".to_string()),
        ..events::initiated()
    };
    let transfer = applied(&initiated);
    assert_eq!(transfer.id, Some(id::transfer()));
    assert_eq!(transfer.withdrawal_account_id, Some(id::source_account()));
    assert_eq!(transfer.deposit_account_id, Some(id::destination_account()));
    assert_eq!(transfer.amount, initiated.amount);
    assert_eq!(transfer.withdrawal_id, Some(id::withdrawal()));
    assert_eq!(transfer.deposit_id, Some(id::deposit()));
    assert_eq!(transfer.refund_id, Some(id::refund()));
    assert_eq!(transfer.reference.as_deref(), Some("Dinner"));
    assert!(transfer.is_initiated());
}

#[test]
fn withdrawn_records_the_withdrawal() {
    assert!(applied(&events::withdrawn()).withdrawal_answered());
}

#[test]
fn deposited_records_the_deposit() {
    let deposited = Deposited {
        funds_transfer_id: id::transfer(),
        deposit_id: id::deposit(),
        account_id: id::destination_account(),
        amount: events::initiated().amount,
        time: time::example(),
        processed_time: time::processed(),
    };
    assert_eq!(applied(&deposited).deposited_time, Some(time::processed()));
}

#[test]
fn transferred_ends_the_transfer() {
    let transferred = Transferred {
        funds_transfer_id: id::transfer(),
        time: time::example(),
        processed_time: time::processed(),
    };
    let transfer = applied(&transferred);
    assert_eq!(transfer.transferred_time, Some(time::processed()));
    assert!(transfer.has_ended());
}

#[test]
fn cancelled_ends_the_transfer() {
    let cancelled = Cancelled {
        funds_transfer_id: id::transfer(),
        reason: Reason::InsufficientFunds,
        time: time::example(),
        processed_time: time::processed(),
    };
    let transfer = applied(&cancelled);
    assert_eq!(transfer.cancelled_time, Some(time::processed()));
    assert!(transfer.has_ended() && transfer.withdrawal_answered());
}

#[test]
fn deposit_rejected_records_the_refusal_and_its_reason() {
    let transfer = applied(&events::deposit_rejected());
    assert!(transfer.deposit_answered());
    assert_eq!(
        transfer.deposit_rejection_reason,
        Some(events::deposit_rejected().reason)
    );
}

#[test]
fn reversed_ends_the_transfer_with_the_refund_answered() {
    let reversed = Reversed {
        funds_transfer_id: id::transfer(),
        refund_id: id::refund(),
        reason: Reason::AccountClosed,
        time: time::example(),
        processed_time: time::processed(),
    };
    let transfer = applied(&reversed);
    assert_eq!(transfer.reversed_time, Some(time::processed()));
    assert!(transfer.has_ended() && transfer.refund_answered());
}

#[test]
fn refund_rejected_leaves_the_money_held() {
    let transfer = applied(&events::refund_rejected());
    assert_eq!(transfer.release_refusal(id::release()), None, "held");
    assert!(transfer.refund_answered());
}

#[test]
fn a_release_requested_is_under_way_until_released_or_refused() {
    let mut transfer = applied(&events::refund_rejected());
    transfer
        .apply(&stored(&events::release_requested()))
        .expect("applied");
    assert!(transfer.has_release(id::release()));
    assert!(!transfer.release_answered(id::release()));

    let mut released = transfer.clone();
    released
        .apply(&stored(&Released {
            funds_transfer_id: id::transfer(),
            release_id: id::release(),
            account_id: id::release_account(),
            amount: events::initiated().amount,
            time: time::example(),
            processed_time: time::processed(),
        }))
        .expect("applied");
    assert!(released.release_answered(id::release()));
    assert_eq!(
        released.release_refusal(another_release()),
        Some(ReleaseRefusal::AlreadyReleased)
    );

    let mut refused = transfer;
    refused
        .apply(&stored(&ReleaseRejected {
            funds_transfer_id: id::transfer(),
            release_id: id::release(),
            account_id: id::release_account(),
            reason: Reason::AccountClosed,
            time: time::example(),
            processed_time: time::processed(),
        }))
        .expect("applied");
    assert!(refused.release_answered(id::release()));
    assert_eq!(
        refused.release_refusal(another_release()),
        None,
        "a refused release leaves it held, to release elsewhere"
    );
}

#[test]
fn a_release_requested_again_after_its_answer_keeps_the_answer() {
    let mut transfer = applied(&events::refund_rejected());
    for event in [
        stored(&events::release_requested()),
        stored(&ReleaseRejected {
            funds_transfer_id: id::transfer(),
            release_id: id::release(),
            account_id: id::release_account(),
            reason: Reason::AccountClosed,
            time: time::example(),
            processed_time: time::processed(),
        }),
        stored(&events::release_requested()),
    ] {
        transfer.apply(&event).expect("applied");
    }
    assert!(transfer.release_answered(id::release()));
}

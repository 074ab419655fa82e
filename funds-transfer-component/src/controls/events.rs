//! Example transfer events, and the account events that answer them.

use account_component::messages::Reason;
use account_component::messages::events as account;
use messaging::{NewMessage, StreamName};

use super::{id, money, time};
use crate::messages::events::{
    DepositRejected, Initiated, RefundRejected, ReleaseRequested, Withdrawn,
};
use crate::streams;

/// The example transfer started.
pub fn initiated() -> Initiated {
    Initiated {
        funds_transfer_id: id::transfer(),
        withdrawal_account_id: id::source_account(),
        deposit_account_id: id::destination_account(),
        withdrawal_id: id::withdrawal(),
        deposit_id: id::deposit(),
        refund_id: id::refund(),
        amount: money::amount(),
        time: time::example(),
        processed_time: time::processed(),
        reference: None,
    }
}

/// The money left the source account.
pub fn withdrawn() -> Withdrawn {
    Withdrawn {
        funds_transfer_id: id::transfer(),
        withdrawal_id: id::withdrawal(),
        account_id: id::source_account(),
        amount: money::amount(),
        time: time::processed(),
        processed_time: time::processed(),
    }
}

/// The destination refused the deposit because it is closed.
pub fn deposit_rejected() -> DepositRejected {
    DepositRejected {
        funds_transfer_id: id::transfer(),
        deposit_id: id::deposit(),
        account_id: id::destination_account(),
        amount: money::amount(),
        reason: Reason::AccountClosed,
        time: time::processed(),
        processed_time: time::processed(),
    }
}

/// The source refused the refund too: the bank holds the money.
pub fn refund_rejected() -> RefundRejected {
    RefundRejected {
        funds_transfer_id: id::transfer(),
        refund_id: id::refund(),
        account_id: id::source_account(),
        amount: money::amount(),
        reason: Reason::AccountClosed,
        time: time::processed(),
        processed_time: time::processed(),
    }
}

/// An operator asked for the money held to go to the release account.
pub fn release_requested() -> ReleaseRequested {
    ReleaseRequested {
        funds_transfer_id: id::transfer(),
        release_id: id::release(),
        account_id: id::release_account(),
        amount: money::amount(),
        time: time::example(),
        processed_time: time::processed(),
    }
}

/// The account's answers, as the account component writes them: its own
/// event types, correlated with the example transfer.
pub mod answers {
    use super::*;

    /// The source account withdrew the transfer's amount.
    pub fn withdrawn() -> account::Withdrawn {
        account::Withdrawn {
            withdrawal_id: id::withdrawal(),
            ..account_component::controls::events::withdrawn(
                id::source_account(),
                money::amount(),
                10,
            )
        }
    }

    /// The source account refused the withdrawal.
    pub fn withdrawal_rejected(reason: Reason) -> account::WithdrawalRejected {
        account::WithdrawalRejected {
            withdrawal_id: id::withdrawal(),
            account_id: id::source_account(),
            ..account_component::controls::events::withdrawal_rejected(reason, 10)
        }
    }

    /// The destination account (or the source, for `deposit_id` = the refund
    /// id) took the deposit.
    pub fn deposited(deposit_id: uuid::Uuid, account_id: uuid::Uuid) -> account::Deposited {
        account::Deposited {
            deposit_id,
            ..account_component::controls::events::deposited(account_id, money::amount(), 11)
        }
    }

    /// An account refused a deposit.
    pub fn deposit_rejected(
        deposit_id: uuid::Uuid,
        account_id: uuid::Uuid,
    ) -> account::DepositRejected {
        account::DepositRejected {
            deposit_id,
            account_id,
            ..account_component::controls::events::deposit_rejected(Reason::AccountClosed, 11)
        }
    }

    /// An account event as written: correlated with the example transfer.
    pub fn correlated<M: messaging::Message>(event: &M) -> NewMessage {
        account_component::controls::history::message(event)
            .correlated_with(&streams::transfer_stream(id::transfer()))
    }

    /// The stream an answer from `account_id` is written to.
    pub fn stream(account_id: uuid::Uuid) -> StreamName {
        account_component::streams::account_stream(account_id)
    }
}

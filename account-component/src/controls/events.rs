//! Example events.

use uuid::Uuid;

use super::{id, money, time};
use crate::Money;
use crate::messages::Reason;
use crate::messages::events::{
    Closed, DepositRejected, Deposited, Opened, WithdrawalRejected, Withdrawn,
};

/// The example account was opened.
pub fn opened() -> Opened {
    Opened {
        account_id: id::account(),
        customer_id: id::customer(),
        holders: vec!["Ada Lovelace".to_string()],
        time: time::example(),
        processed_time: time::processed(),
        sequence: 1,
    }
}

/// `amount` was deposited into `account_id`, as transaction `sequence`.
pub fn deposited(account_id: Uuid, amount: Money, sequence: i64) -> Deposited {
    Deposited {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount,
        time: time::example(),
        processed_time: time::processed(),
        sequence,
        reference: None,
    }
}

/// `amount` was withdrawn from `account_id`, as transaction `sequence`.
pub fn withdrawn(account_id: Uuid, amount: Money, sequence: i64) -> Withdrawn {
    Withdrawn {
        withdrawal_id: Uuid::new_v4(),
        account_id,
        amount,
        time: time::example(),
        processed_time: time::processed(),
        sequence,
        reference: None,
    }
}

/// The example withdrawal was refused.
pub fn withdrawal_rejected(reason: Reason, sequence: i64) -> WithdrawalRejected {
    WithdrawalRejected {
        withdrawal_id: id::withdrawal(),
        account_id: id::account(),
        amount: money::amount(),
        reason,
        time: time::example(),
        processed_time: time::processed(),
        sequence,
        reference: None,
    }
}

/// The example deposit was refused.
pub fn deposit_rejected(reason: Reason, sequence: i64) -> DepositRejected {
    DepositRejected {
        deposit_id: id::deposit(),
        account_id: id::account(),
        amount: money::amount(),
        reason,
        time: time::example(),
        processed_time: time::processed(),
        sequence,
        reference: None,
    }
}

/// The example account was closed.
pub fn closed(sequence: i64) -> Closed {
    Closed {
        account_id: id::account(),
        time: time::example(),
        processed_time: time::processed(),
        sequence,
    }
}

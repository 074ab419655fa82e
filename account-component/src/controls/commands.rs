//! Example commands.

use super::{id, money, time};
use crate::messages::commands::{Close, Deposit, Open, Withdraw};

/// Open the example account.
pub fn open() -> Open {
    Open {
        account_id: id::account(),
        customer_id: id::customer(),
        holder_name: "Ada Lovelace".to_string(),
        time: time::example(),
    }
}

/// Deposit 11.00 into the example account.
pub fn deposit() -> Deposit {
    Deposit {
        deposit_id: id::deposit(),
        account_id: id::account(),
        amount: money::amount(),
        time: time::example(),
        reference: None,
    }
}

/// Withdraw 11.00 from the example account.
pub fn withdraw() -> Withdraw {
    Withdraw {
        withdrawal_id: id::withdrawal(),
        account_id: id::account(),
        amount: money::amount(),
        time: time::example(),
        reference: None,
    }
}

/// Close the example account.
pub fn close() -> Close {
    Close {
        account_id: id::account(),
        time: time::example(),
    }
}

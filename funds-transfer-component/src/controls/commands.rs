//! Example commands.

use super::{id, money, time};
use crate::messages::commands::Transfer;

/// Transfer 11.00 from the source to the destination example account.
pub fn transfer() -> Transfer {
    Transfer {
        funds_transfer_id: id::transfer(),
        withdrawal_account_id: id::source_account(),
        deposit_account_id: id::destination_account(),
        amount: money::amount(),
        time: time::example(),
    }
}

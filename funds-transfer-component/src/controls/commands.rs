//! Example commands.

use super::{id, money, time};
use crate::messages::commands::{ReleaseHeldRefund, Transfer};

/// Transfer 11.00 from the source to the destination example account.
pub fn transfer() -> Transfer {
    Transfer {
        funds_transfer_id: id::transfer(),
        withdrawal_account_id: id::source_account(),
        deposit_account_id: id::destination_account(),
        amount: money::amount(),
        time: time::example(),
        reference: None,
    }
}

/// Release the money the example transfer holds into the release account.
pub fn release_held_refund() -> ReleaseHeldRefund {
    ReleaseHeldRefund {
        funds_transfer_id: id::transfer(),
        release_id: id::release(),
        account_id: id::release_account(),
        time: time::example(),
    }
}

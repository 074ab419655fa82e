//! Example ids.

use uuid::Uuid;

pub use account_component::controls::id::{
    account as source_account, other_account as destination_account,
};

/// The example transfer.
pub fn transfer() -> Uuid {
    Uuid::from_u128(0xf7a0_0000_0000_4000_8000_0000_0000_0001)
}

/// The ids `Initiated` fixes for the example transfer: derived from its id
/// (see `step_ids.rs`), as the handler derives them.
pub fn withdrawal() -> Uuid {
    crate::step_ids::withdrawal_id(transfer())
}

/// See [`withdrawal`].
pub fn deposit() -> Uuid {
    crate::step_ids::deposit_id(transfer())
}

/// See [`withdrawal`].
pub fn refund() -> Uuid {
    crate::step_ids::refund_id(transfer())
}

/// An operator's release of the money the example transfer holds.
pub fn release() -> Uuid {
    Uuid::from_u128(0xf7a0_0000_0000_4000_8000_0000_0000_0002)
}

/// The account the example release pays into.
pub fn release_account() -> Uuid {
    Uuid::from_u128(0xacc0_0000_0000_4000_8000_0000_0000_0003)
}

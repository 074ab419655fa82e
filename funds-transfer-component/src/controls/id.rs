//! Example ids.

use uuid::Uuid;

pub use account_component::controls::id::{
    account as source_account, other_account as destination_account,
};

/// The example transfer.
pub fn transfer() -> Uuid {
    Uuid::from_u128(0xf7a0_0000_0000_4000_8000_0000_0000_0001)
}

/// The ids `Initiated` fixes are the first three of a sequential
/// `IdGenerator`, so a handler test with one can predict them.
pub fn withdrawal() -> Uuid {
    messaging::IdGenerator::sequential_id(1)
}

/// See [`withdrawal`].
pub fn deposit() -> Uuid {
    messaging::IdGenerator::sequential_id(2)
}

/// See [`withdrawal`].
pub fn refund() -> Uuid {
    messaging::IdGenerator::sequential_id(3)
}

/// An operator's release of the money the example transfer holds.
pub fn release() -> Uuid {
    Uuid::from_u128(0xf7a0_0000_0000_4000_8000_0000_0000_0002)
}

/// The account the example release pays into.
pub fn release_account() -> Uuid {
    Uuid::from_u128(0xacc0_0000_0000_4000_8000_0000_0000_0003)
}

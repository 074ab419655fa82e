//! Example ids, fixed so tests can name them.

use uuid::Uuid;

/// The account the examples are about.
pub fn account() -> Uuid {
    Uuid::from_u128(0xacc0_0000_0000_4000_8000_0000_0000_0001)
}

/// Another account.
pub fn other_account() -> Uuid {
    Uuid::from_u128(0xacc0_0000_0000_4000_8000_0000_0000_0002)
}

/// The customer who owns the account.
pub fn customer() -> Uuid {
    Uuid::from_u128(0xc057_0000_0000_4000_8000_0000_0000_0001)
}

/// A deposit.
pub fn deposit() -> Uuid {
    Uuid::from_u128(0xde90_0000_0000_4000_8000_0000_0000_0001)
}

/// A withdrawal.
pub fn withdrawal() -> Uuid {
    Uuid::from_u128(0x3d7a_0000_0000_4000_8000_0000_0000_0001)
}

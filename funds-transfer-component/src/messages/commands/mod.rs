//! Commands: sent to `fundsTransfer:command-{fundsTransferId}`.

mod release_held_refund;
mod transfer;

pub use release_held_refund::ReleaseHeldRefund;
pub use transfer::Transfer;

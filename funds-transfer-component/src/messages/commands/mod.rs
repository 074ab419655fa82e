//! Commands: sent to `fundsTransfer:command-{fundsTransferId}`.

mod transfer;

pub use transfer::Transfer;

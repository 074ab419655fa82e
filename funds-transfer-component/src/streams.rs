//! Where the funds-transfer component's messages live.
//!
//! - `fundsTransfer:command-{fundsTransferId}`: `Transfer` commands.
//! - `fundsTransfer-{fundsTransferId}`: the transfer's events.
//!
//! The commands it sends to accounts go to the account component's own
//! streams, through its client, each correlated with `fundsTransfer-{id}`.
//! The account's answers carry that correlation, so this component reads the
//! `account` category with correlation `fundsTransfer` and sees only them.

use messaging::{Category, StreamName};
use uuid::Uuid;

/// The transfers' events.
pub const CATEGORY: Category = Category::constant("fundsTransfer");

/// Transfer commands.
pub const COMMAND_CATEGORY: Category = Category::constant("fundsTransfer:command");

/// The identifier of this component's consumer of the `account` category;
/// its position lives in `account+position-fundsTransfer`.
pub const ACCOUNT_CONSUMER: &str = "fundsTransfer";

/// `fundsTransfer-{id}`.
pub fn transfer_stream(funds_transfer_id: Uuid) -> StreamName {
    CATEGORY.stream(funds_transfer_id)
}

/// `fundsTransfer:command-{id}`.
pub fn command_stream(funds_transfer_id: Uuid) -> StreamName {
    COMMAND_CATEGORY.stream(funds_transfer_id)
}

/// The transfer a `fundsTransfer-{id}` stream name (such as a correlation
/// stream name) is about.
pub fn transfer_id_of(stream_name: &str) -> Option<Uuid> {
    let name = StreamName::from_stored(stream_name);
    (name.category() == CATEGORY.as_str())
        .then(|| name.id().and_then(|id| Uuid::parse_str(id).ok()))
        .flatten()
}

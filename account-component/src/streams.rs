//! Where the account component's messages live.
//!
//! - `account:command-{accountId}`: commands sent to an account.
//! - `account-{accountId}`: the account's events, its only state.
//! - `accountTransaction-{accountId}+{transactionId}`: one stream per deposit
//!   or withdrawal, holding the command's reserved copy.
//!
//! The reservation stream puts the account id first, as its *cardinal* id.
//! Eventide's example reserves under `accountTransaction-{transactionId}`;
//! with the account first, a consumer group sends all of one account's
//! transactions to the same member, in order, which the sequence check
//! (`Account::has_processed`) depends on.

use messaging::{Category, StreamName};
use uuid::Uuid;

/// The account's events.
pub const CATEGORY: Category = Category::constant("account");

/// Commands sent to accounts.
pub const COMMAND_CATEGORY: Category = Category::constant("account:command");

/// The reserved copies of deposits and withdrawals.
pub const TRANSACTION_CATEGORY: Category = Category::constant("accountTransaction");

/// `account-{accountId}`.
pub fn account_stream(account_id: Uuid) -> StreamName {
    CATEGORY.stream(account_id)
}

/// `account:command-{accountId}`.
pub fn command_stream(account_id: Uuid) -> StreamName {
    COMMAND_CATEGORY.stream(account_id)
}

/// `accountTransaction-{accountId}+{transactionId}`.
pub fn transaction_stream(account_id: Uuid, transaction_id: Uuid) -> StreamName {
    TRANSACTION_CATEGORY.compound_stream(account_id, transaction_id)
}

/// The account id of a stream in any of the categories above: its cardinal
/// id, as a UUID.
pub fn account_id_of(stream_name: &StreamName) -> Option<Uuid> {
    stream_name
        .cardinal_id()
        .and_then(|id| Uuid::parse_str(id).ok())
}

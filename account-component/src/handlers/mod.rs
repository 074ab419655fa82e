//! The account component's handlers, one per category it reads.
//!
//! - [`commands::CommandHandler`] reads `account:command`: it opens and closes
//!   accounts, and *reserves* each deposit and withdrawal.
//! - [`commands::transactions::TransactionHandler`] reads `accountTransaction`:
//!   it turns each reserved deposit or withdrawal into an event.
//!
//! Every handler has the same shape, which is worth learning once:
//!
//! 1. decode the message;
//! 2. fetch the entity and its version from its own events;
//! 3. if the message was processed already, log that it is ignored, and stop;
//! 4. if a business rule refuses it, write a rejection *event*;
//! 5. otherwise write the event, made with `follow` (so it records what
//!    caused it), at the version fetched in step 2.
//!
//! If step 5 fails because the stream moved on, the consumer runs the
//! handler again, which fetches the newer state: maybe the message has been
//! processed by another instance meanwhile, and step 3 now ignores it.

pub mod commands;

use messaging::{MessageError, StoredMessage};
use uuid::Uuid;

use crate::streams;

/// Refuses a message whose data names another account than its stream does.
///
/// Consumer groups assign messages to instances by the stream's account id,
/// and the sequence check relies on each account's messages being handled in
/// order by one of them. A command in `account:command-A` that speaks of
/// account B would be handled out of B's order, so it is not handled at all:
/// it is parked as a contract violation.
fn ensure_addressed_to(message: &StoredMessage, account_id: Uuid) -> Result<(), MessageError> {
    if streams::account_id_of(&message.stream_name) == Some(account_id) {
        Ok(())
    } else {
        Err(message.unhandleable(format!(
            "its accountId {account_id} is not the account of its stream"
        )))
    }
}

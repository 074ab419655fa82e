//! The funds-transfer component's handlers, one per category it reads.
//!
//! A transfer is a *process* that spans two accounts the component does not
//! own. It cannot change a balance; it can only ask the account component,
//! by command, and listen for the answer, by event. Each handler moves the
//! process one step and records the step as an event; the next handler
//! reacts to that event. Every step is idempotent and the process resumes
//! from its events after a crash at any point:
//!
//! - [`commands::CommandHandler`] (`fundsTransfer:command`): `Transfer` becomes
//!   `Initiated` (or `Rejected`).
//! - [`events::EventHandler`] (`fundsTransfer`, its own events): `Initiated` sends
//!   `Withdraw` to the source, `Withdrawn` sends `Deposit` to the
//!   destination, `DepositRejected` sends the refund.
//! - [`account::events::AccountEventHandler`] (`account`, correlated with
//!   `fundsTransfer`): the accounts' answers become the transfer's events.
//!
//! Unlike the account, a transfer does not rely on the order messages arrive
//! in: each step happens at most once per transfer, and a handler that finds
//! its step done ignores the message. So this component can run as a
//! consumer group even though its consumer of `account` is partitioned by
//! account, not by transfer: two members touching one transfer are kept
//! apart by expected versions.

pub mod account;
pub mod commands;
pub mod events;

use messaging::{MessageError, StoredMessage};
use uuid::Uuid;

use crate::streams;

/// Refuses a command whose data names another transfer than its stream.
fn ensure_addressed_to(
    message: &StoredMessage,
    funds_transfer_id: Uuid,
) -> Result<(), MessageError> {
    let addressed = message
        .stream_name
        .id()
        .and_then(|id| Uuid::parse_str(id).ok());
    if addressed == Some(funds_transfer_id) {
        Ok(())
    } else {
        Err(message.unhandleable(format!(
            "its fundsTransferId {funds_transfer_id} is not the transfer of its stream"
        )))
    }
}

/// The transfer an event is about: the id of its own stream.
fn transfer_of(message: &StoredMessage) -> Result<Uuid, MessageError> {
    streams::transfer_id_of(message.stream_name.as_str())
        .ok_or_else(|| message.unhandleable("its stream is not a transfer's stream"))
}

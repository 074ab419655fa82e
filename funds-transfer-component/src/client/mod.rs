//! The funds-transfer component's client: how the web UI asks for a
//! transfer, or for the money a transfer holds to be released.
//!
//! Each command goes to `fundsTransfer:command-{id}`, the transfer it is
//! about; what sending is is [`messaging::Command`]'s to say.

use messaging::{Command, MessageError};

use crate::messages::commands::{ReleaseHeldRefund, Transfer};
use crate::streams;

/// The commands a transfer takes, each addressed to the transfer's command
/// stream.
#[derive(Clone, Copy, Debug)]
pub struct TransferCommand;

impl TransferCommand {
    /// Transfer money from one account to another.
    pub fn transfer(transfer: &Transfer) -> Result<Command, MessageError> {
        Command::to(
            streams::command_stream(transfer.funds_transfer_id),
            transfer,
        )
    }

    /// Release the money a transfer holds to an account.
    pub fn release_held_refund(release: &ReleaseHeldRefund) -> Result<Command, MessageError> {
        Command::to(streams::command_stream(release.funds_transfer_id), release)
    }
}

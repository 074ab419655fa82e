//! The funds-transfer component's client: how the web UI asks for a transfer.

use messaging::{ExpectedVersion, MessageError, MessageStore, NewMessage, StoreError, StreamName};
use uuid::Uuid;

use crate::messages::commands::{ReleaseHeldRefund, Transfer};
use crate::streams;

/// A command to the funds-transfer component (`Transfer`, or
/// `ReleaseHeldRefund`), ready to send to `fundsTransfer:command-{id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferCommand {
    stream_name: StreamName,
    message: NewMessage,
}

impl TransferCommand {
    /// Transfer money from one account to another.
    pub fn transfer(transfer: &Transfer) -> Result<TransferCommand, MessageError> {
        Ok(TransferCommand {
            stream_name: streams::command_stream(transfer.funds_transfer_id),
            message: NewMessage::new(transfer)?,
        })
    }

    /// Release the money a transfer holds to an account.
    pub fn release_held_refund(
        release: &ReleaseHeldRefund,
    ) -> Result<TransferCommand, MessageError> {
        Ok(TransferCommand {
            stream_name: streams::command_stream(release.funds_transfer_id),
            message: NewMessage::new(release)?,
        })
    }

    /// The same command with a chosen message id; the store takes each id
    /// once, so a second `send` with it fails with `DuplicateMessageId`.
    pub fn with_message_id(mut self, id: Uuid) -> TransferCommand {
        self.message = self.message.with_id(id);
        self
    }

    /// The stream the command goes to.
    pub fn stream_name(&self) -> &StreamName {
        &self.stream_name
    }

    /// The message that will be written.
    pub fn message(&self) -> &NewMessage {
        &self.message
    }

    /// Writes the command; returns the id of the message written.
    pub async fn send(&self, store: &MessageStore) -> Result<Uuid, StoreError> {
        store
            .write_message(&self.stream_name, &self.message, ExpectedVersion::Any)
            .await?;
        Ok(self.message.id)
    }
}

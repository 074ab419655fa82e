//! The commands handler: `fundsTransfer:command-{fundsTransferId}`.

use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};

use super::ensure_addressed_to;
use crate::messages::commands::{ReleaseHeldRefund, Transfer};
use crate::messages::events::{Initiated, Rejected, ReleaseRequested};
use crate::{FundsTransfer, streams};

/// Starts transfers, and releases the money a transfer holds.
#[derive(Clone, Debug)]
pub struct CommandHandler {
    /// Where the transfer's events are written.
    store: MessageStore,
    /// Where transfers are fetched from: projected from their own events.
    transfers: EntityStore<FundsTransfer>,
    /// Where `processed_time` comes from; tests fix it.
    clock: Clock,
}

impl CommandHandler {
    /// A handler writing to `store`, with the time from `clock`.
    pub fn new(
        store: MessageStore,
        transfers: EntityStore<FundsTransfer>,
        clock: Clock,
    ) -> CommandHandler {
        CommandHandler {
            store,
            transfers,
            clock,
        }
    }

    /// `Transfer`: the transfer starts (`Initiated`, which fixes the ids of
    /// every later step), or is refused outright (`Rejected`). Either way it
    /// is decided once: the same `Transfer` again finds it decided.
    async fn transfer(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let transfer: Transfer = message.decode()?;
        let id = transfer.funds_transfer_id;
        ensure_addressed_to(message, id)?;
        let (funds_transfer, version) = self.transfers.fetch(id).await?;

        if funds_transfer.is_decided() {
            tracing::info!("Transfer ignored: decided already");
            return Ok(());
        }

        let time = self.clock.now();
        let event = match FundsTransfer::initiation_refusal(&transfer) {
            Some(reason) => {
                tracing::info!(%reason, "Transfer rejected");
                NewMessage::follow(&Rejected::answering(&transfer, reason, time), message)?
            }
            None => {
                tracing::info!(amount = %transfer.amount, "Transfer initiated");
                NewMessage::follow(&Initiated::answering(&transfer, time), message)?
            }
        };
        let stream = streams::transfer_stream(id);
        self.store
            .write_message(&stream, &event, ExpectedVersion::Exactly(version))
            .await?;
        Ok(())
    }

    /// `ReleaseHeldRefund`: an operator chose an account for the money the
    /// transfer holds. The attempt is recorded (`ReleaseRequested`), and the
    /// events handler sends the deposit. The same release again finds its
    /// attempt recorded; a release of money not held, or held by no
    /// transfer, is a mistake no retry can fix, so it is parked with the
    /// reason, and no money moves.
    async fn release(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let release: ReleaseHeldRefund = message.decode()?;
        let id = release.funds_transfer_id;
        ensure_addressed_to(message, id)?;
        let (funds_transfer, version) = self.transfers.fetch(id).await?;

        if funds_transfer.has_release(release.release_id) {
            tracing::info!("ReleaseHeldRefund ignored: recorded already");
            return Ok(());
        }
        if let Some(refusal) = funds_transfer.release_refusal(release.release_id) {
            let error = format!("no money to release for transfer {id}: {refusal}");
            return Err(message.unhandleable(error).into());
        }

        tracing::info!(account_id = %release.account_id, "ReleaseHeldRefund requested");
        let requested =
            ReleaseRequested::answering(&release, funds_transfer.amount, self.clock.now());
        let event = NewMessage::follow(&requested, message)?;
        let stream = streams::transfer_stream(id);
        self.store
            .write_message(&stream, &event, ExpectedVersion::Exactly(version))
            .await?;
        Ok(())
    }
}

impl Handler for CommandHandler {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Transfer::TYPE => self.transfer(message).await,
            ReleaseHeldRefund::TYPE => self.release(message).await,
            _ => Ok(()),
        }
    }
}

//! The commands handler: `fundsTransfer:command-{fundsTransferId}`.

use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, IdGenerator, Message, MessageStore,
    NewMessage, StoredMessage,
};

use super::ensure_addressed_to;
use crate::messages::RejectionReason;
use crate::messages::commands::Transfer;
use crate::messages::events::{Initiated, Rejected};
use crate::{FundsTransfer, streams};

/// Starts transfers.
#[derive(Clone, Debug)]
pub struct Commands {
    store: MessageStore,
    transfers: EntityStore<FundsTransfer>,
    clock: Clock,
    ids: IdGenerator,
}

impl Commands {
    /// A handler writing to `store`, with the time from `clock` and new ids
    /// from `ids`.
    pub fn new(
        store: MessageStore,
        transfers: EntityStore<FundsTransfer>,
        clock: Clock,
        ids: IdGenerator,
    ) -> Commands {
        Commands {
            store,
            transfers,
            clock,
            ids,
        }
    }

    async fn transfer(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let transfer: Transfer = message.decode()?;
        let id = transfer.funds_transfer_id;
        ensure_addressed_to(message, id)?;
        let (funds_transfer, version) = self.transfers.fetch(id).await?;

        if funds_transfer.is_decided() {
            tracing::info!(funds_transfer_id = %id, outcome = "ignored", "Transfer: decided already");
            return Ok(());
        }

        let processed_time = self.clock.now();
        let refusal = if transfer.withdrawal_account_id == transfer.deposit_account_id {
            Some(RejectionReason::SameAccount)
        } else if !transfer.amount.is_positive() {
            Some(RejectionReason::InvalidAmount)
        } else {
            None
        };
        let event = match refusal {
            Some(reason) => {
                tracing::info!(funds_transfer_id = %id, %reason, outcome = "rejected", "Transfer");
                NewMessage::follow(
                    &Rejected {
                        funds_transfer_id: id,
                        withdrawal_account_id: transfer.withdrawal_account_id,
                        deposit_account_id: transfer.deposit_account_id,
                        amount: transfer.amount,
                        reason,
                        time: transfer.time,
                        processed_time,
                    },
                    message,
                )?
            }
            None => {
                tracing::info!(funds_transfer_id = %id, amount = %transfer.amount, outcome = "initiated", "Transfer");
                // The ids of every later step are chosen now, once. However
                // often a step is retried, it sends the same ids, and the
                // accounts recognize a repeat.
                NewMessage::follow(
                    &Initiated {
                        funds_transfer_id: id,
                        withdrawal_account_id: transfer.withdrawal_account_id,
                        deposit_account_id: transfer.deposit_account_id,
                        withdrawal_id: self.ids.next_id(),
                        deposit_id: self.ids.next_id(),
                        refund_id: self.ids.next_id(),
                        amount: transfer.amount,
                        time: transfer.time,
                        processed_time,
                    },
                    message,
                )?
            }
        };
        self.store
            .write_message(
                &streams::transfer_stream(id),
                &event,
                ExpectedVersion::Exactly(version),
            )
            .await?;
        Ok(())
    }
}

impl Handler for Commands {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Transfer::TYPE => self.transfer(message).await,
            _ => Ok(()),
        }
    }
}

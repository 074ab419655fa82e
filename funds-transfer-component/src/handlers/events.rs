//! The events handler: the transfer's own events, `fundsTransfer-{id}`.

use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Withdraw};
use messaging::{
    Clock, Command, EntityStore, Handler, HandlerError, Message, MessageStore, StoredMessage,
};

use super::transfer_of;
use crate::messages::events::{DepositRejected, Initiated, ReleaseRequested, Withdrawn};
use crate::{FundsTransfer, streams};

/// Sends the accounts the commands each step calls for.
///
/// Sending a command twice is harmless: it carries the ids fixed in
/// `Initiated`, and the account component reserves each id once. The handler
/// still skips a step whose answer is already recorded, so a re-delivered
/// event does not litter the account's command stream.
#[derive(Clone, Debug)]
pub struct EventHandler {
    /// Where the account commands are written.
    store: MessageStore,
    /// Where transfers are fetched from: projected from their own events.
    transfers: EntityStore<FundsTransfer>,
    /// Where the commands' `time` comes from; tests fix it.
    clock: Clock,
}

impl EventHandler {
    /// A handler sending commands to `store`.
    pub fn new(
        store: MessageStore,
        transfers: EntityStore<FundsTransfer>,
        clock: Clock,
    ) -> EventHandler {
        EventHandler {
            store,
            transfers,
            clock,
        }
    }

    /// `Initiated`: withdraw the money from the source account.
    async fn initiated(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let initiated: Initiated = message.decode()?;
        let (transfer, _) = self.transfers.fetch(transfer_of(message)?).await?;
        if transfer.withdrawal_answered() {
            tracing::info!("Initiated ignored: the withdrawal was answered already");
            return Ok(());
        }
        let withdraw = Withdraw {
            withdrawal_id: initiated.withdrawal_id,
            account_id: initiated.withdrawal_account_id,
            amount: initiated.amount,
            time: self.clock.now(),
            reference: initiated.reference,
        };
        self.send(AccountCommand::withdraw(&withdraw)?, message)
            .await?;
        tracing::info!("Initiated: asked the source account to withdraw");
        Ok(())
    }

    /// `Withdrawn`: the money is in flight; deposit it into the destination.
    async fn withdrawn(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let id = transfer_of(message)?;
        let (transfer, _) = self.transfers.fetch(id).await?;
        if transfer.deposit_answered() {
            tracing::info!("Withdrawn ignored: the deposit was answered already");
            return Ok(());
        }
        let (Some(deposit_id), Some(account_id)) =
            (transfer.deposit_id, transfer.deposit_account_id)
        else {
            return Err(message
                .unhandleable("the transfer was never initiated")
                .into());
        };
        let deposit = Deposit {
            deposit_id,
            account_id,
            amount: transfer.amount,
            time: self.clock.now(),
            reference: transfer.reference.clone(),
        };
        self.send(AccountCommand::deposit(&deposit)?, message)
            .await?;
        tracing::info!("Withdrawn: asked the destination account to deposit");
        Ok(())
    }

    /// `DepositRejected`: the destination refused; give the money back to
    /// the source, with the refund id fixed in `Initiated`.
    async fn deposit_rejected(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let id = transfer_of(message)?;
        let (transfer, _) = self.transfers.fetch(id).await?;
        if transfer.refund_answered() {
            tracing::info!("DepositRejected ignored: the refund was answered already");
            return Ok(());
        }
        let (Some(refund_id), Some(account_id)) =
            (transfer.refund_id, transfer.withdrawal_account_id)
        else {
            return Err(message
                .unhandleable("the transfer was never initiated")
                .into());
        };
        let refund = Deposit {
            deposit_id: refund_id,
            account_id,
            amount: transfer.amount,
            time: self.clock.now(),
            reference: transfer.reference.clone(),
        };
        self.send(AccountCommand::deposit(&refund)?, message)
            .await?;
        tracing::info!("DepositRejected: asked the source account for the refund");
        Ok(())
    }

    /// `ReleaseRequested`: pay the money held into the account the operator
    /// chose, with the release's id as the deposit's.
    async fn release_requested(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let requested: ReleaseRequested = message.decode()?;
        let (transfer, _) = self.transfers.fetch(transfer_of(message)?).await?;
        if transfer.release_answered(requested.release_id) {
            tracing::info!("ReleaseRequested ignored: the release was answered already");
            return Ok(());
        }
        let deposit = Deposit {
            deposit_id: requested.release_id,
            account_id: requested.account_id,
            amount: requested.amount,
            time: self.clock.now(),
            reference: None,
        };
        self.send(AccountCommand::deposit(&deposit)?, message)
            .await?;
        tracing::info!("ReleaseRequested: asked the chosen account to take the money");
        Ok(())
    }

    /// Sends an account command caused by `message` and correlated with the
    /// transfer, so that the account's answer finds its way back here.
    async fn send(&self, command: Command, message: &StoredMessage) -> Result<(), HandlerError> {
        let transfer_stream = streams::transfer_stream(transfer_of(message)?);
        command
            .following(message)?
            .correlated_with(&transfer_stream)
            .send(&self.store)
            .await?;
        Ok(())
    }
}

impl Handler for EventHandler {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Initiated::TYPE => self.initiated(message).await,
            Withdrawn::TYPE => self.withdrawn(message).await,
            DepositRejected::TYPE => self.deposit_rejected(message).await,
            ReleaseRequested::TYPE => self.release_requested(message).await,
            _ => Ok(()),
        }
    }
}

//! The commands handler: `account:command-{accountId}`.

pub mod transactions;

use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};
use uuid::Uuid;

use super::ensure_addressed_to;
use crate::messages::Reason;
use crate::messages::commands::{Close, Deposit, Open, Withdraw};
use crate::messages::events::{CloseRejected, Closed, Opened};
use crate::{Account, Money, streams};

/// Opens and closes accounts, and reserves deposits and withdrawals.
#[derive(Clone, Debug)]
pub struct Commands {
    store: MessageStore,
    accounts: EntityStore<Account>,
    clock: Clock,
}

impl Commands {
    /// A handler writing to `store`, fetching from `accounts`, with the time
    /// from `clock`.
    pub fn new(store: MessageStore, accounts: EntityStore<Account>, clock: Clock) -> Commands {
        Commands {
            store,
            accounts,
            clock,
        }
    }

    async fn open(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let open: Open = message.decode()?;
        ensure_addressed_to(message, open.account_id)?;
        let (account, version) = self.accounts.fetch(open.account_id).await?;

        if account.was_opened() {
            tracing::info!(account_id = %open.account_id, outcome = "ignored", "Open: the account was opened already");
            return Ok(());
        }

        let opened = Opened {
            account_id: open.account_id,
            customer_id: open.customer_id,
            holder_name: open.holder_name,
            time: open.time,
            processed_time: self.clock.now(),
            sequence: message.global_position,
        };
        let event = NewMessage::follow(&opened, message)?;
        self.store
            .write_message(
                &streams::account_stream(open.account_id),
                &event,
                ExpectedVersion::Exactly(version),
            )
            .await?;
        tracing::info!(account_id = %open.account_id, outcome = "opened", "Open");
        Ok(())
    }

    async fn close(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let close: Close = message.decode()?;
        ensure_addressed_to(message, close.account_id)?;
        let (account, version) = self.accounts.fetch(close.account_id).await?;
        let sequence = message.global_position;

        if account.has_processed_command(sequence) {
            tracing::info!(account_id = %close.account_id, sequence, outcome = "ignored", "Close: processed already");
            return Ok(());
        }
        if account.is_closed() {
            tracing::info!(account_id = %close.account_id, outcome = "ignored", "Close: the account is closed already");
            return Ok(());
        }

        let processed_time = self.clock.now();
        let refusal = if !account.was_opened() {
            Some(Reason::AccountNotOpen)
        } else if account.balance != Money::ZERO {
            Some(Reason::BalanceNotZero)
        } else {
            None
        };
        let event = match refusal {
            Some(reason) => {
                tracing::info!(account_id = %close.account_id, %reason, outcome = "rejected", "Close");
                let rejected = CloseRejected {
                    account_id: close.account_id,
                    reason,
                    time: close.time,
                    processed_time,
                    sequence,
                };
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!(account_id = %close.account_id, outcome = "closed", "Close");
                let closed = Closed {
                    account_id: close.account_id,
                    time: close.time,
                    processed_time,
                    sequence,
                };
                NewMessage::follow(&closed, message)?
            }
        };
        self.store
            .write_message(
                &streams::account_stream(close.account_id),
                &event,
                ExpectedVersion::Exactly(version),
            )
            .await?;
        Ok(())
    }

    /// The first layer of idempotence: copy the command into its own
    /// reservation stream, `accountTransaction-{accountId}+{transactionId}`,
    /// on condition that the stream does not exist yet. The first copy of a
    /// transaction wins; a command re-sent with the same transaction id (a
    /// double-clicked form, a retrying client) finds the stream taken, and is
    /// dropped here, before it can touch the balance.
    async fn reserve<M: Message>(
        &self,
        message: &StoredMessage,
        command: &M,
        account_id: Uuid,
        transaction_id: Uuid,
    ) -> Result<(), HandlerError> {
        ensure_addressed_to(message, account_id)?;
        let copy = NewMessage::follow(command, message)?;
        let reservation = streams::transaction_stream(account_id, transaction_id);
        match self
            .store
            .write_message(&reservation, &copy, ExpectedVersion::INITIAL)
            .await
        {
            Ok(_) => {
                tracing::info!(%account_id, %transaction_id, command = M::TYPE, outcome = "reserved", "reserved the transaction");
                Ok(())
            }
            Err(error) if error.is_wrong_expected_version() => {
                tracing::info!(%account_id, %transaction_id, command = M::TYPE, outcome = "ignored", "the transaction was reserved already");
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }
}

impl Handler for Commands {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Open::TYPE => self.open(message).await,
            Close::TYPE => self.close(message).await,
            Deposit::TYPE => {
                let deposit: Deposit = message.decode()?;
                self.reserve(message, &deposit, deposit.account_id, deposit.deposit_id)
                    .await
            }
            Withdraw::TYPE => {
                let withdraw: Withdraw = message.decode()?;
                self.reserve(
                    message,
                    &withdraw,
                    withdraw.account_id,
                    withdraw.withdrawal_id,
                )
                .await
            }
            _ => Ok(()),
        }
    }
}

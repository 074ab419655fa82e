//! The transactions handler: `accountTransaction-{accountId}+{transactionId}`,
//! the reserved copies of deposits and withdrawals.

use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};

use uuid::Uuid;

use crate::handlers::ensure_addressed_to;
use crate::messages::commands::{Deposit, Withdraw};
use crate::messages::events::{DepositRejected, Deposited, WithdrawalRejected, Withdrawn};
use crate::{Account, streams};

/// Turns reserved deposits and withdrawals into events on the account.
#[derive(Clone, Debug)]
pub struct TransactionHandler {
    /// Where the events are written.
    store: MessageStore,
    /// Where accounts are fetched from: projected from their own events.
    accounts: EntityStore<Account>,
    /// Where `processed_time` comes from; tests fix it.
    clock: Clock,
}

impl TransactionHandler {
    /// A handler writing to `store`, fetching from `accounts`, with the time
    /// from `clock`.
    pub fn new(
        store: MessageStore,
        accounts: EntityStore<Account>,
        clock: Clock,
    ) -> TransactionHandler {
        TransactionHandler {
            store,
            accounts,
            clock,
        }
    }

    /// A reserved `Deposit`: the account takes it, or refuses it.
    ///
    /// This is the second layer of idempotence. The reserved copy's global
    /// position is the transaction's *sequence*: it is written into the
    /// event, and the account remembers the highest one it has processed.
    /// This message arriving again (after a crash, a rewound consumer, a
    /// second instance) finds its sequence processed, and is ignored.
    async fn deposit(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        // Data that does not parse is the message's fault, not the
        // database's: `?` turns it into `HandlerError::Message`, and the
        // consumer parks the message instead of retrying it forever.
        let deposit: Deposit = message.decode()?;
        ensure_addressed_to(message, deposit.account_id)?;
        // The account as its own events describe it, and the version (the
        // position of its last event) that the decision below is made on.
        let (account, version) = self.accounts.fetch(deposit.account_id).await?;
        let sequence = message.global_position;

        if account.has_processed(sequence) {
            tracing::info!(sequence, "Deposit ignored: processed already");
            return Ok(());
        }

        // A refusal is an outcome like any other, recorded as an event: the
        // customer, the transfer that sent the money, the views all need to
        // know it happened. Nothing here returns an error for it.
        let time = self.clock.now();
        let event = match account.deposit_refusal(deposit.amount) {
            Some(reason) => {
                tracing::info!(%reason, "Deposit rejected");
                let rejected = DepositRejected::answering(&deposit, reason, sequence, time);
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!(amount = %deposit.amount, "Deposited");
                NewMessage::follow(&Deposited::answering(&deposit, sequence, time), message)?
            }
        };
        self.write(deposit.account_id, event, version).await
    }

    /// A reserved `Withdraw`: the account pays it out, or refuses it. The
    /// same shape as a deposit, with the account's other rule.
    async fn withdraw(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let withdraw: Withdraw = message.decode()?;
        ensure_addressed_to(message, withdraw.account_id)?;
        let (account, version) = self.accounts.fetch(withdraw.account_id).await?;
        let sequence = message.global_position;

        if account.has_processed(sequence) {
            tracing::info!(sequence, "Withdraw ignored: processed already");
            return Ok(());
        }

        // Insufficient funds is checked here, against the balance the
        // account's own events add up to, at `version`: if another
        // withdrawal was written meanwhile, the write below fails and the
        // message is decided again on the newer balance. That is what keeps
        // the balance from going below zero without any lock.
        let time = self.clock.now();
        let event = match account.withdrawal_refusal(withdraw.amount) {
            Some(reason) => {
                tracing::info!(%reason, "Withdrawal rejected");
                let rejected = WithdrawalRejected::answering(&withdraw, reason, sequence, time);
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!(amount = %withdraw.amount, "Withdrawn");
                NewMessage::follow(&Withdrawn::answering(&withdraw, sequence, time), message)?
            }
        };
        self.write(withdraw.account_id, event, version).await
    }

    /// Writes the decision at the version it was made on. If another event
    /// got there first, the write fails with a wrong expected version, and
    /// the consumer handles the message again from a fresh fetch: the
    /// decision is made again, on what is true now, never forced through.
    /// The event goes in the account's stream and nowhere else; the views
    /// and the transfers learn of it by reading that stream.
    async fn write(
        &self,
        account_id: Uuid,
        event: NewMessage,
        version: i64,
    ) -> Result<(), HandlerError> {
        let stream = streams::account_stream(account_id);
        self.store
            .write_message(&stream, &event, ExpectedVersion::Exactly(version))
            .await?;
        Ok(())
    }
}

impl Handler for TransactionHandler {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Deposit::TYPE => self.deposit(message).await,
            Withdraw::TYPE => self.withdraw(message).await,
            _ => Ok(()),
        }
    }
}

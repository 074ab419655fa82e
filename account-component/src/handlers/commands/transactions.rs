//! The transactions handler: `accountTransaction-{accountId}+{transactionId}`.

use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};

use crate::handlers::ensure_addressed_to;
use crate::messages::Reason;
use crate::messages::commands::{Deposit, Withdraw};
use crate::messages::events::{DepositRejected, Deposited, WithdrawalRejected, Withdrawn};
use uuid::Uuid;

use crate::{Account, streams};

/// Turns reserved deposits and withdrawals into events on the account.
#[derive(Clone, Debug)]
pub struct Transactions {
    store: MessageStore,
    accounts: EntityStore<Account>,
    clock: Clock,
}

impl Transactions {
    /// A handler writing to `store`, fetching from `accounts`, with the time
    /// from `clock`.
    pub fn new(store: MessageStore, accounts: EntityStore<Account>, clock: Clock) -> Transactions {
        Transactions {
            store,
            accounts,
            clock,
        }
    }

    /// The second layer of idempotence. The reserved copy's global position
    /// is the transaction's *sequence*: it is written into the event, and
    /// the account remembers the highest one it has processed. This message
    /// arriving again (after a crash, a rewound consumer, a second instance)
    /// finds its sequence processed, and is ignored.
    async fn deposit(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let deposit: Deposit = message.decode()?;
        ensure_addressed_to(message, deposit.account_id)?;
        let (account, version) = self.accounts.fetch(deposit.account_id).await?;
        let sequence = message.global_position;

        if account.has_processed(sequence) {
            tracing::info!(account_id = %deposit.account_id, deposit_id = %deposit.deposit_id, sequence, outcome = "ignored", "Deposit: processed already");
            return Ok(());
        }

        let refusal = account.transaction_refusal().or_else(|| {
            if !deposit.amount.is_positive() {
                Some(Reason::InvalidAmount)
            } else if account.balance.checked_add(deposit.amount).is_none() {
                Some(Reason::BalanceLimitExceeded)
            } else {
                None
            }
        });
        let processed_time = self.clock.now();
        let event = match refusal {
            Some(reason) => {
                tracing::info!(account_id = %deposit.account_id, deposit_id = %deposit.deposit_id, %reason, outcome = "rejected", "Deposit");
                let rejected = DepositRejected {
                    deposit_id: deposit.deposit_id,
                    account_id: deposit.account_id,
                    amount: deposit.amount,
                    reason,
                    time: deposit.time,
                    processed_time,
                    sequence,
                };
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!(account_id = %deposit.account_id, deposit_id = %deposit.deposit_id, amount = %deposit.amount, outcome = "deposited", "Deposit");
                let deposited = Deposited {
                    deposit_id: deposit.deposit_id,
                    account_id: deposit.account_id,
                    amount: deposit.amount,
                    time: deposit.time,
                    processed_time,
                    sequence,
                };
                NewMessage::follow(&deposited, message)?
            }
        };
        self.write(deposit.account_id, version, event).await
    }

    async fn withdraw(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let withdraw: Withdraw = message.decode()?;
        ensure_addressed_to(message, withdraw.account_id)?;
        let (account, version) = self.accounts.fetch(withdraw.account_id).await?;
        let sequence = message.global_position;

        if account.has_processed(sequence) {
            tracing::info!(account_id = %withdraw.account_id, withdrawal_id = %withdraw.withdrawal_id, sequence, outcome = "ignored", "Withdraw: processed already");
            return Ok(());
        }

        let refusal = account.transaction_refusal().or_else(|| {
            if !withdraw.amount.is_positive() {
                Some(Reason::InvalidAmount)
            } else if !account.has_sufficient_funds(withdraw.amount) {
                Some(Reason::InsufficientFunds)
            } else {
                None
            }
        });
        let processed_time = self.clock.now();
        let event = match refusal {
            Some(reason) => {
                tracing::info!(account_id = %withdraw.account_id, withdrawal_id = %withdraw.withdrawal_id, %reason, outcome = "rejected", "Withdraw");
                let rejected = WithdrawalRejected {
                    withdrawal_id: withdraw.withdrawal_id,
                    account_id: withdraw.account_id,
                    amount: withdraw.amount,
                    reason,
                    time: withdraw.time,
                    processed_time,
                    sequence,
                };
                NewMessage::follow(&rejected, message)?
            }
            None => {
                tracing::info!(account_id = %withdraw.account_id, withdrawal_id = %withdraw.withdrawal_id, amount = %withdraw.amount, outcome = "withdrawn", "Withdraw");
                let withdrawn = Withdrawn {
                    withdrawal_id: withdraw.withdrawal_id,
                    account_id: withdraw.account_id,
                    amount: withdraw.amount,
                    time: withdraw.time,
                    processed_time,
                    sequence,
                };
                NewMessage::follow(&withdrawn, message)?
            }
        };
        self.write(withdraw.account_id, version, event).await
    }

    /// Writes the decision at the version it was made on. If another event
    /// got there first, the write fails, and the consumer handles the
    /// message again from a fresh fetch.
    async fn write(
        &self,
        account_id: Uuid,
        version: i64,
        event: NewMessage,
    ) -> Result<(), HandlerError> {
        self.store
            .write_message(
                &streams::account_stream(account_id),
                &event,
                ExpectedVersion::Exactly(version),
            )
            .await?;
        Ok(())
    }
}

impl Handler for Transactions {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            Deposit::TYPE => self.deposit(message).await,
            Withdraw::TYPE => self.withdraw(message).await,
            _ => Ok(()),
        }
    }
}

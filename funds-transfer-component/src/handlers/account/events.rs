//! The account events handler: the accounts' answers, read from `account`
//! with correlation `fundsTransfer`.

use account_component::messages::events as account;
use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};
use uuid::Uuid;

use crate::messages::events::{
    Cancelled, DepositRejected, Deposited, RefundRejected, Reversed, Transferred, Withdrawn,
};
use crate::{FundsTransfer, streams};

/// Records each account answer as a step of its transfer.
#[derive(Clone, Debug)]
pub struct AccountEvents {
    store: MessageStore,
    transfers: EntityStore<FundsTransfer>,
    clock: Clock,
}

/// A transfer fetched for an account event, and the version to write at.
struct Fetched {
    id: Uuid,
    transfer: FundsTransfer,
    version: i64,
}

impl AccountEvents {
    /// A handler writing transfer events to `store`.
    pub fn new(
        store: MessageStore,
        transfers: EntityStore<FundsTransfer>,
        clock: Clock,
    ) -> AccountEvents {
        AccountEvents {
            store,
            transfers,
            clock,
        }
    }

    /// The transfer an account event answers: the one its correlation names.
    /// `None` for account events that belong to no transfer.
    async fn fetch(&self, message: &StoredMessage) -> Result<Option<Fetched>, HandlerError> {
        let metadata = message.metadata()?;
        let Some(id) = metadata
            .correlation_stream_name
            .as_deref()
            .and_then(streams::transfer_id_of)
        else {
            return Ok(None);
        };
        let (transfer, version) = self.transfers.fetch(id).await?;
        if !transfer.is_initiated() {
            return Err(message
                .unhandleable(format!(
                    "it answers transfer {id}, which was never initiated"
                ))
                .into());
        }
        Ok(Some(Fetched {
            id,
            transfer,
            version,
        }))
    }

    async fn withdrawn(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let withdrawn: account::Withdrawn = message.decode()?;
        ensure_same(
            message,
            "withdrawalId",
            fetched.transfer.withdrawal_id,
            withdrawn.withdrawal_id,
        )?;
        if fetched.transfer.withdrawal_answered() {
            return ignored(&fetched, "Withdrawn");
        }
        let event = Withdrawn {
            funds_transfer_id: fetched.id,
            withdrawal_id: withdrawn.withdrawal_id,
            account_id: withdrawn.account_id,
            amount: withdrawn.amount,
            time: withdrawn.processed_time,
            processed_time: self.clock.now(),
        };
        tracing::info!(funds_transfer_id = %fetched.id, outcome = "withdrawn", "the source account withdrew");
        self.write(&fetched, vec![NewMessage::follow(&event, message)?])
            .await
    }

    async fn withdrawal_rejected(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let rejected: account::WithdrawalRejected = message.decode()?;
        ensure_same(
            message,
            "withdrawalId",
            fetched.transfer.withdrawal_id,
            rejected.withdrawal_id,
        )?;
        if fetched.transfer.withdrawal_answered() {
            return ignored(&fetched, "WithdrawalRejected");
        }
        let event = Cancelled {
            funds_transfer_id: fetched.id,
            reason: rejected.reason,
            time: rejected.processed_time,
            processed_time: self.clock.now(),
        };
        tracing::info!(funds_transfer_id = %fetched.id, reason = %rejected.reason, outcome = "cancelled", "the source account refused");
        self.write(&fetched, vec![NewMessage::follow(&event, message)?])
            .await
    }

    async fn deposited(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let deposited: account::Deposited = message.decode()?;
        let transfer = &fetched.transfer;
        let processed_time = self.clock.now();

        if transfer.deposit_id == Some(deposited.deposit_id) {
            if transfer.deposit_answered() {
                return ignored(&fetched, "Deposited");
            }
            // The deposit and the end of the transfer are written together,
            // in one transaction: there is no moment at which the money has
            // arrived but the transfer is not over.
            let events = vec![
                NewMessage::follow(
                    &Deposited {
                        funds_transfer_id: fetched.id,
                        deposit_id: deposited.deposit_id,
                        account_id: deposited.account_id,
                        amount: deposited.amount,
                        time: deposited.processed_time,
                        processed_time,
                    },
                    message,
                )?,
                NewMessage::follow(
                    &Transferred {
                        funds_transfer_id: fetched.id,
                        time: deposited.processed_time,
                        processed_time,
                    },
                    message,
                )?,
            ];
            tracing::info!(funds_transfer_id = %fetched.id, outcome = "transferred", "the destination account deposited");
            return self.write(&fetched, events).await;
        }

        ensure_same(
            message,
            "depositId",
            transfer.refund_id,
            deposited.deposit_id,
        )?;
        if transfer.refund_answered() {
            return ignored(&fetched, "Deposited (refund)");
        }
        let Some(reason) = transfer.deposit_rejection_reason else {
            return Err(message
                .unhandleable("a refund arrived for a deposit that was never rejected")
                .into());
        };
        let event = Reversed {
            funds_transfer_id: fetched.id,
            refund_id: deposited.deposit_id,
            reason,
            time: deposited.processed_time,
            processed_time,
        };
        tracing::info!(funds_transfer_id = %fetched.id, outcome = "reversed", "the source account took the refund");
        self.write(&fetched, vec![NewMessage::follow(&event, message)?])
            .await
    }

    async fn deposit_rejected(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let rejected: account::DepositRejected = message.decode()?;
        let transfer = &fetched.transfer;
        let processed_time = self.clock.now();

        if transfer.deposit_id == Some(rejected.deposit_id) {
            if transfer.deposit_answered() {
                return ignored(&fetched, "DepositRejected");
            }
            let event = DepositRejected {
                funds_transfer_id: fetched.id,
                deposit_id: rejected.deposit_id,
                account_id: rejected.account_id,
                amount: rejected.amount,
                reason: rejected.reason,
                time: rejected.processed_time,
                processed_time,
            };
            tracing::info!(funds_transfer_id = %fetched.id, reason = %rejected.reason, outcome = "deposit rejected", "the destination account refused; refunding");
            return self
                .write(&fetched, vec![NewMessage::follow(&event, message)?])
                .await;
        }

        ensure_same(
            message,
            "depositId",
            transfer.refund_id,
            rejected.deposit_id,
        )?;
        if transfer.refund_answered() {
            return ignored(&fetched, "DepositRejected (refund)");
        }
        let event = RefundRejected {
            funds_transfer_id: fetched.id,
            refund_id: rejected.deposit_id,
            account_id: rejected.account_id,
            amount: rejected.amount,
            reason: rejected.reason,
            time: rejected.processed_time,
            processed_time,
        };
        tracing::warn!(funds_transfer_id = %fetched.id, reason = %rejected.reason, outcome = "refund rejected", "the source account refused the refund; the money is held for a person to return");
        self.write(&fetched, vec![NewMessage::follow(&event, message)?])
            .await
    }

    async fn write(&self, fetched: &Fetched, events: Vec<NewMessage>) -> Result<(), HandlerError> {
        self.store
            .write(
                &streams::transfer_stream(fetched.id),
                &events,
                ExpectedVersion::Exactly(fetched.version),
            )
            .await?;
        Ok(())
    }
}

fn ignored(fetched: &Fetched, what: &str) -> Result<(), HandlerError> {
    tracing::info!(funds_transfer_id = %fetched.id, outcome = "ignored", "{what}: recorded already");
    Ok(())
}

/// An account event correlated with a transfer must carry the id the
/// transfer fixed for that step; anything else breaks the contract.
fn ensure_same(
    message: &StoredMessage,
    what: &str,
    expected: Option<Uuid>,
    actual: Uuid,
) -> Result<(), HandlerError> {
    if expected == Some(actual) {
        Ok(())
    } else {
        Err(message
            .unhandleable(format!("its {what} {actual} is not one its transfer fixed"))
            .into())
    }
}

impl Handler for AccountEvents {
    async fn handle(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        match message.message_type.as_str() {
            account::Withdrawn::TYPE => self.withdrawn(message).await,
            account::WithdrawalRejected::TYPE => self.withdrawal_rejected(message).await,
            account::Deposited::TYPE => self.deposited(message).await,
            account::DepositRejected::TYPE => self.deposit_rejected(message).await,
            _ => Ok(()),
        }
    }
}

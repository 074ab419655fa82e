//! The account events handler: the accounts' answers, read from `account`
//! with correlation `fundsTransfer`.
//!
//! Each answer becomes a step of the transfer it belongs to, recorded as the
//! transfer's own event. Which transfer: the one the answer's
//! `correlationStreamName` names, carried along from the command this
//! component sent. Whether the step happened already: the transfer records
//! each step's time, so an answer that arrives again finds its step done,
//! and is ignored.

use account_component::messages::events as account;
use messaging::{
    Clock, EntityStore, ExpectedVersion, Handler, HandlerError, Message, MessageStore, NewMessage,
    StoredMessage,
};
use uuid::Uuid;

use crate::messages::events::{
    Cancelled, DepositRejected, Deposited, RefundRejected, ReleaseRejected, Released, Reversed,
    Transferred, Withdrawn,
};
use crate::{FundsTransfer, TransferDeposit, streams};

/// Records each account answer as a step of its transfer.
#[derive(Clone, Debug)]
pub struct AccountEventHandler {
    /// Where the transfer's events are written.
    store: MessageStore,
    /// Where transfers are fetched from: projected from their own events.
    transfers: EntityStore<FundsTransfer>,
    /// Where `processed_time` comes from; tests fix it.
    clock: Clock,
}

/// A transfer fetched for an account event, and the version to write at.
struct Fetched {
    id: Uuid,
    transfer: FundsTransfer,
    version: i64,
}

impl AccountEventHandler {
    /// A handler writing transfer events to `store`.
    pub fn new(
        store: MessageStore,
        transfers: EntityStore<FundsTransfer>,
        clock: Clock,
    ) -> AccountEventHandler {
        AccountEventHandler {
            store,
            transfers,
            clock,
        }
    }

    /// The source account withdrew: the money is in flight.
    async fn withdrawn(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let withdrawn: account::Withdrawn = message.decode()?;
        let fixed = fetched.transfer.withdrawal_id;
        ensure_fixed(message, "withdrawalId", fixed, withdrawn.withdrawal_id)?;

        if fetched.transfer.withdrawal_answered() {
            return ignored("Withdrawn");
        }

        tracing::info!("Withdrawn: the money is in flight");
        let event = Withdrawn::answering(&withdrawn, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
    }

    /// The source account refused the withdrawal: nothing moved, and the
    /// transfer is over.
    async fn withdrawal_rejected(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let rejected: account::WithdrawalRejected = message.decode()?;
        let fixed = fetched.transfer.withdrawal_id;
        ensure_fixed(message, "withdrawalId", fixed, rejected.withdrawal_id)?;

        if fetched.transfer.withdrawal_answered() {
            return ignored("WithdrawalRejected");
        }

        tracing::info!(reason = %rejected.reason, "Cancelled: the source refused");
        let event = Cancelled::answering(&rejected, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
    }

    /// An account took a deposit: the destination took the transfer, or the
    /// source took the refund back.
    async fn deposited(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let deposited: account::Deposited = message.decode()?;
        match fetched.transfer.deposit_named(deposited.deposit_id) {
            Some(TransferDeposit::ToDestination) => {
                self.transferred(fetched, &deposited, message).await
            }
            Some(TransferDeposit::Refund) => self.reversed(fetched, &deposited, message).await,
            Some(TransferDeposit::Release) => self.released(fetched, &deposited, message).await,
            None => Err(not_fixed(message, "depositId", deposited.deposit_id)),
        }
    }

    /// The account an operator chose took the money the bank held.
    async fn released(
        &self,
        fetched: Fetched,
        deposited: &account::Deposited,
        message: &StoredMessage,
    ) -> Result<(), HandlerError> {
        if fetched.transfer.release_answered(deposited.deposit_id) {
            return ignored("Deposited (release)");
        }

        tracing::info!("Released: the money held went to the account chosen");
        let event = Released::answering(deposited, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
    }

    /// The destination took the money: the transfer is complete.
    async fn transferred(
        &self,
        fetched: Fetched,
        deposited: &account::Deposited,
        message: &StoredMessage,
    ) -> Result<(), HandlerError> {
        if fetched.transfer.deposit_answered() {
            return ignored("Deposited");
        }

        tracing::info!("Transferred: the destination took the money");
        let time = self.clock.now();
        // The deposit and the end of the transfer are written together, in
        // one transaction: there is no moment at which the money has
        // arrived but the transfer is not over.
        let events = [
            NewMessage::follow(&Deposited::answering(deposited, fetched.id, time), message)?,
            NewMessage::follow(
                &Transferred::answering(deposited, fetched.id, time),
                message,
            )?,
        ];
        self.write(&fetched, &events).await
    }

    /// The source took the refund back: the transfer is undone.
    async fn reversed(
        &self,
        fetched: Fetched,
        refunded: &account::Deposited,
        message: &StoredMessage,
    ) -> Result<(), HandlerError> {
        if fetched.transfer.refund_answered() {
            return ignored("Deposited (refund)");
        }
        let Some(reason) = fetched.transfer.deposit_rejection_reason else {
            let error = message.unhandleable("a refund arrived for a deposit never rejected");
            return Err(error.into());
        };

        tracing::info!("Reversed: the source took the refund");
        let event = Reversed::answering(refunded, reason, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
    }

    /// An account refused a deposit: the destination refused the transfer
    /// (so the money is refunded next), or the source refused the refund.
    async fn deposit_rejected(&self, message: &StoredMessage) -> Result<(), HandlerError> {
        let Some(fetched) = self.fetch(message).await? else {
            return Ok(());
        };
        let rejected: account::DepositRejected = message.decode()?;
        match fetched.transfer.deposit_named(rejected.deposit_id) {
            Some(TransferDeposit::ToDestination) => {
                self.refunding(fetched, &rejected, message).await
            }
            Some(TransferDeposit::Refund) => {
                self.refund_rejected(fetched, &rejected, message).await
            }
            Some(TransferDeposit::Release) => {
                self.release_rejected(fetched, &rejected, message).await
            }
            None => Err(not_fixed(message, "depositId", rejected.deposit_id)),
        }
    }

    /// The account an operator chose refused the money (it is closed): the
    /// bank still holds it, for another release to place.
    async fn release_rejected(
        &self,
        fetched: Fetched,
        rejected: &account::DepositRejected,
        message: &StoredMessage,
    ) -> Result<(), HandlerError> {
        if fetched.transfer.release_answered(rejected.deposit_id) {
            return ignored("DepositRejected (release)");
        }

        tracing::warn!(reason = %rejected.reason, "ReleaseRejected: the bank still holds the money");
        let event = ReleaseRejected::answering(rejected, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
    }

    /// The destination refused the money: it goes back to the source (the
    /// events handler sends the refund when it reads this event).
    async fn refunding(
        &self,
        fetched: Fetched,
        rejected: &account::DepositRejected,
        message: &StoredMessage,
    ) -> Result<(), HandlerError> {
        if fetched.transfer.deposit_answered() {
            return ignored("DepositRejected");
        }

        tracing::info!(reason = %rejected.reason, "DepositRejected: refunding");
        let event = DepositRejected::answering(rejected, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
    }

    /// The source refused the refund too (it was closed meanwhile): the bank
    /// holds the money, and the process stops for a person to decide.
    async fn refund_rejected(
        &self,
        fetched: Fetched,
        rejected: &account::DepositRejected,
        message: &StoredMessage,
    ) -> Result<(), HandlerError> {
        if fetched.transfer.refund_answered() {
            return ignored("DepositRejected (refund)");
        }

        tracing::warn!(reason = %rejected.reason, "RefundRejected: the bank holds the money");
        let event = RefundRejected::answering(rejected, fetched.id, self.clock.now());
        self.write(&fetched, &[NewMessage::follow(&event, message)?])
            .await
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
            let error = format!("it answers transfer {id}, which was never initiated");
            return Err(message.unhandleable(error).into());
        }
        Ok(Some(Fetched {
            id,
            transfer,
            version,
        }))
    }

    /// Writes a step to the transfer's stream at the version it was decided
    /// on; if another instance recorded a step meanwhile, the consumer
    /// handles the answer again from a fresh fetch.
    async fn write(&self, fetched: &Fetched, events: &[NewMessage]) -> Result<(), HandlerError> {
        let stream = streams::transfer_stream(fetched.id);
        self.store
            .write(&stream, events, ExpectedVersion::Exactly(fetched.version))
            .await?;
        Ok(())
    }
}

fn ignored(what: &str) -> Result<(), HandlerError> {
    tracing::info!("{what} ignored: recorded already");
    Ok(())
}

/// An account event correlated with a transfer must carry the id the
/// transfer fixed for that step; anything else breaks the contract.
fn ensure_fixed(
    message: &StoredMessage,
    what: &str,
    fixed: Option<Uuid>,
    actual: Uuid,
) -> Result<(), HandlerError> {
    if fixed == Some(actual) {
        Ok(())
    } else {
        Err(not_fixed(message, what, actual))
    }
}

fn not_fixed(message: &StoredMessage, what: &str, actual: Uuid) -> HandlerError {
    let error = format!("its {what} {actual} is not one its transfer fixed");
    message.unhandleable(error).into()
}

impl Handler for AccountEventHandler {
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

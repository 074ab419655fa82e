//! Rebuilding a transfer from its events.

use messaging::{Message, MessageError, Projection, StoredMessage};

use crate::FundsTransfer;
use crate::messages::events::{
    Cancelled, DepositRejected, Deposited, Initiated, RefundRejected, Rejected, ReleaseRejected,
    ReleaseRequested, Released, Reversed, Transferred, Withdrawn,
};

impl Projection for FundsTransfer {
    fn apply(&mut self, event: &StoredMessage) -> Result<(), MessageError> {
        match event.message_type.as_str() {
            Initiated::TYPE => {
                let initiated: Initiated = event.decode()?;
                self.id = Some(initiated.funds_transfer_id);
                self.withdrawal_account_id = Some(initiated.withdrawal_account_id);
                self.deposit_account_id = Some(initiated.deposit_account_id);
                self.amount = initiated.amount;
                self.reference = initiated.reference;
                self.withdrawal_id = Some(initiated.withdrawal_id);
                self.deposit_id = Some(initiated.deposit_id);
                self.refund_id = Some(initiated.refund_id);
                self.initiated_time = Some(initiated.processed_time);
            }
            Rejected::TYPE => {
                let rejected: Rejected = event.decode()?;
                self.id = Some(rejected.funds_transfer_id);
                self.rejected_time = Some(rejected.processed_time);
            }
            Withdrawn::TYPE => {
                self.withdrawn_time = Some(event.decode::<Withdrawn>()?.processed_time);
            }
            Deposited::TYPE => {
                self.deposited_time = Some(event.decode::<Deposited>()?.processed_time);
            }
            Transferred::TYPE => {
                self.transferred_time = Some(event.decode::<Transferred>()?.processed_time);
            }
            Cancelled::TYPE => {
                self.cancelled_time = Some(event.decode::<Cancelled>()?.processed_time);
            }
            DepositRejected::TYPE => {
                let rejected: DepositRejected = event.decode()?;
                self.deposit_rejected_time = Some(rejected.processed_time);
                self.deposit_rejection_reason = Some(rejected.reason);
            }
            Reversed::TYPE => {
                self.reversed_time = Some(event.decode::<Reversed>()?.processed_time);
            }
            RefundRejected::TYPE => {
                self.refund_rejected_time = Some(event.decode::<RefundRejected>()?.processed_time);
            }
            ReleaseRequested::TYPE => {
                let requested: ReleaseRequested = event.decode()?;
                self.releases.entry(requested.release_id).or_insert(None);
            }
            Released::TYPE => {
                let released: Released = event.decode()?;
                self.releases.insert(released.release_id, Some(true));
                self.released_time = Some(released.processed_time);
            }
            ReleaseRejected::TYPE => {
                let rejected: ReleaseRejected = event.decode()?;
                self.releases.insert(rejected.release_id, Some(false));
            }
            _ => {}
        }
        Ok(())
    }
}

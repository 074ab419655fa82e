//! The operations page: consumers, their lag, parked messages, and the
//! money the bank holds.

use std::collections::HashMap;

use uuid::Uuid;
use views::operations::{ConsumerProgress, DeadLetter, LAG_LIMIT};
use views::transfers::{Transfer, TransferStatus};

use super::{name_in, transfer_status};
use crate::components::RunningComponent;
use crate::form_id::FormId;
use crate::format;
use crate::pages::{
    ComponentRow, ConsumerRow, DeadLetterRow, HeldRow, OperationsPage, ReleaseForm, Watch,
};

/// What the operations page shows.
#[derive(Debug)]
pub struct Operations {
    /// The components running in this process.
    pub components: Vec<RunningComponent>,
    pub consumers: Vec<ConsumerProgress>,
    pub dead_letters: Vec<DeadLetter>,
    /// The transfers whose money the bank holds.
    pub held: Vec<Transfer>,
    /// The accounts' names, to label them.
    pub names: HashMap<Uuid, String>,
}

/// A release form that was refused, to show again beside its transfer.
#[derive(Debug)]
pub struct RefusedRelease {
    pub funds_transfer_id: Uuid,
    pub form: ReleaseForm,
}

/// The operations page. It follows the consumers live (`watch`): it reloads
/// when a position or a lag changes, so stopping a component shows its lag
/// growing.
pub fn operations_page(
    operations: Operations,
    refused: Option<RefusedRelease>,
    watch: Watch,
) -> OperationsPage {
    let Operations {
        components,
        consumers,
        dead_letters,
        held,
        names,
    } = operations;
    let consumers = consumers
        .into_iter()
        .map(|consumer| ConsumerRow {
            caught_up: consumer.is_caught_up(),
            lag: if consumer.lag >= i64::from(LAG_LIMIT) {
                format!("{LAG_LIMIT}+")
            } else {
                consumer.lag.to_string()
            },
            position: consumer
                .position
                .map_or_else(|| "none".to_string(), |p| p.to_string()),
            updated: format::time(consumer.updated_time),
            name: consumer.position_stream,
            category: consumer.category,
        })
        .collect();
    let dead_letters = dead_letters
        .into_iter()
        .map(|letter| DeadLetterRow {
            time: format::time(letter.time),
            consumer: letter.consumer,
            stream_name: letter.stream_name,
            position: letter.position,
            message_type: letter.message_type,
            error: letter.error,
        })
        .collect();
    let held = held
        .into_iter()
        .map(|transfer| {
            let release =
                (transfer.status == TransferStatus::RefundRejected).then(|| match &refused {
                    Some(refused) if refused.funds_transfer_id == transfer.funds_transfer_id => {
                        refused.form.clone()
                    }
                    _ => ReleaseForm {
                        command_id: FormId::new().to_string(),
                        account_id: String::new(),
                        error: None,
                    },
                });
            HeldRow {
                transfer_id: transfer.funds_transfer_id.to_string(),
                amount: format::money(transfer.amount),
                from: name_in(&names, transfer.withdrawal_account_id),
                to: name_in(&names, transfer.deposit_account_id),
                reason: transfer.reason,
                status: transfer_status(transfer.status),
                release,
            }
        })
        .collect();
    OperationsPage {
        watch: Some(watch),
        components: components
            .iter()
            .map(|component| ComponentRow {
                name: component.name,
                paused: component.pause.is_paused(),
            })
            .collect(),
        consumers,
        dead_letters,
        held,
    }
}

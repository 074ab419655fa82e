//! The operations page: consumers, their lag, and parked messages.

use views::operations::{ConsumerProgress, DeadLetter, LAG_LIMIT};

use crate::format;
use crate::pages::{ConsumerRow, DeadLetterRow, OperationsPage, Watch};

/// The operations page. It follows the consumers live (`watch`): it reloads
/// when a position or a lag changes, so stopping a component shows its lag
/// growing.
pub fn operations_page(
    consumers: Vec<ConsumerProgress>,
    dead_letters: Vec<DeadLetter>,
    watch: Watch,
) -> OperationsPage {
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
    OperationsPage {
        watch: Some(watch),
        consumers,
        dead_letters,
    }
}

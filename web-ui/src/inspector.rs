//! The message inspector: the raw messages behind an account or a transfer.
//!
//! This is the one part of the UI that reads the message store, and it only
//! reads. It exists to show what the rest of the UI hides: the commands, the
//! reservations and the events, with their positions, and how each was
//! caused by another (its `causationMessageGlobalPosition`), drawn as a
//! tree. It scans categories to find a transfer's or an account's messages,
//! which is fine for a teaching tool on a demo's data and would not be for a
//! production path (the views exist for that).

use std::collections::{BTreeMap, HashMap};

use account_component::streams as account_streams;
use funds_transfer_component::streams as transfer_streams;
use messaging::{Category, CategoryRead, MessageStore, StoreError, StoredMessage, StreamName};
use uuid::Uuid;

use crate::format;
use crate::pages::InspectedRow;

/// How many messages of a category the inspector looks through at most.
const SCAN_LIMIT: usize = 100_000;

/// The messages behind an account: its commands, its reservations, its events.
pub async fn account(
    store: &MessageStore,
    account_id: Uuid,
) -> Result<Vec<InspectedRow>, StoreError> {
    let mut messages = whole_stream(store, &account_streams::command_stream(account_id)).await?;
    messages.extend(whole_stream(store, &account_streams::account_stream(account_id)).await?);
    let reservations = scan(store, &account_streams::TRANSACTION_CATEGORY, None).await?;
    messages.extend(reservations.into_iter().filter(|message| {
        account_streams::account_id_of(&message.stream_name) == Some(account_id)
    }));
    Ok(chain(messages))
}

/// The messages behind a transfer: its command and events, and every account
/// message correlated with it.
pub async fn transfer(
    store: &MessageStore,
    funds_transfer_id: Uuid,
) -> Result<Vec<InspectedRow>, StoreError> {
    let mut messages =
        whole_stream(store, &transfer_streams::command_stream(funds_transfer_id)).await?;
    let transfer_stream = transfer_streams::transfer_stream(funds_transfer_id);
    messages.extend(whole_stream(store, &transfer_stream).await?);
    for category in [
        account_streams::COMMAND_CATEGORY,
        account_streams::TRANSACTION_CATEGORY,
        account_streams::CATEGORY,
    ] {
        // The correlation filter narrows the scan to messages of some
        // transfer, using the category index; then keep this transfer's.
        let correlated = scan(store, &category, Some(transfer_streams::CATEGORY)).await?;
        messages.extend(correlated.into_iter().filter(|message| {
            message
                .metadata()
                .ok()
                .and_then(|metadata| metadata.correlation_stream_name)
                .is_some_and(|correlation| correlation == transfer_stream.as_str())
        }));
    }
    Ok(chain(messages))
}

async fn whole_stream(
    store: &MessageStore,
    stream: &StreamName,
) -> Result<Vec<StoredMessage>, StoreError> {
    store.read_stream(stream, 0, 10_000).await
}

async fn scan(
    store: &MessageStore,
    category: &Category,
    correlation: Option<Category>,
) -> Result<Vec<StoredMessage>, StoreError> {
    let mut read = CategoryRead::new(category.clone())
        .batch_size(1000)
        .correlation(correlation);
    let mut found = Vec::new();
    let mut scanned = 0;
    while scanned < SCAN_LIMIT {
        let batch = store.read_category(&read).await?;
        let Some(last) = batch.last() else { break };
        read.from_global_position = last.global_position + 1;
        scanned += batch.len();
        found.extend(batch);
    }
    Ok(found)
}

/// Arranges messages as a causal tree: each message under the one that
/// caused it (when that one is among them), siblings in global order.
fn chain(messages: Vec<StoredMessage>) -> Vec<InspectedRow> {
    let by_position: BTreeMap<i64, StoredMessage> = messages
        .into_iter()
        .map(|message| (message.global_position, message))
        .collect();
    let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    for (position, message) in &by_position {
        let cause = message
            .metadata()
            .ok()
            .and_then(|metadata| metadata.causation_message_global_position)
            .filter(|cause| by_position.contains_key(cause));
        children.entry(cause).or_default().push(*position);
    }
    let mut rows = Vec::new();
    let mut stack: Vec<(i64, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|root| (*root, 0)).collect())
        .unwrap_or_default();
    while let Some((position, depth)) = stack.pop() {
        let Some(message) = by_position.get(&position) else {
            continue;
        };
        rows.push(row(message, depth));
        if let Some(kids) = children.get(&Some(position)) {
            stack.extend(kids.iter().rev().map(|kid| (*kid, depth + 1)));
        }
    }
    rows
}

fn row(message: &StoredMessage, depth: usize) -> InspectedRow {
    let category = message.stream_name.category();
    let kind = if category.ends_with(":command") {
        "command"
    } else if category == account_streams::TRANSACTION_CATEGORY.as_str() {
        "reservation"
    } else {
        "event"
    };
    let metadata = message.metadata().unwrap_or_default();
    let data = serde_json::from_str::<serde_json::Value>(&message.data)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| message.data.clone());
    InspectedRow {
        depth,
        kind,
        stream_name: message.stream_name.to_string(),
        position: message.position,
        global_position: message.global_position,
        message_type: message.message_type.clone(),
        time: format::time(message.time),
        causation: metadata.causation_message_stream_name.map(|stream| {
            format!(
                "{stream} position {} (global {})",
                metadata.causation_message_position.unwrap_or_default(),
                metadata
                    .causation_message_global_position
                    .unwrap_or_default()
            )
        }),
        correlation: metadata.correlation_stream_name,
        data,
    }
}

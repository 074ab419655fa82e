//! The message inspector: the raw messages behind an account or a transfer.
//!
//! This is the one part of the UI that reads the message store, and it only
//! reads. It exists to show what the rest of the UI hides: the commands, the
//! reservations and the events, with their positions, and how each was
//! caused by another (its `causationMessageGlobalPosition`), drawn as a
//! tree.
//!
//! It never scans a category. It reads the few streams it can name (an
//! account's commands and events, a transfer's), the latest part of each,
//! then follows what they say: each message's causation names the stream
//! and position of the one that caused it, and each deposit or withdrawal
//! names its reservation stream by its id. Every read is one lookup on the
//! store's `(stream_name, position)` index, and there are at most
//! [`MESSAGES_PER_INSPECTION`] of them, so an inspection costs the same in a
//! store of a thousand messages as in one of a million.

use std::collections::{BTreeMap, HashMap};

use account_component::Money;
use account_component::messages::commands::{Deposit, Withdraw};
use account_component::streams as account_streams;
use funds_transfer_component::messages::events::Initiated;
use funds_transfer_component::streams as transfer_streams;
use messaging::{MessageStore, StoreError, StoredMessage, StreamName};
use uuid::Uuid;

use crate::format;
use crate::pages::InspectedRow;

/// The most messages one inspection reads.
pub const MESSAGES_PER_INSPECTION: usize = 200;

/// Of a long stream, the inspector reads the latest this many messages.
const LATEST_OF_A_STREAM: i64 = 50;

/// The messages behind an account: its latest commands and events, the
/// reservation of each deposit and withdrawal among them, and what caused
/// each.
pub async fn account(
    store: &MessageStore,
    account_id: Uuid,
) -> Result<Vec<InspectedRow>, StoreError> {
    let mut found = Found::default();
    found
        .latest(store, &account_streams::command_stream(account_id))
        .await?;
    found
        .latest(store, &account_streams::account_stream(account_id))
        .await?;
    let reservations: Vec<StreamName> = found
        .messages()
        .filter_map(transaction_id)
        .map(|transaction| account_streams::transaction_stream(account_id, transaction))
        .collect();
    for reservation in reservations {
        found.first(store, &reservation).await?;
    }
    found.causes(store).await?;
    Ok(chain(found.into_messages()))
}

/// The messages behind a transfer: its command and events, the reservations
/// of the deposits and withdrawal it asked the accounts for, and, following
/// causation back from each, every account message in between.
pub async fn transfer(
    store: &MessageStore,
    funds_transfer_id: Uuid,
) -> Result<Vec<InspectedRow>, StoreError> {
    let mut found = Found::default();
    found
        .latest(store, &transfer_streams::command_stream(funds_transfer_id))
        .await?;
    found
        .latest(store, &transfer_streams::transfer_stream(funds_transfer_id))
        .await?;
    // `Initiated` fixed the ids of the transfer's account commands, and so
    // the names of their reservation streams.
    let initiated = found
        .messages()
        .find(|message| message.is::<Initiated>())
        .and_then(|message| message.decode::<Initiated>().ok());
    if let Some(initiated) = initiated {
        let (from, to) = (
            initiated.withdrawal_account_id,
            initiated.deposit_account_id,
        );
        for (account, transaction) in [
            (from, initiated.withdrawal_id),
            (to, initiated.deposit_id),
            (from, initiated.refund_id),
        ] {
            found
                .first(
                    store,
                    &account_streams::transaction_stream(account, transaction),
                )
                .await?;
        }
    }
    found.causes(store).await?;
    Ok(chain(found.into_messages()))
}

/// The deposit or withdrawal id of an account command or event, if it has
/// one: the id its reservation stream is named after.
fn transaction_id(message: &StoredMessage) -> Option<Uuid> {
    if message.is::<Deposit>() {
        return message
            .decode::<Deposit>()
            .ok()
            .map(|deposit| deposit.deposit_id);
    }
    if message.is::<Withdraw>() {
        return message
            .decode::<Withdraw>()
            .ok()
            .map(|withdraw| withdraw.withdrawal_id);
    }
    None
}

/// The messages an inspection has read, by global position, never more
/// than [`MESSAGES_PER_INSPECTION`].
#[derive(Default)]
struct Found(BTreeMap<i64, StoredMessage>);

impl Found {
    fn messages(&self) -> impl Iterator<Item = &StoredMessage> {
        self.0.values()
    }

    fn into_messages(self) -> Vec<StoredMessage> {
        self.0.into_values().collect()
    }

    fn is_full(&self) -> bool {
        self.0.len() >= MESSAGES_PER_INSPECTION
    }

    fn add(&mut self, messages: Vec<StoredMessage>) {
        for message in messages {
            if self.is_full() {
                return;
            }
            self.0.insert(message.global_position, message);
        }
    }

    /// The latest messages of `stream`.
    async fn latest(
        &mut self,
        store: &MessageStore,
        stream: &StreamName,
    ) -> Result<(), StoreError> {
        let Some(version) = store.stream_version(stream).await? else {
            return Ok(());
        };
        let from = (version - LATEST_OF_A_STREAM + 1).max(0);
        self.read(store, stream, from, LATEST_OF_A_STREAM).await
    }

    /// The first message of `stream` (a reservation has only one).
    async fn first(&mut self, store: &MessageStore, stream: &StreamName) -> Result<(), StoreError> {
        self.read(store, stream, 0, 1).await
    }

    async fn read(
        &mut self,
        store: &MessageStore,
        stream: &StreamName,
        from: i64,
        count: i64,
    ) -> Result<(), StoreError> {
        if self.is_full() {
            return Ok(());
        }
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.add(store.read_stream(stream, from, count).await?);
        Ok(())
    }

    /// What caused each message found, and what caused those, as far back
    /// as the causation metadata goes (or the bound allows).
    async fn causes(&mut self, store: &MessageStore) -> Result<(), StoreError> {
        loop {
            let missing: Vec<(StreamName, i64)> = self
                .messages()
                .filter_map(|message| {
                    let metadata = message.metadata().ok()?;
                    let global = metadata.causation_message_global_position?;
                    let stream = metadata.causation_message_stream_name?;
                    let position = metadata.causation_message_position?;
                    (!self.0.contains_key(&global))
                        .then(|| (StreamName::from_stored(stream), position))
                })
                .collect();
            if missing.is_empty() || self.is_full() {
                return Ok(());
            }
            let before = self.0.len();
            for (stream, position) in missing {
                self.read(store, &stream, position, 1).await?;
            }
            // A causation that names a message not there (a position
            // rewritten by hand, say) is not looked for again.
            if self.0.len() == before {
                return Ok(());
            }
        }
    }
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
    let value = serde_json::from_str::<serde_json::Value>(&message.data).ok();
    let data = value
        .as_ref()
        .and_then(|value| serde_json::to_string_pretty(value).ok())
        .unwrap_or_else(|| message.data.clone());
    let amount = value
        .as_ref()
        .and_then(|value| value.get("amount")?.as_i64())
        .map(|cents| format::money(Money::from_cents(cents)));
    let causation_stream = metadata.causation_message_stream_name;
    InspectedRow {
        depth,
        kind,
        stream_name: message.stream_name.to_string(),
        stream_link: inspection_of(message.stream_name.as_ref()),
        position: message.position,
        global_position: message.global_position,
        message_type: message.message_type.clone(),
        time: format::time(message.time),
        amount,
        causation_link: causation_stream.as_deref().and_then(inspection_of),
        causation: causation_stream.map(|stream| {
            format!(
                "{stream} position {} (global {})",
                metadata.causation_message_position.unwrap_or_default(),
                metadata
                    .causation_message_global_position
                    .unwrap_or_default()
            )
        }),
        correlation_link: metadata
            .correlation_stream_name
            .as_deref()
            .and_then(inspection_of),
        correlation: metadata.correlation_stream_name,
        data,
    }
}

/// The inspection a stream belongs to: an account's streams (`account-`,
/// `account:command-`, `accountTransaction-{id}+...`) to the account's, a
/// transfer's (`fundsTransfer-`, `fundsTransfer:command-`) to the
/// transfer's, by the stream's cardinal id. Other streams have none.
fn inspection_of(stream_name: &str) -> Option<String> {
    let stream = StreamName::from_stored(stream_name);
    let id = Uuid::parse_str(stream.cardinal_id()?).ok()?;
    let category = stream.category();
    // `account:command` and `account+position` are the account's too.
    let entity = category.split([':', '+']).next().unwrap_or(category);
    if entity == account_streams::CATEGORY.as_str()
        || entity == account_streams::TRANSACTION_CATEGORY.as_str()
    {
        Some(format!("/inspector?account={id}"))
    } else if entity == transfer_streams::CATEGORY.as_str() {
        Some(format!("/inspector?transfer={id}"))
    } else {
        None
    }
}

//! `bank print`: the messages of a stream or a category, with metadata.

use std::io::Write;

use messaging::{Category, CategoryRead, MessageStore, StreamName};

/// Writes every message of `name` (a stream, or a category when it has no
/// `-`) to `out`, oldest first: position, type, time, data and metadata.
pub async fn print(
    store: &MessageStore,
    name: &str,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let stream = StreamName::from_stored(name);
    let mut printed = 0;
    if stream.is_category() {
        let mut read = CategoryRead::new(Category::new(name)?).batch_size(1000);
        loop {
            let batch = store.read_category(&read).await?;
            let Some(last) = batch.last() else { break };
            read.from_global_position = last.next_global_position()?;
            for message in &batch {
                write_message(out, message)?;
            }
            printed += batch.len();
        }
    } else {
        let mut position = 0;
        loop {
            let batch = store.read_stream(&stream, position, 1000).await?;
            let Some(last) = batch.last() else { break };
            position = last.position + 1;
            for message in &batch {
                write_message(out, message)?;
            }
            printed += batch.len();
        }
    }
    if printed == 0 {
        writeln!(
            out,
            "No messages in {name}. A category is the part of a stream's name before the \
             first `-` (account, account:command, fundsTransfer, ...); a stream is a whole \
             name (account-<id>). Names are case-sensitive."
        )?;
    } else {
        writeln!(out, "{printed} message(s) in {name}")?;
    }
    Ok(printed)
}

fn write_message(out: &mut impl Write, message: &messaging::StoredMessage) -> std::io::Result<()> {
    writeln!(
        out,
        "{} #{} (global {}) {} at {}",
        message.stream_name,
        message.position,
        message.global_position,
        message.message_type,
        message.time
    )?;
    writeln!(out, "  data:     {}", message.data)?;
    writeln!(
        out,
        "  metadata: {}",
        message.metadata.as_deref().unwrap_or("{}")
    )
}

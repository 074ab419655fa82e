//! A command addressed to its stream, ready to send: what a component's
//! client hands out.
//!
//! Sending a command is writing a message to the command stream of whatever
//! it is addressed to (`account:command-{id}`); nothing calls the component,
//! which may well be down at the time. The command waits in the store until
//! the component reads it.

use uuid::Uuid;

use crate::{
    ExpectedVersion, Message, MessageError, MessageStore, Metadata, NewMessage, StoreError,
    StoredMessage, StreamName,
};

/// A command and the stream it goes to.
///
/// ```no_run
/// # use messaging::{Category, Command, Message, MessageStore};
/// # #[derive(serde::Serialize, serde::Deserialize)]
/// # struct Ship { order_id: uuid::Uuid }
/// # impl Message for Ship { const TYPE: &'static str = "Ship"; }
/// # async fn example(store: MessageStore, ship: Ship) -> Result<(), Box<dyn std::error::Error>> {
/// let stream = Category::constant("order:command").stream(ship.order_id);
/// let message_id = Command::to(stream, &ship)?.send(&store).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    stream_name: StreamName,
    message: NewMessage,
}

impl Command {
    /// `command`, to be written to `stream_name`, in a message with a new id.
    pub fn to<M: Message>(stream_name: StreamName, command: &M) -> Result<Command, MessageError> {
        Ok(Command {
            stream_name,
            message: NewMessage::new(command)?,
        })
    }

    /// The same command, recorded as caused by `previous` (and carrying its
    /// correlation on): the command follows `previous`.
    pub fn following(mut self, previous: &StoredMessage) -> Result<Command, MessageError> {
        let metadata = Metadata::caused_by(previous, &previous.metadata()?);
        self.message = self.message.with_metadata(metadata);
        Ok(self)
    }

    /// The same command, correlated with a process: the events in answer
    /// will carry `correlationStreamName = stream`, which is how the process
    /// finds them.
    pub fn correlated_with(mut self, stream: &StreamName) -> Command {
        self.message = self.message.correlated_with(stream);
        self
    }

    /// The same command with a chosen message id. The store takes each id
    /// once, so sending the same command twice with the same id writes it
    /// once; the second `send` fails with `DuplicateMessageId`. The web UI
    /// uses the form's id this way to tell a double submit from a new one.
    pub fn with_message_id(mut self, id: Uuid) -> Command {
        self.message = self.message.with_id(id);
        self
    }

    /// The stream the command goes to.
    pub fn stream_name(&self) -> &StreamName {
        &self.stream_name
    }

    /// The message that will be written.
    pub fn message(&self) -> &NewMessage {
        &self.message
    }

    /// Writes the command; returns the id of the message written.
    pub async fn send(&self, store: &MessageStore) -> Result<Uuid, StoreError> {
        store
            .write_message(&self.stream_name, &self.message, ExpectedVersion::Any)
            .await?;
        Ok(self.message.id)
    }
}

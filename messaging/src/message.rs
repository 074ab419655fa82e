//! Messages: the typed structs that components exchange.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A command or an event, as a plain struct.
///
/// A message is data and nothing else: its type name, and attributes that
/// serialize to a JSON object with camelCase keys (`accountId`, `amount`,
/// `time`). Derive `Serialize` and `Deserialize` with
/// `#[serde(rename_all = "camelCase")]` and name the type:
///
/// ```
/// use messaging::{Message, Time};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Pinged {
///     ping_id: uuid::Uuid,
///     time: Time,
/// }
///
/// impl Message for Pinged {
///     const TYPE: &'static str = "Pinged";
/// }
/// ```
///
/// Where a message came from (its causation and correlation) travels beside
/// it, in its [`Metadata`](crate::Metadata), not inside it.
pub trait Message: Serialize + DeserializeOwned {
    /// The message type as stored, for example `"Deposited"`. Handlers pick
    /// the messages they handle by it.
    const TYPE: &'static str;
}

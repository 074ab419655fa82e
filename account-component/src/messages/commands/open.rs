use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Open an account for a customer. Opening an account that exists already
/// changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Open {
    /// The new account's id, chosen by whoever asks (the web UI uses the
    /// form's id), so that asking twice opens one account.
    pub account_id: Uuid,
    /// The customer who will hold it.
    pub customer_id: Uuid,
    /// The name on the account, as the customer gave it.
    pub holder_name: String,
    /// When the customer asked. (The event records, beside it, when the
    /// account component got to it.)
    pub time: Time,
}

impl Message for Open {
    const TYPE: &'static str = "Open";
}

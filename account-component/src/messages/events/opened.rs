use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::commands::Open;

/// The account was opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    pub account_id: Uuid,
    pub customer_id: Uuid,
    /// The name on the account, for the views to show; no decision uses it.
    pub holder_name: String,
    /// When the customer asked (the `Open`'s time).
    pub time: Time,
    /// When the account component opened it.
    pub processed_time: Time,
    /// The global position of the `Open` command.
    pub sequence: i64,
}

impl Opened {
    /// The account `open` asked for, opened.
    pub fn answering(open: &Open, sequence: i64, processed_time: Time) -> Opened {
        Opened {
            account_id: open.account_id,
            customer_id: open.customer_id,
            holder_name: open.holder_name.clone(),
            time: open.time,
            processed_time,
            sequence,
        }
    }
}

impl Message for Opened {
    const TYPE: &'static str = "Opened";
}

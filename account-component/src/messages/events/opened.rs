use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::commands::Open;

/// The account was opened.
///
/// Its second shape. The first (until 2026-12) named one holder,
/// `"holderName": "Ada"`; joint accounts need a list, so this one writes
/// `"holders": ["Ada"]`. Every `Opened` ever written stays in the store in
/// the shape it was written in, so this type reads both: the first is
/// *upcast* on read into the second ([`first_shape::upcast`]). A reader of
/// the first shape cannot read the second, which is why every reader was
/// deployed before any writer wrote it (see "Changing a message" in
/// ARCHITECTURE.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    pub account_id: Uuid,
    pub customer_id: Uuid,
    /// The names on the account, for the views to show; no decision uses
    /// them. Read from `holders`, or from the first shape's `holderName`.
    #[serde(alias = "holderName", deserialize_with = "first_shape::upcast")]
    pub holders: Vec<String>,
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
            holders: vec![open.holder_name.clone()],
            time: open.time,
            processed_time,
            sequence,
        }
    }
}

impl Message for Opened {
    const TYPE: &'static str = "Opened";
}

/// The first shape of `Opened`, and the upcaster that reads it.
pub mod first_shape {
    use serde::{Deserialize, Deserializer};

    /// The holders, from either shape's value: the first shape's one name
    /// (a string) becomes a list of one; the second's list is taken as it
    /// is. Upcasting happens here, on read, and nowhere else: the handlers
    /// and the aggregator only ever see the second shape.
    pub fn upcast<'de, D: Deserializer<'de>>(value: D) -> Result<Vec<String>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Holders {
            First(String),
            Second(Vec<String>),
        }
        Ok(match Holders::deserialize(value)? {
            Holders::First(name) => vec![name],
            Holders::Second(names) => names,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::Opened;

    const ACCOUNT: &str = "5d1f0000-0000-4000-8000-000000000001";
    const CUSTOMER: &str = "5d1f0000-0000-4000-8000-000000000002";
    const TIME: &str = "2026-12-07T10:00:00.000Z";

    /// `Opened` as the release before the change wrote it.
    fn first_shape() -> serde_json::Value {
        json!({
            "accountId": ACCOUNT, "customerId": CUSTOMER, "holderName": "Ada Lovelace",
            "time": TIME, "processedTime": TIME, "sequence": 3
        })
    }

    /// `Opened` as this release writes it.
    fn second_shape() -> serde_json::Value {
        json!({
            "accountId": ACCOUNT, "customerId": CUSTOMER, "holders": ["Ada Lovelace"],
            "time": TIME, "processedTime": TIME, "sequence": 3
        })
    }

    #[test]
    fn the_first_shape_is_upcast_into_the_second() {
        let upcast: Opened = serde_json::from_value(first_shape()).expect("reads");
        let second: Opened = serde_json::from_value(second_shape()).expect("reads");
        assert_eq!(upcast, second);
        assert_eq!(upcast.holders, ["Ada Lovelace"]);
    }

    #[test]
    fn this_release_writes_the_second_shape() {
        let second: Opened = serde_json::from_value(second_shape()).expect("reads");
        assert_eq!(
            serde_json::to_value(&second).expect("writes"),
            second_shape()
        );
    }

    #[test]
    fn several_holders_are_read_in_their_order() {
        let mut joint = second_shape();
        joint["holders"] = json!(["Ada Lovelace", "Charles Babbage"]);
        let opened: Opened = serde_json::from_value(joint).expect("reads");
        assert_eq!(opened.holders, ["Ada Lovelace", "Charles Babbage"]);
    }

    #[test]
    fn a_holder_of_neither_shape_is_refused() {
        for holders in [json!(7), json!({"name": "Ada"}), json!([1, 2])] {
            let mut wrong = second_shape();
            wrong["holders"] = holders.clone();
            assert!(
                serde_json::from_value::<Opened>(wrong).is_err(),
                "{holders} was read"
            );
        }
    }

    /// Why readers go first: the reader of the release before cannot read
    /// what this release writes. Had a writer gone first, every account it
    /// opened would have been parked by the old aggregator, and missing from
    /// the views until it was replaced.
    #[test]
    fn a_reader_of_the_first_shape_cannot_read_the_second() {
        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct OpenedAsTheReleaseBeforeReadIt {
            account_id: String,
            holder_name: String,
        }
        assert!(serde_json::from_value::<OpenedAsTheReleaseBeforeReadIt>(first_shape()).is_ok());
        let error = serde_json::from_value::<OpenedAsTheReleaseBeforeReadIt>(second_shape())
            .expect_err("the old reader reads the new shape");
        assert!(error.to_string().contains("holderName"), "{error}");
    }
}

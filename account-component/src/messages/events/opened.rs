use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::commands::Open;

/// The account was opened.
///
/// Its second shape. The first (until 2026-12) named one holder,
/// `"holderName": "Ada"`; joint accounts need a list, so this one writes
/// `"holders": ["Ada"]`. Every `Opened` ever written stays in the store in
/// the shape it was written in, so this type reads both: a message is read
/// as written ([`OpenedAsWritten`], every field either shape has), then
/// *upcast* into this shape ([`OpenedAsWritten::upcast`]). A reader of the
/// first shape cannot read the second, so readers must be deployed before
/// any writer writes it (see CHANGING_MESSAGES.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "OpenedAsWritten")]
pub struct Opened {
    pub account_id: Uuid,
    pub customer_id: Uuid,
    /// The names on the account, at least one, for the views to show; no
    /// decision uses them.
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

/// An `Opened` as any release wrote it: the fields of both shapes, the ones
/// a shape may lack optional. Nothing but [`Opened`] reads it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenedAsWritten {
    account_id: Uuid,
    customer_id: Uuid,
    /// The second shape's.
    holders: Option<Vec<String>>,
    /// The first shape's.
    holder_name: Option<String>,
    time: Time,
    processed_time: Time,
    sequence: i64,
}

impl OpenedAsWritten {
    /// The upcaster: the message in the current shape. The first shape's
    /// one name becomes a list of one. A message that has both (a release
    /// writing both shapes during a rolling deployment, so that the readers
    /// of either can read it) is read by its list. Upcasting happens here,
    /// on read, and nowhere else: the handlers and the aggregator only ever
    /// see the current shape.
    pub fn upcast(self) -> Result<Opened, String> {
        let holders = match (self.holders, self.holder_name) {
            (Some(holders), _) => holders,
            (None, Some(name)) => vec![name],
            (None, None) => return Err("an Opened names no holders (nor a holderName)".into()),
        };
        if holders.is_empty() {
            return Err("an Opened names an empty list of holders".into());
        }
        Ok(Opened {
            account_id: self.account_id,
            customer_id: self.customer_id,
            holders,
            time: self.time,
            processed_time: self.processed_time,
            sequence: self.sequence,
        })
    }
}

impl TryFrom<OpenedAsWritten> for Opened {
    type Error = String;

    fn try_from(written: OpenedAsWritten) -> Result<Opened, String> {
        written.upcast()
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

    fn read(data: serde_json::Value) -> Result<Opened, serde_json::Error> {
        serde_json::from_value(data)
    }

    #[test]
    fn the_first_shape_is_upcast_into_the_second() {
        let upcast = read(first_shape()).expect("reads");
        assert_eq!(upcast, read(second_shape()).expect("reads"));
        assert_eq!(upcast.holders, ["Ada Lovelace"]);
    }

    #[test]
    fn this_release_writes_the_second_shape_whatever_shape_it_read() {
        for shape in [first_shape(), second_shape()] {
            let opened = read(shape).expect("reads");
            assert_eq!(
                serde_json::to_value(&opened).expect("writes"),
                second_shape()
            );
        }
    }

    #[test]
    fn several_holders_are_read_in_their_order() {
        let mut joint = second_shape();
        joint["holders"] = json!(["Ada Lovelace", "Charles Babbage"]);
        assert_eq!(
            read(joint).expect("reads").holders,
            ["Ada Lovelace", "Charles Babbage"]
        );
    }

    /// A release that writes both shapes during a rolling deployment, so
    /// that readers of either can read it: this one reads the list.
    #[test]
    fn a_message_with_both_shapes_is_read_by_its_list() {
        let mut both = second_shape();
        both["holders"] = json!(["Ada Lovelace", "Charles Babbage"]);
        both["holderName"] = json!("Ada Lovelace");
        assert_eq!(read(both).expect("reads").holders.len(), 2);
    }

    #[test]
    fn holders_of_neither_shape_or_none_at_all_are_refused_saying_so() {
        let mut neither = second_shape();
        neither
            .as_object_mut()
            .map(|fields| fields.remove("holders"));
        let error = read(neither).expect_err("no holders").to_string();
        assert!(error.contains("names no holders"), "{error}");

        let mut empty = second_shape();
        empty["holders"] = json!([]);
        let error = read(empty).expect_err("an empty list").to_string();
        assert!(error.contains("empty list of holders"), "{error}");

        for (field, value) in [
            ("holders", json!(7)),
            ("holders", json!("Ada")),
            ("holders", json!([1, 2])),
            ("holderName", json!(["Ada"])),
        ] {
            let mut wrong = first_shape();
            wrong
                .as_object_mut()
                .map(|fields| fields.remove("holderName"));
            wrong[field] = value.clone();
            assert!(read(wrong).is_err(), "{field}: {value} was read");
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

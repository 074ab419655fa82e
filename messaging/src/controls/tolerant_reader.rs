//! The check that a message type is a tolerant reader.
//!
//! A message is read by releases other than the one that wrote it: a later
//! release's message may carry a field this one has never heard of, and an
//! earlier release's may lack a field added since. Every message type must
//! read both: unknown fields are ignored (serde's default, so no message
//! type may say `deny_unknown_fields`), and every field added after the
//! first release is optional (`#[serde(default)]`).

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Message;

/// Asserts that `example`, written as JSON, reads back the same with a
/// field added that a later release might write, and that it reads without
/// each of its `optional` fields, as an earlier release wrote it, into the
/// same message less that field.
pub fn assert_reads_tolerantly<M>(example: &M, optional: &[&str])
where
    M: Message + Serialize + DeserializeOwned + PartialEq + Debug,
{
    let written = match serde_json::to_value(example) {
        Ok(serde_json::Value::Object(fields)) => fields,
        other => panic!("{} is not written as a JSON object: {other:?}", M::TYPE),
    };

    let mut from_later = written.clone();
    from_later.insert(
        "addedByALaterRelease".to_string(),
        serde_json::json!({ "of": ["any", "shape", 1] }),
    );
    match serde_json::from_value::<M>(from_later.into()) {
        Ok(read) => assert_eq!(&read, example, "{}: an unknown field changed it", M::TYPE),
        Err(error) => panic!("{} refuses a field it does not know: {error}", M::TYPE),
    }

    for field in optional {
        let mut from_earlier = written.clone();
        assert!(
            from_earlier.remove(*field).is_some(),
            "{}: the example has no {field} to leave out",
            M::TYPE
        );
        let read = match serde_json::from_value::<M>(from_earlier.clone().into()) {
            Ok(read) => read,
            Err(error) => panic!("{} refuses to be read without {field}: {error}", M::TYPE),
        };
        assert_eq!(
            serde_json::to_value(&read).ok(),
            Some(from_earlier.into()),
            "{}: read without {field}, it is not the same message less {field}",
            M::TYPE
        );
    }
}

//! Stream names and categories, parsed exactly as Message DB parses them.
//!
//! Every message lives in a *stream*, and a stream's name says what it is
//! about: `account-5d1f...` holds the events of one account. The part before
//! the first `-` is the *category* (`account`); everything after it is the
//! *id*. A category may carry *types* after a colon: `account:command-5d1f...`
//! holds the commands sent to that account, and its category is
//! `account:command`. An id may be *compound*, `accountTransaction-A+T`, and
//! then its first part, `A`, is the *cardinal id*.
//!
//! Why it matters to get this exactly right: consumers read a whole category
//! (`account:command`) at once, and consumer groups split a category between
//! instances by the hash of the cardinal id. A stray `-` inside a category
//! would silently move its streams to another category; a stray `+` inside an
//! id would move them to another group member. So categories are validated
//! when they are built, and entity ids are [`Uuid`]s, which contain neither a
//! `+` nor a leading `-`.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a category or stream id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamNameError {
    /// A category must not be empty and must not contain a `-`, which would
    /// end the category and start an id.
    #[error("invalid category {0:?}: a category is not empty and has no '-'")]
    InvalidCategory(String),
    /// An id must not be empty and must not contain a `+`, which would make it
    /// a compound id with another cardinal id.
    #[error("invalid stream id {0:?}: an id is not empty and has no '+'")]
    InvalidId(String),
}

/// The name of a stream, such as `account-5d1f...`, or of a category, such as
/// `account` (a name with no `-`).
///
/// Any text is a stream name as far as the message store is concerned, so
/// names read back from the store are wrapped as they are with
/// [`StreamName::from_stored`]. Names the bank writes are built from a
/// [`Category`] and a [`Uuid`], which cannot go wrong.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamName(String);

impl StreamName {
    /// Wraps a name exactly as it was stored. No validation: the store may
    /// hold names written by other clients, and we must read them as they are.
    pub fn from_stored(name: impl Into<String>) -> StreamName {
        StreamName(name.into())
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The category: everything before the first `-`. For a category name
    /// (no `-` at all), the whole name.
    pub fn category(&self) -> &str {
        self.0
            .split_once('-')
            .map_or(&self.0, |(category, _)| category)
    }

    /// The id: everything after the first `-`, or `None` for a category name.
    pub fn id(&self) -> Option<&str> {
        self.0.split_once('-').map(|(_, id)| id)
    }

    /// The cardinal id: the id up to its first `+`. Consumer groups assign
    /// streams to members by it, so `account-A` and `accountTransaction-A+T`
    /// go to the same member.
    pub fn cardinal_id(&self) -> Option<&str> {
        self.id()
            .map(|id| id.split_once('+').map_or(id, |(cardinal, _)| cardinal))
    }

    /// True for a name with no `-`: a category, not a single stream.
    pub fn is_category(&self) -> bool {
        !self.0.contains('-')
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl AsRef<str> for StreamName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A category name, such as `account` or `account:command`, known to be valid.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Category(Cow<'static, str>);

impl Category {
    /// A category known when the program is compiled, for constants:
    ///
    /// ```
    /// use messaging::Category;
    /// const ACCOUNT: Category = Category::constant("account");
    /// ```
    ///
    /// In a `const`, the checks run at compile time, so an invalid name is a
    /// build error rather than a surprise in production.
    pub const fn constant(name: &'static str) -> Category {
        let bytes = name.as_bytes();
        assert!(!bytes.is_empty(), "a category is not empty");
        let mut index = 0;
        while index < bytes.len() {
            assert!(bytes[index] != b'-', "a category has no '-'");
            index += 1;
        }
        Category(Cow::Borrowed(name))
    }

    /// Validates a category name: not empty, and no `-`.
    pub fn new(name: impl Into<String>) -> Result<Category, StreamNameError> {
        let name = name.into();
        if name.is_empty() || name.contains('-') {
            return Err(StreamNameError::InvalidCategory(name));
        }
        Ok(Category(Cow::Owned(name)))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This category with a type, in Eventide's notation: `account` with the
    /// type `command` is `account:command`; a category that has types already
    /// gets another after a `+` (`account:command+snapshot`).
    pub fn with_type(&self, category_type: &str) -> Category {
        let separator = if self.0.contains(':') { '+' } else { ':' };
        Category(Cow::Owned(format!("{}{separator}{category_type}", self.0)))
    }

    /// The category of the streams that accompany this one's consumers:
    /// `account+position` for their positions, `account+deadLetter` for the
    /// messages they parked.
    pub fn companion(&self, kind: &str) -> Category {
        Category(Cow::Owned(format!("{}+{kind}", self.0)))
    }

    /// The stream of one entity of this category: `account-{id}`.
    pub fn stream(&self, id: Uuid) -> StreamName {
        StreamName(format!("{}-{id}", self.0))
    }

    /// A stream with a compound id, `category-{cardinal}+{other}`. The
    /// cardinal id comes first, so the stream goes to the same consumer group
    /// member as the cardinal entity's other streams.
    pub fn compound_stream(&self, cardinal: Uuid, other: Uuid) -> StreamName {
        StreamName(format!("{}-{cardinal}+{other}", self.0))
    }

    /// A stream whose id is not a UUID, such as a consumer's name. The id
    /// must not be empty and must not contain a `+`.
    pub fn stream_with_id(&self, id: &str) -> Result<StreamName, StreamNameError> {
        if id.is_empty() || id.contains('+') {
            return Err(StreamNameError::InvalidId(id.to_string()));
        }
        Ok(StreamName(format!("{}-{id}", self.0)))
    }

    /// The category as a stream name, for the few streams that are named like
    /// a category (a consumer's position stream, `account+position`).
    pub fn as_stream_name(&self) -> StreamName {
        StreamName(self.0.to_string())
    }
}

impl fmt::Display for Category {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for Category {
    type Error = StreamNameError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Category::new(name)
    }
}

impl From<Category> for String {
    fn from(category: Category) -> String {
        category.0.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> StreamName {
        StreamName::from_stored(text)
    }

    #[test]
    fn the_category_is_the_part_before_the_first_dash() {
        assert_eq!(name("thing-123").category(), "thing");
        assert_eq!(name("thing:command-123").category(), "thing:command");
        assert_eq!(name("thing-1-2-3").category(), "thing");
        assert_eq!(name("thing").category(), "thing");
    }

    #[test]
    fn the_id_is_everything_after_the_first_dash() {
        assert_eq!(name("thing-123").id(), Some("123"));
        assert_eq!(name("thing-1-2-3").id(), Some("1-2-3"));
        assert_eq!(name("thing-123+abc").id(), Some("123+abc"));
        assert_eq!(name("thing").id(), None);
    }

    #[test]
    fn the_cardinal_id_is_the_id_up_to_the_first_plus() {
        assert_eq!(name("thing-123+abc").cardinal_id(), Some("123"));
        assert_eq!(name("thing-123").cardinal_id(), Some("123"));
        assert_eq!(name("thing+position").cardinal_id(), None);
    }

    #[test]
    fn a_name_without_a_dash_is_a_category() {
        assert!(name("thing").is_category());
        assert!(name("thing:command+position").is_category());
        assert!(!name("thing-1").is_category());
    }

    #[test]
    fn a_category_with_a_dash_is_refused() {
        assert!(Category::new("thing-x").is_err());
        assert!(Category::new("").is_err());
        assert!(Category::new("thing:command").is_ok());
    }

    #[test]
    fn category_types_follow_eventide_notation() {
        let thing = Category::new("thing").expect("valid");
        assert_eq!(thing.with_type("command").as_str(), "thing:command");
        assert_eq!(
            thing.with_type("command").with_type("snapshot").as_str(),
            "thing:command+snapshot"
        );
    }

    #[test]
    fn a_uuid_stream_keeps_the_whole_uuid_as_its_id() {
        let id = Uuid::from_u128(0x5d1f_0000_0000_4000_8000_0000_0000_0001);
        let stream = Category::new("thing").expect("valid").stream(id);
        assert_eq!(stream.category(), "thing");
        assert_eq!(stream.id(), Some(id.to_string().as_str()));
    }

    #[test]
    fn a_compound_stream_has_the_first_uuid_as_its_cardinal_id() {
        let thing = Uuid::from_u128(1);
        let transaction = Uuid::from_u128(2);
        let stream = Category::new("thingPart")
            .expect("valid")
            .compound_stream(thing, transaction);
        assert_eq!(stream.cardinal_id(), Some(thing.to_string().as_str()));
    }

    #[test]
    fn an_id_with_a_plus_is_refused() {
        let category = Category::new("thing").expect("valid");
        assert!(category.stream_with_id("a+b").is_err());
        assert!(category.stream_with_id("").is_err());
        assert_eq!(
            category.stream_with_id("delivery").map(|s| s.to_string()),
            Ok("thing-delivery".to_string())
        );
    }
}

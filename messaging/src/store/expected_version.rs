//! The version a writer expects a stream to be at.

use crate::{StoreError, StreamName};

/// What a writer expects of the stream it writes to.
///
/// A component decides what to write by projecting a stream up to some
/// version. Writing with `Exactly(that version)` makes the write fail if the
/// stream has moved on since, instead of silently acting on stale state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version. For streams only one writer
    /// writes to, where order is all that matters (a consumer's positions).
    Any,
    /// The stream must be at this version: its last message has this
    /// position. `-1` means the stream must not exist yet.
    Exactly(i64),
}

impl ExpectedVersion {
    /// The stream must not exist yet. Writing a command's copy to its
    /// reservation stream with this is how the account component notices a
    /// command it has seen before: the second write fails.
    pub const INITIAL: ExpectedVersion = ExpectedVersion::Exactly(-1);

    /// Checks the expectation against the stream's actual version (-1 when
    /// empty). Postgres does this inside `write_message`; the SQLite and
    /// memory stores call this, under their write lock.
    pub(crate) fn check(&self, stream_name: &StreamName, actual: i64) -> Result<(), StoreError> {
        match self {
            ExpectedVersion::Exactly(expected) if *expected != actual => {
                Err(StoreError::WrongExpectedVersion {
                    stream_name: stream_name.clone(),
                    expected: *expected,
                    actual,
                })
            }
            _ => Ok(()),
        }
    }

    /// The value passed to `write_message`'s `expected_version` argument.
    pub(crate) fn as_argument(&self) -> Option<i64> {
        match self {
            ExpectedVersion::Any => None,
            ExpectedVersion::Exactly(version) => Some(*version),
        }
    }

    /// The expectation for the n-th message of a multi-message write: each
    /// message after the first expects the one before it to be there.
    pub(crate) fn nth(&self, n: usize) -> ExpectedVersion {
        match self {
            ExpectedVersion::Any => ExpectedVersion::Any,
            ExpectedVersion::Exactly(version) => {
                ExpectedVersion::Exactly(version + i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    }
}

//! What a handle on the store may write.
//!
//! A component appends any message it likes: its events, its reservations,
//! its commands to other components, its positions. Two parts of a system
//! built on this toolkit need far less, and are safer for being held to it:
//! a user interface writes only *commands* (streams of a `:command`
//! category), and a process that only reads may still need to park what it
//! cannot handle, in *dead-letter* streams (`+deadLetter`). A handle on the
//! store restricted to one kind ([`MessageStore::restricted_to`]) refuses
//! every other stream before anything is sent, on every backend.
//!
//! On Postgres the database says the same thing again, where a compromised
//! program cannot argue: a restricted handle writes through
//! `write_command` or `write_dead_letter` (`013_restricted_writes.sql`),
//! the only write functions its role may call, and the role has no INSERT
//! on the table at all.
//!
//! [`MessageStore::restricted_to`]: crate::MessageStore::restricted_to

use crate::StreamName;

/// Which streams a handle on the store may write to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Writes {
    /// Any stream: a component's handle.
    #[default]
    Anything,
    /// Only streams of a command category (`account:command-...`).
    OnlyCommands,
    /// Only dead-letter streams (`account+deadLetter-aggregator`).
    OnlyDeadLetters,
}

impl Writes {
    /// Whether a write to `stream_name` is allowed.
    pub fn allows(self, stream_name: &StreamName) -> bool {
        let category = stream_name.category();
        match self {
            Writes::Anything => true,
            Writes::OnlyCommands => category.ends_with(":command"),
            Writes::OnlyDeadLetters => category.ends_with("+deadLetter"),
        }
    }

    /// What the streams it allows are called, for errors.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Writes::Anything => "any",
            Writes::OnlyCommands => "command",
            Writes::OnlyDeadLetters => "dead-letter",
        }
    }

    /// The Postgres functions that write one message and several, for a
    /// handle with these rights.
    pub(crate) fn functions(self) -> (&'static str, &'static str) {
        match self {
            Writes::Anything => ("write_message", "write_messages"),
            Writes::OnlyCommands => ("write_command", "write_commands"),
            Writes::OnlyDeadLetters => ("write_dead_letter", "write_dead_letters"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Writes;
    use crate::StreamName;

    #[test]
    fn each_kind_allows_its_own_streams_only() {
        let command = StreamName::from_stored("thing:command-1");
        let event = StreamName::from_stored("thing-1");
        let parked = StreamName::from_stored("thing+deadLetter-aggregator");
        let position = StreamName::from_stored("thing:command+position");
        assert!(Writes::Anything.allows(&event));
        assert!(Writes::OnlyCommands.allows(&command));
        assert!(!Writes::OnlyCommands.allows(&event));
        assert!(!Writes::OnlyCommands.allows(&position));
        assert!(Writes::OnlyDeadLetters.allows(&parked));
        assert!(!Writes::OnlyDeadLetters.allows(&command));
    }
}

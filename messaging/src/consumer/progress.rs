//! How far a consumer has got, and when to write that down.
//!
//! Recording a position is a write, and so a commit. Recording after every
//! message would double the writes a consumer makes; recording rarely means
//! more messages handled again after a crash (which idempotent handlers
//! absorb, but which costs time). The rules in between live here:
//!
//! - after `position_update_interval` messages;
//! - when the consumer catches up, but at most once per
//!   [`CATCH_UP_RECORDING_PAUSE`];
//! - when the category has been quiet for a whole poll interval;
//! - when the consumer stops.

use std::time::Duration;

use crate::{Clock, Time};

/// The shortest time between two recordings on catching up.
///
/// Under a steady trickle of messages a consumer catches up after almost
/// every one, and recording the position each time would double the writes
/// it makes. So on catching up it records only if this long has passed since
/// it last did; what it puts off is recorded when the category goes quiet
/// ([`Next::Idle`](super::Next::Idle)) or after `position_update_interval`
/// messages, whichever comes first.
pub const CATCH_UP_RECORDING_PAUSE: Duration = Duration::from_secs(1);

/// How far a consumer has got, and how much of that is not yet recorded.
#[derive(Debug)]
pub(super) struct Progress {
    /// The global position of the last message handled (of the handled
    /// prefix of the last batch), if any.
    last_handled: Option<i64>,
    /// How many messages were handled since the position was last recorded.
    unrecorded: u64,
    /// When the position was last recorded.
    last_recorded: Option<Time>,
    /// What tells the time.
    clock: Clock,
}

impl Progress {
    /// Nothing handled yet, the time told by `clock`.
    pub(super) fn new(clock: Clock) -> Progress {
        Progress {
            last_handled: None,
            unrecorded: 0,
            last_recorded: None,
            clock,
        }
    }

    /// `count` more messages were handled, the last at `global_position`.
    pub(super) fn handled(&mut self, global_position: i64, count: u64) {
        self.last_handled = Some(global_position);
        self.unrecorded += count;
    }

    /// Whether `interval` messages or more wait to be recorded.
    pub(super) fn due_after(&self, interval: u64) -> bool {
        self.unrecorded >= interval
    }

    /// Whether a recording on catching up is due.
    pub(super) fn due_on_catching_up(&self) -> bool {
        let pause = i64::try_from(CATCH_UP_RECORDING_PAUSE.as_millis()).unwrap_or(i64::MAX);
        self.last_recorded
            .is_none_or(|at| self.clock.now().unix_milliseconds() - at.unix_milliseconds() >= pause)
    }

    /// The position to record, if anything was handled since the last one.
    pub(super) fn unrecorded_position(&self) -> Option<i64> {
        self.last_handled.filter(|_| self.unrecorded > 0)
    }

    /// The position was recorded just now.
    pub(super) fn recorded(&mut self) {
        self.unrecorded = 0;
        self.last_recorded = Some(self.clock.now());
    }
}

#[cfg(test)]
mod tests {
    //! The recording rules of the module documentation, one at a time, on a
    //! clock the test moves.

    use super::{CATCH_UP_RECORDING_PAUSE, Progress};
    use crate::{Clock, Time};

    fn at(milliseconds: i64) -> Time {
        Time::from_unix_milliseconds(1_800_000_000_000 + milliseconds).expect("a valid time")
    }

    #[test]
    fn a_recording_is_due_once_the_interval_of_messages_is_handled() {
        let mut progress = Progress::new(Clock::fixed(at(0)));
        progress.handled(5, 2);
        assert!(!progress.due_after(3), "two messages of three");
        progress.handled(7, 1);
        assert!(progress.due_after(3), "three messages of three");
        assert!(!progress.due_after(4), "three messages of four");
        progress.recorded();
        assert!(!progress.due_after(3), "nothing since the recording");
    }

    #[test]
    fn on_catching_up_a_recording_is_due_once_a_pause_has_passed_since_the_last() {
        let clock = Clock::fixed(at(0));
        let mut progress = Progress::new(clock.clone());
        assert!(progress.due_on_catching_up(), "never recorded");
        progress.handled(5, 1);
        progress.recorded();
        let pause = i64::try_from(CATCH_UP_RECORDING_PAUSE.as_millis()).expect("short");
        assert!(!progress.due_on_catching_up(), "recorded just now");
        clock.set(at(pause - 1));
        assert!(
            !progress.due_on_catching_up(),
            "a moment before the pause ends"
        );
        clock.set(at(pause));
        assert!(progress.due_on_catching_up(), "the pause has passed");
    }

    #[test]
    fn the_position_to_record_is_the_last_handled_until_it_is_recorded() {
        let mut progress = Progress::new(Clock::fixed(at(0)));
        assert_eq!(progress.unrecorded_position(), None, "nothing handled");
        progress.handled(5, 2);
        progress.handled(9, 3);
        assert_eq!(progress.unrecorded_position(), Some(9));
        progress.recorded();
        assert_eq!(progress.unrecorded_position(), None, "recorded already");
    }
}

//! Where handlers get the time from, so that tests can fix it.

use std::sync::{Arc, Mutex};

use crate::Time;

/// A source of the current time.
///
/// In production it is the system clock. In tests it is a fixed clock that
/// only moves when the test moves it, so that "processed at" times in the
/// events a handler writes can be asserted exactly. This is one of Eventide's
/// *substitutes*: a real dependency with a test mode, rather than a mock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<Time>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock that says `time` until told otherwise.
    pub fn fixed(time: Time) -> Clock {
        Clock {
            fixed: Some(Arc::new(Mutex::new(time))),
        }
    }

    /// The current time.
    pub fn now(&self) -> Time {
        match &self.fixed {
            // A poisoned lock only means another thread panicked while
            // holding it; the time inside is still a valid time.
            Some(time) => *time.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
            None => Time::now(),
        }
    }

    /// Sets a fixed clock to `time`. A system clock ignores it.
    pub fn set(&self, time: Time) {
        if let Some(fixed) = &self.fixed {
            *fixed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = time;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use crate::Time;

    #[test]
    fn a_fixed_clock_says_what_it_was_set_to() {
        let start = Time::parse("2026-11-26T10:00:00.000Z").expect("valid");
        let clock = Clock::fixed(start);
        assert_eq!(clock.now(), start);
        let later = start.plus_milliseconds(1500);
        clock.clone().set(later);
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn the_system_clock_moves() {
        let clock = Clock::system();
        let before = Time::now();
        assert!(clock.now() >= before);
    }
}

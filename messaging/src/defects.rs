//! Deliberate defects, for proving that the bank's simulation finds bugs.
//!
//! A test that has never failed proves little: maybe it cannot fail. So the
//! simulation (`bank/tests/simulation/`) is shown failing, once for each of
//! a handful of classic mistakes an event-sourced system can make. Each
//! mistake is a [`Defect`], switched on by one test, on that test's thread
//! only, for as long as the [`SwitchedOn`] guard lives. The code that would
//! make the mistake asks [`is_on`] first.
//!
//! In release builds `is_on` is a constant `false` and [`switch_on`] does
//! not exist: no defect can be switched on, and the checks compile to
//! nothing.

/// A mistake the bank could have made, and the simulation must catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defect {
    /// The account's transactions handler applies a reserved transaction
    /// without asking whether its sequence was processed already, so a
    /// re-delivered copy is applied again.
    SkipSequenceCheck,
    /// A consumer records its position before handling the message, so a
    /// crash in between skips the message for good.
    PositionBeforeWrite,
    /// The account's command handler writes the reservation without
    /// requiring the stream to be new, so two copies of one transaction are
    /// both reserved, and both applied.
    ForgetReservation,
    /// The account views apply an event without checking that the row has
    /// not seen it, so a re-read batch counts money twice.
    ViewWithoutPositionGuard,
}

#[cfg(debug_assertions)]
thread_local! {
    static SWITCHED_ON: std::cell::Cell<Option<Defect>> = const { std::cell::Cell::new(None) };
}

/// Whether `defect` is switched on, on this thread.
pub fn is_on(defect: Defect) -> bool {
    #[cfg(debug_assertions)]
    {
        SWITCHED_ON.with(|on| on.get() == Some(defect))
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = defect;
        false
    }
}

/// Switches `defect` on, on this thread, until the guard is dropped.
#[cfg(debug_assertions)]
pub fn switch_on(defect: Defect) -> SwitchedOn {
    SWITCHED_ON.with(|on| on.set(Some(defect)));
    SwitchedOn { _private: () }
}

/// Switches the defect off again when dropped.
#[cfg(debug_assertions)]
#[derive(Debug)]
pub struct SwitchedOn {
    _private: (),
}

#[cfg(debug_assertions)]
impl Drop for SwitchedOn {
    fn drop(&mut self) {
        SWITCHED_ON.with(|on| on.set(None));
    }
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::{Defect, is_on, switch_on};

    #[test]
    fn a_defect_is_on_only_while_its_guard_lives_and_only_on_its_thread() {
        assert!(!is_on(Defect::SkipSequenceCheck));
        {
            let _on = switch_on(Defect::SkipSequenceCheck);
            assert!(is_on(Defect::SkipSequenceCheck));
            assert!(!is_on(Defect::ForgetReservation));
            let elsewhere = std::thread::spawn(|| is_on(Defect::SkipSequenceCheck));
            assert!(!elsewhere.join().expect("the thread ran"));
        }
        assert!(!is_on(Defect::SkipSequenceCheck));
    }
}

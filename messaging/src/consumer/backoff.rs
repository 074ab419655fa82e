//! Waiting longer after each failure, so a struggling database gets room.

use std::time::Duration;

/// Exponential backoff: 100 ms, 200 ms, 400 ms, ... up to 5 s, back to the
/// start after a success.
///
/// A consumer that retried a failing database in a tight loop would spin a
/// CPU and flood the logs; one that gave up would stop processing until
/// someone restarted it. Backing off does neither: it keeps trying, less and
/// less often, and resumes at full speed as soon as the database answers.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    first: Duration,
    longest: Duration,
    next: Duration,
}

const FIRST: Duration = Duration::from_millis(100);
const LONGEST: Duration = Duration::from_secs(5);

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(FIRST, LONGEST)
    }
}

impl Backoff {
    /// Waits from `first`, doubling up to `longest`. (A simulation, which
    /// owns time, waits not at all: `Duration::ZERO` both.)
    pub fn new(first: Duration, longest: Duration) -> Backoff {
        Backoff {
            first,
            longest,
            next: first,
        }
    }

    /// How long to wait now; the wait after this one is twice as long.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.longest);
        delay
    }

    /// Back to the shortest wait, after a success.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;
    use std::time::Duration;

    #[test]
    fn delays_double_up_to_a_limit_and_reset_after_success() {
        let mut backoff = Backoff::default();
        let delays: Vec<Duration> = (0..8).map(|_| backoff.next_delay()).collect();
        assert_eq!(delays[0], Duration::from_millis(100));
        assert_eq!(delays[1], Duration::from_millis(200));
        assert_eq!(delays[7], Duration::from_secs(5));
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(100));
    }
}

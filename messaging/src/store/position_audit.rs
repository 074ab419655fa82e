//! Checking that every stream's positions are 0, 1, 2, ... with no gap and
//! no repeat.

/// What [`MessageStore::audit_positions`](crate::MessageStore::audit_positions)
/// found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PositionAudit {
    /// How many streams were checked.
    pub streams: u64,
    /// The streams whose positions are not exactly `0..count`, described.
    pub broken: Vec<String>,
}

impl PositionAudit {
    /// Adds one stream's summary: how many messages, and its lowest and
    /// highest position. Positions are unique per stream (an index says so),
    /// so `0..count` holds exactly when the lowest is 0 and the highest is
    /// `count - 1`.
    pub(crate) fn check(&mut self, stream_name: &str, count: i64, first: i64, last: i64) {
        self.streams += 1;
        if first != 0 || last != count - 1 {
            self.broken.push(format!(
                "{stream_name}: {count} message(s) at positions {first} to {last}"
            ));
        }
    }
}

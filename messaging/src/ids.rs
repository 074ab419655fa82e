//! Where handlers get new ids from, so that tests can predict them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

/// A source of new UUIDs.
///
/// In production each id is random (version 4). In tests a sequential
/// generator hands out `00000000-0000-4000-8000-000000000001`, `...002`, and
/// so on, so a test knows in advance which ids a handler will generate.
#[derive(Clone, Debug, Default)]
pub struct IdGenerator {
    sequence: Option<Arc<AtomicU64>>,
}

impl IdGenerator {
    /// Random ids.
    pub fn random() -> IdGenerator {
        IdGenerator { sequence: None }
    }

    /// Predictable ids: the n-th call returns [`IdGenerator::sequential_id`]`(n)`.
    pub fn sequential() -> IdGenerator {
        IdGenerator {
            sequence: Some(Arc::new(AtomicU64::new(0))),
        }
    }

    /// The n-th id of a sequential generator (counting from 1).
    pub fn sequential_id(n: u64) -> Uuid {
        Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }

    /// A new id.
    pub fn next_id(&self) -> Uuid {
        match &self.sequence {
            Some(counter) => {
                IdGenerator::sequential_id(counter.fetch_add(1, Ordering::Relaxed) + 1)
            }
            None => Uuid::new_v4(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IdGenerator;

    #[test]
    fn a_sequential_generator_counts_from_one() {
        let ids = IdGenerator::sequential();
        assert_eq!(
            ids.next_id().to_string(),
            "00000000-0000-4000-8000-000000000001"
        );
        assert_eq!(ids.next_id(), IdGenerator::sequential_id(2));
    }

    #[test]
    fn random_ids_differ() {
        let ids = IdGenerator::random();
        assert_ne!(ids.next_id(), ids.next_id());
    }
}

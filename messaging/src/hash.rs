//! `hash_64`: the hash that consumer groups and the category lock agree on.

use md5::{Digest, Md5};

/// The first 8 bytes of the MD5 of `value`'s UTF-8 bytes, read as a signed
/// big-endian 64-bit integer: the same number as Message DB's `hash_64`
/// function. Consumer group members in any language, and the Postgres
/// functions, must compute the same value, or two members would both claim
/// (or both ignore) the same stream.
pub fn hash_64(value: &str) -> i64 {
    let digest = Md5::digest(value.as_bytes());
    let mut first_eight = [0u8; 8];
    first_eight.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first_eight)
}

#[cfg(test)]
mod tests {
    use super::hash_64;

    #[test]
    fn it_matches_message_db_for_a_known_value() {
        assert_eq!(hash_64("thing"), -8431830747307769804);
    }

    #[test]
    fn different_values_hash_differently() {
        assert_ne!(hash_64("thing"), hash_64("things"));
    }
}

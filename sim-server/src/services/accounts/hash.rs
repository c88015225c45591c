//! Password hashes: argon2id in PHC strings (`$argon2id$v=19$m=…`). A stored string carries
//! its own parameters, so fixtures hashed with other costs still verify.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};

/// Cost of new hashes: OWASP's smallest argon2id setting (19 MiB, 2 passes, 1 lane): real, and
/// about 30 ms on one core, so tests that change passwords stay quick.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new hash of `secret` with a fresh random salt (OS CSPRNG).
pub fn hash(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    match hasher().hash_password(secret.as_bytes(), &salt) {
        Ok(h) => h.to_string(),
        // Only unreachable parameter errors end here; a hash that never verifies is safe.
        Err(_) => String::new(),
    }
}

/// Whether `secret` matches the stored PHC string (false for an unreadable one).
pub fn verify(secret: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default()
            .verify_password(secret.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("Abc#1234");
        let b = hash("Abc#1234");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(verify("Abc#1234", &a));
        assert!(!verify("Abc#1235", &a));
        assert!(!verify("Abc#1234", "not a hash"));
    }

    /// Prints PHC strings for fixture passwords:
    /// `OQS_HASH="Pass#1 Pass#2" cargo test -p sim-server print_hashes -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn print_hashes() {
        for p in std::env::var("OQS_HASH")
            .unwrap_or_default()
            .split_whitespace()
        {
            let prefix = oqs_domain::password::similar_prefix(p);
            println!(
                "{p}\npassword = \"{}\"\nprefix = \"{}\"",
                hash(p),
                hash(&prefix)
            );
        }
    }
}

//! Deterministic RSA-2048 keys, cached on disk.
//!
//! A key is derived from (seed, label): ChaCha20 seeded with SHA-256 of both drives
//! `rsa::RsaPrivateKey::new`, so the same seed gives the same card keys and certificates on every
//! run. 2048-bit generation takes seconds, so each key is kept as PKCS#8 DER in the cache
//! directory (`$OQS_VCARD_CACHE`, default `<workspace>/target/oqs-vcard-keys`, else the system
//! temp dir) and in memory for the life of the process.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

/// Modulus size of every JPKI key (RSA-2048).
pub const KEY_BITS: usize = 2048;

/// Keys kept in memory at most (each is ~1 KiB; the disk cache keeps them all).
const MEMORY_CAPACITY: usize = 256;

/// Bumped when the derivation changes, so stale cache files are never reused.
const DERIVATION: &str = "oqs-vcard-key-v1";

/// The cache directory in force (see the module doc).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OQS_VCARD_CACHE") {
        return PathBuf::from(dir);
    }
    let workspace_target = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"));
    if workspace_target.is_dir() {
        workspace_target.join("oqs-vcard-keys")
    } else {
        std::env::temp_dir().join("oqs-vcard-keys")
    }
}

fn memory() -> &'static Mutex<HashMap<String, RsaPrivateKey>> {
    static KEYS: OnceLock<Mutex<HashMap<String, RsaPrivateKey>>> = OnceLock::new();
    KEYS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A file-name-safe identifier of (seed, label).
fn key_id(seed: u64, label: &str) -> String {
    let safe: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-{seed:016x}")
}

/// Generates the key for (seed, label) without any cache.
pub fn generate(seed: u64, label: &str) -> RsaPrivateKey {
    let mut hasher = Sha256::new();
    hasher.update(DERIVATION.as_bytes());
    hasher.update(seed.to_be_bytes());
    hasher.update(label.as_bytes());
    let mut rng = ChaCha20Rng::from_seed(hasher.finalize().into());
    loop {
        // RsaPrivateKey::new only fails on impossible parameters; retrying with the advanced
        // stream keeps this total without a panic path.
        if let Ok(key) = RsaPrivateKey::new(&mut rng, KEY_BITS) {
            return key;
        }
    }
}

/// The key for (seed, label): from memory, else the disk cache, else generated and cached.
/// A cache that cannot be read or written only costs time.
pub fn key(seed: u64, label: &str) -> RsaPrivateKey {
    let id = key_id(seed, label);
    // One generation at a time in this process: on 2 cores, parallel 2048-bit generations of
    // the same key only waste time.
    let mut keys = match memory().lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(key) = keys.get(&id) {
        return key.clone();
    }
    let path = cache_dir().join(format!("{id}.pk8"));
    let key = match std::fs::read(&path)
        .ok()
        .and_then(|der| RsaPrivateKey::from_pkcs8_der(&der).ok())
    {
        Some(key) => key,
        None => {
            let key = generate(seed, label);
            store(&path, &key);
            key
        }
    };
    if keys.len() >= MEMORY_CAPACITY {
        // Bounded: a simulator issuing cards for many people and seeds re-reads the disk cache.
        keys.clear();
    }
    keys.insert(id, key.clone());
    key
}

/// Writes the key atomically (temp name + rename) so a concurrent reader never sees half a file.
fn store(path: &std::path::Path, key: &RsaPrivateKey) {
    let Ok(der) = key.to_pkcs8_der() else { return };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("key"),
        std::process::id()
    ));
    if std::fs::write(&tmp, der.as_bytes()).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    #[test]
    fn same_seed_and_label_same_key_and_cache_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pk8");
        let key = key(7, "unit-test");
        assert_eq!(key.size() * 8, KEY_BITS);
        store(&path, &key);
        let back = RsaPrivateKey::from_pkcs8_der(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back, key);
        assert_eq!(key_id(7, "card:valid/x"), "card_valid_x-0000000000000007");
    }

    #[test]
    fn generation_is_deterministic() {
        // Uncached on purpose: proves the derivation itself is reproducible.
        let a = generate(99, "determinism");
        let b = generate(99, "determinism");
        assert_eq!(a.n(), b.n());
        assert_ne!(generate(100, "determinism").n(), a.n());
    }
}

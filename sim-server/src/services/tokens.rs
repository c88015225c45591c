//! WebAPI sessions (ch.1 §4 WebAPI用 account): the demo account and the tokens handed out.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

/// Demo WebAPI account (a WebAPI用 special account, ch.1 §4). Documented in the README.
pub const DEMO_USER: &str = "webapi01";
/// Satisfies the password rules (8–20 characters, letters, digits and a symbol).
pub const DEMO_PASSWORD: &str = "Demo#Pass2021";

/// Tokens handed out, newest last; only the latest `TOKEN_CAPACITY` stay valid (bounded memory).
#[derive(Debug, Default)]
pub struct TokenStore {
    inner: Mutex<(u64, VecDeque<String>)>,
}

pub const TOKEN_CAPACITY: usize = 1024;

impl TokenStore {
    pub fn issue(&self, kind: &str) -> String {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (kind, g.0).hash(&mut h);
        let token = format!("{kind}-{:016x}{:04}", h.finish(), g.0 % 10_000);
        if kind == "id" {
            g.1.push_back(token.clone());
            while g.1.len() > TOKEN_CAPACITY {
                g.1.pop_front();
            }
        }
        token
    }

    pub fn is_valid(&self, token: &str) -> bool {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.1.iter().any(|t| t == token)
    }
}

//! 利用者アカウント (DM-02, ch.1): every account that logs in — operators on the screens and
//! the machine accounts (連携アプリケーション用, WebAPI用, 顔認証付きカードリーダー用) — in one
//! store, with one lockout rule ([`lockout`]) and the password rules of `oqs_domain::password`.
//!
//! - Accounts are fixtures (`sim-server/fixtures/accounts.toml`, documented in the README):
//!   passwords are stored as argon2id hashes ([`hash`]), never in clear.
//! - AUTH-09/10: expiry on the simulator's clock; a fixture without `password_set` counts as set
//!   when the simulator started, so the demo accounts work under any clock.
//! - AUTH-11: `initial = true` until the password is changed; AUTH-17: the administrator's reset
//!   (`POST /__admin/accounts/{id}/reset`) sets a new initial password and lifts a lock (AMB-03:
//!   a reset password counts as initial).
//! - AUTH-15: a facility's service start date (fixture `[[facility]]`).
//! - Screen sessions are in [`sessions`].

pub mod hash;
pub mod lockout;
pub mod sessions;

use chrono::{DateTime, FixedOffset, NaiveDate};
use lockout::Lockout;
use oqs_domain::password::{self, Expiry, Problem};
use oqs_protocol::texts::accounts as t;
use serde::Deserialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

type Time = DateTime<FixedOffset>;

/// The built-in accounts and facility start dates.
pub const BUILTIN_FIXTURE: &str = include_str!("../../../fixtures/accounts.toml");

/// Checked for a user ID that has no account, at the cost of a real check (the answer's time
/// does not tell which user IDs exist).
const UNKNOWN_USER_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$vEthnw2Va+lR052TrCnjlQ$dG2A8Y9IGP4zYRVtmaLsQG1FjpKqeo7EjHfUkTkG93M";

/// 権限区分 (ch.1 §5 ⑧).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Role {
    #[serde(rename = "管理者")]
    Admin,
    #[serde(rename = "一般利用者")]
    General,
    #[serde(rename = "医療情報閲覧")]
    Viewer,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => t::ROLE_ADMIN,
            Role::General => t::ROLE_GENERAL,
            Role::Viewer => t::ROLE_VIEWER,
        }
    }
    /// The header's form (AMB-74: screenshots show 「一般」 / 「管理者」).
    pub fn short(self) -> &'static str {
        match self {
            Role::General => t::ROLE_GENERAL_SHORT,
            r => r.label(),
        }
    }
}

/// Staff account or one of the special accounts of AUTH-18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum Kind {
    #[default]
    #[serde(rename = "職員")]
    Staff,
    #[serde(rename = "顔認証付きカードリーダー用")]
    FaceReader,
    #[serde(rename = "連携アプリケーション用")]
    Renkei,
    #[serde(rename = "WebAPI用")]
    WebApi,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Staff => "職員",
            Kind::FaceReader => t::KIND_FACE_READER,
            Kind::Renkei => t::KIND_RENKEI,
            Kind::WebApi => t::KIND_WEBAPI,
        }
    }
    fn expiry(self) -> Expiry {
        match self {
            Kind::Staff => Expiry::Rules,
            _ => Expiry::Never,
        }
    }
}

/// One password generation: hashes of the password and of its first 5 characters (AUTH-08).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Generation {
    hash: String,
    prefix: String,
}

/// A checked new password, hashed, waiting for DLG-02's 《OK》.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    generation_hash: String,
    generation_prefix: String,
    chars: usize,
}

#[derive(Debug, Clone)]
struct Account {
    name: String,
    facility: String,
    role: Role,
    kind: Kind,
    /// Newest first: the current password and up to 4 before it (AMB-02).
    generations: VecDeque<Generation>,
    chars: usize,
    set_at: Time,
    initial: bool,
    lockout: Lockout,
}

impl Account {
    /// What a login of this account may do first (ERR-03 / ERR-02 / the menu).
    fn stage(&self, now: Time) -> sessions::Stage {
        if self.initial {
            sessions::Stage::MustChangeInitial
        } else if password::is_expired(self.set_at, self.chars, self.kind.expiry(), now) {
            sessions::Stage::MustChangeExpired
        } else {
            sessions::Stage::Active
        }
    }
}

/// What a screen knows of an account (no hashes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountView {
    pub login_id: String,
    /// 利用者名 (header).
    pub name: String,
    /// 医療機関コード.
    pub facility: String,
    #[serde(serialize_with = "role_label")]
    pub role: Role,
    #[serde(serialize_with = "kind_label")]
    pub kind: Kind,
    pub initial: bool,
    pub password_set: String,
    /// `None`: 無期限.
    pub expires: Option<String>,
    pub locked_until: Option<String>,
}

fn role_label<S: serde::Serializer>(r: &Role, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.label())
}
fn kind_label<S: serde::Serializer>(k: &Kind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.label())
}

/// The outcome of a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Logged in; `stage` says whether a password change comes first (ERR-02 / ERR-03).
    Granted {
        account: AccountView,
        stage: sessions::Stage,
    },
    /// Wrong user ID or password (AMB-04).
    Refused,
    /// ERR-01: locked until then.
    Locked(Time),
}

/// Why a password change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeError {
    /// A field left empty: its label.
    Missing(&'static str),
    OldWrong,
    Mismatch,
    Rule(Problem),
    UnknownAccount,
}

impl ChangeError {
    /// The message shown (AMB-05: simulator-defined, the rule lines themselves where they fit).
    pub fn message(self) -> String {
        match self {
            ChangeError::Missing(label) => {
                format!("{}{}", label.trim_end_matches(':'), t::FIELD_REQUIRED)
            }
            ChangeError::OldWrong => t::OLD_PASSWORD_WRONG.into(),
            ChangeError::Mismatch => t::NEW_PASSWORD_MISMATCH.into(),
            ChangeError::Rule(Problem::Length) => rule_line(1),
            ChangeError::Rule(Problem::MissingClass) => rule_line(2),
            ChangeError::Rule(Problem::ForbiddenCharacter(_)) => {
                format!("{}\n{}", t::PASSWORD_RULES[3], t::PASSWORD_RULES[4])
            }
            ChangeError::Rule(Problem::Reused) => t::PASSWORD_RULES[6].into(),
            ChangeError::Rule(Problem::Similar) => t::PASSWORD_RULES[7].into(),
            ChangeError::UnknownAccount => t::LOGIN_REFUSED.into(),
        }
    }
}

fn rule_line(i: usize) -> String {
    t::PASSWORD_RULES[i].trim_start_matches('・').to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[serde(default)]
    facility: Vec<FacilityFixture>,
    #[serde(default)]
    account: Vec<AccountFixture>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilityFixture {
    code: String,
    service_start: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFixture {
    login_id: String,
    name: String,
    facility: String,
    role: Role,
    #[serde(default)]
    kind: Kind,
    password: String,
    prefix: String,
    chars: usize,
    #[serde(default)]
    initial: bool,
    password_set: Option<NaiveDate>,
}

#[derive(Debug, Default, Clone)]
struct Inner {
    accounts: BTreeMap<String, Account>,
    service_start: BTreeMap<String, NaiveDate>,
}

/// Every account, and the screen sessions.
#[derive(Debug)]
pub struct Accounts {
    inner: Mutex<Inner>,
    /// The accounts as the simulator started with them ([`Accounts::reset_all`]).
    fixture: Inner,
    pub sessions: sessions::Sessions,
}

fn midnight(d: NaiveDate) -> Time {
    let jst = oqs_domain::inquiry::jst();
    match d
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(jst).single())
    {
        Some(t) => t,
        None => unreachable!("midnight JST exists"),
    }
}

impl Accounts {
    /// The built-in accounts, passwords without a date counting as set at `now`, plus a WebAPI
    /// account (user, password) configured other than the built-in `webapi01`.
    pub fn builtin(now: Time, extra_webapi: Option<(&str, &str)>) -> Accounts {
        let mut a = match Accounts::from_toml(BUILTIN_FIXTURE, now) {
            Ok(a) => a,
            Err(e) => panic!("embedded accounts fixture is invalid: {e}"),
        };
        if let Some((user, password)) = extra_webapi {
            a.add_webapi_account(user, password, now);
        }
        a
    }

    /// Accounts from fixture text (see `fixtures/accounts.toml`).
    pub fn from_toml(text: &str, now: Time) -> Result<Accounts, String> {
        let f: Fixture = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut inner = Inner::default();
        for fac in f.facility {
            inner.service_start.insert(fac.code, fac.service_start);
        }
        for a in f.account {
            inner.accounts.insert(
                a.login_id,
                Account {
                    name: a.name,
                    facility: a.facility,
                    role: a.role,
                    kind: a.kind,
                    generations: VecDeque::from([Generation {
                        hash: a.password,
                        prefix: a.prefix,
                    }]),
                    chars: a.chars,
                    set_at: a.password_set.map(midnight).unwrap_or(now),
                    initial: a.initial,
                    lockout: Lockout::default(),
                },
            );
        }
        Ok(Accounts {
            fixture: inner.clone(),
            inner: Mutex::new(inner),
            sessions: sessions::Sessions::default(),
        })
    }

    fn add_webapi_account(&mut self, user: &str, password: &str, now: Time) {
        let account = Account {
            name: user.to_owned(),
            facility: "1234567890".into(),
            role: Role::General,
            kind: Kind::WebApi,
            generations: VecDeque::from([Generation {
                hash: hash::hash(password),
                prefix: hash::hash(&password::similar_prefix(password)),
            }]),
            chars: password.chars().count(),
            set_at: now,
            initial: false,
            lockout: Lockout::default(),
        };
        self.fixture
            .accounts
            .insert(user.to_owned(), account.clone());
        let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        inner.accounts.insert(user.to_owned(), account);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn view(login_id: &str, a: &Account, now: Time) -> AccountView {
        let fmt = |t: Time| t.format("%Y/%m/%d %H:%M:%S").to_string();
        AccountView {
            login_id: login_id.to_owned(),
            name: a.name.clone(),
            facility: a.facility.clone(),
            role: a.role,
            kind: a.kind,
            initial: a.initial,
            password_set: fmt(a.set_at),
            expires: password::expires_at(a.set_at, a.chars, a.kind.expiry()).map(fmt),
            locked_until: a.lockout.locked_until(now).map(fmt),
        }
    }

    /// One account, if it exists.
    pub fn account(&self, login_id: &str, now: Time) -> Option<AccountView> {
        let g = self.lock();
        g.accounts
            .get(login_id)
            .map(|a| Self::view(login_id, a, now))
    }

    /// Every account, by login id.
    pub fn list(&self, now: Time) -> Vec<AccountView> {
        let g = self.lock();
        g.accounts
            .iter()
            .map(|(id, a)| Self::view(id, a, now))
            .collect()
    }

    /// AUTH-15: whether `facility`'s service has not started at `now`.
    pub fn before_service_start(&self, facility: &str, now: Time) -> bool {
        self.lock()
            .service_start
            .get(facility)
            .is_some_and(|d| now.date_naive() < *d)
    }

    /// AUTH-02/03/10/11: a login attempt. `only` restricts it to one kind of account (the
    /// WebAPI takes only WebAPI用 accounts).
    pub fn login(&self, user: &str, given: &str, now: Time, only: Option<Kind>) -> Login {
        let current = {
            let mut g = self.lock();
            match g.accounts.get_mut(user) {
                Some(a) if only.is_none_or(|k| k == a.kind) => {
                    if let Err(until) = a.lockout.check(now) {
                        return Login::Locked(until);
                    }
                    a.generations.front().map(|g| g.hash.clone())
                }
                _ => None,
            }
        };
        let Some(current) = current else {
            // An unknown user costs one hash too: the answer's time does not tell who exists.
            hash::verify(given, UNKNOWN_USER_HASH);
            return Login::Refused;
        };
        // The hash is checked outside the lock (tens of milliseconds).
        let ok = hash::verify(given, &current);
        let mut g = self.lock();
        let Some(a) = g.accounts.get_mut(user) else {
            return Login::Refused;
        };
        if let Err(until) = a.lockout.check(now) {
            return Login::Locked(until);
        }
        if !ok {
            return match a.lockout.failed(now) {
                Some(until) => Login::Locked(until),
                None => Login::Refused,
            };
        }
        a.lockout.clear();
        let stage = a.stage(now);
        Login::Granted {
            account: Self::view(user, a, now),
            stage,
        }
    }

    /// AUTH-04..08, AUTH-12: checks a change (SCR-06: `old` given; SCR-07: `None`) and hashes
    /// the new password; [`Accounts::commit_change`] applies it after DLG-02.
    pub fn prepare_change(
        &self,
        user: &str,
        old: Option<&str>,
        new: &str,
        confirm: &str,
    ) -> Result<PendingChange, ChangeError> {
        if old.is_some_and(str::is_empty) {
            return Err(ChangeError::Missing(t::LABEL_OLD_PASSWORD));
        }
        if new.is_empty() {
            return Err(ChangeError::Missing(t::LABEL_NEW_PASSWORD));
        }
        if confirm.is_empty() {
            return Err(ChangeError::Missing(t::LABEL_NEW_PASSWORD_CONFIRM));
        }
        let generations = {
            let g = self.lock();
            let a = g.accounts.get(user).ok_or(ChangeError::UnknownAccount)?;
            a.generations.clone()
        };
        if let Some(old) = old {
            let current = generations.front().map(|g| g.hash.as_str()).unwrap_or("");
            if !hash::verify(old, current) {
                return Err(ChangeError::OldWrong);
            }
        }
        if new != confirm {
            return Err(ChangeError::Mismatch);
        }
        password::check_form(new).map_err(ChangeError::Rule)?;
        if password::history_rules_apply(new) {
            if generations.iter().any(|g| hash::verify(new, &g.hash)) {
                return Err(ChangeError::Rule(Problem::Reused));
            }
            let prefix = password::similar_prefix(new);
            if generations.iter().any(|g| hash::verify(&prefix, &g.prefix)) {
                return Err(ChangeError::Rule(Problem::Similar));
            }
        }
        Ok(PendingChange {
            generation_hash: hash::hash(new),
            generation_prefix: hash::hash(&password::similar_prefix(new)),
            chars: new.chars().count(),
        })
    }

    /// Applies a checked change at `now` (DLG-02 《OK》): no longer initial, set now.
    pub fn commit_change(&self, user: &str, change: PendingChange, now: Time) -> bool {
        let mut g = self.lock();
        let Some(a) = g.accounts.get_mut(user) else {
            return false;
        };
        a.generations.push_front(Generation {
            hash: change.generation_hash,
            prefix: change.generation_prefix,
        });
        a.generations.truncate(password::GENERATIONS);
        a.chars = change.chars;
        a.set_at = now;
        a.initial = false;
        true
    }

    /// AUTH-17: the administrator's reset: a new initial password (AUTH-04..06 apply), the lock
    /// lifted, the account's sessions ended.
    pub fn reset(&self, user: &str, new_initial: &str, now: Time) -> Result<(), ChangeError> {
        password::check_form(new_initial).map_err(ChangeError::Rule)?;
        let generation = Generation {
            hash: hash::hash(new_initial),
            prefix: hash::hash(&password::similar_prefix(new_initial)),
        };
        {
            let mut g = self.lock();
            let a = g
                .accounts
                .get_mut(user)
                .ok_or(ChangeError::UnknownAccount)?;
            a.generations.push_front(generation);
            a.generations.truncate(password::GENERATIONS);
            a.chars = new_initial.chars().count();
            a.set_at = now;
            a.initial = true;
            a.lockout.clear();
        }
        self.sessions.forget_account(user);
        Ok(())
    }

    /// `POST /__admin/reset` and the tray's reset: every account as the simulator started with
    /// it (passwords, initial flags, password dates, no lock), every screen session ended.
    pub fn reset_all(&self) {
        *self.lock() = self.fixture.clone();
        self.sessions.clear();
    }

    /// One account back to its fixture state (the tray's exercises ERR-02 / ERR-03), its
    /// sessions ended; `false` for an unknown account.
    pub fn restore(&self, login_id: &str) -> bool {
        let Some(a) = self.fixture.accounts.get(login_id).cloned() else {
            return false;
        };
        self.lock().accounts.insert(login_id.to_owned(), a);
        self.sessions.forget_account(login_id);
        true
    }

    /// The tray's exercise ERR-01: the account locked at `now` as [`lockout::LOCKOUT_AFTER`]
    /// wrong passwords in a row lock it (the one rule, [`Lockout::failed`]); until when.
    pub fn lock_out(&self, login_id: &str, now: Time) -> Option<Time> {
        let mut g = self.lock();
        let a = g.accounts.get_mut(login_id)?;
        if let Err(until) = a.lockout.check(now) {
            return Some(until);
        }
        (0..lockout::LOCKOUT_AFTER).find_map(|_| a.lockout.failed(now))
    }

    /// The tray's exercise ERR-04 (AUTH-14): the account logs in again elsewhere (a session
    /// opened as a login opens one, without its password), so its other sessions end.
    pub fn log_in_elsewhere(&self, login_id: &str, now: Time) -> Option<sessions::SessionView> {
        let stage = self.lock().accounts.get(login_id)?.stage(now);
        Some(self.sessions.open(login_id, stage, now))
    }

    /// Whether the account's password has expired at `now` (AUTH-09/10), and when it expires.
    pub fn password_expiry(&self, login_id: &str, now: Time) -> Option<(bool, Option<Time>)> {
        let g = self.lock();
        let a = g.accounts.get(login_id)?;
        Some((
            password::is_expired(a.set_at, a.chars, a.kind.expiry(), now),
            password::expires_at(a.set_at, a.chars, a.kind.expiry()),
        ))
    }
}

#[cfg(test)]
mod tests;

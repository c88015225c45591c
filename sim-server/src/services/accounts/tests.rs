use super::sessions::Stage;
use super::*;
use chrono::Duration;

fn at(s: &str) -> Time {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn t0() -> Time {
    at("2021-01-06T10:00:00+09:00")
}

fn builtin() -> Accounts {
    Accounts::builtin(t0(), None)
}

/// The demo passwords the README documents, per account.
pub(crate) const DEMO: &[(&str, &str)] = &[
    ("staff01", "Staff#Pass01"),
    ("admin01", "Admin#Pass01"),
    ("viewer01", "Viewer#Pass01"),
    ("newstaff", "Init#Pass01"),
    ("oldstaff", "Old#Pass2020"),
    ("uketsuke", "Uketsuke#2021"),
    ("yaku01", "Yaku#Pass01"),
    ("hozon01", "Hozon#Pass01"),
    ("shika01", "Shika#Pass01"),
    ("renkei01", "Renkei#Pass2021"),
    ("webapi01", "Demo#Pass2021"),
    ("face01", "Face#Pass2021"),
];

#[test]
fn every_documented_password_logs_in_with_its_stage() {
    let a = builtin();
    assert_eq!(a.list(t0()).len(), DEMO.len());
    for (user, pass) in DEMO {
        let Login::Granted { account, stage } = a.login(user, pass, t0(), None) else {
            panic!("{user} does not log in with {pass}")
        };
        let want = match *user {
            "newstaff" => Stage::MustChangeInitial,
            "oldstaff" => Stage::MustChangeExpired,
            _ => Stage::Active,
        };
        assert_eq!(stage, want, "{user}");
        // The fixture's length and prefix match the password.
        assert_eq!(
            a.lock().accounts[*user].chars,
            pass.chars().count(),
            "{user}"
        );
        let prefix = &a.lock().accounts[*user].generations[0].prefix.clone();
        assert!(
            hash::verify(&password::similar_prefix(pass), prefix),
            "{user}"
        );
        assert_eq!(account.login_id, *user);
    }
}

#[test]
fn lockout_and_reset() {
    let a = builtin();
    for _ in 1..lockout::LOCKOUT_AFTER {
        assert_eq!(
            a.login("staff01", "Wrong#Pass1", t0(), None),
            Login::Refused
        );
    }
    let until = t0() + lockout::LOCKOUT_FOR;
    assert_eq!(
        a.login("staff01", "Wrong#Pass1", t0(), None),
        Login::Locked(until)
    );
    assert_eq!(
        a.login("staff01", "Staff#Pass01", t0(), None),
        Login::Locked(until)
    );
    assert_eq!(
        a.account("staff01", t0()).unwrap().locked_until.as_deref(),
        Some("2021/01/06 10:30:00")
    );
    // Other accounts are not locked; unknown users lock nothing.
    assert!(matches!(
        a.login("admin01", "Admin#Pass01", t0(), None),
        Login::Granted { .. }
    ));
    assert_eq!(a.login("nobody", "x", t0(), None), Login::Refused);
    assert!(matches!(
        a.login("staff01", "Staff#Pass01", until, None),
        Login::Granted { .. }
    ));
    // AUTH-17: a reset lifts the lock and makes the password initial.
    for _ in 0..lockout::LOCKOUT_AFTER {
        a.login("staff01", "Wrong#Pass1", until, None);
    }
    assert!(matches!(
        a.reset("staff01", "short", until),
        Err(ChangeError::Rule(Problem::Length))
    ));
    a.reset("staff01", "Reset#Pass9", until).unwrap();
    assert!(matches!(
        a.login("staff01", "Reset#Pass9", until, None),
        Login::Granted {
            stage: Stage::MustChangeInitial,
            ..
        }
    ));
}

#[test]
fn webapi_takes_only_webapi_accounts() {
    let a = builtin();
    assert_eq!(
        a.login("staff01", "Staff#Pass01", t0(), Some(Kind::WebApi)),
        Login::Refused
    );
    assert!(matches!(
        a.login("webapi01", "Demo#Pass2021", t0(), Some(Kind::WebApi)),
        Login::Granted { .. }
    ));
    let b = Accounts::builtin(t0(), Some(("api2", "Other#Pass1")));
    assert!(matches!(
        b.login("api2", "Other#Pass1", t0(), Some(Kind::WebApi)),
        Login::Granted { .. }
    ));
}

#[test]
fn expiry_on_the_clock_and_special_accounts_never() {
    let a = builtin();
    let day60 = t0() + Duration::days(60);
    assert!(matches!(
        a.login(
            "staff01",
            "Staff#Pass01",
            day60 - Duration::seconds(1),
            None
        ),
        Login::Granted {
            stage: Stage::Active,
            ..
        }
    ));
    assert!(matches!(
        a.login("staff01", "Staff#Pass01", day60, None),
        Login::Granted {
            stage: Stage::MustChangeExpired,
            ..
        }
    ));
    // 13 characters, set after 2021/5/28 (at start, 2021/01/06: before, so 60 days apply).
    assert!(matches!(
        a.login("viewer01", "Viewer#Pass01", day60, None),
        Login::Granted {
            stage: Stage::MustChangeExpired,
            ..
        }
    ));
    // AUTH-18: special accounts never expire.
    let years = t0() + Duration::days(3650);
    for (user, pass) in [
        ("renkei01", "Renkei#Pass2021"),
        ("webapi01", "Demo#Pass2021"),
        ("face01", "Face#Pass2021"),
    ] {
        assert!(
            matches!(
                a.login(user, pass, years, None),
                Login::Granted {
                    stage: Stage::Active,
                    ..
                }
            ),
            "{user}"
        );
        assert_eq!(a.account(user, years).unwrap().expires, None);
    }
}

#[test]
fn password_change_rules_and_generations() {
    let a = builtin();
    let change = |old: Option<&str>, new: &str| a.prepare_change("staff01", old, new, new);
    assert_eq!(
        change(Some("Nope#Pass01"), "Fresh#Pass02"),
        Err(ChangeError::OldWrong)
    );
    assert_eq!(
        a.prepare_change(
            "staff01",
            Some("Staff#Pass01"),
            "Fresh#Pass02",
            "Fresh#Pass03"
        ),
        Err(ChangeError::Mismatch)
    );
    assert_eq!(
        change(Some(""), "Fresh#Pass02"),
        Err(ChangeError::Missing(t::LABEL_OLD_PASSWORD))
    );
    assert_eq!(
        change(Some("Staff#Pass01"), "Fresh#Pas;2"),
        Err(ChangeError::Rule(Problem::ForbiddenCharacter(';')))
    );
    // AUTH-07: the same password again; AUTH-08: the same first 5 characters.
    assert_eq!(
        change(Some("Staff#Pass01"), "Staff#Pass01"),
        Err(ChangeError::Rule(Problem::Reused))
    );
    assert_eq!(
        change(Some("Staff#Pass01"), "Staff#Other2"),
        Err(ChangeError::Rule(Problem::Similar))
    );
    // 13 characters or more: neither rule applies.
    let long = change(Some("Staff#Pass01"), "Staff#Pass01x").unwrap();
    assert!(a.commit_change("staff01", long, t0()));
    let mut current = "Staff#Pass01x".to_owned();
    // Five more changes: the first two are then out of the 5 generations and usable again.
    for (i, p) in ["Aaaaa#1", "Bbbbb#2", "Ccccc#3", "Ddddd#4", "Eeeee#5"]
        .iter()
        .enumerate()
    {
        let next = format!("{p}xy{i}");
        let c = change(Some(&current), &next).unwrap();
        assert!(a.commit_change("staff01", c, t0()));
        current = next;
    }
    assert_eq!(
        change(Some(&current), "Aaaaa#1xy0"),
        Err(ChangeError::Rule(Problem::Reused))
    );
    assert!(change(Some(&current), "Staff#Pass01").is_ok());
    // SCR-07: no old password; after the change the account is no longer initial.
    let c = a
        .prepare_change("newstaff", None, "Brand#New01", "Brand#New01")
        .unwrap();
    a.commit_change("newstaff", c, t0());
    assert!(!a.account("newstaff", t0()).unwrap().initial);
    assert!(matches!(
        a.login("newstaff", "Brand#New01", t0(), None),
        Login::Granted {
            stage: Stage::Active,
            ..
        }
    ));
}

#[test]
fn service_start_dates() {
    let a = builtin();
    assert!(a.before_service_start("1312345678", t0()));
    assert!(!a.before_service_start("1234567890", t0()));
    assert!(!a.before_service_start("1312345678", at("2099-04-01T00:00:00+09:00")));
}

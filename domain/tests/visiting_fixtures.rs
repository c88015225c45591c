//! `[[consent]]` fixtures: a bad record is refused with its field, and nothing changes.

use oqs_domain::fixtures::load_into;

const CONSENT: &str = "[[consent]]\ninsurer = \"050013\"\nsymbol = \"hmtmList11\"\nnumber = \"102\"\nbranch = \"00\"\nkind = \"訪問診療等\"\nconsented_on = 2023-01-08\nvalid_until = 2025-09-20\nnot_consented = [\"なにか\"]\n";

#[test]
fn a_bad_consent_names_its_field_and_changes_nothing() {
    let mut p = oqs_domain::builtin_population();
    let before = p.consents().len();
    let e = load_into(&mut p, "c.toml", CONSENT).expect_err("unknown category");
    assert_eq!(
        (e.file.as_str(), e.field.as_str()),
        ("c.toml", "not_consented"),
        "{e}"
    );
    assert!(e.message.contains("資格情報提供同意区分"), "{e}");
    let e = load_into(&mut p, "c.toml", &CONSENT.replace("\"102\"", "\"999\""))
        .expect_err("no such card");
    assert_eq!(e.field, "number", "{e}");
    let e = load_into(&mut p, "c.toml", &CONSENT.replace("訪問診療等", "外来"))
        .expect_err("not a 診療区分");
    assert!(e.message.contains("訪問診療等 (2)"), "{e}");
    let e = load_into(
        &mut p,
        "c.toml",
        &CONSENT.replace("valid_until = 2025-09-20", "valid_until = 2022-01-01"),
    )
    .expect_err("end before start");
    assert_eq!(e.field, "valid_until", "{e}");
    assert_eq!(p.consents().len(), before);
}

#[test]
fn a_good_consent_replaces_the_one_for_the_same_card_facility_and_kind() {
    let mut p = oqs_domain::builtin_population();
    let before = p.consents().len();
    let ok = CONSENT.replace(
        "not_consented = [\"なにか\"]\n",
        "valid_until_time = \"09:30\"\n",
    );
    load_into(&mut p, "c.toml", &ok).expect("loads");
    assert_eq!(p.consents().len(), before, "replaced, not added");
    let c = p
        .consents()
        .iter()
        .find(|c| c.valid_until.format("%H:%M").to_string() == "09:30")
        .expect("the new consent");
    assert!(c.categories.iter().all(Option::is_some));
}

//! Snapshot tests of the single inquiry's result XML: the exact bytes the simulator returns over
//! HTTP and the file exchange, for every person of sample-population.md on the manual's dates
//! and for every error class. Each snapshot was reviewed against the manual
//! (sample-population.md, manual-catalogue.md DM-05..09, RULE-01..13, RULE-29..36); the key
//! facts are asserted directly as well, so a test means something beyond "nothing changed".

use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry::{answer_single_inquiry, structure_error, Answer};
use oqs_domain::Population;
use oqs_protocol::codes::{ProcessingResultStatus, QualificationValidity, SegmentOfResult};
use oqs_protocol::message::{QualificationResult, RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::xml::write_document;
use oqs_protocol::{ErrorKind, ErrorTable, TextEncoding};
use std::sync::OnceLock;

/// サンプル医療機関.
const FACILITY: &str = "1234567890";

fn population() -> &'static Population {
    static POP: OnceLock<Population> = OnceLock::new();
    POP.get_or_init(oqs_domain::builtin_population)
}

/// 10:00 JST on `date` (`YYYY-MM-DD`): the inquiry is made on the 資格確認日 itself.
fn now_on(date: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{date}T10:00:00+09:00")).expect("valid timestamp")
}

/// `YYYY-MM-DD` → `YYYYMMDD`.
fn wire_date(date: &str) -> String {
    date.replace('-', "")
}

/// A card as typed at the counter.
struct Card<'a> {
    insurer: &'a str,
    symbol: Option<&'a str>,
    number: &'a str,
    branch: Option<&'a str>,
    birthdate: &'a str,
}

fn search(card: &Card<'_>, consent: &str) -> SearchInfo {
    SearchInfo {
        insurer_number: Some(card.insurer.into()),
        insured_card_symbol: card.symbol.map(str::to_owned),
        insured_identification_number: Some(card.number.into()),
        insured_branch_number: card.branch.map(str::to_owned),
        birthdate: Some(card.birthdate.into()),
        limit_application_certificate_related_cons_flg: Some(consent.into()),
        arbitrary_identifier: None,
    }
}

fn header(date: &str) -> RequestHeader {
    RequestHeader {
        qualification_confirmation_date: Some(wire_date(date)),
        medical_institution_code: Some(FACILITY.into()),
        arbitrary_file_identifier: None,
        character_code_identifier: None,
    }
}

fn request(date: &str, card: &Card<'_>, consent: &str) -> SingleInquiryRequest {
    SingleInquiryRequest {
        header: header(date),
        search: search(card, consent),
    }
}

/// Answers `req` as the server does, with the inquiry made at 10:00 JST on `date`.
fn answer(req: &SingleInquiryRequest, encoding: TextEncoding, date: &str) -> Answer {
    answer_single_inquiry(
        population(),
        req,
        encoding,
        now_on(date),
        &ErrorTable::builtin(),
    )
}

/// The result document exactly as sent, as UTF-8 text (only for UTF-8 answers).
fn xml(a: &Answer) -> String {
    assert_eq!(a.encoding, TextEncoding::Utf8);
    let bytes = write_document(&a.response.to_element(), a.encoding);
    String::from_utf8(bytes).expect("a UTF-8 answer is UTF-8")
}

fn validity(a: &Answer) -> Option<QualificationValidity> {
    a.response
        .body
        .as_ref()
        .and_then(|b| b.qualification_validity)
}

fn results(a: &Answer) -> &[QualificationResult] {
    a.response
        .body
        .as_ref()
        .map(|b| b.results.as_slice())
        .unwrap_or(&[])
}

/// The single result of a single-person answer.
fn only(a: &Answer) -> &QualificationResult {
    let r = results(a);
    assert_eq!(r.len(), 1, "expected exactly one result");
    &r[0]
}

fn o(x: &Option<String>) -> Option<&str> {
    x.as_deref()
}

/// Asserts a normal (no error) answer.
fn assert_normal(a: &Answer) {
    assert_eq!(a.error, None);
    assert_eq!(a.response.header.segment_of_result, SegmentOfResult::Normal);
    assert_eq!(a.response.header.error_code, None);
    let body = a
        .response
        .body
        .as_ref()
        .expect("a normal answer has a body");
    assert_eq!(
        body.processing_result_status,
        ProcessingResultStatus::Normal
    );
}

// ------------------------------------------------------------------ Family 新橋 (ch.4, ch.7)

const TARO: Card<'static> = Card {
    insurer: "06139000",
    symbol: Some("9000"),
    number: "10001",
    branch: Some("01"),
    birthdate: "19540326",
};

#[test]
fn shimbashi_taro_valid() {
    let a = answer(
        &request("2021-01-06", &TARO, "0"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("新橋　太郎"));
    assert_eq!(o(&r.name_kana), Some("ｼﾝﾊﾞｼ ﾀﾛｳ"));
    assert_eq!(o(&r.name_of_other), Some("新橋　他太郎"));
    assert_eq!(o(&r.sex1), Some("1"));
    assert_eq!(r.sex2, None, "性別(裏面) only when 性別(表面) is 未設定");
    assert_eq!(o(&r.birthdate), Some("19540326"));
    assert_eq!(o(&r.insured_card_classification), Some("01"));
    assert_eq!(o(&r.personal_family_classification), Some("1"));
    assert_eq!(o(&r.insured_card_valid_date), Some("20200101"));
    assert_eq!(r.insured_card_expiration_date, None);
    assert_eq!(o(&r.post_number), Some("151-1234"));
    assert_eq!(o(&r.address), Some("東京都港区〇〇5丁目500-1"));
    assert_eq!(o(&r.insurer_name), Some("東京新橋サンプル保険者"));
    let e = r.elderly_recipient.as_ref().expect("高齢受給者証");
    assert_eq!(o(&e.contribution_ratio), Some("020"), "2割");
    assert_eq!(o(&e.valid_start_date), Some("20200101"));
    // No consent: no 限度額 details.
    assert_eq!(o(&r.limit_cons_flg), Some("0"));
    assert_eq!(r.limit_info, None);
    insta::assert_snapshot!("shimbashi_taro_valid", xml(&a));
}

#[test]
fn shimbashi_hanako_invalid() {
    let card = Card {
        branch: Some("02"),
        birthdate: "19550118",
        ..TARO
    };
    let a = answer(
        &request("2021-01-06", &card, "0"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Invalid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("新橋　花子"));
    assert_eq!(o(&r.name_kana), Some("ｼﾝﾊﾞｼ ﾊﾅｺ"));
    assert_eq!(o(&r.sex1), Some("2"));
    assert_eq!(o(&r.personal_family_classification), Some("2"), "家族");
    assert_eq!(o(&r.insured_name), Some("新橋　太郎"));
    assert_eq!(o(&r.insured_card_expiration_date), Some("20201231"));
    assert_eq!(o(&r.reason_of_loss), Some("99"), "その他");
    insta::assert_snapshot!("shimbashi_hanako_invalid", xml(&a));
}

#[test]
fn shimbashi_ichiro_invalid_with_newer_qualification() {
    let card = Card {
        branch: Some("03"),
        birthdate: "19840401",
        ..TARO
    };
    let a = answer(
        &request("2021-02-05", &card, "0"),
        TextEncoding::Utf8,
        "2021-02-05",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::InvalidWithNewer));
    // RULE-03: the presented (invalid) card is shown, not the new one.
    let r = only(&a);
    assert_eq!(o(&r.name), Some("新橋　一郎"));
    assert_eq!(o(&r.insurer_number), Some("06139000"));
    assert_eq!(o(&r.insured_branch_number), Some("03"));
    assert_eq!(o(&r.insured_card_expiration_date), Some("20210131"));
    insta::assert_snapshot!("shimbashi_ichiro_invalid_with_newer", xml(&a));
}

#[test]
fn shimbashi_twins_without_branch_are_both_listed() {
    let card = Card {
        branch: None,
        birthdate: "19840401",
        ..TARO
    };
    let a = answer(
        &request("2021-01-06", &card, "0"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Multiple));
    let listed: Vec<(Option<&str>, Option<&str>)> = results(&a)
        .iter()
        .map(|r| (o(&r.insured_branch_number), o(&r.name)))
        .collect();
    assert_eq!(
        listed,
        [
            (Some("03"), Some("新橋　一郎")),
            (Some("04"), Some("新橋　二郎"))
        ]
    );
    assert!(results(&a)
        .iter()
        .all(|r| o(&r.birthdate) == Some("19840401")));
    insta::assert_snapshot!("shimbashi_twins_multiple", xml(&a));
}

// ------------------------------------------------------------------ Qualification screens (ch.2, ch.4)

#[test]
fn gentekii_ichiro_with_limit_consent() {
    let card = Card {
        insurer: "39499912",
        symbol: None,
        number: "75302001",
        branch: None,
        birthdate: "19470101",
    };
    let a = answer(
        &request("2022-07-22", &card, "1"),
        TextEncoding::Utf8,
        "2022-07-22",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("限適　一郎"));
    assert_eq!(o(&r.sex1), Some("1"));
    assert_eq!(o(&r.insured_card_classification), Some("01"));
    assert_eq!(o(&r.insured_partial_contribution_ratio), Some("010"), "1割");
    assert_eq!(o(&r.insured_card_valid_date), Some("20220509"));
    assert_eq!(o(&r.post_number), Some("335-0004"));
    assert_eq!(r.insured_card_symbol, None);
    assert_eq!(r.insured_branch_number, None, "後期高齢者: no 枝番");
    assert_eq!(o(&r.limit_cons_flg), Some("1"));
    assert_eq!(o(&r.limit_cons_time), Some("20220722100000"));
    let l = r.limit_info.as_ref().expect("限度額 shown with consent");
    assert_eq!(o(&l.valid_start_date), Some("20220509"));
    insta::assert_snapshot!("gentekii_ichiro_limit_consent", xml(&a));
}

#[test]
fn kouki_jiro_with_consent_has_no_specific_disease_on_the_card_path() {
    let card = Card {
        insurer: "39110400",
        symbol: None,
        number: "KR11",
        branch: None,
        birthdate: "19440605",
    };
    let a = answer(
        &request("2021-01-06", &card, "1"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("後期高齢　二郎"));
    assert_eq!(o(&r.insured_card_valid_date), Some("20200901"));
    assert_eq!(o(&r.post_number), Some("101-4111"));
    assert_eq!(o(&r.address), Some("東京都港区新橋駅裏1丁目1-1"));
    let e = r.elderly_recipient.as_ref().expect("高齢受給者証");
    assert_eq!(o(&e.contribution_ratio), Some("020"));
    assert_eq!(o(&e.valid_start_date), Some("20200901"));
    // RULE-13: the insurance-card path offers only 限度額; 特定疾病 is not shown at all.
    assert_eq!(r.specific_diseases_cons_flg, None);
    assert!(r.specific_diseases.is_empty());
    assert_eq!(r.limit_info, None, "he has no 限度額適用認定証");
    let text = xml(&a);
    assert!(!text.contains("SpecificDiseases"));
    insta::assert_snapshot!("kouki_jiro_consent", text);
}

const SANBU: Card<'static> = Card {
    insurer: "01270016",
    symbol: Some("10"),
    number: "003",
    branch: Some("01"),
    birthdate: "19900103",
};

#[test]
fn shikaku_sanbu_valid_with_limit_a() {
    let a = answer(
        &request("2020-03-01", &SANBU, "1"),
        TextEncoding::Utf8,
        "2020-03-01",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("資格　三部"));
    assert_eq!(o(&r.insurer_name), Some("協会けんぽ"));
    assert_eq!(o(&r.qualification_date), Some("20120401"));
    assert_eq!(o(&r.disqualification_date), Some("20200401"));
    assert_eq!(o(&r.reason_of_loss), Some("01"), "死亡");
    let l = r.limit_info.as_ref().expect("限度額 shown with consent");
    assert_eq!(o(&l.classification_flag), Some("A01"), "ア");
    assert_eq!(o(&l.valid_start_date), Some("20190801"));
    assert_eq!(o(&l.valid_end_date), Some("20200331"));
    insta::assert_snapshot!("shikaku_sanbu_valid_limit_a", xml(&a));
}

#[test]
fn shikaku_sanbu_invalid_after_death() {
    let a = answer(
        &request("2021-01-06", &SANBU, "1"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Invalid));
    let r = only(&a);
    assert_eq!(o(&r.disqualification_date), Some("20200401"));
    assert_eq!(o(&r.reason_of_loss), Some("01"), "死亡");
    // The manual's screenshot shows the expired ア certificate next to the lost qualification.
    let l = r.limit_info.as_ref().expect("the last 限度額 certificate");
    assert_eq!(o(&l.classification_flag), Some("A01"));
    insta::assert_snapshot!("shikaku_sanbu_invalid", xml(&a));
}

#[test]
fn shikaku_jurokuro_six_digit_insurer_and_sex_on_the_back() {
    let card = Card {
        insurer: "  139931",
        symbol: Some("世ん10"),
        number: "016",
        branch: Some("01"),
        birthdate: "19721201",
    };
    let a = answer(
        &request("2021-01-06", &card, "0"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("資格　十六郎"));
    assert_eq!(o(&r.name_of_other), Some("資格　十六子"));
    assert_eq!(o(&r.insurer_number), Some("  139931"));
    assert_eq!(o(&r.insurer_name), Some("国民健康保険"));
    assert_eq!(o(&r.sex1), Some("3"), "性別(表面) 未設定");
    assert_eq!(o(&r.sex2), Some("2"), "性別(裏面) 女");
    assert_eq!(o(&r.qualification_date), Some("20191108"));
    assert_eq!(o(&r.post_number), Some("157-0066"));
    assert!(r.specific_diseases.is_empty(), "not on the card path");
    insta::assert_snapshot!("shikaku_jurokuro", xml(&a));
}

const TOMI: Card<'static> = Card {
    insurer: "32270415",
    symbol: Some("10"),
    number: "001",
    branch: Some("03"),
    birthdate: "20170101",
};

#[test]
fn shikaku_tomi_preschool_until_the_end_of_the_fiscal_year() {
    let a = answer(
        &request("2023-03-31", &TOMI, "0"),
        TextEncoding::Utf8,
        "2023-03-31",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("資格　十美"));
    assert_eq!(o(&r.sex1), Some("2"));
    assert_eq!(o(&r.preschool_classification), Some("1"), "義務教育就学前");
    assert_eq!(o(&r.insurer_name), Some("大阪府市町村職員共済組合"));
    // RULE-07: the insurer sent no post number or address.
    assert_eq!((&r.post_number, &r.address), (&None, &None));
    insta::assert_snapshot!("shikaku_tomi_preschool", xml(&a));
}

#[test]
fn shikaku_tomi_not_preschool_from_april() {
    let a = answer(
        &request("2023-04-01", &TOMI, "0"),
        TextEncoding::Utf8,
        "2023-04-01",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    assert_eq!(only(&a).preschool_classification, None);
    let text = xml(&a);
    assert!(!text.contains("PreschoolClassification"));
    insta::assert_snapshot!("shikaku_tomi_not_preschool", text);
}

#[test]
fn senin_hoken_invalid() {
    let card = Card {
        insurer: "02199990",
        symbol: Some("102000"),
        number: "1020001",
        branch: Some("01"),
        birthdate: "20200103",
    };
    let a = answer(
        &request("2021-01-06", &card, "0"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Invalid));
    let r = only(&a);
    assert_eq!(o(&r.insurer_name), Some("全国健康保険協会 ○●船員保険部"));
    assert_eq!(o(&r.birthdate), Some("20200103"));
    insta::assert_snapshot!("senin_hoken_invalid", xml(&a));
}

// ------------------------------------------------------------------ Visiting / online care (ch.3)

#[test]
fn yamada_ritsuko_with_consent_and_reference_number() {
    // The manual's input example: 「00050013」 is the 6-digit 「050013」.
    let card = Card {
        insurer: "00050013",
        symbol: Some("hmtmList11"),
        number: "102",
        branch: Some("00"),
        birthdate: "19820101",
    };
    let a = answer(
        &request("2023-06-01", &card, "1"),
        TextEncoding::Utf8,
        "2023-06-01",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("山田　隆子"));
    assert_eq!(o(&r.name_kana), Some("ﾔﾏﾀﾞ ﾘﾂｺ"));
    assert_eq!(o(&r.name_of_other), Some("やまだ"));
    assert_eq!(o(&r.insurer_number), Some("  050013"));
    assert_eq!(o(&r.insurer_name), Some("秋田市"));
    assert_eq!(o(&r.insured_branch_number), Some("00"));
    assert_eq!(o(&r.qualification_date), Some("20230201"));
    assert_eq!(o(&r.insured_card_valid_date), Some("20230201"));
    assert_eq!(o(&r.reference_number), Some("XYZ010409"));
    let l = r.limit_info.as_ref().expect("限度額 shown with consent");
    assert_eq!(o(&l.classification_flag), Some("A01"), "ア");
    assert_eq!(o(&l.valid_start_date), Some("20230201"));
    assert_eq!(o(&l.valid_end_date), Some("20250801"));
    assert_eq!(o(&l.long_term_date), Some("20230801"));
    insta::assert_snapshot!("yamada_ritsuko_consent_reference", xml(&a));
}

#[test]
fn miyazaki_ichita_with_reference_number() {
    let card = Card {
        insurer: "06270001",
        symbol: Some("77"),
        number: "1234",
        branch: Some("01"),
        birthdate: "19701130",
    };
    let a = answer(
        &request("2023-06-01", &card, "0"),
        TextEncoding::Utf8,
        "2023-06-01",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("宮崎　一太"));
    assert_eq!(o(&r.name_kana), Some("ﾐﾔｻﾞｷ ｲﾁﾀ"));
    assert_eq!(o(&r.sex1), Some("1"));
    assert_eq!(o(&r.reference_number), Some("12345"));
    insta::assert_snapshot!("miyazaki_ichita_reference", xml(&a));
}

// ------------------------------------------------------------------ Medical assistance (ch.6)

#[test]
fn tohoku_ichiro_health_insurance() {
    let card = Card {
        insurer: "06140156",
        symbol: Some("福運テ記号00001"),
        number: "福運テ番号00001",
        branch: Some("01"),
        birthdate: "19800725",
    };
    let a = answer(
        &request("2023-09-01", &card, "0"),
        TextEncoding::Utf8,
        "2023-09-01",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.name), Some("東北　一郎"));
    assert_eq!(o(&r.birthdate), Some("19800725"));
    assert_eq!(o(&r.insured_card_symbol), Some("福運テ記号00001"));
    assert_eq!(o(&r.insured_identification_number), Some("福運テ番号00001"));
    insta::assert_snapshot!("tohoku_ichiro_health_insurance", xml(&a));
}

// ------------------------------------------------------------------ Encodings, no match

#[test]
fn shift_jis_request_is_answered_in_shift_jis() {
    let mut req = request("2021-01-06", &TARO, "0");
    req.header.arbitrary_file_identifier = Some("受付ファイル0001".into());
    req.search.arbitrary_identifier = Some("カルテ番号0001".into());
    let a = answer(&req, TextEncoding::ShiftJis, "2021-01-06");
    assert_normal(&a);
    assert_eq!(a.encoding, TextEncoding::ShiftJis);
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    assert_eq!(o(&only(&a).arbitrary_identifier), Some("カルテ番号0001"));
    let bytes = write_document(&a.response.to_element(), a.encoding);
    // Really Shift_JIS: not UTF-8, decodes cleanly, and 新 is 0x90 0x56.
    assert!(std::str::from_utf8(&bytes).is_err());
    assert!(bytes.windows(2).any(|w| w == [0x90, 0x56]));
    let text = encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .expect("valid Shift_JIS")
        .into_owned();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>"));
    assert!(
        !text.contains("&#"),
        "every character is mapped, none escaped"
    );
    assert!(text.contains("<CharacterCodeIdentifier>1</CharacterCodeIdentifier>"));
    assert!(text.contains("<Name>新橋　太郎</Name>"));
    // The same answer when a UTF-8 request asks for Shift_JIS with CharacterCodeIdentifier 1.
    let mut asked = req.clone();
    asked.header.character_code_identifier = Some("1".into());
    let b = answer(&asked, TextEncoding::Utf8, "2021-01-06");
    assert_eq!(b.encoding, TextEncoding::ShiftJis);
    assert_eq!(write_document(&b.response.to_element(), b.encoding), bytes);
    insta::assert_snapshot!("shift_jis_shimbashi_taro", text);
}

#[test]
fn no_match() {
    // 新橋 太郎's card with another birth date: nobody.
    let card = Card {
        birthdate: "19540327",
        ..TARO
    };
    let a = answer(
        &request("2021-01-06", &card, "0"),
        TextEncoding::Utf8,
        "2021-01-06",
    );
    assert_normal(&a);
    assert_eq!(validity(&a), Some(QualificationValidity::NotFound));
    assert!(results(&a).is_empty());
    let text = xml(&a);
    assert!(!text.contains("ResultList"));
    insta::assert_snapshot!("no_match", text);
}

// ------------------------------------------------------------------ Body-level errors (RULE-29..36)

/// Answers a search broken in one field; checks it is reported in the body as `kind`.
fn body_error(name: &str, kind: ErrorKind, edit: impl FnOnce(&mut SearchInfo)) {
    let mut req = request("2021-01-06", &TARO, "0");
    edit(&mut req.search);
    let a = answer(&req, TextEncoding::Utf8, "2021-01-06");
    let entry = ErrorTable::builtin().entry(kind).clone();
    assert_eq!(a.error.as_ref().map(|e| e.kind), Some(kind), "{name}");
    assert_eq!(a.response.header.segment_of_result, SegmentOfResult::Normal);
    assert_eq!(a.response.header.error_code, None);
    let body = a
        .response
        .body
        .as_ref()
        .expect("body-level error has a body");
    assert_eq!(body.processing_result_status, ProcessingResultStatus::Error);
    assert_eq!(body.processing_result_code.as_deref(), Some(&*entry.code));
    assert_eq!(
        body.processing_result_message.as_deref(),
        Some(&*entry.message)
    );
    assert_eq!(body.qualification_validity, None);
    assert!(body.results.is_empty());
    // The search is echoed verbatim.
    assert_eq!(body.search_echo.as_ref(), Some(&req.search));
    insta::assert_snapshot!(name, xml(&a));
}

#[test]
fn error_insurer_number() {
    body_error("error_insurer_number", ErrorKind::InsurerNumber, |s| {
        s.insurer_number = Some("6139000".into())
    });
}

#[test]
fn error_insured_card_symbol() {
    body_error(
        "error_insured_card_symbol",
        ErrorKind::InsuredCardSymbol,
        |s| s.insured_card_symbol = Some("あ".repeat(21)),
    );
}

#[test]
fn error_insured_identification_number() {
    body_error(
        "error_insured_identification_number",
        ErrorKind::InsuredIdentificationNumber,
        |s| s.insured_identification_number = None,
    );
}

#[test]
fn error_insured_branch_number() {
    body_error(
        "error_insured_branch_number",
        ErrorKind::InsuredBranchNumber,
        |s| s.insured_branch_number = Some("1".into()),
    );
}

#[test]
fn error_birthdate() {
    body_error("error_birthdate", ErrorKind::Birthdate, |s| {
        s.birthdate = Some("19540230".into())
    });
}

#[test]
fn error_limit_consent_flag() {
    body_error(
        "error_limit_consent_flag",
        ErrorKind::LimitConsentFlag,
        |s| s.limit_application_certificate_related_cons_flg = Some("2".into()),
    );
}

#[test]
fn error_beneficiary_number() {
    // RULE-36: 公費負担者番号 12374013 with an 8-digit 受給者番号.
    body_error(
        "error_beneficiary_number",
        ErrorKind::BeneficiaryNumber,
        |s| {
            s.insurer_number = Some("12374013".into());
            s.insured_card_symbol = None;
            s.insured_branch_number = None;
            s.insured_identification_number = Some("99000281".into());
            s.birthdate = Some("19800725".into());
        },
    );
}

#[test]
fn error_medical_assistance_symbol_or_branch() {
    // RULE-36: 記号 and 枝番 are 「－（入力しません）」 for medical assistance.
    body_error(
        "error_medical_assistance_symbol_or_branch",
        ErrorKind::MedicalAssistanceSymbolOrBranch,
        |s| {
            s.insurer_number = Some("12374013".into());
            s.insured_card_symbol = Some("10".into());
            s.insured_branch_number = None;
            s.insured_identification_number = Some("9900028".into());
            s.birthdate = Some("19800725".into());
        },
    );
}

#[test]
fn error_arbitrary_identifier() {
    body_error(
        "error_arbitrary_identifier",
        ErrorKind::ArbitraryIdentifier,
        |s| s.arbitrary_identifier = Some("x".repeat(51)),
    );
}

// ------------------------------------------------------------------ Header-level errors

/// Answers a request broken in one header field; checks SegmentOfResult 9 with `kind`'s row.
fn header_error(name: &str, kind: ErrorKind, edit: impl FnOnce(&mut RequestHeader)) {
    let mut req = request("2021-01-06", &TARO, "0");
    edit(&mut req.header);
    let a = answer(&req, TextEncoding::Utf8, "2021-01-06");
    let entry = ErrorTable::builtin().entry(kind).clone();
    assert_eq!(a.error.as_ref().map(|e| e.kind), Some(kind), "{name}");
    let h = &a.response.header;
    assert_eq!(h.segment_of_result, SegmentOfResult::Abnormal);
    assert_eq!(h.error_code.as_deref(), Some(&*entry.code));
    assert_eq!(h.error_message.as_deref(), Some(&*entry.message));
    assert_eq!(a.response.body, None, "SegmentOfResult 9 has no body");
    insta::assert_snapshot!(name, xml(&a));
}

#[test]
fn error_medical_institution_code() {
    header_error(
        "error_medical_institution_code",
        ErrorKind::MedicalInstitutionCode,
        |h| h.medical_institution_code = Some("123456789".into()),
    );
}

#[test]
fn error_confirmation_date() {
    header_error(
        "error_confirmation_date",
        ErrorKind::ConfirmationDate,
        |h| h.qualification_confirmation_date = Some("2021/01/06".into()),
    );
}

#[test]
fn error_arbitrary_file_identifier() {
    header_error(
        "error_arbitrary_file_identifier",
        ErrorKind::ArbitraryFileIdentifier,
        |h| h.arbitrary_file_identifier = Some("f".repeat(51)),
    );
}

#[test]
fn error_character_code() {
    header_error("error_character_code", ErrorKind::CharacterCode, |h| {
        h.character_code_identifier = Some("2".into())
    });
}

#[test]
fn error_message_structure() {
    let table = ErrorTable::builtin();
    let entry = table.entry(ErrorKind::MessageStructure).clone();
    let res = structure_error(now_on("2021-01-06"), TextEncoding::Utf8, &table);
    assert_eq!(res.header.segment_of_result, SegmentOfResult::Abnormal);
    assert_eq!(res.header.error_code.as_deref(), Some(&*entry.code));
    assert_eq!(res.header.error_message.as_deref(), Some(&*entry.message));
    assert_eq!(res.body, None);
    let text =
        String::from_utf8(write_document(&res.to_element(), TextEncoding::Utf8)).expect("UTF-8");
    insta::assert_snapshot!("error_message_structure", text);
}

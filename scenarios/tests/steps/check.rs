//! ならば: what the answer holds, read the way the screens show it (banners and labels of the
//! manual, code-table names) or on the wire (element names and codes).

use super::world::{shown_date, OqsWorld, Transport};
use cucumber::gherkin::Step;
use cucumber::then;
use oqs_protocol::codes::{
    ContributionRatio, InsuredCardClassification, LimitCategory, LimitCertificateKind,
    PersonalFamily, Preschool, ProcessingResultStatus, QualificationValidity, ReasonOfLoss,
    SegmentOfResult, Sex,
};
use oqs_protocol::errors::{ErrorEntry, ErrorLevel};
use oqs_protocol::{names, texts, Element};

/// How a wire value is shown on the screen.
#[derive(Debug, Clone, Copy)]
enum Shown {
    Text,
    /// A name: the feature writes it as fixtures do; the wire has a full-width space.
    Name,
    /// A reading: the wire has half-width katakana.
    Kana,
    Date,
    Sex,
    Reason,
    Relation,
    Card,
    Ratio,
    Insurer,
    LimitCategory,
    LimitKind,
}

/// A screen label (optionally within a certificate block) → element path within
/// ResultOfQualificationConfirmation, and how its value is shown.
fn label(block: &str, label: &str) -> (&'static str, Shown) {
    use Shown::*;
    match (block, label) {
        ("", "氏名") => ("Name", Name),
        ("", "氏名(カナ)") => ("NameKana", Kana),
        ("", "氏名(その他)") => ("NameOfOther", Name),
        ("", "性別(表面)") | ("", "性別") => ("Sex1", Sex),
        ("", "性別(裏面)") => ("Sex2", Sex),
        ("", "生年月日") => ("Birthdate", Date),
        ("", "保険者番号") => ("InsurerNumber", Insurer),
        ("", "保険者名") => ("InsurerName", Text),
        ("", "記号") => ("InsuredCardSymbol", Text),
        ("", "番号") => ("InsuredIdentificationNumber", Text),
        ("", "枝番") => ("InsuredBranchNumber", Text),
        ("", "証区分") => ("InsuredCardClassification", Card),
        ("", "本人・家族の別") => ("PersonalFamilyClassification", Relation),
        ("", "被保険者氏名") => ("InsuredName", Name),
        ("", "郵便番号") => ("PostNumber", Text),
        ("", "住所") => ("Address", Text),
        ("", "資格取得日") => ("QualificationDate", Date),
        ("", "資格喪失日") => ("DisqualificationDate", Date),
        ("", "有効開始日") => ("InsuredCardValidDate", Date),
        ("", "有効終了日") => ("InsuredCardExpirationDate", Date),
        ("", "一部負担金割合") => ("InsuredPartialContributionRatio", Ratio),
        ("", "資格喪失事由") => ("ReasonOfLoss", Reason),
        ("", "照会番号") => ("ReferenceNumber", Text),
        ("限度額適用認定証", "適用区分") => (
            "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassificationFlag",
            LimitCategory,
        ),
        ("限度額適用認定証", "証区分") => (
            "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassification",
            LimitKind,
        ),
        ("限度額適用認定証", "有効開始日") => (
            "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateValidStartDate",
            Date,
        ),
        ("限度額適用認定証", "有効終了日") => (
            "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateValidEndDate",
            Date,
        ),
        ("限度額適用認定証", "長期入院該当日") => (
            "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateLongTermDate",
            Date,
        ),
        ("高齢受給者証", "一部負担金割合") => (
            "ElderlyRecipientCertificateInfo/ElderlyRecipientContributionRatio",
            Ratio,
        ),
        ("高齢受給者証", "有効開始日") => (
            "ElderlyRecipientCertificateInfo/ElderlyRecipientValidStartDate",
            Date,
        ),
        ("高齢受給者証", "有効終了日") => (
            "ElderlyRecipientCertificateInfo/ElderlyRecipientValidEndDate",
            Date,
        ),
        (b, l) => panic!("no screen item 「{l}」 in 「{b}」 is known to the steps"),
    }
}

fn decode<T>(v: &str, parsed: Option<T>, f: impl Fn(T) -> String) -> String {
    parsed
        .map(f)
        .unwrap_or_else(|| panic!("「{v}」 is not in its code table"))
}

/// A wire value as the screen shows it.
fn show(kind: Shown, v: &str) -> String {
    match kind {
        Shown::Text | Shown::Name | Shown::Kana => v.to_owned(),
        Shown::Date => shown_date(v),
        Shown::Sex => decode(v, Sex::from_code(v), |x| x.label().into()),
        Shown::Reason => decode(v, ReasonOfLoss::from_code(v), |x| x.label().into()),
        Shown::Relation => decode(v, PersonalFamily::from_code(v), |x| x.label().into()),
        Shown::Card => decode(v, InsuredCardClassification::from_code(v), |x| {
            x.label().into()
        }),
        Shown::Ratio => decode(v, ContributionRatio::parse(v), |x| x.label()),
        // The screens show 6-digit 国保 numbers without the padding (AMB-67 examples).
        Shown::Insurer => v.trim().to_owned(),
        Shown::LimitCategory => decode(v, LimitCategory::from_code(v), |x| x.label().into()),
        Shown::LimitKind => decode(v, LimitCertificateKind::from_code(v), |x| x.label().into()),
    }
}

/// A value written in a feature, in the form the screen shows it (names and readings as on
/// the wire: full-width space, half-width kana).
fn expected_form(kind: Shown, v: &str) -> String {
    match kind {
        Shown::Name => names::wire_name(v),
        Shown::Kana => names::half_width_kana(v),
        _ => v.to_owned(),
    }
}

/// The element a screen label shows. 被保険者氏名 of a 本人 is the person's own name: the wire
/// leaves InsuredName out for 本人 (docs/interface.md, 本人), the screen still shows it.
fn shown_at<'a>(r: &'a Element, path: &str) -> Option<&'a Element> {
    at(r, path).or_else(|| {
        (path == "InsuredName"
            && r.child_text("PersonalFamilyClassification") == Some(PersonalFamily::Insured.code()))
        .then(|| r.child("Name"))
        .flatten()
    })
}

/// `a/b/c` below `el`.
fn at<'a>(el: &'a Element, path: &str) -> Option<&'a Element> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .try_fold(el, |e, name| e.child(name))
}

fn header(root: &Element) -> &Element {
    root.child("MessageHeader")
        .expect("the result has a MessageHeader")
}

fn body(root: &Element) -> &Element {
    root.child("MessageBody")
        .expect("the result has a MessageBody")
}

fn results(root: &Element) -> Vec<Element> {
    root.child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .map(|l| {
            l.children_named("ResultOfQualificationConfirmation")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The one person shown on SCR-10.
fn the_result(root: &Element) -> Element {
    let mut r = results(root);
    assert_eq!(
        r.len(),
        1,
        "expected exactly one ResultOfQualificationConfirmation, got {}",
        r.len()
    );
    r.remove(0)
}

fn validity(root: &Element) -> QualificationValidity {
    let code = body(root)
        .child_text("QualificationValidity")
        .expect("the result has a QualificationValidity");
    QualificationValidity::from_code(code)
        .unwrap_or_else(|| panic!("QualificationValidity 「{code}」 is not in table 006"))
}

/// The error-table row with `code`; it must say `message` at `level`.
fn table_row(w: &OqsWorld, code: &str, message: &str, level: ErrorLevel) -> ErrorEntry {
    let (_, entry) = w
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.code == code)
        .unwrap_or_else(|| panic!("{code} is not in the error table"));
    assert_eq!(
        entry.message, message,
        "the feature's text differs from the error table's message for {code}"
    );
    assert_eq!(entry.level, level, "{code} is reported at another level");
    entry.clone()
}

// ------------------------------------------------------------------ banners and validity

/// SCR-10 ①: the banner for the validity (RULE-01..03), or the list message (RULE-32).
#[then(regex = r"^画面には「([^」]*)」と表示される$")]
fn banner_is(w: &mut OqsWorld, expected: String) {
    let v = validity(&w.last().root());
    let banner = texts::banner(v)
        .unwrap_or_else(|| panic!("the manual has no banner for 資格有効性 {}", v.label()));
    assert_eq!(
        banner,
        expected,
        "資格有効性 is {} ({})",
        v.code(),
        v.label()
    );
}

#[then(regex = r"^資格有効性は「([^」]*)」である$")]
fn validity_is(w: &mut OqsWorld, expected: String) {
    let v = validity(&w.last().root());
    let want = QualificationValidity::from_label(&expected)
        .or_else(|| QualificationValidity::from_code(&expected))
        .unwrap_or_else(|| panic!("「{expected}」 is not in table 006 資格有効性"));
    assert_eq!(v, want, "資格有効性 is {} ({})", v.code(), v.label());
}

#[then(regex = r"^処理結果区分は「([^」]*)」である$")]
fn segment_is(w: &mut OqsWorld, expected: String) {
    let root = w.last().root();
    let got = header(&root)
        .child_text("SegmentOfResult")
        .expect("SegmentOfResult");
    let want = SegmentOfResult::from_label(&expected)
        .or_else(|| SegmentOfResult::from_code(&expected))
        .unwrap_or_else(|| panic!("「{expected}」 is not in table 003"));
    assert_eq!(got, want.code(), "SegmentOfResult");
}

#[then(regex = r"^処理結果状況は「([^」]*)」である$")]
fn status_is(w: &mut OqsWorld, expected: String) {
    let root = w.last().root();
    let got = body(&root)
        .child_text("ProcessingResultStatus")
        .expect("ProcessingResultStatus");
    let want = ProcessingResultStatus::from_label(&expected)
        .or_else(|| ProcessingResultStatus::from_code(&expected))
        .unwrap_or_else(|| panic!("「{expected}」 is not in table 004"));
    assert_eq!(got, want.code(), "ProcessingResultStatus");
}

// ------------------------------------------------------------------ errors

/// ProcessingResultStatus 2: code and message in the body, as in the error table.
#[then(regex = r"^処理結果コードは「([^」]*)」、処理結果メッセージは「(.*)」である$")]
fn body_error_is(w: &mut OqsWorld, code: String, message: String) {
    table_row(w, &code, &message, ErrorLevel::Body);
    let root = w.last().root();
    let b = body(&root);
    assert_eq!(
        b.child_text("ProcessingResultStatus"),
        Some(ProcessingResultStatus::Error.code())
    );
    assert_eq!(b.child_text("ProcessingResultCode"), Some(code.as_str()));
    assert_eq!(
        b.child_text("ProcessingResultMessage"),
        Some(message.as_str())
    );
    assert!(
        b.child("ResultList").is_none(),
        "an input error carries no result"
    );
}

/// SegmentOfResult 9: code and message in the header, as in the error table.
#[then(regex = r"^エラーコードは「([^」]*)」、エラーメッセージは「(.*)」である$")]
fn header_error_is(w: &mut OqsWorld, code: String, message: String) {
    table_row(w, &code, &message, ErrorLevel::Header);
    let root = w.last().root();
    let h = header(&root);
    assert_eq!(
        h.child_text("SegmentOfResult"),
        Some(SegmentOfResult::Abnormal.code())
    );
    assert_eq!(h.child_text("ErrorCode"), Some(code.as_str()));
    assert_eq!(h.child_text("ErrorMessage"), Some(message.as_str()));
    assert!(
        root.child("MessageBody").is_none(),
        "SegmentOfResult 9 has no body"
    );
}

/// The first line of a rejection (HTTP body or `.err` file): `<code> <message>` of a reject row.
fn assert_rejection_text(w: &OqsWorld, bytes: &[u8], message: &str) {
    let text = String::from_utf8(bytes.to_vec()).expect("a rejection is UTF-8 text");
    let (_, entry) = w
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.level == ErrorLevel::Reject && e.message == message)
        .unwrap_or_else(|| panic!("no rejection row of the error table says 「{message}」"));
    let first = text.lines().next().unwrap_or("");
    assert_eq!(first, format!("{} {}", entry.code, entry.message), "{text}");
}

/// The request could not be read: HTTP 4xx with the error-table text.
#[then(regex = r"^HTTP ステータス (\d+) で「(.*)」が返る$")]
fn http_rejection(w: &mut OqsWorld, status: u16, message: String) {
    let r = w.last_over(Transport::Http);
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.bytes));
    assert_rejection_text(w, &r.bytes, &message);
}

/// The file exchange's rejection: `res/<request base>.err` instead of a result.
#[then(regex = r"^ファイル連携では結果の代わりに \.err ファイルができ、「(.*)」と書かれている$")]
fn exchange_rejection(w: &mut OqsWorld, message: String) {
    let r = w.last_over(Transport::Exchange);
    let req = r.request_name.as_deref().expect("a request file name");
    assert_eq!(
        r.file_name.as_deref(),
        Some(oqs_protocol::naming::RequestFileName::error_name(req).as_str())
    );
    assert_rejection_text(w, &r.bytes, &message);
}

// ------------------------------------------------------------------ the people shown

/// RULE-32 / SCR-13 ④ 「検索結果: 2 件」.
#[then(regex = r"^「検索結果: (\d+) 件」と表示される$")]
fn result_count(w: &mut OqsWorld, n: usize) {
    assert_eq!(results(&w.last().root()).len(), n, "persons listed");
}

/// AMB-22: the manual shows nothing for a search without a match; the answer lists nobody.
#[then(regex = r"^該当する資格情報は返らない$")]
fn nobody(w: &mut OqsWorld) {
    let root = w.last().root();
    assert!(results(&root).is_empty(), "persons are listed");
    assert!(
        body(&root).child("ResultList").is_none(),
        "an empty ResultList is sent"
    );
}

#[then(regex = r"^該当者一覧は表示されない$")]
fn no_list(w: &mut OqsWorld) {
    let root = w.last().root();
    assert_ne!(validity(&root), QualificationValidity::Multiple);
    assert!(results(&root).len() <= 1, "several persons are listed");
}

/// The list of SCR-13 ④ (or one person): columns are screen labels, rows in order.
#[then(regex = r"^該当者一覧は次のとおりである:?$")]
fn list_is(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("this step takes a table");
    let (head, rows) = table.rows.split_first().expect("a header row");
    let got = results(&w.last().root());
    assert_eq!(got.len(), rows.len(), "persons listed");
    for (i, (row, person)) in rows.iter().zip(&got).enumerate() {
        for (col, want) in head.iter().zip(row) {
            let (path, kind) = label("", col);
            let v = shown_at(person, path).map(|e| show(kind, &e.text));
            assert_eq!(
                v.as_deref(),
                Some(expected_form(kind, want).as_str()),
                "row {}, 「{col}」",
                i + 1
            );
        }
    }
}

/// 「氏名」は「新橋 太郎」と表示される / 限度額適用認定証の「適用区分」は「ア」と表示される.
#[then(regex = r"^((?:限度額適用認定証の|高齢受給者証の)?)「([^」]*)」は「([^」]*)」と表示される$")]
fn item_is(w: &mut OqsWorld, block: String, item: String, expected: String) {
    let (path, kind) = label(block.trim_end_matches('の'), &item);
    let r = the_result(&w.last().root());
    let got =
        shown_at(&r, path).unwrap_or_else(|| panic!("「{item}」 ({path}) is not in the result"));
    assert_eq!(
        show(kind, &got.text),
        expected_form(kind, &expected),
        "{path} = 「{}」",
        got.text
    );
}

/// 「氏名(その他)」は表示されない: the element is absent (RULE-06, RULE-07).
#[then(regex = r"^((?:限度額適用認定証の|高齢受給者証の)?)「([^」]*)」は表示されない$")]
fn item_absent(w: &mut OqsWorld, block: String, item: String) {
    let (path, _) = label(block.trim_end_matches('の'), &item);
    let r = the_result(&w.last().root());
    if let Some(e) = shown_at(&r, path) {
        panic!("「{item}」 is shown: {path} = 「{}」", e.text);
    }
}

/// RULE-04: the label next to 照会番号.
#[then(regex = r"^照会番号の横に「([^」]*)」と表示される$")]
fn preschool_shown(w: &mut OqsWorld, expected: String) {
    // The screen's words (RULE-04); the code table calls it 「未就学該当」.
    assert_eq!(expected, texts::PRESCHOOL_LABEL);
    let r = the_result(&w.last().root());
    assert_eq!(
        r.child_text("PreschoolClassification"),
        Some(Preschool::Preschool.code()),
        "PreschoolClassification"
    );
}

#[then(regex = r"^照会番号の横に「([^」]*)」は表示されない$")]
fn preschool_not_shown(w: &mut OqsWorld, expected: String) {
    assert_eq!(expected, texts::PRESCHOOL_LABEL);
    let r = the_result(&w.last().root());
    assert_eq!(
        r.child_text("PreschoolClassification"),
        None,
        "PreschoolClassification"
    );
}

/// RULE-13/14/15: a certificate block is shown or not, for every person in the answer.
#[then(regex = r"^(限度額適用認定証|特定疾病療養受療証)の情報(が表示される|は表示されない)$")]
fn certificate_block(w: &mut OqsWorld, which: String, shown: String) {
    let element = match which.as_str() {
        "限度額適用認定証" => "LimitApplicationCertificateRelatedInfo",
        _ => "SpecificDiseasesCertificateList",
    };
    let root = w.last().root();
    let all = results(&root);
    assert!(!all.is_empty(), "no person in the answer");
    for r in &all {
        let present = r.child(element).is_some();
        assert_eq!(
            present,
            shown == "が表示される",
            "{element} for 「{}」",
            r.child_text("Name").unwrap_or("?")
        );
        if which == "特定疾病療養受療証" && shown == "は表示されない" {
            assert!(
                r.child("SpecificDiseasesCertificateRelatedConsFlg")
                    .is_none(),
                "the insurance-card path offers no 特定疾病 consent (RULE-13)"
            );
        }
    }
}

// ------------------------------------------------------------------ the wire

/// An element of the answer: `MessageHeader/…` and `MessageBody/…` from the root, anything else
/// within the one ResultOfQualificationConfirmation. The value is compared exactly.
#[then(regex = r"^電文の「([^」]*)」は「([^」]*)」である$")]
fn wire_is(w: &mut OqsWorld, path: String, expected: String) {
    let root = w.last().root();
    let got = if path.starts_with("MessageHeader") || path.starts_with("MessageBody") {
        at(&root, &path).map(|e| e.text.clone())
    } else {
        at(&the_result(&root), &path).map(|e| e.text.clone())
    };
    assert_eq!(got.as_deref(), Some(expected.as_str()), "{path}");
}

#[then(regex = r"^電文に「([^」]*)」は含まれない$")]
fn wire_absent(w: &mut OqsWorld, path: String) {
    let root = w.last().root();
    let found = if path.starts_with("MessageHeader") || path.starts_with("MessageBody") {
        at(&root, &path).is_some()
    } else {
        results(&root).iter().any(|r| at(r, &path).is_some())
    };
    assert!(!found, "{path} is in the answer");
}

/// RULE-35: the 資格確認日 the answer was judged for (echoed in the header).
#[then(regex = r"^結果の資格確認日は「([^」]*)」である$")]
fn confirmation_date_is(w: &mut OqsWorld, expected: String) {
    let root = w.last().root();
    let got = header(&root)
        .child_text("QualificationConfirmationDate")
        .expect("QualificationConfirmationDate");
    assert_eq!(
        shown_date(got),
        expected,
        "QualificationConfirmationDate {got}"
    );
}

#[then(regex = r"^答えの文字コードは「([^」]*)」である$")]
fn answer_encoding(w: &mut OqsWorld, expected: String) {
    assert_eq!(w.last().encoding().label(), expected);
}

// ------------------------------------------------------------------ transports

#[then(
    regex = r"^(XML/HTTP|ファイル連携) ?の答えと (XML/HTTP|ファイル連携) ?の答えはバイト単位で同じである$"
)]
fn same_bytes(w: &mut OqsWorld, a: String, b: String) {
    let (a, b) = (
        w.last_over(Transport::from_words(&a)),
        w.last_over(Transport::from_words(&b)),
    );
    assert_eq!(a.status, 200);
    assert!(
        a.bytes == b.bytes,
        "the answers differ:\n{}\n---\n{}",
        String::from_utf8_lossy(&a.bytes),
        String::from_utf8_lossy(&b.bytes)
    );
}

/// The WebAPI answer is the JSON mirror of the XML answer, value for value.
#[then(regex = r"^WebAPI ?の答えは (XML/HTTP|ファイル連携) ?の答えと同じ値である$")]
fn webapi_same_values(w: &mut OqsWorld, other: String) {
    let api = w.last_over(Transport::WebApi).json();
    let xml = w.last_over(Transport::from_words(&other)).root();
    assert_eq!(api, oqs_protocol::json::to_json(&xml));
    if !results(&xml).is_empty() {
        assert!(
            api["XmlMsg"]["MessageBody"]["ResultList"].is_array(),
            "ResultList is an array in the WebAPI answer"
        );
    }
}

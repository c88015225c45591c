//! 前提 / もし: the clock, the facility, and the inputs of SCR-13 資格情報照会（被保険者証）.

use super::world::{input_date, OqsWorld};
use cucumber::{given, when};
use oqs_protocol::message::SingleInquiryRequest;
use oqs_protocol::TextEncoding;

/// PUT /__admin/clock: the simulator's "now" (today's date is the default 資格確認日).
#[given(regex = r"^現在日時は「([^」]*)」である$")]
#[when(regex = r"^現在日時は「([^」]*)」である$")]
async fn set_clock(w: &mut OqsWorld, now: String) {
    let body = serde_json::json!({ "now": now }).to_string().into_bytes();
    let (status, bytes) = w
        .http(
            "PUT",
            "/__admin/clock",
            &[("content-type", "application/json")],
            body,
        )
        .await;
    assert_eq!(
        status,
        200,
        "PUT /__admin/clock: {}",
        String::from_utf8_lossy(&bytes)
    );
}

/// A new search on SCR-13 at the facility: every field empty, 限度額 unticked.
#[given(regex = r"^医療機関コード「([^」]*)」の医療機関で資格情報照会（被保険者証）を開く$")]
#[when(regex = r"^医療機関コード「([^」]*)」の医療機関で資格情報照会（被保険者証）を開く$")]
fn open_scr13(w: &mut OqsWorld, code: String) {
    w.request = SingleInquiryRequest::default();
    w.request.header.medical_institution_code = Some(code);
    w.request
        .search
        .limit_application_certificate_related_cons_flg = Some("0".into());
    w.encoding = TextEncoding::Utf8;
}

/// The request field behind a label of SCR-13 (or of the message header).
fn field<'a>(w: &'a mut OqsWorld, label: &str) -> (&'a mut Option<String>, bool) {
    let (h, s) = (&mut w.request.header, &mut w.request.search);
    match label {
        "保険者番号" | "公費負担者番号" => (&mut s.insurer_number, false),
        "記号" => (&mut s.insured_card_symbol, false),
        "番号" | "受給者番号" => (&mut s.insured_identification_number, false),
        "枝番" => (&mut s.insured_branch_number, false),
        "生年月日" => (&mut s.birthdate, true),
        "限度額適用認定証関連情報の同意フラグ" => {
            (&mut s.limit_application_certificate_related_cons_flg, false)
        }
        "任意の識別子" => (&mut s.arbitrary_identifier, false),
        "資格確認日" => (&mut h.qualification_confirmation_date, true),
        "医療機関コード" => (&mut h.medical_institution_code, false),
        "任意のファイル識別子" => (&mut h.arbitrary_file_identifier, false),
        other => panic!(
            "no input 「{other}」 on 資格情報照会（被保険者証） \
             (保険者番号, 記号, 番号, 枝番, 生年月日, 資格確認日, …)"
        ),
    }
}

/// 「保険者番号」に「06139000」を入力する / 「番号」に受給者番号「9900028」を入力する.
/// Dates may be typed in 和暦 or as yyyy/mm/dd.
#[given(regex = r"^「([^」]*)」に(?:公費負担者番号|受給者番号)?「([^」]*)」を入力する$")]
#[when(regex = r"^「([^」]*)」に(?:公費負担者番号|受給者番号)?「([^」]*)」を入力する$")]
fn type_field(w: &mut OqsWorld, label: String, value: String) {
    let (slot, is_date) = field(w, &label);
    *slot = Some(if is_date { input_date(&value) } else { value });
}

/// 「記号」は入力しない: the element is left out of the request.
#[given(regex = r"^「([^」]*)」は入力しない$")]
#[when(regex = r"^「([^」]*)」は入力しない$")]
fn leave_field_empty(w: &mut OqsWorld, label: String) {
    *field(w, &label).0 = None;
}

/// 「記号」に 21 文字の「あ」を入力する (length rules).
#[given(regex = r"^「([^」]*)」に (\d+) 文字の「([^」]*)」を入力する$")]
#[when(regex = r"^「([^」]*)」に (\d+) 文字の「([^」]*)」を入力する$")]
fn type_repeated(w: &mut OqsWorld, label: String, n: usize, unit: String) {
    *field(w, &label).0 = Some(unit.repeat(n));
}

/// The 「限度額適用認定証 ☐ 表示する」 box (consent obtained orally, RULE-14).
#[given(regex = r"^限度額適用認定証の「表示する」にチェックを(付ける|付けない)$")]
#[when(regex = r"^限度額適用認定証の「表示する」にチェックを(付ける|付けない)$")]
fn tick_limit(w: &mut OqsWorld, tick: String) {
    let flag = if tick == "付ける" { "1" } else { "0" };
    w.request
        .search
        .limit_application_certificate_related_cons_flg = Some(flag.into());
}

/// The request XML's encoding (declared in its prolog).
#[given(regex = r"^電文の文字コードを「([^」]*)」にする$")]
#[when(regex = r"^電文の文字コードを「([^」]*)」にする$")]
fn set_encoding(w: &mut OqsWorld, label: String) {
    w.encoding = TextEncoding::from_label(&label)
        .unwrap_or_else(|| panic!("「{label}」 is not UTF-8 or Shift_JIS"));
}

/// People added for a scenario (fixture TOML, as `POST /__admin/fixtures?mode=extend` takes it).
#[given(regex = r"^次の人物が登録されている:?$")]
async fn load_people(w: &mut OqsWorld, step: &cucumber::gherkin::Step) {
    let toml = step
        .docstring
        .as_ref()
        .expect("this step takes fixture TOML as a docstring (\"\"\")");
    let (status, bytes) = w
        .http(
            "POST",
            "/__admin/fixtures?mode=extend&name=scenario.toml",
            &[("content-type", "application/toml")],
            toml.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        status,
        200,
        "POST /__admin/fixtures: {}",
        String::from_utf8_lossy(&bytes)
    );
}

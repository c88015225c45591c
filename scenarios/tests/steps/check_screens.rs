//! The check screens' own steps (SCR-10 red 証区分, SCR-15/17 file uploads, SCR-16/18 waiting
//! for a result); the rest is said with the screen steps of `screens.rs`.

use super::OqsWorld;
use cucumber::{then, when};
use std::time::Duration;

/// OQSmuquc01req: 新橋 太郎 and 新橋 花子 (the manual's people).
const BULK_INQUIRY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>02</InsuredBranchNumber><Birthdate>19550118</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>\n";

/// OQSmuimm01req: 照会番号 B13_1234567890 for 新橋 太郎.
const BULK_REGISTRATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>B13_1234567890</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>\n";

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    let rest = &tag[i..];
    Some(rest[..rest.find('"')?].replace("&amp;", "&"))
}

#[then(regex = r"^「([^」]*)」は赤字で表示される$")]
async fn shown_red(w: &mut OqsWorld, label: String) {
    let page = &w.browser().page;
    let needle = format!(r#"<td class="red" data-label="{label}">"#);
    assert!(page.contains(&needle), "「{label}」 is not red:\n{page}");
}

#[then(regex = r"^「([^」]*)」は赤字で表示されない$")]
async fn not_red(w: &mut OqsWorld, label: String) {
    let page = &w.browser().page;
    assert!(
        page.contains(&format!(r#"data-label="{label}">"#)),
        "no 「{label}」"
    );
    assert!(!page.contains(&format!(r#"<td class="red" data-label="{label}">"#)));
}

/// The file chosen in the upload form (「ファイルの選択」), then its button.
#[when(
    regex = r"^ファイル「([^」]*)」に(一括照会要求|照会番号一括登録要求)を書いて《([^》]*)》をクリックする$"
)]
async fn upload(w: &mut OqsWorld, name: String, what: String, _button: String) {
    let content = if what == "一括照会要求" {
        BULK_INQUIRY
    } else {
        BULK_REGISTRATION
    };
    let page = w.browser().page.clone();
    let start = page
        .find(r#"enctype="multipart/form-data""#)
        .and_then(|i| page[..i].rfind("<form"))
        .unwrap_or_else(|| panic!("no upload form on the screen:\n{page}"));
    let tag = &page[start..start + page[start..].find('>').expect("form tag")];
    let action = attr(tag, "action").expect("form action");
    let csrf = page[start..]
        .split("<input ")
        .find(|t| t.contains(r#"name="csrf""#))
        .and_then(|t| attr(t, "value"))
        .expect("the form's CSRF token");
    let b = "----oqs-scenario-boundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content.as_bytes());
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={b}");
    w.screen_send("POST", &action, Some((ct, body))).await;
}

#[when(regex = r"^《ダウンロード》が表示されるまで《更新》をクリックする$")]
async fn refresh_until_downloadable(w: &mut OqsWorld) {
    for _ in 0..200 {
        if w.browser().page.contains(">ダウンロード<") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        w.click("更新").await;
    }
    panic!("no 《ダウンロード》 after 5 s:\n{}", w.browser().page);
}

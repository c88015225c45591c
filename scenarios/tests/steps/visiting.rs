//! Visiting / online care (ch.3) over the machine interface: SCR-22's inputs (診療区分, the
//! 特定疾病 box; the card fields are SCR-13's steps), the individual inquiry OQSsihvq01req /
//! OQSsionq01req, the cancellation OQSsihvd01req, and the consent table of SCR-23 / SCR-28.

use super::world::{OqsWorld, Transport};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_protocol::visiting::{ConsentRow, VisitingInquiryRequest, CONSENT_INFO, CONSENT_LIST};

/// A new search on SCR-22 / SCR-27 at the facility (the same fields as SCR-13).
#[given(
    regex = r"^医療機関コード「([^」]*)」の医療機関で(?:資格情報照会\(訪問診療等・オンライン診療等\)|同意取消照会\(訪問診療等\))を開く$"
)]
#[when(
    regex = r"^医療機関コード「([^」]*)」の医療機関で(?:資格情報照会\(訪問診療等・オンライン診療等\)|同意取消照会\(訪問診療等\))を開く$"
)]
fn open_scr22(w: &mut OqsWorld, code: String) {
    w.request = Default::default();
    w.request.header.medical_institution_code = Some(code);
    w.request
        .search
        .limit_application_certificate_related_cons_flg = Some("0".into());
    w.visiting = Default::default();
}

/// 「* 診療区分」 ▼.
#[given(regex = r"^「診療区分」で「(訪問診療等|オンライン診療等)」を選ぶ$")]
#[when(regex = r"^「診療区分」で「(訪問診療等|オンライン診療等)」を選ぶ$")]
fn choose_kind(w: &mut OqsWorld, kind: String) {
    w.visiting.online = kind == "オンライン診療等";
}

/// 「特定疾病療養受療証： ☐ 表示する」 (DLG-08 answered 《OK》: written consent).
#[given(regex = r"^特定疾病療養受療証の「表示する」にチェックを(付ける|付けない)$")]
#[when(regex = r"^特定疾病療養受療証の「表示する」にチェックを(付ける|付けない)$")]
fn tick_specific(w: &mut OqsWorld, tick: String) {
    w.visiting.specific_disease = tick == "付ける";
}

fn visiting_xml(w: &OqsWorld) -> Vec<u8> {
    let req = VisitingInquiryRequest {
        inquiry: w.request.clone(),
        specific_disease_consent: w.visiting.specific_disease,
    };
    oqs_protocol::xml::write_document(&req.to_element(), w.encoding)
}

/// SCR-22 《検索》 as the machine message of the chosen 診療区分.
#[when(regex = r"^訪問診療等・オンライン診療等の資格情報照会を (XML/HTTP|ファイル連携) ?で行う$")]
async fn inquire(w: &mut OqsWorld, transport: String) {
    let message = if w.visiting.online {
        "OQSsionq01req"
    } else {
        "OQSsihvq01req"
    };
    let body = visiting_xml(w);
    w.send_as(Transport::from_words(&transport), message, Some(body))
        .await;
}

/// SCR-28 《同意取消》 → DLG-18 《OK》, as OQSsihvd01req.
#[when(regex = r"^同意取消\(訪問診療等\)を (XML/HTTP|ファイル連携) ?で行う$")]
async fn cancel(w: &mut OqsWorld, transport: String) {
    let body = visiting_xml(w);
    w.send_as(
        Transport::from_words(&transport),
        "OQSsihvd01req",
        Some(body),
    )
    .await;
}

fn rows(w: &OqsWorld) -> Option<Vec<ConsentRow>> {
    let root = w.last().root();
    let list = root.child("MessageBody")?.child(CONSENT_LIST)?;
    Some(
        list.children_named(CONSENT_INFO)
            .map(|e| ConsentRow::from_element(e).expect("a consent row the simulator wrote"))
            .collect(),
    )
}

/// The 閲覧同意情報 table (SCR-23 ⑤ / SCR-28 ②), with the manual's column headers.
#[then(regex = r"^閲覧同意情報は次のとおりである:?$")]
fn consent_table(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let header = &table.rows[0];
    assert_eq!(
        header,
        &[
            "同意区分",
            "同意有無",
            "同意年月日",
            "同意有効期限",
            "閲覧同意有効期限切れ理由"
        ],
        "columns as on SCR-23"
    );
    let got: Vec<Vec<String>> = rows(w)
        .expect("the answer carries the consent table")
        .into_iter()
        .map(|r| {
            vec![
                r.category.label().to_owned(),
                r.consented.to_owned(),
                r.consent_date,
                r.expiry_date,
                r.expiry_reason.to_owned(),
            ]
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(regex = r"^閲覧同意情報は返らない$")]
fn no_consent_table(w: &mut OqsWorld) {
    assert!(rows(w).is_none(), "a consent table was answered");
}

/// A normal answer's message (the cancellation answers DLG-19's text).
#[then(regex = r"^処理結果メッセージは「(.*)」である$")]
fn message_is(w: &mut OqsWorld, expected: String) {
    let root = w.last().root();
    let got = root
        .child("MessageBody")
        .and_then(|b| b.child_text("ProcessingResultMessage"))
        .map(str::to_owned);
    assert_eq!(got.as_deref(), Some(expected.as_str()));
}

//! The outcome of one confirmation ([`Confirmation`]) and the choices SCR-10 shows with it.

use super::dialog::Dialog;
use super::readers::ReaderKind;
use super::request::{Consents, Method};
use chrono::NaiveDate;
use oqs_protocol::codes::{PrescriptionIssueForm, QualificationValidity};
use oqs_protocol::message::SingleInquiryResponse;
use oqs_protocol::TextEncoding;
use serde::Serialize;

/// What a confirmation shows on SCR-10 besides the card data, and can be changed afterwards
/// (FLOW-11 consents, FLOW-13 certificates, FLOW-14 issuance form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choices {
    pub consents: Consents,
    pub show_limit: bool,
    pub show_specific_disease: bool,
    /// `None`: 未選択 (the block is not shown).
    #[serde(serialize_with = "serialize_form")]
    pub prescription_form: Option<PrescriptionIssueForm>,
}

/// 処方箋発行形態 as the history shows it: 電子 / 紙 / 未選択 (RULE-61).
fn serialize_form<S: serde::Serializer>(
    f: &Option<PrescriptionIssueForm>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.map_or("未選択", PrescriptionIssueForm::label))
}

/// The outcome of one My Number confirmation: everything the journal, the HTTP answer, the
/// face folder and the confirmation history need.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmation {
    /// Number of this confirmation (per terminal, from 1).
    pub id: u64,
    /// Simulator time, RFC 3339.
    pub at: String,
    /// 目視確認 / 暗証番号.
    pub method: Method,
    pub reader: Option<String>,
    pub reader_kind: Option<ReaderKind>,
    /// 医療機関コード.
    pub facility: String,
    /// 資格確認日.
    pub confirmation_date: NaiveDate,
    /// The card holder (person key), once the certificate was recognised.
    pub person: Option<String>,
    /// The error dialog that ended the check.
    pub dialog: Option<Dialog>,
    /// A notice shown before the result (ERR-08).
    pub notice: Option<Dialog>,
    pub choices: Choices,
    /// The result (OQSsiquc01res layout, ReferenceClassification 1), when the check succeeded.
    #[serde(skip)]
    pub result: Option<SingleInquiryResponse>,
    /// The file written into the exchange folder's `face/`, for face-reader checks.
    pub face_file: Option<String>,
    /// Its record in the confirmation history, once recorded.
    #[serde(skip)]
    pub history_id: Option<u64>,
}

impl Confirmation {
    pub fn validity(&self) -> Option<QualificationValidity> {
        self.result
            .as_ref()
            .and_then(|r| r.body.as_ref())
            .and_then(|b| b.qualification_validity)
    }

    /// The result as UTF-8 XML text.
    pub fn result_xml(&self) -> Option<String> {
        self.result.as_ref().map(|r| {
            String::from_utf8_lossy(&oqs_protocol::xml::write_document(
                &r.to_element(),
                TextEncoding::Utf8,
            ))
            .into_owned()
        })
    }
}

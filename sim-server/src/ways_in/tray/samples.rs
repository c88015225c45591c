//! Sample request files the tray offers for download (FLOW-21 / FLOW-26: SCR-15 and SCR-17 ask
//! for a file a trainer would not have): written by the protocol's own message types from the
//! built-in sample people of サンプル医療機関, so they are exactly what a 連携アプリケーション sends.

use oqs_protocol::bulk::BulkInquiryRequest;
use oqs_protocol::header::RequestHeader;
use oqs_protocol::registration::{BulkRegistrationRequest, RegistrationInfo};
use oqs_protocol::search::SearchInfo;
use oqs_protocol::{xml, TextEncoding};

/// The facility of the samples (サンプル医療機関, the demo staff's).
const FACILITY: &str = "1234567890";

/// (file name, what it is) of every sample, in the tray's order.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "OQSmuquc01req_sample.xml",
        "資格情報一括照会の要求ファイル（SCR-15、3 行: 新橋 太郎、新橋 花子、枝番なしの双子 → 複数該当）",
    ),
    (
        "OQSmuimm01req_sample.xml",
        "照会番号一括登録の要求ファイル（SCR-17、2 行: 新橋 太郎、新橋 花子）",
    ),
];

fn header() -> RequestHeader {
    RequestHeader {
        medical_institution_code: Some(FACILITY.into()),
        arbitrary_file_identifier: Some("tray-sample".into()),
        ..RequestHeader::default()
    }
}

fn card(branch: Option<&str>, birthdate: &str) -> SearchInfo {
    SearchInfo {
        insurer_number: Some("06139000".into()),
        insured_card_symbol: Some("9000".into()),
        insured_identification_number: Some("10001".into()),
        insured_branch_number: branch.map(str::to_owned),
        birthdate: Some(birthdate.into()),
        limit_application_certificate_related_cons_flg: Some("0".into()),
        arbitrary_identifier: None,
    }
}

fn registration(branch: &str, reference: &str) -> RegistrationInfo {
    RegistrationInfo {
        reference_number: Some(reference.into()),
        insurer_number: Some("06139000".into()),
        insured_card_symbol: Some("9000".into()),
        insured_identification_number: Some("10001".into()),
        insured_branch_number: Some(branch.into()),
    }
}

/// The bytes of sample `name`, if it is one.
pub fn file(name: &str) -> Option<Vec<u8>> {
    let root = match name {
        "OQSmuquc01req_sample.xml" => BulkInquiryRequest {
            header: header(),
            rows: vec![
                card(Some("01"), "19540326"),
                card(Some("02"), "19550118"),
                card(None, "19840401"),
            ],
        }
        .to_element(),
        "OQSmuimm01req_sample.xml" => BulkRegistrationRequest {
            header: header(),
            rows: vec![
                registration("01", "TRAY0001"),
                registration("02", "TRAY0002"),
            ],
        }
        .to_element(),
        _ => return None,
    };
    Some(xml::write_document(&root, TextEncoding::Utf8))
}

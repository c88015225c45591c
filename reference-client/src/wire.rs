//! Building requests and reading results: what a receipt computer writes on the wire and what it
//! concludes from the answer. Mutants bend exactly one rule here or in [`crate::Client`].

use crate::Mutant;
use oqs_adapter_protocol::{Candidate, Conclusion, InsuranceCard};
use oqs_protocol::codes::{ContributionRatio, QualificationValidity, Sex};
use oqs_protocol::message::{InsurerNumber, RequestHeader, SearchInfo, BODY};
use oqs_protocol::registration::RegistrationInfo;
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::{texts, Element, ErrorKind, ErrorTable, TextEncoding};

/// How one request is written: the mutant, if any, and the request's own identifier.
#[derive(Debug, Clone, Copy)]
pub struct WireStyle {
    pub mutant: Option<Mutant>,
}

impl WireStyle {
    fn is(self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }

    /// 保険者番号 on the wire: 8 characters, a 6-digit 国保 number right-aligned with spaces.
    /// Input that is not a 6/8-digit number is sent as typed (the simulator names the rule).
    pub fn insurer_number(self, printed: &str) -> String {
        let typed = printed.trim();
        let Ok(n) = InsurerNumber::parse(typed) else {
            return typed.to_owned();
        };
        if n.is_six_digit() {
            if self.is(Mutant::ZeroPadInsurer) {
                return format!("{:08}", n.0);
            }
            if self.is(Mutant::UnpaddedInsurer) {
                return n.display();
            }
        }
        n.wire()
    }

    /// 枝番: 2 digits ("1" on the card means 01).
    pub fn branch(self, printed: &str) -> String {
        let typed = printed.trim();
        if self.is(Mutant::OneDigitBranch) {
            // "01" → "1": the leading zero of a 2-digit 枝番 is dropped.
            let short = typed.trim_start_matches('0');
            return if short.is_empty() { "0" } else { short }.to_owned();
        }
        if typed.len() == 1 && typed.bytes().all(|b| b.is_ascii_digit()) {
            format!("0{typed}")
        } else {
            typed.to_owned()
        }
    }

    /// A date (YYYYMMDD) as written on the wire.
    pub fn date(self, yyyymmdd: &str) -> String {
        let d = yyyymmdd.trim();
        if self.is(Mutant::DashedDates) && d.len() == 8 && d.is_char_boundary(4) {
            return format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]);
        }
        d.to_owned()
    }

    /// QualificationConfirmationDate: the date given at the counter (absent: the simulator's
    /// today, by omitting it).
    pub fn confirmation_date(self, given: Option<&str>) -> Option<String> {
        if self.is(Mutant::WallClockDate) {
            return Some(chrono::Local::now().format("%Y%m%d").to_string());
        }
        given.map(|d| self.date(d))
    }

    pub fn header(
        self,
        facility: &str,
        confirmation_date: Option<&str>,
        file_id: &str,
    ) -> RequestHeader {
        RequestHeader {
            qualification_confirmation_date: self.confirmation_date(confirmation_date),
            medical_institution_code: Some(facility.trim().to_owned()),
            arbitrary_file_identifier: Some(file_id.to_owned()),
            character_code_identifier: None,
        }
    }

    /// QualificationConfirmSearchInfo for one card.
    pub fn search_info(
        self,
        card: &InsuranceCard,
        limit_consent: bool,
        row_id: &str,
    ) -> SearchInfo {
        let consent =
            (limit_consent && !self.is(Mutant::DropLimitConsent)) || self.is(Mutant::AlwaysConsent);
        let arbitrary_identifier = if self.is(Mutant::WrongEncodingDeclaration) {
            // Japanese text makes the mismatch between declaration and bytes visible.
            format!("受付{row_id}")
        } else {
            row_id.to_owned()
        };
        SearchInfo {
            insurer_number: Some(self.insurer_number(&card.insurer_number)),
            insured_card_symbol: card
                .symbol
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            insured_identification_number: Some(card.number.trim().to_owned()),
            insured_branch_number: card
                .branch
                .as_deref()
                .filter(|b| !b.trim().is_empty())
                .map(|b| self.branch(b)),
            birthdate: Some(self.date(&card.birthdate)),
            limit_application_certificate_related_cons_flg: Some(
                if consent { "1" } else { "0" }.into(),
            ),
            arbitrary_identifier: Some(arbitrary_identifier),
        }
    }

    pub fn registration_info(
        self,
        card: &InsuranceCard,
        reference_number: &str,
    ) -> RegistrationInfo {
        RegistrationInfo {
            reference_number: Some(reference_number.to_owned()),
            insurer_number: Some(self.insurer_number(&card.insurer_number)),
            insured_card_symbol: card
                .symbol
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            insured_identification_number: Some(card.number.trim().to_owned()),
            insured_branch_number: card
                .branch
                .as_deref()
                .filter(|b| !b.trim().is_empty())
                .map(|b| self.branch(b)),
        }
    }

    /// The document's bytes, declared UTF-8 (the mutant declares Shift_JIS over UTF-8 bytes).
    pub fn document(self, root: &Element) -> Vec<u8> {
        let bytes = write_document(root, TextEncoding::Utf8);
        if !self.is(Mutant::WrongEncodingDeclaration) {
            return bytes;
        }
        let text = String::from_utf8_lossy(&bytes).replacen(
            "encoding=\"UTF-8\"",
            "encoding=\"Shift_JIS\"",
            1,
        );
        text.into_bytes()
    }
}

/// XmlMsg with a header and a body holding `children`.
pub fn message(header: &RequestHeader, children: Vec<Element>) -> Element {
    let mut body = Element::new(BODY);
    body.children = children;
    header.document(body)
}

/// Parses an answer document; `Err` with a reason when it is not (yet) readable XML.
pub fn parse(bytes: &[u8]) -> Result<Element, String> {
    let limits = ReadLimits {
        max_bytes: 64 * 1024 * 1024,
        max_depth: 16,
        max_elements: 5_000_000,
    };
    read_document(bytes, limits)
        .map(|d| d.root)
        .map_err(|e| e.to_string())
}

/// A rejected request (HTTP 4xx text or `.err` file): first line `<code> <message>`.
pub fn rejection(text: &str) -> Conclusion {
    let first = text.lines().next().unwrap_or_default().trim();
    let (code, message) = match first.split_once(' ') {
        Some((c, m)) => (Some(c.to_owned()), m.to_owned()),
        None => (None, first.to_owned()),
    };
    Conclusion {
        message: Some(message),
        error_code: code,
        ..Conclusion::default()
    }
}

fn text(el: &Element, name: &str) -> Option<String> {
    el.child_text(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One ResultOfQualificationConfirmation as the client shows it.
pub fn candidate(r: &Element, style: WireStyle) -> Candidate {
    let limit_category = r
        .child("LimitApplicationCertificateRelatedInfo")
        .and_then(|l| text(l, "LimitApplicationCertificateClassificationFlag"));
    let reference_number = if style.is(Mutant::DropReferenceNumber) {
        None
    } else {
        text(r, "ReferenceNumber")
    };
    let mut c = Candidate {
        insurer_number: text(r, "InsurerNumber").unwrap_or_default(),
        symbol: text(r, "InsuredCardSymbol"),
        number: text(r, "InsuredIdentificationNumber").unwrap_or_default(),
        branch: text(r, "InsuredBranchNumber"),
        name: text(r, "Name").unwrap_or_default(),
        name_kana: text(r, "NameKana"),
        birthdate: text(r, "Birthdate").unwrap_or_default(),
        sex: text(r, "Sex1")
            .and_then(|c| Sex::from_code(&c))
            .map(|s| s.label().to_owned()),
        contribution_ratio: text(r, "InsuredPartialContributionRatio")
            .and_then(|c| ContributionRatio::parse(&c))
            .map(ContributionRatio::label),
        limit_category,
        reference_number,
    };
    if let Some(m) = style.mutant {
        mutate_candidate(m, &mut c);
    }
    c
}

/// The mutants that show a field of a person wrongly.
fn mutate_candidate(m: Mutant, c: &mut Candidate) {
    match m {
        Mutant::WrongContributionRatio => c.contribution_ratio = Some("9割".into()),
        Mutant::WrongNameKana => c.name_kana = Some("ｼｹﾝ ﾀﾛｳ".into()),
        Mutant::WrongSex => {
            c.sex = c
                .sex
                .as_deref()
                .map(|s| if s == "男" { "女" } else { "男" }.to_owned());
        }
        Mutant::FamilyNameOnly => {
            let family = c.name.split([' ', '\u{3000}']).next().unwrap_or_default();
            c.name = family.to_owned();
        }
        Mutant::ShownBirthdateDashed if c.birthdate.len() == 8 => {
            c.birthdate = format!(
                "{}-{}-{}",
                &c.birthdate[..4],
                &c.birthdate[4..6],
                &c.birthdate[6..]
            );
        }
        Mutant::DropShownSymbol => c.symbol = None,
        Mutant::DropLimitCategory => c.limit_category = None,
        _ => {}
    }
}

/// The banner text the client shows for a validity.
fn banner(v: QualificationValidity, style: WireStyle) -> Option<String> {
    let verbatim = texts::banner(v)?;
    if style.is(Mutant::ValidBannerAlways) {
        return texts::banner(QualificationValidity::Valid).map(str::to_owned);
    }
    if style.is(Mutant::ParaphraseMultipleMessage) && v == QualificationValidity::Multiple {
        return Some("複数の該当者が見つかりました。".into());
    }
    if style.is(Mutant::ParaphraseBanner) {
        // A plausible but wrong rewording: full stops dropped and the wording simplified.
        return Some(match v {
            QualificationValidity::Valid => "資格は有効です".into(),
            QualificationValidity::Multiple => "複数の該当者がいます。選択してください".into(),
            _ => "資格は無効です".into(),
        });
    }
    Some(verbatim.to_owned())
}

/// The conclusion from a single result (or one bulk unit): `container` holds ProcessingResult*,
/// QualificationValidity and the results (under ResultList or directly).
pub fn conclusion_from_body(container: &Element, style: WireStyle) -> Conclusion {
    if text(container, "ProcessingResultStatus").as_deref() == Some("2") {
        return Conclusion {
            message: text(container, "ProcessingResultMessage"),
            error_code: text(container, "ProcessingResultCode"),
            ..Conclusion::default()
        };
    }
    let mut results: Vec<&Element> = match container.child("ResultList") {
        Some(list) => list
            .children_named("ResultOfQualificationConfirmation")
            .collect(),
        None => container
            .children_named("ResultOfQualificationConfirmation")
            .collect(),
    };
    if style.is(Mutant::DropMedicalAssistance) {
        results.retain(|r| !is_medical_assistance(r));
    }
    let mut validity =
        text(container, "QualificationValidity").and_then(|c| QualificationValidity::from_code(&c));
    if style.is(Mutant::UnregisteredAsValid)
        && validity == Some(QualificationValidity::ValidUnregistered)
    {
        validity = Some(QualificationValidity::Valid);
    }
    if style.is(Mutant::IgnoreNewerQualification)
        && validity == Some(QualificationValidity::InvalidWithNewer)
    {
        validity = Some(QualificationValidity::Invalid);
    }
    let mut candidates: Vec<Candidate> = results.iter().map(|r| candidate(r, style)).collect();
    if style.is(Mutant::PickFirstCandidate) && validity == Some(QualificationValidity::Multiple) {
        candidates.truncate(1);
        validity = Some(QualificationValidity::Valid);
    }
    let message = assistance_notice(&results, validity, style)
        .map(str::to_owned)
        .or_else(|| validity.and_then(|v| banner(v, style)));
    Conclusion {
        validity: validity.map(|v| v.label().to_owned()),
        candidates,
        message,
        ..Conclusion::default()
    }
}

/// 証区分 A1: a 医療扶助 result (docs/interface.md, 医療扶助).
fn is_medical_assistance(r: &Element) -> bool {
    text(r, "InsuredCardClassification").as_deref()
        == Some(oqs_protocol::codes::InsuredCardClassification::MedicalAssistance.code())
}

/// What SCR-11 tells staff about a 医療扶助 result besides the banner: ERR-21 when a ticket's
/// 社会保険 does not match (ConsistencyFlag), ERR-20 for 有効（未登録） (no ticket for this facility).
fn assistance_notice(
    results: &[&Element],
    validity: Option<QualificationValidity>,
    style: WireStyle,
) -> Option<&'static str> {
    let ma = results.iter().find(|r| is_medical_assistance(r))?;
    let mismatch = ma.child("PublicExpenseResultList").is_some_and(|l| {
        l.children_named("MedicalTicketInfo")
            .any(|t| t.child("ConsistencyFlag").is_some())
    });
    if mismatch && !style.is(Mutant::IgnoreConsistencyFlag) {
        return Some(texts::MA_MISMATCH);
    }
    (validity == Some(QualificationValidity::ValidUnregistered)).then_some(texts::MA_NO_TICKET)
}

/// The conclusion from a whole OQSsiquc01res.
pub fn conclusion_from_single(root: &Element, style: WireStyle) -> Conclusion {
    let header = root.child("MessageHeader");
    if let Some(h) = header {
        if text(h, "SegmentOfResult").as_deref() == Some("9") {
            return Conclusion {
                message: text(h, "ErrorMessage"),
                error_code: text(h, "ErrorCode"),
                ..Conclusion::default()
            };
        }
    }
    match root.child("MessageBody") {
        Some(body) => conclusion_from_body(body, style),
        None => Conclusion {
            message: Some("結果にMessageBodyがありません".into()),
            ..Conclusion::default()
        },
    }
}

/// The 照会状況 of a failed bulk inquiry from the ErrorCode of its 02res (the error table says
/// which kind of failure the code is).
pub fn failed_inquiry_status(error_code: Option<&str>) -> &'static str {
    use texts::job_status as s;
    let table = ErrorTable::builtin();
    let kind = error_code.and_then(|code| {
        table
            .rows()
            .find(|(_, e)| e.code == code)
            .map(|(kind, _)| kind)
    });
    match kind {
        Some(ErrorKind::XmlStructure | ErrorKind::Encoding | ErrorKind::MessageStructure) => {
            s::INQUIRY_FAILED_XML
        }
        Some(
            ErrorKind::MedicalInstitutionCode
            | ErrorKind::ConfirmationDate
            | ErrorKind::ArbitraryFileIdentifier
            | ErrorKind::CharacterCode
            | ErrorKind::ReceptionNumber,
        ) => s::INQUIRY_FAILED_HEADER,
        Some(ErrorKind::BulkRowLimit) => s::INQUIRY_FAILED_LIMIT,
        _ => s::INQUIRY_FAILED_SYSTEM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(m: Option<Mutant>) -> WireStyle {
        WireStyle { mutant: m }
    }

    #[test]
    fn insurer_numbers_are_right_aligned_with_spaces() {
        assert_eq!(style(None).insurer_number("139931"), "  139931");
        assert_eq!(style(None).insurer_number("06139000"), "06139000");
        assert_eq!(
            style(Some(Mutant::ZeroPadInsurer)).insurer_number("139931"),
            "00139931"
        );
        assert_eq!(
            style(Some(Mutant::UnpaddedInsurer)).insurer_number("139931"),
            "139931"
        );
        assert_eq!(style(None).insurer_number("12ab"), "12ab");
    }

    #[test]
    fn branches_and_dates() {
        assert_eq!(style(None).branch("1"), "01");
        assert_eq!(style(None).branch("04"), "04");
        assert_eq!(style(Some(Mutant::OneDigitBranch)).branch("01"), "1");
        assert_eq!(style(None).date("19540326"), "19540326");
        assert_eq!(
            style(Some(Mutant::DashedDates)).date("19540326"),
            "1954-03-26"
        );
    }

    #[test]
    fn failure_statuses_come_from_the_error_code() {
        use texts::job_status as s;
        assert_eq!(
            failed_inquiry_status(Some("EQ0107")),
            s::INQUIRY_FAILED_LIMIT
        );
        assert_eq!(failed_inquiry_status(Some("EQ0101")), s::INQUIRY_FAILED_XML);
        assert_eq!(
            failed_inquiry_status(Some("EQ0103")),
            s::INQUIRY_FAILED_HEADER
        );
        assert_eq!(
            failed_inquiry_status(Some("EQ0900")),
            s::INQUIRY_FAILED_SYSTEM
        );
        assert_eq!(failed_inquiry_status(None), s::INQUIRY_FAILED_SYSTEM);
    }

    #[test]
    fn a_rejection_names_code_and_message() {
        let c = rejection("EQ0001 XML構造エラー\nline 3: oops\n");
        assert_eq!(c.error_code.as_deref(), Some("EQ0001"));
        assert_eq!(c.message.as_deref(), Some("XML構造エラー"));
        assert_eq!(c.validity, None);
    }
}

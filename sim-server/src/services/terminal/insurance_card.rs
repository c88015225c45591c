//! The insurance-card check on the terminal (SCR-13, FLOW-15) and its issuance-form update.

use super::confirm::{choices_of, facility_of, keep, Context};
use super::confirmation::Confirmation;
use super::request::{parse_confirmation_date, Method, MyNumberRequest, RequestError};
use super::state::lock;
use oqs_domain::inquiry;
use oqs_protocol::message::format_date;
use oqs_protocol::TextEncoding;

/// SCR-13 (FLOW-15): what is typed for an insurance-card check on the terminal.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsuranceCardRequest {
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 生年月日: `yyyy/mm/dd`, `yyyymmdd` or `yyyy-mm-dd`.
    pub birthdate: String,
    /// 「限度額適用認定証 表示する」.
    pub show_limit: bool,
    /// 処方箋発行形態: 電子 / 紙.
    pub prescription_form: Option<String>,
    /// 資格確認日; default today.
    #[serde(alias = "資格確認日")]
    pub confirmation_date: Option<String>,
    /// 医療機関コード; default the terminal's facility.
    pub facility: Option<String>,
    /// ログインID of the operator screen's account (SCR-13); not part of the JSON request.
    #[serde(skip)]
    pub login_id: Option<String>,
}

/// FLOW-15: an insurance-card check on the terminal with the 処方箋発行形態 of SCR-13 ②. The
/// judgement is the single inquiry's (`answer_single_inquiry`); the issuance form is added to
/// the result as on SCR-10 ⑧ and can be changed afterwards with [`super::update()`].
pub fn confirm_insurance_card(
    cx: &Context<'_>,
    req: &InsuranceCardRequest,
) -> Result<Confirmation, RequestError> {
    use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
    let term = &cx.terminal;
    let now = cx.clock.now();
    let settings = term.settings();
    let date = match &req.confirmation_date {
        Some(s) if !s.trim().is_empty() => parse_confirmation_date(s)?,
        _ => inquiry::today(now),
    };
    let facility = facility_of(req.facility.as_deref(), &settings)?;
    let as_request = MyNumberRequest {
        show_limit: req.show_limit,
        prescription_form: req.prescription_form.clone(),
        ..MyNumberRequest::default()
    };
    let choices = choices_of(&as_request, &settings)?;
    // The birth date as typed on SCR-13 (西暦); malformed input is the inquiry's own error.
    let birthdate = parse_confirmation_date(&req.birthdate)
        .map(format_date)
        .unwrap_or_else(|_| req.birthdate.clone());
    let inquiry_req = SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some(format_date(date)),
            medical_institution_code: Some(facility.clone()),
            arbitrary_file_identifier: None,
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some(req.insurer_number.clone()),
            insured_card_symbol: req.symbol.clone().filter(|s| !s.is_empty()),
            insured_identification_number: Some(req.number.clone()),
            insured_branch_number: req.branch.clone().filter(|s| !s.is_empty()),
            birthdate: Some(birthdate),
            limit_application_certificate_related_cons_flg: Some(
                if req.show_limit { "1" } else { "0" }.to_owned(),
            ),
            arbitrary_identifier: None,
        },
    };
    let pop = cx.population.clone();
    let mut answer =
        inquiry::answer_single_inquiry(&pop, &inquiry_req, TextEncoding::Utf8, now, cx.errors);
    if let Some(body) = answer.response.body.as_mut() {
        // RULE-51: the facility's registered 照会番号 show here too, as on every result.
        cx.references.patch(&facility, &mut body.results);
        // RULE-21: SCR-10 ⑧ shows the form after an insurance-card check too.
        if !body.results.is_empty() {
            body.prescription_issue_select = choices.prescription_form.map(|f| f.code().to_owned());
        }
    }
    let mut state = lock(&term.state);
    let id = state.next_id;
    state.next_id += 1;
    drop(state);
    let confirmation = Confirmation {
        id,
        at: now.to_rfc3339(),
        method: Method::InsuranceCard,
        reader: None,
        reader_kind: None,
        facility,
        confirmation_date: date,
        person: None,
        dialog: None,
        notice: None,
        choices,
        result: Some(answer.response),
        face_file: None,
        history_id: None,
    };
    let recorded_as = MyNumberRequest {
        login_id: req.login_id.clone(),
        ..MyNumberRequest::default()
    };
    Ok(keep(cx, confirmation, &recorded_as, now))
}

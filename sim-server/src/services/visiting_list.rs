//! 同意済資格情報取得 (SCR-21, FLOW-30): the facility's consented patients of a 診療区分 whose
//! 同意年月日 / 受診年月日 fall in the ranges (RULE-65), with the optional filters, ten to a page,
//! each row with the six 「○」 columns, 同意年月日, 同意有効期限 and whether it is shown grey
//! (RULE-66: consent ended or cancelled). The detail (SCR-23) and its download (RULE-95) are the
//! visiting inquiry of the row's card ([`Simulator::consented_detail`]).

use crate::journal::Transport;
use crate::services::answer::{Answered, Rejection};
use crate::services::references::RefKey;
use crate::services::simulator::Simulator;
use oqs_domain::inquiry::today;
use oqs_domain::visiting::{slash, ConsentId, ConsentSearch};
use oqs_domain::wareki;
use oqs_protocol::codes::CodeTable;
use oqs_protocol::message::{format_date, RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::visiting::{CareKind, ConsentCategory, VisitingInquiryRequest, CONSENTED_MARK};
use serde::Serialize;

/// Rows per page of SCR-21 (the example pager shows 「1-10件表示」).
pub const PER_PAGE: usize = 10;

/// What SCR-21 searches with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentedListQuery {
    pub facility: String,
    pub kind: CareKind,
    pub search: ConsentSearch,
    /// 照会番号 (exact).
    pub reference_number: Option<String>,
    /// 1-based page.
    pub page: usize,
}

/// One row of the SCR-21 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentedRow {
    /// The id of the row's detail (`GET /visiting/consents/{id}`).
    pub id: ConsentId,
    pub name: String,
    pub name_kana: String,
    /// 生年月日 in 和暦 (DM-24).
    pub birthdate: String,
    pub sex: String,
    pub reference_number: Option<String>,
    /// The six 「○」 columns: 手術, 診療, 薬剤, 特定健診, 限度額, 特定疾病 (「○」 or "").
    pub operation: String,
    pub diagnosis: String,
    pub medication: String,
    pub health_checkup: String,
    pub limit_certificate: String,
    pub specific_disease: String,
    /// 同意年月日 `yyyy/mm/dd`.
    pub consent_date: String,
    /// 同意有効期限 `yyyy/mm/dd hh:mm`.
    pub valid_until: String,
    /// 受診年月日 `yyyy/mm/dd` (オンライン診療等).
    pub examination_date: Option<String>,
    /// RULE-66: shown grey (consent ended or cancelled).
    pub grey: bool,
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentedPage {
    pub kind: String,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// The pager text, e.g. 「検索結果：89 件 1-10件表示」.
    pub pager: String,
    pub rows: Vec<ConsentedRow>,
}

impl Simulator {
    /// SCR-21 《検索》. `Err` names the broken search rule (RULE-65).
    pub fn consented_list(&self, q: &ConsentedListQuery) -> Result<ConsentedPage, String> {
        if !q.search.has_date_range() {
            return Err(
                "※1 同意年月日 or ※2 受診年月日: どちらか一方はご入力ください (RULE-65)".into(),
            );
        }
        if q.kind == CareKind::Visiting
            && (q.search.examination_from.is_some() || q.search.examination_to.is_some())
        {
            return Err("受診年月日 is shown only for オンライン診療等 (RULE-65)".into());
        }
        let pop = self.population();
        let day = today(self.clock.now());
        let cancellations = self.jobs.cancellations();
        let references = self.jobs.references();
        let reference_of = |id: ConsentId| {
            let c = pop.consent(id);
            let qual = pop.qualification(c.qualification);
            let key = RefKey {
                facility: c.facility.clone(),
                insurer: qual.insurer.0,
                symbol: qual.symbol.clone().unwrap_or_default(),
                number: qual.number.clone(),
                branch: qual.branch.clone().unwrap_or_default(),
            };
            references.get(&key).unwrap_or_else(|| {
                pop.reference_number(&c.facility, c.qualification)
                    .map(str::to_owned)
            })
        };
        let ids: Vec<ConsentId> = pop
            .search_consents(&q.facility, q.kind, &q.search)
            .into_iter()
            .filter(|&id| {
                q.reference_number
                    .as_deref()
                    .is_none_or(|r| reference_of(id).as_deref() == Some(r))
            })
            .collect();
        let total = ids.len();
        let page = q.page.max(1);
        let start = ((page - 1) * PER_PAGE).min(total);
        let end = (start + PER_PAGE).min(total);
        let rows = ids[start..end]
            .iter()
            .map(|&id| {
                let c = pop.consent(id);
                let p = pop.person(pop.qualification(c.qualification).person);
                let cancelled = cancellations.cancelled_on(&pop, id);
                let marks = c.rows(cancelled, day);
                let mark = |cat: ConsentCategory| {
                    if marks[cat as usize].consented == CONSENTED_MARK {
                        CONSENTED_MARK.to_owned()
                    } else {
                        String::new()
                    }
                };
                ConsentedRow {
                    id,
                    name: p.name.to_string(),
                    name_kana: p.name_kana.to_string(),
                    birthdate: wareki::format(p.birthdate),
                    sex: p.sex.label().to_owned(),
                    reference_number: reference_of(id),
                    operation: mark(ConsentCategory::Operation),
                    diagnosis: mark(ConsentCategory::Diagnosis),
                    medication: mark(ConsentCategory::Medication),
                    health_checkup: mark(ConsentCategory::HealthCheckup),
                    limit_certificate: mark(ConsentCategory::LimitCertificate),
                    specific_disease: mark(ConsentCategory::SpecificDisease),
                    consent_date: slash(c.consented_on),
                    valid_until: c.valid_until.format("%Y/%m/%d %H:%M").to_string(),
                    examination_date: c.examination_date.map(slash),
                    grey: !c.is_active(cancelled, day),
                }
            })
            .collect();
        Ok(ConsentedPage {
            kind: q.kind.label().to_owned(),
            total,
            page,
            per_page: PER_PAGE,
            pager: if total == 0 {
                "検索結果：0 件".to_owned()
            } else {
                format!("検索結果：{total} 件 {}-{end}件表示", start + 1)
            },
            rows,
        })
    }

    /// SCR-23 of a row of SCR-21 (and its 《ダウンロード》, RULE-95): the visiting inquiry of the
    /// consent's card on today's date, answered and journalled as any OQSsihvq01req /
    /// OQSsionq01req. `None` when the facility holds no such consent.
    pub fn consented_detail(
        &self,
        facility: &str,
        id: ConsentId,
    ) -> Option<(&'static str, Result<Answered, Rejection>)> {
        self.consented_detail_by(facility, id, None)
    }

    /// [`Self::consented_detail`] made by an operator on a screen: the 資格確認履歴 record
    /// carries `login_id` (else the 連携アプリケーション's, like any OQSsihvq01req over HTTP).
    pub fn consented_detail_by(
        &self,
        facility: &str,
        id: ConsentId,
        login_id: Option<&str>,
    ) -> Option<(&'static str, Result<Answered, Rejection>)> {
        let (kind, req) = self.consent_request(facility, id)?;
        let message = message_of(kind);
        let bytes =
            oqs_protocol::xml::write_document(&req.to_element(), oqs_protocol::TextEncoding::Utf8);
        let source = format!("/visiting/consents/{id}");
        Some((
            message,
            self.handle_xml_by(message, &bytes, Transport::HttpXml, &source, login_id),
        ))
    }

    /// The individual inquiry a row of SCR-21 asks: the consent's card on today's date, without
    /// display consents. `None` when the facility holds no such consent.
    pub fn consent_request(
        &self,
        facility: &str,
        id: ConsentId,
    ) -> Option<(CareKind, VisitingInquiryRequest)> {
        let pop = self.population();
        let c = pop.consents().get(id as usize)?;
        if &*c.facility != facility {
            return None;
        }
        let q = pop.qualification(c.qualification);
        let p = pop.person(q.person);
        let req = VisitingInquiryRequest {
            inquiry: SingleInquiryRequest {
                header: RequestHeader {
                    qualification_confirmation_date: Some(format_date(today(self.clock.now()))),
                    medical_institution_code: Some(facility.to_owned()),
                    ..Default::default()
                },
                search: SearchInfo {
                    insurer_number: Some(q.insurer.wire().trim().to_owned()),
                    insured_card_symbol: q.symbol.as_deref().map(str::to_owned),
                    insured_identification_number: Some(q.number.to_string()),
                    insured_branch_number: q.branch.as_deref().map(str::to_owned),
                    birthdate: Some(format_date(p.birthdate)),
                    limit_application_certificate_related_cons_flg: Some("0".into()),
                    arbitrary_identifier: None,
                },
            },
            specific_disease_consent: false,
        };
        Some((c.kind, req))
    }
}

/// The individual inquiry's message id for a 診療区分.
pub fn message_of(kind: CareKind) -> &'static str {
    match kind {
        CareKind::Visiting => "OQSsihvq01req",
        CareKind::Online => "OQSsionq01req",
    }
}

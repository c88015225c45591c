//! SCR-21 同意済資格情報取得(訪問診療等・オンライン診療等) (FLOW-30): ① the conditions (* 診療区分,
//! ※1 同意年月日 / ※2 受診年月日 — the latter only for オンライン診療等 — and the optional filters,
//! RULE-65), ② 《検索》《クリア》, ③ ten rows a page with the manual's pager, the six 「○」 columns
//! and grey rows (RULE-66); a row opens SCR-23 by the row's individual inquiry. The list is
//! `Simulator::consented_list`, the one behind `GET /visiting/consents`.

use super::super::unavailable::{Shows, Visiting};
use super::{birth_fields, birthdate, kind_select, paths, style};
use crate::services::visiting_list::ConsentedPage;
use crate::simulator::Simulator;
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use crate::ways_in::visiting::{query, ListQuery};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_protocol::codes::CodeTable;
use oqs_protocol::texts::visiting_check as t;
use oqs_protocol::texts::{accounts as ta, checks as tc};
use oqs_protocol::visiting::CareKind;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// SCR-21's form (GET, so the pager's links carry it).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConsentedForm {
    pub kind: String,
    pub consent_from: String,
    pub consent_to: String,
    pub examination_from: String,
    pub examination_to: String,
    pub reference_number: String,
    pub era: String,
    pub year: String,
    pub month: String,
    pub day: String,
    pub name_kana: String,
    pub sex: String,
    /// `1` once 《検索》 was pressed.
    pub search: String,
    pub page: usize,
}

impl ConsentedForm {
    fn kind(&self) -> Option<CareKind> {
        CareKind::parse(&self.kind)
    }

    /// The link to page `n` of the same search.
    fn page_link(&self, n: usize) -> String {
        let mut f = self.clone();
        f.page = n;
        format!(
            "{}?{}",
            paths::CONSENTED,
            serde_urlencoded::to_string(&f).unwrap_or_default()
        )
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The search of `form`, or the reason it cannot be made (RULE-65 and unreadable input).
fn search(sim: &Simulator, op: &Operator, form: &ConsentedForm) -> Result<ConsentedPage, String> {
    let birth = match birthdate(&form.era, &form.year, &form.month, &form.day) {
        None => None,
        Some(Ok(d)) => Some(d.format("%Y/%m/%d").to_string()),
        Some(Err(())) => return Err(t::NOT_A_DATE.to_owned()),
    };
    let online = form.kind() == Some(CareKind::Online);
    let q = ListQuery {
        facility: Some(op.account.facility.clone()),
        kind: Some(form.kind.clone()),
        consent_from: some(&form.consent_from),
        consent_to: some(&form.consent_to),
        // ※2 is shown (and sent) only for オンライン診療等 (RULE-65).
        examination_from: some(&form.examination_from).filter(|_| online),
        examination_to: some(&form.examination_to).filter(|_| online),
        reference_number: some(&form.reference_number),
        birthdate: birth,
        name_kana: some(&form.name_kana),
        sex: some(&form.sex),
        page: Some(form.page.max(1)),
    };
    let q = query(q).map_err(|e| {
        if e.contains("is not a date") {
            t::NOT_A_DATE.to_owned()
        } else {
            e
        }
    })?;
    sim.consented_list(&q)
}

/// ③ 検索結果: the pager and the rows; a row is a button that opens SCR-23.
fn results(op: &Operator, form: &ConsentedForm, page: &ConsentedPage) -> Markup {
    let pages = page.total.div_ceil(page.per_page).max(1);
    let online = form.kind() == Some(CareKind::Online);
    let last = if online {
        t::VALID_UNTIL_ONLINE
    } else {
        t::CONSENTED_COLUMNS[12]
    };
    html! {
        section.panel #results {
            h2 { "③ " (tc::HISTORY_RESULTS) }
            div.pager {
                span #pager { (page.pager) }
                nav {
                    @if page.page > 1 { a #prev href=(form.page_link(page.page - 1)) { (tc::PAGER_PREV) } }
                    @else { span { (tc::PAGER_PREV) } }
                    @for n in 1..=pages {
                        @if n == page.page { span { (n) } } @else { a href=(form.page_link(n)) { (n) } }
                    }
                    @if page.page < pages { a #next href=(form.page_link(page.page + 1)) { (tc::PAGER_NEXT) } }
                    @else { span { (tc::PAGER_NEXT) } }
                }
            }
            table.list #consented {
                tr {
                    @for c in &t::CONSENTED_COLUMNS[..12] { th { (c) } }
                    th { (last) }
                }
                @for r in &page.rows {
                    tr.grey[r.grey] data-consent=(r.id) {
                        td {
                            form method="post" action=(paths::CONSENTED_OPEN) {
                                input type="hidden" name="csrf" value=(op.csrf());
                                input type="hidden" name="consent" value=(r.id);
                                input type="hidden" name="search" value=(serde_urlencoded::to_string(form).unwrap_or_default());
                                button.row type="submit" { (r.name) }
                            }
                        }
                        td { (r.name_kana) }
                        td { (r.birthdate) }
                        td { (r.sex) }
                        td { (r.reference_number.as_deref().unwrap_or_default()) }
                        @for m in [&r.operation, &r.diagnosis, &r.medication, &r.health_checkup, &r.limit_certificate, &r.specific_disease] {
                            td.mark { (m) }
                        }
                        td { (r.consent_date) }
                        td { (r.valid_until) }
                    }
                }
            }
            p.note { (t::GREY_NOTE) "\n" (t::MARK_NOTE) }
        }
    }
}

fn page(
    op: &Operator,
    form: &ConsentedForm,
    error: Option<&str>,
    below: Option<Markup>,
) -> Response {
    let h = op.header();
    let kind = form.kind();
    let online = kind == Some(CareKind::Online);
    Page::new(t::TITLE_CONSENTED)
        .header(&h)
        .render(html! {
            (style())
            form.inline #scr21 method="post" action=(paths::CONSENTED) {
                input type="hidden" name="csrf" value=(op.csrf());
                input type="hidden" name="search" value="1";
                section.panel {
                    h2 { "① " (t::CONSENTED_HEADING) }
                    @if let Some(e) = error { p.error #search-error { (e) } }
                    div.row { label for="kind" { (t::CARE_KIND) "：" } (kind_select(kind)) }
                    div.row {
                        label for="consent_from" { (t::CONSENT_FROM) "：" }
                        input #consent_from type="text" name="consent_from" value=(form.consent_from);
                        " " (t::RANGE_SEP) " "
                        label for="consent_to" { (t::TO) "：" }
                        input #consent_to type="text" name="consent_to" value=(form.consent_to);
                        span.note { " " (tc::DATE_FORMAT) }
                    }
                    div.row #examination hidden[!online] {
                        label for="examination_from" { (t::EXAMINATION_FROM) "：" }
                        input #examination_from type="text" name="examination_from" value=(form.examination_from);
                        " " (t::RANGE_SEP) " "
                        label for="examination_to" { (t::TO) "：" }
                        input #examination_to type="text" name="examination_to" value=(form.examination_to);
                    }
                    div.row {
                        label for="reference_number" { (t::REFERENCE_NUMBER) "：" }
                        input #reference_number type="text" name="reference_number" value=(form.reference_number);
                        " "
                        label for="year" { (t::BIRTHDATE) "：" }
                        (birth_fields(&form.era, &form.year, &form.month, &form.day))
                    }
                    div.row {
                        label for="name_kana" { (t::NAME_KANA) "：" }
                        input #name_kana type="text" name="name_kana" value=(form.name_kana);
                        " "
                        label for="sex" { (t::SEX) "：" }
                        select #sex name="sex" {
                            option value="" selected[form.sex.is_empty()] { "" }
                            @for s in t::SEXES { option value=(s) selected[form.sex == s] { (s) } }
                        }
                    }
                    div.actions {
                        button #search type="submit" { "② " (tc::BUTTON_SEARCH) }
                        a.btn.sub #clear href=(paths::CONSENTED) { (tc::BUTTON_CLEAR) }
                    }
                    p.note { (t::MEDICAL_INFO_NOTE) }
                }
            }
            @if let Some(b) = below { (b) }
            section.panel {
                div.actions {
                    a.btn href=(screen_paths::MENU) { "④ " (ta::BUTTON_MENU) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
            // ※2 受診年月日 is shown only for オンライン診療等 (RULE-65).
            script { (PreEscaped("(function(){var k=document.getElementById('kind'),e=document.getElementById('examination');k.addEventListener('change',function(){e.hidden=k.value!=='オンライン診療等';});})();")) }
        })
        .into_response()
}

/// 《検索》 (POST) and the pager's links (GET with the same conditions).
async fn get_scr21(
    _: Shows<Visiting>,
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Query(form): Query<ConsentedForm>,
) -> Response {
    show(&op, &sim, form)
}

async fn post_scr21(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    Posted { op, form }: Posted<ConsentedForm>,
) -> Response {
    show(&op, &sim, form)
}

fn show(op: &Operator, sim: &Simulator, form: ConsentedForm) -> Response {
    if form.search != "1" {
        let form = ConsentedForm {
            era: "昭和".into(),
            ..form
        };
        return page(op, &form, None, None);
    }
    match search(sim, op, &form) {
        Ok(p) if p.total == 0 => page(op, &form, Some(t::NO_RESULT), None),
        Ok(p) => {
            let list = results(op, &form, &p);
            page(op, &form, None, Some(list))
        }
        Err(e) => page(op, &form, Some(&e), None),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OpenForm {
    consent: u32,
    /// The search the row came from (shown again with the reason when the row is refused).
    search: String,
}

/// A row clicked: the row's individual inquiry, then SCR-23.
async fn post_open(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    Posted { op, form }: Posted<OpenForm>,
) -> Response {
    // A refused row (e.g. a cancelled consent: EQ0302): the same search again, with the reason.
    let refused = |msg: &str| {
        let form: ConsentedForm = serde_urlencoded::from_str(&form.search).unwrap_or_default();
        let list = search(&sim, &op, &form)
            .ok()
            .filter(|p| p.total > 0)
            .map(|p| results(&op, &form, &p));
        page(&op, &form, Some(msg), list)
    };
    match sim.consented_check(&op.account.facility, form.consent, op.login_id()) {
        None => refused(t::NO_RESULT),
        Some(Err(r)) => refused(&format!("{} {}", r.code, r.message)),
        Some(Ok(s)) if s.id == 0 => {
            let msg = s
                .read
                .error_message
                .clone()
                .or(s.read.processing_message.clone())
                .unwrap_or_else(|| t::NO_RESULT.to_owned());
            refused(&msg)
        }
        Some(Ok(s)) => Redirect::to(&format!("{}/{}", paths::RESULT, s.id)).into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(paths::CONSENTED, get(get_scr21).post(post_scr21))
        .route(paths::CONSENTED_OPEN, post(post_open))
}

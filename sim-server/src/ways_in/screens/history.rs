//! SCR-19 資格確認履歴照会 and SCR-20 資格確認履歴詳細 (ch.8): the search form (a GET form: a
//! search changes nothing), the list ③ with its pager and 《詳細》 (RULE-59), 《ダウンロード》 as
//! CSV (the same file as `GET /history.csv`), 《クリア》 → DLG-17, ERR-23 / ERR-24 over 10,000
//! hits. The facility is the operator's; the search is `History::search`, as the JSON route's.

use super::checks::style;
use super::dialog::{Action, Dialog};
use super::layout::Page;
use super::paths;
use super::session::Operator;
use crate::history::{
    display_time, CsvEncoding, HistoryQuery, KindFilter, Narrowing, OverLimit, RawQuery,
    SEARCH_LIMIT,
};
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::{self, accounts as ta, checks as t, CardDialog};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// SCR-19; `…/{id}` is SCR-20.
pub const HISTORY: &str = "/history-search";
/// SCR-19 《ダウンロード》.
pub const HISTORY_CSV: &str = "/history-search.csv";
/// Rows per page of ③ (the manual does not say; the simulator's choice).
pub const PER_PAGE: usize = 20;

/// SCR-19's fields (GET).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchForm {
    pub from_date: String,
    pub from_time: String,
    pub to_date: String,
    pub to_time: String,
    pub kind: String,
    pub narrowing: String,
    pub login_id: String,
    pub reference_number: String,
    /// Set by 《検索》 (an empty form is just shown).
    pub search: Option<String>,
    pub page: Option<usize>,
    /// 《クリア》: DLG-17 first.
    pub clear: Option<String>,
}

impl SearchForm {
    fn defaults(sim: &Simulator) -> Self {
        let today = sim.clock.now().format("%Y/%m/%d").to_string();
        SearchForm {
            from_date: today.clone(),
            from_time: "00:00".into(),
            to_date: today,
            to_time: "23:59".into(),
            kind: KindFilter::All.label().into(),
            narrowing: Narrowing::ShowAll.label().into(),
            ..SearchForm::default()
        }
    }

    fn raw(&self, facility: &str) -> RawQuery {
        let at = |d: &str, tm: &str| format!("{} {}", d.trim(), tm.trim()).trim().to_owned();
        RawQuery {
            facility: Some(facility.to_owned()),
            from: Some(at(&self.from_date, &self.from_time)),
            to: Some(at(&self.to_date, &self.to_time)),
            kind: Some(self.kind.clone()),
            narrowing: Some(self.narrowing.clone()),
            login_id: Some(self.login_id.clone()),
            reference_number: Some(self.reference_number.clone()),
        }
    }

    /// The query string of this search (for the pager, the download and DLG-17's 《キャンセル》).
    fn query(&self, page: Option<usize>) -> String {
        let f = SearchForm {
            search: Some("1".into()),
            page,
            clear: None,
            ..self.clone()
        };
        serde_urlencoded::to_string(&f).unwrap_or_default()
    }
}

fn form(op: &Operator, f: &SearchForm) -> Markup {
    let l = t::HISTORY_FIELDS;
    html! {
        form.fields #scr19 method="get" action=(HISTORY) {
            input type="hidden" name="search" value="1";
            section.panel {
                h2 { "① " (t::HISTORY_HEADING) }
                p.note { (t::REQUIRED_NOTE) }
                p { strong { (l[0]) } "： " span #facility { (op.account.facility) } }
                label for="from_date" { (l[1]) }
                input #from_date type="text" name="from_date" value=(f.from_date) style="width:140px";
                " "
                input #from_time type="text" name="from_time" value=(f.from_time) style="width:80px" aria-label=(t::HISTORY_TIME_FORMAT);
                span.note { " " (t::HISTORY_TIME_FORMAT) }
                label for="to_date" { (l[2]) }
                input #to_date type="text" name="to_date" value=(f.to_date) style="width:140px";
                " "
                input #to_time type="text" name="to_time" value=(f.to_time) style="width:80px" aria-label=(t::HISTORY_TIME_FORMAT);
                label for="kind" { (l[3]) }
                select #kind name="kind" {
                    @for k in KindFilter::ALL { option selected[k.label() == f.kind] { (k.label()) } }
                }
                label for="narrowing" { (l[4]) }
                select #narrowing name="narrowing" {
                    @for n in Narrowing::ALL { option selected[n.label() == f.narrowing] { (n.label()) } }
                }
                span.note { " " (t::HISTORY_NARROWING_NOTE) }
                label for="login_id" { (l[5]) }
                input #login_id type="text" name="login_id" value=(f.login_id);
                span.note { " " (t::HISTORY_LOGIN_FORMAT) }
                label for="reference_number" { (l[6]) }
                input #reference_number type="text" name="reference_number" value=(f.reference_number);
                div.actions {
                    button #search type="submit" { "② " (t::BUTTON_SEARCH) }
                    button.sub #download-top type="submit" formaction=(HISTORY_CSV) { (t::BUTTON_DOWNLOAD) }
                    a.btn.sub #clear href={ (HISTORY) "?" (f.query(None)) "&clear=1" } { (t::BUTTON_CLEAR) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
                p.note { (t::HISTORY_TWO_BUTTONS) }
            }
        }
    }
}

fn over_limit(d: &CardDialog, back: String) -> Markup {
    Dialog::err(d, &[ta::BUTTON_OK]).render(&[(ta::BUTTON_OK, Action::Link(back))])
}

fn page(op: &Operator, f: &SearchForm, body: Markup, dialog: Option<Markup>) -> Response {
    let h = op.header();
    let mut p = Page::new(t::TITLE_HISTORY).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    p.render(html! { (style()) (form(op, f)) (body) })
        .into_response()
}

async fn scr19(
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Query(f): Query<SearchForm>,
) -> Response {
    let f = if f.search.is_none() && f.clear.is_none() {
        SearchForm::defaults(&sim)
    } else {
        f
    };
    if f.clear.is_some() {
        // DLG-17: 《OK》 clears, 《キャンセル》 keeps the conditions.
        let d = Dialog::dlg(&t::DLG_17).render(&[
            (ta::BUTTON_OK, Action::Link(HISTORY.into())),
            (
                ta::BUTTON_CANCEL,
                Action::Link(format!("{HISTORY}?{}", f.query(None))),
            ),
        ]);
        return page(&op, &f, html! {}, Some(d));
    }
    if f.search.is_none() {
        return page(&op, &f, html! {}, None);
    }
    let q = match query(&op, &f) {
        Ok(q) => q,
        Err(shown) => return *shown,
    };
    let page_no = f.page.unwrap_or(1).max(1);
    let now = sim.clock.now();
    let found = match sim
        .history
        .search(&q, now, (page_no - 1) * PER_PAGE, PER_PAGE)
    {
        Err(e) => return page(&op, &f, html! { p.error { (e.to_string()) } }, None),
        Ok(Err(OverLimit)) => {
            let d = over_limit(&texts::ERR_23, HISTORY.to_owned());
            return page(&op, &f, html! {}, Some(d));
        }
        Ok(Ok(p)) => p,
    };
    // 「該当する履歴情報が複数検索された場合は、③ に一覧表示します」: a single hit opens SCR-20
    // (AMB-42), when it has one (RULE-59).
    if found.total == 1 && page_no == 1 {
        if let Some(r) = found.records.first().filter(|r| r.kind.has_detail()) {
            return Redirect::to(&format!("{HISTORY}/{}", r.id)).into_response();
        }
    }
    let last = found.first_seq + found.records.len().saturating_sub(1);
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let l1 = t::HISTORY_LINE1;
    let l2 = t::HISTORY_LINE2;
    let list = html! {
        section.panel #results {
            h2 { "③ " (t::HISTORY_RESULTS) }
            div.pager {
                span #count { (t::history_count(found.total, if found.total == 0 { 0 } else { found.first_seq }, if found.total == 0 { 0 } else { last })) }
                nav {
                    @if page_no > 1 { a href={ (HISTORY) "?" (f.query(Some(page_no - 1))) } { (t::PAGER_PREV) } } @else { span { (t::PAGER_PREV) } }
                    @for n in 1..=pages {
                        @if n == page_no { strong { (n) } } @else { a href={ (HISTORY) "?" (f.query(Some(n))) } { (n) } }
                    }
                    @if page_no < pages { a href={ (HISTORY) "?" (f.query(Some(page_no + 1))) } { (t::PAGER_NEXT) } } @else { span { (t::PAGER_NEXT) } }
                }
            }
            table.list #history {
                tr { @for c in l1 { th { (c) } } }
                tr { @for c in l2 { th { (c) } } th {} }
                @for (i, r) in found.records.iter().enumerate() {
                    tr.line1 data-id=(r.id) {
                        td { (found.first_seq + i) }
                        td { (display_time(r.confirmed_at)) }
                        td.login { (r.login_id) }
                        td { (r.reference_number.as_deref().unwrap_or_default()) }
                        td { (r.kind.display()) }
                        td { (r.result) }
                        td {
                            @if r.kind.has_detail() {
                                a.btn.sub href={ (HISTORY) "/" (r.id) } { (t::BUTTON_DETAIL) }
                            }
                        }
                    }
                    tr.line2 {
                        td { (r.insurer_number) }
                        td { (r.card) }
                        td { (r.name) }
                        td { (r.sex) }
                        td { (r.birthdate) }
                        td colspan="2" {}
                    }
                }
            }
            div.actions {
                a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                a.btn #download href={ (HISTORY_CSV) "?" (f.query(None)) } { "④ " (t::BUTTON_DOWNLOAD) }
                a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
            }
        }
    };
    page(&op, &f, list, None)
}

/// The search conditions of `f`, or SCR-19 showing why they are refused.
fn query(op: &Operator, f: &SearchForm) -> Result<HistoryQuery, Box<Response>> {
    HistoryQuery::parse(&f.raw(&op.account.facility)).map_err(|e| {
        Box::new(page(
            op,
            f,
            html! { section.panel { p.error #check-error { (e.reason) } } },
            None,
        ))
    })
}

/// 《ダウンロード》: the whole list as CSV, without showing it; ERR-24 over 10,000.
async fn scr19_csv(
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Query(f): Query<SearchForm>,
) -> Response {
    let q = match query(&op, &f) {
        Ok(q) => q,
        Err(shown) => return *shown,
    };
    let now = sim.clock.now();
    match sim.history.search(&q, now, 0, SEARCH_LIMIT) {
        Err(e) => page(&op, &f, html! { p.error { (e.to_string()) } }, None),
        Ok(Err(OverLimit)) => {
            let d = over_limit(&texts::ERR_24, HISTORY.to_owned());
            page(&op, &f, html! {}, Some(d))
        }
        Ok(Ok(p)) => crate::ways_in::history::csv_response(&q, now, &p, CsvEncoding::default()),
    }
}

/// SCR-20: one record's detail (RULE-62 status as of its time; RULE-61 処方箋発行形態).
async fn scr20(op: Operator, State(sim): State<Arc<Simulator>>, Path(id): Path<u64>) -> Response {
    let h = op.header();
    let found = sim
        .history
        .get(&op.account.facility, id, sim.clock.now())
        .ok()
        .flatten();
    let body = match found
        .as_ref()
        .and_then(|r| r.detail.as_ref().map(|d| (r, d)))
    {
        None => html! {
            section.panel {
                p.error { "この履歴は表示できません。（シミュレータ）" }
                a.btn href=(HISTORY) { (ta::BUTTON_BACK) }
            }
        },
        Some((r, d)) => html! {
            section.panel {
                h2 { "① " (t::QUALIFICATION_STATUS) }
                p.banner #status { (d.status) }
                p #detail-kind { (texts::HISTORY_DETAIL_KIND) "：" (r.kind.display()) }
                p #detail-at { (texts::HISTORY_DETAIL_CONFIRMED_AT) "：" (display_time(r.confirmed_at)) }
            }
            div.cols {
                section.panel {
                    h2 { "③ " (t::INSURED_HEADING) }
                    table.kv #consents {
                        @for i in d.consent_items() { tr { th { (i.label) } td { (i.value) } } }
                        @let p = d.prescription_item();
                        tr { th { (p.label) } td { (p.value) } }
                    }
                    table.kv #insured {
                        @for i in d.insured_items() { tr { th { (i.label) } td { (i.value) } } }
                    }
                }
                section.panel {
                    h2 { "④ " (t::QUALIFICATION_HEADING) }
                    table.kv #qualification {
                        @for i in d.qualification_items() { tr { th { (i.label) } td { (i.value) } } }
                    }
                }
            }
            div.actions {
                a.btn href=(paths::MENU) { (ta::BUTTON_MENU) }
                a.btn.sub href=(HISTORY) { (ta::BUTTON_BACK) }
            }
        },
    };
    Page::new(t::TITLE_HISTORY_DETAIL)
        .header(&h)
        .render(html! { (style()) (body) })
        .into_response()
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(HISTORY, get(scr19))
        .route(HISTORY_CSV, get(scr19_csv))
        .route("/history-search/{id}", get(scr20))
}

//! SCR-03 お知らせ一覧 and SCR-04 お知らせ確認 (RULE-89, FLOW-01 step 5, FLOW-02): the 「全体」 and
//! 「個別」 lists, 20 per page each (「<<前へ」「次へ>>」 and page numbers), notices from the
//! notices service on the simulator's clock.

use super::layout::Page;
use super::paths;
use super::session::Operator;
use crate::services::notices::Page as NoticePage;
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::accounts as t;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
struct Pages {
    /// Page of the 「全体」 list.
    all: Option<usize>,
    /// Page of the 「個別」 list.
    own: Option<usize>,
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y/%m/%d").to_string()
}

/// One list with its pager; `key` is its query parameter, `other` the other list's page.
fn list(id: &str, heading: &str, p: &NoticePage<'_>, key: &str, other: (&str, usize)) -> Markup {
    let href = |page: usize| format!("{}?{key}={page}&{}={}", paths::NOTICES, other.0, other.1);
    let (first, last) = match (p.items.first(), p.items.last()) {
        (Some(a), Some(b)) => (a.0, b.0),
        _ => (0, 0),
    };
    html! {
        section.panel #(id) {
            h2 { (heading) }
            div.pager {
                span.count { (t::notices_count(p.total, first, last)) }
                nav aria-label=(heading) {
                    @if p.page > 1 { a.prev href=(href(p.page - 1)) { (t::PAGER_PREVIOUS) } }
                    @else { span { (t::PAGER_PREVIOUS) } }
                    @for n in 1..=p.pages {
                        @if n == p.page { span aria-current="page" { strong { (n) } } }
                        @else { a href=(href(n)) { (n) } }
                    }
                    @if p.page < p.pages { a.next href=(href(p.page + 1)) { (t::PAGER_NEXT) } }
                    @else { span { (t::PAGER_NEXT) } }
                }
            }
            table.list {
                thead { tr { @for c in t::NOTICE_COLUMNS { th { (c) } } } }
                tbody {
                    @for (no, nid, n) in &p.items {
                        tr {
                            td { (no) }
                            td { a href={ (paths::NOTICES) "/" (nid) } { (n.title) } }
                            td { (date(n.published)) }
                            td { @if let Some(e) = n.ends { (date(e)) } }
                        }
                    }
                }
            }
        }
    }
}

/// SCR-03.
async fn notices(
    State(sim): State<Arc<Simulator>>,
    op: Operator,
    Query(q): Query<Pages>,
) -> Markup {
    let today = sim.clock.now().date_naive();
    let facility = &op.account.facility;
    let all = sim.notices.page(false, facility, today, q.all.unwrap_or(1));
    let own = sim.notices.page(true, facility, today, q.own.unwrap_or(1));
    let h = op.header();
    Page::new(t::TITLE_NOTICES).header(&h).render(html! {
        (list("notices-all", t::NOTICES_ALL, &all, "all", ("own", own.page)))
        (list("notices-own", t::NOTICES_OWN, &own, "own", ("all", all.page)))
        div.actions { a.btn #close href=(paths::MENU) { (t::BUTTON_CLOSE) } }
    })
}

/// SCR-04.
async fn notice(
    State(sim): State<Arc<Simulator>>,
    op: Operator,
    Path(id): Path<String>,
) -> Response {
    let today = sim.clock.now().date_naive();
    let Some(n) = id
        .parse::<usize>()
        .ok()
        .and_then(|id| sim.notices.get(id, &op.account.facility, today))
    else {
        return (StatusCode::NOT_FOUND, "no such notice").into_response();
    };
    let h = op.header();
    let [l_title, l_published, l_ends, l_body] = t::NOTICE_LABELS;
    Page::new(t::TITLE_NOTICE)
        .header(&h)
        .render(html! {
            section.panel #notice {
                table.list {
                    tr { th { (l_title) } td.title { (n.title) } }
                    tr { th { (l_published) } td { (date(n.published)) } }
                    tr { th { (l_ends) } td { @if let Some(e) = n.ends { (date(e)) } } }
                    tr { th { (l_body) } td.note { (n.body) } }
                }
                div.actions { a.btn #back href=(paths::NOTICES) autofocus { (t::BUTTON_BACK) } }
            }
        })
        .into_response()
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(paths::NOTICES, get(notices))
        .route("/notices/{id}", get(notice))
}

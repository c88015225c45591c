//! SCR-06 パスワード変更 and SCR-07 (初期パスワード未変更), AUTH-04..12, DLG-02/03, FLOW-04/05.
//! 《変更》 checks the rules and shows DLG-02 (the checked password waits in the session, hashed);
//! its 《OK》 changes the password and shows DLG-03, whose 《OK》 leads to SCR-06 with
//! 「パスワードの変更が完了しました。」 or, after an initial password, to the menu (AMB-06: no
//! お知らせ一覧 in between).

use super::dialog::{Action, Dialog};
use super::layout::Page;
use super::paths;
use super::session::{Operator, Posted};
use crate::services::accounts::sessions::Stage;
use crate::simulator::Simulator;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::accounts as t;
use serde::Deserialize;
use std::sync::Arc;

const CONFIRM: &str = "/password/confirm";

/// The screen: SCR-07 while the initial password is unchanged, else SCR-06.
fn screen(op: &Operator, message: Option<(&str, bool)>, dialog: Option<Markup>) -> Markup {
    let initial = op.session.stage == Stage::MustChangeInitial;
    let h = op.header();
    let mut page = Page::new(t::TITLE_PASSWORD).header(&h);
    let has_dialog = dialog.is_some();
    if let Some(d) = dialog {
        page = page.dialog(d);
    }
    page.render(html! {
        section.panel #(if initial { "scr-07" } else { "scr-06" }) {
            h2 { (t::TITLE_PASSWORD) }
            @if let Some((m, ok)) = message {
                @if ok { p.ok #message { (m) } } @else { p.error #message { (m) } }
            }
            form.fields method="post" action=(paths::PASSWORD) {
                input type="hidden" name="csrf" value=(op.csrf());
                @if !initial {
                    label for="old" { (t::LABEL_OLD_PASSWORD) }
                    input #old type="password" name="old" autocomplete="current-password" autofocus[!has_dialog];
                }
                label for="new" { (t::LABEL_NEW_PASSWORD) }
                input #new type="password" name="new" autocomplete="new-password" autofocus[initial && !has_dialog];
                label for="confirm" { (t::LABEL_NEW_PASSWORD_CONFIRM) }
                input #confirm type="password" name="confirm" autocomplete="new-password";
                div.rules { @for l in t::PASSWORD_RULES { (l) "\n" } }
                div.actions {
                    button #change type="submit" { (t::BUTTON_CHANGE) }
                    // 「※初期パスワード変更時には表示されません。」
                    @if !initial {
                        a.btn.sub #menu href=(paths::MENU) { (t::BUTTON_MENU) }
                        a.btn.sub #back href=(paths::MENU) { (t::BUTTON_BACK) }
                    }
                }
            }
        }
    })
}

#[derive(Debug, Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(op: Operator, Query(q): Query<Done>) -> Markup {
    let message = q.done.map(|_| (t::PASSWORD_CHANGED, true));
    screen(&op, message, None)
}

#[derive(Debug, Deserialize)]
struct ChangeForm {
    old: Option<String>,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// 《変更》: the rules, then DLG-02.
async fn change(State(sim): State<Arc<Simulator>>, p: Posted<ChangeForm>) -> Response {
    let op = p.op;
    let initial = op.session.stage == Stage::MustChangeInitial;
    let old = if initial {
        None
    } else {
        Some(p.form.old.unwrap_or_default())
    };
    let (new, confirm) = (p.form.new, p.form.confirm);
    let user = op.login_id().to_owned();
    let checker = sim.clone();
    // Hashes take tens of milliseconds each: off the async workers.
    let checked = tokio::task::spawn_blocking(move || {
        checker
            .accounts
            .prepare_change(&user, old.as_deref(), &new, &confirm)
    })
    .await;
    match checked {
        Ok(Ok(pending)) => {
            sim.accounts
                .sessions
                .set_pending(&op.session.id, Some(pending));
            let d = Dialog::dlg(&t::DLG_02).render(&[
                (
                    t::BUTTON_OK,
                    Action::Post {
                        path: CONFIRM.into(),
                        csrf: op.csrf().into(),
                        fields: vec![],
                    },
                ),
                (t::BUTTON_CANCEL, Action::Link(paths::PASSWORD.into())),
            ]);
            screen(&op, None, Some(d)).into_response()
        }
        Ok(Err(e)) => {
            sim.accounts.sessions.set_pending(&op.session.id, None);
            screen(&op, Some((&e.message(), false)), None).into_response()
        }
        Err(_) => screen(&op, Some((t::FORM_EXPIRED, false)), None).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct Empty {}

/// DLG-02 《OK》: the change, then DLG-03.
async fn confirm(State(sim): State<Arc<Simulator>>, p: Posted<Empty>) -> Response {
    let op = p.op;
    let Some(pending) = sim.accounts.sessions.take_pending(&op.session.id) else {
        // DLG-02 answered twice (or its page reloaded): nothing waits for it (HTTP 409).
        return (
            axum::http::StatusCode::CONFLICT,
            screen(&op, Some((t::FORM_EXPIRED, false)), None),
        )
            .into_response();
    };
    let initial = op.session.stage == Stage::MustChangeInitial;
    sim.accounts
        .commit_change(op.login_id(), pending, sim.clock.now());
    sim.accounts
        .sessions
        .set_stage(&op.session.id, Stage::Active);
    let next = if initial {
        paths::MENU.to_owned()
    } else {
        format!("{}?done=1", paths::PASSWORD)
    };
    let d = Dialog::dlg(&t::DLG_03).render(&[(t::BUTTON_OK, Action::Link(next))]);
    screen(&op, None, Some(d)).into_response()
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(paths::PASSWORD, get(show).post(change))
        .route(CONFIRM, post(confirm))
}

//! SCR-05 メニュー as data: one [`MenuItem`] per item of the manual's menu (ch.1 §5, ch.3 §1,
//! ch.6 §2, ch.11 §2), in its order. An item whose screen the simulator does not have yet has
//! `path: None` and is shown disabled with 「未実装（シミュレータ）」; a helper who builds the
//! screen sets its `path` (and, where the manual has one, its display condition in [`Shown`]).
//!
//! AUTH-15: before the facility's service start date only 《パスワード変更》 is shown.
//! AMB-71: the manual does not say which items each 権限区分 sees; every role sees them all.

use super::layout::Page;
use super::paths;
use super::session::Operator;
pub use super::shown::{Shown, TerminalCondition};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::accounts as t;
use std::sync::Arc;

/// One menu item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuItem {
    /// The group heading (《資格情報一括照会》 …), `None` for ① and ②.
    pub group: Option<&'static str>,
    /// The button's label, verbatim.
    pub label: &'static str,
    /// The screen it opens (catalogue id).
    pub screen: &'static str,
    /// Its path, once the screen exists.
    pub path: Option<&'static str>,
    pub shown: Shown,
}

const fn item(
    group: Option<&'static str>,
    label: &'static str,
    screen: &'static str,
    path: Option<&'static str>,
) -> MenuItem {
    MenuItem {
        group,
        label,
        screen,
        path,
        shown: Shown::Always,
    }
}

const BULK: Option<&str> = Some("資格情報一括照会");
const REFERENCE: Option<&str> = Some("照会番号一括登録");
const ACCOUNT: Option<&str> = Some("アカウント情報管理");
const INQUIRIES: Option<&str> = Some("問い合わせ管理");
const FACE: Option<&str> = Some("顔認証付きカードリーダー管理");
const VISITING: Option<&str> = Some("訪問診療等・オンライン診療等");
const ENTRUSTED: Option<&str> = Some("委託先資格情報一括取得");
const STORAGE: Option<&str> = Some("保管調剤結果一括取得");

/// The password change item (the only one before the service start, AUTH-15).
pub const PASSWORD_ITEM: MenuItem =
    item(ACCOUNT, "パスワード変更", "SCR-06", Some(paths::PASSWORD));

/// The manual's menu, in its order. ENV-06 (RULE-63) and ENV-08/09 (RULE-76/77) are the
/// terminal's settings; the 保管調剤 items follow the facility's 保存サービス (RULE-69).
pub const MENU: &[MenuItem] = &[
    item(
        None,
        "マイナンバーカードで確認",
        "SCR-08",
        Some(super::checks::paths::MYNUMBER),
    ),
    item(
        None,
        "保険証／処方箋で確認",
        "SCR-13",
        Some(super::checks::paths::INSURANCE_CARD),
    ),
    item(BULK, "資格情報一括照会", "SCR-15", Some(super::bulk::BULK)),
    item(
        BULK,
        "資格情報一括照会結果",
        "SCR-16",
        Some("/bulk-inquiry/results"),
    ),
    item(
        REFERENCE,
        "照会番号一括登録",
        "SCR-17",
        Some(super::bulk::REGISTRATION),
    ),
    item(
        REFERENCE,
        "照会番号一括登録結果",
        "SCR-18",
        Some("/reference-registration/results"),
    ),
    PASSWORD_ITEM,
    item(
        INQUIRIES,
        "資格確認履歴照会",
        "SCR-19",
        Some(super::history::HISTORY),
    ),
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::FaceOperation),
        ..item(
            FACE,
            "顔認証付きカードリーダー操作",
            "SCR-31",
            Some(paths::FACE_READER),
        )
    },
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::FaceSettings),
        ..item(
            FACE,
            "顔認証付きカードリーダー環境設定",
            "SCR-32",
            Some(paths::FACE_SETTINGS),
        )
    },
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::Visiting),
        ..item(
            VISITING,
            "同意済資格情報取得",
            "SCR-21",
            Some(super::visiting::paths::CONSENTED),
        )
    },
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::Visiting),
        ..item(
            VISITING,
            "資格情報照会",
            "SCR-22",
            Some(super::visiting::paths::INQUIRY),
        )
    },
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::Visiting),
        ..item(
            VISITING,
            "資格情報一括照会",
            "SCR-25",
            Some(super::visiting_bulk::REQUEST),
        )
    },
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::Visiting),
        ..item(
            VISITING,
            "資格情報一括照会結果",
            "SCR-26",
            Some(super::visiting_bulk::RESULTS),
        )
    },
    MenuItem {
        shown: Shown::Terminal(TerminalCondition::Visiting),
        ..item(
            VISITING,
            "同意取消照会",
            "SCR-27",
            Some(super::consent_cancel::SEARCH),
        )
    },
    item(
        ENTRUSTED,
        "委託先資格情報一括取得",
        "SCR-29",
        Some(super::entrusted::REQUEST),
    ),
    item(
        ENTRUSTED,
        "委託先資格情報一括取得結果",
        "SCR-30",
        Some(super::entrusted::RESULTS),
    ),
    MenuItem {
        shown: Shown::DispensingStorage,
        ..item(
            STORAGE,
            "保管調剤結果一括取得",
            "SCR-33",
            Some(super::dispensing::REQUEST),
        )
    },
    MenuItem {
        shown: Shown::DispensingStorage,
        ..item(
            STORAGE,
            "保管調剤結果一括取得結果",
            "SCR-34",
            Some(super::dispensing::RESULTS),
        )
    },
    // RULE-92 (FLOW-45 step 4): the manual shows no screen or menu item; the simulator's own.
    MenuItem {
        shown: Shown::LaterCheck,
        ..item(
            None,
            "システム障害時の資格確認",
            "FLOW-45",
            Some(super::later_check::LATER_CHECK),
        )
    },
    // Its items are not described in the manual (v1.16 removed them): one entry, opening the
    // simulator's own screen.
    MenuItem {
        shown: Shown::Emergency,
        ..item(
            None,
            "緊急時医療情報・資格確認機能",
            "ENV-14",
            Some(super::emergency::EMERGENCY),
        )
    },
];

/// The items `op` sees, in order (AUTH-15: before the service start only the password item).
pub fn visible(sim: &crate::simulator::Simulator, op: &Operator) -> Vec<&'static MenuItem> {
    if op.before_service_start {
        return vec![&PASSWORD_ITEM];
    }
    MENU.iter().filter(|i| i.shown.holds(sim, op)).collect()
}

fn render_item(i: &MenuItem) -> Markup {
    html! {
        @match i.path {
            Some(p) => { a.item href=(p) data-screen=(i.screen) { (i.label) } }
            None => {
                span.item aria-disabled="true" data-screen=(i.screen) {
                    (i.label) small { (t::NOT_BUILT) }
                }
            }
        }
    }
}

/// SCR-05.
async fn menu(
    axum::extract::State(sim): axum::extract::State<Arc<crate::simulator::Simulator>>,
    op: Operator,
) -> Markup {
    let items = visible(&sim, &op);
    // Groups in order of first appearance; ① and ② are groups of their own.
    let mut groups: Vec<(Option<&str>, Vec<&MenuItem>)> = Vec::new();
    for i in items {
        match groups
            .iter_mut()
            .find(|(g, _)| i.group.is_some() && *g == i.group)
        {
            Some((_, v)) => v.push(i),
            None => groups.push((i.group, vec![i])),
        }
    }
    let h = op.header();
    Page::new(t::TITLE_MENU)
        .header(&h)
        .notices_link()
        .render(html! {
            @if op.before_service_start {
                section.panel { p.error #before-start { (t::BEFORE_SERVICE_START) } }
            }
            div.menu {
                @for (g, items) in &groups {
                    div.group {
                        @if let Some(g) = g { h3 { (g) } }
                        @for i in items { (render_item(i)) }
                    }
                }
            }
        })
}

pub fn router() -> Router<Arc<crate::simulator::Simulator>> {
    Router::new().route(paths::MENU, get(menu))
}

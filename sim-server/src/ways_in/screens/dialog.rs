//! The one way a dialog is drawn (DLG-…, ERR-…): title, message and buttons come from the
//! catalogue texts in `oqs_protocol::texts` (a [`Dlg`] or a [`CardDialog`]); the screen only says
//! what each button does. Image-only dialogs show the placeholder label (catalogue §10.2) and,
//! for ERR- ones, the 【事象】/【対処】/【代替】 texts. The dialog is a modal layer of the page
//! (`role="dialog"`), its first button focused, so Enter and Tab work without a mouse.

use maud::{html, Markup};
use oqs_protocol::texts::{CardDialog, Dlg};

/// What a dialog button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Go to a page (GET).
    Link(String),
    /// Send a form (POST) to this path with the session's CSRF token and these fields.
    Post {
        path: String,
        csrf: String,
        fields: Vec<(String, String)>,
    },
}

/// A dialog as shown: from the catalogue, never typed into a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub id: &'static str,
    pub title: &'static str,
    pub message: String,
    /// 【事象】, 【対処】, 【代替】 (ERR- dialogs).
    pub details: Vec<(&'static str, &'static str)>,
    pub buttons: &'static [&'static str],
}

impl Dialog {
    /// A confirmation / completion dialog of the catalogue's dialog table.
    pub fn dlg(d: &Dlg) -> Dialog {
        Dialog {
            id: d.id,
            title: d.title,
            message: d.lines.join("\n"),
            details: Vec::new(),
            buttons: d.buttons,
        }
    }

    /// An error or notice dialog (ERR-…) with the buttons the manual names for it.
    pub fn err(d: &CardDialog, buttons: &'static [&'static str]) -> Dialog {
        let mut details = Vec::new();
        if d.is_placeholder() {
            for (label, text) in [
                ("【事象】", d.event),
                ("【対処】", d.action),
                ("【代替】", d.alternative),
            ] {
                if !text.is_empty() {
                    details.push((label, text));
                }
            }
        }
        Dialog {
            id: d.id,
            title: d.shown_title().unwrap_or(d.id),
            message: if d.is_placeholder() {
                oqs_protocol::texts::PLACEHOLDER_LABEL.to_owned()
            } else {
                d.shown_message()
            },
            details,
            buttons,
        }
    }

    /// The dialog's markup; `actions` gives each catalogue button (by label) what it does. A
    /// button without an action is left out.
    pub fn render(&self, actions: &[(&str, Action)]) -> Markup {
        let title_id = format!("dlg-{}", self.id);
        html! {
            div.backdrop {
                div.dialog role="dialog" aria-modal="true" aria-labelledby=(title_id) data-dialog=(self.id) {
                    div.dtitle id=(title_id) { (self.title) }
                    div.dbody {
                        (self.message)
                        @if !self.details.is_empty() {
                            dl {
                                @for (label, text) in &self.details {
                                    dt { (label) }
                                    dd { (text) }
                                }
                            }
                        }
                    }
                    div.dbtns {
                        @for (i, label) in self.buttons.iter().enumerate() {
                            @if let Some((_, action)) = actions.iter().find(|(l, _)| l == label) {
                                @match action {
                                    Action::Link(href) => {
                                        a.btn.sub[i > 0] href=(href) autofocus[i == 0] data-button=(label) { (label) }
                                    }
                                    Action::Post { path, csrf, fields } => {
                                        form method="post" action=(path) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            @for (k, v) in fields {
                                                input type="hidden" name=(k) value=(v);
                                            }
                                            button.sub[i > 0] type="submit" autofocus[i == 0] data-button=(label) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.did { (self.id) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oqs_protocol::texts::{self, accounts};

    #[test]
    fn catalogue_texts_and_buttons() {
        let d = Dialog::dlg(&texts::DLG_10);
        let html = d
            .render(&[("OK", Action::Link("/menu".into()))])
            .into_string();
        assert!(html.contains("照会番号登録"));
        assert!(html.contains("照会番号を登録しました。"));
        assert!(html.contains(r#"href="/menu""#));
        let e = Dialog::err(&accounts::ERR_04, accounts::ERR_04_BUTTONS);
        assert_eq!(e.title, texts::PLACEHOLDER_LABEL);
        let html = e
            .render(&[("閉じる", Action::Link("/login".into()))])
            .into_string();
        assert!(html.contains("【事象】"));
        assert!(html.contains("30分間操作がない場合"));
        assert!(html.contains(r#"data-dialog="ERR-04""#));
        assert!(!html.contains("【代替】"), "ERR-04 has no 【代替】");
        // A text dialog of the catalogue shows its own title and lines.
        let e = Dialog::err(texts::card_dialog("ERR-09").unwrap(), &["OK"]);
        assert_eq!(e.title, "マイナンバーカード認証");
        assert!(e.message.contains("カードリーダーが接続されていません。"));
    }
}

//! 訪問診療等・オンライン診療等 check screens (ch.3 §2, §3): SCR-21 同意済資格情報取得
//! ([`consented`], FLOW-30), SCR-22 資格情報照会 ([`inquiry`], FLOW-32), SCR-23 資格情報確認
//! ([`result`]) and SCR-24 処方箋情報取得 ([`result`], drawn by SCR-12's one rendering
//! `checks::prescription::draw`, FLOW-31). The inquiries are the machine routes' OQSsihvq01req / OQSsionq01req
//! (`Simulator::visiting_check`), made with the operator's login id.

pub mod consented;
pub mod inquiry;
pub mod result;

use crate::simulator::Simulator;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_domain::wareki;
use oqs_protocol::codes::CodeTable;
use oqs_protocol::visiting::CareKind;
use std::sync::Arc;

/// The screens' paths.
pub mod paths {
    /// SCR-21 (GET: the form, and with `kind` the search ③).
    pub const CONSENTED: &str = "/visiting-care/consented";
    /// SCR-21 row click (POST).
    pub const CONSENTED_OPEN: &str = "/visiting-care/consented/open";
    /// SCR-22.
    pub const INQUIRY: &str = "/visiting-care/inquiry";
    /// SCR-23 is `/visiting-care/result/{id}`; SCR-24 `…/{id}/prescriptions`.
    pub const RESULT: &str = "/visiting-care/result";
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .merge(consented::router())
        .merge(inquiry::router())
        .merge(result::router())
}

/// What these screens add to the check screens' style.
const CSS: &str = r#"
table.list tr.grey td{background:#e4e6e8;color:#6b747d}
table.list td.mark{text-align:center}
.inline label{display:inline;margin:0 6px 0 0;font-weight:600}
.inline input[type=text]{width:130px;padding:6px;font-size:14px;border:1px solid #8a99a8;border-radius:3px}
.inline .row{margin:8px 0}
"#;

/// The style element of these screens (after `checks::style()`).
pub fn style() -> Markup {
    html! { (super::checks::style()) style { (PreEscaped(CSS)) } }
}

/// 「* 診療区分」 ▼ 「訪問診療等」「オンライン診療等」.
pub fn kind_select(chosen: Option<CareKind>) -> Markup {
    html! {
        select #kind name="kind" {
            @for k in CareKind::all() {
                option value=(k.label()) selected[chosen == Some(*k)] { (k.label()) }
            }
        }
    }
}

/// BIRTH (元号 + 年月日, 初期値 昭和) fields with these names' values (SCR-22, SCR-25): the
/// check screens' one rendering, without its `size` attributes.
pub fn birth_fields(era: &str, year: &str, month: &str, day: &str) -> Markup {
    crate::ways_in::screens::checks::birth_fields(era, year, month, day, false)
}

/// 生年月日 typed as BIRTH: `None` when nothing was typed, `Some(Err)` when it is not a date.
pub fn birthdate(
    era: &str,
    year: &str,
    month: &str,
    day: &str,
) -> Option<Result<chrono::NaiveDate, ()>> {
    let (y, m, d) = (year.trim(), month.trim(), day.trim());
    if y.is_empty() && m.is_empty() && d.is_empty() {
        return None;
    }
    let date = if era == "西暦" {
        match (y.parse(), m.parse(), d.parse()) {
            (Ok(y), Ok(m), Ok(d)) => chrono::NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        }
    } else {
        let era = if era.is_empty() { "昭和" } else { era };
        wareki::parse(&format!("{era}{y}年{m}月{d}日"))
    };
    Some(date.ok_or(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_fields_read_as_a_date() {
        let d = |e, y, m, dd| birthdate(e, y, m, dd);
        assert_eq!(d("昭和", "", "", ""), None);
        assert_eq!(
            d("昭和", "57", "1", "1"),
            Some(Ok(
                chrono::NaiveDate::from_ymd_opt(1982, 1, 1).expect("date")
            ))
        );
        assert_eq!(
            d("西暦", "1970", "11", "30"),
            Some(Ok(
                chrono::NaiveDate::from_ymd_opt(1970, 11, 30).expect("date")
            ))
        );
        assert_eq!(d("昭和", "57", "13", "1"), Some(Err(())));
    }
}

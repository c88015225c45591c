//! お知らせ (SCR-03/04, RULE-89): 「全体」 notices for every facility and 「個別」 ones for one.
//! Fixtures (`sim-server/fixtures/notices.toml`). A notice is listed from its 公開日 until the
//! day before its 公開終了日 (「公開終了日を迎えたお知らせは以降一覧に表示されなくなります。」),
//! newest 公開日 first, 20 per page.

use chrono::NaiveDate;
use oqs_protocol::texts::accounts::NOTICES_PER_PAGE;
use serde::Deserialize;

/// The built-in notices.
pub const BUILTIN_FIXTURE: &str = include_str!("../../fixtures/notices.toml");

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// 「全体」 or a 医療機関コード (個別).
    pub scope: String,
    /// 表題.
    pub title: String,
    /// 公開日.
    pub published: NaiveDate,
    /// 公開終了日.
    pub ends: Option<NaiveDate>,
    /// お知らせ内容.
    pub body: String,
}

/// Scope of the 「全体」 notices.
pub const SCOPE_ALL: &str = "全体";

impl Notice {
    fn listed_on(&self, today: NaiveDate) -> bool {
        self.published <= today && self.ends.is_none_or(|e| today < e)
    }
}

/// One page of a list: the notices with their ids (for SCR-04) and 1-based positions (項番).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<'a> {
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// (項番, id, notice).
    pub items: Vec<(usize, usize, &'a Notice)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[serde(default)]
    notice: Vec<Notice>,
}

/// Every notice.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    list: Vec<Notice>,
}

impl Notices {
    pub fn builtin() -> Notices {
        match Notices::from_toml(BUILTIN_FIXTURE) {
            Ok(n) => n,
            Err(e) => panic!("embedded notices fixture is invalid: {e}"),
        }
    }

    pub fn from_toml(text: &str) -> Result<Notices, String> {
        let f: Fixture = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Notices { list: f.notice })
    }

    /// The 「全体」 (`own = false`) or 「個別」 list of `facility` on `today`, page `page` (1-based;
    /// out of range: the nearest page).
    pub fn page(&self, own: bool, facility: &str, today: NaiveDate, page: usize) -> Page<'_> {
        let mut listed: Vec<(usize, &Notice)> = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                n.listed_on(today)
                    && if own {
                        n.scope == facility
                    } else {
                        n.scope == SCOPE_ALL
                    }
            })
            .collect();
        listed.sort_by(|a, b| b.1.published.cmp(&a.1.published).then(a.0.cmp(&b.0)));
        let total = listed.len();
        let pages = total.div_ceil(NOTICES_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let skip = (page - 1) * NOTICES_PER_PAGE;
        let items = listed
            .into_iter()
            .enumerate()
            .skip(skip)
            .take(NOTICES_PER_PAGE)
            .map(|(i, (id, n))| (i + 1, id, n))
            .collect();
        Page {
            total,
            page,
            pages,
            items,
        }
    }

    /// SCR-04: one notice `facility` may see on `today`.
    pub fn get(&self, id: usize, facility: &str, today: NaiveDate) -> Option<&Notice> {
        self.list
            .get(id)
            .filter(|n| n.listed_on(today) && (n.scope == SCOPE_ALL || n.scope == facility))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_per_page_newest_first_and_end_dates() {
        let n = Notices::builtin();
        let today = NaiveDate::from_ymd_opt(2021, 1, 6).unwrap();
        let p1 = n.page(false, "1234567890", today, 1);
        assert_eq!((p1.total, p1.pages, p1.items.len()), (24, 2, 20));
        assert!(p1
            .items
            .windows(2)
            .all(|w| w[0].2.published >= w[1].2.published));
        assert_eq!(p1.items[0].0, 1);
        let p2 = n.page(false, "1234567890", today, 9);
        assert_eq!((p2.page, p2.items.len(), p2.items[0].0), (2, 4, 21));
        let titles: Vec<&str> = p1
            .items
            .iter()
            .chain(&p2.items)
            .map(|i| i.2.title.as_str())
            .collect();
        assert!(!titles.iter().any(|t| t.starts_with("【終了】")));
        assert!(!titles.iter().any(|t| t.starts_with("【予定】")));
        let own = n.page(true, "1234567890", today, 1);
        assert_eq!(own.total, 1);
        assert!(own.items[0].2.title.contains("サンプル医療機関"));
        // The ended notice is listed the day before its 公開終了日.
        let before_end = NaiveDate::from_ymd_opt(2020, 12, 30).unwrap();
        assert!(n
            .page(false, "1234567890", before_end, 1)
            .items
            .iter()
            .chain(&n.page(false, "1234567890", before_end, 2).items)
            .any(|i| i.2.title.starts_with("【終了】")));
        // 個別 notices of another facility cannot be opened.
        let other = own.items[0].1;
        assert!(n.get(other, "1234567890", today).is_some());
        assert!(n.get(other, "1341234567", today).is_none());
        assert!(n.get(9999, "1234567890", today).is_none());
    }
}

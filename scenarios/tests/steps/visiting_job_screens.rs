//! The ch.3 job and cancellation screens' own steps (SCR-25..28): the menu item of a group (both
//! 《資格情報一括照会》 exist), the status cell of SCR-26, the consent table of SCR-28 as shown
//! (grey rows, RULE-66/67) and a button that cannot be pressed; the rest is said with the screen
//! steps of `screens.rs`.

use super::screens::{attr, unescape};
use super::OqsWorld;
use cucumber::gherkin::Step;
use cucumber::{then, when};

/// The text of each `<td>` in `row` (tags stripped).
fn cells(row: &str) -> Vec<String> {
    row.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').map_or(0, |i| i + 1)..];
            unescape(&c[..c.find("</td>").unwrap_or(c.len())])
        })
        .collect()
}

/// The rows (`<tr …>` tag, cells) of the table with this id, header left out.
fn table_rows(page: &str, id: &str) -> Vec<(String, Vec<String>)> {
    let Some(start) = page.find(&format!(r#"id="{id}""#)) else {
        return Vec::new();
    };
    let table = &page[start..start + page[start..].find("</table>").unwrap_or(0)];
    table
        .split("<tr")
        .skip(1)
        .filter(|r| r.contains("<td"))
        .map(|r| {
            let tag = r[..r.find('>').unwrap_or(0)].to_owned();
            (tag, cells(r))
        })
        .collect()
}

/// A menu item inside its group (SCR-05: 「訪問診療等・オンライン診療等」 → 《資格情報一括照会》).
#[when(regex = r"^メニューの「([^」]*)」から《([^》]*)》をクリックする$")]
async fn menu_item(w: &mut OqsWorld, group: String, label: String) {
    let page = w.page().to_owned();
    let g = page
        .find(&format!("<h3>{group}</h3>"))
        .unwrap_or_else(|| panic!("no group 「{group}」 on the menu:\n{page}"));
    let rest = &page[g..];
    let rest = &rest[..rest[4..].find("<h3>").map_or(rest.len(), |i| i + 4)];
    let at = rest
        .find(&format!(">{label}<"))
        .unwrap_or_else(|| panic!("no 《{label}》 in 「{group}」:\n{rest}"));
    let tag = &rest[rest[..at].rfind("<a ").expect("a link")..at];
    let href = attr(tag, "href").expect("href");
    w.screen_send("GET", &href, None).await;
}

/// SCR-26 ②: the 照会状況 of the first row.
#[then(regex = r"^一覧の 1 行目の照会状況は「(.*)」である$")]
async fn first_status(w: &mut OqsWorld, status: String) {
    let rows = table_rows(w.page(), "jobs");
    let got = rows.first().and_then(|(_, c)| c.get(1)).cloned();
    assert_eq!(got.as_deref(), Some(status.as_str()), "{}", w.page());
}

/// SCR-26: waits (at most 10 s) until the first row's job is final, then 《更新》.
#[when(regex = r"^一覧の 1 行目の照会が終わるまで待って《更新》をクリックする$")]
async fn wait_first(w: &mut OqsWorld) {
    let rows = table_rows(w.page(), "jobs");
    let number = rows
        .first()
        .and_then(|(_, c)| c.first())
        .cloned()
        .unwrap_or_else(|| panic!("no job listed:\n{}", w.page()));
    let sim = w.sim.clone();
    tokio::task::spawn_blocking(move || sim.jobs.wait(&number, std::time::Duration::from_secs(10)))
        .await
        .expect("wait");
    w.click("更新").await;
}

#[then(regex = r"^一覧に照会結果は表示されない$")]
async fn no_jobs(w: &mut OqsWorld) {
    assert!(table_rows(w.page(), "jobs").is_empty(), "{}", w.page());
}

/// SCR-28 ② as shown, with the manual's columns.
#[then(regex = r"^画面の閲覧同意情報は次のとおりである:?$")]
async fn shown_table(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let rows: Vec<Vec<String>> = table_rows(w.page(), "consent-table")
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(rows, table.rows[1..].to_vec(), "{}", w.page());
}

/// RULE-66: which rows are grey.
#[then(regex = r"^画面の閲覧同意情報の灰色の行は「([^」]*)」だけである$")]
async fn grey_rows(w: &mut OqsWorld, which: String) {
    let grey: Vec<String> = table_rows(w.page(), "consent-table")
        .into_iter()
        .filter(|(tag, _)| tag.contains(r#"class="grey""#))
        .map(|(_, c)| c[0].clone())
        .collect();
    let want: Vec<String> = which
        .split('、')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(grey, want, "{}", w.page());
}

#[then(regex = r"^画面の閲覧同意情報はすべて灰色で表示される$")]
async fn all_grey(w: &mut OqsWorld) {
    let rows = table_rows(w.page(), "consent-table");
    assert!(
        rows.len() == 7 && rows.iter().all(|(t, _)| t.contains(r#"class="grey""#)),
        "{}",
        w.page()
    );
}

/// A button shown but disabled (SCR-28 《同意取消》 once nothing can be cancelled).
#[then(regex = r"^画面の《([^》]*)》は押せない$")]
async fn disabled(w: &mut OqsWorld, label: String) {
    let page = w.page();
    let at = page
        .find(&format!(">{label}<"))
        .unwrap_or_else(|| panic!("no 《{label}》:\n{page}"));
    let tag = &page[page[..at].rfind('<').expect("tag")..at];
    assert!(
        tag.contains("disabled"),
        "《{label}》 can be pressed: {tag}"
    );
}

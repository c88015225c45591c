//! The tray's exercise list against what the simulator has today (issue 13: every built flow
//! doable by clicking): FLOW-01..45 are all on it, every row's screen link opens a screen that renders for one of the demo
//! accounts (no redirect to the login or the menu, its title in the header, no error dialog),
//! a row without a link names a screen the simulator does not have, and every row's 《準備》
//! succeeds.

use browser_tests::*;
use fantoccini::Locator;

/// Demo accounts tried in turn: a 医科 clinic, a pharmacy, the storage-service pharmacy.
const ACCOUNTS: [(&str, &str); 3] = [DEMO_STAFF, DEMO_PHARMACY, ("hozon01", "Hozon#Pass01")];

/// Every exercise row of the tray: (row id, screen cell text, link if any, has 《準備》).
async fn rows(f: &Flow) -> Vec<(String, String, Option<String>, bool)> {
    f.open("/__tray").await;
    let v = f
        .client
        .execute(
            "return Array.from(document.querySelectorAll('table.exercises tbody tr[id]')).map(tr => {
               const a = tr.cells[3].querySelector('a');
               return [tr.id, tr.cells[3].innerText, a ? a.getAttribute('href') : null,
                       !!tr.querySelector('form[action=\"/__tray/exercise\"]')];
             });",
            vec![],
        )
        .await
        .expect("rows");
    v.as_array()
        .expect("an array")
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_owned(),
                r[1].as_str().unwrap_or_default().to_owned(),
                r[2].as_str().map(str::to_owned),
                r[3].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// Whether `href` shows its screen to the logged-in account: the browser stays there, the
/// header has a title, no ERR- dialog, not refused to the facility, not the outage page.
async fn renders(f: &Flow, href: &str) -> Result<String, String> {
    f.open(href).await;
    let url = f.client.current_url().await.map_err(|e| e.to_string())?;
    let want = href.split('?').next().unwrap_or(href);
    if url.path() != want {
        return Err(format!("{href} went to {}", url.path()));
    }
    let title = match f.client.find(Locator::Css("header.hdr h1")).await {
        Ok(h) => h.text().await.map_err(|e| e.to_string())?,
        Err(_) => return Err(format!("{href}: no screen header")),
    };
    if let Ok(d) = f.client.find(Locator::Css("[data-dialog^='ERR']")).await {
        let id = d
            .attr("data-dialog")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        return Err(format!("{href}: {id}"));
    }
    // A screen refused to this account's facility (RULE-69) says so instead of the screen.
    if let Ok(e) = f.client.find(Locator::Css("#not-available")).await {
        let text = e.text().await.unwrap_or_default();
        return Err(format!("{href}: {text}"));
    }
    if title.trim().is_empty() || title.contains("システム障害") {
        return Err(format!("{href}: title {title:?}"));
    }
    Ok(title)
}

#[tokio::test]
async fn every_exercise_row_links_a_screen_that_renders_and_every_preset_works() {
    let Some(f) = Flow::start("tray-exercises").await else {
        return;
    };
    let rows = rows(&f).await;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    for n in 1..=45 {
        let id = format!("FLOW-{n:02}");
        assert!(
            ids.contains(&id.as_str()),
            "{id} is not on the tray: {ids:?}"
        );
    }
    f.shot("tray").await;

    // Every link, for the first demo account that may see it.
    let mut hrefs: Vec<&str> = rows.iter().filter_map(|r| r.2.as_deref()).collect();
    hrefs.sort();
    hrefs.dedup();
    let mut left: Vec<&str> = hrefs.clone();
    let mut seen = Vec::new();
    for (user, password) in ACCOUNTS {
        f.login(user, password).await;
        let mut still = Vec::new();
        for href in left {
            match renders(&f, href).await {
                Ok(title) => seen.push(format!("{href} 「{title}」 as {user}")),
                Err(e) => still.push((href, e)),
            }
        }
        left = still.iter().map(|(h, _)| *h).collect();
        if left.is_empty() {
            break;
        }
        if user == ACCOUNTS[ACCOUNTS.len() - 1].0 {
            panic!("screens that render for no demo account: {still:?}");
        }
    }
    eprintln!("{} screen links render:\n{}", seen.len(), seen.join("\n"));
    assert!(seen.len() >= 15, "{seen:?}");
    // A row without a link says its screen is not there yet.
    for (id, cell, link, _) in &rows {
        if link.is_none() {
            assert!(cell.contains("（未実装）"), "{id}: {cell}");
        }
    }
    f.open("/menu").await;
    f.shot("last-screen").await;

    // Every 《準備》 succeeds (the terminal, the accounts, the clock, the jobs, the outage).
    let presets: Vec<&str> = rows.iter().filter(|r| r.3).map(|r| r.0.as_str()).collect();
    for id in &presets {
        f.open("/__tray").await;
        click_css(
            &f.client,
            &format!("tr#{id} form[action='/__tray/exercise'] button"),
        )
        .await;
        let text = f.page_text().await;
        assert!(
            text.contains(&format!("{id} ")) && text.contains("の準備ができました"),
            "{id}: {text}"
        );
    }
    eprintln!("{} presets: {presets:?}", presets.len());
    f.shot("last-preset").await;
    f.finish().await;
}

//! もし: sending the search over a transport.

use super::world::{OqsWorld, Transport};
use cucumber::gherkin::Step;
use cucumber::when;

/// 《検索》: the typed request over XML/HTTP.
#[when(regex = r"^《検索》をクリックする$")]
async fn click_search(w: &mut OqsWorld) {
    w.send(Transport::Http, None).await;
}

/// The typed request over one transport: 「ファイル連携で照会する」, 「同じ照会を WebAPI でも行う」.
#[when(regex = r"^(?:同じ照会を )?(XML/HTTP|ファイル連携|WebAPI) ?で(?:照会する|も行う)$")]
async fn search_over(w: &mut OqsWorld, transport: String) {
    w.send(Transport::from_words(&transport), None).await;
}

/// A request written out in full (docstring), e.g. a broken one.
#[when(regex = r"^次の電文を (XML/HTTP|ファイル連携) ?で送信する:?$")]
async fn send_verbatim(w: &mut OqsWorld, transport: String, step: &Step) {
    let text = step
        .docstring
        .as_ref()
        .expect("this step takes the request as a docstring (\"\"\")");
    w.send(
        Transport::from_words(&transport),
        Some(text.trim_start().as_bytes().to_vec()),
    )
    .await;
}

/// RULE-32: clicking a person of the list shows that person on SCR-10 (the search again, with
/// the clicked person's 枝番).
#[when(regex = r"^一覧の枝番「([^」]*)」の該当者をクリックする$")]
async fn click_listed(w: &mut OqsWorld, branch: String) {
    let root = w.last().root();
    let listed = root
        .child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .is_some_and(|l| {
            l.children_named("ResultOfQualificationConfirmation")
                .any(|r| r.child_text("InsuredBranchNumber") == Some(branch.as_str()))
        });
    assert!(listed, "枝番 {branch} is not in the list");
    w.request.search.insured_branch_number = Some(branch);
    let transport = w.last().transport;
    w.send(transport, None).await;
}

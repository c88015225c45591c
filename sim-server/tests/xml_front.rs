//! `POST /xml/{message-id}` is answered by the front directly when the path is plain, by the
//! router otherwise (issue 16): both ways give the same answer and journal the same source, and
//! the front's checks (clipped 4xx) and システム障害 hold on the direct way too.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn the_direct_way_and_the_routed_way_answer_alike() {
    let sim = simulator();
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    let direct = send(&sim, "POST", "/xml/OQSsiquc01req", &[], xml.clone().into()).await;
    // Percent-encoded, the name goes through the router's `/xml/{message}` route.
    let routed = send(&sim, "POST", "/xml/OQS%73iquc01req", &[], xml.into()).await;
    assert_eq!(direct.status, StatusCode::OK);
    assert_eq!(routed.status, StatusCode::OK);
    assert_eq!(direct.content_type, routed.content_type);
    assert_eq!(direct.text(), routed.text());
    let journal = sim.journal.since(0, 10);
    let sources: Vec<&str> = journal.iter().map(|e| e.source.as_str()).collect();
    assert_eq!(sources, ["/xml/OQSsiquc01req", "/xml/OQSsiquc01req"]);
    assert!(journal.iter().all(|e| e.message == "OQSsiquc01req"));
}

#[tokio::test]
async fn other_methods_and_paths_are_answered_by_the_router() {
    let sim = simulator();
    let get = send(&sim, "GET", "/xml/OQSsiquc01req", &[], Vec::new()).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    let nested = send(&sim, "POST", "/xml/OQSsiquc01req/x", &[], Vec::new()).await;
    assert_eq!(nested.status, StatusCode::NOT_FOUND);
    let unknown = send(&sim, "POST", "/xml/OQSunknown", &[], b"<XmlMsg/>".to_vec()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.text().contains("\"OQSunknown\""),
        "{}",
        unknown.text()
    );
}

#[tokio::test]
async fn the_direct_way_keeps_the_front_checks() {
    let sim = simulator();
    // A 4xx naming a huge message id is clipped, as on every route.
    let long = "A".repeat(20_000);
    let r = send(
        &sim,
        "POST",
        &format!("/xml/{long}"),
        &[],
        b"<XmlMsg/>".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.len() < 1_000, "{} bytes", r.body.len());
    // システム障害 (ENV-15): refused unread, with the situation's text.
    sim.outage.start(sim.clock.now(), None);
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    let r = send(&sim, "POST", "/xml/OQSsiquc01req", &[], xml.into()).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        r.text().contains(oqs_protocol::texts::outage::SITUATION),
        "{}",
        r.text()
    );
}

//! The reference client against an in-process simulator (HTTP and the file exchange, frozen clock
//! 2021-01-06 10:00 JST): its conclusions for the sample population.

use oqs_adapter_protocol::{
    Action, BulkConclusion, Conclusion, InsuranceCard, MyNumberMethod, Outcome,
    RegistrationConclusion, SimulatorEndpoints,
};
use oqs_protocol::texts::{self, job_status};
use reference_client::{Client, Mutant, Transport};
use sim_server::exchange::{self, Exchange};
use sim_server::journal::JournalEntry;
use sim_server::{clock, Clock, Settings, Simulator};
use std::sync::Arc;

const FACILITY: &str = "1234567890";

/// A simulator serving HTTP on a free port and watching an exchange folder, on its own runtime.
struct Sim {
    sim: Arc<Simulator>,
    endpoints: SimulatorEndpoints,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    fn start() -> Sim {
        let now = clock::parse_now("2021-01-06T10:00:00+09:00").expect("time");
        let sim = Arc::new(Simulator::new(
            Clock::frozen(now),
            oqs_protocol::ErrorTable::builtin(),
            Settings::default(),
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let ex = Exchange::open(dir.path(), sim.clone()).expect("exchange");
        let app = sim_server::router(sim.clone());
        let addr = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(async move {
                let _ = axum::serve(listener, app.into_make_service()).await;
            });
            tokio::spawn(exchange::run(Arc::new(ex)));
            addr
        });
        Sim {
            sim,
            endpoints: SimulatorEndpoints {
                http: format!("http://{addr}"),
                exchange: dir.path().display().to_string(),
                facility: FACILITY.into(),
                pcsc_reader: None,
                webapi: None,
            },
            _dir: dir,
            _runtime: runtime,
        }
    }

    fn client(&self, transport: Transport) -> Client {
        self.mutant(transport, None)
    }

    fn mutant(&self, transport: Transport, m: Option<Mutant>) -> Client {
        Client::new(self.endpoints.clone(), transport, m)
    }

    fn journal(&self) -> Vec<JournalEntry> {
        self.sim.journal.since(0, 100_000)
    }

    fn admin_put(&self, path: &str, body: &str) {
        let res = reqwest::blocking::Client::new()
            .put(format!("{}{path}", self.endpoints.http))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .expect("admin call");
        assert!(res.status().is_success(), "PUT {path}: {}", res.status());
    }
}

fn card(
    insurer: &str,
    symbol: Option<&str>,
    number: &str,
    branch: Option<&str>,
    birth: &str,
) -> InsuranceCard {
    InsuranceCard {
        insurer_number: insurer.into(),
        symbol: symbol.map(Into::into),
        number: number.into(),
        branch: branch.map(Into::into),
        birthdate: birth.into(),
    }
}

fn taro() -> InsuranceCard {
    card("06139000", Some("9000"), "10001", Some("01"), "19540326")
}

fn confirmation(client: &mut Client, action: Action) -> Conclusion {
    let reply = client.handle(action);
    assert!(reply.ok, "adapter failed: {:?}", reply.error);
    match reply.outcome {
        Some(Outcome::Confirmation(c)) => c,
        other => panic!("expected a confirmation, got {other:?}"),
    }
}

fn check(
    client: &mut Client,
    card: InsuranceCard,
    consent: bool,
    date: Option<&str>,
) -> Conclusion {
    confirmation(
        client,
        Action::CheckInsuranceCard {
            card,
            limit_consent: consent,
            confirmation_date: date.map(Into::into),
            facility: None,
            result_encoding: None,
        },
    )
}

fn bulk(client: &mut Client, rows: Vec<InsuranceCard>) -> BulkConclusion {
    let reply = client.handle(Action::BulkInquiry {
        rows,
        confirmation_date: Some("20210106".into()),
        facility: None,
    });
    assert!(reply.ok, "adapter failed: {:?}", reply.error);
    match reply.outcome {
        Some(Outcome::Bulk(b)) => b,
        other => panic!("expected a bulk conclusion, got {other:?}"),
    }
}

fn register(client: &mut Client, card: InsuranceCard, number: &str) -> RegistrationConclusion {
    let reply = client.handle(Action::RegisterReferenceNumber {
        card,
        reference_number: number.into(),
        facility: None,
    });
    assert!(reply.ok, "adapter failed: {:?}", reply.error);
    match reply.outcome {
        Some(Outcome::Registration(r)) => r,
        other => panic!("expected a registration, got {other:?}"),
    }
}

#[test]
fn shimbashi_taro_is_valid_over_http_and_the_exchange() {
    let s = Sim::start();
    for transport in [Transport::Http, Transport::Exchange] {
        let mut c = s.client(transport);
        let got = check(&mut c, taro(), false, Some("20210106"));
        assert_eq!(got.validity.as_deref(), Some("有効"), "{transport:?}");
        assert_eq!(got.message.as_deref(), Some(texts::BANNER_VALID));
        assert_eq!(got.error_code, None);
        assert_eq!(got.candidates.len(), 1);
        let p = &got.candidates[0];
        assert_eq!(p.name, "新橋　太郎");
        assert_eq!(p.name_kana.as_deref(), Some("ｼﾝﾊﾞｼ ﾀﾛｳ"));
        assert_eq!(p.insurer_number, "06139000");
        assert_eq!(p.branch.as_deref(), Some("01"));
        assert_eq!(p.birthdate, "19540326");
        assert_eq!(p.sex.as_deref(), Some("男"));
        match transport {
            Transport::Http | Transport::WebApi => assert!(got.files.is_empty()),
            Transport::Exchange => {
                assert_eq!(got.files.len(), 2, "{:?}", got.files);
                assert!(got.files[0].starts_with("req/OQSsiquc01req_"));
                assert!(got.files[1].starts_with("res/OQSsiquc01res_"));
            }
        }
    }
    // What went over the wire: one well-formed request per transport, declared UTF-8, dated.
    let entries = s.journal();
    assert_eq!(entries.len(), 2);
    for e in &entries {
        assert_eq!(e.message, "OQSsiquc01req");
        assert_eq!(e.encoding.as_deref(), Some("UTF-8"));
        assert_eq!(e.error_code, None);
        assert!(e
            .request
            .contains("<QualificationConfirmationDate>20210106<"));
        assert!(e.request.contains("<MedicalInstitutionCode>1234567890<"));
        assert!(e
            .request
            .contains("<LimitApplicationCertificateRelatedConsFlg>0<"));
    }
}

/// A request's own `facility` (the pharmacy profile's 薬局) replaces the `hello` one in every
/// request: MedicalInstitutionCode of 01req, 02req and 照会番号登録, over HTTP and the exchange; the
/// mutant `hello-facility-only` keeps the `hello` one.
#[test]
fn a_request_naming_a_facility_acts_for_it() {
    const PHARMACY: &str = "1341234567";
    let s = Sim::start();
    for transport in [Transport::Http, Transport::Exchange] {
        let mut c = s.client(transport);
        let got = confirmation(
            &mut c,
            Action::CheckInsuranceCard {
                card: taro(),
                limit_consent: false,
                confirmation_date: Some("20210106".into()),
                facility: Some(PHARMACY.into()),
                result_encoding: None,
            },
        );
        assert_eq!(got.validity.as_deref(), Some("有効"), "{transport:?}");
    }
    let mut c = s.client(Transport::Http);
    let reply = c.handle(Action::BulkInquiry {
        rows: vec![taro()],
        confirmation_date: Some("20210106".into()),
        facility: Some(PHARMACY.into()),
    });
    assert!(reply.ok, "{:?}", reply.error);
    let reply = c.handle(Action::RegisterReferenceNumber {
        card: taro(),
        reference_number: "PH-1".into(),
        facility: Some(PHARMACY.into()),
    });
    assert!(reply.ok, "{:?}", reply.error);
    // The number is the pharmacy's: the pharmacy sees it, the hello facility does not.
    let mine = confirmation(
        &mut c,
        Action::CheckInsuranceCard {
            card: taro(),
            limit_consent: false,
            confirmation_date: Some("20210106".into()),
            facility: Some(PHARMACY.into()),
            result_encoding: None,
        },
    );
    assert_eq!(mine.candidates[0].reference_number.as_deref(), Some("PH-1"));
    let clinic = check(&mut c, taro(), false, Some("20210106"));
    assert_eq!(clinic.candidates[0].reference_number, None);
    let entries = s.journal();
    assert!(entries.len() >= 6, "{entries:?}");
    let (pharmacy, hello): (Vec<&JournalEntry>, Vec<&JournalEntry>) = entries
        .iter()
        .partition(|e| e.request.contains("<MedicalInstitutionCode>1341234567<"));
    assert_eq!(
        hello.len(),
        1,
        "only the last check is the hello facility's"
    );
    assert!(hello[0]
        .request
        .contains("<MedicalInstitutionCode>1234567890<"));
    for m in [
        "OQSsiquc01req",
        "OQSmuquc01req",
        "OQSmuquc02req",
        "OQSsiimm01req",
    ] {
        assert!(
            pharmacy.iter().any(|e| e.message == m),
            "{m} for the pharmacy"
        );
    }

    // The mutant ignores the request's facility.
    let mut m = s.mutant(Transport::Http, Some(Mutant::HelloFacilityOnly));
    let before = s.journal().len();
    let _ = confirmation(
        &mut m,
        Action::CheckInsuranceCard {
            card: taro(),
            limit_consent: false,
            confirmation_date: Some("20210106".into()),
            facility: Some(PHARMACY.into()),
            result_encoding: None,
        },
    );
    let sent = &s.journal()[before];
    assert!(sent.request.contains("<MedicalInstitutionCode>1234567890<"));
}

#[test]
fn multiple_matches_offer_every_candidate_and_newer_qualifications_are_named() {
    let s = Sim::start();
    let mut c = s.client(Transport::Http);
    let twins = card("06139000", Some("9000"), "10001", None, "19840401");
    let got = check(&mut c, twins.clone(), false, Some("20210106"));
    assert_eq!(got.validity.as_deref(), Some("複数該当"));
    assert_eq!(got.message.as_deref(), Some(texts::MULTIPLE_MATCHES));
    let offered: Vec<(&str, Option<&str>)> = got
        .candidates
        .iter()
        .map(|p| (p.name.as_str(), p.branch.as_deref()))
        .collect();
    assert_eq!(
        offered,
        vec![("新橋　一郎", Some("03")), ("新橋　二郎", Some("04"))]
    );

    let ichiro = card("06139000", Some("9000"), "10001", Some("03"), "19840401");
    let got = check(&mut c, ichiro, false, Some("20210205"));
    assert_eq!(got.validity.as_deref(), Some("無効（新しい資格あり）"));
    assert_eq!(
        got.message.as_deref(),
        Some(texts::BANNER_INVALID_WITH_NEWER)
    );
    assert_eq!(got.candidates[0].name, "新橋　一郎");

    // The mutants bend exactly these conclusions.
    let mut first = s.mutant(Transport::Http, Some(Mutant::PickFirstCandidate));
    assert_eq!(
        check(&mut first, twins, false, Some("20210106"))
            .candidates
            .len(),
        1
    );
    let mut ignore = s.mutant(Transport::Http, Some(Mutant::IgnoreNewerQualification));
    let ichiro = card("06139000", Some("9000"), "10001", Some("03"), "19840401");
    let got = check(&mut ignore, ichiro, false, Some("20210205"));
    assert_eq!(got.validity.as_deref(), Some("無効"));
}

#[test]
fn six_digit_insurers_go_space_padded_and_japanese_symbols_survive() {
    let s = Sim::start();
    let jurokuro = card("139931", Some("世ん10"), "016", Some("1"), "19721201");
    let mut c = s.client(Transport::Exchange);
    let got = check(&mut c, jurokuro.clone(), false, Some("20210106"));
    assert_eq!(got.validity.as_deref(), Some("有効"));
    assert_eq!(got.candidates[0].name, "資格　十六郎");
    let e = s.journal().pop().expect("journal entry");
    assert!(
        e.request
            .contains("<InsurerNumber>  139931</InsurerNumber>"),
        "{}",
        e.request
    );
    assert!(e
        .request
        .contains("<InsuredBranchNumber>01</InsuredBranchNumber>"));

    for (m, wire) in [
        (
            Mutant::ZeroPadInsurer,
            "<InsurerNumber>00139931</InsurerNumber>",
        ),
        (
            Mutant::UnpaddedInsurer,
            "<InsurerNumber>139931</InsurerNumber>",
        ),
        (
            Mutant::OneDigitBranch,
            "<InsuredBranchNumber>1</InsuredBranchNumber>",
        ),
    ] {
        let mut bad = s.mutant(Transport::Http, Some(m));
        check(&mut bad, jurokuro.clone(), false, Some("20210106"));
        let e = s.journal().pop().expect("journal entry");
        assert!(e.request.contains(wire), "{m}: {}", e.request);
    }
    // Declaring Shift_JIS over UTF-8 bytes does not reach a valid answer.
    let mut bad = s.mutant(Transport::Http, Some(Mutant::WrongEncodingDeclaration));
    let got = check(&mut bad, jurokuro, false, Some("20210106"));
    assert_ne!(got.validity.as_deref(), Some("有効"), "{got:?}");
    let e = s.journal().pop().expect("journal entry");
    assert_eq!(e.encoding.as_deref(), Some("Shift_JIS"));
}

#[test]
fn the_limit_consent_flag_follows_the_patient() {
    let s = Sim::start();
    let gentekii = card("39499912", None, "75302001", None, "19470101");
    let mut c = s.client(Transport::Http);
    let with = check(&mut c, gentekii.clone(), true, Some("20220601"));
    assert_eq!(with.validity.as_deref(), Some("有効"));
    assert!(with.candidates[0].limit_category.is_some(), "{with:?}");
    let without = check(&mut c, gentekii.clone(), false, Some("20220601"));
    assert_eq!(without.candidates[0].limit_category, None);
    let mut drop = s.mutant(Transport::Http, Some(Mutant::DropLimitConsent));
    let dropped = check(&mut drop, gentekii, true, Some("20220601"));
    assert_eq!(dropped.candidates[0].limit_category, None);
}

/// Holds bulk jobs in 待ち until the client has fetched `polls` more times, then lets them run.
fn release_after(s: &Sim, polls: usize) -> std::thread::JoinHandle<usize> {
    let fetches = |sim: &Simulator| {
        sim.journal
            .since(0, 100_000)
            .iter()
            .filter(|e| e.message == "OQSmuquc02req")
            .count()
    };
    s.sim.jobs.set_pacing(sim_server::jobs::Pacing::Hold);
    let sim = s.sim.clone();
    let before = fetches(&sim);
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while fetches(&sim) < before + polls && started.elapsed().as_secs() < 20 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let held = fetches(&sim) - before;
        sim.jobs.set_pacing(sim_server::jobs::Pacing::Instant);
        held
    })
}

#[test]
fn a_bulk_job_is_polled_to_the_end_and_each_row_concluded() {
    let s = Sim::start();
    let hanako = card("06139000", Some("9000"), "10001", Some("02"), "19550118");
    for transport in [Transport::Http, Transport::Exchange] {
        let mut c = s.client(transport);
        let fetched_before = s
            .journal()
            .iter()
            .filter(|e| e.message == "OQSmuquc02req")
            .count();
        // Three fetches answered SegmentOfResult 2 before the job may run.
        let release = release_after(&s, 3);
        let got = bulk(&mut c, vec![taro(), hanako.clone()]);
        assert_eq!(release.join().expect("release"), 3, "{transport:?}");
        assert_eq!(got.status, job_status::INQUIRY_DONE_CHECK, "{transport:?}");
        assert!(got.reception_number.is_some());
        let validities: Vec<_> = got.rows.iter().map(|r| r.validity.as_deref()).collect();
        assert_eq!(validities, vec![Some("有効"), Some("無効")]);
        assert_eq!(got.rows[1].candidates[0].name, "新橋　花子");
        // The three held fetches, then at least one that found the job final; the client
        // returned on SegmentOfResult 1 (the release thread saw exactly three while held).
        let fetched = s
            .journal()
            .iter()
            .filter(|e| e.message == "OQSmuquc02req")
            .count();
        assert!(fetched - fetched_before >= 4, "{transport:?}");
        let done = bulk(&mut c, vec![taro()]);
        assert_eq!(done.status, job_status::INQUIRY_DONE);
        assert_eq!(done.rows.len(), 1);
    }

    let mut stop = s.mutant(Transport::Http, Some(Mutant::StopPollingOnProcessing));
    let release = release_after(&s, 1);
    assert_eq!(
        bulk(&mut stop, vec![taro(), hanako.clone()]).status,
        job_status::INQUIRY_PROCESSING
    );
    assert_eq!(
        release.join().expect("release"),
        1,
        "the mutant fetched once"
    );
    let mut fail = s.mutant(Transport::Http, Some(Mutant::NeedsCheckAsFailure));
    let got = bulk(&mut fail, vec![taro(), hanako]);
    assert_eq!(got.status, job_status::INQUIRY_FAILED_SYSTEM);
    assert!(got.rows.is_empty());
}

#[test]
fn a_failed_bulk_job_shows_its_cause() {
    let s = Sim::start();
    s.admin_put("/__admin/faults/jobs", r#"{"systemError":true}"#);
    let mut c = s.client(Transport::Http);
    let got = bulk(&mut c, vec![taro()]);
    assert_eq!(got.status, job_status::INQUIRY_FAILED_SYSTEM);
    assert!(got.rows.is_empty());
    let mut done = s.mutant(Transport::Http, Some(Mutant::FailureReportedAsDone));
    assert_eq!(
        bulk(&mut done, vec![taro()]).status,
        job_status::INQUIRY_DONE
    );
}

#[test]
fn a_registered_reference_number_shows_in_later_results() {
    let s = Sim::start();
    let mut c = s.client(Transport::Exchange);
    let r = register(&mut c, taro(), "KARTE-0042");
    assert!(r.registered, "{r:?}");
    assert_eq!(
        r.message.as_deref(),
        Some(texts::REFERENCE_NUMBER_REGISTERED)
    );
    let got = check(&mut c, taro(), false, Some("20210106"));
    assert_eq!(
        got.candidates[0].reference_number.as_deref(),
        Some("KARTE-0042")
    );

    let mut drop = s.mutant(Transport::Http, Some(Mutant::DropReferenceNumber));
    let got = check(&mut drop, taro(), false, Some("20210106"));
    assert_eq!(got.candidates[0].reference_number, None);

    let unknown = card("06139000", Some("9000"), "10001", Some("77"), "19540326");
    let r = register(&mut c, unknown, "KARTE-0043");
    assert!(!r.registered);
    assert_eq!(r.error_code.as_deref(), Some("EQ0211"));
    assert!(r
        .message
        .as_deref()
        .unwrap_or_default()
        .starts_with("照会番号を登録する資格情報が見つかりません"));
}

#[test]
fn my_number_cards_with_pin_and_a_locked_pin_is_not_retried() {
    let s = Sim::start();
    s.admin_put("/__admin/terminal/readers/0/card", r#"{"profile":"valid"}"#);
    let mut c = s.client(Transport::Exchange);
    let my_number = |c: &mut Client| {
        confirmation(
            c,
            Action::CheckMyNumberCard {
                reader: 0,
                method: MyNumberMethod::Pin,
                pin: Some("1234".into()),
                limit_consent: false,
                confirmation_date: Some("20210106".into()),
                facility: None,
            },
        )
    };
    let got = my_number(&mut c);
    assert_eq!(got.validity.as_deref(), Some("有効"), "{got:?}");
    assert_eq!(got.message.as_deref(), Some(texts::BANNER_VALID));
    assert_eq!(got.candidates.len(), 1);

    s.admin_put(
        "/__admin/terminal/readers/0/card",
        r#"{"profile":"pin-locked"}"#,
    );
    let terminal_entries = |s: &Sim| {
        s.journal()
            .iter()
            .filter(|e| e.method.as_deref() == Some("暗証番号"))
            .count()
    };
    let before = terminal_entries(&s);
    let got = my_number(&mut c);
    assert_eq!(got.error_code.as_deref(), Some("ERR-13"), "{got:?}");
    let err13 = texts::card_dialog("ERR-13").expect("ERR-13");
    assert_eq!(got.message, Some(err13.shown_message()));
    assert_eq!(terminal_entries(&s) - before, 1, "one PIN entry");

    let mut retry = s.mutant(Transport::Exchange, Some(Mutant::RetryLockedPin));
    let before = terminal_entries(&s);
    my_number(&mut retry);
    assert_eq!(terminal_entries(&s) - before, 2, "the mutant tries again");
}

#[test]
fn dashed_dates_and_the_wall_clock_are_wrong_on_the_wire() {
    let s = Sim::start();
    let mut dashed = s.mutant(Transport::Http, Some(Mutant::DashedDates));
    let got = check(&mut dashed, taro(), false, Some("20210106"));
    assert_eq!(got.validity, None, "{got:?}");
    assert!(got.error_code.is_some());
    let mut wall = s.mutant(Transport::Http, Some(Mutant::WallClockDate));
    check(&mut wall, taro(), false, Some("20210106"));
    let e = s.journal().pop().expect("entry");
    assert!(!e
        .request
        .contains("<QualificationConfirmationDate>20210106<"));
}

#[test]
fn the_binary_speaks_json_lines() {
    use std::io::{BufRead, BufReader, Write};
    let s = Sim::start();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oqs-reference-client"))
        .args(["--transport", "http"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let hello = serde_json::json!({
        "id": 1, "action": "hello", "protocol": "1", "suite": "test",
        "simulator": {"http": s.endpoints.http, "exchange": s.endpoints.exchange, "facility": FACILITY}
    });
    let lines = [
        hello.to_string(),
        "not json".to_owned(),
        r#"{"id":2,"action":"check_insurance_card","card":{"insurer_number":"06139000","symbol":"9000","number":"10001","branch":"1","birthdate":"19540326"},"limit_consent":false,"confirmation_date":"20210106"}"#.to_owned(),
        r#"{"id":3,"action":"shutdown"}"#.to_owned(),
    ];
    let mut replies = Vec::new();
    for line in lines {
        writeln!(stdin, "{line}").expect("write");
        stdin.flush().expect("flush");
        let mut reply = String::new();
        stdout.read_line(&mut reply).expect("reply");
        let v: oqs_adapter_protocol::Reply = serde_json::from_str(&reply).expect("a reply line");
        replies.push(v);
    }
    assert!(matches!(
        &replies[0].outcome,
        Some(Outcome::Hello { transport, .. }) if transport == "http"
    ));
    assert!(!replies[1].ok && replies[1].error.is_some());
    assert_eq!(replies[2].id, 2);
    match &replies[2].outcome {
        Some(Outcome::Confirmation(c)) => {
            assert_eq!(c.validity.as_deref(), Some("有効"));
            assert_eq!(c.candidates[0].name, "新橋　太郎");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(replies[3].outcome, Some(Outcome::Bye));
    assert!(child.wait().expect("exit").success());

    let list = std::process::Command::new(env!("CARGO_BIN_EXE_oqs-reference-client"))
        .arg("--list-mutants")
        .output()
        .expect("list");
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(text.lines().count(), Mutant::ALL.len());
    assert!(text.contains("pick-first-candidate\tCHK-B-001"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_oqs-reference-client"))
        .args(["--mutant", "nope"])
        .output()
        .expect("bad");
    assert_eq!(bad.status.code(), Some(2));
}

//! The confirmation history's stores: the same cases against the in-memory and the SQLite
//! backend (conditions, 2-year window, order, the 10,000 limit), SQLite durability across a
//! reopen, the memory cap, and the CSV bytes in both encodings.

use chrono::{DateTime, FixedOffset};
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::{QualificationResult, SearchInfo};
use sim_server::history::{
    to_csv, ConfirmationKind, CsvEncoding, History, HistoryQuery, HistoryRecord, OverLimit,
    RawQuery, Recorded, SEARCH_LIMIT,
};

const FACILITY: &str = "1234567890";
const OTHER_FACILITY: &str = "9999999999";

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

fn now() -> DateTime<FixedOffset> {
    t("2023-02-16T15:30:00+09:00")
}

fn result(name: &str, number: &str, reference: Option<&str>) -> QualificationResult {
    QualificationResult {
        insured_card_classification: Some("01".into()),
        insurer_number: Some("06139000".into()),
        insured_card_symbol: Some("9000".into()),
        insured_identification_number: Some(number.into()),
        insured_branch_number: Some("01".into()),
        personal_family_classification: Some("1".into()),
        name: Some(name.into()),
        sex1: Some("1".into()),
        birthdate: Some("19540326".into()),
        insurer_name: Some("東京新橋サンプル保険者".into()),
        qualification_date: Some("20200101".into()),
        insured_card_valid_date: Some("20200101".into()),
        insured_partial_contribution_ratio: Some("030".into()),
        insured_name: Some(name.into()),
        post_number: Some("151-1234".into()),
        address: Some("東京都港区〇〇5丁目500-1".into()),
        limit_cons_flg: Some("1".into()),
        reference_number: reference.map(str::to_owned),
        ..QualificationResult::default()
    }
}

fn record(
    facility: &str,
    at: &str,
    kind: ConfirmationKind,
    login: &str,
    name: &str,
    reference: Option<&str>,
) -> HistoryRecord {
    HistoryRecord::from_result(
        Recorded {
            facility,
            at: t(at),
            login_id: login,
            kind,
        },
        QualificationValidity::Valid,
        None,
        &[result(name, "10001", reference)],
        None,
    )
}

fn query(from: &str, to: &str) -> RawQuery {
    RawQuery {
        facility: Some(FACILITY.into()),
        from: Some(from.into()),
        to: Some(to.into()),
        ..RawQuery::default()
    }
}

fn names(h: &History, raw: &RawQuery) -> Vec<String> {
    let q = HistoryQuery::parse(raw).expect("valid query");
    let page = h
        .search(&q, now(), 0, SEARCH_LIMIT)
        .expect("store")
        .expect("within the limit");
    assert_eq!(page.total, page.records.len());
    page.records.into_iter().map(|r| r.name).collect()
}

/// Both backends, fresh: memory, and SQLite in a temporary folder.
fn backends() -> Vec<(&'static str, History, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = History::open(dir.path()).expect("open sqlite");
    vec![
        ("memory", History::in_memory(100_000), None),
        ("sqlite", sqlite, Some(dir)),
    ]
}

/// A small history covering every condition.
fn seed(h: &History) {
    use ConfirmationKind as K;
    let mut rs = vec![
        record(
            FACILITY,
            "2023-02-16T09:00:00.100+09:00",
            K::InsuranceCard,
            "staff11",
            "A 保険証朝",
            None,
        ),
        record(
            FACILITY,
            "2023-02-16T13:33:34.005+09:00",
            K::MyNumberVisual,
            "staff11",
            "B 目視",
            Some("REF-1"),
        ),
        record(
            FACILITY,
            "2023-02-16T13:33:59.999+09:00",
            K::FaceRecognition,
            "face01",
            "C 顔認証",
            None,
        ),
        record(
            FACILITY,
            "2023-02-16T13:34:00.000+09:00",
            K::MyNumberPin,
            "staff12",
            "D 暗証番号",
            Some("REF-1"),
        ),
        record(
            FACILITY,
            "2023-02-16T10:00:00.000+09:00",
            K::Bulk,
            "staff11",
            "E 一括",
            None,
        ),
        record(
            FACILITY,
            "2023-02-16T10:00:00.000+09:00",
            K::SystemOutage,
            "staff11",
            "F 障害時",
            None,
        ),
        record(
            FACILITY,
            "2023-02-15T23:59:59.999+09:00",
            K::FacePin,
            "face01",
            "G 前日",
            None,
        ),
        record(
            OTHER_FACILITY,
            "2023-02-16T11:00:00.000+09:00",
            K::InsuranceCard,
            "staff11",
            "H 他院",
            None,
        ),
        // RULE-57: the window starts at 2021-02-16 15:30 (two years before now).
        record(
            FACILITY,
            "2021-02-16T15:29:59.999+09:00",
            K::InsuranceCard,
            "staff11",
            "I 二年超",
            None,
        ),
        record(
            FACILITY,
            "2021-02-16T15:30:00.000+09:00",
            K::InsuranceCard,
            "staff11",
            "J 二年丁度",
            None,
        ),
    ];
    h.record_many(&mut rs).expect("record");
}

#[test]
fn conditions_order_and_window_are_the_same_in_both_backends() {
    for (backend, h, _dir) in backends() {
        seed(&h);
        let day = query("2023/02/16 00:00", "2023/02/16 24:00");
        // Newest first; equal times in recording order, newest recorded first.
        assert_eq!(
            names(&h, &day),
            [
                "D 暗証番号",
                "C 顔認証",
                "B 目視",
                "F 障害時",
                "E 一括",
                "A 保険証朝"
            ],
            "{backend}: the day, newest first"
        );
        // (至) 13:33 includes that whole minute; (自) is inclusive.
        assert_eq!(
            names(&h, &query("2023/02/16 13:33", "2023/02/16 13:33")),
            ["C 顔認証", "B 目視"],
            "{backend}: one minute"
        );
        let mut k = day.clone();
        k.kind = Some("マイナンバーカード".into());
        assert_eq!(
            names(&h, &k),
            ["D 暗証番号", "C 顔認証", "B 目視"],
            "{backend}"
        );
        k.narrowing = Some("顔認証分を含めない".into());
        assert_eq!(names(&h, &k), ["D 暗証番号", "B 目視"], "{backend}");
        k.narrowing = Some("顔認証端末のみ".into());
        assert_eq!(names(&h, &k), ["C 顔認証"], "{backend}");
        for (kind, expected) in [
            ("被保険者証", "A 保険証朝"),
            ("一括照会", "E 一括"),
            ("障害時", "F 障害時"),
        ] {
            let mut k = day.clone();
            k.kind = Some(kind.into());
            assert_eq!(names(&h, &k), [expected], "{backend}: {kind}");
        }
        let mut k = day.clone();
        k.kind = Some("災害時".into());
        assert!(names(&h, &k).is_empty(), "{backend}");
        let mut l = day.clone();
        l.login_id = Some("staff11".into());
        assert_eq!(
            names(&h, &l),
            ["B 目視", "F 障害時", "E 一括", "A 保険証朝"],
            "{backend}"
        );
        let mut r = day.clone();
        r.reference_number = Some("REF-1".into());
        assert_eq!(names(&h, &r), ["D 暗証番号", "B 目視"], "{backend}");
        r.login_id = Some("staff12".into());
        assert_eq!(names(&h, &r), ["D 暗証番号"], "{backend}");
        // RULE-57: a period reaching further back is cut at now − 2 years, to the millisecond.
        assert_eq!(
            names(&h, &query("2020/01/01 00:00", "2021/12/31 24:00")),
            ["J 二年丁度"],
            "{backend}: the window"
        );
        // Other facilities' records are never seen.
        let mut other = day.clone();
        other.facility = Some(OTHER_FACILITY.into());
        assert_eq!(names(&h, &other), ["H 他院"], "{backend}");
        // Paging: 通番 continues across pages.
        let q = HistoryQuery::parse(&day).expect("query");
        let p2 = h.search(&q, now(), 2, 2).expect("store").expect("limit");
        assert_eq!(p2.total, 6);
        assert_eq!(p2.first_seq, 3);
        let n: Vec<_> = p2.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(n, ["B 目視", "F 障害時"], "{backend}: page 2");
        assert!(
            p2.records.iter().all(|r| r.detail.is_none()),
            "lists carry no detail"
        );
        assert_eq!(h.len().expect("len"), 10);
    }
}

#[test]
fn more_than_10000_hits_is_refused_exactly_10000_is_not() {
    for (backend, h, _dir) in backends() {
        let mut rs: Vec<_> = (0..SEARCH_LIMIT)
            .map(|i| {
                let at = now() - chrono::Duration::seconds(i as i64 + 1);
                let mut r = record(
                    FACILITY,
                    "2023-02-16T00:00:00+09:00",
                    ConfirmationKind::InsuranceCard,
                    "staff11",
                    "x",
                    None,
                );
                r.confirmed_at = at;
                r
            })
            .collect();
        h.record_many(&mut rs).expect("record");
        let q = HistoryQuery::parse(&query("2023/02/01 00:00", "2023/02/16 24:00")).expect("q");
        let page = h
            .search(&q, now(), 0, 100)
            .expect("store")
            .expect("10,000 is allowed");
        assert_eq!(page.total, 10_000, "{backend}");
        assert_eq!(page.records.len(), 100);
        assert!(page.records[0].confirmed_at > page.records[99].confirmed_at);
        h.record(record(
            FACILITY,
            "2023-02-16T12:00:00+09:00",
            ConfirmationKind::InsuranceCard,
            "staff11",
            "one more",
            None,
        ))
        .expect("recorded");
        assert_eq!(
            h.search(&q, now(), 0, 100).expect("store"),
            Err(OverLimit),
            "{backend}: 10,001"
        );
        // A narrower search is fine again.
        let q = HistoryQuery::parse(&query("2023/02/16 12:00", "2023/02/16 12:00")).expect("q");
        let page = h.search(&q, now(), 0, 100).expect("store").expect("one");
        assert_eq!(page.total, 1, "{backend}");
    }
}

#[test]
fn sqlite_history_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first_ids = {
        let h = History::open(dir.path()).expect("open");
        seed(&h);
        let d = h.get(FACILITY, 2, now()).expect("get").expect("record 2");
        assert_eq!(d.name, "B 目視");
        assert!(d.detail.is_some());
        h.len().expect("len")
    };
    assert!(dir.path().join(sim_server::history::SQLITE_FILE).exists());
    let h = History::open(dir.path()).expect("reopen");
    assert_eq!(h.backend(), "sqlite");
    assert_eq!(h.len().expect("len"), first_ids);
    assert_eq!(
        names(&h, &query("2023/02/16 13:33", "2023/02/16 13:33")),
        ["C 顔認証", "B 目視"]
    );
    // New records continue the ids after the reopen.
    let id = h
        .record(record(
            FACILITY,
            "2023-02-16T15:00:00+09:00",
            ConfirmationKind::InsuranceCard,
            "staff11",
            "K 再起動後",
            None,
        ))
        .expect("recorded");
    assert_eq!(id, 11);
    let kept = h
        .get(FACILITY, 2, now())
        .expect("get")
        .expect("record 2 after reopen");
    let memory = History::in_memory(10);
    seed(&memory);
    let same = memory
        .get(FACILITY, 2, now())
        .expect("get")
        .expect("record 2 in memory");
    assert_eq!(
        kept, same,
        "the detail survives the round trip through SQLite unchanged"
    );
}

#[test]
fn moving_to_a_data_dir_keeps_what_memory_had() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = History::default();
    assert_eq!(h.backend(), "memory");
    seed(&h);
    h.use_data_dir(dir.path()).expect("to sqlite");
    assert_eq!(h.backend(), "sqlite");
    assert_eq!(h.len().expect("len"), 10);
    drop(h);
    assert_eq!(
        History::open(dir.path())
            .expect("reopen")
            .len()
            .expect("len"),
        10
    );
}

#[test]
fn memory_keeps_the_newest_records_up_to_its_capacity() {
    let h = History::in_memory(3);
    let mut rs: Vec<_> = ["a", "b", "c", "d", "e"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut r = record(
                FACILITY,
                "2023-02-16T10:00:00+09:00",
                ConfirmationKind::InsuranceCard,
                "staff11",
                n,
                None,
            );
            r.confirmed_at += chrono::Duration::minutes(i as i64);
            r
        })
        .collect();
    h.record_many(&mut rs).expect("record");
    assert_eq!(h.len().expect("len"), 3);
    assert_eq!(
        names(&h, &query("2023/02/16 00:00", "2023/02/16 24:00")),
        ["e", "d", "c"]
    );
    assert!(h.get(FACILITY, 2, now()).expect("get").is_none(), "evicted");
    assert!(h.get(FACILITY, 5, now()).expect("get").is_some());
}

#[test]
fn sqlite_keeps_the_newest_records_up_to_its_capacity_also_after_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let batch = |names: &[&str], first_minute: i64| -> Vec<HistoryRecord> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut r = record(
                    FACILITY,
                    "2023-02-16T10:00:00+09:00",
                    ConfirmationKind::InsuranceCard,
                    "staff11",
                    n,
                    None,
                );
                r.confirmed_at += chrono::Duration::minutes(first_minute + i as i64);
                r
            })
            .collect()
    };
    {
        let h = History::open_with_capacity(dir.path(), 3).expect("open");
        h.record_many(&mut batch(&["a", "b", "c", "d", "e"], 0))
            .expect("record");
        assert_eq!(h.len().expect("len"), 3);
        assert_eq!(
            names(&h, &query("2023/02/16 00:00", "2023/02/16 24:00")),
            ["e", "d", "c"]
        );
        assert!(h.get(FACILITY, 2, now()).expect("get").is_none(), "evicted");
        assert!(h.get(FACILITY, 5, now()).expect("get").is_some());
    }
    let h = History::open_with_capacity(dir.path(), 3).expect("reopen");
    h.record_many(&mut batch(&["f"], 10)).expect("record");
    assert_eq!(h.len().expect("len"), 3);
    assert_eq!(
        names(&h, &query("2023/02/16 00:00", "2023/02/16 24:00")),
        ["f", "e", "d"]
    );
}

#[test]
fn detail_is_the_state_at_the_check_and_absent_for_bulk() {
    let h = History::in_memory(10);
    let mut rs = vec![
        record(
            FACILITY,
            "2023-02-16T13:33:34.005+09:00",
            ConfirmationKind::InsuranceCard,
            "staff11",
            "新橋 太郎",
            Some("REF-9"),
        ),
        record(
            FACILITY,
            "2023-02-16T13:40:00+09:00",
            ConfirmationKind::Bulk,
            "staff11",
            "新橋 太郎",
            None,
        ),
    ];
    h.record_many(&mut rs).expect("record");
    let r = h.get(FACILITY, 1, now()).expect("get").expect("found");
    assert_eq!(r.card, "9000 10001 01");
    assert_eq!(r.birthdate, "1954/03/26");
    assert_eq!(r.sex, "男");
    assert_eq!(r.result, "有効");
    assert_eq!(r.reference_number.as_deref(), Some("REF-9"));
    let d = r.detail.as_ref().expect("detail");
    let shown = serde_json::json!({
        "status": d.status,
        "consent": d.consent_items(),
        "prescription_issue_form": d.prescription_item(),
        "insured": d.insured_items(),
        "qualification": d.qualification_items(),
    });
    insta::assert_snapshot!(
        "history_detail",
        serde_json::to_string_pretty(&shown).expect("json")
    );
    let bulk = h.get(FACILITY, 2, now()).expect("get").expect("found");
    assert!(bulk.detail.is_none(), "RULE-59");
    assert!(!bulk.kind.has_detail());
    // Another facility cannot open it; nor can anyone once it is older than two years.
    assert!(h.get(OTHER_FACILITY, 1, now()).expect("get").is_none());
    assert!(h
        .get(FACILITY, 1, t("2025-02-16T13:33:35+09:00"))
        .expect("get")
        .is_none());
}

#[test]
fn not_found_and_multiple_record_the_searched_card() {
    let searched = SearchInfo {
        insurer_number: Some("  139931".into()),
        insured_card_symbol: Some("ｱｲｳ".into()),
        insured_identification_number: Some("123".into()),
        ..SearchInfo::default()
    };
    let meta = Recorded {
        facility: FACILITY,
        at: now(),
        login_id: "renkei01",
        kind: ConfirmationKind::InsuranceCard,
    };
    let r = HistoryRecord::from_result(
        meta,
        QualificationValidity::NotFound,
        Some(&searched),
        &[],
        None,
    );
    assert_eq!(r.insurer_number, "139931");
    assert_eq!(r.card, "ｱｲｳ 123");
    assert_eq!(r.name, "");
    assert_eq!(r.result, "該当資格なし");
    assert_eq!(
        r.detail.as_ref().map(|d| d.status.as_str()),
        Some("該当資格なし")
    );
    let two = [result("甲", "1", None), result("乙", "2", None)];
    let r = HistoryRecord::from_result(
        meta,
        QualificationValidity::Multiple,
        Some(&searched),
        &two,
        Some("2"),
    );
    assert_eq!(r.result, "複数該当");
    assert_eq!(r.name, "");
    let d = r.detail.expect("detail");
    assert_eq!(d.status, oqs_protocol::texts::MULTIPLE_MATCHES);
    assert_eq!(d.prescription_issue_form, "紙");
    assert_eq!(d.prescription_item().label, "処方箋発行形態選択");
}

fn csv_records() -> Vec<HistoryRecord> {
    use ConfirmationKind as K;
    let mut a = record(
        FACILITY,
        "2021-01-06T13:33:34.005+09:00",
        K::InsuranceCard,
        "staff11",
        "新橋 太郎",
        Some("XYZ010409"),
    );
    a.id = 1;
    let mut b = record(
        FACILITY,
        "2021-01-06T11:02:00+09:00",
        K::MyNumberPin,
        "staff11",
        "𠮷田 \"花子\", 髙橋①",
        None,
    );
    b.id = 2;
    b.sex = "女".into();
    vec![a, b]
}

#[test]
fn csv_utf8_with_bom() {
    let f = to_csv(&csv_records(), 1, CsvEncoding::Utf8Bom);
    assert_eq!(&f.bytes[..3], b"\xEF\xBB\xBF");
    assert_eq!(f.unencodable, 0);
    let text = String::from_utf8(f.bytes[3..].to_vec()).expect("utf-8");
    assert!(text.contains("\r\n"));
    insta::assert_snapshot!("history_csv_utf8", text);
}

#[test]
fn csv_shift_jis_keeps_unencodable_characters_as_references() {
    let f = to_csv(&csv_records(), 1, CsvEncoding::ShiftJis);
    // 𠮷 (U+20BB7) is not in Shift_JIS: written as &#134071; and counted, not lost.
    assert_eq!(f.unencodable, 1);
    let (text, _, malformed) = encoding_rs::SHIFT_JIS.decode(&f.bytes);
    assert!(!malformed, "valid Shift_JIS");
    assert!(text.contains("&#134071;田 \"\"花子\"\", 髙橋①"), "{text}");
    // Everything else is the same text as the UTF-8 file.
    let utf8 = to_csv(&csv_records(), 1, CsvEncoding::Utf8Bom);
    let utf8 = String::from_utf8(utf8.bytes[3..].to_vec()).expect("utf-8");
    assert_eq!(text.replace("&#134071;", "𠮷"), utf8);
    // Header bytes: 「通番」 in Shift_JIS is 92 CA 94 D4.
    assert_eq!(&f.bytes[..6], b"\"\x92\xca\x94\xd4\"");
    let hex: Vec<String> = f
        .bytes
        .chunks(32)
        .map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect();
    insta::assert_snapshot!("history_csv_shift_jis_hex", hex.join("\n"));
}

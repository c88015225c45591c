//! Confirmation-history (資格確認履歴) searches over 1,000,000 records, SQLite and in memory.
//!
//! The history: 10 facilities × 100,000 records spread evenly over the last two years (about
//! 137 checks a day per facility), mixed 資格確認区分 and login ids, seeded and deterministic.
//!
//! - `history_search/<backend>/day`: one facility, one day, 全て, first page of 100 (≈137 hits).
//! - `…/month_login`: one facility, 30 days, マイナンバーカード + 顔認証分を含めない + one login id.
//! - `…/download_10000`: one facility, the ≈73 days that hold just under 10,000 hits, all rows
//!   fetched (what 《ダウンロード》 reads).
//! - `…/over_limit`: one facility, two years (100,000 hits) → ERR-23; counting stops at 10,001.
//! - `history_record/<backend>/bulk_10000`: recording a 10,000-row bulk job (one transaction).
//!
//! Run: `cargo bench -p oqs-benches --bench history -- --warm-up-time 1 --measurement-time 3`.
//! Under `cargo test --benches` (no `--bench` argument) the history holds 10,000 records.

use chrono::{DateTime, Duration, FixedOffset};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sim_server::history::{
    ConfirmationKind, History, HistoryQuery, HistoryRecord, OverLimit, RawQuery, SEARCH_LIMIT,
};
use std::hint::black_box;

const FACILITIES: usize = 10;
const TWO_YEARS_MS: i64 = 730 * 24 * 3600 * 1000;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2023-02-16T15:30:00+09:00").expect("valid timestamp")
}

fn records() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        10_000
    }
}

fn facility(i: usize) -> String {
    format!("{:010}", 1_234_567_000 + i)
}

const KINDS: [ConfirmationKind; 6] = [
    ConfirmationKind::InsuranceCard,
    ConfirmationKind::MyNumberVisual,
    ConfirmationKind::MyNumberPin,
    ConfirmationKind::FaceRecognition,
    ConfirmationKind::FacePin,
    ConfirmationKind::Bulk,
];

/// Record `i` of `n`: facility `i % 10`, times evenly spread over two years (newest last).
fn record(i: usize, n: usize) -> HistoryRecord {
    let offset = TWO_YEARS_MS - (i as i64) * (TWO_YEARS_MS / n as i64);
    let kind = KINDS[(i * 7) % KINDS.len()];
    HistoryRecord {
        id: 0,
        facility: facility(i % FACILITIES),
        confirmed_at: now() - Duration::milliseconds(offset),
        login_id: format!("staff{:02}", (i / FACILITIES) % 20),
        reference_number: i.is_multiple_of(5).then(|| format!("REF{i:07}")),
        kind,
        result: "有効".into(),
        insurer_number: "06139000".into(),
        card: format!("9000 {:05} 01", i % 100_000),
        name: format!("合成 {i:07}"),
        sex: if i.is_multiple_of(2) { "男" } else { "女" }.into(),
        birthdate: "1980/04/01".into(),
        detail: None,
    }
}

fn fill(h: &History, n: usize) {
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        batch.push(record(i, n));
        if batch.len() == 10_000 {
            h.record_many(&mut batch).expect("recorded");
            batch.clear();
        }
    }
    h.record_many(&mut batch).expect("recorded");
}

fn query(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> RawQuery {
    RawQuery {
        facility: Some(facility(3)),
        from: Some(from.format("%Y/%m/%d %H:%M").to_string()),
        to: Some(to.format("%Y/%m/%d %H:%M").to_string()),
        ..RawQuery::default()
    }
}

fn bench_backend(c: &mut Criterion, name: &str, h: &History, n: usize) {
    let per_day = n as f64 / FACILITIES as f64 / 730.0;
    let day = HistoryQuery::parse(&query(now() - Duration::days(1), now())).expect("query");
    let mut month = query(now() - Duration::days(30), now());
    month.kind = Some("マイナンバーカード".into());
    month.narrowing = Some("顔認証分を含めない".into());
    month.login_id = Some("staff07".into());
    let month = HistoryQuery::parse(&month).expect("query");
    // Just under 10,000 hits of one facility.
    let days = ((SEARCH_LIMIT as f64 * 0.98) / per_day).floor() as i64;
    let download = HistoryQuery::parse(&query(now() - Duration::days(days), now())).expect("query");
    let over = HistoryQuery::parse(&query(now() - Duration::days(800), now())).expect("query");

    let hits = |q: &HistoryQuery| h.search(q, now(), 0, SEARCH_LIMIT).expect("store");
    let d = hits(&download).map(|p| p.total);
    println!(
        "{name}: {} records; day hits {:?}, month_login hits {:?}, download hits {d:?}, over {:?}",
        h.len().expect("len"),
        hits(&day).map(|p| p.total),
        hits(&month).map(|p| p.total),
        hits(&over).map(|p| p.total),
    );
    if n >= 1_000_000 {
        assert!(
            matches!(d, Ok(t) if t > 9_000 && t <= SEARCH_LIMIT),
            "{d:?}"
        );
        assert_eq!(hits(&over), Err(OverLimit));
    }

    let mut g = c.benchmark_group(format!("history_search/{name}"));
    g.sample_size(20);
    g.bench_function("day", |b| {
        b.iter(|| black_box(h.search(&day, now(), 0, 100).expect("store")))
    });
    g.bench_function("month_login", |b| {
        b.iter(|| black_box(h.search(&month, now(), 0, 100).expect("store")))
    });
    g.bench_function("download_10000", |b| {
        b.iter(|| black_box(h.search(&download, now(), 0, SEARCH_LIMIT).expect("store")))
    });
    g.bench_function("over_limit", |b| {
        b.iter(|| black_box(h.search(&over, now(), 0, 100).expect("store")))
    });
    g.finish();
}

fn bulk_rows() -> Vec<HistoryRecord> {
    (0..10_000)
        .map(|i| {
            let mut r = record(i, 10_000);
            r.kind = ConfirmationKind::Bulk;
            r.confirmed_at = now();
            r
        })
        .collect()
}

/// Resident memory of this process in bytes (Linux), for the in-memory store's footprint.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn searches(c: &mut Criterion) {
    let n = records();
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = History::open(dir.path()).expect("sqlite");
    let t = std::time::Instant::now();
    fill(&sqlite, n);
    let size: u64 = std::fs::read_dir(dir.path())
        .map(|d| {
            d.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "sqlite: {n} records written in {:.1?}; files {} MB",
        t.elapsed(),
        size / 1_000_000
    );
    bench_backend(c, "sqlite", &sqlite, n);
    drop(sqlite);

    let before = rss_bytes();
    let memory = History::in_memory(n);
    let t = std::time::Instant::now();
    fill(&memory, n);
    let grown = rss_bytes().zip(before).map(|(a, b)| a.saturating_sub(b));
    println!(
        "memory: {n} records kept in {:.1?}; RSS growth {:?} MB ({:?} bytes/record)",
        t.elapsed(),
        grown.map(|g| g / 1_000_000),
        grown.map(|g| g / n as u64)
    );
    bench_backend(c, "memory", &memory, n);
    drop(memory);

    let mut g = c.benchmark_group("history_record");
    g.sample_size(10);
    g.bench_function("memory/bulk_10000", |b| {
        b.iter_batched(
            || (History::in_memory(100_000), bulk_rows()),
            |(h, mut rows)| {
                h.record_many(&mut rows).expect("recorded");
                h
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("sqlite/bulk_10000", |b| {
        b.iter_batched(
            || {
                let d = tempfile::tempdir().expect("tempdir");
                let h = History::open(d.path()).expect("sqlite");
                (d, h, bulk_rows())
            },
            |(d, h, mut rows)| {
                h.record_many(&mut rows).expect("recorded");
                (d, h)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, searches);
criterion_main!(benches);

//! The tray's page (maud, compiled in; CSS embedded, no script). Its look — dark, with a
//! striped 「シミュレーター」 banner — is deliberately unlike the OQS screens.

use super::exercises::{
    screen_path, Exercise, DIALOGS, FACE_FLOWS, FLOWS, OTHER_FLOWS, VISITING_FLOWS,
};
use super::{done_message, Shown};
use crate::simulator::Simulator;
use crate::terminal::{
    Confirmation, FaceMode, Fault, PrescriptionUsage, ReaderKind, ReaderSummary, TerminalSettings,
    TOPOLOGIES,
};
use crate::ways_in::admin_guard::TrayAccess;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use oqs_protocol::texts;

const CSS: &str = include_str!("tray.css");

/// Persons offered for the card holder (the datalist; any key of the population is accepted).
const LISTED_PERSONS: usize = 300;

/// Everything the page shows, read from the services.
pub struct View {
    csrf: String,
    readers: Vec<ReaderSummary>,
    profiles: Vec<(String, &'static str)>,
    persons: Vec<(String, String)>,
    terminal_fault: Option<Fault>,
    exchange_fault: serde_json::Value,
    error_keys: Vec<String>,
    jobs_fault: bool,
    /// システム障害 (ENV-15) is on.
    outage: bool,
    pacing: String,
    clock_now: String,
    clock_mode: &'static str,
    population: (usize, usize),
    settings: TerminalSettings,
    /// ENV-04 / ENV-05 (the pharmacy's).
    pharmacy: oqs_domain::prescription::PharmacySettings,
    done: Option<&'static str>,
    prepared: Option<&'static Exercise>,
    outcome: Option<Confirmation>,
    error: Option<String>,
}

impl View {
    pub fn new(sim: &Simulator, access: &TrayAccess, shown: &Shown, error: Option<String>) -> View {
        let t = &sim.terminal;
        let profiles = t
            .issuer()
            .map(|i| i.profiles())
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let d = virtual_card::Profile::from_name(&p).map_or("", |p| p.description_ja());
                (p, d)
            })
            .collect();
        let pop = sim.population();
        let persons = (0..pop.person_count().min(LISTED_PERSONS))
            .filter_map(|i| u32::try_from(i).ok())
            .map(|i| pop.person(i))
            .filter(|p| !p.key.is_empty())
            .map(|p| (p.key.to_string(), p.name.to_string()))
            .collect();
        View {
            csrf: access.csrf().to_owned(),
            readers: t.readers(),
            profiles,
            persons,
            terminal_fault: t.fault(),
            exchange_fault: sim.exchange_faults.get().to_json(),
            error_keys: sim
                .error_table()
                .rows()
                .map(|(k, _)| k.key().to_owned())
                .collect(),
            jobs_fault: sim.jobs.system_fault(),
            outage: sim.outage.active(),
            pacing: sim.jobs.settings().pacing.describe(),
            clock_now: sim.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            clock_mode: sim.clock.mode_name(),
            population: (pop.person_count(), pop.qualification_count()),
            settings: t.settings(),
            pharmacy: sim.pharmacy.settings(),
            done: shown.done.as_deref().and_then(done_message),
            prepared: shown.exercise.as_deref().and_then(super::exercises::find),
            outcome: shown.confirmation.and_then(|id| t.confirmation(id)),
            error,
        }
    }
}

fn frame(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.banner role="banner" {
                    div.stripes aria-hidden="true" {}
                    h1 { "シミュレーター操作トレイ" }
                    p.not-oqs {
                        "これはシミュレーターの道具です。オンライン資格確認等システムの画面ではありません。"
                        span lang="en" { " — the simulator's own tool, not part of OQS." }
                    }
                }
                main { (body) }
            }
        }
    }
}

fn csrf(view_csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(view_csrf); }
}

/// The page shown while an admin token is set and this browser has not unlocked the tray.
pub fn unlock(access: &TrayAccess, error: Option<&str>) -> Markup {
    frame(
        "シミュレーター操作トレイ（ロック中）",
        html! {
            section.panel {
                h2 { "トレイのロック解除" }
                p { "このシミュレーターは管理トークン（--admin-token）で保護されています。トークンを入力してください。" }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/__tray/unlock" {
                    (csrf(access.csrf()))
                    label { "管理トークン " input type="password" name="token" autocomplete="off" autofocus; }
                    " "
                    button type="submit" { "ロック解除" }
                }
            }
        },
    )
}

fn mode_label(m: FaceMode) -> &'static str {
    match m {
        FaceMode::Unattended => "無人運転",
        FaceMode::PinOnly => "暗証番号認証固定",
        FaceMode::Visual => "目視確認",
    }
}

fn fault_label(f: &Option<Fault>) -> String {
    match f {
        None => "なし".into(),
        Some(Fault::CertificateInternalError) => "証明書認証の内部エラー（ERR-07）".into(),
        Some(Fault::AuthenticationError { code }) => format!(
            "認証エラー（ERR-14, code:{}）",
            code.as_deref().unwrap_or("fxxxxxx1")
        ),
        Some(Fault::ReadFailure) => "読み取り失敗（ERR-10 / ERR-26）".into(),
    }
}

fn outcome(c: &Confirmation) -> Markup {
    html! {
        section.panel.outcome id="outcome" aria-live="polite" {
            h2 { "顔認証付きカードリーダーの確認結果（確認 " (c.id) "）" }
            p { "方法: " (c.method.label()) " / リーダー: " (c.reader.as_deref().unwrap_or("—")) }
            @if let Some(d) = &c.notice { (dialog_box(d)) }
            @if let Some(d) = &c.dialog {
                (dialog_box(d))
            } @else if let Some(v) = c.validity() {
                p.banner-text { (texts::banner(v).unwrap_or("")) }
                @if c.reader_kind == Some(ReaderKind::Face) && c.notice.is_none() {
                    p { (texts::DLG_28.id) "「" (texts::DLG_28.lines.join("")) "」" }
                }
            }
            @if let Some(f) = &c.face_file { p { "face/ に " code { (f) } " を書きました。" } }
        }
    }
}

fn dialog_box(d: &crate::terminal::Dialog) -> Markup {
    html! {
        div.dialog {
            p.dialog-id { (d.err.as_deref().unwrap_or("（シミュレーター独自）")) }
            @if let Some(t) = &d.title { p.dialog-title { (t) } }
            p.dialog-message { (d.message) }
        }
    }
}

/// The topology name the readers match, if any.
fn current_topology(readers: &[ReaderSummary]) -> Option<&'static str> {
    let generic = readers
        .iter()
        .filter(|r| r.kind == ReaderKind::Generic)
        .count();
    let face = readers.len() - generic;
    Some(match (generic, face) {
        (0, 0) => "none",
        (1, 0) => "generic",
        (1, 1) => "generic+face",
        (2, 0) => "generic*2",
        (0, 1) => "face",
        (0, 2) => "face*2",
        _ => return None,
    })
}

fn readers(v: &View) -> Markup {
    let current = current_topology(&v.readers);
    html! {
        section.panel id="readers" {
            h2 { "カードリーダーとカード" }
            form.inline method="post" action="/__tray/topology" {
                (csrf(&v.csrf))
                label { "構成 "
                    select name="topology" {
                        @for t in TOPOLOGIES { option value=(t) selected[current == Some(t)] { (t) } }
                    }
                }
                " " button type="submit" { "構成を変更" }
                span.hint { " 構成を変えるとカードは取り出されます。" }
            }
            @if v.readers.is_empty() {
                p.empty { "カードリーダーは接続されていません（SCR-08 で ERR-09）。" }
            }
            table.readers {
                thead { tr { th { "#" } th { "種類 / 名前" } th { "カード" } th { "カードを置く" } th { "顔認証付き: モード・名称" } } }
                tbody {
                    @for r in &v.readers {
                        tr {
                            td { (r.index) }
                            td {
                                (match r.kind { ReaderKind::Generic => "汎用カードリーダー", ReaderKind::Face => "顔認証付きカードリーダー" })
                                br; small { (r.name) }
                            }
                            td {
                                @match &r.card {
                                    Some(p) => {
                                        strong { (p) }
                                        form.inline method="post" action={"/__tray/readers/" (r.index) "/remove"} {
                                            (csrf(&v.csrf))
                                            " " button type="submit" { "取り出す" }
                                        }
                                    }
                                    None => { span.empty { "なし" } }
                                }
                            }
                            td {
                                form method="post" action={"/__tray/readers/" (r.index) "/card"} {
                                    (csrf(&v.csrf))
                                    label { "カード "
                                        select name="profile" {
                                            @for (p, d) in &v.profiles { option value=(p) { (p) " — " (d) } }
                                        }
                                    }
                                    br;
                                    label { "持ち主（任意） " input type="text" name="person" list="persons" size="16" placeholder="kouki-jiro"; }
                                    @if r.kind == ReaderKind::Face {
                                        " " label { "暗証番号（任意） " input type="password" name="pin" size="4" inputmode="numeric" autocomplete="off"; }
                                    }
                                    " " button type="submit" { "カードを置く" }
                                }
                            }
                            td {
                                @if let Some(m) = r.mode {
                                    form.inline method="post" action={"/__tray/readers/" (r.index) "/mode"} {
                                        (csrf(&v.csrf))
                                        select name="mode" aria-label="モード" {
                                            @for x in [FaceMode::Unattended, FaceMode::PinOnly, FaceMode::Visual] {
                                                option value=(mode_label(x)) selected[x == m] { (mode_label(x)) }
                                            }
                                        }
                                        " " button type="submit" { "変更" }
                                    }
                                    form method="post" action={"/__tray/readers/" (r.index) "/face"} {
                                        (csrf(&v.csrf))
                                        label { "日本語名称 " input type="text" name="label" size="10" maxlength="32" value=(r.label.as_deref().unwrap_or("")); }
                                        br;
                                        label { input type="checkbox" name="set_up" checked[r.set_up != Some(false)]; " セットアップ済み" }
                                        " " button type="submit" { "設定" }
                                    }
                                    small { "電子処方箋関連画面: " (if r.prescription_screens == Some(false) { "表示しない" } else { "表示する" }) }
                                } @else { "—" }
                            }
                        }
                    }
                }
            }
            datalist id="persons" {
                @for (k, n) in &v.persons { option value=(k) { (n) } }
            }
        }
    }
}

fn faults(v: &View) -> Markup {
    let reject = v.exchange_fault["reject"].as_str().unwrap_or("");
    let partial = v.exchange_fault["partial_write_ms"]
        .as_u64()
        .map(|n| n.to_string())
        .unwrap_or_default();
    html! {
        section.panel id="faults" {
            h2 { "故障の注入" }
            form method="post" action="/__tray/faults/terminal" {
                (csrf(&v.csrf))
                p { "端末（マイナンバーカード）: 現在 " strong { (fault_label(&v.terminal_fault)) } }
                label { "故障 "
                    select name="kind" {
                        option value="" { "なし（解除）" }
                        option value="certificate-internal-error" { "証明書認証の内部エラー（ERR-07）" }
                        option value="authentication-error" { "認証エラー（ERR-14）" }
                        option value="read-failure" { "読み取り失敗（ERR-10 / ERR-26）" }
                    }
                }
                " " label { "code " input #fault-code type="text" name="code" size="10" placeholder="fxxxxxx1"; }
                " " button type="submit" { "設定" }
            }
            form method="post" action="/__tray/faults/exchange" {
                (csrf(&v.csrf))
                p { "ファイル連携（req/ → res/）: 現在 "
                    strong { @if reject.is_empty() && partial.is_empty() { "なし" } @else { (reject) " " (partial) } } }
                label { "拒否（.err） "
                    select name="reject" {
                        option value="" selected[reject.is_empty()] { "しない" }
                        @for k in &v.error_keys { option value=(k) selected[k == reject] { (k) } }
                    }
                }
                " " label { "途中書き（ms, ≤ 10000） " input type="number" name="partial_write_ms" min="0" max="10000" value=(partial) size="6"; }
                " " button type="submit" { "設定" }
            }
            form method="post" action="/__tray/faults/jobs" {
                (csrf(&v.csrf))
                p { "一括処理（JOB-01/02）: 現在 " strong { @if v.jobs_fault { "システムエラー" } @else { "なし" } } }
                label { input type="checkbox" name="system_error" checked[v.jobs_fault]; " ジョブをシステムエラーで終える" }
                " " button type="submit" { "設定" }
            }
            form method="post" action="/__tray/faults/outage" {
                (csrf(&v.csrf))
                p { "システム障害（ENV-15, FLOW-45）: 現在 " strong { @if v.outage { "障害中" } @else { "なし" } } }
                button type="submit" name="action" value="start" { "障害を起こす" }
                " " button type="submit" name="action" value="recover" { "復旧" }
                span.hint { " 復旧すると後確認（RULE-92）の期間が始まります。" }
            }
            form method="post" action="/__tray/pacing" {
                (csrf(&v.csrf))
                label { "一括処理の進み方 " input type="text" name="pacing" value=(v.pacing) size="10"; }
                span.hint { " instant / hold / 50ms/row / 2s/job " }
                button type="submit" { "変更" }
            }
        }
    }
}

fn clock(v: &View) -> Markup {
    html! {
        section.panel id="clock" {
            h2 { "時計" }
            p { "現在 " strong { (v.clock_now) } "（JST, " (v.clock_mode) "）" }
            form method="post" action="/__tray/clock" {
                (csrf(&v.csrf))
                label { "日時 " input type="datetime-local" name="now" step="1" value=(v.clock_now); }
                " " label { input type="checkbox" name="advance"; " 設定した時刻から進める" }
                " " button type="submit" name="action" value="set" { "設定" }
                " " button type="submit" name="action" value="freeze" { "今の時刻で止める" }
                " " button type="submit" name="action" value="system" { "実時間に戻す" }
            }
        }
    }
}

fn settings(v: &View) -> Markup {
    let s = &v.settings;
    let usages = [
        (PrescriptionUsage::NotUsed, "利用しない"),
        (PrescriptionUsage::Both, "電子処方箋＋紙の処方箋併用"),
        (PrescriptionUsage::ElectronicOnly, "電子処方箋のみ"),
        (PrescriptionUsage::PaperOnly, "紙の処方箋のみ"),
    ];
    html! {
        section.panel id="settings" {
            h2 { "施設・端末の設定（ENV）" }
            form method="post" action="/__tray/settings" {
                (csrf(&v.csrf))
                label { "医療機関コード " input type="text" name="facility" value=(s.facility) size="10" maxlength="10" inputmode="numeric"; }
                br;
                label { input type="checkbox" name="consent_usage" checked[s.consent_usage]; " ENV-01 閲覧同意の利用有無: 利用する" }
                br;
                label { "ENV-02 電子処方箋利用区分 "
                    select name="prescription_usage" {
                        @for (u, l) in usages { option value=(l) selected[s.prescription_usage == u] { (l) } }
                    }
                }
                br;
                label { input type="checkbox" name="prescription_at_check" checked[s.prescription_at_check]; " ENV-03 発行形態選択タイミング: 資格確認時に確認する" }
                br;
                label { input type="checkbox" name="reader_software" checked[s.reader_software]; " ENV-08 本人認証用カードリーダーソフト導入済み" }
                br;
                label { input type="checkbox" name="prescription_reader_software" checked[s.prescription_reader_software]; " ENV-09 電子処方箋対応版の本人認証用カードリーダーソフト導入済み" }
                br;
                label { input type="checkbox" name="e_prescription" checked[v.pharmacy.e_prescription]; " ENV-04 電子処方箋（薬局）: 利用する（《処方箋取得へ》, RULE-25）" }
                br;
                label { input type="checkbox" name="refill" checked[v.pharmacy.refill]; " ENV-05 リフィル処方箋: 利用する（RULE-26）" }
                br;
                button type="submit" { "設定" }
            }
        }
    }
}

fn resets(v: &View) -> Markup {
    html! {
        section.panel id="reset" {
            h2 { "初期化" }
            p { "人口: " (v.population.0) " 人, 資格 " (v.population.1) " 件" }
            p.hint { "「人口・アカウントを初期化」はアカウント（ロック、変更したパスワード、有効期限）も起動時に戻し、ログイン中の画面はすべてログアウトします。" }
            form.inline method="post" action="/__tray/reset" {
                (csrf(&v.csrf))
                button type="submit" name="what" value="population" { "人口・アカウントを初期化" }
                " " button type="submit" name="what" value="terminal" { "端末を初期化" }
                " " button type="submit" name="what" value="all" { "すべて初期化（故障も解除）" }
            }
        }
    }
}

fn exercise_table(v: &View, id: &str, title: &str, rows: &[Exercise]) -> Markup {
    html! {
        section.panel id=(id) {
            h2 { (title) }
            table.exercises {
                thead { tr { th { "ID" } th { "名前" } th { "マニュアル" } th { "画面" } th { "やり方" } th { "" } } }
                tbody {
                    @for e in rows {
                        tr id=(e.id) {
                            td { code { (e.id) } }
                            td { (e.title) }
                            td { (e.section) }
                            td {
                                @match screen_path(e.screen) {
                                    // One named window for the OQS screens beside the tray.
                                    Some(p) => { a href=(p) target="oqs" { (e.screen) " を開く" } }
                                    None => { span.empty title="この画面はまだありません: 機械向けのルートで試せます" { (e.screen) "（未実装）" } }
                                }
                            }
                            td { (e.how) }
                            td {
                                @if e.preset.is_some() {
                                    form.inline method="post" action="/__tray/exercise" {
                                        (csrf(&v.csrf))
                                        input type="hidden" name="id" value=(e.id);
                                        button type="submit" aria-label={(e.id) " の準備"} { "準備" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The exercise just prepared: what to do next, and its screen.
fn prepared(e: &Exercise) -> Markup {
    html! {
        section.panel.prepared id="prepared" aria-live="polite" {
            h2 { (e.id) " " (e.title) " の準備ができました" }
            p { (e.how) }
            @if let Some(p) = screen_path(e.screen) {
                p { a href=(p) target="oqs" { (e.screen) " を開く" } }
            }
        }
    }
}

fn samples() -> Markup {
    html! {
        section.panel id="samples" {
            h2 { "サンプルファイル（一括照会・照会番号一括登録）" }
            ul {
                @for (name, what) in super::samples::SAMPLES {
                    li { a href={ "/__tray/samples/" (name) } download=(name) { (name) } " — " (what) }
                }
            }
        }
    }
}

/// The tray.
pub fn tray(v: &View) -> Markup {
    frame(
        "シミュレーター操作トレイ",
        html! {
            nav.jump aria-label="トレイ内の移動" {
                a href="#readers" { "リーダー" } " · " a href="#faults" { "故障" } " · "
                a href="#clock" { "時計" } " · " a href="#reset" { "初期化" } " · "
                a href="#flows" { "練習（FLOW）" } " · " a href="#dialogs" { "エラー再現（ERR）" } " · "
                a href="#face-flows" { "顔認証付き" } " · " a href="#visiting-flows" { "訪問診療等" } " · " a href="#settings" { "施設の設定" } " · "
                a href="/" { "OQS 画面へ" }
            }
            @if let Some(d) = v.done { p.done role="status" { (d) } }
            @if let Some(e) = v.prepared { (prepared(e)) }
            @if let Some(e) = &v.error { p.error role="alert" { "できませんでした: " (e) } }
            @if let Some(c) = &v.outcome { (outcome(c)) }
            div.columns {
                (readers(v))
                div {
                    (clock(v))
                    (resets(v))
                }
            }
            (faults(v))
            (settings(v))
            (samples())
            (exercise_table(v, "flows", "練習一覧（FLOW-01〜29）", FLOWS))
            (exercise_table(v, "dialogs", "エラーの再現（ERR）", DIALOGS))
            (exercise_table(v, "face-flows", "顔認証付きカードリーダー（FLOW-38〜42, ERR-29）", FACE_FLOWS))
            (exercise_table(v, "visiting-flows", "訪問診療等・オンライン診療等（第3章）", VISITING_FLOWS))
            (exercise_table(v, "other-flows", "委託先資格情報一括取得・保管調剤結果一括取得・システム障害（第6章、第11章、第12章）", OTHER_FLOWS))
        },
    )
}

//! The tray's exercise list: every flow of the manual's catalogue up to FLOW-29 with its manual
//! section and how to run it, and every dialog (ERR-…) with how to reproduce it. A row with a
//! [`Setup`] is prepared in one click (《準備》, `super::presets`): readers, cards and faults on
//! the terminal ([`Preset`]), or an account, the clock, the history or the stored dispensing
//! results put into the state the dialog needs.

use crate::terminal::{FaceMode, Fault};

/// What one click of 《準備》 puts on the terminal: a reader topology (cards removed), the
/// face readers' mode, cards on readers and a terminal fault (any other fault is cleared).
#[derive(Debug)]
pub struct Preset {
    /// A name of [`crate::terminal::TOPOLOGIES`].
    pub topology: &'static str,
    /// Mode of every face reader (before any card is put on one).
    pub face_mode: Option<FaceMode>,
    /// (reader index, card profile).
    pub cards: &'static [(usize, &'static str)],
    /// The holder of those cards, when not the profile's own person.
    pub person: Option<&'static str>,
    pub fault: Option<Fault>,
}

/// What one click of 《準備》 does; each goes through the service that owns the state.
#[derive(Debug)]
pub enum Setup {
    /// Readers, cards, mode and fault on the terminal.
    Terminal(Preset),
    /// ERR-01: the account back to its fixture state, then locked as 5 wrong passwords in a row
    /// lock it (AUTH-03).
    LockedAccount(&'static str),
    /// ERR-03 / FLOW-05: the account back to its fixture state (its initial password, AUTH-11).
    FixtureAccount(&'static str),
    /// ERR-02: the account back to its fixture state; if its password has not expired on the
    /// clock yet, the clock moves to the moment it does (AUTH-10).
    ExpiredPassword(&'static str),
    /// ERR-04 (AUTH-13): the clock moves on by the idle timeout (30 minutes).
    IdleTimeout,
    /// ERR-04 (AUTH-14): the account logs in again elsewhere; its open sessions end.
    LoggedInElsewhere(&'static str),
    /// ERR-23 / ERR-24 (RULE-58): the facility's 資格確認履歴 gets more records than SCR-19
    /// shows, from bulk inquiries (JOB-01) of the facility answered by the job engine.
    HistoryOverLimit(&'static str),
    /// The clock frozen at an RFC 3339 instant (a day the sample data needs, e.g. 医療券 of
    /// 令和5年9月 for SCR-29).
    ClockAt(&'static str),
    /// FLOW-45 (ENV-15): システム障害 begins, as `PUT /__admin/faults/outage`.
    Outage,
    /// ERR-30 (RULE-71): the pharmacy has already requested this period today (JOB-05).
    DispensingRequested {
        pharmacy: &'static str,
        /// `yyyy/mm/dd`, as typed on SCR-33.
        start: &'static str,
        end: &'static str,
    },
}

/// One row of the list.
#[derive(Debug)]
pub struct Exercise {
    pub id: &'static str,
    pub title: &'static str,
    /// Where the manual describes it.
    pub section: &'static str,
    /// The operator screen it starts on (catalogue id); the tray links it once it exists.
    pub screen: &'static str,
    /// How to run it (which card on which reader, which fault, which screen).
    pub how: &'static str,
    pub preset: Option<Setup>,
}

const fn generic(cards: &'static [(usize, &'static str)], fault: Option<Fault>) -> Option<Setup> {
    Some(Setup::Terminal(Preset {
        topology: "generic",
        face_mode: None,
        cards,
        person: None,
        fault,
    }))
}

const fn topology(name: &'static str) -> Option<Setup> {
    Some(Setup::Terminal(Preset {
        topology: name,
        face_mode: None,
        cards: &[],
        person: None,
        fault: None,
    }))
}

const fn face(mode: FaceMode, cards: &'static [(usize, &'static str)]) -> Option<Setup> {
    Some(Setup::Terminal(Preset {
        topology: "face",
        face_mode: Some(mode),
        cards,
        person: None,
        fault: None,
    }))
}

/// A 被保護者's medical-assistance card on the generic reader (ch.6).
const fn assistance(person: &'static str) -> Option<Setup> {
    Some(Setup::Terminal(Preset {
        topology: "generic",
        face_mode: None,
        cards: &[(0, "medical-assistance")],
        person: Some(person),
        fault: None,
    }))
}

const VALID: &[(usize, &str)] = &[(0, "valid")];

/// FLOW-01..29, in the catalogue's order.
pub const FLOWS: &[Exercise] = &[
    Exercise { id: "FLOW-01", title: "ログイン → お知らせ → メニュー", section: "第1章 §2", screen: "SCR-01", how: "SCR-01 → SCR-02 でデモ用アカウントでログイン → SCR-03 → SCR-05。5 回誤ると ERR-01。", preset: None },
    Exercise { id: "FLOW-02", title: "メニューからお知らせ", section: "第1章 §2(1), §5", screen: "SCR-05", how: "SCR-05 の《お知らせ一覧》→ SCR-03 → 表題 → SCR-04 →《戻る》。", preset: None },
    Exercise { id: "FLOW-03", title: "ログアウト", section: "第1章 §3", screen: "SCR-05", how: "画面上部の《ログアウト》→ DLG-01 →《OK》→ SCR-02。", preset: None },
    Exercise { id: "FLOW-04", title: "パスワード変更", section: "第1章 §4", screen: "SCR-06", how: "SCR-05《アカウント情報管理》→《パスワード変更》→ SCR-06 → DLG-02 → DLG-03。", preset: None },
    Exercise { id: "FLOW-05", title: "初期パスワードの変更", section: "第1章 §2 手順3, §4", screen: "SCR-01", how: "《準備》: newstaff を初期状態（初期パスワード Init#Pass01）に戻す。newstaff / Init#Pass01 でログイン → ERR-03 →《OK》→ SCR-07。", preset: Some(Setup::FixtureAccount("newstaff")) },
    Exercise { id: "FLOW-06", title: "無操作タイムアウト・二重ログイン", section: "第1章 §6", screen: "SCR-01", how: "staff01 でログインしてから《準備》: staff01 が別の場所でログインし直した状態にする（二重ログイン）。画面を操作 → ERR-04 →《閉じる》→ SCR-02。無操作タイムアウトは ERR-04 の《準備》（時計を 30 分進める）。", preset: Some(Setup::LoggedInElsewhere("staff01")) },
    Exercise { id: "FLOW-07", title: "利用開始日前のログイン", section: "第1章 §2 注意", screen: "SCR-01", how: "利用開始日（2099/04/01）前の施設のアカウント shika01 / Shika#Pass01 でログイン → SCR-05 は《パスワード変更》のみ。", preset: None },
    Exercise { id: "FLOW-08", title: "マイナンバーカード（目視確認）", section: "第2章 §2(1)ア", screen: "SCR-08", how: "《準備》: 汎用カードリーダー 1 台に有効なカード (valid)。SCR-08 で《マイナンバーカードの券面で目視確認》→《目視で本人確認完了》→ SCR-10。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-09", title: "マイナンバーカード（暗証番号）", section: "第2章 §2(1)イ", screen: "SCR-08", how: "《準備》: 汎用カードリーダーに valid。SCR-08 で《暗証番号を入力》→ SCR-09 で 1234 → SCR-10。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-10", title: "閲覧同意（SCR-08）", section: "第2章 §2(2)", screen: "SCR-08", how: "《準備》: valid。SCR-08 で同意のチェック → DLG-05 / DLG-06 → カード読取り → SCR-10 ⑦。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-11", title: "閲覧同意の訂正（SCR-10）", section: "第2章 §2(1)ア 手順6, §3 ⑦", screen: "SCR-08", how: "FLOW-08 の後、SCR-10 で同意を変更 →《更新》。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-12", title: "限度額・特定疾病の表示（確認時）", section: "第2章 §2(3)", screen: "SCR-08", how: "《準備》: valid。SCR-08 で「限度額適用認定証情報を表示」等にチェック → DLG-07 / DLG-08 → SCR-10 ④。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-13", title: "確認後の証情報の表示", section: "第2章 §2(4)", screen: "SCR-08", how: "FLOW-08 の後、SCR-10 ④ のタブで《情報表示》→ DLG-09。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-14", title: "処方箋の発行形態（マイナンバーカード）", section: "第2章 §2(5)", screen: "SCR-08", how: "《準備》: valid。SCR-08 ④ で発行形態を選択 → SCR-10 ⑧ →《更新》。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-15", title: "処方箋の発行形態（被保険者証）", section: "第4章 §2(1)", screen: "SCR-13", how: "SCR-13 ② で発行形態を選択 →《検索》→ SCR-10 ⑧。カードは不要。", preset: None },
    Exercise { id: "FLOW-16", title: "資格情報 XML のダウンロード", section: "第2章 §2(6), 第3章 §2(1)", screen: "SCR-08", how: "FLOW-08 / FLOW-18 の後、SCR-10 の《ダウンロード》。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-17", title: "薬局: 引換番号で処方箋取得", section: "第2章 §2(7)", screen: "SCR-08", how: "yaku01 / Yaku#Pass01（サンプル薬局）でログイン。《準備》: 汎用カードリーダーに宮崎 一太さんの valid。SCR-08 →《目視で本人確認完了》→ SCR-10《処方箋取得へ》（RULE-25: 薬局かつ「電子処方箋」利用する）→ SCR-12 で引換番号 000001 / 000002 →《処方箋取得》で XML。000003 はリフィル（ENV-05）。カードなしなら SCR-13 で 06270001 / 77 / 1234 / 01 / 昭和45年11月30日。", preset: Some(Setup::Terminal(Preset { topology: "generic", face_mode: None, cards: VALID, person: Some("miyazaki-ichita"), fault: None })) },
    Exercise { id: "FLOW-18", title: "被保険者証で確認（双子・無効を含む）", section: "第4章 §2", screen: "SCR-13", how: "SCR-13 で保険者番号等を入力 →《検索》。双子: 保険者番号 06139000、記号 9000、番号 10001、枝番は空、生年月日 昭和59年4月1日 →「複数の資格該当者が見つかりました。」→ 行を選ぶとその枝番で検索。カードは不要。", preset: None },
    Exercise { id: "FLOW-19", title: "医療扶助（被保険者証画面）", section: "第6章 §1, §3", screen: "SCR-13", how: "SCR-13 で保険者番号に公費負担者番号 12374013、番号に受給者番号 9900028（記号・枝番は空）、生年月日 昭和55年7月25日、資格確認日 2023/09/15 →《検索》→ SCR-11 は医療扶助タブだけ（RULE-48; 医療保険の番号 06140156 / 福運テ記号00001 / 福運テ番号00001 / 01 なら医療保険タブだけ）。薬局 yaku01 では調剤券。カードは不要。", preset: None },
    Exercise { id: "FLOW-20", title: "医療扶助（マイナンバーカード）", section: "第6章 §1", screen: "SCR-08", how: "《準備》: 汎用カードリーダーに東北 一郎さんの medical-assistance。SCR-08 で資格確認日 2023/09/15 →《目視で本人確認完了》→ SCR-11: 医療保険タブと医療扶助タブ（RULE-43）。ほかの表示例 (2)〜(8) は ERR-20/21/22 の行と tohoku-saburo / shiro / goro。", preset: assistance("tohoku-ichiro") },
    Exercise { id: "FLOW-21", title: "資格情報一括照会（登録）", section: "第5章 §2", screen: "SCR-15", how: "トレイの「サンプルファイル」から OQSmuquc01req_sample.xml をダウンロード（自分のファイルでもよい）→ SCR-15 でそのファイルを選択 →《照会》→ DLG-13。トレイの「一括処理の進み方」を hold にすると照会待ちのまま止まる。", preset: None },
    Exercise { id: "FLOW-22", title: "資格情報一括照会結果", section: "第5章 §3", screen: "SCR-16", how: "SCR-16 で照会状況を確認 →《ダウンロード》。ジョブの故障でシステムエラー。", preset: None },
    Exercise { id: "FLOW-23", title: "照会番号の登録", section: "第7章 §2", screen: "SCR-08", how: "FLOW-08 の後、SCR-10 の《編集》→ 入力 →《登録》→ DLG-10。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-24", title: "照会番号の更新", section: "第7章 §2(1)", screen: "SCR-08", how: "登録済みの SCR-10 で《編集》→ 変更 →《更新》→ DLG-11。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-25", title: "照会番号の削除", section: "第7章 §2(2)", screen: "SCR-08", how: "SCR-10 で《編集》→ 空にして《更新》→ DLG-12。", preset: generic(VALID, None) },
    Exercise { id: "FLOW-26", title: "照会番号一括登録", section: "第7章 §3", screen: "SCR-17", how: "トレイの「サンプルファイル」から OQSmuimm01req_sample.xml をダウンロード（自分のファイルでもよい）→ SCR-17 でそのファイルを選択 →《登録》→ DLG-15。", preset: None },
    Exercise { id: "FLOW-27", title: "照会番号一括登録結果", section: "第7章 §4", screen: "SCR-18", how: "SCR-18 で処理状況を確認 →《ダウンロード》。", preset: None },
    Exercise { id: "FLOW-28", title: "資格確認履歴の検索と詳細", section: "第8章 §1", screen: "SCR-19", how: "確認を何件か行ってから SCR-19 で期間を指定 →《検索》→《詳細》→ SCR-20。", preset: None },
    Exercise { id: "FLOW-29", title: "資格確認履歴の CSV ダウンロード", section: "第8章 §1(1)", screen: "SCR-19", how: "SCR-19 の《ダウンロード》。", preset: None },
];

/// The dialogs of the card path and the face reader (ERR-05..28 that a card, a reader or a
/// fault causes), with how to reproduce each.
pub const DIALOGS: &[Exercise] = &[
    Exercise { id: "ERR-01", title: "アカウントのロック", section: "第1章 §2 注意", screen: "SCR-02", how: "《準備》: staff01 を初期状態に戻し、パスワードを 5 回続けて間違えたときと同じくロックする。SCR-02 で staff01 / Staff#Pass01 → ERR-01。準備なしでも SCR-02 でパスワードを 5 回間違えると ERR-01。解除は 30 分後（時計を進める）か「人口・アカウントを初期化」。", preset: Some(Setup::LockedAccount("staff01")) },
    Exercise { id: "ERR-02", title: "パスワードの有効期限切れ", section: "第1章 §2 注意", screen: "SCR-02", how: "《準備》: oldstaff を初期状態（Old#Pass2020、2020/10/01 変更）に戻し、時計が有効期限（60 日）より前なら期限の時刻まで進める。SCR-02 で oldstaff / Old#Pass2020 → ERR-02 →《OK》→ SCR-06。", preset: Some(Setup::ExpiredPassword("oldstaff")) },
    Exercise { id: "ERR-03", title: "初期パスワードのまま", section: "第1章 §2 手順3", screen: "SCR-02", how: "《準備》: newstaff を初期状態（初期パスワード Init#Pass01）に戻す。SCR-02 で newstaff / Init#Pass01 → ERR-03 →《OK》→ SCR-07。", preset: Some(Setup::FixtureAccount("newstaff")) },
    Exercise { id: "ERR-04", title: "無操作タイムアウト・二重ログイン", section: "第1章 §6", screen: "SCR-02", how: "ログインしてから《準備》: 時計を 30 分進める（無操作タイムアウト）。画面を操作 → ERR-04 →《閉じる》→ SCR-02。二重ログインは FLOW-06 の《準備》、または同じアカウントで別のブラウザからログイン。", preset: Some(Setup::IdleTimeout) },
    Exercise {
        id: "ERR-05",
        title: "利用者証明用電子証明書の失効",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに revoked → SCR-08 で照会。",
        preset: generic(&[(0, "revoked")], None),
    },
    Exercise {
        id: "ERR-06",
        title: "利用者証明用電子証明書の有効期限切れ",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに expired → SCR-08 で照会。",
        preset: generic(&[(0, "expired")], None),
    },
    Exercise {
        id: "ERR-07",
        title: "証明書認証の内部エラー",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "valid を置き、端末の故障「証明書認証の内部エラー」→ SCR-08 で照会。",
        preset: generic(VALID, Some(Fault::CertificateInternalError)),
    },
    Exercise {
        id: "ERR-08",
        title: "電子証明書の有効期限が3カ月以内",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに expiring-soon → SCR-08 で照会（《OK》の後 SCR-10）。",
        preset: generic(&[(0, "expiring-soon")], None),
    },
    Exercise {
        id: "ERR-09",
        title: "カードリーダー未接続",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "構成「none」→ SCR-08 を開く。",
        preset: topology("none"),
    },
    Exercise {
        id: "ERR-10",
        title: "読み取り失敗",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに unreadable（または端末の故障「読み取り失敗」）→ SCR-08 で照会。",
        preset: generic(&[(0, "unreadable")], None),
    },
    Exercise {
        id: "ERR-11",
        title: "マイナンバーカードとして認識できない",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに not-mynumber → SCR-08 で照会。",
        preset: generic(&[(0, "not-mynumber")], None),
    },
    Exercise {
        id: "ERR-12",
        title: "対応していないカード",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに unsupported → SCR-08 で照会。",
        preset: generic(&[(0, "unsupported")], None),
    },
    Exercise {
        id: "ERR-13",
        title: "暗証番号のロック",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに pin-locked → SCR-08 で《暗証番号を入力》。",
        preset: generic(&[(0, "pin-locked")], None),
    },
    Exercise {
        id: "ERR-14",
        title: "マイナンバーカード認証エラー（code 付き）",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "valid を置き、端末の故障「認証エラー」（code は任意）→ SCR-08 で照会。",
        preset: generic(VALID, Some(Fault::AuthenticationError { code: None })),
    },
    Exercise {
        id: "ERR-15",
        title: "資格確認日に該当する資格情報なし",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに uninsured → SCR-08 で照会。",
        preset: generic(&[(0, "uninsured")], None),
    },
    Exercise {
        id: "ERR-16",
        title: "保険証利用登録がされていない",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "汎用カードリーダーに unregistered → SCR-08 で照会。",
        preset: generic(&[(0, "unregistered")], None),
    },
    Exercise {
        id: "ERR-17",
        title: "顔認証付きカードリーダー接続エラー",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "構成「generic+face」→ SCR-08 で照会（SCR-08 に ERR-19 の案内）。",
        preset: topology("generic+face"),
    },
    Exercise {
        id: "ERR-18",
        title: "カードリーダー接続エラー（複数）",
        section: "第2章 §4(2)",
        screen: "SCR-08",
        how: "構成「generic*2」または「face*2」→ SCR-08 で照会。",
        preset: topology("generic*2"),
    },
    Exercise {
        id: "ERR-19",
        title: "顔認証付きカードリーダーを取り外す案内",
        section: "第2章 §2 手順2",
        screen: "SCR-08",
        how: "SCR-08 の案内文の 3 行目（ERR-17 の答えにも付く）。",
        preset: topology("generic+face"),
    },
    Exercise { id: "ERR-20", title: "医療券・調剤券情報が登録されていない（表示）", section: "第6章 §1(2)", screen: "SCR-08", how: "汎用カードリーダーに tohoku-jiro さんの medical-assistance → SCR-08 で資格確認日 2023/09/15 → SCR-11 医療扶助タブ。", preset: assistance("tohoku-jiro") },
    Exercise { id: "ERR-21", title: "社会保険状況の不整合（表示）", section: "第6章 §1(7)", screen: "SCR-08", how: "汎用カードリーダーに tohoku-nanako さんの medical-assistance → SCR-08 で資格確認日 2023/09/15。", preset: assistance("tohoku-nanako") },
    Exercise { id: "ERR-22", title: "医療保険・医療扶助の資格なし", section: "第6章 §1(8)", screen: "SCR-08", how: "汎用カードリーダーに tohoku-hachiro さんの medical-assistance → SCR-08 で資格確認日 2023/09/15。", preset: assistance("tohoku-hachiro") },
    Exercise { id: "ERR-23", title: "検索結果が 10,000 件を超える", section: "第8章 §1 手順2", screen: "SCR-19", how: "《準備》: サンプル医療機関（1234567890）の一括照会（JOB-01）を 10,001 行処理させ、今日の資格確認履歴を 10,000 件超にする（数秒かかります）。staff01 でログイン → SCR-19 で今日の期間のまま《検索》→ ERR-23。", preset: Some(Setup::HistoryOverLimit("1234567890")) },
    Exercise { id: "ERR-24", title: "ダウンロードが 10,000 件を超える", section: "第8章 §1(1)", screen: "SCR-19", how: "《準備》: ERR-23 と同じ（今日の履歴を 10,000 件超にする）。staff01 でログイン → SCR-19 で今日の期間のまま《ダウンロード》→ ERR-24。", preset: Some(Setup::HistoryOverLimit("1234567890")) },
    Exercise {
        id: "ERR-25",
        title: "目視確認実行: カードリーダー未接続",
        section: "第9章 §5(1)",
        screen: "SCR-31",
        how: "構成「generic」（顔認証付きカードリーダーなし）→ SCR-31 で目視確認を実行。",
        preset: topology("generic"),
    },
    Exercise {
        id: "ERR-26",
        title: "目視確認実行: 読み取り失敗",
        section: "第9章 §5(1)",
        screen: "SCR-31",
        how: "構成「face」、モード 目視確認、顔認証付きカードリーダーに unreadable → SCR-31 で《目視で本人確認完了》→ DLG-27 →《OK》。",
        preset: face(FaceMode::Visual, &[(0, "unreadable")]),
    },
    Exercise {
        id: "ERR-27",
        title: "保険証利用登録の開始（顔認証付き）",
        section: "第9章 §5(1)",
        screen: "SCR-31",
        how: "構成「face」、モード 目視確認、顔認証付きカードリーダーに unregistered → SCR-31 で《目視で本人確認完了》→ DLG-27 →《OK》。",
        preset: face(FaceMode::Visual, &[(0, "unregistered")]),
    },
    Exercise {
        id: "ERR-28",
        title: "有効な資格が確認できない（顔認証付き）",
        section: "第9章 §5(1)",
        screen: "SCR-31",
        how: "構成「face」、モード 目視確認、顔認証付きカードリーダーに uninsured → SCR-31 で《目視で本人確認完了》→ DLG-27 →《OK》。",
        preset: face(FaceMode::Visual, &[(0, "uninsured")]),
    },
    Exercise { id: "ERR-30", title: "同日に同じ取得条件", section: "第11章", screen: "SCR-33", how: "《準備》: 保存サービス利用中の薬局（9940000076）が今日 2024/01/01〜2024/01/31 の保管調剤結果を取得済みにする（JOB-05）。hozon01 でログイン → SCR-33 で同じ期間（2024/01/01〜2024/01/31）の《調剤結果取得》→ DLG-31《OK》→ ERR-30。準備なしでも同じ日に同じ期間で 2 回取得すると ERR-30。", preset: Some(Setup::DispensingRequested { pharmacy: "9940000076", start: "2024/01/01", end: "2024/01/31" }) },
    Exercise { id: "ERR-31", title: "取得期間が 31 日を超える", section: "第11章", screen: "SCR-33", how: "準備は不要。hozon01（保存サービス利用中の薬局 9940000076）で SCR-33 の期間を 32 日以上にして《調剤結果取得》→ DLG-31《OK》。", preset: None },
];

/// The face-reader flows of ch.9/10 (SCR-31 / SCR-32).
pub const FACE_FLOWS: &[Exercise] = &[
    Exercise { id: "FLOW-38", title: "顔認証付きカードリーダーを目視確認モードに切り替える", section: "第9章 §2", screen: "SCR-31", how: "《準備》: 顔認証付きカードリーダー 1 台（無人運転）。SCR-31 の《目視確認》→ DLG-21 →《OK》→ DLG-22。", preset: face(FaceMode::Unattended, &[]) },
    Exercise { id: "FLOW-39", title: "目視による本人確認", section: "第9章 §3", screen: "SCR-31", how: "《準備》: 顔認証付きカードリーダー（目視確認）に valid（目視確認ではカードは SCR-31 の確認を待ちます）。SCR-31 ② で《目視で本人確認完了》→ DLG-27 →《OK》→ DLG-28。unregistered で ERR-27、uninsured で ERR-28、unreadable で ERR-26。", preset: face(FaceMode::Visual, VALID) },
    Exercise { id: "FLOW-40", title: "無人運転モードに戻す", section: "第9章 §4", screen: "SCR-31", how: "《準備》: 目視確認モード。SCR-31 の《無人運転》→ DLG-23 → DLG-24。", preset: face(FaceMode::Visual, &[]) },
    Exercise { id: "FLOW-41", title: "暗証番号認証固定モードに切り替える", section: "第9章 §5", screen: "SCR-31", how: "《準備》: 目視確認モード。SCR-31 の《暗証番号認証固定》→ DLG-25 → DLG-26。", preset: face(FaceMode::Visual, &[]) },
    Exercise { id: "FLOW-42", title: "電子処方箋関連画面の表示設定", section: "第10章 §2", screen: "SCR-32", how: "《準備》: 顔認証付きカードリーダー 2 台。SCR-32 で《表示しない》→ DLG-29 → DLG-30。メニューに出る条件は施設の設定（電子処方箋＋紙の処方箋併用、資格確認時に確認する、ソフト導入済み）。", preset: topology("face*2") },
    Exercise { id: "ERR-29", title: "セットアップ済みの顔認証付きカードリーダーのみ設定可能", section: "第10章 §3", screen: "SCR-32", how: "構成「generic+face」（または顔認証付きカードリーダーの「セットアップ済み」を外す）→ SCR-32。", preset: topology("generic+face") },
];

/// The visiting / online care flows of ch.3 (SCR-21..28).
pub const VISITING_FLOWS: &[Exercise] = &[
    Exercise { id: "FLOW-30", title: "同意済資格情報取得 → 資格情報確認 → ダウンロード", section: "第3章 §2, §2(1)", screen: "SCR-21", how: "時計を 2023/08/25 に（デモ用アカウントのパスワードはその日付で有効）。SCR-21 で診療区分「訪問診療等」、同意年月日 2023/01/01～2023/12/31 →《検索》→ 山田 隆子・新橋 太郎。行をクリック → SCR-23（閲覧同意情報）→《ダウンロード》。同意を取り消した患者（FLOW-35）は灰色。", preset: None },
    Exercise { id: "FLOW-31", title: "薬局: 処方箋情報取得（訪問診療等・オンライン診療等）", section: "第3章 §2(2)", screen: "SCR-21", how: "薬局アカウント yaku01 でログイン（時計 2023/08/25）。SCR-21 で「オンライン診療等」、同意年月日 2023/01/01～ → 宮崎 一太 → SCR-23《処方箋取得へ》→ SCR-24: 一覧の《処方箋取得》→ DLG-20 →《OK》で XML、または引換番号を入力して《処方箋取得》。「電子処方箋」が「利用しない」なら《処方箋取得へ》は出ない（RULE-25）。", preset: None },
    Exercise { id: "FLOW-32", title: "資格情報照会（訪問診療等・オンライン診療等）", section: "第3章 §3", screen: "SCR-22", how: "時計を 2023/08/25 に。SCR-22 で 山田 隆子（保険者番号 00050013、記号 hmtmList11、番号 102、枝番 00、昭和57年1月1日）。枝番なしでは RULE-33 で断られる。「特定疾病療養受療証： 表示する」→ DLG-08 →《検索》→ SCR-23。「オンライン診療等」では同意がなく断られる。", preset: None },
    Exercise { id: "FLOW-33", title: "資格情報一括照会（訪問診療等・オンライン診療等）", section: "第3章 §4", screen: "SCR-25", how: "SCR-25 で診療区分を選び、「資格確認一括照会要求ファイル」（OQSmuhvq01req / OQSmuonq01req）を選択、またはファイルの代わりに同意年月日（オンライン診療等は受診年月日も可）を入力 →《照会》→ DLG-14（受付番号・受付日時）。トレイの「一括処理の進み方」を hold にすると照会待ちのまま止まる。", preset: None },
    Exercise { id: "FLOW-34", title: "資格情報一括照会結果（訪問診療等・オンライン診療等）", section: "第3章 §5", screen: "SCR-26", how: "SCR-26 で診療区分を選び《更新》→ 照会状況を確認 →《ダウンロード》（訪問診療等は zip、オンライン診療等は XML）。同意を取り消した患者は要確認の行になる。", preset: None },
    Exercise { id: "FLOW-35", title: "閲覧同意の取消（訪問診療等）", section: "第3章 §6", screen: "SCR-27", how: "SCR-27 で 山田 隆子（保険者番号 050013、記号 hmtmList11、番号 102、枝番 00、昭和57年1月1日）→《検索》→ SCR-28 →《同意取消》→ DLG-18 →《OK》→ DLG-19。以後の照会は同意なしで断られる。取消はトレイの《人口・アカウントを初期化》で元に戻る。", preset: None },
];

/// The flows of ch.6 §2 (委託先資格情報一括取得), ch.11 (保管調剤結果一括取得) and ch.12
/// (システム障害).
pub const OTHER_FLOWS: &[Exercise] = &[
    Exercise { id: "FLOW-36", title: "委託先資格情報一括取得", section: "第6章 §2", screen: "SCR-29", how: "《準備》: 時計をサンプルの医療券がある 2023/09/15 10:00 に止める（ログイン中の画面は ERR-04 になるのでログインし直す。シミュレーターを 2023/07/17 より前の時刻で起動していると、職員のパスワードはその日には期限切れで ERR-02 → パスワード変更）。SCR-29 で診療年月「令和5年9月」、出力ファイル形式 XML または CSV →《取得》→ DLG-16（受付番号・受付日時）→《OK》。", preset: Some(Setup::ClockAt("2023-09-15T10:00:00+09:00")) },
    Exercise { id: "FLOW-37", title: "委託先資格情報一括取得結果", section: "第6章 §2", screen: "SCR-30", how: "FLOW-36 の後、SCR-30 で取得状況と資格取得件数を確認 →《ダウンロード》（XML または CSV）。", preset: None },
    Exercise { id: "FLOW-43", title: "保管調剤結果一括取得", section: "第11章 §2", screen: "SCR-33", how: "保存サービス利用中の薬局のアカウント hozon01（Hozon#Pass01、9940000076）でログイン。SCR-33 で調剤結果取得期間（例 2023/11/01～2023/11/14、保管された調剤結果は 2023/11～2024/01）→《調剤結果取得》→ DLG-31 →《OK》→ DLG-32（調剤結果一括取得ID と注意）。32 日以上で ERR-31、同じ日に同じ期間で ERR-30。サンプル薬局 yaku01 のメニューには出ない（RULE-69）。", preset: None },
    Exercise { id: "FLOW-44", title: "保管調剤結果一括取得結果", section: "第11章 §3", screen: "SCR-34", how: "FLOW-43 の後、hozon01 の SCR-34 で照会状況・件数・ダウンロード期限（取得日＋6 日）を確認 →《ダウンロード》で zip。件数 0 の行と期限を過ぎた行（時計を進める）には《ダウンロード》がない。1 ページ 9 件、新しい順。", preset: None },
    Exercise { id: "FLOW-45", title: "システム障害時の代替と後確認", section: "第12章 §1", screen: "SCR-05", how: "《準備》: システム障害を起こす（ENV-15）。画面はどれも RULE-91 の代替（被保険者証で確認、マイナンバーカードは券面と問診票の情報を控える）のページになる（HTTP 503、機械向けは EQ0901）。復旧は「故障の注入」の《復旧》: その後、設定日数（既定 30 日）の間、管理者・医療情報閲覧のアカウント（admin01 / viewer01）の SCR-05 に《システム障害時の資格確認》（シミュレーター独自の画面。マニュアルに画面はない）が出て、控えた情報で後確認ができる。", preset: Some(Setup::Outage) },
];

/// The path of an operator screen, if the simulator has it: the menu's entry for it
/// (`screens::menu::MENU`, the one table of which screens exist), or one of the screens outside
/// the menu (entry, login, menu itself).
pub fn screen_path(screen: &str) -> Option<&'static str> {
    use crate::ways_in::screens::{menu::MENU, paths};
    match screen {
        "SCR-01" => Some(paths::ENTRY),
        "SCR-02" => Some(paths::LOGIN),
        "SCR-03" => Some(paths::NOTICES),
        "SCR-05" => Some(paths::MENU),
        _ => MENU
            .iter()
            .find(|i| i.screen == screen)
            .and_then(|i| i.path),
    }
}

/// A row of any list by id.
pub fn find(id: &str) -> Option<&'static Exercise> {
    FLOWS
        .iter()
        .chain(DIALOGS)
        .chain(FACE_FLOWS)
        .chain(VISITING_FLOWS)
        .chain(OTHER_FLOWS)
        .find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flow_up_to_29_once_and_presets_name_known_things() {
        let ids: Vec<&str> = FLOWS.iter().map(|e| e.id).collect();
        let want: Vec<String> = (1..=29).map(|n| format!("FLOW-{n:02}")).collect();
        assert_eq!(ids, want);
        for e in FLOWS
            .iter()
            .chain(DIALOGS)
            .chain(FACE_FLOWS)
            .chain(VISITING_FLOWS)
            .chain(OTHER_FLOWS)
        {
            if let Some(Setup::Terminal(p)) = &e.preset {
                assert!(
                    crate::terminal::TOPOLOGIES.contains(&p.topology),
                    "{}",
                    e.id
                );
                for (_, profile) in p.cards {
                    assert!(
                        virtual_card::Profile::from_name(profile).is_some(),
                        "{}",
                        e.id
                    );
                }
            }
        }
        assert!(find("ERR-27").is_some() && find("ERR-99").is_none());
        // Screens come from the menu's table: SCR-31 is built, SCR-99 is not a screen.
        assert_eq!(screen_path("SCR-31"), Some("/face-reader"));
        assert_eq!(screen_path("SCR-99"), None);
    }
}

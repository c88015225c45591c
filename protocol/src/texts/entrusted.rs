//! Texts of SCR-29 委託先資格情報一括取得 and SCR-30 委託先資格情報一括取得結果 (ch.6 §2), verbatim
//! from the manual; DLG-16 is an image only (its 【事象】 and the simulator's lines).

/// Screen titles (the menu items' labels).
pub const TITLE_REQUEST: &str = "委託先資格情報一括取得";
pub const TITLE_RESULTS: &str = "委託先資格情報一括取得結果";
/// SCR-29 ① 取得条件.
pub const CONDITIONS: &str = "取得条件";
pub const MONTH: &str = "診療年月";
pub const FORMAT: &str = "出力ファイル形式";
pub const FORMATS: [&str; 2] = ["XML", "CSV"];
/// SCR-29 ② 《取得》.
pub const BUTTON_GET: &str = "取得";
/// SCR-30 ① columns.
pub const COLUMNS: [&str; 6] = [
    "受付番号",
    "取得状況",
    "受付日時",
    "完了日時",
    "資格取得件数",
    "結果",
];
/// RULE-52 for SCR-30 (「取得結果」).
pub const LIST_NOTE: &str = "一覧には新しい取得結果から順に最大 3 件まで表示されます。";
/// RULE-54 for JOB-04.
pub const DOWNLOAD_NOTE: &str =
    "《取得状況》が「照会完了」「照会完了（要確認）」の明細のみ、取得結果をダウンロードできます。";
/// DLG-16: image only; the manual's sentence about it (ch.6 §2(1) step 3).
pub const DLG_16_EVENT: &str = "確認メッセージが表示され、受付番号、受付日時が表示されます。";

/// DLG-16's lines as the simulator shows them: the placeholder label with the manual's sentence,
/// then 受付番号 and 受付日時 (`yyyy/mm/dd hh:mm:ss`).
pub fn dlg16_lines(reception_number: &str, accepted_at: &str) -> [String; 3] {
    [
        format!("{}{DLG_16_EVENT}", super::PLACEHOLDER_LABEL),
        format!("受付番号：{reception_number}"),
        format!("受付日時：{accepted_at}"),
    ]
}

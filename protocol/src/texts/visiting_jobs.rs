//! Texts of SCR-25 / SCR-26 資格情報一括照会(結果)(訪問診療等・オンライン診療等) (ch.3 §4, §5, JOB-03)
//! and SCR-27 / SCR-28 同意取消照会 / 同意取消(訪問診療等) (ch.3 §6, FLOW-35), verbatim from the
//! manual; DLG-14 is an image only (the receipt lines of DLG-16), DLG-18 / DLG-19 are text.

use super::Dlg;
use crate::visiting::{CANCEL_CONFIRM, CANCEL_DONE};

/// Screen titles.
pub const TITLE_BULK: &str = "資格情報一括照会(訪問診療等・オンライン診療等)";
pub const TITLE_BULK_RESULTS: &str = "資格情報一括照会結果(訪問診療等・オンライン診療等)";
pub const TITLE_CANCEL_SEARCH: &str = "同意取消照会(訪問診療等)";
pub const TITLE_CANCEL: &str = "同意取消(訪問診療等)";

/// SCR-25 ① / SCR-26 ① 「診療区分」 ▼ (「訪問診療等」「オンライン診療等」).
pub const KIND: &str = "* 診療区分";
/// SCR-26: 「《診療区分》を選択し、《更新》をクリックします。」 (ch.3 §5 step 2).
pub const KIND_THEN_UPDATE: &str = "《診療区分》を選択し、《更新》をクリックします。";
/// SCR-25: the manual's file is a 「資格確認一括照会要求ファイル」 (XML).
pub const REQUEST_FILE: &str = "資格確認一括照会要求ファイル";
/// SCR-25, the simulator's own: without a file, the conditions the public client sends
/// (ConsentDateFrom/To, ExaminationDateFrom/To) make the request file.
pub const CONDITIONS_INSTEAD: &str = "ファイルを選択しない場合は、次の条件から「資格確認一括照会要求ファイル」を作って照会します。（シミュレータ）";
/// The date ranges, labelled as on SCR-21 (RULE-65).
pub const CONSENT_FROM: &str = "※1 同意年月日(自)";
pub const EXAMINATION_FROM: &str = "※2 受診年月日(自)";
pub const TO: &str = "(至)";
pub const RANGE_NOTE: &str = "※1, ※2 選択必須項目(どちらか一方はご入力ください)";
/// 「受診年月日」 is for オンライン診療等 only (RULE-65).
pub const EXAMINATION_NOTE: &str = "「診療区分」で「オンライン診療等」を選択した場合に指定します。";
/// SCR-25 step 7 (step text after DLG-14 《OK》).
pub const BULK_ACCEPTED: &str = "資格情報一括照会の受付が完了しました。";
/// SCR-26 / RULE-54 for JOB-03.
pub const DOWNLOAD_NOTE: &str =
    "《照会状況》が「照会完了」「照会完了（要確認）」の明細のみ、照会結果をダウンロードできます。";
/// SCR-26 注意 (RULE-56), second sentence.
pub const MEDICAL_INFO_ELSEWHERE: &str = "医療情報（特定健診情報、薬剤情報等）を参照する場合は、閲覧用端末から「同意取得済み患者一覧」機能を使用してください。";

/// DLG-14 (image only): the receipt lines the simulator shows, the same as DLG-16's (the manual
/// says the same of both: 「確認メッセージが表示され、受付番号、受付日時が表示されます。」).
pub fn dlg14_lines(reception_number: &str, accepted_at: &str) -> [String; 3] {
    super::entrusted::dlg16_lines(reception_number, accepted_at)
}

/// SCR-27 注意 (bold in the manual; 「ありません」 as printed, AMB-19).
pub const CANCEL_SEARCH_NOTES: [&str; 3] = [
    "*必須項目は全て入力してください。",
    "記号については設定上未設定のものがありません。",
    "(券面に記載されている項目はすべて必須です。)",
];
/// SCR-27 ① labels (保険者番号, 記号, 番号, 枝番), the hints are SCR-13's.
pub const CANCEL_SEARCH_FIELDS: [&str; 4] = ["* 保険者番号", "記号", "* 番号", "枝番"];
/// SCR-27 枝番 (RULE-33): SCR-22's item-table text.
pub const BRANCH_NOTE: &str = super::visiting_check::BRANCH_HELP;

/// SCR-28 ① 被保険者情報, in the item table's order: the labels of SCR-20 ③.
pub const CANCEL_INSURED_LABELS: [&str; 9] = super::HISTORY_INSURED_LABELS;
/// SCR-28 ② (its table and note are SCR-23's: `visiting_check::CONSENT_TABLE_COLUMNS`).
pub const CONSENT_HEADING: &str = "閲覧同意情報";
/// SCR-28 ③ 《同意取消》 (item table: 「取消」, AMB-56).
pub const BUTTON_CANCEL_CONSENT: &str = "同意取消";

/// DLG-18: 《同意取消》 on SCR-28.
pub const DLG_18: Dlg = Dlg {
    id: "DLG-18",
    title: TITLE_CANCEL,
    lines: &[CANCEL_CONFIRM],
    buttons: &["OK", "キャンセル"],
};
/// DLG-19: the cancellation done.
pub const DLG_19: Dlg = Dlg {
    id: "DLG-19",
    title: TITLE_CANCEL,
    lines: &[CANCEL_DONE],
    buttons: &["OK"],
};

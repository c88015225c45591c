//! Texts of the visiting/online check screens (ch.3 §2, §2(1), §2(2), §3, §7): SCR-21
//! 同意済資格情報取得, SCR-22 資格情報照会, SCR-23 資格情報確認 and SCR-24 処方箋情報取得 (訪問診療等・
//! オンライン診療等), verbatim from the manual's screens and item tables. The consent table's
//! labels and RULE-33/56 texts are `crate::visiting`'s; the labels SCR-10 shares are
//! `super::checks`'. Texts the simulator adds are marked 「（シミュレータ）」.

use super::{Dlg, PLACEHOLDER_LABEL};

/// Screen titles (HDR).
pub const TITLE_CONSENTED: &str = "同意済資格情報取得(訪問診療等・オンライン診療等)";
pub const TITLE_INQUIRY: &str = "資格情報照会(訪問診療等・オンライン診療等)";
pub const TITLE_RESULT: &str = "資格情報確認(訪問診療等・オンライン診療等)";
/// A 訪問診療等・オンライン診療等 screen opened by its URL where RULE-63 hides its menu items
/// (ENV-06 is not 「利用する」). The manual has no text for this; the simulator's own.
pub const VISITING_NOT_AVAILABLE: &str = "「訪問診療等・オンライン診療等」のメニューは、「訪問診療等・オンライン診療等管理サービス関連項目」を「利用する」に設定した場合のみ表示されます。（シミュレータ）";
pub const TITLE_PRESCRIPTIONS: &str = "処方箋情報取得(訪問診療等・オンライン診療等)";

/// 診療区分 (both SCR-21 and SCR-22).
pub const CARE_KIND: &str = "* 診療区分";

/// SCR-21 ① heading.
pub const CONSENTED_HEADING: &str =
    "検索条件：同意済資格情報取得 * 必須項目 ※1, ※2 選択必須項目(どちらか一方はご入力ください)";
pub const CONSENT_FROM: &str = "※1 同意年月日(自)";
pub const EXAMINATION_FROM: &str = "※2 受診年月日(自)";
pub const TO: &str = "(至)";
pub const RANGE_SEP: &str = "～";
pub const REFERENCE_NUMBER: &str = "照会番号";
pub const BIRTHDATE: &str = "生年月日";
pub const NAME_KANA: &str = "氏名(カナ)";
pub const SEX: &str = "性別";
/// 性別 ▼ (the list is not given, AMB-57; the result table's values 男、女、未設定).
pub const SEXES: [&str; 3] = ["男", "女", "未設定"];
/// SCR-21 ② note.
pub const MEDICAL_INFO_NOTE: &str =
    "医療情報(薬剤等)の閲覧は医療情報閲覧用端末から閲覧してください。";
/// SCR-21 ③ columns (the six consent columns abbreviated as the screenshot, AMB-51).
pub const CONSENTED_COLUMNS: [&str; 13] = [
    "氏名",
    "氏名(カナ)",
    "生年月日",
    "性別",
    "照会番号",
    "手術",
    "診療",
    "薬剤",
    "特定健診",
    "限度額",
    "特定疾病",
    "同意年月日",
    "同意有効期限",
];
/// The last column's header for オンライン診療等 (screenshot).
pub const VALID_UNTIL_ONLINE: &str = "同意有効期限(受診年月日)";
/// RULE-66 on SCR-21.
pub const GREY_NOTE: &str =
    "※ 閲覧同意有効期限を迎えた資格情報又は閲覧同意を取り消した資格情報は灰色で表示されます。";
/// SCR-21 ③ 該当資格.
pub const MARK_NOTE: &str = "該当資格：対象者が閲覧を同意している資格情報に「○」が表示されます。";

/// SCR-22 ① heading and notes (as SCR-13's).
pub const INQUIRY_HEADING: &str = "検索条件：保険証情報";
/// SCR-22 ① labels (記号 is marked ?, not *; 枝番 not marked: RULE-33).
pub const INQUIRY_FIELDS: [&str; 4] = ["* 保険者番号", "? 記号", "* 番号", "枝番"];
/// 枝番's item-table text (RULE-33).
pub const BRANCH_HELP: &str = "※後期高齢者、医療扶助の場合以外は必須入力項目となります。";
pub const LIMIT_LABEL: &str = "限度額適用認定証：";
pub const SPECIFIC_DISEASE_LABEL: &str = "特定疾病療養受療証：";
pub const SHOW: &str = "表示する";
/// The written consent 特定疾病 needs (SCR-22 item table).
pub const SPECIFIC_DISEASE_NOTE: &str =
    "※特定疾病療養受療証情報を表示する場合は、書面による患者本人の同意が必要です。";

/// SCR-23.
pub const PRESCRIPTION_FORM_ELECTRONIC: &str = "選択された処方箋発行形態：電子処方箋";
pub const MEDICAL_INSURANCE_TAB: &str = "医療保険";
pub const CONSENT_TABLE_HEADING: &str = "▼閲覧同意情報";
pub const CONSENT_TABLE_COLUMNS: [&str; 5] = [
    "同意区分",
    "同意有無",
    "同意年月日",
    "同意有効期限",
    "閲覧同意有効期限切れ理由",
];
/// RULE-66 on SCR-23.
pub const CONSENT_GREY_NOTE: &str = "同意なし及び同意取り消しの場合は、灰色で表示されます。";
/// 《ダウンロード》's item-table text (RULE-95).
pub const DOWNLOAD_HELP: &str = "資格情報をXMLファイルに出力します。";

/// SCR-24 ② 処方箋の取得 (its own lines; the rest is SCR-12's, `super::assistance`).
/// RULE-28, always shown.
pub const REFETCH_NOTE: &str =
    "※一度取得処理が完了すると、再取得するためには取消処理が必要です。取得結果は忘れずに保存してください。";
pub const LIST_LEAD: &str =
    "一覧に表示されている処方箋を取得する場合は、1行ずつ選択して処方箋を取得してください。";
pub const LIST_COLUMNS: [&str; 4] = ["引換番号", "発行年月日", "発行元医療機関名", "予約日"];
pub const TYPED_LEAD: &str =
    "一覧に表示されていない処方箋を取得する場合は、引換番号を直接入力して処方箋を取得してください。";

/// DLG-20: 《処方箋取得》 on a list row (image only: the placeholder and the step's sentence).
pub const DLG_20: Dlg = Dlg {
    id: "DLG-20",
    title: PLACEHOLDER_LABEL,
    lines: &["確認メッセージが表示されます。", "《OK》をクリックします。"],
    buttons: &["OK", "キャンセル"],
};

/// AMB-23: no text in the manual for a search that finds nothing or a date that is not one.
pub const NOT_A_DATE: &str = "日付を正しく入力してください。（シミュレータ）";
pub const NO_RESULT: &str = "該当する資格情報がありません。（シミュレータ）";
/// A kept SCR-23 result that is gone (the simulator keeps the latest only).
pub const GONE: &str = "この資格確認結果は表示できません。（シミュレータ：最近の確認結果のみ保持）";

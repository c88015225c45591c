//! ch.2, 4, 5, 7, 8 check screens: the labels of SCR-08/09/10 (My Number check), SCR-13
//! (insurance-card check), SCR-14 (照会番号), SCR-15..18 (bulk files and results) and SCR-19/20
//! (history), verbatim from manual-catalogue.md §3, and the dialogs of these screens that the
//! catalogue shows only as images (placeholder title, the simulator's wording).
//! Texts the simulator adds (the manual has none) are marked 「（シミュレータ）」.

use super::{Dlg, PLACEHOLDER_LABEL};

/// Screen titles (HDR).
pub const TITLE_MYNUMBER: &str = "資格情報照会(マイナンバーカード)";
pub const TITLE_INSURANCE_CARD: &str = "資格情報照会(被保険者証)";
pub const TITLE_RESULT: &str = "資格情報確認";
pub const TITLE_BULK: &str = "資格情報一括照会";
pub const TITLE_BULK_RESULTS: &str = "資格情報一括照会結果";
pub const TITLE_REGISTRATION: &str = "照会番号一括登録";
pub const TITLE_REGISTRATION_RESULTS: &str = "照会番号一括登録結果";
pub const TITLE_HISTORY: &str = "資格確認履歴照会";
pub const TITLE_HISTORY_DETAIL: &str = "資格確認履歴詳細";

/// Tabs 「資格確認方法」 of the qualification screens (HDR, SCR-08 ⑥, SCR-10 ⑤).
pub const TAB_MYNUMBER: &str = "マイナンバーカード";
pub const TAB_INSURANCE_CARD: &str = "保険証";
pub const CHECK_METHOD: &str = "資格確認方法";

/// SCR-08 blocks.
pub const IDENTITY: &str = "本人確認";
pub const CONSENT_HEADING: &str = "手術・診療・薬剤・特定健診情報の閲覧同意";
pub const CONSENT_NOTE: &str = "プライバシーに配慮するため、同意の取得が必要となります。";
pub const CERTIFICATES_HEADING: &str = "限度額・特定疾病情報の表示";
pub const CERTIFICATES_NOTE: &str =
    "プライバシーに関わる情報のため、患者の同意にもとづきご参照ください。";
pub const PRESCRIPTION_HEADING: &str = "処方箋の発行";
pub const PRESCRIPTION_FORM_LABEL: &str = "処方箋の発行形態：";
pub const PRESCRIPTION_HELP: &str = "処方箋の発行形態を選択してください。";
pub const REQUIRED_NOTE: &str = "* 必須項目";
pub const CONFIRMATION_DATE: &str = "* 資格確認日";
pub const DATE_FORMAT: &str = "西暦年月日8桁（入力例 2020/10/10）";
/// RULE-87 (ch.2 §1, §2(1)).
pub const RULE_87: [&str; 4] = [
    "暗証番号認証による資格確認は原則患者本人が行う必要があります。顔認証又は職員の目視による本人確認を行い、資格確認を行ってください。",
    "例外として、乳幼児または成年被後見人については法定代理人が代わって暗証番号を入力することが可能です。",
    "代理人が受付をする場合は、暗証番号により認証をしてください。",
    "医療機関・薬局の窓口にて原則患者がマイナンバーカードを置くように案内してください。",
];
/// The card event of SCR-08 (the patient holds the card over the reader): a button of the
/// simulator, which has no physical card to wait for.
pub const READ_CARD: &str = "カードを読み取る（シミュレータ）";
pub const READ_CARD_NOTE: &str =
    "カードはトレイ（/__tray）でカードリーダーに置きます。（シミュレータ）";
/// AMB-26: the manual does not say what happens when 目視 is chosen but not ticked.
pub const VISUAL_NOT_TICKED: &str =
    "「目視で本人確認完了」にチェックを付けてから、カードを読み取ってください。（シミュレータ）";

/// SCR-09.
pub const PIN_TITLE: &str = "暗証番号入力";
pub const PIN_LABEL: &str = "利用者電子証明書の暗証番号（4桁の数字）";

/// SCR-10 blocks and labels.
pub const QUALIFICATION_STATUS: &str = "資格状況";
pub const VIEWING_CONSENT: &str = "閲覧同意";
pub const INSURED_HEADING: &str = "被保険者情報";
pub const QUALIFICATION_HEADING: &str = "資格情報";
pub const CERTIFICATES: &str = "各種証情報";
pub const ELDERLY: &str = "高齢受給者証";
pub const LIMIT: &str = "限度額適用認定証";
pub const SPECIFIC_DISEASE: &str = "特定疾病療養受療証";
/// SCR-10 ④ note before 《情報表示》.
pub const CERTIFICATE_PRIVACY: &str =
    "プライバシーに関わる情報のため、患者様の同意にもとづき参照ください。";
pub const REFERENCE_NUMBER: &str = "照会番号";
/// ② 被保険者情報, in the screen's order.
pub const INSURED_LABELS: [&str; 11] = [
    "保険者番号",
    "保険者名",
    "記号",
    "番号",
    "枝番",
    "氏名(表面)",
    "性別(表面)",
    "生年月日",
    "氏名(その他)",
    "性別(裏面)",
    "氏名(カナ)",
];
/// ③ 資格情報, in the screen's order.
pub const QUALIFICATION_LABELS: [&str; 11] = [
    "証区分",
    "一部負担金割合",
    "資格取得日",
    "資格喪失日",
    "資格喪失事由",
    "有効開始日",
    "有効終了日",
    "本人・家族の別",
    "被保険者氏名",
    "郵便番号",
    "住所",
];
/// 高齢受給者証.
pub const ELDERLY_LABELS: [&str; 3] = ["一部負担金割合", "有効開始日", "有効終了日"];
/// 限度額適用認定証 (DM-08).
pub const LIMIT_LABELS: [&str; 5] = [
    "適用区分",
    "有効開始日",
    "有効終了日",
    "証区分",
    "長期入院該当日",
];
/// 特定疾病療養受療証 (DM-09).
pub const SPECIFIC_DISEASE_LABELS: [&str; 4] =
    ["認定疾病区分", "自己負担額", "有効開始日", "有効終了日"];
/// 自己負担額: 「10,000 円」.
pub const YEN: &str = " 円";

/// Buttons of the check screens (《…》).
pub const BUTTON_UPDATE: &str = "更新";
pub const BUTTON_SHOW: &str = "情報表示";
pub const BUTTON_DOWNLOAD: &str = "ダウンロード";
pub const BUTTON_NEXT_MYNUMBER: &str = "次の患者へ(マイナンバーカード)";
pub const BUTTON_NEXT_INSURANCE_CARD: &str = "次の患者へ(保険証)";
pub const BUTTON_EDIT: &str = "編集";
pub const BUTTON_REGISTER: &str = "登録";
pub const BUTTON_SEARCH: &str = "検索";
pub const BUTTON_CLEAR: &str = "クリア";
pub const BUTTON_INQUIRE: &str = "照会";
pub const BUTTON_DETAIL: &str = "詳細";

/// SCR-13.
pub const SEARCH_HEADING: &str = "検索条件：保険証情報";
pub const SEARCH_NOTES: [&str; 3] = [
    "*必須項目は全て入力してください。",
    "記号については設定上未設定のものがあります。",
    "(券面に記載されている項目はすべて必須です。)",
];
/// (label, format hint) of SCR-13 ①.
pub const SEARCH_FIELDS: [(&str, &str); 4] = [
    ("* 保険者番号", "保険者番号（半角数字 8 桁）"),
    ("* 記号", "被保険者証記号（全半角混在 20 文字以下）"),
    ("* 番号", "被保険者証番号（全半角混在 20 文字以下）"),
    ("* 枝番", "枝番（半角数字 2 桁）"),
];
pub const BIRTHDATE: &str = "* 生年月日";
/// BIRTH: 元号 (AMB-21: the manual does not list them; 初期値 昭和) and 西暦.
pub const ERAS: [&str; 6] = ["明治", "大正", "昭和", "平成", "令和", "西暦"];
pub const YEAR: &str = "年";
pub const MONTH: &str = "月";
pub const DAY: &str = "日";
pub const LIMIT_SHOW: &str = "表示する";
pub const LIMIT_NOTE_SCR13: &str =
    "プライバシーに関する情報のため、患者の同意にもとづきご参照ください。";
/// ④ 検索結果 (RULE-32): 「検索結果: 2 件」 and its columns.
pub fn search_count(n: usize) -> String {
    format!("検索結果: {n} 件")
}
pub const MATCH_COLUMNS: [&str; 5] = ["枝番", "氏名", "氏名(カナ)", "生年月日", "性別"];
pub const MATCH_CLICK: &str = "該当者をクリックすると、[資格情報確認] が表示されます。";
/// AMB-22 / AMB-23: no text in the manual for these.
pub const NO_MATCH: &str = "該当する資格情報がありません。（シミュレータ）";

/// SCR-15 / SCR-17.
pub const BULK_FILE: &str = "資格情報照会ファイル";
pub const REGISTRATION_FILE: &str = "照会番号一括登録用ファイル";
pub const NO_FILE: &str = "ファイルが選択されていません";
pub const ANY_FILE_NAME: &str = "ファイル名は任意の名前を設定できます。";
/// SCR-16 / SCR-18.
pub const LIST_NOTE: &str = "一覧には新しい照会結果から順に最大 3 件まで表示されます。";
pub const AUTO_REFRESH_NOTE: &str = "※一覧の処理状況は1分ごとに自動更新されます。個別に最新の処理状況にする場合にクリックし、一覧を再表示します。";
pub const BULK_COLUMNS: [&str; 6] = [
    "受付番号",
    "照会状況",
    "受付日時",
    "完了日時",
    "照会件数",
    "結果",
];
pub const REGISTRATION_COLUMNS: [&str; 6] = [
    "受付番号",
    "処理状況",
    "受付日時",
    "完了日時",
    "処理件数",
    "結果",
];

/// DLG-13: 《照会》 on SCR-15 accepted.
pub const DLG_13_TITLE: &str = "資格情報一括照会";
pub fn dlg13_lines(number: &str, accepted: &str) -> [String; 2] {
    [
        format!("受付番号は{number}です。"),
        format!("(受付時刻：{accepted})"),
    ]
}

/// SCR-19.
pub const HISTORY_HEADING: &str = "検索条件: 資格確認履歴照会";
pub const HISTORY_FIELDS: [&str; 7] = [
    "* 医療機関コード",
    "* 資格確認対象期間(自)",
    "* 資格確認対象期間(至)",
    "* 資格確認区分",
    "* 資格確認区分絞込み",
    "ログイン ID",
    "照会番号",
];
pub const HISTORY_TIME_FORMAT: &str = "時（時間 0～24、分 00～59 入力例 12 : 55）";
pub const HISTORY_NARROWING_NOTE: &str =
    "※《資格確認区分》で「マイナンバーカード」選択時のみ指定できます。";
pub const HISTORY_LOGIN_FORMAT: &str = "半角英数字：2 桁以上 8 桁以下";
pub const HISTORY_TWO_BUTTONS: &str = "※「ダウンロード」ボタンは 2 箇所にあります。";
/// ③ line 1 and line 2 columns.
pub const HISTORY_LINE1: [&str; 7] = [
    "通番",
    "資格確認日時",
    "ログイン ID",
    "照会番号",
    "確認区分",
    "資格確認結果",
    "詳細",
];
pub const HISTORY_LINE2: [&str; 6] = [
    "保険者番号",
    "証記号番号枝番",
    "氏名",
    "性別",
    "生年月日",
    "",
];
/// 「検索結果: 1 件 1-1件表示」.
pub fn history_count(total: usize, from: usize, to: usize) -> String {
    format!("検索結果: {total} 件 {from}-{to}件表示")
}
/// ③ heading.
pub const HISTORY_RESULTS: &str = "検索結果";
pub const PAGER_PREV: &str = "<<前へ";
pub const PAGER_NEXT: &str = "次へ>>";

/// Dialogs of these screens that the manual shows only as images: the placeholder title and the
/// simulator's wording (scenarios/not-simulated.toml names them).
/// DLG-04: 「手術情報の閲覧を同意する」 checked on SCR-08 (the catalogue's suggested wording).
pub const DLG_04: Dlg = Dlg {
    id: "DLG-04",
    title: PLACEHOLDER_LABEL,
    lines: &[
        "手術情報の閲覧に同意する",
        "患者の同意を得られましたら、「OK」を押してください。",
        "※プライバシーに関わる情報となります。",
        "※書面で患者の同意を得る必要があります。",
    ],
    buttons: &["OK", "キャンセル"],
};
/// DLG-07: 「限度額適用認定証情報を表示」 checked (SCR-08) or 《表示する》 (SCR-13).
pub const DLG_07: Dlg = Dlg {
    id: "DLG-07",
    title: PLACEHOLDER_LABEL,
    lines: &[
        "限度額適用認定証情報を表示",
        "閲覧する場合は、「OK」を押してください。",
    ],
    buttons: &["OK", "キャンセル"],
};
/// DLG-08: 「特定疾病療養受療証情報を表示」 checked on SCR-08 (text from ch.3, AMB-75).
pub const DLG_08: Dlg = Dlg {
    id: "DLG-08",
    title: "特定疾病療養受療証情報を表示",
    lines: &[
        "閲覧する場合は、「OK」を押してください。",
        "※プライバシーに関わる情報となります。",
    ],
    buttons: &["OK", "キャンセル"],
};
/// DLG-09: 《情報表示》 on SCR-10 with a certificate tab selected.
pub const DLG_09: Dlg = Dlg {
    id: "DLG-09",
    title: PLACEHOLDER_LABEL,
    lines: &["表示する"],
    buttons: &["OK", "キャンセル"],
};
/// DLG-15: 《登録》 on SCR-17 accepted (受付番号 and 受付時刻 as DLG-13).
pub const DLG_15_TITLE: &str = PLACEHOLDER_LABEL;
/// DLG-17: 《クリア》 on SCR-19.
pub const DLG_17: Dlg = Dlg {
    id: "DLG-17",
    title: PLACEHOLDER_LABEL,
    lines: &["検索条件をクリアします。"],
    buttons: &["OK", "キャンセル"],
};

/// AMB-23: the manual has no message for a birth date that is not a date.
pub const BAD_BIRTHDATE: &str = "生年月日を正しく入力してください。（シミュレータ）";

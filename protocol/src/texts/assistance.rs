//! SCR-11 資格情報確認 (医療扶助 tab, ch.6 §1, §3 「資格情報確認（医療扶助）」) and SCR-12 処方箋情報取得
//! (ch.2 §2(7), §3 「処方箋情報取得」): the labels the screens show, verbatim from the manual's
//! screens and item tables. The inline messages (ERR-20/21) and tab names are in `texts` itself
//! (`MA_*`), where the SCR-11 reading takes them from.

/// SCR-11 ② heading (item table: 「② 被保護者情報」).
pub const BENEFICIARY_HEADING: &str = "被保護者情報";
/// SCR-11 ② 被保護者情報, in the screen's order.
pub const BENEFICIARY_LABELS: [&str; 6] = [
    "公費負担者番号",
    "福祉事務所名",
    "受給者番号",
    "氏名(券面)",
    "性別(表面)",
    "生年月日",
];
/// SCR-11 ③ 資格情報, in the screen's order.
pub const QUALIFICATION_LABELS: [&str; 5] = [
    "資格取得日",
    "資格喪失日",
    "資格喪失事由",
    "郵便番号",
    "住所",
];
/// SCR-11 ④ one 医療券・調剤券, in the screen's order (「地区担当員名」「取扱担当員名」 as the
/// screens print them; the item table writes 「…担当者名」).
pub const TICKET_LABELS: [&str; 14] = [
    "診療年月",
    "単独・併用",
    "有効開始日",
    "有効終了日",
    "交付番号",
    "指定医療機関名",
    "処方箋発行元",
    "傷病名1",
    "傷病名2",
    "傷病名3",
    "診療区分",
    "自己負担額",
    "地区担当員名",
    "取扱担当員名",
];
/// SCR-11 ④ the table under each ticket (「あり」 / 「なし」).
pub const TICKET_TABLE: [&str; 4] = [
    "社会保険",
    "感染症の予防及び感染症の患者に対する医療に関する法律第37条の2",
    "後期高齢者医療",
    "都道府県費",
];
/// SCR-13: RULE-36, how 医療扶助 numbers are typed.
pub const SCR13_ASSISTANCE_INPUT: &str = "医療扶助の場合、「保険者番号」には「公費負担者番号」、「番号」には「受給者番号」を入力し、「検索」をクリックしてください。";
/// SCR-13 ① the 医療扶助 formats (「Format (医療扶助)」), for 保険者番号, 記号, 番号, 枝番.
pub const SCR13_ASSISTANCE_FORMATS: [&str; 4] = [
    "公費負担者番号（半角数字 8 桁）",
    "－（入力しません）",
    "受給者番号（半角数字 7 桁）",
    "－（入力しません）",
];

// ---- SCR-12 処方箋情報取得 (ch.2 §2(7)) ----

/// The screen title.
pub const TITLE_PRESCRIPTION: &str = "処方箋情報取得";
/// SCR-10 / SCR-11 《処方箋取得へ》 (RULE-25).
pub const BUTTON_TO_PRESCRIPTION: &str = "処方箋取得へ";
/// SCR-10 item table: the button's condition.
pub const TO_PRESCRIPTION_NOTE: &str = "電子処方箋を利用する薬局のみ表示されます。";
/// SCR-12 ① heading.
pub const PRESCRIPTION_QUALIFICATION: &str = "資格情報";
/// SCR-12 ① labels (「氏名(表面)」 on the screen; 「氏名(券面)」 in the item table, AMB-17).
pub const PRESCRIPTION_QUALIFICATION_LABELS: [&str; 8] = [
    "保険者番号",
    "保険者名",
    "記号",
    "番号",
    "枝番",
    "氏名(表面)",
    "性別(表面)",
    "生年月日",
];
/// SCR-12 ② heading.
pub const PRESCRIPTION_RETRIEVAL: &str = "処方箋の取得";
/// SCR-12 ② the input.
pub const EXCHANGE_NUMBER_LABEL: &str = "引換番号:";
pub const EXCHANGE_NUMBER_FORMAT: &str = "引換番号（半角数字）";
pub const EXCHANGE_NUMBER_HELP: &str = "処方箋の引換番号を入力してください。";
pub const EXCHANGE_NUMBER_ONE_AT_A_TIME: &str =
    "処方箋が複数ある場合でも、引換番号は1つずつ入力してください。";
/// SCR-12 《処方箋取得》 (one screenshot labels it 「処方箋取得へ」, AMB-72) and what it does.
pub const BUTTON_RETRIEVE: &str = "処方箋取得";
pub const RETRIEVE_NOTE: &str =
    "処方箋情報を電子処方箋管理サービスから取得して XML ファイルに出力します。";
/// SCR-12 《クリア》's description.
pub const CLEAR_NOTE: &str = "入力された引換番号をクリアします。";
/// SCR-12 《戻る》's description.
pub const BACK_NOTE: &str = "本画面を閉じ、[資格情報確認] に戻ります。";
/// No prescription with this 引換番号 for the patient. Simulator-defined: the manual describes no
/// error of the prescription service (AMB-70).
pub const NO_PRESCRIPTION: &str = "この引換番号の処方箋はありません。（シミュレータ）";
/// The confirmation's card is not one the prescription service knows (e.g. numbers masked as
/// 未委託). Simulator-defined (AMB-70).
pub const NO_PATIENT: &str = "この資格情報では処方箋を取得できません。（シミュレータ）";

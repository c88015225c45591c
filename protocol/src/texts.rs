//! Texts of the manual the simulator shows or checks, verbatim from manual-catalogue.md.
//! One place for them: scenarios and screens read them from here.

use crate::codes::QualificationValidity;

/// RULE-01.
pub const BANNER_VALID: &str = "この資格は有効です。";
/// RULE-02.
pub const BANNER_INVALID: &str = "この資格は無効です。";
/// RULE-03.
pub const BANNER_INVALID_WITH_NEWER: &str =
    "この資格は無効です。新しい資格が存在するので確認してください。";
/// RULE-32 / SCR-13 ④.
pub const MULTIPLE_MATCHES: &str =
    "複数の資格該当者が見つかりました。資格確認の該当者を以下から選択してください。";
/// RULE-04 label.
pub const PRESCHOOL_LABEL: &str = "義務教育就学前";

/// The SCR-10 ① banner for a validity, where the manual has one.
pub fn banner(v: QualificationValidity) -> Option<&'static str> {
    match v {
        QualificationValidity::Valid => Some(BANNER_VALID),
        QualificationValidity::Invalid => Some(BANNER_INVALID),
        QualificationValidity::InvalidWithNewer => Some(BANNER_INVALID_WITH_NEWER),
        QualificationValidity::Multiple => Some(MULTIPLE_MATCHES),
        // 医療扶助 without a ticket (未委託): 「この資格は有効です。」 (RULE-39).
        QualificationValidity::ValidUnregistered => Some(BANNER_VALID),
        // The manual shows no text for a search without a match (AMB-22).
        QualificationValidity::NotFound => None,
    }
}

/// WebAPI auth refused. Simulator-defined: the manual documents no text (AMB-04).
pub const WEBAPI_AUTH_FAILED: &str = "ユーザIDまたはパスワードが正しくありません。";
/// WebAPI call without a valid idToken. Simulator-defined.
pub const WEBAPI_TOKEN_REQUIRED: &str = "認証トークンが無効です。再度認証してください。";
/// WebAPI auth while the account is locked (AUTH-03, ERR-01: the message itself is image only;
/// this is the manual's 【対処】 text).
pub const WEBAPI_ACCOUNT_LOCKED: &str = accounts::ERR_01.action;

// ---------------------------------------------------------------------------------------------
// My Number card inquiry (ch.2, SCR-08/09/10) and its dialogs (ERR-05..19, ERR-25..28).
// ---------------------------------------------------------------------------------------------

/// SCR-08 guidance lines at the top of 資格情報照会（マイナンバーカード）. The third line is
/// ERR-19 (AMB-12: the screenshots show it always, so the simulator always shows it).
pub const MYNUMBER_GUIDANCE: [&str; 3] = [
    "マイナンバーカード認証前に本人確認をしてください。",
    "マイナンバーカードをカードリーダーにかざすと、資格情報を表示します。",
    ERR19_GUIDANCE,
];

/// ERR-19: the SCR-08 guidance to remove a face reader.
pub const ERR19_GUIDANCE: &str =
    "顔認証付きカードリーダーを接続している場合には取り外し、汎用カードリーダーに差し替えてご利用ください。";

/// 資格確認区分 of a My Number check (DM-17, FLOW-08/09): 目視確認.
pub const METHOD_VISUAL: &str = "目視確認";
/// 資格確認区分 of a My Number check: 暗証番号.
pub const METHOD_PIN: &str = "暗証番号";
/// The insurance-card check on the terminal (SCR-13, FLOW-15).
pub const METHOD_INSURANCE_CARD: &str = "被保険者証";
/// A face reader's own check in 無人運転 (顔認証, RULE-78).
pub const METHOD_FACE_RECOGNITION: &str = "顔認証";

/// SCR-10 ⑦ / DM-13: consent labels, not consented / consented.
pub const CONSENT_OPERATION: [&str; 2] = ["手術情報の閲覧を同意する", "手術情報の閲覧は同意済み"];
pub const CONSENT_DIAGNOSIS_MEDICATION: [&str; 2] = [
    "診療・薬剤情報の閲覧を同意する",
    "診療・薬剤情報の閲覧は同意済み",
];
pub const CONSENT_HEALTH_CHECKUP: [&str; 2] = [
    "特定健診情報の閲覧を同意する",
    "特定健診情報の閲覧は同意済み",
];

/// SCR-08 ③ 「限度額・特定疾病情報の表示」 checkboxes (RULE-14, RULE-19).
pub const SHOW_LIMIT_BOX: &str = "限度額適用認定証情報を表示";
pub const SHOW_SPECIFIC_DISEASE_BOX: &str = "特定疾病療養受療証情報を表示";

/// DM-15: 処方箋発行形態 radios on SCR-08 / SCR-10 ⑧.
pub const PRESCRIPTION_ELECTRONIC: &str = "電子処方箋を希望する";
pub const PRESCRIPTION_PAPER: &str = "紙の処方箋を希望する";

/// The label the simulator puts on texts the manual shows only as an image (§10.2): the title
/// and the start of the message, followed by the catalogue's 【事象】 so the dialog is still
/// recognisable.
pub const PLACEHOLDER_LABEL: &str = "［プレースホルダー：マニュアルでは画像のみ］";

/// A dialog (or notice) of the error catalogue, as the simulator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardDialog {
    /// Catalogue id, e.g. `ERR-06`.
    pub id: &'static str,
    /// Title; `None` when the manual shows it only as an image (a placeholder is shown).
    pub title: Option<&'static str>,
    /// Message lines; empty when the manual shows them only as an image.
    pub lines: &'static [&'static str],
    /// 【事象】.
    pub event: &'static str,
    /// 【対処】.
    pub action: &'static str,
    /// 【代替】.
    pub alternative: &'static str,
}

impl CardDialog {
    /// True when the manual shows title and message only as an image.
    pub fn is_placeholder(&self) -> bool {
        self.lines.is_empty()
    }

    /// The title shown: the manual's, the placeholder label for image-only dialogs, or none
    /// (ERR-19 is a line of SCR-08, not a dialog).
    pub fn shown_title(&self) -> Option<&'static str> {
        if self.is_placeholder() {
            Some(PLACEHOLDER_LABEL)
        } else {
            self.title
        }
    }

    /// The message shown, lines joined by `\n`; for image-only dialogs the placeholder label
    /// followed by the 【事象】.
    pub fn shown_message(&self) -> String {
        if self.lines.is_empty() {
            format!("{PLACEHOLDER_LABEL}{}", self.event)
        } else {
            self.lines.join("\n")
        }
    }
}

const RENEW_CARD: &str = "患者にマイナンバーカードの更新を依頼してください。";
const SHOW_INSURANCE_CARD: &str = "被保険者証を提示";
const NO_ALTERNATIVE: &str = "—";
const RETRY_OR_CONTACT: &str =
    "再度、同じ操作を実施してください。改善されない場合、「お問い合わせ先」へ連絡してください。";

/// ERR-05..19, ERR-22 and ERR-25..28, verbatim from manual-catalogue.md §7.2 / §7.5.
pub const CARD_DIALOGS: &[CardDialog] = &[
    CardDialog {
        id: "ERR-05",
        title: None,
        lines: &[],
        event: "利用者証明用電子証明書が失効したマイナンバーカードで資格確認を実施した。",
        action: RENEW_CARD,
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-06",
        title: None,
        lines: &[],
        event: "利用者証明用電子証明書が有効期限切れのマイナンバーカードで資格確認を実施した。",
        action: RENEW_CARD,
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-07",
        title: None,
        lines: &[],
        event: "利用者証明用電子証明書の認証で内部エラーが発生した。",
        action: RETRY_OR_CONTACT,
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-08",
        title: Some("患者へのお知らせ"),
        // The expiry date (yyyy/mm/dd) is appended right after 「有効期限」: see [`err08_message`].
        lines: &[
            "電子証明書の有効期限が3カ月以内となっています。",
            "市区町村の窓口で手続きが必要です。有効期限",
        ],
        event: "利用者証明用電子証明書の有効期限が近いマイナンバーカードで資格確認を実施した。",
        action: RENEW_CARD,
        alternative: NO_ALTERNATIVE,
    },
    CardDialog {
        id: "ERR-09",
        title: Some("マイナンバーカード認証"),
        lines: &[
            "カードリーダーが接続されていません。",
            "カードリーダーを接続してから、資格情報照会(マイナンバーカード)画面を開いてください。",
        ],
        event: "汎用カードリーダーが資格確認端末に接続されていない状態で資格確認を実施しようとした。",
        action: "汎用カードリーダーを資格確認端末に接続してください。",
        alternative: NO_ALTERNATIVE,
    },
    CardDialog {
        id: "ERR-10",
        title: Some("患者へのお知らせ"),
        lines: &[
            "読み取りに失敗しました。",
            "マイナンバーカードが正しく置かれているか確認してください。",
        ],
        event: "マイナンバーカードから利用者証明用電子証明書の読み取りに失敗した。",
        action: "マイナンバーカードが正しく置かれているか確認し、再度置いてください。",
        alternative: NO_ALTERNATIVE,
    },
    CardDialog {
        id: "ERR-11",
        title: Some("患者へのお知らせ"),
        lines: &[
            "マイナンバーカードとして認識できません。",
            "マイナンバーカードが置かれているか確認してください。",
        ],
        event: "マイナンバーカードとして認識できない。",
        action: "マイナンバーカードが正しく置かれているか確認してください。",
        alternative: NO_ALTERNATIVE,
    },
    CardDialog {
        id: "ERR-12",
        title: Some("患者へのお知らせ"),
        lines: &[
            "ご使用のマイナンバーカードに対応していません。",
            "市区町村の窓口で手続きが必要です。",
        ],
        event: "マイナンバーカードによる資格確認照会ができない。",
        action: RENEW_CARD,
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-13",
        title: Some("患者へのお知らせ"),
        lines: &[
            "利用者証明用電子証明書の暗証番号がロックされています。目視確認にて資格確認してください。",
            "市区町村の窓口で手続きが必要です。",
        ],
        event: "利用者証明用電子証明書の暗証番号がロックされているマイナンバーカードで資格確認を実施した。",
        action: "目視確認モードに切替えて資格確認を行ってください。また、患者にマイナンバーカードのロック解除を依頼してください。",
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-14",
        title: Some("マイナンバーカード認証"),
        // The second line is 「code:」 and the code: see [`err14_message`].
        lines: &["マイナンバーカード認証にてエラーが発生しました。", "code:"],
        event: "マイナンバーカードの利用者証明用電子証明書の認証で内部エラーが発生した。",
        action: RETRY_OR_CONTACT,
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-15",
        title: Some("患者様へのお知らせ"),
        lines: &["ご使用のマイナンバーカードで、資格確認日に該当する資格情報が存在しません。"],
        event: "有効な資格を表示できない。",
        action: "保険者等の都合により表示されません。\n代替を実施してください。",
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-16",
        title: Some("患者様へのお知らせ"),
        lines: &[
            "ご使用のマイナンバーカードは、保険証として使用できません。",
            "マイポータルまたは顔認証付きカードリーダーで保険証利用の登録を行ってください。",
        ],
        event: "汎用カードリーダーを使用し、保険証化が未済のマイナンバーカードで資格確認を実施した。",
        action: "患者にマイナンバーカードの保険証化に関する説明を行い、保険証化登録を行ってもらいます。",
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-17",
        title: Some("顔認証付きカードリーダー接続エラー"),
        lines: &["顔認証付きカードリーダーが接続されている端末ではご利用いただけません。"],
        event: "汎用カードリーダーと顔認証付きカードリーダーが接続された状態でマイナンバーカードによる資格情報照会（マイナンバーカード）を実施した。",
        action: "汎用カードリーダーと顔認証付きカードリーダーが接続されている場合は、マイナンバーカードによる資格情報照会（マイナンバーカード）ができないため、顔認証付きカードリーダーを取り外してください。",
        alternative: "汎用カードリーダーのみの資格確認端末を利用",
    },
    CardDialog {
        id: "ERR-18",
        title: Some("カードリーダー接続エラー"),
        lines: &["カードリーダーが複数接続されている端末ではご利用いただけません。"],
        event: "汎用カードリーダーまたは顔認証付きカードリーダーが複数接続された状態でマイナンバーカードによる資格情報照会（マイナンバーカード）を実施した。",
        action: "汎用カードリーダーまたは顔認証付きカードリーダーが複数接続されている場合は、マイナンバーカードによる資格情報照会（マイナンバーカード）ができないため、接続中のカードリーダーを単体になるよう取り外してください。",
        alternative: "接続中のカードリーダーが単体の資格確認端末を利用",
    },
    CardDialog {
        id: "ERR-19",
        title: None,
        lines: &[ERR19_GUIDANCE],
        event: "注意 接続中のカードリーダーについて",
        action: "指示に従ってください。",
        alternative: NO_ALTERNATIVE,
    },
    CardDialog {
        id: "ERR-25",
        title: Some("目視確認実行"),
        lines: &[
            "カードリーダーが接続されていません。",
            "カードリーダーを接続してから、顔認証付きカードリーダー操作画面を開いてください。",
        ],
        event: "カードリーダーが資格確認端末に接続されていない。",
        action: "カードリーダーを資格確認端末に接続してください。",
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-26",
        title: Some("目視確認実行"),
        lines: &[
            "マイナンバーカードの読み取りに失敗しました。",
            "「OK」ボタンを押下後にマイナンバーカードを再度置いてください。",
        ],
        event: "マイナンバーカードから利用者証明用電子証明書の読み取りに失敗した。",
        action: "マイナンバーカードを再度置いてください。",
        alternative: "被保険者証を提示又は他の資格確認端末を利用",
    },
    CardDialog {
        id: "ERR-27",
        title: Some("患者へのお知らせ"),
        lines: &[
            "マイナンバーカードを保険証として利用するための登録を開始します。",
            "以降は顔認証付きカードリーダーで初回登録操作が行われます。",
        ],
        event: "保険証化が未済のマイナンバーカードで目視確認による資格確認を実施した。",
        action: "患者にマイナンバーカードを保険証として利用するための登録に関する説明を行い、初回登録を行ってもらいます。\n注意 患者の操作終了を必ず確認してください。",
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-28",
        title: Some("患者へのお知らせ"),
        lines: &["資格確認の結果、有効な資格が確認できません。"],
        event: "有効な資格を表示できない。",
        action: "保険者等の都合により表示されません。\n代替を実施してください。",
        alternative: SHOW_INSURANCE_CARD,
    },
    CardDialog {
        id: "ERR-22",
        // 「患者へのお知らせ」 as the ch.6 image description reads (ERR-15 has 「患者様へ…」, AMB-30).
        title: Some("患者へのお知らせ"),
        lines: &["ご使用のマイナンバーカードで、資格確認日に該当する資格情報が存在しません。"],
        event: "被保護者の医療保険と医療扶助それぞれの資格情報がない。",
        action: NO_ALTERNATIVE,
        alternative: NO_ALTERNATIVE,
    },
];

// Medical assistance (医療扶助, ch.6 §1, SCR-11): RULE-38..47, ERR-20/21.

/// SCR-11 tab labels (「医療保険タブ」「医療扶助タブ」, RULE-41/43).
pub const MA_TAB_INSURANCE: &str = "医療保険";
pub const MA_TAB_ASSISTANCE: &str = "医療扶助";
/// SCR-11 ④ heading.
pub const MA_TICKETS_HEADING: &str = "医療券・調剤券";
/// ERR-20 (RULE-39): a valid 医療扶助 without a ticket for this facility.
pub const MA_NO_TICKET: &str =
    "医療券/調剤券情報が登録されていません。福祉事務所へ連絡してください。";
/// RULE-39: 公費負担者番号 and 受給者番号 when no ticket is shown (screen form, half-width parentheses).
pub const MA_NOT_ENTRUSTED: &str = "(未委託のため非表示)";
/// ERR-21 (RULE-44), 「下さい」 in kanji as printed.
pub const MA_MISMATCH: &str =
    "社会保険状況に不整合があります。患者に現在の加入資格を確認して下さい。";
/// RULE-44: after 「あり」/「なし」 in the 社会保険 cell (screen: 「なし (不整合あり)」).
pub const MA_MISMATCH_SUFFIX: &str = "(不整合あり)";

/// The dialog with this catalogue id (`ERR-05`..`ERR-19`, `ERR-25`..`ERR-28`).
pub fn card_dialog(id: &str) -> Option<&'static CardDialog> {
    CARD_DIALOGS.iter().find(|d| d.id == id)
}

/// ERR-08 message: the expiry date (`yyyy/mm/dd`) right after 「有効期限」, no separator.
pub fn err08_message(expiry_yyyy_mm_dd: &str) -> String {
    format!(
        "電子証明書の有効期限が3カ月以内となっています。\n市区町村の窓口で手続きが必要です。有効期限{expiry_yyyy_mm_dd}"
    )
}

/// ERR-14 message with its code (the manual prints 「code:fxxxxxx1」).
pub fn err14_message(code: &str) -> String {
    format!("マイナンバーカード認証にてエラーが発生しました。\ncode:{code}")
}

/// Wrong PIN, not yet locked. Simulator-defined: the manual documents no text (AMB-27). The
/// title is SCR-09's.
pub const WRONG_PIN_TITLE: &str = "暗証番号入力";
/// Wrong-PIN message (simulator-defined, AMB-27) with the tries the card reports left.
pub fn wrong_pin_message(tries_left: u8) -> String {
    format!("暗証番号が正しくありません。（残り{tries_left}回）")
}

/// No PIN given on the PIN path. Simulator-defined (SCR-09: 「利用者電子証明書の暗証番号（4桁の数字）」).
pub const PIN_REQUIRED_MESSAGE: &str =
    "利用者電子証明書の暗証番号（4桁の数字）を入力してください。";

// ---- Confirmation history (資格確認履歴, ch.8: SCR-19, SCR-20, DM-17, ERR-23/24) ----

/// DM-17 資格確認区分 display texts (「資格確認区分 表示内容」), verbatim.
pub const HISTORY_KIND_MY_NUMBER_VISUAL: &str = "マイナンバーカード(目視確認)";
pub const HISTORY_KIND_MY_NUMBER_PIN: &str = "マイナンバーカード(暗証番号)";
pub const HISTORY_KIND_INSURANCE_CARD: &str = "被保険者証・医療券/調剤券";
pub const HISTORY_KIND_SYSTEM_OUTAGE: &str = "システム障害時";
pub const HISTORY_KIND_FACE_VISUAL: &str = "顔認証機器(目視確認)";
pub const HISTORY_KIND_FACE_PIN: &str = "顔認証機器(暗証番号)";
pub const HISTORY_KIND_FACE_RECOGNITION: &str = "顔認証機器(顔認証)";

/// SCR-19 「* 資格確認区分」 search values, verbatim. 「一括照会」 and 「災害時」 have no display
/// text in DM-17 (AMB-43); the simulator shows the filter value itself for such records.
pub const HISTORY_FILTER_ALL: &str = "全て";
pub const HISTORY_FILTER_MY_NUMBER_CARD: &str = "マイナンバーカード";
pub const HISTORY_FILTER_INSURANCE_CARD: &str = "被保険者証";
pub const HISTORY_FILTER_BULK: &str = "一括照会";
pub const HISTORY_FILTER_OUTAGE: &str = "障害時";
pub const HISTORY_FILTER_DISASTER: &str = "災害時";

/// SCR-19 「* 資格確認区分絞込み」 values (RULE-60); 「全て表示」 is the screenshot default (AMB-44).
pub const HISTORY_NARROWING_SHOW_ALL: &str = "全て表示";
pub const HISTORY_NARROWING_EXCLUDE_FACE: &str = "顔認証分を含めない";
pub const HISTORY_NARROWING_FACE_ONLY: &str = "顔認証端末のみ";

/// SCR-19 ③ list columns (line 1 then line 2, without the 《詳細》 button): the CSV header.
/// The CSV layout itself is image only (AMB-49); the simulator writes the list's columns.
pub const HISTORY_CSV_HEADERS: [&str; 11] = [
    "通番",
    "資格確認日時",
    "ログインID",
    "照会番号",
    "確認区分",
    "資格確認結果",
    "保険者番号",
    "証記号番号枝番",
    "氏名",
    "性別",
    "生年月日",
];

/// ERR-23 (RULE-58): history search over 10,000 hits. Title and message are image only (§10.2).
pub const ERR_23: CardDialog = CardDialog {
    id: "ERR-23",
    title: None,
    lines: &[],
    event: "10,000件を超える検索結果が検索された場合は、確認メッセージが表示され、検索結果が表示されません。",
    action: "検索条件を見直して、再検索してください。",
    alternative: NO_ALTERNATIVE,
};
/// ERR-24 (RULE-58): history download over 10,000 hits. Title and message are image only.
pub const ERR_24: CardDialog = CardDialog {
    id: "ERR-24",
    title: None,
    lines: &[],
    event: "10,000件を超える検索条件の場合は、確認メッセージが表示され、ダウンロードできません。",
    action: "検索条件を見直して、再検索してください。",
    alternative: NO_ALTERNATIVE,
};

/// SCR-20 ② labels.
pub const HISTORY_DETAIL_KIND: &str = "資格確認区分";
pub const HISTORY_DETAIL_CONFIRMED_AT: &str = "資格確認日時";
/// SCR-20 consent grid labels (RULE-61), in screen order; 「特定健診情報閲覧同意」 per AMB-45.
pub const HISTORY_CONSENT_LABELS: [&str; 6] = [
    "限度額適用認定証閲覧同意",
    "特定疾病療養受療証閲覧同意",
    "手術情報閲覧同意",
    "特定健診情報閲覧同意",
    "薬剤情報閲覧同意",
    "診療情報閲覧同意",
];
pub const HISTORY_CONSENT_YES: &str = "あり";
pub const HISTORY_CONSENT_NO: &str = "なし";
/// SCR-20 「処方箋発行形態選択」 and its values (RULE-61).
pub const HISTORY_PRESCRIPTION_FORM: &str = "処方箋発行形態選択";
/// 「未選択」: no form chosen; 「電子」/「紙」 are the labels of `codes::PrescriptionIssueForm`.
pub const HISTORY_PRESCRIPTION_UNSELECTED: &str = "未選択";
/// SCR-20 ③ 被保険者情報 labels, in screen order.
pub const HISTORY_INSURED_LABELS: [&str; 9] = [
    "照会番号",
    "保険者番号",
    "保険者名",
    "記号",
    "番号",
    "枝番",
    "氏名(券面)",
    "性別(表面)",
    "生年月日",
];
/// SCR-20 ④ 資格情報 labels, in screen order.
pub const HISTORY_QUALIFICATION_LABELS: [&str; 11] = [
    "証区分",
    "一部負担金割合",
    "資格取得日",
    "資格喪失日",
    "有効開始日",
    "有効終了日",
    "本人・家族の別",
    "被保険者氏名",
    "資格喪失事由",
    "郵便番号",
    "住所",
];

// ---------------------------------------------------------------------------------------------
// Bulk jobs (§6, JOB-01 / JOB-02) and reference numbers (照会番号, SCR-14). Status strings as the
// item tables print them: full-width 「（要確認）」, half-width 「(…)」 around failure causes and the
// space in 「XML構造エラー」 (AMB-34/35: the team keeps the item-table form).

/// JOB-01 照会状況 / JOB-02 処理状況: (status, description) per state, in the manual's order.
pub mod job_status {
    /// JOB-01 照会待ち.
    pub const INQUIRY_WAITING: &str = "照会待ち";
    pub const INQUIRY_PROCESSING: &str = "照会中";
    pub const INQUIRY_DONE: &str = "照会完了";
    pub const INQUIRY_DONE_CHECK: &str = "照会完了（要確認）";
    pub const INQUIRY_FAILED_SYSTEM: &str = "照会失敗(システムエラー)";
    pub const INQUIRY_FAILED_XML: &str = "照会失敗(XML構造エラー)";
    pub const INQUIRY_FAILED_HEADER: &str = "照会失敗(ヘッダー項目エラー)";
    pub const INQUIRY_FAILED_LIMIT: &str = "照会失敗(処理上限エラー)";
    pub const INQUIRY_WAITING_DESC: &str = "照会処理待ちの状態です。";
    pub const INQUIRY_PROCESSING_DESC: &str = "照会処理中です。";
    pub const INQUIRY_DONE_DESC: &str = "処理が正常に終了しています。";
    pub const INQUIRY_DONE_CHECK_DESC: &str =
        "処理が正常終了しています。照会結果に確認の必要なデータが含まれています。";
    pub const INQUIRY_FAILED_DESC: &str =
        "照会が失敗しました。資格確認一括照会要求ファイルを確認し、再度照会してください。";

    /// JOB-02 登録待ち.
    pub const REGISTRATION_WAITING: &str = "登録待ち";
    pub const REGISTRATION_PROCESSING: &str = "登録中";
    pub const REGISTRATION_DONE_CHECK: &str = "登録完了（要確認）";
    pub const REGISTRATION_DONE: &str = "登録完了";
    pub const REGISTRATION_FAILED_SYSTEM: &str = "登録失敗(システムエラー)";
    pub const REGISTRATION_FAILED_XML: &str = "登録失敗(XML構造エラー)";
    pub const REGISTRATION_FAILED_HEADER: &str = "登録失敗(ヘッダー項目エラー)";
    pub const REGISTRATION_FAILED_LIMIT: &str = "登録失敗(処理上限エラー)";
    pub const REGISTRATION_WAITING_DESC: &str = "登録処理待ちの状態です。まだ登録されていません。";
    pub const REGISTRATION_PROCESSING_DESC: &str = "登録処理中です。";
    pub const REGISTRATION_DONE_CHECK_DESC: &str =
        "登録処理が正常に終了していますが、確認の必要なデータがあります。";
    pub const REGISTRATION_DONE_DESC: &str = "登録処理が正常に終了しています。";
    pub const REGISTRATION_FAILED_DESC: &str =
        "登録処理が失敗しています。照会番号一括登録要求ファイルを確認し、再度登録してください。";

    /// JOB-04 取得状況 (ch.6 §2(2)): the statuses of JOB-01 with its own failure causes
    /// (「XML 構造エラー」 without the extraction space) and descriptions.
    pub const ENTRUSTED_FAILED_REQUEST_ITEM: &str = "照会失敗(要求情報項目エラー)";
    pub const ENTRUSTED_FAILED_FILE_SIZE: &str = "照会失敗(ファイルサイズ上限超過エラー)";
    pub const ENTRUSTED_WAITING_DESC: &str = "取得処理待ちの状態です。";
    pub const ENTRUSTED_PROCESSING_DESC: &str = "取得処理中です。";
    pub const ENTRUSTED_DONE_CHECK_DESC: &str =
        "処理が正常終了しています。取得結果に確認の必要なデータが含まれています。";
    pub const ENTRUSTED_FAILED_DESC: &str = "取得が失敗しました。再度取得してください。";
    /// FLOW-36 step 3 (step text after DLG-16, which is an image only).
    pub const ENTRUSTED_ACCEPTED: &str = "委託先資格情報一括取得の受付が完了しました。";
}

/// The face-reader screens SCR-31 / SCR-32 (ch.9, ch.10).
pub mod face;

/// A confirmation dialog of the catalogue's dialog table (DLG-), as the simulator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Dlg {
    /// Catalogue id, e.g. `DLG-05`.
    pub id: &'static str,
    pub title: &'static str,
    /// Message lines.
    pub lines: &'static [&'static str],
    /// Buttons, e.g. 「OK」「キャンセル」.
    pub buttons: &'static [&'static str],
}

const CONSENT_DIALOG_LINES: &[&str] = &[
    "患者の同意を得られましたら、「OK」を押してください。",
    "※プライバシーに関わる情報となります。",
    "※書面で患者の同意を得る必要があります。",
];

/// DLG-05: 「診療・薬剤情報の閲覧を同意する」 checked on SCR-08.
pub const DLG_05: Dlg = Dlg {
    id: "DLG-05",
    title: "診療・薬剤情報の閲覧に同意する",
    lines: CONSENT_DIALOG_LINES,
    buttons: &["OK", "キャンセル"],
};
/// DLG-06: 「特定健診情報の閲覧を同意する」 checked on SCR-08.
pub const DLG_06: Dlg = Dlg {
    id: "DLG-06",
    title: "特定健診情報の閲覧に同意する",
    lines: CONSENT_DIALOG_LINES,
    buttons: &["OK", "キャンセル"],
};
/// DLG-10: 《登録》 on the 照会番号 editor (SCR-14); also shown for DLG-11/12 (AMB-68).
pub const DLG_10: Dlg = Dlg {
    id: "DLG-10",
    title: "照会番号登録",
    lines: &["照会番号を登録しました。"],
    buttons: &["OK"],
};
/// DLG-27: a visual check (目視確認) on a face reader is about to run.
pub const DLG_27: Dlg = Dlg {
    id: "DLG-27",
    title: "目視確認実行",
    lines: &[
        "目視確認による資格照会を行います。",
        "目視で本人確認を行いましたら「OK」ボタンを押してください。",
    ],
    buttons: &["OK", "キャンセル"],
};
/// DLG-28: the visual check on a face reader succeeded (not shown after ERR-27, RULE-94).
pub const DLG_28: Dlg = Dlg {
    id: "DLG-28",
    title: "目視確認実行",
    lines: &["目視による資格確認が完了しました。"],
    buttons: &["OK"],
};

/// SCR-08 ① 本人確認: the two radio buttons and their companions, verbatim.
pub const SCR08_METHOD_VISUAL: &str = "マイナンバーカードの券面で目視確認";
pub const SCR08_VISUAL_DONE_BOX: &str = "目視で本人確認完了（スペースキーでチェック可能です。）";
pub const SCR08_METHOD_PIN: &str = "暗証番号を入力";
pub const SCR08_PIN_PROMPT: &str = "利用者証明用電子証明書の暗証番号入力をお願いしてください。";

/// DLG-10 (also shown for DLG-11/12, AMB-68).
pub const REFERENCE_NUMBER_REGISTERED_DIALOG: &str = "照会番号を登録しました。";
/// SCR-14 step texts after 《登録》 / 《更新》 / deletion.
pub const REFERENCE_NUMBER_REGISTERED: &str = "照会番号が登録されました。";
pub const REFERENCE_NUMBER_UPDATED: &str = "照会番号が更新されました。";
pub const REFERENCE_NUMBER_DELETED: &str = "照会番号が削除されました。";

/// ch.1 (login, notices, menu, password, logout): SCR-01..07, ERR-01..04, DLG-01..03.
pub mod accounts;

/// The check screens (SCR-08..10, SCR-13..20) and their image-only dialogs.
pub mod checks;

/// 委託先資格情報一括取得 (ch.6 §2, SCR-29/30, DLG-16).
pub mod entrusted;

/// 訪問診療等・オンライン診療等 bulk and consent cancellation (ch.3 §4–§6, SCR-25..28, DLG-14/18/19).
pub mod visiting_jobs;

/// 訪問診療等・オンライン診療等 check screens (ch.3: SCR-21..24, DLG-20).
pub mod visiting_check;

/// SCR-11's 医療扶助 tab (ch.6 §1, §3) and SCR-12 処方箋情報取得 (ch.2 §2(7)).
pub mod assistance;

/// 保管調剤結果一括取得 (ch.11, SCR-33/34, DLG-31/32, ERR-30/31), verbatim (the spaces the text
/// extraction put between digits and Japanese removed, as elsewhere: docs/interface.md §8).
pub mod dispensing {
    use super::Dlg;

    /// The title of SCR-33 and of its dialogs.
    pub const TITLE: &str = "保管調剤結果一括取得";
    /// The title of SCR-34.
    pub const RESULTS_TITLE: &str = "保管調剤結果一括取得結果";
    /// DLG-31: 《調剤結果取得》 on SCR-33.
    pub const DLG_31: Dlg = Dlg {
        id: "DLG-31",
        title: TITLE,
        lines: &["取得します。よろしいですか？"],
        buttons: &["OK", "キャンセル"],
    };
    /// DLG-32's first line; the second is [`ID_LABEL`] + the 24-digit ID.
    pub const DLG_32_SUCCESS: &str = "保管調剤結果取得に成功しました。";
    pub const ID_LABEL: &str = "調剤結果一括取得ID：";
    /// RULE-75, under DLG-32.
    pub const NOT_DOWNLOADED_YET: &str = "この時点ではオンライン資格確認端末にダウンロードされていません。保管調剤結果一括取得結果画面からダウンロードしてください。";
    /// SCR-33 notes.
    pub const ENTER_ALL: &str = "取得条件の項目について全て入力してください。";
    pub const WITHIN_A_MONTH: &str =
        "調剤結果取得期間（開始）と調剤結果取得期間（終了）は一カ月以内の期間で入力してください。";
    /// ERR-30 (RULE-71) 【事象】.
    pub const ERR_30: &str = "同日に同じ取得条件での一括取得はできません。";
    /// ERR-30 【対処】.
    pub const ERR_30_REMEDY: &str = "「2024/07/02」～「2024/07/11」のように期間指定を変更するか、別日（2024年7月2日等）に《調剤結果取得》を実施してください。";
    /// ERR-31 (RULE-70) 【事象】.
    pub const ERR_31: &str = "取得可能な最長期間は1ヶ月（31日）です。";
    /// SCR-34 banner.
    pub const DEADLINE_BANNER: &str = "ダウンロード期限までにダウンロードを完了してください";
    /// SCR-34 照会状況 (「取得結果」 / 「説明」).
    pub const DONE: &str = "照会完了";
    pub const DONE_DESC: &str = "処理が正常に終了しています。";
    pub const PROCESSING: &str = "照会中";
    pub const PROCESSING_DESC: &str = "取得処理中です。";
    /// No failure status in the manual (AMB-38): the simulator's, in JOB-01's words.
    pub const FAILED_SYSTEM: &str = "照会失敗(システムエラー)";
    pub const FAILED_DESC: &str =
        "取得処理が失敗しています。再度《調剤結果取得》を実施してください。";
    /// RULE-74 note.
    pub const ZERO_COUNT: &str = "《件数》が0件は、照会した期間に保管した調剤結果がありません。";
    pub const DEADLINE_PASSED: &str = "ダウンロード期限を経過している場合は再度取得してください。";
    /// SCR-33 ① and its fields (ch.11 §4 画面項目説明).
    pub const CONDITIONS: &str = "一括取得条件";
    pub const START: &str = "調剤結果取得期間（開始）";
    pub const END: &str = "調剤結果取得期間（終了）";
    /// The prefix of the manual's notes (「注意 …」).
    pub const CAUTION: &str = "注意";
    /// SCR-33 ② 《調剤結果取得》.
    pub const BUTTON_ACQUIRE: &str = "調剤結果取得";
    /// SCR-34's pager links (「<<前へ 1 次へ>>」).
    pub const PREVIOUS: &str = "<<前へ";
    pub const NEXT: &str = "次へ>>";
    /// SCR-34's count line: 「検索結果： 3 件1-3件表示」 (rows `first`..=`last` shown; nothing
    /// shown: the count alone).
    pub fn pager(total: usize, shown: Option<(usize, usize)>) -> String {
        match shown {
            Some((first, last)) => format!("検索結果： {total} 件{first}-{last}件表示"),
            None => format!("検索結果： {total} 件"),
        }
    }
    /// SCR-34 columns.
    pub const COLUMNS: [&str; 6] = [
        "調剤結果一括取得ID",
        "照会状況",
        "調剤結果取得期間",
        "件数",
        "結果",
        "ダウンロード期限",
    ];
}

/// システム障害 (ch.12 §1, ENV-15, RULE-91/92) and 緊急時医療情報・資格確認機能 (RULE-90), verbatim.
pub mod outage {
    /// ENV-15 / RULE-91: the situation.
    pub const SITUATION: &str =
        "システム障害発生等によりオンライン資格確認等システムが利用できない状態となった場合";
    /// RULE-91: the heading of the insurance-card case.
    pub const INSURANCE_CARD_CASE: &str = "＜患者が被保険者証を持参して来院した場合＞";
    /// RULE-91: the heading of the My Number card case.
    pub const MY_NUMBER_CARD_CASE: &str = "＜患者がマイナンバーカードを持参して来院した場合＞";
    /// RULE-91 ＜患者が被保険者証を持参して来院した場合＞.
    pub const WITH_INSURANCE_CARD: &str = "被保険者証により資格確認を行い受診します。";
    /// RULE-91 ＜患者がマイナンバーカードを持参して来院した場合＞.
    pub const WITH_MY_NUMBER_CARD: &str = "マイナンバーカードによる資格確認ができないため、資格確認せずに受診してもらいます。この場合の手続き等は被保険者証を持参していない患者の受診と同様に行ってください。";
    /// DM-23: what staff note for the later check.
    pub const NOTE_FROM_CARD: &str =
        "【マイナンバーカードの券面から控える情報】氏名（漢字）、性別、生年月日、住所";
    pub const NOTE_FROM_QUESTIONNAIRE: &str =
        "【問診票やヒアリング内容から取得する情報】氏名（カナ）、加入している保険者名（任意）";
    /// RULE-92.
    pub const AFTER_RECOVERY: &str = "システム復旧後は、指定された期間に、控えておいた券面情報により保険資格を確認します。使用できるのは、管理アカウント又は医療情報閲覧アカウントを払い出された職員のみ限定されます。";
    /// RULE-90 / ENV-14.
    pub const EMERGENCY_MENU_NOTE: &str =
        "※ 緊急時医療情報・資格確認機能のメニューは対象期間以外は表示されません。";
    /// The menu item's name (ch.1 §5).
    pub const EMERGENCY_MENU: &str = "緊急時医療情報・資格確認機能";

    /// The later check's screen (RULE-92): titled with ch.12 §1's heading; the manual shows no
    /// screen for it, so everything below marked "simulator's own" is not the manual's.
    pub const LATER_CHECK_TITLE: &str = "システム障害時の資格確認";
    /// DM-23's items, verbatim.
    pub const NOTE_NAME: &str = "氏名（漢字）";
    pub const NOTE_SEX: &str = "性別";
    pub const NOTE_BIRTHDATE: &str = "生年月日";
    pub const NOTE_ADDRESS: &str = "住所";
    pub const NOTE_KANA: &str = "氏名（カナ）";
    pub const NOTE_INSURER: &str = "加入している保険者名（任意）";
    /// Simulator's own: the screen's note, the day of the visit, the button, the refusals.
    pub const LATER_CHECK_SIMULATOR_NOTE: &str =
        "この画面はシミュレータ独自のものです（マニュアルに画面の記載はありません）。";
    pub const VISITED_ON: &str = "来院日（空欄：障害発生日）";
    pub const BUTTON_LATER_CHECK: &str = "資格確認";
    pub const LATER_CHECK_STILL_DOWN: &str = "システム復旧後に確認してください。";
    pub const LATER_CHECK_NO_OUTAGE: &str = "システム障害は発生していません。";
    pub const LATER_CHECK_PERIOD_OVER: &str = "指定された期間を過ぎているため、確認できません。";
    pub const LATER_CHECK_REQUIRED: &str = "氏名（漢字）と生年月日を入力してください。";
    /// The emergency function's screen: simulator's own (the manual describes only its menu).
    pub const EMERGENCY_SIMULATOR_NOTE: &str = "この画面はシミュレータ独自のものです（マニュアルには対象期間だけメニューに表示されることのみ記載があります）。被保険者証の記号・番号等で資格を確認し、「災害時」として記録します。";
    pub const EMERGENCY_CLOSED: &str = "対象期間外のため利用できません。";
    pub const EMERGENCY_BAD_INPUT: &str = "入力内容を確認してください。";
    pub const LATER_CHECK_BAD_INPUT: &str =
        "生年月日・来院日は西暦年月日（入力例 2020/10/10）、性別は男・女で入力してください。";
}

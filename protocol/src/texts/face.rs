//! Texts of the face-reader screens (ch.9 SCR-31 顔認証付きカードリーダー操作, ch.10 SCR-32
//! 顔認証付きカードリーダー環境設定), verbatim from the manual; the dialogs the manual shows only
//! as an image carry [`super::PLACEHOLDER_LABEL`] and the simulator's wording.

use super::{Dlg, PLACEHOLDER_LABEL};

pub const SCR31_TITLE: &str = "顔認証付きカードリーダー操作";
pub const SCR32_TITLE: &str = "顔認証付きカードリーダー環境設定";
/// SCR-05's group of both (RULE-76).
pub const MENU_GROUP: &str = "顔認証付きカードリーダー管理";

/// SCR-31 ① 運転モード選択.
pub const SCR31_READER_HEADING: &str = "カードリーダー名 / 現在のモード";
pub const SCR31_SELECTED_LEGEND: &str = "※選択中のモード:";
pub const RELOAD: &str = "再読み込み";
/// ④ 《再読み込み》 (item table).
pub const RELOAD_HINT: &str = "カードリーダーの状態を再読み込みします。";
pub const MODE_UNATTENDED: &str = "無人運転";
pub const MODE_PIN_ONLY: &str = "暗証番号認証固定";
pub const MODE_VISUAL: &str = "目視確認";
/// RULE-81.
pub const NO_FACE_READER_NOTE: &str =
    "顔認証付きカードリーダーが接続されていない場合は、いずれのボタンも灰色で表示されます。";

/// SCR-31 ② 目視確認時利用項目 (RULE-80).
pub const SCR31_VISUAL_ITEMS: &str = "目視確認時利用項目";
pub const SCR31_VISUAL_ITEMS_NOTE: &str = "《現在のモード》が「目視確認」のときに選択できます。";
pub const CONFIRMATION_DATE: &str = "資格確認日";
pub const REQUIRED_NOTE: &str = "* 必須項目";
pub const IDENTITY: &str = "本人確認";
/// AMB-61: three OCR variants; the one of the screens after the switch (ch.9 §3 step 3).
pub const IDENTITY_TEXT: &str = "マイナンバーカードの券面を目視確認";
pub const VISUAL_DONE_BOX: &str = "目視で本人確認完了";
/// A 資格確認日 that is not a date: the simulator's own text (the manual has none).
pub const DATE_NOT_A_DATE: &str =
    "資格確認日は西暦年月日（例：2020/10/30）で入力してください。（シミュレーター独自の文言）";
pub const MENU: &str = "メニュー";
pub const BACK: &str = "戻る";

/// DLG-21..26: 「カードリーダー: 」 (half-width colon, DLG-21/22) and 「カードリーダー：」 (full-width,
/// DLG-26), as the manual prints them (AMB-88).
pub const READER_LINE_HALF: &str = "カードリーダー: ";
pub const READER_LINE_FULL: &str = "カードリーダー：";

pub const DLG_21: Dlg = Dlg {
    id: "DLG-21",
    title: "モード切替",
    lines: &["目視確認モードに切り替えます。よろしいですか？"],
    buttons: &["OK", "キャンセル"],
};
pub const DLG_22: Dlg = Dlg {
    id: "DLG-22",
    title: "モード切替",
    lines: &["目視確認モードに切り替えました。"],
    buttons: &["OK"],
};
/// Image only in the manual (ch.9 §4 step 3): the simulator's wording.
pub const DLG_23: Dlg = Dlg {
    id: "DLG-23",
    title: PLACEHOLDER_LABEL,
    lines: &["無人運転モードに切り替えます。よろしいですか？"],
    buttons: &["OK", "キャンセル"],
};
/// Image only (ch.9 §4 step 4).
pub const DLG_24: Dlg = Dlg {
    id: "DLG-24",
    title: PLACEHOLDER_LABEL,
    lines: &["無人運転モードに切り替えました。"],
    buttons: &["OK"],
};
/// Image only (ch.9 §5 step 3).
pub const DLG_25: Dlg = Dlg {
    id: "DLG-25",
    title: PLACEHOLDER_LABEL,
    lines: &["暗証番号認証固定モードに切り替えます。よろしいですか？"],
    buttons: &["OK", "キャンセル"],
};
pub const DLG_26: Dlg = Dlg {
    id: "DLG-26",
    title: "モード切替",
    lines: &["暗証番号認証固定モードに切り替えました。"],
    buttons: &["OK"],
};

/// The reader line of a モード切替 dialog (DLG-21/22: half-width colon; the others: full-width).
pub fn reader_line(dialog: &Dlg, device_id: &str) -> String {
    let prefix = if matches!(dialog.id, "DLG-21" | "DLG-22") {
        READER_LINE_HALF
    } else {
        READER_LINE_FULL
    };
    format!("{prefix}{device_id}")
}

/// SCR-32 ① 電子処方箋関連画面表示有無選択 (RULE-83).
pub const SCR32_HEADING: &str = "電子処方箋関連画面の表示有無";
pub const SHOW: &str = "表示する";
pub const HIDE: &str = "表示しない";
/// ERR-29, inline on SCR-32.
pub const ERR29: &str = "セットアップ済みの顔認証付きカードリーダーのみ設定可能です。";
/// Image only (ch.10 §2 step 4): the simulator's wording.
pub const DLG_29: Dlg = Dlg {
    id: "DLG-29",
    title: PLACEHOLDER_LABEL,
    lines: &["電子処方箋関連画面の表示有無を切り替えます。よろしいですか？"],
    buttons: &["OK", "キャンセル"],
};
/// Image only (ch.10 §2 step 5, 「切替え完了メッセージ」).
pub const DLG_30: Dlg = Dlg {
    id: "DLG-30",
    title: PLACEHOLDER_LABEL,
    lines: &["電子処方箋関連画面の表示有無を切り替えました。"],
    buttons: &["OK"],
};

/// SCR-32 opened by its URL where RULE-77 hides its menu item. The manual has no text for
/// this (the item is simply not shown); the simulator's own, in RULE-77's words.
pub const SETTINGS_NOT_AVAILABLE: &str = "「顔認証付きカードリーダー環境設定」は、電子処方箋を利用する医療機関・薬局で、「電子処方箋対応版の本人認証用カードリーダーソフト」がインストール済の場合のみ利用できます。（シミュレータ）";

/// SCR-31 opened by its URL where RULE-76 hides its menu item: RULE-76's own words (ch.1 §5).
pub const OPERATION_NOT_AVAILABLE: &str =
    "本メニューは、「本人認証用カードリーダーソフト」がインストール済の場合のみ表示されます。";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_dialogs_name_the_reader_with_the_manuals_colon() {
        let id = "Identiv CLOUD 3701 F Contactless Reader 0";
        assert_eq!(
            reader_line(&DLG_21, id),
            "カードリーダー: Identiv CLOUD 3701 F Contactless Reader 0"
        );
        assert_eq!(
            reader_line(&DLG_26, id),
            "カードリーダー：Identiv CLOUD 3701 F Contactless Reader 0"
        );
    }
}

//! ch.1 システムの基本的な使い方: the texts of login, notices, menu, password change and
//! logout (SCR-01..07, AUTH-, ERR-01..04, DLG-01..03), verbatim from manual-catalogue.md §2, §3
//! and §7.1. The spaces the PDF extraction puts between digits and kana in running text
//! (「5 回」) are dropped, as on the screenshots (「8文字以上20文字以下」).

use super::{CardDialog, Dlg, PLACEHOLDER_LABEL};

/// Header left of every screen (HDR) and SCR-02's header.
pub const SYSTEM_NAME: &str = "オンライン資格確認等システム";

/// SCR-01 (AUTH-01): the entry page's only button.
pub const START_BUTTON: &str = "システムの利用を始める";

/// Screen titles.
pub const TITLE_LOGIN: &str = "ログイン";
pub const TITLE_NOTICES: &str = "お知らせ一覧";
pub const TITLE_NOTICE: &str = "お知らせ確認";
pub const TITLE_MENU: &str = "メニュー";
pub const TITLE_PASSWORD: &str = "パスワード変更";

/// SCR-02 labels and button.
pub const LABEL_USER_ID: &str = "ユーザID";
pub const LABEL_PASSWORD: &str = "パスワード";
pub const BUTTON_LOGIN: &str = "ログイン";
/// SCR-02 ② note (AUTH-03).
pub const LOCKOUT_NOTE: &str = "※パスワードを5回間違えると、アカウントがロックされ30分間ログインできなくなります。ロックの解除は管理者に依頼するか、30分経過後に正しいパスワードで再ログインしてください。";

/// Buttons of the screens and dialogs, as the manual names them (《…》).
pub const BUTTON_OK: &str = "OK";
pub const BUTTON_CANCEL: &str = "キャンセル";
pub const BUTTON_CLOSE: &str = "閉じる";
pub const BUTTON_BACK: &str = "戻る";
pub const BUTTON_MENU: &str = "メニュー";
pub const BUTTON_CHANGE: &str = "変更";
pub const BUTTON_LOGOUT: &str = "ログアウト";
pub const BUTTON_NOTICES: &str = "お知らせ一覧";

/// SCR-03 lists ① and ②, their columns and pager (RULE-89).
pub const NOTICES_ALL: &str = "「全体」お知らせ一覧";
pub const NOTICES_OWN: &str = "「個別」お知らせ一覧";
pub const NOTICE_COLUMNS: [&str; 4] = ["項番", "表題", "公開日", "公開終了日"];
pub const PAGER_PREVIOUS: &str = "<<前へ";
pub const PAGER_NEXT: &str = "次へ>>";
/// RULE-89: notices per page.
pub const NOTICES_PER_PAGE: usize = 20;
/// SCR-03 pager text, as 「検索結果： 5 件 1-5件表示」.
pub fn notices_count(total: usize, first: usize, last: usize) -> String {
    format!("検索結果： {total} 件 {first}-{last}件表示")
}
/// SCR-04 ① labels.
pub const NOTICE_LABELS: [&str; 4] = ["表題", "公開日", "公開終了日", "お知らせ内容"];

/// SCR-06/07 labels (SCR-07 has no 旧パスワード).
pub const LABEL_OLD_PASSWORD: &str = "旧パスワード:";
pub const LABEL_NEW_PASSWORD: &str = "新パスワード:";
pub const LABEL_NEW_PASSWORD_CONFIRM: &str = "新パスワード(確認):";

/// SCR-06/07 【パスワードについて】 block (§2.2), line by line.
pub const PASSWORD_RULES: [&str; 14] = [
    "【パスワードについて】",
    "・8文字以上20文字以下で設定してください。",
    "・数字、英字小文字、英字大文字、特殊文字をそれぞれひとつ以上組み合わせてください。",
    "※特殊文字として使用できる記号は以下のとおりです。",
    "` ~ ! @ # $ % ^ & * _ { } [] | : ' < > , . ? - () /",
    "・パスワード変更時に設定するパスワードが13文字未満の場合、以下を満たしてください。",
    "(1) 5世代前までのパスワードと同じパスワードは使用できません。",
    "(2) 5世代前までのパスワードと先頭5文字が同じになる類似のパスワードは使用できません。",
    "(変更できない例：変更前「staff123」→変更後「staff456」など)",
    "・パスワードの有効期限は以下のとおりです。",
    "(1) パスワードが13文字未満の場合、「60日間」です。",
    "(2) パスワードが13文字以上の場合、「無期限」です。",
    "(3) 以下のアカウントはパスワードの文字数に関係なく「無期限」です。",
    "顔認証付きカードリーダー用、連携アプリケーション用、WebAPI用",
];

/// ch.1 §4 step 4: what SCR-06 says after a change (the step's own words).
pub const PASSWORD_CHANGED: &str = "パスワードの変更が完了しました。";

/// AUTH-15 (FLOW-07): before the service start date only 《パスワード変更》 is shown.
pub const BEFORE_SERVICE_START: &str = "利用開始日が到来するまで、全ての機能は利用できません。";

/// A menu item of a domain the simulator does not have yet (shown disabled).
pub const NOT_BUILT: &str = "未実装（シミュレータ）";

/// 権限区分 (ch.1 §5 ⑧) and the short form the screenshots show in the header (AMB-74).
pub const ROLE_ADMIN: &str = "管理者";
pub const ROLE_GENERAL: &str = "一般利用者";
pub const ROLE_VIEWER: &str = "医療情報閲覧";
pub const ROLE_GENERAL_SHORT: &str = "一般";

/// Special accounts (AUTH-18): their passwords never expire.
pub const KIND_FACE_READER: &str = "顔認証付きカードリーダー用";
pub const KIND_RENKEI: &str = "連携アプリケーション用";
pub const KIND_WEBAPI: &str = "WebAPI用";

// ---- Simulator-defined messages: the manual documents none (AMB-04, AMB-05) ----

/// Wrong user ID or password before the lock (AMB-04).
pub const LOGIN_REFUSED: &str = "ユーザIDまたはパスワードが正しくありません。";
/// A required field left empty (AMB-05, AMB-23).
pub const FIELD_REQUIRED: &str = "を入力してください。";
/// 旧パスワード is not the current password (AMB-05).
pub const OLD_PASSWORD_WRONG: &str = "旧パスワードが正しくありません。";
/// 新パスワード and 新パスワード(確認) differ (AMB-05).
pub const NEW_PASSWORD_MISMATCH: &str = "新パスワードと新パスワード(確認)が一致しません。";
/// The form was sent twice or from another page (CSRF token missing or stale).
pub const FORM_EXPIRED: &str = "画面の有効期限が切れました。もう一度操作してください。";

// ---- Dialogs (image only in the manual, §10.2: shown as labelled placeholders) ----

/// ERR-01 (AUTH-03): locked after 5 wrong passwords.
pub const ERR_01: CardDialog = CardDialog {
    id: "ERR-01",
    title: None,
    lines: &[],
    event: "パスワードを5回間違えると、以下のメッセージが表示され、ログインできなくなります。",
    action:
        "ログインできなくなった場合は、30分待つか、管理者にパスワード初期化を依頼してください。",
    alternative: "",
};
/// ERR-02 (AUTH-10): password older than 60 days; 《OK》 → SCR-06.
pub const ERR_02: CardDialog = CardDialog {
    id: "ERR-02",
    title: None,
    lines: &[],
    event: "パスワード変更してから60日を超えると、再度パスワード変更が必要となるため、以下の確認メッセージが表示されます。",
    action: "《OK》をクリックすると「パスワード変更」が表示されます。",
    alternative: "",
};
/// ERR-03 (AUTH-11): still the initial password; 《OK》 → SCR-07.
pub const ERR_03: CardDialog = CardDialog {
    id: "ERR-03",
    title: None,
    lines: &[],
    event: "初期パスワードのままログインした場合 確認メッセージが表示されます。",
    action: "《OK》をクリックしパスワード変更を実施します。",
    alternative: "",
};
/// ERR-04 (AUTH-13/14): 30 minutes idle, or logged in again elsewhere; 《閉じる》.
pub const ERR_04: CardDialog = CardDialog {
    id: "ERR-04",
    title: None,
    lines: &[],
    event: "オンライン資格確認等システムにログインしたまま30分間操作がない場合、または[ログアウト]ボタンからログアウトせずに再ログインした場合、以下のようなメッセージが表示されます。",
    action: "操作を再開する場合は、《閉じる》をクリックし、ログインしなおしてください。",
    alternative: "",
};
/// Buttons of ERR-01..04 (the dialogs are images; the buttons are named in the text).
pub const ERR_01_BUTTONS: &[&str] = &[BUTTON_OK];
pub const ERR_02_BUTTONS: &[&str] = &[BUTTON_OK];
pub const ERR_03_BUTTONS: &[&str] = &[BUTTON_OK];
pub const ERR_04_BUTTONS: &[&str] = &[BUTTON_CLOSE];

/// DLG-01 (AUTH-16): logout confirmation. Image only: the placeholder label and the item
/// table's words; 《キャンセル》 is the simulator's (only 《OK》 is named).
pub const DLG_01: Dlg = Dlg {
    id: "DLG-01",
    title: PLACEHOLDER_LABEL,
    lines: &[
        "オンライン資格確認等システムからログアウトし、終了します。確認メッセージが表示されます。",
    ],
    buttons: &[BUTTON_OK, BUTTON_CANCEL],
};
/// DLG-02 (AUTH-12, AMB-89): password change confirmation. Image only; buttons are the
/// simulator's.
pub const DLG_02: Dlg = Dlg {
    id: "DLG-02",
    title: PLACEHOLDER_LABEL,
    lines: &["パスワードを変更します。確認メッセージが表示されます。"],
    buttons: &[BUTTON_OK, BUTTON_CANCEL],
};
/// DLG-03: password change completed (「変更完了のメッセージ」). Image only.
pub const DLG_03: Dlg = Dlg {
    id: "DLG-03",
    title: PLACEHOLDER_LABEL,
    lines: &["変更完了のメッセージが表示されます。"],
    buttons: &[BUTTON_OK],
};

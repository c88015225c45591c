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
        // The manual shows no text for a search without a match (AMB-22).
        QualificationValidity::NotFound | QualificationValidity::ValidUnregistered => None,
    }
}

/// WebAPI auth refused. Simulator-defined: the manual documents no text (AMB-04).
pub const WEBAPI_AUTH_FAILED: &str = "ユーザIDまたはパスワードが正しくありません。";
/// WebAPI call without a valid idToken. Simulator-defined.
pub const WEBAPI_TOKEN_REQUIRED: &str = "認証トークンが無効です。再度認証してください。";

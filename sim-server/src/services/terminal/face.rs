//! The face readers' own settings (ch.9 SCR-31, ch.10 SCR-32): 日本語名称 and セットアップ済み
//! (ENV-11), the 電子処方箋関連画面 display (RULE-83, ERR-29), and which of the two screens the
//! menu offers (RULE-76/77). The mode itself is [`Terminal::set_face_mode`] (RULE-78).

use super::readers::{reader_mut, ReaderKind, ReaderSummary};
use super::request::RequestError;
use super::settings::{PrescriptionUsage, TerminalSettings};
use super::state::{lock, Terminal};
use oqs_domain::prescription::PharmacySettings;
use oqs_protocol::texts::face::ERR29;

/// Longest 日本語名称 (characters).
pub const MAX_LABEL_CHARS: usize = 32;

impl Terminal {
    /// A face reader's 日本語名称 (none: only the device ID shows, RULE-82) and whether it is
    /// セットアップ済み (the trainer's tray and the admin API set these; OQS reads them).
    pub fn set_face_details(
        &self,
        index: usize,
        label: Option<String>,
        set_up: bool,
    ) -> Result<(), RequestError> {
        let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
        if let Some(l) = &label {
            if l.chars().count() > MAX_LABEL_CHARS || l.chars().any(char::is_control) {
                return Err(RequestError(format!(
                    "label: up to {MAX_LABEL_CHARS} characters, no control characters"
                )));
            }
        }
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        if r.kind != ReaderKind::Face {
            return Err(RequestError(format!("reader {index} is not a face reader")));
        }
        r.label = label;
        r.set_up = set_up;
        Ok(())
    }

    /// SCR-32 《表示する》 / 《表示しない》 for one face reader (RULE-83, FLOW-42). A reader that
    /// is not set up (or a generic reader) cannot be set: ERR-29's text.
    pub fn set_prescription_screens(&self, index: usize, show: bool) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        if r.kind != ReaderKind::Face || !r.set_up {
            return Err(RequestError(ERR29.to_owned()));
        }
        r.prescription_screens = show;
        Ok(())
    }
}

/// ERR-29 inline on SCR-32: 「セットアップ未対応の顔認証付きカードリーダー、汎用カードリーダーが
/// 接続されている場合」.
pub fn face_settings_notice(readers: &[ReaderSummary]) -> Option<&'static str> {
    readers
        .iter()
        .any(|r| r.kind == ReaderKind::Generic || r.set_up == Some(false))
        .then_some(ERR29)
}

/// RULE-76 (ENV-08): SCR-05 offers 「顔認証付きカードリーダー管理」 and 《顔認証付きカードリーダー操作》
/// only with the 本人認証用カードリーダーソフト installed.
pub fn face_operation_menu(settings: &TerminalSettings) -> bool {
    settings.reader_software
}

/// RULE-77 (ENV-09, ENV-02/03, ENV-04): 《顔認証付きカードリーダー環境設定》 only with the
/// 電子処方箋対応版 software and, for 医科・歯科・訪看, 「電子処方箋＋紙の処方箋併用」 with
/// 「資格確認時に確認する」; for a pharmacy (`facility_kind` 薬局), 「電子処方箋利用：利用する」
/// (the pharmacy's ENV-04, `PharmacySettings::retrieval_open`).
pub fn face_settings_menu(
    settings: &TerminalSettings,
    facility_kind: &str,
    pharmacy: PharmacySettings,
) -> bool {
    let prescriptions = if facility_kind == "薬局" {
        pharmacy.retrieval_open(facility_kind)
    } else {
        settings.prescription_usage == PrescriptionUsage::Both && settings.prescription_at_check
    };
    settings.reader_software && settings.prescription_reader_software && prescriptions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::terminal::{topology, FaceMode};

    #[test]
    fn labels_setup_and_the_prescription_screens() {
        let t = Terminal::default();
        t.set_readers(topology("generic+face").unwrap_or_default());
        // A generic reader is connected: ERR-29 on SCR-32, and it cannot be set.
        assert_eq!(face_settings_notice(&t.readers()), Some(ERR29));
        assert_eq!(
            t.set_prescription_screens(0, false).map_err(|e| e.0),
            Err(ERR29.to_owned())
        );
        t.set_readers(topology("face*2").unwrap_or_default());
        assert_eq!(face_settings_notice(&t.readers()), None);
        // RULE-83: 表示する by default, per reader.
        assert!(t
            .readers()
            .iter()
            .all(|r| r.prescription_screens == Some(true)));
        t.set_prescription_screens(1, false).expect("set");
        let r = t.readers();
        assert_eq!(
            (r[0].prescription_screens, r[1].prescription_screens),
            (Some(true), Some(false))
        );
        // A reader not set up: ERR-29, and the setting stays.
        t.set_face_details(0, Some(" 外科受付用 ".into()), false)
            .expect("details");
        assert_eq!(t.readers()[0].label.as_deref(), Some("外科受付用"));
        assert_eq!(face_settings_notice(&t.readers()), Some(ERR29));
        assert!(t.set_prescription_screens(0, false).is_err());
        assert_eq!(t.readers()[0].prescription_screens, Some(true));
        assert!(t.set_face_details(0, Some("x".repeat(33)), true).is_err());
        assert!(t.set_face_details(5, None, true).is_err());
        // The mode is kept apart from these.
        t.set_face_mode(1, FaceMode::Visual).expect("mode");
        assert_eq!(t.readers()[1].mode, Some(FaceMode::Visual));
    }

    #[test]
    fn the_menu_follows_env_08_09_and_the_prescription_settings() {
        let on = PharmacySettings::default();
        let clinic = |s: &TerminalSettings| face_settings_menu(s, "医科", on);
        let mut s = TerminalSettings::default();
        assert!(face_operation_menu(&s) && clinic(&s));
        s.prescription_at_check = false;
        assert!(face_operation_menu(&s) && !clinic(&s));
        s.prescription_at_check = true;
        s.prescription_usage = PrescriptionUsage::ElectronicOnly;
        assert!(!clinic(&s));
        s.prescription_usage = PrescriptionUsage::Both;
        s.prescription_reader_software = false;
        assert!(!clinic(&s));
        s.prescription_reader_software = true;
        s.reader_software = false;
        assert!(!face_operation_menu(&s) && !clinic(&s));
    }

    #[test]
    fn a_pharmacy_needs_its_e_prescription_setting_not_env_02_03() {
        let mut s = TerminalSettings {
            prescription_usage: PrescriptionUsage::NotUsed,
            ..TerminalSettings::default()
        };
        let off = PharmacySettings {
            e_prescription: false,
            ..PharmacySettings::default()
        };
        assert!(face_settings_menu(&s, "薬局", PharmacySettings::default()));
        assert!(!face_settings_menu(&s, "薬局", off));
        assert!(!face_settings_menu(&s, "医科", PharmacySettings::default()));
        s.prescription_reader_software = false;
        assert!(!face_settings_menu(&s, "薬局", PharmacySettings::default()));
    }
}

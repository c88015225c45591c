//! When a menu item (SCR-05) is shown: the manual's display conditions, decided once for the menu
//! and for a screen opened by its URL ([`super::unavailable`]).

use super::session::Operator;
use oqs_domain::prescription::PharmacySettings;

/// When an item is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// No condition stated.
    Always,
    /// Only for these facility kinds (医科 / 歯科 / 訪看 / 薬局).
    Kinds(&'static [&'static str]),
    /// Only when the terminal's settings say so.
    Terminal(TerminalCondition),
    /// RULE-90 (ENV-14): only inside the 緊急時医療情報・資格確認機能 対象期間 (`sim.outage`).
    Emergency,
    /// RULE-69: only a pharmacy using 調剤済み処方箋の保存サービス (`Facility::dispensing_storage`).
    DispensingStorage,
    /// RULE-92: after a recovery, within the set period, for 管理アカウント and
    /// 医療情報閲覧アカウント only (the simulator's own screen, FLOW-45).
    LaterCheck,
}

/// A display condition on the terminal's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminalCondition {
    /// RULE-76 (ENV-08): 本人認証用カードリーダーソフト installed.
    FaceOperation,
    /// RULE-77 (ENV-09, ENV-02/03; a pharmacy's ENV-04).
    FaceSettings,
    /// RULE-63 (ENV-06): 訪問診療等・オンライン診療等管理サービス関連項目 = 利用する.
    Visiting,
}

impl TerminalCondition {
    fn holds(
        self,
        s: &crate::terminal::TerminalSettings,
        kind: &str,
        pharmacy: PharmacySettings,
    ) -> bool {
        match self {
            TerminalCondition::FaceOperation => crate::terminal::face_operation_menu(s),
            TerminalCondition::FaceSettings => {
                crate::terminal::face_settings_menu(s, kind, pharmacy)
            }
            TerminalCondition::Visiting => s.visiting_service,
        }
    }
}

impl Shown {
    /// Whether an item with this condition is shown to `op` now: the one decision both the menu
    /// and a screen opened by its URL ([`super::unavailable::Shows`]) use.
    pub fn holds(self, sim: &crate::simulator::Simulator, op: &Operator) -> bool {
        match self {
            Shown::Always => true,
            Shown::Kinds(k) => k.contains(&op.facility_kind.as_str()),
            Shown::Terminal(c) => c.holds(
                &sim.terminal.settings(),
                &op.facility_kind,
                sim.pharmacy.settings(),
            ),
            // ENV-14.
            Shown::Emergency => sim.outage.emergency_open(sim.clock.now().date_naive()),
            Shown::DispensingStorage => sim
                .population()
                .facility(&op.account.facility)
                .is_some_and(|f| f.dispensing_storage),
            Shown::LaterCheck => {
                use crate::services::accounts::Role;
                !sim.outage.active()
                    && sim.outage.later_check_window(sim.clock.now()).is_ok()
                    && matches!(op.account.role, Role::Admin | Role::Viewer)
            }
        }
    }
}

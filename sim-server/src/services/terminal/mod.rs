//! The simulated confirmation terminal (資格確認端末, DM-03) with its card readers, and the My
//! Number card inquiry of ch.2 (SCR-08 → SCR-09 → SCR-10, FLOW-08..16, ERR-05..19).
//!
//! - Readers: in-process virtual readers holding a virtual card ([`VirtualReader`]), or any other
//!   [`CardChannel`] (a PC/SC reader behind the `pcsc` feature). The topology (none, one
//!   generic, generic + face reader, several) is set from the admin API and produces
//!   ERR-09/17/18.
//! - The inquiry ([`confirm`]): read the 利用者証明用電子証明書 over APDUs; on the 暗証番号 path
//!   VERIFY once (the card keeps the retry counter; the terminal never retries) and have the card
//!   sign a fresh challenge, verified against the certificate; then the server-side judgement
//!   of the certificate (registry: revoked, 保険証利用登録; notAfter: expired, expiring within
//!   3 months) and of the qualification (`oqs_domain::inquiry::qualification_result`).
//! - Every confirmation is journalled with its method (目視確認 / 暗証番号), and its outcome is
//!   one value ([`Confirmation`]) returned by one function ([`confirm`]).
//! - A face reader writes its results unprompted into the exchange folder's `face/`.

pub mod certs;
pub mod jpki;

use crate::clock::Clock;
use crate::history::{ConfirmationKind, History, Recorded, TERMINAL_LOGIN_ID};
use crate::jobs::registration::ReferenceNumbers;
use crate::journal::Journal;
use crate::journal::{JournalEntry, Transport};
use certs::{CertificateRecord, Registry};
use chrono::{DateTime, FixedOffset, Months, NaiveDate};
use jpki::CardError;
use oqs_domain::inquiry::{self, ResultOptions};
use oqs_domain::Population;
use oqs_protocol::codes::{
    CardAuthErrorCode, CharacterCode, ConsentFlag, PrescriptionIssueForm, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use oqs_protocol::errors::ErrorTable;
use oqs_protocol::message::SingleInquiryResponse;
use oqs_protocol::message::{format_date, QualificationResult, ResultBody, ResultHeader};
use oqs_protocol::texts;
use oqs_protocol::TextEncoding;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use virtual_card::{Card, CardChannel, VirtualReader};

/// 汎用カードリーダー or 顔認証付きカードリーダー.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderKind {
    Generic,
    Face,
}

/// Face-reader mode (RULE-78): 無人運転 / 暗証番号認証固定 / 目視確認.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub enum FaceMode {
    #[default]
    #[serde(rename = "無人運転", alias = "unattended")]
    Unattended,
    #[serde(rename = "暗証番号認証固定", alias = "pin-only")]
    PinOnly,
    #[serde(rename = "目視確認", alias = "visual")]
    Visual,
}

/// 目視確認 or 暗証番号 (SCR-08 ①); 被保険者証 for the insurance-card check of SCR-13 (FLOW-15),
/// which a My Number request cannot choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Method {
    #[serde(rename = "目視確認", alias = "visual")]
    Visual,
    #[serde(rename = "暗証番号", alias = "pin")]
    Pin,
    #[serde(rename = "被保険者証", skip_deserializing)]
    InsuranceCard,
    /// A face reader in 無人運転 that matched the face (simulated as a match); not requestable.
    #[serde(rename = "顔認証", skip_deserializing)]
    FaceRecognition,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Visual => texts::METHOD_VISUAL,
            Method::Pin => texts::METHOD_PIN,
            Method::InsuranceCard => texts::METHOD_INSURANCE_CARD,
            Method::FaceRecognition => texts::METHOD_FACE_RECOGNITION,
        }
    }
}

/// How a reader reaches its card.
pub enum ReaderLink {
    /// In-process reader (the default: no system packages needed).
    Virtual(VirtualReader),
    /// Any other reader, e.g. a PC/SC reader by name.
    External(Box<dyn CardChannel>),
}

impl ReaderLink {
    fn channel(&mut self) -> &mut dyn CardChannel {
        match self {
            ReaderLink::Virtual(s) => s,
            ReaderLink::External(c) => c.as_mut(),
        }
    }
}

/// One connected reader.
pub struct Reader {
    pub kind: ReaderKind,
    /// Device id / reader name (e.g. `Identiv CLOUD 3701 F Contactless Reader 0`).
    pub name: String,
    /// Face readers only.
    pub mode: FaceMode,
    /// Profile of the virtual card in the slot, if any.
    pub card_profile: Option<String>,
    pub link: ReaderLink,
}

impl Reader {
    /// An in-process reader.
    pub fn virtual_reader(kind: ReaderKind, name: impl Into<String>) -> Self {
        let name = name.into();
        Reader {
            kind,
            mode: FaceMode::default(),
            card_profile: None,
            link: ReaderLink::Virtual(VirtualReader::new(name.clone())),
            name,
        }
    }

    /// A reader reached through another channel (PC/SC).
    pub fn external(kind: ReaderKind, channel: Box<dyn CardChannel>) -> Self {
        Reader {
            kind,
            name: channel.name().to_owned(),
            mode: FaceMode::default(),
            card_profile: None,
            link: ReaderLink::External(channel),
        }
    }

    fn summary(&self, index: usize) -> ReaderSummary {
        ReaderSummary {
            index,
            kind: self.kind,
            name: self.name.clone(),
            mode: (self.kind == ReaderKind::Face).then_some(self.mode),
            transport: match self.link {
                ReaderLink::Virtual(_) => "virtual",
                ReaderLink::External(_) => "external",
            },
            card: match &self.link {
                ReaderLink::Virtual(s) if s.has_card() => {
                    Some(self.card_profile.clone().unwrap_or_else(|| "(card)".into()))
                }
                _ => None,
            },
        }
    }
}

/// A reader as the admin API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ReaderSummary {
    pub index: usize,
    pub kind: ReaderKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<FaceMode>,
    pub transport: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
}

/// Default reader names: a generic reader and the manual's face-reader device ids.
pub const GENERIC_READER_NAME: &str = "汎用カードリーダー";
pub const FACE_READER_NAMES: [&str; 2] = [
    "Identiv CLOUD 3701 F Contactless Reader 0",
    "Sony FeliCa Port/PaSoRi 3.0 0",
];

/// Reader topologies by name (the admin API's shorthand).
pub fn topology(name: &str) -> Option<Vec<Reader>> {
    let generic = |i: usize| {
        Reader::virtual_reader(
            ReaderKind::Generic,
            if i == 0 {
                GENERIC_READER_NAME.to_owned()
            } else {
                format!("{GENERIC_READER_NAME} {}", i + 1)
            },
        )
    };
    let face = |i: usize| Reader::virtual_reader(ReaderKind::Face, FACE_READER_NAMES[i % 2]);
    Some(match name {
        "none" => vec![],
        "generic" => vec![generic(0)],
        "generic+face" => vec![generic(0), face(0)],
        "generic*2" => vec![generic(0), generic(1)],
        "face" => vec![face(0)],
        "face*2" => vec![face(0), face(1)],
        _ => return None,
    })
}

/// The topology names [`topology`] knows.
pub const TOPOLOGIES: [&str; 6] = [
    "none",
    "generic",
    "generic+face",
    "generic*2",
    "face",
    "face*2",
];

/// An injected fault (`PUT /__admin/terminal/fault`), active until cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fault {
    /// ERR-07: internal error in certificate authentication (image-only dialog).
    CertificateInternalError,
    /// ERR-14: authentication error with a code (default `fxxxxxx1`, the manual's placeholder).
    AuthenticationError {
        #[serde(default)]
        code: Option<String>,
    },
    /// ERR-10 / ERR-26: the card cannot be read.
    ReadFailure,
}

/// ENV-02: 電子処方箋利用区分 (医科・歯科・訪看).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum PrescriptionUsage {
    #[serde(rename = "利用しない")]
    NotUsed,
    #[serde(rename = "電子処方箋＋紙の処方箋併用")]
    Both,
    #[serde(rename = "電子処方箋のみ")]
    ElectronicOnly,
    #[serde(rename = "紙の処方箋のみ")]
    PaperOnly,
}

/// The facility settings the My Number inquiry depends on (ENV-01..03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TerminalSettings {
    /// 医療機関コード of the facility the terminal belongs to.
    pub facility: String,
    /// ENV-01 閲覧同意の利用有無: 利用する (true) shows the three consent boxes (RULE-18) and the
    /// 特定疾病 box (RULE-19). The manual maps the setting to the boxes only in an image (AMB-09);
    /// the simulator reads it as one toggle for all of them.
    pub consent_usage: bool,
    /// ENV-02.
    pub prescription_usage: PrescriptionUsage,
    /// ENV-03 発行形態選択タイミング = 資格確認時に確認する (true).
    pub prescription_at_check: bool,
}

/// The sample facility (sample-population.md).
pub const DEFAULT_FACILITY: &str = "1234567890";

impl Default for TerminalSettings {
    fn default() -> Self {
        TerminalSettings {
            facility: DEFAULT_FACILITY.into(),
            consent_usage: true,
            prescription_usage: PrescriptionUsage::Both,
            prescription_at_check: true,
        }
    }
}

impl TerminalSettings {
    /// SCR-08 ② : the consent boxes shown (RULE-18; none when 閲覧同意の利用有無 is 利用しない).
    pub fn consent_boxes(&self) -> &'static [&'static str] {
        const ALL: [&str; 3] = [
            texts::CONSENT_OPERATION[0],
            texts::CONSENT_DIAGNOSIS_MEDICATION[0],
            texts::CONSENT_HEALTH_CHECKUP[0],
        ];
        if self.consent_usage {
            &ALL
        } else {
            &[]
        }
    }

    /// Refuses consents or the 特定疾病 box that this facility's SCR-08 / SCR-10 does not show.
    fn check_boxes(
        &self,
        consents: Option<Consents>,
        show_specific_disease: bool,
    ) -> Result<(), RequestError> {
        if self.consent_usage {
            return Ok(());
        }
        if consents.is_some_and(|c| c != Consents::default()) {
            return Err(RequestError(
                "閲覧同意 boxes are not shown: 閲覧同意の利用有無 is 利用しない (RULE-18)".into(),
            ));
        }
        if show_specific_disease {
            return Err(RequestError(format!(
                "「{}」 is not shown: 閲覧同意の利用有無 is 利用しない (RULE-19)",
                texts::SHOW_SPECIFIC_DISEASE_BOX
            )));
        }
        Ok(())
    }

    /// RULE-21/22: the 「処方箋の発行」 block is shown, with these options.
    pub fn prescription_options(&self) -> &'static [PrescriptionIssueForm] {
        if !self.prescription_at_check {
            return &[];
        }
        match self.prescription_usage {
            PrescriptionUsage::NotUsed => &[],
            PrescriptionUsage::Both => &[
                PrescriptionIssueForm::Electronic,
                PrescriptionIssueForm::Paper,
            ],
            PrescriptionUsage::ElectronicOnly => &[PrescriptionIssueForm::Electronic],
            PrescriptionUsage::PaperOnly => &[PrescriptionIssueForm::Paper],
        }
    }
}

/// The three viewing consents of SCR-08 ② (DM-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Consents {
    /// 手術情報.
    #[serde(alias = "手術")]
    pub operation: bool,
    /// 診療・薬剤情報.
    #[serde(alias = "診療・薬剤")]
    pub diagnosis_medication: bool,
    /// 特定健診情報.
    #[serde(alias = "特定健診")]
    pub health_checkup: bool,
}

impl Consents {
    /// SCR-10 ⑦ labels (RULE-20).
    pub fn labels(&self) -> [&'static str; 3] {
        let pick = |on: bool, l: [&'static str; 2]| l[usize::from(on)];
        [
            pick(self.operation, texts::CONSENT_OPERATION),
            pick(
                self.diagnosis_medication,
                texts::CONSENT_DIAGNOSIS_MEDICATION,
            ),
            pick(self.health_checkup, texts::CONSENT_HEALTH_CHECKUP),
        ]
    }
}

/// A dialog shown instead of (or, for a notice, before) the qualification screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dialog {
    /// Catalogue id (`ERR-06`); `None` for the simulator's own dialogs (wrong PIN, AMB-27).
    pub err: Option<String>,
    pub title: Option<String>,
    pub message: String,
    /// 【事象】.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// 【対処】.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// 【代替】.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    /// The manual shows this dialog only as an image (§10.2): title and message are labelled.
    pub placeholder: bool,
    /// The text is the simulator's own (the manual has none).
    pub simulator_defined: bool,
    /// ERR-14's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Wrong PIN: tries the card reports left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u8>,
}

impl Dialog {
    /// The catalogue's dialog `id`.
    pub fn catalogue(id: &str) -> Dialog {
        match texts::card_dialog(id) {
            Some(d) => Dialog {
                err: Some(d.id.to_owned()),
                title: d.shown_title().map(str::to_owned),
                message: d.shown_message(),
                event: Some(d.event.to_owned()),
                action: Some(d.action.to_owned()),
                alternative: Some(d.alternative.to_owned()),
                placeholder: d.is_placeholder(),
                simulator_defined: false,
                code: None,
                tries_left: None,
            },
            None => Dialog {
                err: Some(id.to_owned()),
                title: None,
                message: String::new(),
                event: None,
                action: None,
                alternative: None,
                placeholder: true,
                simulator_defined: true,
                code: None,
                tries_left: None,
            },
        }
    }

    /// ERR-08 with the certificate's expiry date.
    pub fn expiring(not_after: NaiveDate) -> Dialog {
        Dialog {
            message: texts::err08_message(&not_after.format("%Y/%m/%d").to_string()),
            ..Dialog::catalogue("ERR-08")
        }
    }

    /// ERR-14 with a code.
    pub fn auth_error(code: &str) -> Dialog {
        Dialog {
            message: texts::err14_message(code),
            code: Some(code.to_owned()),
            ..Dialog::catalogue("ERR-14")
        }
    }

    fn simulator(title: &str, message: String) -> Dialog {
        Dialog {
            err: None,
            title: Some(title.to_owned()),
            message,
            event: None,
            action: None,
            alternative: None,
            placeholder: false,
            simulator_defined: true,
            code: None,
            tries_left: None,
        }
    }

    /// Wrong PIN, tries left (AMB-27: the manual has no text).
    pub fn wrong_pin(tries_left: u8) -> Dialog {
        Dialog {
            tries_left: Some(tries_left),
            ..Dialog::simulator(texts::WRONG_PIN_TITLE, texts::wrong_pin_message(tries_left))
        }
    }
}

/// A request of `POST /terminal/mynumber` (simulator-defined, see README).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MyNumberRequest {
    /// Reader index (`GET /__admin/terminal`); default: the terminal's generic reader.
    pub reader: Option<usize>,
    /// Use the terminal's face reader (SCR-31 目視確認実行) instead of naming a reader; with
    /// none connected: ERR-25.
    pub face_reader: bool,
    /// 目視確認 / 暗証番号 (`visual` / `pin`); default 目視確認 (AMB-11: the screenshot's choice).
    pub method: Option<Method>,
    /// The 4-digit PIN (暗証番号 path).
    #[serde(alias = "暗証番号")]
    pub pin: Option<String>,
    pub consents: Consents,
    /// 「限度額適用認定証情報を表示」.
    pub show_limit: bool,
    /// 「特定疾病療養受療証情報を表示」.
    pub show_specific_disease: bool,
    /// 処方箋発行形態: 電子 / 紙 (`electronic` / `paper`).
    pub prescription_form: Option<String>,
    /// 資格確認日: `yyyy/mm/dd`, `yyyymmdd` or `yyyy-mm-dd`; default today (clock).
    #[serde(alias = "資格確認日")]
    pub confirmation_date: Option<String>,
    /// 医療機関コード; default the terminal's facility.
    pub facility: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
}

/// A request the terminal cannot act on (HTTP 422 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);

/// Parses a 資格確認日 in the forms the screen and the wire use.
pub fn parse_confirmation_date(s: &str) -> Result<NaiveDate, RequestError> {
    let t = s.trim();
    ["%Y/%m/%d", "%Y%m%d", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .ok_or_else(|| {
            RequestError(format!(
                "資格確認日 \"{s}\" is not a date (西暦年月日 8 桁, e.g. 2020/10/10)"
            ))
        })
}

/// Parses 電子 / 紙.
pub fn parse_prescription_form(s: &str) -> Result<PrescriptionIssueForm, RequestError> {
    match s.trim() {
        "電子" | "electronic" | texts::PRESCRIPTION_ELECTRONIC | "1" => {
            Ok(PrescriptionIssueForm::Electronic)
        }
        "紙" | "paper" | texts::PRESCRIPTION_PAPER | "2" => Ok(PrescriptionIssueForm::Paper),
        other => Err(RequestError(format!(
            "prescription_form \"{other}\": 電子 or 紙 (electronic / paper)"
        ))),
    }
}

/// What a confirmation shows on SCR-10 besides the card data, and can be changed afterwards
/// (FLOW-11 consents, FLOW-13 certificates, FLOW-14 issuance form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choices {
    pub consents: Consents,
    pub show_limit: bool,
    pub show_specific_disease: bool,
    /// `None`: 未選択 (the block is not shown).
    #[serde(serialize_with = "serialize_form")]
    pub prescription_form: Option<PrescriptionIssueForm>,
}

/// 処方箋発行形態 as the history shows it: 電子 / 紙 / 未選択 (RULE-61).
fn serialize_form<S: serde::Serializer>(
    f: &Option<PrescriptionIssueForm>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.map_or("未選択", PrescriptionIssueForm::label))
}

/// The outcome of one My Number confirmation: everything the journal, the HTTP answer, the
/// face folder and the confirmation history need.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmation {
    /// Number of this confirmation (per terminal, from 1).
    pub id: u64,
    /// Simulator time, RFC 3339.
    pub at: String,
    /// 目視確認 / 暗証番号.
    pub method: Method,
    pub reader: Option<String>,
    pub reader_kind: Option<ReaderKind>,
    /// 医療機関コード.
    pub facility: String,
    /// 資格確認日.
    pub confirmation_date: NaiveDate,
    /// The card holder (person key), once the certificate was recognised.
    pub person: Option<String>,
    /// The error dialog that ended the check.
    pub dialog: Option<Dialog>,
    /// A notice shown before the result (ERR-08).
    pub notice: Option<Dialog>,
    pub choices: Choices,
    /// The result (OQSsiquc01res layout, ReferenceClassification 1), when the check succeeded.
    #[serde(skip)]
    pub result: Option<SingleInquiryResponse>,
    /// The file written into the exchange folder's `face/`, for face-reader checks.
    pub face_file: Option<String>,
    /// Its record in the confirmation history, once recorded.
    #[serde(skip)]
    pub history_id: Option<u64>,
}

impl Confirmation {
    pub fn validity(&self) -> Option<QualificationValidity> {
        self.result
            .as_ref()
            .and_then(|r| r.body.as_ref())
            .and_then(|b| b.qualification_validity)
    }

    /// The result as UTF-8 XML text.
    pub fn result_xml(&self) -> Option<String> {
        self.result.as_ref().map(|r| {
            String::from_utf8_lossy(&oqs_protocol::xml::write_document(
                &r.to_element(),
                TextEncoding::Utf8,
            ))
            .into_owned()
        })
    }
}

/// A card issued for the terminal: the card itself and the server-side facts of its certificate.
pub struct IssuedCard {
    pub card: Box<dyn Card>,
    /// The 利用者証明用電子証明書 (DER), when the card has one.
    pub certificate: Option<Vec<u8>>,
    pub record: Option<CertificateRecord>,
}

/// Issues virtual cards by profile name (the virtual-card crate's profiles).
pub trait CardIssuer: Send + Sync {
    /// The profile names.
    fn profiles(&self) -> Vec<String>;
    /// Every card this issuer would issue by default (certificate DER and registry facts), so
    /// cards presented from outside (e.g. `oqs-vcard insert` over vpcd) are known too.
    fn known_certificates(&self, now: DateTime<FixedOffset>) -> Vec<(Vec<u8>, CertificateRecord)> {
        let _ = now;
        Vec::new()
    }
    /// A new card of this profile, for a simulator whose clock says `now`; `person` overrides
    /// the profile's card holder (a person key of the population).
    ///
    /// With `state_dir` the card keeps its PIN counters in a state file there (the card crate's
    /// persistence): a card locked stays locked when it is inserted again, also after a restart,
    /// until the state is reset.
    fn issue(
        &self,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
        state_dir: Option<&std::path::Path>,
    ) -> Result<IssuedCard, String>;
}

/// The virtual-card crate's profiles (`valid`, `expired`, `revoked`, `pin-locked`, …), issued
/// for the simulator's date.
#[derive(Debug, Clone, Copy)]
pub struct ProfileIssuer {
    /// Seed of the simulated CA and card keys (the same seed gives the same certificates).
    pub seed: u64,
}

/// The card seed the simulator and `oqs-vcard` use unless told otherwise.
pub const DEFAULT_CARD_SEED: u64 = 1;

impl CardIssuer for ProfileIssuer {
    fn profiles(&self) -> Vec<String> {
        virtual_card::Profile::ALL
            .iter()
            .map(|p| p.name().to_owned())
            .collect()
    }

    fn known_certificates(&self, now: DateTime<FixedOffset>) -> Vec<(Vec<u8>, CertificateRecord)> {
        virtual_card::Profile::ALL
            .iter()
            .filter_map(|&p| virtual_card::issue(p, self.seed, inquiry::today(now)).ok())
            .filter(|(_, i)| i.is_mynumber_card)
            .map(|(_, i)| {
                (
                    i.certificate_der,
                    CertificateRecord {
                        person_key: i.person_key,
                        revoked: i.revoked,
                        insurance_registered: i.insurance_registered,
                    },
                )
            })
            .collect()
    }

    fn issue(
        &self,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
        state_dir: Option<&std::path::Path>,
    ) -> Result<IssuedCard, String> {
        let p: virtual_card::Profile = profile.parse()?;
        let holder = person.unwrap_or(p.person_key());
        let (mut card, issued) = virtual_card::issue_for(p, holder, self.seed, inquiry::today(now))
            .map_err(|e| e.to_string())?;
        if let Some(dir) = state_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("card state folder {}: {e}", dir.display()))?;
            let name = match person {
                Some(k) if k != p.person_key() => format!("{}-{k}", p.name()),
                _ => p.name().to_owned(),
            };
            card = card.with_state_file(virtual_card::state::state_file(dir, &name, self.seed));
        }
        Ok(IssuedCard {
            card: Box::new(card),
            certificate: issued.is_mynumber_card.then_some(issued.certificate_der),
            record: Some(CertificateRecord {
                person_key: issued.person_key,
                revoked: issued.revoked,
                insurance_registered: issued.insurance_registered,
            }),
        })
    }
}

/// Where the in-process cards keep their PIN counters: `<data-dir>/cards` (none in memory).
pub fn card_state_dir(data_dir: Option<&std::path::Path>) -> Option<PathBuf> {
    data_dir.map(|d| d.join("cards"))
}

/// Resets every saved PIN state (the cards are issued fresh the next time); returns how many.
pub fn reset_pin_states(data_dir: Option<&std::path::Path>) -> std::io::Result<usize> {
    let Some(dir) = card_state_dir(data_dir) else {
        return Ok(0);
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut n = 0;
    for e in entries {
        let path = e?.path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(&path)?;
            n += 1;
        }
    }
    Ok(n)
}

/// A PC/SC reader by name (e.g. vpcd's `Virtual PCD 00 00`) as a terminal reader channel.
#[cfg(feature = "pcsc")]
pub fn pcsc_channel(name: &str) -> Result<Box<dyn CardChannel>, String> {
    virtual_card::PcscReader::open(name)
        .map(|r| Box::new(r) as Box<dyn CardChannel>)
        .map_err(|e| e.to_string())
}

/// Recent confirmations kept for the follow-up actions of SCR-10 (bounded).
pub const RECENT_CONFIRMATIONS: usize = 256;

struct State {
    readers: Vec<Reader>,
    fault: Option<Fault>,
    settings: TerminalSettings,
    next_id: u64,
    recent: VecDeque<Confirmation>,
}

/// The services a confirmation reads and writes besides the terminal's own state: the
/// population and clock it judges with, the 照会番号 it shows, and the journal and history it
/// records in ([`crate::Simulator::terminal_context`] builds one).
pub struct Context<'a> {
    pub terminal: &'a Terminal,
    pub population: Arc<Population>,
    pub clock: &'a Clock,
    pub errors: &'a ErrorTable,
    pub references: &'a ReferenceNumbers,
    pub journal: &'a Journal,
    pub history: &'a History,
}

/// The confirmation terminal.
pub struct Terminal {
    state: Mutex<State>,
    registry: Mutex<Registry>,
    /// The issuer's default cards were registered (done once, on the first unknown serial).
    defaults_registered: Mutex<bool>,
    issuer: Mutex<Option<Arc<dyn CardIssuer>>>,
    rng: Mutex<ChaCha20Rng>,
    face_dir: Mutex<Option<PathBuf>>,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal").finish_non_exhaustive()
    }
}

/// Seed of the challenge generator (deterministic runs).
pub const DEFAULT_CHALLENGE_SEED: u64 = 0x4f51_5301;

impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            state: Mutex::new(State {
                readers: topology("generic").unwrap_or_default(),
                fault: None,
                settings: TerminalSettings::default(),
                next_id: 1,
                recent: VecDeque::new(),
            }),
            registry: Mutex::new(Registry::default()),
            defaults_registered: Mutex::new(false),
            issuer: Mutex::new(Some(Arc::new(ProfileIssuer {
                seed: DEFAULT_CARD_SEED,
            }))),
            rng: Mutex::new(ChaCha20Rng::seed_from_u64(DEFAULT_CHALLENGE_SEED)),
            face_dir: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Terminal {
    /// Back to the start: one empty generic reader, default settings, no fault, no recent
    /// confirmations, the challenge generator reseeded. The certificate registry is kept
    /// (issued cards stay known).
    pub fn reset(&self) {
        {
            let mut st = lock(&self.state);
            st.readers = topology("generic").unwrap_or_default();
            st.fault = None;
            st.settings = TerminalSettings::default();
            st.recent.clear();
        }
        self.seed_challenges(DEFAULT_CHALLENGE_SEED);
    }

    /// Uses this issuer for `PUT /__admin/terminal/readers/{n}/card`.
    pub fn set_issuer(&self, issuer: Arc<dyn CardIssuer>) {
        *lock(&self.issuer) = Some(issuer);
    }

    pub fn issuer(&self) -> Option<Arc<dyn CardIssuer>> {
        lock(&self.issuer).clone()
    }

    /// Where face-reader results go (the exchange folder's `face/`).
    pub fn set_face_dir(&self, dir: Option<PathBuf>) {
        *lock(&self.face_dir) = dir;
    }

    /// Reseeds the challenge generator.
    pub fn seed_challenges(&self, seed: u64) {
        *lock(&self.rng) = ChaCha20Rng::seed_from_u64(seed);
    }

    /// Registers a certificate (server-side facts keyed by its serial).
    pub fn register_certificate(
        &self,
        der: &[u8],
        record: CertificateRecord,
    ) -> Result<String, String> {
        let cert = certs::parse(der)?;
        lock(&self.registry).insert(cert.serial.clone(), record, cert.fingerprint);
        Ok(cert.serial)
    }

    /// The registry row of a serial. On the first unknown serial the issuer's default cards
    /// are registered (cards presented from outside the simulator, e.g. over vpcd).
    pub fn lookup_certificate(
        &self,
        cert: &certs::PresentedCertificate,
        now: DateTime<FixedOffset>,
    ) -> Option<CertificateRecord> {
        if let Some(r) = lock(&self.registry).get_issued(cert) {
            return Some(r.clone());
        }
        {
            let mut done = lock(&self.defaults_registered);
            if *done {
                return None;
            }
            *done = true;
        }
        if let Some(issuer) = self.issuer() {
            for (der, record) in issuer.known_certificates(now) {
                if let Ok(issued) = certs::parse(&der) {
                    let mut reg = lock(&self.registry);
                    // A card issued through the admin API keeps its own row.
                    if reg.get(&issued.serial).is_none() {
                        reg.insert(issued.serial, record, issued.fingerprint);
                    }
                }
            }
        }
        lock(&self.registry).get_issued(cert).cloned()
    }

    pub fn registered_certificates(&self) -> Vec<(String, CertificateRecord)> {
        lock(&self.registry)
            .rows()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Replaces the readers.
    pub fn set_readers(&self, readers: Vec<Reader>) {
        lock(&self.state).readers = readers;
    }

    /// Adds a reader; returns its index.
    pub fn add_reader(&self, reader: Reader) -> usize {
        let mut s = lock(&self.state);
        s.readers.push(reader);
        s.readers.len() - 1
    }

    pub fn readers(&self) -> Vec<ReaderSummary> {
        lock(&self.state)
            .readers
            .iter()
            .enumerate()
            .map(|(i, r)| r.summary(i))
            .collect()
    }

    pub fn set_face_mode(&self, index: usize, mode: FaceMode) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        if r.kind != ReaderKind::Face {
            return Err(RequestError(format!("reader {index} is not a face reader")));
        }
        r.mode = mode;
        Ok(())
    }

    pub fn settings(&self) -> TerminalSettings {
        lock(&self.state).settings.clone()
    }

    pub fn set_settings(&self, settings: TerminalSettings) {
        lock(&self.state).settings = settings;
    }

    pub fn fault(&self) -> Option<Fault> {
        lock(&self.state).fault.clone()
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        lock(&self.state).fault = fault;
    }

    /// Puts a card into an in-process reader.
    pub fn insert_card(
        &self,
        index: usize,
        card: Box<dyn Card>,
        profile: Option<String>,
    ) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        match &mut r.link {
            ReaderLink::Virtual(slot) => {
                let _replaced = slot.insert(card);
                r.card_profile = profile;
                Ok(())
            }
            ReaderLink::External(_) => Err(RequestError(format!(
                "reader {index} ({}) is not an in-process reader: present the card to it instead",
                r.name
            ))),
        }
    }

    /// Issues a card of a profile (registering its certificate) and puts it into a reader.
    pub fn insert_profile(
        &self,
        index: usize,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), RequestError> {
        self.insert_profile_keeping_pins(index, profile, person, now, None)
    }

    /// [`Terminal::insert_profile`] with the card's PIN counters kept in `state_dir`.
    pub fn insert_profile_keeping_pins(
        &self,
        index: usize,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
        state_dir: Option<&std::path::Path>,
    ) -> Result<(), RequestError> {
        let issuer = self
            .issuer()
            .ok_or_else(|| RequestError("no card issuer is configured on this simulator".into()))?;
        let issued = issuer.issue(profile, person, now, state_dir).map_err(|e| {
            RequestError(format!(
                "profile \"{profile}\": {e} (profiles: {})",
                issuer.profiles().join(", ")
            ))
        })?;
        if let (Some(der), Some(record)) = (&issued.certificate, issued.record) {
            self.register_certificate(der, record)
                .map_err(|e| RequestError(format!("issued certificate: {e}")))?;
        }
        self.insert_card(index, issued.card, Some(profile.to_owned()))
    }

    /// Takes the card out of an in-process reader.
    pub fn remove_card(&self, index: usize) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        if let ReaderLink::Virtual(slot) = &mut r.link {
            let _removed = slot.remove();
        }
        r.card_profile = None;
        Ok(())
    }

    /// A recent confirmation by id.
    pub fn confirmation(&self, id: u64) -> Option<Confirmation> {
        lock(&self.state)
            .recent
            .iter()
            .find(|c| c.id == id)
            .cloned()
    }

    fn challenge(&self) -> [u8; 32] {
        let mut c = [0u8; 32];
        lock(&self.rng).fill_bytes(&mut c);
        c
    }
}

fn reader_mut(readers: &mut [Reader], index: usize) -> Result<&mut Reader, RequestError> {
    let n = readers.len();
    readers
        .get_mut(index)
        .ok_or_else(|| RequestError(format!("no reader {index} (the terminal has {n})")))
}

/// RULE-86: the topology check of SCR-08. AMB-86: several readers (ERR-18) wins over
/// generic + face (ERR-17).
fn topology_dialog(readers: &[Reader]) -> Option<&'static str> {
    let generic = readers
        .iter()
        .filter(|r| r.kind == ReaderKind::Generic)
        .count();
    let face = readers.len() - generic;
    if generic >= 2 || face >= 2 {
        Some("ERR-18")
    } else if generic == 1 && face == 1 {
        Some("ERR-17")
    } else if generic == 0 {
        Some("ERR-09")
    } else {
        None
    }
}

/// What the card-reading part found.
struct CardRead {
    certificate: certs::PresentedCertificate,
}

/// Card errors as the manual's dialogs (generic reader, or face reader in 目視確認).
fn card_error_dialog(e: &CardError, face: bool) -> Dialog {
    match e {
        CardError::NoCard | CardError::NotMyNumberCard(_) => Dialog::catalogue("ERR-11"),
        CardError::Unsupported(_) => Dialog::catalogue("ERR-12"),
        CardError::ReadFailure(_) => Dialog::catalogue(if face { "ERR-26" } else { "ERR-10" }),
        CardError::PinLocked => Dialog::catalogue("ERR-13"),
        CardError::WrongPin(n) => Dialog::wrong_pin(*n),
        CardError::SigningFailed(_) => Dialog::auth_error(CardAuthErrorCode::SigningFailed.code()),
    }
}

/// The APDU part: read the certificate; on the PIN path VERIFY and have the challenge signed.
fn read_card(
    ch: &mut dyn CardChannel,
    method: Method,
    pin: Option<&str>,
    challenge: &[u8; 32],
    face: bool,
) -> Result<(CardRead, Option<Vec<u8>>), Box<Dialog>> {
    let stop = |e: CardError| Box::new(card_error_dialog(&e, face));
    ch.connect().map_err(|e| stop(e.into()))?;
    let r = (|| {
        jpki::select_applet(ch)?;
        jpki::read_token(ch)?;
        let der = jpki::read_auth_certificate(ch)?;
        let certificate = certs::parse(&der).map_err(CardError::ReadFailure)?;
        let signature = match method {
            Method::Visual | Method::InsuranceCard | Method::FaceRecognition => None,
            Method::Pin => {
                if jpki::pin_tries_left(ch)? == 0 {
                    return Err(CardError::PinLocked);
                }
                let Some(pin) = pin else {
                    return Ok(None);
                };
                jpki::verify_pin(ch, pin)?;
                let di = jpki::sha256_digest_info(&certs::challenge_hash(challenge));
                Some(Some(jpki::sign(ch, &di)?))
            }
        };
        Ok(Some((CardRead { certificate }, signature.flatten())))
    })();
    ch.disconnect();
    match r {
        Ok(Some(read)) => Ok(read),
        // The PIN path without a PIN (SCR-09 left empty).
        Ok(None) => Err(Box::new(Dialog::simulator(
            texts::WRONG_PIN_TITLE,
            texts::PIN_REQUIRED_MESSAGE.to_owned(),
        ))),
        Err(e) => Err(stop(e)),
    }
}

/// The judged part of a confirmation, before it is recorded.
struct Judged {
    person: Option<String>,
    dialog: Option<Dialog>,
    notice: Option<Dialog>,
    result: Option<SingleInquiryResponse>,
}

impl Judged {
    fn dialog(d: Dialog) -> Self {
        Judged {
            person: None,
            dialog: Some(d),
            notice: None,
            result: None,
        }
    }
}

/// Builds the OQSsiquc01res result of a person for a date (None: no qualification on the date).
pub fn mynumber_result(
    cx: &Context<'_>,
    person_key: &str,
    facility: &str,
    date: NaiveDate,
    choices: &Choices,
    arbitrary_file_identifier: Option<String>,
) -> Option<SingleInquiryResponse> {
    let pop = cx.population.clone();
    let now = cx.clock.now();
    let person = pop.person_by_key(person_key)?;
    let ids: Vec<_> = pop
        .qualifications_of(person)
        .filter(|&id| pop.qualification(id).is_valid_on(date))
        .collect();
    if ids.is_empty() {
        return None;
    }
    let options = ResultOptions {
        facility,
        date,
        now,
        limit_consent: if choices.show_limit {
            ConsentFlag::Consented
        } else {
            ConsentFlag::NotConsented
        },
        specific_disease_allowed: true,
        specific_disease_consent: choices.show_specific_disease,
    };
    let stamp = inquiry::timestamp(now);
    let flag = |on: bool| Some(if on { "1" } else { "0" }.to_owned());
    let time = |on: bool| on.then(|| stamp.clone());
    let c = choices.consents;
    let mut results: Vec<QualificationResult> = ids
        .into_iter()
        .map(|id| {
            let mut r = inquiry::qualification_result(&pop, id, &options);
            r.operation_cons_flg = flag(c.operation);
            r.operation_cons_time = time(c.operation);
            // 「診療・薬剤情報」 is one consent covering both 診療情報 and 薬剤情報.
            r.diagnosis_cons_flg = flag(c.diagnosis_medication);
            r.diagnosis_cons_time = time(c.diagnosis_medication);
            r.pharmacists_cons_flg = flag(c.diagnosis_medication);
            r.pharmacists_cons_time = time(c.diagnosis_medication);
            r.specific_health_checkups_cons_flg = flag(c.health_checkup);
            r.specific_health_checkups_cons_time = time(c.health_checkup);
            r
        })
        .collect();
    // 照会番号 registered by this facility show on every result, My Number ones included.
    cx.references.patch(facility, &mut results);
    Some(SingleInquiryResponse {
        header: ResultHeader {
            process_execution_time: stamp.clone(),
            qualification_confirmation_date: Some(format_date(date)),
            medical_institution_code: Some(facility.to_owned()),
            arbitrary_file_identifier,
            reference_classification: ReferenceClassification::MyNumberCard,
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: CharacterCode::Utf8,
        },
        body: Some(ResultBody {
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: Some(QualificationValidity::Valid),
            prescription_issue_select: choices.prescription_form.map(|f| f.code().to_owned()),
            search_echo: None,
            results,
        }),
    })
}

/// The server-side judgement after the card was read.
#[allow(clippy::too_many_arguments)]
fn judge(
    cx: &Context<'_>,
    read: &CardRead,
    signature: Option<&[u8]>,
    challenge: &[u8; 32],
    face: bool,
    facility: &str,
    date: NaiveDate,
    choices: &Choices,
    arbitrary_file_identifier: Option<String>,
) -> Judged {
    let term = &cx.terminal;
    match term.fault() {
        Some(Fault::CertificateInternalError) => {
            return Judged::dialog(Dialog::catalogue("ERR-07"))
        }
        Some(Fault::AuthenticationError { code }) => {
            let code = code.unwrap_or_else(|| CardAuthErrorCode::Injected.code().to_owned());
            return Judged::dialog(Dialog::auth_error(&code));
        }
        _ => {}
    }
    let cert = &read.certificate;
    if let Some(sig) = signature {
        if !certs::verify_signature(&cert.public_key, challenge, sig) {
            return Judged::dialog(Dialog::auth_error(
                CardAuthErrorCode::SignatureInvalid.code(),
            ));
        }
    }
    let Some(record) = term.lookup_certificate(cert, cx.clock.now()) else {
        return Judged::dialog(Dialog::auth_error(
            CardAuthErrorCode::UnknownCertificate.code(),
        ));
    };
    let person = Some(record.person_key.clone());
    let with_person = |d: Dialog| Judged {
        person: person.clone(),
        ..Judged::dialog(d)
    };
    if record.revoked {
        return with_person(Dialog::catalogue("ERR-05"));
    }
    let now = cx.clock.now();
    if cert.not_after < now {
        return with_person(Dialog::catalogue("ERR-06"));
    }
    if !record.insurance_registered {
        return with_person(Dialog::catalogue(if face { "ERR-27" } else { "ERR-16" }));
    }
    // ERR-08 (AMB-25): within 3 calendar months, inclusive. A notice: the check goes on after
    // 《OK》 to the qualification (which may still end in ERR-15).
    let notice = now
        .checked_add_months(Months::new(3))
        .filter(|limit| cert.not_after <= *limit)
        .map(|_| Dialog::expiring(cert.not_after.date_naive()));
    match mynumber_result(
        cx,
        &record.person_key,
        facility,
        date,
        choices,
        arbitrary_file_identifier,
    ) {
        Some(result) => Judged {
            person,
            dialog: None,
            notice,
            result: Some(result),
        },
        None => Judged {
            notice,
            ..with_person(Dialog::catalogue(if face { "ERR-28" } else { "ERR-15" }))
        },
    }
}

/// 医療機関コード: the request's (10 half-width digits) or the terminal's.
fn facility_of(given: Option<&str>, settings: &TerminalSettings) -> Result<String, RequestError> {
    match given.map(str::trim) {
        None | Some("") => Ok(settings.facility.clone()),
        Some(f) if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) => Ok(f.to_owned()),
        Some(f) => Err(RequestError(format!(
            "医療機関コード \"{f}\" is not 10 half-width digits"
        ))),
    }
}

/// SCR-09 takes 「利用者電子証明書の暗証番号（4桁の数字）」: anything else is refused before the
/// card is touched (no try is spent).
fn check_pin(pin: Option<&str>) -> Result<(), RequestError> {
    match pin {
        Some(p) if p.len() != 4 || !p.bytes().all(|b| b.is_ascii_digit()) => Err(RequestError(
            "暗証番号 must be 4 half-width digits (SCR-09: 利用者電子証明書の暗証番号（4桁の数字）)".into(),
        )),
        _ => Ok(()),
    }
}

/// Resolves the request's choices against the facility settings.
fn choices_of(req: &MyNumberRequest, settings: &TerminalSettings) -> Result<Choices, RequestError> {
    settings.check_boxes(Some(req.consents), req.show_specific_disease)?;
    let options = settings.prescription_options();
    let prescription_form = match (&req.prescription_form, options.first()) {
        (_, None) => None,
        (None, Some(first)) => Some(*first), // RULE-23: one is always selected (AMB-10).
        (Some(s), Some(_)) => {
            let f = parse_prescription_form(s)?;
            if !options.contains(&f) {
                return Err(RequestError(format!(
                    "処方箋発行形態 {} is not offered by this facility's settings",
                    f.label()
                )));
            }
            Some(f)
        }
    };
    Ok(Choices {
        consents: req.consents,
        show_limit: req.show_limit,
        show_specific_disease: req.show_specific_disease,
        prescription_form,
    })
}

/// One My Number confirmation, end to end: the one function every way in calls. The outcome
/// is journalled (with the method) and kept for the follow-up actions.
pub fn confirm(cx: &Context<'_>, req: &MyNumberRequest) -> Result<Confirmation, RequestError> {
    let term = &cx.terminal;
    let now = cx.clock.now();
    let date = match &req.confirmation_date {
        Some(s) if !s.trim().is_empty() => parse_confirmation_date(s)?,
        _ => inquiry::today(now),
    };
    let method = req.method.unwrap_or(Method::Visual);
    check_pin(req.pin.as_deref())?;
    let settings = term.settings();
    let facility = facility_of(req.facility.as_deref(), &settings)?;
    let choices = choices_of(req, &settings)?;
    let challenge = term.challenge();
    let mut state = lock(&term.state);
    // Which reader: the one named, else the terminal's generic reader (SCR-08).
    let (index, face) = match req.reader {
        Some(i) => {
            let r = state.readers.get(i).ok_or_else(|| {
                RequestError(format!(
                    "no reader {i} (the terminal has {})",
                    state.readers.len()
                ))
            })?;
            (Some(i), r.kind == ReaderKind::Face)
        }
        None if req.face_reader => (
            state
                .readers
                .iter()
                .position(|r| r.kind == ReaderKind::Face),
            true,
        ),
        None => (
            state
                .readers
                .iter()
                .position(|r| r.kind == ReaderKind::Generic),
            false,
        ),
    };
    let fault = state.fault.clone();
    let (judged, reader_name, reader_kind, method) = {
        let topo = if face {
            None
        } else {
            topology_dialog(&state.readers)
        };
        match (topo, index) {
            (Some(err), _) => (Judged::dialog(Dialog::catalogue(err)), None, None, method),
            (None, None) => (
                Judged::dialog(Dialog::catalogue(if face { "ERR-25" } else { "ERR-09" })),
                None,
                None,
                method,
            ),
            (None, Some(i)) => {
                let reader = &mut state.readers[i];
                let name = Some(reader.name.clone());
                let kind = Some(reader.kind);
                // A face reader in 暗証番号認証固定 always asks for the PIN; in 無人運転 a PIN
                // given is used, else the face match stands in for it (simulated as a match).
                let used = match (face, reader.mode, method) {
                    (true, FaceMode::PinOnly, _) => Method::Pin,
                    (true, FaceMode::Visual, _) => Method::Visual,
                    (true, FaceMode::Unattended, Method::Pin) => Method::Pin,
                    (true, FaceMode::Unattended, _) => Method::FaceRecognition,
                    _ => method,
                };
                let judged = if fault == Some(Fault::ReadFailure) {
                    Judged::dialog(card_error_dialog(
                        &CardError::ReadFailure("injected".into()),
                        face,
                    ))
                } else {
                    match read_card(
                        reader.link.channel(),
                        used,
                        req.pin.as_deref(),
                        &challenge,
                        face,
                    ) {
                        Err(d) => Judged::dialog(*d),
                        Ok((read, sig)) => {
                            // The server's part runs without the terminal lock held.
                            drop(state);
                            let j = judge(
                                cx,
                                &read,
                                sig.as_deref(),
                                &challenge,
                                face,
                                &facility,
                                date,
                                &choices,
                                req.arbitrary_file_identifier.clone(),
                            );
                            state = lock(&term.state);
                            j
                        }
                    }
                };
                (judged, name, kind, used)
            }
        }
    };
    let id = state.next_id;
    state.next_id += 1;
    let mut confirmation = Confirmation {
        id,
        at: now.to_rfc3339(),
        method,
        reader: reader_name,
        reader_kind,
        facility,
        confirmation_date: date,
        person: judged.person,
        dialog: judged.dialog,
        notice: judged.notice,
        choices,
        result: judged.result,
        face_file: None,
        history_id: None,
    };
    drop(state);
    if face {
        confirmation.face_file = write_face_result(term, &confirmation, now);
    }
    Ok(keep(cx, confirmation, req, now))
}

/// Journals a finished confirmation, records it in the confirmation history (資格確認履歴,
/// DM-17) and keeps it among the recent ones for SCR-10's follow-ups.
fn keep(
    cx: &Context<'_>,
    mut confirmation: Confirmation,
    req: &MyNumberRequest,
    now: DateTime<FixedOffset>,
) -> Confirmation {
    record(cx, &confirmation, req);
    confirmation.history_id = record_in_history(cx.history, &confirmation, now);
    let mut state = lock(&cx.terminal.state);
    state.recent.push_back(confirmation.clone());
    while state.recent.len() > RECENT_CONFIRMATIONS {
        state.recent.pop_front();
    }
    confirmation
}

/// The My Number card's history record (FLOW-08/09, face readers): a check that reached a result
/// is recorded with the method and reader it used (DM-17 display texts).
fn record_in_history(
    history: &History,
    c: &Confirmation,
    at: DateTime<FixedOffset>,
) -> Option<u64> {
    let kind = match (c.reader_kind, c.method) {
        (Some(ReaderKind::Face), Method::Visual) => ConfirmationKind::FaceVisual,
        (Some(ReaderKind::Face), Method::Pin) => ConfirmationKind::FacePin,
        (_, Method::Visual) => ConfirmationKind::MyNumberVisual,
        (_, Method::Pin) => ConfirmationKind::MyNumberPin,
        (_, Method::InsuranceCard) => ConfirmationKind::InsuranceCard,
        (_, Method::FaceRecognition) => ConfirmationKind::FaceRecognition,
    };
    let body = c.result.as_ref()?.body.as_ref()?;
    let meta = Recorded {
        facility: c.facility.trim(),
        at,
        login_id: TERMINAL_LOGIN_ID,
        kind,
    };
    history.record_body(meta, body)
}

/// A face reader's result into `face/` as `OQSsiquc01res_face_<time>_<id>.xml`, atomically.
fn write_face_result(
    term: &Terminal,
    c: &Confirmation,
    now: DateTime<FixedOffset>,
) -> Option<String> {
    let dir = lock(&term.face_dir).clone()?;
    let xml = c.result_xml()?;
    let name = format!(
        "OQSsiquc01res_face_{}_{:06}.xml",
        inquiry::timestamp(now),
        c.id
    );
    match crate::services::files::write_atomically(&dir, &name, xml.as_bytes()) {
        Ok(()) => Some(name),
        Err(e) => {
            tracing::warn!("face result {name}: {e}");
            None
        }
    }
}

/// Journals a confirmation with its method.
fn record(cx: &Context<'_>, c: &Confirmation, req: &MyNumberRequest) {
    let shown = serde_json::json!({
        "method": c.method.label(),
        "reader": c.reader,
        "confirmation_date": c.confirmation_date.format("%Y/%m/%d").to_string(),
        // Never journal a PIN.
        "pin": req.pin.as_ref().map(|_| "****"),
    })
    .to_string();
    let entry = JournalEntry {
        seq: 0,
        received_at: c.at.clone(),
        transport: Transport::Terminal,
        message: "mynumber".into(),
        source: match c.reader_kind {
            Some(ReaderKind::Face) => {
                format!("face-reader:{}", c.reader.clone().unwrap_or_default())
            }
            _ => "/terminal/mynumber".into(),
        },
        outcome: if c.dialog.is_some() {
            "dialog"
        } else {
            "answered"
        }
        .into(),
        error_code: c
            .dialog
            .as_ref()
            .and_then(|d| d.err.clone().or_else(|| Some("SIM".into()))),
        error_detail: c.dialog.as_ref().map(|d| d.message.clone()),
        validity: c.validity().map(|v| v.code().to_owned()),
        encoding: None,
        request_bytes: shown.len(),
        request: shown,
        request_truncated: false,
        method: Some(c.method.label().to_owned()),
    };
    cx.journal.record(entry);
}

/// Follow-up on SCR-10 (FLOW-11 consent correction with 《更新》, FLOW-13 《情報表示》, FLOW-14
/// issuance form 《更新》): the latest answer wins (RULE-16); the result is built anew.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Update {
    pub consents: Option<Consents>,
    pub show_limit: Option<bool>,
    pub show_specific_disease: Option<bool>,
    pub prescription_form: Option<String>,
}

/// Applies an update to a recent confirmation. A changed 処方箋発行形態 also reaches the
/// confirmation history, which shows the form chosen last (RULE-24, RULE-61).
pub fn update(cx: &Context<'_>, id: u64, u: &Update) -> Result<Confirmation, RequestError> {
    let c = apply_update(cx, id, u)?;
    if u.prescription_form.is_some() {
        if let Some(h) = c.history_id {
            cx.history
                .set_prescription_form(h, c.choices.prescription_form)
                .map_err(|e| RequestError(format!("the history could not be updated: {e}")))?;
        }
    }
    Ok(c)
}

fn apply_update(cx: &Context<'_>, id: u64, u: &Update) -> Result<Confirmation, RequestError> {
    let term = &cx.terminal;
    let settings = term.settings();
    let mut c = term
        .confirmation(id)
        .ok_or_else(|| RequestError(format!("no recent confirmation {id}")))?;
    if c.method == Method::InsuranceCard {
        return update_insurance_card(term, c, u, &settings);
    }
    let person = match (&c.person, &c.result) {
        (Some(p), Some(_)) => p.clone(),
        _ => {
            return Err(RequestError(format!(
                "confirmation {id} ended with a dialog: there is no SCR-10 to update"
            )))
        }
    };
    settings.check_boxes(u.consents, u.show_specific_disease == Some(true))?;
    if let Some(x) = u.consents {
        c.choices.consents = x;
    }
    if let Some(x) = u.show_limit {
        c.choices.show_limit = x;
    }
    if let Some(x) = u.show_specific_disease {
        c.choices.show_specific_disease = x;
    }
    if let Some(s) = &u.prescription_form {
        let f = parse_prescription_form(s)?;
        if !settings.prescription_options().contains(&f) {
            return Err(RequestError(format!(
                "処方箋発行形態 {} is not offered by this facility's settings",
                f.label()
            )));
        }
        c.choices.prescription_form = Some(f);
    }
    let aid = c
        .result
        .as_ref()
        .and_then(|r| r.header.arbitrary_file_identifier.clone());
    c.result = mynumber_result(
        cx,
        &person,
        &c.facility,
        c.confirmation_date,
        &c.choices,
        aid,
    );
    let mut state = lock(&term.state);
    if let Some(slot) = state.recent.iter_mut().find(|x| x.id == id) {
        *slot = c.clone();
    }
    Ok(c)
}

/// SCR-13 (FLOW-15): what is typed for an insurance-card check on the terminal.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsuranceCardRequest {
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 生年月日: `yyyy/mm/dd`, `yyyymmdd` or `yyyy-mm-dd`.
    pub birthdate: String,
    /// 「限度額適用認定証 表示する」.
    pub show_limit: bool,
    /// 処方箋発行形態: 電子 / 紙.
    pub prescription_form: Option<String>,
    /// 資格確認日; default today.
    #[serde(alias = "資格確認日")]
    pub confirmation_date: Option<String>,
    /// 医療機関コード; default the terminal's facility.
    pub facility: Option<String>,
}

/// FLOW-15: an insurance-card check on the terminal with the 処方箋発行形態 of SCR-13 ②. The
/// judgement is the single inquiry's (`answer_single_inquiry`); the issuance form is added to
/// the result as on SCR-10 ⑧ and can be changed afterwards with [`update`].
pub fn confirm_insurance_card(
    cx: &Context<'_>,
    req: &InsuranceCardRequest,
) -> Result<Confirmation, RequestError> {
    use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
    let term = &cx.terminal;
    let now = cx.clock.now();
    let settings = term.settings();
    let date = match &req.confirmation_date {
        Some(s) if !s.trim().is_empty() => parse_confirmation_date(s)?,
        _ => inquiry::today(now),
    };
    let facility = facility_of(req.facility.as_deref(), &settings)?;
    let as_request = MyNumberRequest {
        show_limit: req.show_limit,
        prescription_form: req.prescription_form.clone(),
        ..MyNumberRequest::default()
    };
    let choices = choices_of(&as_request, &settings)?;
    // The birth date as typed on SCR-13 (西暦); malformed input is the inquiry's own error.
    let birthdate = parse_confirmation_date(&req.birthdate)
        .map(format_date)
        .unwrap_or_else(|_| req.birthdate.clone());
    let inquiry_req = SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some(format_date(date)),
            medical_institution_code: Some(facility.clone()),
            arbitrary_file_identifier: None,
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some(req.insurer_number.clone()),
            insured_card_symbol: req.symbol.clone().filter(|s| !s.is_empty()),
            insured_identification_number: Some(req.number.clone()),
            insured_branch_number: req.branch.clone().filter(|s| !s.is_empty()),
            birthdate: Some(birthdate),
            limit_application_certificate_related_cons_flg: Some(
                if req.show_limit { "1" } else { "0" }.to_owned(),
            ),
            arbitrary_identifier: None,
        },
    };
    let pop = cx.population.clone();
    let mut answer =
        inquiry::answer_single_inquiry(&pop, &inquiry_req, TextEncoding::Utf8, now, cx.errors);
    if let Some(body) = answer.response.body.as_mut() {
        // RULE-21: SCR-10 ⑧ shows the form after an insurance-card check too.
        if !body.results.is_empty() {
            body.prescription_issue_select = choices.prescription_form.map(|f| f.code().to_owned());
        }
    }
    let mut state = lock(&term.state);
    let id = state.next_id;
    state.next_id += 1;
    drop(state);
    let confirmation = Confirmation {
        id,
        at: now.to_rfc3339(),
        method: Method::InsuranceCard,
        reader: None,
        reader_kind: None,
        facility,
        confirmation_date: date,
        person: None,
        dialog: None,
        notice: None,
        choices,
        result: Some(answer.response),
        face_file: None,
        history_id: None,
    };
    Ok(keep(cx, confirmation, &MyNumberRequest::default(), now))
}

/// 《更新》 of the issuance form after an insurance-card check (RULE-24). Consents and the
/// 特定疾病 display belong to My Number checks only (RULE-13, AMB-24).
fn update_insurance_card(
    term: &Terminal,
    mut c: Confirmation,
    u: &Update,
    settings: &TerminalSettings,
) -> Result<Confirmation, RequestError> {
    if u.consents.is_some() || u.show_limit.is_some() || u.show_specific_disease.is_some() {
        return Err(RequestError(
            "after an insurance-card check only the 処方箋発行形態 can be updated here".into(),
        ));
    }
    if let Some(s) = &u.prescription_form {
        let f = parse_prescription_form(s)?;
        if !settings.prescription_options().contains(&f) {
            return Err(RequestError(format!(
                "処方箋発行形態 {} is not offered by this facility's settings",
                f.label()
            )));
        }
        c.choices.prescription_form = Some(f);
        if let Some(body) = c.result.as_mut().and_then(|r| r.body.as_mut()) {
            if !body.results.is_empty() {
                body.prescription_issue_select = Some(f.code().to_owned());
            }
        }
    }
    let mut state = lock(&term.state);
    if let Some(slot) = state.recent.iter_mut().find(|x| x.id == c.id) {
        *slot = c.clone();
    }
    Ok(c)
}

//! Card readers (汎用カードリーダー, 顔認証付きカードリーダー) and their topology (RULE-86: ERR-09/17/18).

use super::request::RequestError;
use serde::Serialize;
use virtual_card::{CardChannel, VirtualReader};

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

/// How a reader reaches its card.
pub enum ReaderLink {
    /// In-process reader (the default: no system packages needed).
    Virtual(VirtualReader),
    /// Any other reader, e.g. a PC/SC reader by name.
    External(Box<dyn CardChannel>),
}

impl ReaderLink {
    pub(super) fn channel(&mut self) -> &mut dyn CardChannel {
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
    /// Face readers: 日本語名称, shown under the device ID when set (RULE-82).
    pub label: Option<String>,
    /// Face readers: セットアップ済み (ENV-11); only those can be set on SCR-32 (ERR-29).
    pub set_up: bool,
    /// Face readers: 電子処方箋関連画面の表示有無, 表示する by default (RULE-83).
    pub prescription_screens: bool,
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
            label: None,
            set_up: true,
            prescription_screens: true,
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
            label: None,
            set_up: true,
            prescription_screens: true,
        }
    }

    pub(super) fn summary(&self, index: usize) -> ReaderSummary {
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
            label: self.label.clone(),
            set_up: (self.kind == ReaderKind::Face).then_some(self.set_up),
            prescription_screens: (self.kind == ReaderKind::Face)
                .then_some(self.prescription_screens),
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
    /// 日本語名称 (RULE-82).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Face readers: セットアップ済み.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_up: Option<bool>,
    /// Face readers: 電子処方箋関連画面を表示する (RULE-83).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prescription_screens: Option<bool>,
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
pub(super) fn reader_mut(
    readers: &mut [Reader],
    index: usize,
) -> Result<&mut Reader, RequestError> {
    let n = readers.len();
    readers
        .get_mut(index)
        .ok_or_else(|| RequestError(format!("no reader {index} (the terminal has {n})")))
}

/// RULE-86: the topology check of SCR-08. AMB-86: several readers (ERR-18) wins over
/// generic + face (ERR-17).
/// RULE-79: 「目視確認モードは、資格確認端末 1 台に対して顔認証付きカードリーダー 1 台のみ利用できます。」
/// A visual check on a face reader while another face reader is connected gets ERR-18 (whose
/// 【事象】 names 顔認証付きカードリーダーが複数接続された状態).
pub(super) fn face_visual_dialog(readers: &[Reader], index: usize) -> Option<&'static str> {
    let faces = readers
        .iter()
        .filter(|r| r.kind == ReaderKind::Face)
        .count();
    let visual = readers
        .get(index)
        .is_some_and(|r| r.kind == ReaderKind::Face && r.mode == FaceMode::Visual);
    (visual && faces >= 2).then_some("ERR-18")
}

pub(super) fn topology_dialog(readers: &[Reader]) -> Option<&'static str> {
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

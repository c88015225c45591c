//! 保管調剤結果一括取得 (JOB-05, ch.11) as messages. The manual gives only screens (SCR-33/34);
//! no public interface exists, so these are **the simulator's own** (docs/interface.md §2.8),
//! shaped like the bulk messages: `OQSmudsp01req` asks for a period and answers the
//! 調剤結果一括取得ID (DLG-32), `OQSmudsp02req` lists the acquisitions (SCR-34, 9 per page,
//! newest first) or reads one, with its zip (base64) when it can be downloaded.

use crate::codes::{CharacterCode, ProcessingResultStatus, SegmentOfResult};
use crate::dom::Element;
use crate::fields::StructureError;
use crate::header::{header_and_body, RequestHeader, ResultHeaderFields, BODY, ROOT};

/// OQSmudsp01req: the acquisition period (調剤結果取得期間（開始）/（終了）, YYYYMMDD).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcquisitionRequest {
    pub header: RequestHeader,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl AcquisitionRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        Ok(AcquisitionRequest {
            header: RequestHeader::from_element(header),
            start: body.child_text("AcquisitionStartDate").map(str::to_owned),
            end: body.child_text("AcquisitionEndDate").map(str::to_owned),
        })
    }

    pub fn to_element(&self) -> Element {
        let mut body = Element::new(BODY);
        body.push_opt("AcquisitionStartDate", self.start.clone());
        body.push_opt("AcquisitionEndDate", self.end.clone());
        self.header.document(body)
    }
}

/// The result header both answers share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispensingHeader {
    pub process_execution_time: String,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub character_code: CharacterCode,
}

impl DispensingHeader {
    fn to_element(&self) -> Element {
        ResultHeaderFields {
            process_execution_time: &self.process_execution_time,
            qualification_confirmation_date: None,
            medical_institution_code: self.medical_institution_code.as_deref(),
            arbitrary_file_identifier: self.arbitrary_file_identifier.as_deref(),
            segment_of_result: self.segment_of_result,
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            character_code: self.character_code,
        }
        .to_element(|_| {})
    }
}

/// ProcessingResultStatus and, on an error, its code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processing {
    pub status: ProcessingResultStatus,
    pub code: Option<String>,
    pub message: Option<String>,
}

impl Processing {
    pub fn normal() -> Self {
        Processing {
            status: ProcessingResultStatus::Normal,
            code: None,
            message: None,
        }
    }

    fn push(&self, body: &mut Element) {
        body.push_leaf("ProcessingResultStatus", self.status.code());
        body.push_opt("ProcessingResultCode", self.code.clone());
        body.push_opt("ProcessingResultMessage", self.message.clone());
    }
}

/// OQSmudsp01res: accepted under a 調剤結果一括取得ID (DLG-32), or refused (ERR-30, ERR-31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquisitionResponse {
    pub header: DispensingHeader,
    /// Absent with SegmentOfResult 9.
    pub processing: Option<Processing>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// 24 digits: 処理年月日時分秒 + 薬局コード.
    pub acquisition_id: Option<String>,
    /// ダウンロード期限 YYYYMMDD (RULE-72).
    pub download_deadline: Option<String>,
}

impl AcquisitionResponse {
    pub fn to_element(&self) -> Element {
        let mut root = Element::new(ROOT).with(self.header.to_element());
        if let Some(p) = &self.processing {
            let mut b = Element::new(BODY);
            p.push(&mut b);
            b.push_opt("AcquisitionStartDate", self.start.clone());
            b.push_opt("AcquisitionEndDate", self.end.clone());
            b.push_opt("DispensingResultAcquisitionId", self.acquisition_id.clone());
            b.push_opt("DownloadDeadline", self.download_deadline.clone());
            root.children.push(b);
        }
        root
    }
}

/// OQSmudsp02req: one acquisition by its ID, or a page of the list (1-based; default 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub header: RequestHeader,
    pub acquisition_id: Option<String>,
    pub page: Option<String>,
}

impl ListRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        Ok(ListRequest {
            header: RequestHeader::from_element(header),
            acquisition_id: body
                .child_text("DispensingResultAcquisitionId")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            page: body
                .child_text("PageNumber")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        })
    }

    pub fn to_element(&self) -> Element {
        let mut body = Element::new(BODY);
        body.push_opt("DispensingResultAcquisitionId", self.acquisition_id.clone());
        body.push_opt("PageNumber", self.page.clone());
        self.header.document(body)
    }
}

/// One row of SCR-34.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquisitionInfo {
    pub acquisition_id: String,
    /// 照会状況, verbatim (照会中 / 照会完了).
    pub status: String,
    pub start: String,
    pub end: String,
    /// 件数, once 照会完了.
    pub count: Option<usize>,
    /// ダウンロード期限 YYYYMMDD, shown while there is something to download (RULE-74).
    pub download_deadline: Option<String>,
    /// 《ダウンロード》 shown: 照会完了, 件数 > 0, deadline not passed.
    pub downloadable: bool,
    /// `<ID>.zip` once 照会完了.
    pub file_name: Option<String>,
}

impl AcquisitionInfo {
    pub fn to_element(&self) -> Element {
        let mut e = Element::new("AcquisitionInfo");
        e.push_leaf("DispensingResultAcquisitionId", &self.acquisition_id);
        e.push_leaf("AcquisitionStatus", &self.status);
        e.push_leaf("AcquisitionStartDate", &self.start);
        e.push_leaf("AcquisitionEndDate", &self.end);
        e.push_opt(
            "NumberOfDispensingResults",
            self.count.map(|c| c.to_string()),
        );
        e.push_opt("DownloadDeadline", self.download_deadline.clone());
        e.push_leaf("Downloadable", if self.downloadable { "1" } else { "0" });
        e.push_opt("ResultFileName", self.file_name.clone());
        e
    }

    pub fn from_element(e: &Element) -> Option<Self> {
        let get = |n: &str| e.child_text(n).map(str::to_owned);
        Some(AcquisitionInfo {
            acquisition_id: get("DispensingResultAcquisitionId")?,
            status: get("AcquisitionStatus")?,
            start: get("AcquisitionStartDate")?,
            end: get("AcquisitionEndDate")?,
            count: get("NumberOfDispensingResults").and_then(|c| c.parse().ok()),
            download_deadline: get("DownloadDeadline"),
            downloadable: get("Downloadable").as_deref() == Some("1"),
            file_name: get("ResultFileName"),
        })
    }
}

/// OQSmudsp02res: SCR-34's list (one page) or one acquisition, with its zip when downloadable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListResponse {
    pub header: DispensingHeader,
    pub processing: Option<Processing>,
    /// All acquisitions of the pharmacy (検索結果： N 件).
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<AcquisitionInfo>,
    /// The zip, base64 (only when one downloadable acquisition was asked for).
    pub result_file: Option<String>,
}

impl ListResponse {
    pub fn to_element(&self) -> Element {
        let mut root = Element::new(ROOT).with(self.header.to_element());
        if let Some(p) = &self.processing {
            let mut b = Element::new(BODY);
            p.push(&mut b);
            b.push_leaf("NumberOfAcquisitions", self.total.to_string());
            b.push_leaf("PageNumber", self.page.to_string());
            b.push_leaf("NumberOfPages", self.pages.to_string());
            if !self.rows.is_empty() {
                let mut list = Element::new("AcquisitionList");
                list.children
                    .extend(self.rows.iter().map(AcquisitionInfo::to_element));
                b.children.push(list);
            }
            b.push_opt("ResultFile", self.result_file.clone());
            root.children.push(b);
        }
        root
    }
}

/// One stored dispensing result as a file of the zip (`<調剤結果ID>.xml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispensingResultRecord {
    pub id: String,
    pub pharmacy: String,
    /// 調剤年月日 YYYYMMDD.
    pub dispensed_on: String,
    /// 氏名 as the wire writes it (full-width space).
    pub name: String,
    /// 氏名（カナ）, half-width.
    pub name_kana: String,
    /// OQSCD007 code.
    pub sex: String,
    /// YYYYMMDD.
    pub birthdate: String,
    pub prescriber: Option<String>,
    pub medicines: Vec<String>,
}

impl DispensingResultRecord {
    pub fn to_element(&self) -> Element {
        let mut e = Element::new("DispensingResult");
        e.push_leaf("DispensingResultId", &self.id);
        e.push_leaf("PharmacyCode", &self.pharmacy);
        e.push_leaf("DispensingDate", &self.dispensed_on);
        e.push_leaf("Name", &self.name);
        e.push_leaf("NameKana", &self.name_kana);
        e.push_leaf("Sex", &self.sex);
        e.push_leaf("Birthdate", &self.birthdate);
        e.push_opt("PrescribingInstitutionName", self.prescriber.clone());
        if !self.medicines.is_empty() {
            let mut list = Element::new("MedicationList");
            for m in &self.medicines {
                list.push_leaf("Medication", m);
            }
            e.children.push(list);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_back_what_they_write() {
        let r = AcquisitionRequest {
            header: RequestHeader {
                medical_institution_code: Some("9940000076".into()),
                ..Default::default()
            },
            start: Some("20240101".into()),
            end: Some("20240131".into()),
        };
        assert_eq!(AcquisitionRequest::from_element(&r.to_element()), Ok(r));
        let l = ListRequest {
            header: RequestHeader::default(),
            acquisition_id: Some("202401181536279940000076".into()),
            page: Some("2".into()),
        };
        assert_eq!(ListRequest::from_element(&l.to_element()), Ok(l));
        assert!(ListRequest::from_element(&Element::new("Other")).is_err());
    }

    #[test]
    fn an_info_row_reads_back() {
        let i = AcquisitionInfo {
            acquisition_id: "202401181536279940000076".into(),
            status: "照会完了".into(),
            start: "20240101".into(),
            end: "20240101".into(),
            count: Some(1),
            download_deadline: Some("20240124".into()),
            downloadable: true,
            file_name: Some("202401181536279940000076.zip".into()),
        };
        assert_eq!(AcquisitionInfo::from_element(&i.to_element()), Some(i));
    }
}

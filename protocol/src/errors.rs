//! The one error-code table (interface.md §5): every error situation → code, level, message.
//!
//! Defaults live in `protocol/error-codes.toml` (embedded); a user file in the same format
//! overrides any subset of rows.

use serde::Deserialize;
use std::collections::BTreeMap;

/// Every error situation the simulator can report. The kebab-case key names the row in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    XmlStructure,
    Encoding,
    BodyTooLarge,
    UnknownMessage,
    MessageStructure,
    MedicalInstitutionCode,
    ConfirmationDate,
    ArbitraryFileIdentifier,
    CharacterCode,
    SystemError,
    InsurerNumber,
    InsuredCardSymbol,
    InsuredIdentificationNumber,
    InsuredBranchNumber,
    Birthdate,
    LimitConsentFlag,
    BeneficiaryNumber,
    MedicalAssistanceSymbolOrBranch,
    ArbitraryIdentifier,
    // Reference numbers and bulk jobs (JOB-01, JOB-02).
    ReferenceNumber,
    RegistrationNotFound,
    RegistrationMultiple,
    RegistrationDuplicate,
    ReceptionNumber,
    BulkRowLimit,
    // Visiting / online care (ch.3).
    VisitingBranchRequired,
    NoViewingConsent,
    ConsentSearchRange,
    // 保管調剤結果一括取得 (JOB-05, ch.11).
    DispensingPeriodMissing,
    DispensingPeriodFormat,
    DispensingPeriodTooLong,
    DispensingSameConditions,
    DispensingNotAvailable,
    DispensingUnknownId,
    // システム障害 (ch.12, ENV-15).
    SystemOutage,
    // 委託先資格情報一括取得 (JOB-04).
    MedicalTreatmentMonth,
    MedicalTreatmentFlag,
}

impl ErrorKind {
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::XmlStructure,
        ErrorKind::Encoding,
        ErrorKind::BodyTooLarge,
        ErrorKind::UnknownMessage,
        ErrorKind::MessageStructure,
        ErrorKind::MedicalInstitutionCode,
        ErrorKind::ConfirmationDate,
        ErrorKind::ArbitraryFileIdentifier,
        ErrorKind::CharacterCode,
        ErrorKind::SystemError,
        ErrorKind::InsurerNumber,
        ErrorKind::InsuredCardSymbol,
        ErrorKind::InsuredIdentificationNumber,
        ErrorKind::InsuredBranchNumber,
        ErrorKind::Birthdate,
        ErrorKind::LimitConsentFlag,
        ErrorKind::BeneficiaryNumber,
        ErrorKind::MedicalAssistanceSymbolOrBranch,
        ErrorKind::ArbitraryIdentifier,
        ErrorKind::ReferenceNumber,
        ErrorKind::RegistrationNotFound,
        ErrorKind::RegistrationMultiple,
        ErrorKind::RegistrationDuplicate,
        ErrorKind::ReceptionNumber,
        ErrorKind::BulkRowLimit,
        ErrorKind::VisitingBranchRequired,
        ErrorKind::NoViewingConsent,
        ErrorKind::ConsentSearchRange,
        ErrorKind::DispensingPeriodMissing,
        ErrorKind::DispensingPeriodFormat,
        ErrorKind::DispensingPeriodTooLong,
        ErrorKind::DispensingSameConditions,
        ErrorKind::DispensingNotAvailable,
        ErrorKind::DispensingUnknownId,
        ErrorKind::SystemOutage,
        ErrorKind::MedicalTreatmentMonth,
        ErrorKind::MedicalTreatmentFlag,
    ];

    /// The row key in the table file.
    pub fn key(self) -> &'static str {
        match self {
            ErrorKind::XmlStructure => "xml-structure",
            ErrorKind::Encoding => "encoding",
            ErrorKind::BodyTooLarge => "body-too-large",
            ErrorKind::UnknownMessage => "unknown-message",
            ErrorKind::MessageStructure => "message-structure",
            ErrorKind::MedicalInstitutionCode => "medical-institution-code",
            ErrorKind::ConfirmationDate => "confirmation-date",
            ErrorKind::ArbitraryFileIdentifier => "arbitrary-file-identifier",
            ErrorKind::CharacterCode => "character-code",
            ErrorKind::SystemError => "system-error",
            ErrorKind::InsurerNumber => "insurer-number",
            ErrorKind::InsuredCardSymbol => "insured-card-symbol",
            ErrorKind::InsuredIdentificationNumber => "insured-identification-number",
            ErrorKind::InsuredBranchNumber => "insured-branch-number",
            ErrorKind::Birthdate => "birthdate",
            ErrorKind::LimitConsentFlag => "limit-consent-flag",
            ErrorKind::BeneficiaryNumber => "beneficiary-number",
            ErrorKind::MedicalAssistanceSymbolOrBranch => "medical-assistance-symbol-or-branch",
            ErrorKind::ArbitraryIdentifier => "arbitrary-identifier",
            ErrorKind::ReferenceNumber => "reference-number",
            ErrorKind::RegistrationNotFound => "registration-not-found",
            ErrorKind::RegistrationMultiple => "registration-multiple",
            ErrorKind::RegistrationDuplicate => "registration-duplicate",
            ErrorKind::ReceptionNumber => "reception-number",
            ErrorKind::BulkRowLimit => "bulk-row-limit",
            ErrorKind::VisitingBranchRequired => "visiting-branch-required",
            ErrorKind::NoViewingConsent => "no-viewing-consent",
            ErrorKind::ConsentSearchRange => "consent-search-range",
            ErrorKind::DispensingPeriodMissing => "dispensing-period-missing",
            ErrorKind::DispensingPeriodFormat => "dispensing-period-format",
            ErrorKind::DispensingPeriodTooLong => "dispensing-period-too-long",
            ErrorKind::DispensingSameConditions => "dispensing-same-conditions",
            ErrorKind::DispensingNotAvailable => "dispensing-not-available",
            ErrorKind::DispensingUnknownId => "dispensing-unknown-id",
            ErrorKind::SystemOutage => "system-outage",
            ErrorKind::MedicalTreatmentMonth => "medical-treatment-month",
            ErrorKind::MedicalTreatmentFlag => "medical-treatment-flag",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        ErrorKind::ALL.iter().copied().find(|k| k.key() == key)
    }
}

/// Where an error shows in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorLevel {
    /// Not readable: HTTP 4xx / `.err` file.
    Reject,
    /// SegmentOfResult 9 with ErrorCode/ErrorMessage in the header.
    Header,
    /// ProcessingResultStatus 2 with ProcessingResultCode/Message in the body.
    Body,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct ErrorEntry {
    pub code: String,
    pub level: ErrorLevel,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
struct PartialEntry {
    code: Option<String>,
    level: Option<ErrorLevel>,
    message: Option<String>,
}

/// The table itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorTable {
    rows: BTreeMap<ErrorKind, ErrorEntry>,
}

/// A table file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorTableError {
    #[error("{0}")]
    Toml(String),
    #[error("unknown error key [{key}] (known keys: {known})")]
    UnknownKey { key: String, known: String },
    #[error("[{0}] is missing code, level or message")]
    Incomplete(String),
}

pub const DEFAULT_TABLE_TOML: &str = include_str!("../error-codes.toml");

impl ErrorTable {
    /// The built-in table.
    pub fn builtin() -> Self {
        // The embedded table is complete by construction; the unit test below proves it.
        ErrorTable::from_toml(DEFAULT_TABLE_TOML, None)
            .unwrap_or_else(|e| panic!("embedded error table: {e}"))
    }

    /// Reads a table from TOML text. With `base`, the text overrides only the rows it names.
    pub fn from_toml(text: &str, base: Option<&ErrorTable>) -> Result<Self, ErrorTableError> {
        let parsed: BTreeMap<String, PartialEntry> =
            toml::from_str(text).map_err(|e| ErrorTableError::Toml(e.to_string()))?;
        let mut rows = base.map(|b| b.rows.clone()).unwrap_or_default();
        for (key, partial) in parsed {
            let kind = ErrorKind::from_key(&key).ok_or_else(|| ErrorTableError::UnknownKey {
                key: key.clone(),
                known: ErrorKind::ALL
                    .iter()
                    .map(|k| k.key())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            let merged = match rows.get(&kind) {
                Some(old) => ErrorEntry {
                    code: partial.code.unwrap_or_else(|| old.code.clone()),
                    level: partial.level.unwrap_or(old.level),
                    message: partial.message.unwrap_or_else(|| old.message.clone()),
                },
                None => ErrorEntry {
                    code: partial
                        .code
                        .ok_or_else(|| ErrorTableError::Incomplete(key.clone()))?,
                    level: partial
                        .level
                        .ok_or_else(|| ErrorTableError::Incomplete(key.clone()))?,
                    message: partial
                        .message
                        .ok_or_else(|| ErrorTableError::Incomplete(key.clone()))?,
                },
            };
            rows.insert(kind, merged);
        }
        if base.is_none() {
            if let Some(missing) = ErrorKind::ALL.iter().find(|k| !rows.contains_key(k)) {
                return Err(ErrorTableError::Incomplete(missing.key().to_string()));
            }
        }
        Ok(ErrorTable { rows })
    }

    /// The row for `kind`.
    pub fn entry(&self, kind: ErrorKind) -> &ErrorEntry {
        // Every kind has a row: `from_toml` refuses incomplete tables.
        &self.rows[&kind]
    }

    /// All rows, in key order.
    pub fn rows(&self) -> impl Iterator<Item = (ErrorKind, &ErrorEntry)> {
        self.rows.iter().map(|(k, v)| (*k, v))
    }
}

impl Default for ErrorTable {
    fn default() -> Self {
        ErrorTable::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_is_complete_and_codes_are_unique() {
        let t = ErrorTable::builtin();
        let mut codes: Vec<_> = t.rows().map(|(_, e)| e.code.clone()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len(), "duplicate codes");
        assert_eq!(t.entry(ErrorKind::InsurerNumber).level, ErrorLevel::Body);
        assert_eq!(
            t.entry(ErrorKind::MedicalInstitutionCode).level,
            ErrorLevel::Header
        );
    }

    #[test]
    fn override_replaces_only_named_rows() {
        let base = ErrorTable::builtin();
        let t =
            ErrorTable::from_toml("[insurer-number]\ncode = \"X1\"\n", Some(&base)).expect("valid");
        assert_eq!(t.entry(ErrorKind::InsurerNumber).code, "X1");
        assert_eq!(
            t.entry(ErrorKind::InsurerNumber).message,
            base.entry(ErrorKind::InsurerNumber).message
        );
        assert_eq!(
            t.entry(ErrorKind::Birthdate),
            base.entry(ErrorKind::Birthdate)
        );
    }

    #[test]
    fn override_rejects_unknown_keys_and_bad_toml() {
        let base = ErrorTable::builtin();
        let e = ErrorTable::from_toml("[no-such]\ncode = \"X\"\n", Some(&base)).unwrap_err();
        assert!(e.to_string().contains("no-such"), "{e}");
        assert!(ErrorTable::from_toml("[insurer-number\n", Some(&base)).is_err());
    }
}

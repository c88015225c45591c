//! Code tables (OQSCD): one enum per table, each with its wire code, its Japanese name, and the
//! public source of its values (`SOURCE`, listed in docs/interface.md). Sources named:
//! - myclinic-ts: hangilc/myclinic-ts `packages/onshi-result/codes.ts` @ 9c27569 (MIT), first
//!   written as `packages/onshi-lib/onshi-codes.js` @ cbf3892;
//! - oqsFunc.js: an independent public transcription of OQSCD001–044 (class `OqsFunc`, one
//!   method per table) found in the public code index;
//! - the manual: the operation manual's screen texts (DM-06..09, RULE-04, RULE-61).

/// A code table: wire code and Japanese name for each value.
pub trait CodeTable: Sized + Copy + 'static {
    /// The table's name, e.g. 「性別」, for error messages.
    const NAME: &'static str;
    /// Where the codes come from (public transcriptions, or the simulator's own decision).
    const SOURCE: &'static str;
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
    /// Parses a wire code or a Japanese name.
    fn parse(s: &str) -> Option<Self> {
        Self::all()
            .iter()
            .copied()
            .find(|v| v.code() == s || v.label() == s)
    }
}

/// A code table made by `code_table!`: each of its codes holds none of `<>&'"` (asserted at
/// compile time where the table is made), so a writer copies a code without looking.
pub trait PlainCodes: CodeTable {}

/// Whether `code` holds none of `<>&'"` (what XML would escape).
pub(crate) const fn is_plain_code(code: &str) -> bool {
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'<' | b'>' | b'&' | b'\'' | b'"') {
            return false;
        }
        i += 1;
    }
    true
}

macro_rules! code_table {
    ($(#[$doc:meta])* $name:ident $table:literal source $source:literal { $($variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Where the codes come from.
            pub const SOURCE: &'static str = $source;

            /// Every value, in the table's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Japanese name from the code table.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a wire code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Parses a Japanese name.
            pub fn from_label(label: &str) -> Option<Self> {
                match label { $($label => Some($name::$variant),)+ _ => None }
            }
        }

        const _: () = { $(assert!(is_plain_code($code));)+ };

        impl PlainCodes for $name {}

        impl CodeTable for $name {
            const NAME: &'static str = $table;
            const SOURCE: &'static str = $source;
            fn all() -> &'static [Self] { $name::ALL }
            fn code(self) -> &'static str { $name::code(self) }
            fn label(self) -> &'static str { $name::label(self) }
        }
    };
}

code_table! {
    /// 003 処理結果区分 (SegmentOfResult).
    SegmentOfResult "処理結果区分" source "OQSCD003: myclinic-ts codes.ts and oqsFunc.js agree" {
        Normal = "1", "正常終了";
        Processing = "2", "処理中";
        Abnormal = "9", "異常終了";
    }
}

code_table! {
    /// 004 処理結果状況 (ProcessingResultStatus).
    ProcessingResultStatus "処理結果状況" source "OQSCD004: myclinic-ts codes.ts and oqsFunc.js agree" {
        Normal = "1", "正常終了";
        Error = "2", "エラー";
    }
}

code_table! {
    /// 002 照会区分 (ReferenceClassification).
    ReferenceClassification "照会区分" source "OQSCD002: myclinic-ts codes.ts and oqsFunc.js agree" {
        MyNumberCard = "1", "マイナンバーカード";
        InsuranceCard = "2", "被保険者証情報";
    }
}

code_table! {
    /// 005 文字コード識別 (CharacterCodeIdentifier). Public sources conflict between 0/1 and
    /// 1/2; the simulator uses 0 = UTF-8, 1 = Shift_JIS: the two real samples (UTF-8 files) carry 0.
    CharacterCode "文字コード識別" source "OQSCD005: myclinic-ts codes.ts (0 UTF-8, 1 Shift_JIS) and both real samples (0 in UTF-8 files); oqsFunc.js reads 1 UTF8, 2 Shift_JIS" {
        Utf8 = "0", "UTF-8";
        ShiftJis = "1", "Shift_JIS";
    }
}

code_table! {
    /// 006 資格有効性 (QualificationValidity).
    QualificationValidity "資格有効性" source "OQSCD006: myclinic-ts codes.ts (1-5) and oqsFunc.js (1-6) agree" {
        Valid = "1", "有効";
        Invalid = "2", "無効";
        InvalidWithNewer = "3", "無効（新しい資格あり）";
        NotFound = "4", "該当資格なし";
        Multiple = "5", "複数該当";
        ValidUnregistered = "6", "有効（未登録）";
    }
}

code_table! {
    /// 007 性別.
    Sex "性別" source "OQSCD007: myclinic-ts codes.ts and oqsFunc.js agree" {
        Male = "1", "男";
        Female = "2", "女";
        Unset = "3", "未設定";
    }
}

code_table! {
    /// 008 資格喪失事由 (ReasonOfLoss).
    ReasonOfLoss "資格喪失事由" source "OQSCD008: myclinic-ts codes.ts; oqsFunc.js has the same codes (its 99 label repeats 03's)" {
        Death = "01", "死亡";
        PublicAssistance = "02", "生活保護受給開始";
        OtherInsurance = "03", "医療保険等の資格取得";
        Other = "99", "その他";
    }
}

code_table! {
    /// 009 本人・家族 (PersonalFamilyClassification).
    PersonalFamily "本人・家族の別" source "OQSCD009: myclinic-ts codes.ts and oqsFunc.js agree" {
        Insured = "1", "本人";
        Family = "2", "家族";
    }
}

code_table! {
    /// 010 被保険者証区分 (InsuredCardClassification). Labels are the screen texts of DM-06.
    InsuredCardClassification "証区分" source "OQSCD010: codes from myclinic-ts codes.ts (01-07) and oqsFunc.js (01-07, A1); labels are the manual's screen texts (DM-06)" {
        General = "01", "被保険者証（一般）";
        Retired = "02", "被保険者証（退職）";
        ShortTermGeneral = "03", "短期被保険者証（一般）";
        ShortTermRetired = "04", "短期被保険者証（退職）";
        QualificationCertificate = "05", "被保険者資格証明書";
        SpecialRetired = "06", "特例退職被保険者証";
        SelfDefenseForces = "07", "自衛官診療証";
        MedicalAssistance = "A1", "医療扶助";
    }
}

code_table! {
    /// 011 限度額証区分 (the three certificate kinds of DM-08, in the manual's order).
    LimitCertificateKind "限度額証区分" source "OQSCD011: myclinic-ts codes.ts and oqsFunc.js agree" {
        LimitCategory = "01", "限度額適用区分認定証";
        LimitAndStandardReduction = "02", "限度額適用・標準負担額減額認定証";
        StandardReduction = "03", "標準負担額減額認定証";
    }
}

code_table! {
    /// 012 適用区分 (limit category). A-codes for under 70, B-codes for 70 and over; 一般Ⅱ/一般Ⅰ
    /// (後期高齢, since 令和4年10月) were appended as B09/B10. The manual's DM-08 list prints A06
    /// as 「カ（境）」; both transcriptions of the code table say 「オ（境）」 (docs/interface.md).
    LimitCategory "適用区分" source "OQSCD012: myclinic-ts codes.ts and oqsFunc.js agree on every code" {
        A = "A01", "ア";
        I = "A02", "イ";
        U = "A03", "ウ";
        E = "A04", "エ";
        O = "A05", "オ";
        OKyo = "A06", "オ（境）";
        ActiveIII = "B01", "現役並みⅢ";
        ActiveII = "B02", "現役並みⅡ";
        ActiveI = "B03", "現役並みⅠ";
        General = "B04", "一般";
        LowIncomeII = "B05", "低所得Ⅱ";
        LowIncomeI = "B06", "低所得Ⅰ";
        LowIncomeIWelfare = "B07", "低所得Ⅰ（老福）";
        LowIncomeIKyo = "B08", "低所得Ⅰ（境）";
        GeneralII = "B09", "一般Ⅱ";
        GeneralI = "B10", "一般Ⅰ";
    }
}

code_table! {
    /// 013 特定疾病 (disease category). Labels as DM-09 prints them.
    SpecificDisease "認定疾病区分" source "OQSCD013: codes from myclinic-ts codes.ts and oqsFunc.js; labels as the manual prints them (DM-09 writes Ⅷ/Ⅸ where both transcriptions write VIII/IX)" {
        ChronicRenalFailure = "1", "人工透析を必要とする慢性腎不全";
        CoagulationFactorDisorder = "2", "先天性血液凝固因子障害（第Ⅷ因子、第Ⅸ因子）";
        HivFromBloodProducts = "3", "血液凝固因子製剤の投与に起因するHIV感染症";
    }
}

code_table! {
    /// 001 限度額適用認定証同意フラグ.
    ConsentFlag "同意フラグ" source "OQSCD001: myclinic-ts codes.ts and oqsFunc.js agree" {
        NotConsented = "0", "未同意";
        Consented = "1", "同意";
    }
}

code_table! {
    /// 016 同意区分: the consent flags of the My Number path (`SpecificDiseasesCertificateRelatedConsFlg`,
    /// `PharmacistsInfoConsFlg`, …). The simulator sends 0 and 1; 2 and 3 are listed for clients.
    ConsentStatus "同意区分" source "OQSCD016: myclinic-ts codes.ts (0-2) and oqsFunc.js (0-3) agree" {
        NotGiven = "0", "同意なし";
        Given = "1", "同意あり";
        Expired = "2", "同意有効期限切れ";
        Unobtainable = "3", "同意取得困難";
    }
}

code_table! {
    /// 015 未就学 (PreschoolClassification): present only for preschool children.
    Preschool "未就学" source "OQSCD015: myclinic-ts codes.ts and oqsFunc.js agree (未就学該当); the screen shows 「義務教育就学前」 (RULE-04)" {
        Preschool = "1", "未就学該当";
    }
}

code_table! {
    /// 018 医療券・調剤券別 (TicketType, DM-12 type label).
    TicketType "医療券・調剤券別" source "OQSCD018: oqsFunc.js (01 医療券, 02 調剤券); the manual's type labels (RULE-47)" {
        Medical = "01", "医療券";
        Dispensing = "02", "調剤券";
    }
}

code_table! {
    /// 019 診療別 (MedicalTreatmentType, DM-12 診療区分). Labels are the manual's screen texts
    /// (「歯科診療」 where the transcription writes 歯科).
    MedicalTreatmentType "診療別" source "OQSCD019: codes from oqsFunc.js (01-05); labels are the manual's screen texts (DM-12: 歯科診療)" {
        Inpatient = "01", "入院";
        Outpatient = "02", "入院外";
        Dental = "03", "歯科診療";
        Dispensing = "04", "調剤";
        VisitingNursing = "05", "訪問看護";
    }
}

code_table! {
    /// 020 単独・併用別 (SingleOrCombinedUse).
    SingleOrCombined "単独・併用別" source "OQSCD020: oqsFunc.js (01 単独, 02 併用); the manual's screen texts (DM-12)" {
        Single = "01", "単独";
        Combined = "02", "併用";
    }
}

code_table! {
    /// 021 社会保険状況; 023 (感染症法第37条の2), 024 (後期高齢者医療) and 025 (都道府県費) have
    /// the same two values, so one enum serves the four `StatusOf…` elements of a ticket.
    Applicable "あり・なし" source "OQSCD021: oqsFunc.js (01 あり, 02 なし; OQSCD023-025 the same); the manual's screen texts (DM-12)" {
        Yes = "01", "あり";
        No = "02", "なし";
    }
}

code_table! {
    /// 022 社会保険状況の整合性フラグ (ConsistencyFlag): present only on a mismatch (RULE-44).
    ConsistencyFlag "社会保険状況の整合性フラグ" source "OQSCD022: oqsFunc.js (1 不整合あり); the manual's 「(不整合あり)」 (RULE-44)" {
        Inconsistent = "1", "不整合あり";
    }
}

code_table! {
    /// 026 指定医療機関確認フラグ (DesignatedMedicalInstitutionFlag): whether the ticket's
    /// 指定医療機関 is the facility asking.
    DesignatedFlag "指定医療機関確認フラグ" source "OQSCD026: oqsFunc.js (0 一致, 1 不一致)" {
        Match = "0", "一致";
        Mismatch = "1", "不一致";
    }
}

/// 一部負担金割合 on the wire: three digits of tenths of a percent-ish ("010" = 1割).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContributionRatio(pub u8);

impl ContributionRatio {
    /// Wire form, e.g. `010` for 1割.
    pub fn code(self) -> String {
        format!("{:03}", u16::from(self.0) * 10)
    }

    /// Screen form, e.g. 「1割」.
    pub fn label(self) -> String {
        let mut s = String::new();
        self.push_label(&mut s);
        s
    }

    /// [`Self::label`] written onto `out` (the history derives its texts into one buffer).
    pub fn push_label(self, out: &mut String) {
        match char::from_digit(u32::from(self.0), 10) {
            Some(digit) => out.push(digit),
            None => out.push_str(&self.0.to_string()),
        }
        out.push('割');
    }

    /// Parses `1割`, `1`, or the wire form `010`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let digits = s.strip_suffix('割').unwrap_or(s);
        let n: u16 = digits.parse().ok()?;
        let tenths = if digits.len() == 3 { n / 10 } else { n };
        (1..=9)
            .contains(&tenths)
            .then_some(ContributionRatio(tenths as u8))
    }
}

code_table! {
    /// 017 処方箋発行形態 (PrescriptionIssueSelect, DM-15). Labels are the history's 「電子」/「紙」
    /// (RULE-61); 「未選択」 is the element left out.
    PrescriptionIssueForm "処方箋発行形態" source "OQSCD017: codes from myclinic-ts codes.ts and oqsFunc.js (1 電子処方箋, 2 紙の処方箋); labels are the history's (RULE-61)" {
        Electronic = "1", "電子";
        Paper = "2", "紙";
    }
}

code_table! {
    /// The code shown after 「code:」 in ERR-14 (マイナンバーカード認証エラー). The manual prints only
    /// the placeholder 「fxxxxxx1」 (AMB-85); the other values are the simulator's own.
    CardAuthErrorCode "マイナンバーカード認証エラーコード" source "no public evidence: simulator's decision (the manual prints only fxxxxxx1, AMB-85)" {
        Injected = "fxxxxxx1", "内部エラー（障害注入）";
        SignatureInvalid = "f0000002", "署名検証エラー";
        UnknownCertificate = "f0000003", "未登録の利用者証明用電子証明書";
        SigningFailed = "f0000004", "カードの署名処理エラー";
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_code;

    /// The compile-time check behind PlainCodes finds each of the five anywhere.
    #[test]
    fn a_code_with_markup_is_not_plain() {
        assert!(is_plain_code("") && is_plain_code("01") && is_plain_code("AB9"));
        for c in ["<", "a>", "&b", "x'y", "\"", "12&"] {
            assert!(!is_plain_code(c), "{c}");
        }
    }

    use super::*;

    #[test]
    fn codes_round_trip() {
        for v in QualificationValidity::ALL {
            assert_eq!(QualificationValidity::from_code(v.code()), Some(*v));
            assert_eq!(QualificationValidity::from_label(v.label()), Some(*v));
        }
        assert_eq!(
            LimitCategory::from_code("A06").map(LimitCategory::label),
            Some("オ（境）")
        );
        assert_eq!(LimitCategory::ALL.len(), 16);
        // The B codes as both public transcriptions give them.
        let b: Vec<_> = ["B04", "B05", "B06", "B07", "B08", "B09", "B10"]
            .iter()
            .filter_map(|c| LimitCategory::from_code(c).map(LimitCategory::label))
            .collect();
        assert_eq!(
            b,
            [
                "一般",
                "低所得Ⅱ",
                "低所得Ⅰ",
                "低所得Ⅰ（老福）",
                "低所得Ⅰ（境）",
                "一般Ⅱ",
                "一般Ⅰ"
            ]
        );
        assert_eq!(Sex::from_code("4"), None);
    }

    #[test]
    fn contribution_ratio_forms() {
        assert_eq!(
            ContributionRatio::parse("1割")
                .map(ContributionRatio::code)
                .as_deref(),
            Some("010")
        );
        assert_eq!(
            ContributionRatio::parse("030")
                .map(ContributionRatio::label)
                .as_deref(),
            Some("3割")
        );
        assert_eq!(ContributionRatio::parse("2"), Some(ContributionRatio(2)));
        assert_eq!(ContributionRatio(3).label(), "3割");
        assert_eq!(ContributionRatio(12).label(), "12割");
        assert_eq!(ContributionRatio::parse("0割"), None);
        assert_eq!(ContributionRatio::parse("x"), None);
    }
}

//! How the qualification screens show a result's values: the display rules of ch.2 §3.

use oqs_protocol::codes::InsuredCardClassification;

/// RULE-05: 「※登録されている証区分が、「短期被保険者証（一般）」「短期被保険者証（退職）」
/// 「被保険者資格証明書」の場合、赤字で表示されます。」
pub fn card_classification_in_red(code: &str) -> bool {
    matches!(
        InsuredCardClassification::from_code(code.trim()),
        Some(
            InsuredCardClassification::ShortTermGeneral
                | InsuredCardClassification::ShortTermRetired
                | InsuredCardClassification::QualificationCertificate
        )
    )
}

/// 自己負担額 as the screens print it (DM-24): 「10,000 円」. Not a number: shown as it is.
pub fn yen(amount: &str) -> String {
    let digits = amount.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_owned();
    }
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + " 円"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_classifications() {
        assert!(card_classification_in_red("03"));
        assert!(card_classification_in_red("04"));
        assert!(card_classification_in_red("05"));
        assert!(!card_classification_in_red("01"));
        assert!(!card_classification_in_red("06"));
        assert!(!card_classification_in_red("xx"));
    }

    #[test]
    fn amounts() {
        assert_eq!(yen("10000"), "10,000 円");
        assert_eq!(yen("100000"), "100,000 円");
        assert_eq!(yen("0"), "0 円");
        assert_eq!(yen("000"), "0 円");
        assert_eq!(yen("999"), "999 円");
        assert_eq!(yen("1234567"), "1,234,567 円");
        assert_eq!(yen("abc"), "abc");
    }
}

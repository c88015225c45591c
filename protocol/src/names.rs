//! Names on the wire. Real answers separate family and given name with a full-width space
//! (`診療　太郎`) and give the reading in half-width katakana with a half-width space
//! (`ｼﾝﾘｮｳ ﾀﾛｳ`): evidence/webapi-single-valid and evidence/face-reader-valid. Fixtures may write
//! either form; these functions make the wire form.

/// `Name`, `InsuredName`, `NameOfOther`: runs of spaces (half- or full-width) become one
/// full-width space; leading and trailing spaces go.
pub fn wire_name(s: &str) -> String {
    // Room for a few half-width spaces becoming full-width ones (3 bytes).
    let mut out = String::with_capacity(s.len() + 8);
    // Found by bytes, words copied whole: no character decoded or pushed one by one (every
    // answer has a name). U+3000 is E3 80 80 in UTF-8 and E3 is only ever a lead byte, so
    // both ends of a word are character boundaries.
    let b = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        let space = match b[i] {
            b' ' => 1,
            0xE3 if b.get(i + 1..i + 3) == Some(&[0x80, 0x80]) => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        push_word(&mut out, s.get(start..i).unwrap_or_default());
        i += space;
        start = i;
    }
    push_word(&mut out, s.get(start..).unwrap_or_default());
    out
}

/// A word of a name after the ones before it, a full-width space between.
fn push_word(out: &mut String, word: &str) {
    if word.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\u{3000}');
    }
    out.push_str(word);
}

/// `NameKana`, `NameOfOtherKana`: half-width katakana (hiragana and full-width katakana are
/// converted, voiced marks split off as ﾞ/ﾟ), words separated by one half-width space.
/// Characters with no half-width form are kept as they are.
pub fn half_width_kana(s: &str) -> String {
    // A voiced kana becomes two characters (ガ → ｶﾞ): room for some.
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    // A space after a word: the separator goes before the next word, if one comes.
    let mut after_word = false;
    for c in s.chars() {
        if c == ' ' || c == '\u{3000}' {
            after_word = !out.is_empty();
            continue;
        }
        if after_word {
            out.push(' ');
            after_word = false;
        }
        push_half_width(c, &mut out);
    }
    out
}

/// Full-width katakana ァ..ヶ in order, as half-width (base, voiced mark).
const KATAKANA: &[&str] = &[
    "ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ", "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ",
    "ｺﾞ", "ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ",
    "ﾃﾞ", "ﾄ", "ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ",
    "ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ", "ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ",
    "ﾛ", "ﾜ", "ﾜ", "ｲ", "ｴ", "ｦ", "ﾝ", "ｳﾞ", "ｶ", "ｹ",
];

fn push_half_width(c: char, out: &mut String) {
    // Hiragana ぁ..ゖ sit 0x60 below their katakana.
    let k = match c {
        '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        _ => c,
    };
    match k {
        'ァ'..='ヶ' => out.push_str(KATAKANA[(k as u32 - 'ァ' as u32) as usize]),
        'ー' => out.push('ｰ'),
        '・' => out.push('･'),
        '゛' => out.push('ﾞ'),
        '゜' => out.push('ﾟ'),
        // Full-width ASCII (Ａ, １, （) to ASCII.
        '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(k as u32 - 0xFEE0).unwrap_or(k)),
        _ => out.push(k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_a_full_width_space() {
        assert_eq!(wire_name("診療 太郎"), "診療　太郎");
        assert_eq!(wire_name(" 新橋  太郎 "), "新橋　太郎");
        assert_eq!(wire_name("診療　太郎"), "診療　太郎");
        assert_eq!(wire_name("単名"), "単名");
    }

    #[test]
    fn readings_are_half_width_katakana() {
        assert_eq!(half_width_kana("シンリョウ　タロウ"), "ｼﾝﾘｮｳ ﾀﾛｳ");
        assert_eq!(half_width_kana("シンバシ タロウ"), "ｼﾝﾊﾞｼ ﾀﾛｳ");
        assert_eq!(half_width_kana("コウキコウレイ ジロウ"), "ｺｳｷｺｳﾚｲ ｼﾞﾛｳ");
        assert_eq!(half_width_kana("ぱぴぷ ヴ・ー"), "ﾊﾟﾋﾟﾌﾟ ｳﾞ･ｰ");
        assert_eq!(half_width_kana("ｼﾝﾘｮｳ ﾀﾛｳ"), "ｼﾝﾘｮｳ ﾀﾛｳ");
        assert_eq!(half_width_kana("ＡＢ１"), "AB1");
    }

    /// The words of `s` as `str::split` at both spaces finds them (the reference for the bytes).
    fn split_words(s: &str) -> Vec<&str> {
        s.split([' ', '\u{3000}'])
            .filter(|w| !w.is_empty())
            .collect()
    }

    #[test]
    fn names_with_lead_byte_e3_are_joined_as_split() {
        for s in [
            "",
            " ",
            "\u{3000}",
            "a",
            " a ",
            "\u{3000}あ\u{3000}\u{3000}い ",
            "〜　〇",
            "\u{3001}\u{3000}\u{3000}\u{3001}",
            "ア\u{3000}",
            "\u{30a2}\u{3000}\u{3080}",
        ] {
            assert_eq!(wire_name(s), split_words(s).join("\u{3000}"), "{s:?}");
        }
    }

    proptest::proptest! {
        /// Words found by bytes are the words `str::split` finds, in any text (characters
        /// that share the full-width space's lead byte E3 included).
        #[test]
        fn names_by_bytes_are_joined_as_split(s in "[ \u{3000}\u{3001}\u{3080}\u{3400}a-cあ-んア-ン漢字・ー\u{0}-\u{ffff}]{0,24}") {
            proptest::prop_assert_eq!(wire_name(&s), split_words(&s).join("\u{3000}"));
        }

        /// One pass over the characters gives what splitting into words and joining them gives.
        #[test]
        fn words_are_joined_as_split(s in "[ \u{3000}aあガ・]{0,10}") {
            let words = split_words(&s);
            proptest::prop_assert_eq!(wire_name(&s), words.join("\u{3000}"));
            let kana: Vec<String> = words
                .iter()
                .map(|w| {
                    let mut out = String::new();
                    w.chars().for_each(|c| push_half_width(c, &mut out));
                    out
                })
                .collect();
            proptest::prop_assert_eq!(half_width_kana(&s), kana.join(" "));
        }
    }

    #[test]
    fn every_katakana_maps_to_half_width() {
        assert_eq!(KATAKANA.len(), ('ァ'..='ヶ').count());
        for c in 'ァ'..='ヶ' {
            let mut s = String::new();
            push_half_width(c, &mut s);
            assert!(
                s.chars().all(|h| ('\u{FF61}'..='\u{FF9F}').contains(&h)),
                "{c} → {s}"
            );
        }
    }
}

//! Writing a result file: the header, then each unit rendered once as an XML fragment, so a
//! 10,000-row result is not built as one tree.

use oqs_protocol::bulk::BulkResultHeader;
use oqs_protocol::xml;
use oqs_protocol::{Element, TextEncoding};

const UNITS_MARK: &str = "OqsSimUnitsGoHere";
/// One result unit written as XML text exactly as [`xml::write_document`] writes it inside
/// `XmlMsg/MessageBody` (one space of indentation per level, `<Name/>` for empty leaves, text
/// escaped alike), so that units can be written on several threads and joined by
/// [`render_result`]. A unit test holds the two writers to the same bytes.
pub(crate) fn fragment(unit: Element) -> String {
    let mut out = String::with_capacity(2048);
    write_at(&mut out, &unit, 2);
    out
}

fn newline_indent(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', depth));
}

fn write_at(out: &mut String, el: &Element, depth: usize) {
    newline_indent(out, depth);
    out.push('<');
    out.push_str(&el.name);
    if el.children.is_empty() && el.text.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if el.children.is_empty() {
        for c in el.text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\'' => out.push_str("&apos;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
    } else {
        for c in &el.children {
            write_at(out, c, depth + 1);
        }
        newline_indent(out, depth);
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push('>');
}

/// The whole result message: the header and the written units, in `encoding`. The same bytes
/// as `write_document(header.to_document(units))` (a unit test holds it to that). In UTF-8 the
/// first fragment's buffer becomes the message (the header moved in before it, the rest
/// after), so a 15 MB result is not copied once more.
pub(crate) fn render_result(
    header: &BulkResultHeader,
    fragments: Vec<String>,
    encoding: TextEncoding,
) -> Vec<u8> {
    if fragments.is_empty() {
        return xml::write_document(&header.to_document(Vec::new()), encoding);
    }
    let skeleton = header.to_document(vec![Element::new(UNITS_MARK)]);
    let text = xml::write_string(&skeleton, encoding);
    let mark = format!("\n  <{UNITS_MARK}/>");
    let Some(at) = text.find(&mark) else {
        return Vec::new();
    };
    let (head, tail) = (&text[..at], &text[at + mark.len()..]);
    let size = fragments.iter().map(String::len).sum::<usize>() + head.len() + tail.len();
    let mut fragments = fragments.into_iter();
    let mut out = fragments.next().unwrap_or_default();
    out.reserve(size - out.len());
    out.insert_str(0, head);
    for f in fragments {
        out.push_str(&f);
    }
    out.push_str(tail);
    match encoding {
        TextEncoding::Utf8 => {
            out.shrink_to_fit();
            out.into_bytes()
        }
        // Unmappable characters become numeric character references, as in write_document.
        TextEncoding::ShiftJis => encoding_rs::SHIFT_JIS.encode(&out).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oqs_protocol::bulk::BulkConfirmUnit;
    use oqs_protocol::codes::{CharacterCode, SegmentOfResult};
    use oqs_protocol::sink::XmlOut;

    #[test]
    fn a_unit_written_directly_is_its_tree_written() {
        use oqs_protocol::codes::{ProcessingResultStatus, QualificationValidity};
        use oqs_protocol::message::{QualificationResult, SearchInfo, SpecificDiseaseInfo};
        let unit = BulkConfirmUnit {
            search: SearchInfo {
                insurer_number: Some("06139000".into()),
                insured_card_symbol: Some("".into()),
                birthdate: Some("19540326".into()),
                ..SearchInfo::default()
            },
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: Some("<&> 'q' \"d\"".into()),
            qualification_validity: Some(QualificationValidity::Valid),
            results: vec![
                QualificationResult {
                    name: Some("新橋　太郎".into()),
                    name_kana: Some("ｼﾝﾊﾞｼ ﾀﾛｳ".into()),
                    specific_diseases: vec![SpecificDiseaseInfo::default()],
                    ..QualificationResult::default()
                },
                QualificationResult::default(),
            ],
            reference_number: Some("XYZ".into()),
        };
        assert_eq!(unit_fragment(&[&unit]), fragment(unit.to_element()));
        // Units written one after another into one fragment (as a judging thread writes its
        // part): the units' fragments joined.
        let other = BulkConfirmUnit {
            results: Vec::new(),
            reference_number: None,
            processing_result_status: ProcessingResultStatus::Error,
            ..unit.clone()
        };
        let joined = [&unit, &other, &unit]
            .iter()
            .map(|u| fragment(u.to_element()))
            .collect::<String>();
        assert_eq!(unit_fragment(&[&unit, &other, &unit]), joined);
    }

    /// Bulk inquiry units written directly (no tree) into one fragment at depth 2.
    fn unit_fragment(units: &[&BulkConfirmUnit]) -> String {
        let mut out = XmlOut::fragment(2, 2048);
        for u in units {
            u.emit(&mut out);
        }
        out.finish_fragment()
    }

    #[test]
    fn joined_fragments_are_the_bytes_of_the_whole_tree() {
        let unit = |name: &str, text: &str| {
            Element::new("BulkConfirmUnit")
                .with(Element::leaf("Name", text))
                .with(
                    Element::new("Nested")
                        .with(Element::leaf(name, "新橋 太郎 & <x> 'q' \"d\"\n二行目"))
                        .with(Element::new("Deeper").with(Element::leaf("E", ""))),
                )
                .with(Element::leaf("Empty", ""))
        };
        let units = vec![unit("A", "1"), unit("B", ""), unit("C", "ﾃｽﾄ①")];
        let header = BulkResultHeader {
            process_execution_time: "20210106100000".into(),
            qualification_confirmation_date: None,
            medical_institution_code: Some("1234567890".into()),
            arbitrary_file_identifier: Some("<&>".into()),
            reception_number: Some("20210106100000000_0001".into()),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: CharacterCode::Utf8,
            number_of_processing_result: Some(3),
            number_of_normal_processing: Some(3),
            number_of_error: Some(0),
        };
        for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
            let whole = xml::write_document(&header.to_document(units.clone()), enc);
            let fragments: Vec<String> = units.iter().cloned().map(fragment).collect();
            assert_eq!(render_result(&header, fragments, enc), whole, "{enc:?}");
        }
        assert_eq!(
            render_result(&header, Vec::new(), TextEncoding::Utf8),
            xml::write_document(&header.to_document(Vec::new()), TextEncoding::Utf8)
        );
    }
}

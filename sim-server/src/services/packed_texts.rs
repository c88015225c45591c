//! Texts kept one after another in one allocation: what the journal's entries and the memory
//! history's records are made of, so that one leaving a full store is one `free` of cold memory,
//! not a dozen (issue 16).

/// `N` texts in one allocation, and where each ends.
#[derive(Debug)]
pub(crate) struct PackedTexts<const N: usize> {
    text: Box<str>,
    ends: [u32; N],
}

impl<const N: usize> PackedTexts<N> {
    /// `texts` (fewer than `N`: the rest are empty). Offsets are u32: a text that would end
    /// beyond 4 GiB is cut (none comes near).
    pub(crate) fn new(texts: &[&str]) -> Self {
        let len: usize = texts.iter().map(|t| t.len()).sum();
        let mut text = String::with_capacity(len);
        let mut ends = [0u32; N];
        let cut = len > u32::MAX as usize;
        for (end, t) in ends.iter_mut().zip(texts) {
            // Empty texts (most of a record's absent fields) cost no copy.
            if cut {
                let room = (u32::MAX as usize).saturating_sub(text.len());
                text.push_str(clip_at(t, room).0);
            } else if !t.is_empty() {
                text.push_str(t);
            }
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        let last = ends[texts.len().clamp(1, N) - 1];
        for end in ends.iter_mut().skip(texts.len()) {
            *end = last;
        }
        PackedTexts {
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// Text `i` (`i < N`).
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }
}

/// `text` cut to at most `max` bytes at a character boundary, and whether it was cut.
pub(crate) fn clip_at(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_text_reads_back_and_the_missing_ones_are_empty() {
        let packed = PackedTexts::<5>::new(&["医療機関", "", "a", "照会番号"]);
        let read: Vec<&str> = (0..5).map(|i| packed.get(i)).collect();
        assert_eq!(read, ["医療機関", "", "a", "照会番号", ""]);
        assert_eq!(PackedTexts::<2>::new(&[]).get(1), "");
    }

    #[test]
    fn clipping_keeps_whole_characters() {
        assert_eq!(clip_at("あいう", 9), ("あいう", false));
        assert_eq!(clip_at("あいう", 8), ("あい", true));
        assert_eq!(clip_at("abc", 0), ("", true));
    }
}

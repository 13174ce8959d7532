//! Byte offsets (what spans hold) to and from editor positions: a zero-based line
//! and a character counted in UTF-16 code units, which is what the Language Server
//! Protocol uses by default.

/// The start of every line of a text, for quick offset → line lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the first character of each line; `starts[0] == 0`.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text` (lines end at `\n`; a `\r` before it belongs to the line).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a text ending in `\n` has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// Zero-based line and UTF-16 character of byte `offset` in `text` (the text this
    /// index was built from). An offset past the end or inside a character is moved
    /// back to the nearest character boundary.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.len).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col: usize = text[self.starts[line]..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        (line as u32, col as u32)
    }

    /// The byte offset of a zero-based line and UTF-16 character. A line past the end
    /// gives the end of the text; a character past the end of its line gives the end
    /// of the line (before its `\r\n`), as the protocol asks; a character in the
    /// middle of a surrogate pair gives the start of that character.
    pub fn offset(&self, text: &str, line: u32, character: u32) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let line_text = text.get(start..end).unwrap_or("");
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let mut units = 0u32;
        for (i, c) in line_text.char_indices() {
            let next = units + c.len_utf16() as u32;
            if next > character {
                return start + i;
            }
            units = next;
        }
        start + line_text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_lines_and_columns() {
        let text = "ab\ncd\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.lines(), 3);
        assert_eq!(ix.position(text, 0), (0, 0));
        assert_eq!(ix.position(text, 2), (0, 2));
        assert_eq!(ix.position(text, 3), (1, 0));
        assert_eq!(ix.position(text, 6), (2, 0));
        assert_eq!(ix.position(text, 99), (2, 0));
        assert_eq!(ix.offset(text, 1, 1), 4);
        assert_eq!(ix.offset(text, 1, 50), 5);
        assert_eq!(ix.offset(text, 9, 0), text.len());
    }

    #[test]
    fn utf16_units_for_wide_characters() {
        // `ä` is 2 bytes and 1 unit, `😀` 4 bytes and 2 units.
        let text = "ä😀x\ny";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(text, 2), (0, 1));
        assert_eq!(ix.position(text, 6), (0, 3));
        // Inside the emoji: back to its start.
        assert_eq!(ix.position(text, 4), (0, 1));
        assert_eq!(ix.offset(text, 0, 3), 6);
        assert_eq!(ix.offset(text, 0, 2), 2, "half a surrogate pair");
        assert_eq!(ix.offset(text, 1, 1), text.len());
    }

    #[test]
    fn crlf_line_ends_are_not_columns() {
        let text = "a\r\nb";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(text, 0, 10), 1);
        assert_eq!(ix.position(text, 3), (1, 0));
    }

    #[test]
    fn round_trip_every_boundary() {
        let text = "let x = \"ö\";\n  😀 # c\r\n\nend";
        let ix = LineIndex::new(text);
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let (l, c) = ix.position(text, i);
            let back = ix.offset(text, l, c);
            // Between `\r` and `\n` is not a place an editor can put the cursor: it
            // maps to the end of the line's text, before the `\r`.
            let expected = if text[..i].ends_with('\r') { i - 1 } else { i };
            assert_eq!(back, expected, "offset {i} -> ({l}, {c})");
        }
    }
}

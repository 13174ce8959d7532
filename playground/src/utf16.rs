//! Offsets as JavaScript counts them (UTF-16 code units) against the byte offsets the
//! engine uses. The page never sees a byte offset.

/// A text's byte offsets ↔ UTF-16 offsets, built once per call.
pub struct Utf16 {
    /// Every character that is not ASCII: `(byte, utf16, byte width, utf16 width)`.
    /// Between two of them both offsets advance together (ASCII is one of each).
    wide: Vec<(usize, usize, usize, usize)>,
    len: usize,
    units: usize,
}

impl Utf16 {
    pub fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        let mut units = 0;
        for (i, c) in text.char_indices() {
            if !c.is_ascii() {
                wide.push((i, units, c.len_utf8(), c.len_utf16()));
            }
            units += c.len_utf16();
        }
        Utf16 {
            wide,
            len: text.len(),
            units,
        }
    }

    /// The UTF-16 offset of byte `b` (a byte inside a character counts as its start).
    pub fn of_byte(&self, b: usize) -> usize {
        let b = b.min(self.len);
        let i = self.wide.partition_point(|w| w.0 <= b);
        let Some(&(byte, units, bw, uw)) = i.checked_sub(1).map(|i| &self.wide[i]) else {
            return b;
        };
        if b < byte + bw {
            units
        } else {
            (units + uw + (b - byte - bw)).min(self.units)
        }
    }

    /// The byte offset of UTF-16 offset `u` (inside a surrogate pair: the character's start).
    pub fn to_byte(&self, u: usize) -> usize {
        let u = u.min(self.units);
        let i = self.wide.partition_point(|w| w.1 <= u);
        let Some(&(byte, units, bw, uw)) = i.checked_sub(1).map(|i| &self.wide[i]) else {
            return u;
        };
        if u < units + uw {
            byte
        } else {
            (byte + bw + (u - units - uw)).min(self.len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character boundary maps to what counting in UTF-16 gives, and back.
    #[test]
    fn maps_both_ways_over_mixed_text() {
        for text in [
            "",
            "abc",
            "é",
            "aé b",
            "x😀y",
            "😀",
            "日本語 ok",
            "a\u{10348}é😀z",
        ] {
            let map = Utf16::new(text);
            let mut units = 0;
            for (b, c) in text.char_indices().chain([(text.len(), ' ')]) {
                assert_eq!(map.of_byte(b), units, "{text:?} byte {b}");
                assert_eq!(map.to_byte(units), b, "{text:?} unit {units}");
                if b < text.len() {
                    units += c.len_utf16();
                }
            }
        }
    }

    #[test]
    fn past_the_end_and_inside_a_pair_stay_in_the_text() {
        let text = "a😀";
        let map = Utf16::new(text);
        assert_eq!(map.to_byte(99), text.len());
        assert_eq!(map.to_byte(2), 1);
        assert_eq!(map.of_byte(99), 3);
    }
}

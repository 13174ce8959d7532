//! The `raw` of an `err` record: what did not decode, kept small. A bad 200 MB
//! HTTP body must not become a 200 MB error line, so a record carries at most the
//! first KiB of the input as text, plus `raw_len` (the full length in bytes) when
//! that was cut.

use crate::value::Value;

/// How much of the offending bytes a record keeps.
pub const RAW_PREVIEW: usize = 1024;

/// The start of some bytes that did not decode, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raw {
    /// At most [`RAW_PREVIEW`] bytes of the input (invalid UTF-8 replaced).
    pub text: String,
    /// The input's full length when `text` is only its start.
    pub len: Option<usize>,
}

impl Raw {
    /// The preview of `bytes`; a cut never splits a UTF-8 character in two.
    pub fn of(bytes: &[u8]) -> Raw {
        if bytes.len() <= RAW_PREVIEW {
            return Raw {
                text: String::from_utf8_lossy(bytes).into_owned(),
                len: None,
            };
        }
        let mut end = RAW_PREVIEW;
        // Back off over continuation bytes (at most 3) to a character's start.
        while end > RAW_PREVIEW - 3 && bytes[end] & 0xC0 == 0x80 {
            end -= 1;
        }
        Raw {
            text: String::from_utf8_lossy(&bytes[..end]).into_owned(),
            len: Some(bytes.len()),
        }
    }

    /// Text already cut to a preview by whoever produced it (its full length unknown).
    pub fn preview(text: String) -> Raw {
        Raw { text, len: None }
    }

    /// Adds `raw` (and `raw_len` when cut) to an `err` record.
    pub fn add_to(self, doc: &mut Value) {
        if let Some(r) = doc.as_record_mut() {
            r.insert("raw".into(), Value::from(self.text));
            if let Some(len) = self.len {
                r.insert("raw_len".into(), Value::from(len as u64));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_kept_whole_and_long_input_is_cut_with_its_length() {
        assert_eq!(Raw::of(b"{bad"), Raw::preview("{bad".into()));
        let long = vec![b'x'; 5000];
        let r = Raw::of(&long);
        assert_eq!((r.text.len(), r.len), (RAW_PREVIEW, Some(5000)));
        // A two-byte character across the cut is left out, not replaced.
        let mut s = "a".repeat(RAW_PREVIEW - 1).into_bytes();
        s.extend_from_slice("é and more".as_bytes());
        let r = Raw::of(&s);
        assert_eq!(r.text, "a".repeat(RAW_PREVIEW - 1));
        assert_eq!(r.len, Some(s.len()));
        let mut doc = crate::record! {"error" => "e"};
        r.add_to(&mut doc);
        assert_eq!(
            doc.get("raw_len").and_then(Value::as_u64),
            Some(s.len() as u64)
        );
    }
}

//! A JSON document's compact form straight from its text, without building a value.
//!
//! For events that leave a graph unchanged the output is the input re-encoded: this
//! produces exactly those bytes by dropping insignificant whitespace, when that is
//! all re-encoding would change. Anything else (escapes, floats not in their shortest
//! form, `-0`, long integers, repeated keys, control bytes, deep nesting, invalid
//! JSON) gives up, and the caller decodes and encodes the usual way, which then also
//! words any error.

use super::cursor::Cursor;

/// Nesting beyond this is left to the full decoder.
const MAX_DEPTH: usize = 64;

/// Appends the compact form of `text` to `out` if it is exactly what decoding and
/// re-encoding `text` would write; otherwise leaves `out` as it was and returns false.
pub fn compact_json(text: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let ok = std::str::from_utf8(text).is_ok() && {
        let mut c = Compactor {
            cur: Cursor::new(text),
            out,
        };
        c.value(0) && {
            c.cur.ws();
            c.cur.i == text.len()
        }
    };
    if !ok {
        out.truncate(start);
    }
    ok
}

struct Compactor<'a> {
    cur: Cursor<'a>,
    out: &'a mut Vec<u8>,
}

impl Compactor<'_> {
    /// Skips whitespace and takes `c` (copying it) if it comes next.
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.cur.eat(c);
        if hit {
            self.out.push(c);
        }
        hit
    }

    fn value(&mut self, depth: usize) -> bool {
        self.cur.ws();
        match self.cur.peek() {
            Some(b'{') if depth < MAX_DEPTH => self.object(depth + 1),
            Some(b'[') if depth < MAX_DEPTH => self.array(depth + 1),
            Some(b'"') => self.string().is_some(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let hit = self.cur.literal(word);
        if hit {
            self.out.extend_from_slice(word);
        }
        hit
    }

    fn object(&mut self, depth: usize) -> bool {
        self.cur.i += 1;
        self.out.push(b'{');
        if self.eat(b'}') {
            return true;
        }
        // Keys seen, as ranges of the input, to give up on a repeated one (decoding
        // keeps only its last value).
        let mut keys: Vec<(usize, usize)> = Vec::new();
        loop {
            self.cur.ws();
            if self.cur.peek() != Some(b'"') {
                return false;
            }
            let Some(key) = self.string() else {
                return false;
            };
            let name = &self.cur.b[key.0..key.1];
            if keys.iter().any(|&(s, e)| &self.cur.b[s..e] == name) {
                return false;
            }
            keys.push(key);
            if !self.eat(b':') || !self.value(depth) {
                return false;
            }
            if self.eat(b',') {
                continue;
            }
            return self.eat(b'}');
        }
    }

    fn array(&mut self, depth: usize) -> bool {
        self.cur.i += 1;
        self.out.push(b'[');
        if self.eat(b']') {
            return true;
        }
        loop {
            if !self.value(depth) {
                return false;
            }
            if self.eat(b',') {
                continue;
            }
            return self.eat(b']');
        }
    }

    /// Copies a string without escapes or control bytes (the encoder would write it
    /// the same); returns the range of its contents in the input.
    fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.cur.i + 1;
        let rest = &self.cur.b[start..];
        let end = start + memchr::memchr2(b'"', b'\\', rest)?;
        if self.cur.b[end] != b'"' {
            return None;
        }
        let contents = &self.cur.b[start..end];
        if contents.iter().fold(false, |acc, &c| acc | (c < 0x20)) {
            return None;
        }
        self.out.extend_from_slice(&self.cur.b[start - 1..=end]);
        self.cur.i = end + 1;
        Some((start, end))
    }

    /// Copies a number whose decoded value is written back the same: an integer of
    /// fewer than 18 digits other than `-0`, or a float already in the shortest form
    /// the encoder writes.
    fn number(&mut self) -> bool {
        let start = self.cur.i;
        if self.cur.peek() == Some(b'-') {
            self.cur.i += 1;
        }
        let int_start = self.cur.i;
        match self.cur.peek() {
            Some(b'0') => self.cur.i += 1,
            Some(b'1'..=b'9') => self.cur.digits(),
            _ => return false,
        }
        let int_digits = self.cur.i - int_start;
        let mut float = false;
        if self.cur.peek() == Some(b'.') {
            self.cur.i += 1;
            if !self.cur.peek().is_some_and(|c| c.is_ascii_digit()) {
                return false;
            }
            self.cur.digits();
            float = true;
        }
        if let Some(b'e' | b'E') = self.cur.peek() {
            self.cur.i += 1;
            if let Some(b'+' | b'-') = self.cur.peek() {
                self.cur.i += 1;
            }
            if !self.cur.peek().is_some_and(|c| c.is_ascii_digit()) {
                return false;
            }
            self.cur.digits();
            float = true;
        }
        let text = &self.cur.b[start..self.cur.i];
        let same = if float {
            // Decoding rounds correctly, as Rust's parser does; the encoder writes
            // ryu's shortest form.
            std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(|f| {
                    f.is_finite() && ryu::Buffer::new().format_finite(f).as_bytes() == text
                })
        } else {
            int_digits < 18 && text != b"-0"
        };
        if same {
            self.out.extend_from_slice(text);
        }
        same
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::arb::arb_value;
    use crate::value::parse_json;
    use proptest::prelude::*;

    /// Wherever a compact form is given, it is what decoding and encoding gives.
    fn check(text: &str) -> bool {
        let mut out = b"prefix".to_vec();
        let ok = compact_json(text.as_bytes(), &mut out);
        if ok {
            let want = parse_json(text)
                .unwrap_or_else(|e| panic!("{text:?} compacted but does not parse: {e}"))
                .encode();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("prefix{want}"),
                "{text:?}"
            );
        } else {
            assert_eq!(out, b"prefix", "{text:?}: output left behind");
        }
        ok
    }

    #[test]
    fn compacts_plain_documents() {
        for text in [
            r#"{"g": "group-41", "c": 58, "v": 0.3510108224798457, "host": "host-6", "tags": ["a","b","c"]}"#,
            " [ 1 , -2 , 0 , 1.5 , 1e300 , true , false , null , { } , [ ] ] ",
            "\"snow ☃ \u{7f}\"",
            r#"{"a": {"b": {"c": []}}}"#,
        ] {
            assert!(check(text), "{text}");
        }
    }

    #[test]
    fn gives_up_where_encoding_would_differ_or_decoding_fails() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#""a\nb""#,
            r#""\u0041""#,
            "-0",
            "1E5",
            "1.50",
            "0.1e1",
            "123456789012345678",
            "",
            "{",
            "[1,]",
            "01",
            "1.",
            "tru",
            "[1] x",
            "\"a\u{1}\"",
            "nan",
        ] {
            assert!(!check(text), "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(!check(&deep));
    }

    proptest! {
        #[test]
        fn agrees_with_decode_and_encode(v in arb_value()) {
            check(&v.encode());
            check(&v.encode_pretty());
        }

        #[test]
        fn agrees_on_arbitrary_text(s in "[ -~]{0,40}") {
            check(&s);
        }

        #[test]
        fn agrees_on_number_like_text(s in "-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?") {
            check(&s);
        }
    }
}

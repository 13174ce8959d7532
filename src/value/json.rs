//! JSON in (simd-json) and out (a small writer with no intermediate tree).

use super::{Record, Str, Value};
use simd_json::{Buffers, Node, StaticNode, Tape};
use std::cell::RefCell;

/// A document that is not valid JSON.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

/// Parses one JSON document. `buf` is used as simd-json's scratch space and is clobbered.
///
/// The parser's buffers and tape are kept per thread and reused, and the tape is
/// converted straight into a [`Value`], so a warm parse allocates only what the
/// resulting value owns.
pub fn parse_json_bytes(buf: &mut [u8]) -> Result<Value, JsonError> {
    // simd-json turns a high surrogate escape with no low one after it into U+0000
    // (a lone low one it rejects): refused here, as it would be.
    if let Some(at) = lone_high_surrogate(buf) {
        return Err(JsonError(format!(
            "InvalidUnicodeCodepoint at character {at}: a high surrogate escape with no low one after it"
        )));
    }
    if buf.len() > KEEP_BUFFERS {
        // A rare huge document: parse with buffers of its own so they are freed after.
        return parse_with(buf, &mut Buffers::new(buf.len()), Tape(Vec::new())).0;
    }
    PARSER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut parser) => {
            let parser = &mut *parser;
            let tape = parser.tape.take().unwrap_or_else(|| Tape(Vec::new()));
            let (res, tape) = parse_with(buf, &mut parser.buffers, tape);
            parser.tape = Some(tape);
            res
        }
        // Only reachable if parsing ever re-entered itself; stay correct, just slower.
        Err(_) => parse_with(buf, &mut Buffers::default(), Tape(Vec::new())).0,
    })
}

/// Where a `\uD800`-`\uDBFF` escape is not followed by a `\uDC00`-`\uDFFF` one.
/// Most documents hold no backslash at all and cost one `memchr` pass.
fn lone_high_surrogate(buf: &[u8]) -> Option<usize> {
    let hex4 = |at: usize| -> Option<u16> {
        let digits = std::str::from_utf8(buf.get(at..at + 4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    };
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', &buf[i..]) {
        let at = i + off;
        match buf.get(at + 1) {
            Some(b'u') => {
                let unit = hex4(at + 2);
                if unit.is_some_and(|u| (0xD800..0xDC00).contains(&u)) {
                    let low = (buf.get(at + 6..at + 8) == Some(b"\\u"))
                        .then(|| hex4(at + 8))
                        .flatten();
                    if !low.is_some_and(|u| (0xDC00..0xE000).contains(&u)) {
                        return Some(at);
                    }
                    i = at + 12;
                } else {
                    i = at + 6;
                }
            }
            // Any other escape (`\\` included) is two bytes.
            _ => i = at + 2,
        }
        if i >= buf.len() {
            break;
        }
    }
    None
}

/// Parses one JSON document from text.
pub fn parse_json(text: &str) -> Result<Value, JsonError> {
    let mut buf = text.as_bytes().to_vec();
    parse_json_bytes(&mut buf)
}

/// Deepest nesting accepted. Converting and dropping values recurse, so an
/// input nested deeper than this is refused instead of overflowing the stack.
pub const MAX_DEPTH: usize = 1024;

/// Documents larger than this do not use (or grow) the per-thread buffers.
const KEEP_BUFFERS: usize = 1 << 20;

/// simd-json's reusable state. The tape is stored empty, so its `'static` is honest.
struct Parser {
    buffers: Buffers,
    tape: Option<Tape<'static>>,
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(Parser {
        buffers: Buffers::new(4096),
        tape: None,
    });
}

/// Fills `tape` from `buf` and converts it; hands the tape back emptied for reuse.
fn parse_with(
    buf: &mut [u8],
    buffers: &mut Buffers,
    tape: Tape<'static>,
) -> (Result<Value, JsonError>, Tape<'static>) {
    let mut tape = tape.reset();
    let res = match simd_json::fill_tape(buf, buffers, &mut tape) {
        Ok(()) => {
            let mut conv = Conv {
                nodes: &tape.0,
                at: 0,
                failed: None,
            };
            let v = conv.value(0);
            conv.failed.map_or(Ok(v), Err)
        }
        Err(e) => Err(JsonError(readable(e.to_string()))),
    };
    (res, tape.reset())
}

/// simd-json's text, with its internal names for a bare word or a truncated
/// document (`InternalError(TapeError)`) said as what they are.
fn readable(text: String) -> String {
    match text.strip_prefix("InternalError(TapeError)") {
        Some(rest) => format!("not a JSON value{rest}"),
        None => text,
    }
}

/// Walks a tape into a [`Value`]. Failure is recorded in `failed` rather than returned,
/// so the recursion passes plain values around (a `Result<Value, _>` return was
/// measurably slower: it is moved through the stack at every level).
struct Conv<'t, 'i> {
    nodes: &'t [Node<'i>],
    at: usize,
    failed: Option<JsonError>,
}

impl Conv<'_, '_> {
    fn fail(&mut self, e: String) -> Value {
        self.failed.get_or_insert(JsonError(e));
        Value::Null
    }

    /// Converts the value starting at `nodes[at]`, leaving `at` just past it.
    fn value(&mut self, depth: usize) -> Value {
        let Some(&node) = self.nodes.get(self.at) else {
            return self.fail("truncated document".into());
        };
        self.at += 1;
        match node {
            Node::Static(s) => match s {
                StaticNode::Null => Value::Null,
                StaticNode::Bool(b) => Value::Bool(b),
                StaticNode::I64(i) => Value::I64(i),
                StaticNode::U64(u) => Value::U64(u),
                StaticNode::F64(f) => Value::F64(f),
            },
            Node::String(s) => Value::String(Str::from(s)),
            Node::Array { .. } | Node::Object { .. } if depth >= MAX_DEPTH => {
                self.fail(format!("nested deeper than {MAX_DEPTH} levels"))
            }
            Node::Array { len, .. } => {
                let mut a = Vec::with_capacity(len);
                for _ in 0..len {
                    a.push(self.value(depth + 1));
                    if self.failed.is_some() {
                        break;
                    }
                }
                Value::Array(a)
            }
            Node::Object { len, .. } => {
                let mut r = Record::with_capacity_and_hasher(len, Default::default());
                for _ in 0..len {
                    let key = match self.nodes.get(self.at) {
                        Some(Node::String(k)) => Str::from(*k),
                        _ => return self.fail("object key is not a string".into()),
                    };
                    self.at += 1;
                    let v = self.value(depth + 1);
                    if self.failed.is_some() {
                        break;
                    }
                    r.insert(key, v);
                }
                Value::Record(Box::new(r))
            }
        }
    }
}

/// Writes compact JSON. Bytes are written as an array of numbers, non-finite floats as `null`.
pub(super) fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::I64(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::U64(u) => out.extend_from_slice(itoa::Buffer::new().format(*u).as_bytes()),
        Value::F64(f) => write_float(*f, out),
        Value::String(s) => write_str(s, out),
        Value::Bytes(b) => {
            out.push(b'[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(itoa::Buffer::new().format(*byte).as_bytes());
            }
            out.push(b']');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(e, out);
            }
            out.push(b']');
        }
        Value::Record(r) => {
            out.push(b'{');
            for (i, (k, e)) in r.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write(e, out);
            }
            out.push(b'}');
        }
    }
}

pub(super) fn write_float(f: f64, out: &mut Vec<u8>) {
    if f.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

pub(super) fn write_str(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    // Most strings need no escaping. Short ones (keys) are checked by table while
    // copied byte by byte (cheaper than a call to memcpy); longer ones are checked
    // in one branch-free pass, which is vectorised (`fold` rather than `any`, which
    // stops early and so is not), then copied at once.
    if bytes.len() <= 16 {
        let start = out.len();
        out.push(b'"');
        for &b in bytes {
            if ESCAPED[usize::from(b)] {
                out.truncate(start);
                return write_escaped(bytes, out);
            }
            out.push(b);
        }
        out.push(b'"');
        return;
    }
    let special = bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if !special {
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    write_escaped(bytes, out)
}

/// A string that needs escapes.
fn write_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Most strings need no escaping: skip eight clean bytes at a time.
        if let Some(word) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            if !needs_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x20 || b == b'"' || b == b'\\' {
            out.extend_from_slice(&bytes[start..i]);
            write_escape(b, out);
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The bytes a JSON string must escape: control characters, `"` and `\\`.
static ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Whether any of the eight bytes in `w` is a control character, `"` or `\`.
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below n (n <= 128) sets its high bit in `(w - n*ONES) & !w & HIGH`;
    // a zero byte is one below 1, and `w ^ c*ONES` zeroes the bytes equal to c.
    let below = |w: u64, n: u64| w.wrapping_sub(n * ONES) & !w & HIGH;
    let control = below(w, 0x20);
    let quote = below(w ^ (u64::from(b'"') * ONES), 1);
    let backslash = below(w ^ (u64::from(b'\\') * ONES), 1);
    control | quote | backslash != 0
}

fn write_escape(b: u8, out: &mut Vec<u8>) {
    let esc: &[u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
            return;
        }
    };
    out.extend_from_slice(esc);
}

pub(super) fn pretty(v: &Value) -> String {
    let mut out = Vec::new();
    write_pretty(v, 0, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

fn write_pretty(v: &Value, indent: usize, out: &mut Vec<u8>) {
    let pad = |n: usize, out: &mut Vec<u8>| out.extend(std::iter::repeat_n(b' ', n));
    match v {
        Value::Array(a) if !a.is_empty() => {
            out.extend_from_slice(b"[\n");
            for (i, e) in a.iter().enumerate() {
                pad(indent + 2, out);
                write_pretty(e, indent + 2, out);
                out.extend_from_slice(if i + 1 < a.len() { b",\n" } else { b"\n" });
            }
            pad(indent, out);
            out.push(b']');
        }
        Value::Record(r) if !r.is_empty() => {
            out.extend_from_slice(b"{\n");
            for (i, (k, e)) in r.iter().enumerate() {
                pad(indent + 2, out);
                write_str(k, out);
                out.extend_from_slice(b": ");
                write_pretty(e, indent + 2, out);
                out.extend_from_slice(if i + 1 < r.len() { b",\n" } else { b"\n" });
            }
            pad(indent, out);
            out.push(b'}');
        }
        other => write(other, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_high_surrogate_is_an_error_and_a_pair_is_a_character() {
        for bad in [
            r#""\ud800""#,
            r#""\ud800x""#,
            r#""a\udbffb""#,
            r#"{"\ud800":1}"#,
            r#""\ud800\u0041""#,
            r#""\ud800\n""#,
        ] {
            let e = parse_json(bad).unwrap_err();
            assert!(e.0.contains("InvalidUnicodeCodepoint"), "{bad}: {e}");
        }
        assert_eq!(
            parse_json(r#""\ud83d\ude00""#).unwrap(),
            Value::from("\u{1F600}")
        );
        // An escaped backslash before `ud800` is no escape of a surrogate.
        assert_eq!(parse_json(r#""\\ud800""#).unwrap(), Value::from("\\ud800"));
        assert_eq!(parse_json(r#""\u0000""#).unwrap(), Value::from("\0"));
    }

    #[test]
    fn round_trip() {
        let text = r#"{"a":1,"b":[true,null,1.5,"x\n"],"c":{"d":-3},"e":18446744073709551615}"#;
        let v = parse_json(text).unwrap();
        assert_eq!(v.encode(), text);
    }

    #[test]
    fn strings_are_escaped_wherever_the_special_byte_is() {
        for special in [
            '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{8}', '\u{c}', '\t', '\r',
        ] {
            for at in 0..20 {
                let mut s: String = "abcdefghijklmnopqrst".into();
                s.insert(at, special);
                s.push('é');
                let v = Value::from(s.as_str());
                let back = parse_json(&v.encode()).unwrap();
                assert_eq!(back.as_str(), Some(s.as_str()), "{special:?} at {at}");
            }
        }
        assert_eq!(Value::from("a\u{1}\"").encode(), r#""a\u0001\"""#);
        assert_eq!(Value::from(" !#[]~\u{7f}").encode(), "\" !#[]~\u{7f}\"");
    }

    #[test]
    fn floats_keep_a_fraction() {
        assert_eq!(Value::F64(10.0).encode(), "10.0");
        assert_eq!(Value::F64(f64::NAN).encode(), "null");
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(parse_json("{\"a\":").is_err());
        // A bare word: said plainly, not with simd-json's internal name.
        let e = parse_json("bad").unwrap_err().to_string();
        assert!(e.starts_with("not a JSON value at character 0"), "{e}");
    }

    #[test]
    fn reused_buffers_give_independent_values() {
        // A large document first, then small ones, a failure, and escapes: nothing
        // from an earlier parse may leak into a later one through the reused state.
        let big = format!("[{}1]", "\"0123456789\",".repeat(2000));
        assert_eq!(
            parse_json(&big).unwrap().as_array().map(Vec::len),
            Some(2001)
        );
        let a = parse_json(r#"{"k":"a\"b","n":[1,2]}"#).unwrap();
        assert!(parse_json("[1,").is_err());
        let b = parse_json(r#"{"k":"c","n":{}}"#).unwrap();
        assert_eq!(a.encode(), r#"{"k":"a\"b","n":[1,2]}"#);
        assert_eq!(b.encode(), r#"{"k":"c","n":{}}"#);
        let huge = format!("[{}0]", "1,".repeat(KEEP_BUFFERS));
        assert_eq!(
            parse_json(&huge).unwrap().as_array().map(Vec::len),
            Some(KEEP_BUFFERS + 1)
        );
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_json(&text).is_err());
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_json(&ok).is_ok());
    }
}

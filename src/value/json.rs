//! JSON in (simd-json) and out (a small writer with no intermediate tree).

use super::{Record, Str, Value};
use simd_json::{BorrowedValue, StaticNode};

/// A document that is not valid JSON.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

/// Parses one JSON document. `buf` is used as simd-json's scratch space and is clobbered.
pub fn parse_json_bytes(buf: &mut [u8]) -> Result<Value, JsonError> {
    check_depth(buf)?;
    let v = simd_json::to_borrowed_value(buf).map_err(|e| JsonError(e.to_string()))?;
    Ok(from_borrowed(&v))
}

/// Parses one JSON document from text.
pub fn parse_json(text: &str) -> Result<Value, JsonError> {
    let mut buf = text.as_bytes().to_vec();
    parse_json_bytes(&mut buf)
}

/// Deepest nesting accepted. Parsing, converting and dropping values recurse, so an
/// input nested deeper than this is refused instead of overflowing the stack.
pub const MAX_DEPTH: usize = 1024;

fn check_depth(buf: &[u8]) -> Result<(), JsonError> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for &b in buf {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(JsonError(format!("nested deeper than {MAX_DEPTH} levels")));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn from_borrowed(v: &BorrowedValue) -> Value {
    match v {
        BorrowedValue::Static(s) => match s {
            StaticNode::Null => Value::Null,
            StaticNode::Bool(b) => Value::Bool(*b),
            StaticNode::I64(i) => Value::I64(*i),
            StaticNode::U64(u) => Value::U64(*u),
            StaticNode::F64(f) => Value::F64(*f),
        },
        BorrowedValue::String(s) => Value::String(Str::from(s.as_ref())),
        BorrowedValue::Array(a) => Value::Array(a.iter().map(from_borrowed).collect()),
        BorrowedValue::Object(o) => {
            let mut r = Record::with_capacity_and_hasher(o.len(), Default::default());
            for (k, v) in o.iter() {
                r.insert(Str::from(k.as_ref()), from_borrowed(v));
            }
            Value::Record(Box::new(r))
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
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(format!("\\u{:04x}", b).as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
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
    fn round_trip() {
        let text = r#"{"a":1,"b":[true,null,1.5,"x\n"],"c":{"d":-3},"e":18446744073709551615}"#;
        let v = parse_json(text).unwrap();
        assert_eq!(v.encode(), text);
    }

    #[test]
    fn floats_keep_a_fraction() {
        assert_eq!(Value::F64(10.0).encode(), "10.0");
        assert_eq!(Value::F64(f64::NAN).encode(), "null");
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(parse_json("{\"a\":").is_err());
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

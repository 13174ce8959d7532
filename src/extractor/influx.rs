//! `influx||`: parses one InfluxDB line-protocol line (Tremor's tremor-influx).
//!
//! `measurement[,tag=v...] field=v[,field=v...] [timestamp]` becomes
//! `{"measurement", "tags", "fields", "timestamp"}`. Field values: `1i` integer,
//! `1u` unsigned, `"..."` string, `t/T/true/True/TRUE` and `f/F/false/False/FALSE`
//! bools, anything else a float. A missing timestamp is 0 (Tremor passes an
//! ingest time of 0 to the decoder). Blank lines and `#` comments are no match,
//! as is any malformed line. Backslash escapes the characters that would end the
//! element (`,` and space in the measurement, also `=` in keys and tag values,
//! `"` in strings) and itself; other backslashes are kept.

use crate::value::{Record, Str, Value};

/// Reads up to (not including) the first unescaped char in `ends`; returns the
/// unescaped text and the rest, starting at that char (empty at end of input).
fn read_until<'a>(input: &'a str, ends: &[char]) -> (String, &'a str) {
    let mut out = String::new();
    let mut chars = input.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some(&(_, n)) if n == '\\' || ends.contains(&n) => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else if ends.contains(&c) {
            return (out, &input[i..]);
        } else {
            out.push(c);
        }
    }
    (out, "")
}

/// Parses a double-quoted string value; `input` starts after the opening quote.
fn read_string(input: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, n @ ('"' | '\\'))) => out.push(n),
                Some((_, n)) => {
                    out.push('\\');
                    out.push(n);
                }
                None => return None,
            },
            '"' => return Some((out, &input[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

fn scalar(raw: &str) -> Option<Value> {
    match raw {
        "t" | "T" | "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "f" | "F" | "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(i) = raw.strip_suffix('i') {
        return i.parse::<i64>().ok().map(Value::I64);
    }
    if let Some(u) = raw.strip_suffix('u') {
        return u.parse::<u64>().ok().map(Value::U64);
    }
    // Only plain decimal notation: rules out Rust's `inf`/`NaN` spellings.
    if !raw.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') {
        return None;
    }
    raw.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Value::F64)
}

/// Parses `k=v,k=v` pairs up to a space or the end; values via `value`.
fn read_pairs<'a>(
    mut data: &'a str,
    mut value: impl FnMut(&'a str) -> Option<(Value, &'a str)>,
) -> Option<(Record, &'a str)> {
    let mut r = Record::default();
    loop {
        let (key, rest) = read_until(data, &[',', '=', ' ']);
        let rest = rest.strip_prefix('=')?;
        if key.is_empty() {
            return None;
        }
        let (v, rest) = value(rest)?;
        r.insert(Str::from(key), v);
        match rest.strip_prefix(',') {
            Some(more) => data = more,
            None => return Some((r, rest)),
        }
    }
}

fn tag_value(data: &str) -> Option<(Value, &str)> {
    let (v, rest) = read_until(data, &[',', '=', ' ']);
    if v.is_empty() {
        return None;
    }
    Some((Value::String(Str::from(v)), rest))
}

fn field_value(data: &str) -> Option<(Value, &str)> {
    if let Some(s) = data.strip_prefix('"') {
        let (v, rest) = read_string(s)?;
        return Some((Value::String(Str::from(v)), rest));
    }
    let end = data.find([',', ' ']).unwrap_or(data.len());
    Some((scalar(&data[..end])?, &data[end..]))
}

/// `None` for blank lines, comments and malformed lines.
pub(super) fn extract(s: &str) -> Option<Value> {
    let data = s.trim();
    if data.is_empty() || data.starts_with('#') {
        return None;
    }
    let (measurement, rest) = read_until(data, &[',', ' ']);
    if measurement.is_empty() {
        return None;
    }
    let (tags, rest) = match rest.strip_prefix(',') {
        Some(t) => read_pairs(t, tag_value)?,
        None => (Record::default(), rest),
    };
    let rest = rest.strip_prefix(' ')?;
    let (fields, rest) = read_pairs(rest, field_value)?;
    let timestamp = match rest.strip_prefix(' ') {
        None if rest.is_empty() => 0,
        None => return None,
        Some(ts) => ts.trim_start().parse::<u64>().ok()?,
    };
    let mut r = Record::default();
    r.insert(
        Str::from("measurement"),
        Value::String(Str::from(measurement)),
    );
    r.insert(Str::from("tags"), Value::Record(Box::new(tags)));
    r.insert(Str::from("fields"), Value::Record(Box::new(fields)));
    r.insert(Str::from("timestamp"), Value::U64(timestamp));
    Some(Value::Record(Box::new(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Option<String> {
        extract(s).map(|v| v.encode())
    }

    #[test]
    fn full_line() {
        assert_eq!(
            run("weather,location=us-midwest,season=summer temperature=82 1465839830100400200")
                .unwrap(),
            r#"{"measurement":"weather","tags":{"location":"us-midwest","season":"summer"},"fields":{"temperature":82.0},"timestamp":1465839830100400200}"#
        );
    }

    #[test]
    fn field_types() {
        assert_eq!(
            run(r#"m a=1i,b=-2i,c=1.5,d="x y, \"z\"",e=t,f=FALSE,g=3u"#).unwrap(),
            r#"{"measurement":"m","tags":{},"fields":{"a":1,"b":-2,"c":1.5,"d":"x y, \"z\"","e":true,"f":false,"g":3},"timestamp":0}"#
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            run(r"my\ m,t\,k=v\ 1 f\=x=1i 5").unwrap(),
            r#"{"measurement":"my m","tags":{"t,k":"v 1"},"fields":{"f=x":1},"timestamp":5}"#
        );
    }

    #[test]
    fn malformed() {
        assert_eq!(run(""), None);
        assert_eq!(run("# comment"), None);
        assert_eq!(run("weather"), None, "no fields");
        assert_eq!(run("weather temperature"), None, "no =");
        assert_eq!(run("weather temperature=abc"), None);
        assert_eq!(run("weather temperature=1 notanumber"), None);
        assert_eq!(run("weather,loc= t=1"), None, "empty tag value");
        assert_eq!(run(r#"weather s="open"#), None, "unterminated string");
        assert_eq!(run("weather t=inf"), None);
    }
}

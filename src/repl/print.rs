//! How results reach the screen: values as JSON (indented and coloured for a person
//! at a terminal, one compact line each when scripted), emitted events as
//! `port: JSON`, messages on stdout, errors on stderr.

use super::session::Reply;
use crate::value::Value;
use std::io::Write;

const RESET: &str = "\x1b[0m";
const KEY: &str = "\x1b[34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const CONSTANT: &str = "\x1b[35m";
const PORT: &str = "\x1b[1;33m";

/// Output settings.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Indented JSON over several lines (terminal) or one line per value (scripted).
    pub pretty: bool,
    /// ANSI colours on stdout.
    pub color: bool,
}

/// A value as JSON in the given style.
pub fn value(v: &Value, style: Style) -> String {
    match (style.pretty, style.color) {
        (false, false) => v.encode(),
        (true, false) => v.encode_pretty(),
        (pretty, true) => {
            let mut out = String::new();
            write_colored(v, 0, pretty, &mut out);
            out
        }
    }
}

fn paint(out: &mut String, color: &str, text: &str) {
    out.push_str(color);
    out.push_str(text);
    out.push_str(RESET);
}

fn write_colored(v: &Value, indent: usize, pretty: bool, out: &mut String) {
    let (open, sep, close) = if pretty {
        ("\n", ",\n", "\n")
    } else {
        ("", ",", "")
    };
    let pad = |n: usize, out: &mut String| {
        if pretty {
            out.extend(std::iter::repeat_n(' ', n));
        }
    };
    match v {
        Value::Array(a) if !a.is_empty() => {
            out.push('[');
            out.push_str(open);
            for (i, e) in a.iter().enumerate() {
                pad(indent + 2, out);
                write_colored(e, indent + 2, pretty, out);
                out.push_str(if i + 1 < a.len() { sep } else { close });
            }
            pad(indent, out);
            out.push(']');
        }
        Value::Record(r) if !r.is_empty() => {
            out.push('{');
            out.push_str(open);
            for (i, (k, e)) in r.iter().enumerate() {
                pad(indent + 2, out);
                paint(out, KEY, &Value::String(k.clone()).encode());
                out.push_str(if pretty { ": " } else { ":" });
                write_colored(e, indent + 2, pretty, out);
                out.push_str(if i + 1 < r.len() { sep } else { close });
            }
            pad(indent, out);
            out.push('}');
        }
        Value::String(_) | Value::Bytes(_) => paint(out, STRING, &v.encode()),
        Value::I64(_) | Value::U64(_) | Value::F64(_) => paint(out, NUMBER, &v.encode()),
        Value::Null | Value::Bool(_) => paint(out, CONSTANT, &v.encode()),
        // Empty containers.
        other => out.push_str(&other.encode()),
    }
}

/// Writes replies: data to `out`, errors and warnings to `err`. Write failures (a
/// closed pipe) are ignored: there is nobody left to tell.
pub fn replies(replies: &[Reply], style: Style, out: &mut dyn Write, err: &mut dyn Write) {
    for r in replies {
        let _ = match r {
            Reply::Value(v) => writeln!(out, "{}", value(v, style)),
            Reply::Emitted { port, value: v } => {
                let port = if style.color {
                    format!("{PORT}{port}{RESET}")
                } else {
                    port.clone()
                };
                writeln!(out, "{port}: {}", value(v, style))
            }
            Reply::Info(text) => write_line(out, text),
            Reply::Error(text) | Reply::Warning(text) => write_line(err, text),
            Reply::Quit => Ok(()),
        };
    }
    let _ = out.flush();
    let _ = err.flush();
}

fn write_line(w: &mut dyn Write, text: &str) -> std::io::Result<()> {
    if text.ends_with('\n') {
        write!(w, "{text}")
    } else {
        writeln!(w, "{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn plain_styles_match_the_json_writers() {
        let v = parse_json(r#"{"a":[1,"x",null],"b":{}}"#).unwrap();
        let compact = Style {
            pretty: false,
            color: false,
        };
        assert_eq!(value(&v, compact), r#"{"a":[1,"x",null],"b":{}}"#);
        let pretty = Style {
            pretty: true,
            color: false,
        };
        assert_eq!(value(&v, pretty), v.encode_pretty());
    }

    #[test]
    fn colour_wraps_tokens_without_changing_text() {
        let v = parse_json(r#"{"a":[1,"x",true]}"#).unwrap();
        for pretty in [true, false] {
            let s = value(
                &v,
                Style {
                    pretty,
                    color: true,
                },
            );
            assert!(s.contains(KEY) && s.contains(STRING) && s.contains(NUMBER));
            let stripped = s
                .replace(RESET, "")
                .replace(KEY, "")
                .replace(STRING, "")
                .replace(NUMBER, "")
                .replace(CONSTANT, "");
            let expected = if pretty {
                v.encode_pretty()
            } else {
                v.encode()
            };
            assert_eq!(stripped, expected);
        }
    }

    #[test]
    fn replies_go_to_the_right_stream() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let style = Style {
            pretty: false,
            color: false,
        };
        replies(
            &[
                Reply::Value(Value::from(1i64)),
                Reply::Emitted {
                    port: "out".into(),
                    value: Value::from(true),
                },
                Reply::Error("error: bad\n".into()),
                Reply::Info("hi".into()),
            ],
            style,
            &mut out,
            &mut err,
        );
        assert_eq!(String::from_utf8(out).unwrap(), "1\nout: true\nhi\n");
        assert_eq!(String::from_utf8(err).unwrap(), "error: bad\n");
    }
}

//! `std::string`: formatting, measuring, slicing and case changes of strings.

use super::array::count;
use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use std::ops::RangeInclusive;

fn decl(
    name: &'static str,
    arity: RangeInclusive<usize>,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("string", name, arity, doc, examples, f)
}

/// Registers `string::*`.
pub fn register(r: &mut Registry) {
    register_measure(r);
    register_transform(r);
}

fn register_measure(r: &mut Registry) {
    r.add(decl(
        "format",
        1..=usize::MAX,
        "Replaces each `{}` in the format string with the next argument.\n\
         Strings are inserted as they are, other values as compact JSON; `{{` and `}}` \
         stand for literal braces. The number of `{}` must match the number of arguments.",
        &[
            (r#"["{} + {} = {}", 1, "two", [3]]"#, r#""1 + two = [3]""#),
            (r#"["{{literal}} {}", null]"#, r#""{literal} null""#),
        ],
        format,
    ));
    r.add(decl(
        "is_empty",
        1..=1,
        "Whether a string has no characters.",
        &[(r#"[""]"#, "true"), (r#"["a"]"#, "false")],
        is_empty,
    ));
    r.add(decl(
        "len",
        1..=1,
        "Length of a string in characters (Unicode scalar values).",
        &[(r#"["snot"]"#, "4"), (r#"["äöü"]"#, "3")],
        len,
    ));
    r.add(decl(
        "bytes",
        1..=1,
        "Length of a string in UTF-8 bytes.",
        &[(r#"["snot"]"#, "4"), (r#"["äöü"]"#, "6")],
        bytes,
    ));
    r.add(decl(
        "contains",
        2..=2,
        "Whether the string contains the other string.",
        &[
            (r#"["snot badger", "badger"]"#, "true"),
            (r#"["snot", "x"]"#, "false"),
        ],
        contains,
    ));
    r.add(decl(
        "split",
        2..=2,
        "Splits a string at every occurrence of the separator.",
        &[
            (r#"["a,b,,c", ","]"#, r#"["a","b","","c"]"#),
            (r#"["abc", "x"]"#, r#"["abc"]"#),
        ],
        split,
    ));
    r.add(decl(
        "substr",
        3..=3,
        "The characters from `start` (inclusive) to `end` (exclusive), counted in characters.\n\
         Indices past the end stop at the end; a start after the end gives `\"\"`.",
        &[
            (r#"["snot badger", 5, 11]"#, r#""badger""#),
            (r#"["äöü", 1, 2]"#, r#""ö""#),
            (r#"["snot", 2, 100]"#, r#""ot""#),
        ],
        substr,
    ));
    r.add(decl(
        "from_utf8_lossy",
        1..=1,
        "Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD.",
        &[],
        from_utf8_lossy,
    ));
    r.add(decl(
        "into_binary",
        1..=1,
        "The UTF-8 bytes of a string.",
        &[],
        into_binary,
    ));
}

fn register_transform(r: &mut Registry) {
    r.add(decl(
        "replace",
        3..=3,
        "Replaces every occurrence of `from` with `to`.",
        &[(r#"["snot snot", "snot", "badger"]"#, r#""badger badger""#)],
        replace,
    ));
    r.add(decl(
        "trim",
        1..=1,
        "Removes leading and trailing whitespace.",
        &[(r#"["  snot \n"]"#, r#""snot""#)],
        trim,
    ));
    r.add(decl(
        "trim_start",
        1..=1,
        "Removes leading whitespace.",
        &[(r#"["  snot "]"#, r#""snot ""#)],
        trim_start,
    ));
    r.add(decl(
        "trim_end",
        1..=1,
        "Removes trailing whitespace.",
        &[(r#"["  snot "]"#, r#""  snot""#)],
        trim_end,
    ));
    r.add(decl(
        "lowercase",
        1..=1,
        "The string in lower case.",
        &[(r#"["SNOT Ä"]"#, r#""snot ä""#)],
        lowercase,
    ));
    r.add(decl(
        "uppercase",
        1..=1,
        "The string in upper case.",
        &[(r#"["snot ä"]"#, r#""SNOT Ä""#)],
        uppercase,
    ));
    r.add(decl(
        "capitalize",
        1..=1,
        "The string with its first character in upper case.",
        &[
            (r#"["snot badger"]"#, r#""Snot badger""#),
            (r#"[""]"#, r#""""#),
        ],
        capitalize,
    ));
    r.add(decl(
        "reverse",
        1..=1,
        "The characters of the string in reverse order.",
        &[(r#"["snot"]"#, r#""tons""#)],
        reverse,
    ));
}

/// Applies `f` to the only argument when it is a string.
fn with_str(args: &[&Value], f: impl FnOnce(&str) -> Value) -> Result<Value, FnError> {
    match args {
        [Value::String(s)] => Ok(f(s)),
        _ => Err(FnError::BadType),
    }
}

fn format(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let Some((fmt, rest)) = args.split_first() else {
        return Err(FnError::BadType);
    };
    let Value::String(fmt) = fmt else {
        return Err(FnError::runtime(
            "expected 1st parameter to format to be a format specifier e.g. to print a \
             number use `string::format(\"{}\", 1)`",
        ));
    };
    let mut rest = rest.iter();
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        match c {
            '{' => match chars.next() {
                Some((_, '}')) => match rest.next() {
                    Some(Value::String(s)) => out.push_str(s),
                    Some(other) => out.push_str(&other.encode()),
                    None => {
                        return Err(FnError::runtime(
                            "the arguments passed to the format function are less than the \
                             `{}` specifiers in the format string.",
                        ))
                    }
                },
                Some((_, '{')) => out.push('{'),
                Some(_) => {
                    return Err(FnError::runtime(format!(
                        "the format specifier at {pos} is invalid. If you want to use `{{` as a \
                         literal in the string, you need to escape it with `{{{{`"
                    )))
                }
                None => {
                    return Err(FnError::runtime(format!(
                        "the format specifier at {pos} is unterminated. If you want to use `{{` \
                         as a literal in the string, you need to escape it with `{{{{`"
                    )))
                }
            },
            '}' => match chars.next() {
                Some((_, '}')) => out.push('}'),
                _ => {
                    return Err(FnError::runtime(format!(
                        "the format specifier at {pos} is invalid. You have to terminate `}}` \
                         with another `}}` to escape it"
                    )))
                }
            },
            c => out.push(c),
        }
    }
    if rest.next().is_some() {
        return Err(FnError::runtime(
            "too many parameters passed. Ensure that you have the same number of {} in your \
             format string",
        ));
    }
    Ok(Value::from(out))
}

fn is_empty(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::Bool(s.is_empty()))
}

fn len(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| count(s.chars().count()))
}

fn bytes(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| count(s.len()))
}

fn contains(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(s), Value::String(needle)] => Ok(Value::Bool(s.contains(needle.as_str()))),
        _ => Err(FnError::BadType),
    }
}

fn split(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(s), Value::String(sep)] => Ok(Value::Array(
            s.split(sep.as_str()).map(Value::from).collect(),
        )),
        _ => Err(FnError::BadType),
    }
}

/// Byte offset of character `idx`, or the string's end when it has fewer characters.
/// Negative indices count as past the end (Tremor cast them to a huge `usize`).
fn char_offset(s: &str, idx: i64) -> usize {
    usize::try_from(idx)
        .ok()
        .and_then(|i| s.char_indices().nth(i))
        .map_or(s.len(), |(p, _)| p)
}

fn substr(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::String(s), start, end] = args else {
        return Err(FnError::BadType);
    };
    let (Some(start), Some(end)) = (int_arg(start), int_arg(end)) else {
        return Err(FnError::BadType);
    };
    let (start, end) = (char_offset(s, start), char_offset(s, end));
    Ok(Value::from(s.get(start..end).unwrap_or("")))
}

/// An integer argument; unsigned ones past `i64::MAX` count as past any end.
fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::I64(i) => Some(*i),
        Value::U64(u) => Some(i64::try_from(*u).unwrap_or(i64::MAX)),
        _ => None,
    }
}

fn from_utf8_lossy(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Bytes(b)] => Ok(Value::from(String::from_utf8_lossy(b).as_ref())),
        _ => Err(FnError::BadType),
    }
}

fn into_binary(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::Bytes(s.as_bytes().into()))
}

fn replace(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(s), Value::String(from), Value::String(to)] => {
            Ok(Value::from(s.replace(from.as_str(), to)))
        }
        _ => Err(FnError::BadType),
    }
}

fn trim(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::from(s.trim()))
}

fn trim_start(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::from(s.trim_start()))
}

fn trim_end(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::from(s.trim_end()))
}

fn lowercase(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::from(s.to_lowercase()))
}

fn uppercase(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::from(s.to_uppercase()))
}

fn capitalize(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| {
        let mut chars = s.chars();
        match chars.next() {
            None => Value::from(""),
            Some(first) => {
                let mut out: String = first.to_uppercase().collect();
                out.push_str(chars.as_str());
                Value::from(out)
            }
        }
    })
}

fn reverse(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_str(args, |s| Value::from(s.chars().rev().collect::<String>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err, ok};

    #[test]
    fn format_errors() {
        err(format, r#"["{} {}", 1]"#, "less than the `{}` specifiers");
        err(format, r#"["{}", 1, 2]"#, "too many parameters");
        err(format, r#"["a {x"]"#, "format specifier at 2 is invalid");
        err(
            format,
            r#"["a {"]"#,
            "format specifier at 2 is unterminated",
        );
        err(format, r#"["a } b"]"#, "terminate `}` with another `}`");
        err(format, r#"[1]"#, "expected 1st parameter to format");
        ok(format, r#"["no placeholders"]"#, r#""no placeholders""#);
        ok(format, r#"["{}{}", {"a":1}, 2.5]"#, r#""{\"a\":1}2.5""#);
        ok(format, r#"["}}{{"]"#, r#""}{""#);
    }

    #[test]
    fn substr_edges() {
        ok(substr, r#"["snot", 3, 1]"#, r#""""#);
        ok(substr, r#"["snot", 10, 20]"#, r#""""#);
        ok(substr, r#"["snot", -1, 2]"#, r#""""#);
        ok(substr, r#"["snot", 0, -1]"#, r#""snot""#);
        ok(substr, r#"["snot", 0, 0]"#, r#""""#);
        assert_eq!(call(substr, r#"["snot", 1.0, 2]"#), Err(FnError::BadType));
    }

    #[test]
    fn bytes_round_trip() {
        let v = Value::from("äb");
        let b = into_binary(&FnCtx::default(), &[&v]).unwrap();
        assert_eq!(b.as_bytes(), Some("äb".as_bytes()));
        let s = from_utf8_lossy(&FnCtx::default(), &[&b]).unwrap();
        assert_eq!(s.as_str(), Some("äb"));
        let bad = Value::Bytes(vec![b'a', 0xff].into());
        let s = from_utf8_lossy(&FnCtx::default(), &[&bad]).unwrap();
        assert_eq!(s.as_str(), Some("a\u{fffd}"));
        // A string is not bytes.
        assert_eq!(call(from_utf8_lossy, r#"["a"]"#), Err(FnError::BadType));
    }

    #[test]
    fn wrong_types_are_bad_type() {
        for f in [
            is_empty,
            len,
            bytes,
            into_binary,
            trim,
            trim_start,
            trim_end,
            lowercase,
            uppercase,
            capitalize,
            reverse,
        ] {
            assert_eq!(call(f, "[1]"), Err(FnError::BadType));
        }
        assert_eq!(call(contains, r#"["a", 1]"#), Err(FnError::BadType));
        assert_eq!(call(split, r#"[1, ","]"#), Err(FnError::BadType));
        assert_eq!(call(replace, r#"["a", "b", null]"#), Err(FnError::BadType));
    }

    #[test]
    fn unicode_case() {
        ok(capitalize, r#"["ßa"]"#, r#""SSa""#);
        ok(reverse, r#"["äöü"]"#, r#""üöä""#);
        ok(split, r#"["", ","]"#, r#"[""]"#);
    }
}

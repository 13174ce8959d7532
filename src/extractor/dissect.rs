//! `dissect|pattern|`: tokenises by literal delimiters (Tremor's tremor-dissect).
//!
//! - `%{a}` extracts up to the next delimiter (the last one takes the rest);
//! - `%{}` and `%{?a}` skip (a named skip can feed `%{&a}`);
//! - `%{&a}` uses the value of `a` (skipped or extracted) as the key;
//! - `%{+a}` appends to `a`, joined by a space, or by the padding of the last
//!   `%{_(x)}` seen before it (Tremor's separator; a delimiter does not change it);
//! - `%{_}` skips any run of spaces, `%{_(x)}` any run of `x`;
//! - `%{a:int}` and `%{a:float}` convert the extracted text (no match if it does not parse).
//!
//! A delimiter missing from the input, or input left over, is no match.

use super::kv::unescape;
use super::str_value;
use crate::value::{Record, Str, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
enum Command {
    Delimiter(String),
    Pattern {
        ignore: bool,
        lookup: bool,
        add: bool,
        name: String,
        ty: Ty,
    },
    Padding(String),
}

/// The type a `%{name:type}` field converts its text to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Str,
    Int,
    Float,
}

impl Ty {
    /// Splits a `:int` / `:float` suffix off a field name; any other name is a string field.
    fn split(name: &str) -> (&str, Ty) {
        match name.rsplit_once(':') {
            Some((n, "int")) => (n, Ty::Int),
            Some((n, "float")) => (n, Ty::Float),
            Some((n, "string")) => (n, Ty::Str),
            _ => (name, Ty::Str),
        }
    }

    /// The typed value of `text`, `None` when it does not parse.
    fn convert(self, text: &str) -> Option<Value> {
        match self {
            Ty::Str => Some(str_value(text)),
            Ty::Int => text.trim().parse::<i64>().ok().map(Value::I64),
            Ty::Float => text.trim().parse::<f64>().ok().map(Value::F64),
        }
    }
}

/// A compiled dissect pattern.
#[derive(Debug, Clone)]
pub(super) struct Dissect {
    commands: Vec<Command>,
}

fn parse_extractor(ex: &str, idx: usize) -> Result<Command, String> {
    let pattern = |ignore, lookup, add, name: &str| {
        let (name, ty) = Ty::split(name);
        Command::Pattern {
            ignore,
            lookup,
            add,
            name: name.to_string(),
            ty,
        }
    };
    Ok(match ex.chars().next() {
        None => pattern(true, false, false, ""),
        Some('_') => {
            let pad = &ex[1..];
            if pad.is_empty() {
                Command::Padding(" ".to_string())
            } else if pad.len() >= 2 && pad.starts_with('(') && pad.ends_with(')') {
                Command::Padding(pad[1..pad.len() - 1].to_string())
            } else {
                return Err(format!("Invalid padding at {idx}"));
            }
        }
        Some('?') => pattern(true, false, false, &ex[1..]),
        Some('&') => pattern(false, true, false, &ex[1..]),
        Some('+') => pattern(false, false, true, &ex[1..]),
        Some(_) => pattern(false, false, false, ex),
    })
}

impl Dissect {
    /// Compiles the pattern. Two extractions with no delimiter between them, an
    /// unterminated `%{`, a bad padding or a bad escape are errors.
    pub(super) fn new(mut pattern: &str) -> Result<Dissect, String> {
        let mut commands: Vec<Command> = Vec::new();
        let mut idx = 0;
        let mut was_extract = false;
        while !pattern.is_empty() {
            if let Some(body) = pattern.strip_prefix("%{") {
                let Some(close) = body.find('}') else {
                    return Err(format!("Unterminated pattern at {idx}"));
                };
                if body.find("%{").is_some_and(|open| open < close) {
                    return Err(format!("Unterminated pattern at {idx}"));
                }
                let cmd = parse_extractor(&body[..close], idx)?;
                if let Command::Padding(p) = &cmd {
                    if p.is_empty() {
                        return Err(format!("Invalid padding at {idx}"));
                    }
                    was_extract = false;
                } else {
                    if was_extract {
                        return Err(format!(
                            "A delimiter needs to be provided between the two patterns at {idx}"
                        ));
                    }
                    was_extract = true;
                }
                commands.push(cmd);
                idx += close + 3;
                pattern = &body[close + 1..];
            } else {
                was_extract = false;
                let end = pattern.find("%{").unwrap_or(pattern.len());
                let delim = unescape(&pattern[..end])?;
                if let Some(Command::Padding(p)) = commands.last() {
                    if delim.starts_with(p.as_str()) {
                        return Err(format!(
                            "The padding at {idx} can't be followed up by a delimiter that begins with it"
                        ));
                    }
                }
                commands.push(Command::Delimiter(delim));
                idx += end;
                pattern = &pattern[end..];
            }
        }
        Ok(Dissect { commands })
    }

    /// `None` when a delimiter is missing, input is left over, or a lookup key is unknown.
    pub(super) fn extract(&self, mut data: &str) -> Option<Value> {
        let mut r = Record::default();
        let mut ignored: HashMap<String, String> = HashMap::new();
        let mut last_sep = " ".to_string();
        for (t, cmd) in self.commands.iter().enumerate() {
            match cmd {
                Command::Padding(p) => {
                    last_sep.clone_from(p);
                    data = data.trim_start_matches(p.as_str());
                }
                Command::Delimiter(d) => {
                    data = data.strip_prefix(d.as_str())?;
                }
                Command::Pattern {
                    ignore,
                    lookup,
                    add,
                    name,
                    ty,
                } => {
                    let name = if *lookup {
                        match ignored.remove(name) {
                            Some(n) => n,
                            None => r.get(name.as_str())?.as_str()?.to_string(),
                        }
                    } else {
                        name.clone()
                    };
                    let end = match self.commands.get(t + 1) {
                        None => data.len(),
                        Some(Command::Padding(p)) => data.find(p.as_str()).unwrap_or(data.len()),
                        Some(Command::Delimiter(d)) => data.find(d.as_str())?,
                        // Rejected at compile time; kept total for safety.
                        Some(Command::Pattern { .. }) => return None,
                    };
                    let value = &data[..end];
                    data = &data[end..];
                    let field = Field {
                        name,
                        text: value,
                        ty: *ty,
                    };
                    insert(&mut r, &mut ignored, field, *ignore, *add, &last_sep)?;
                }
            }
        }
        data.is_empty().then(|| Value::Record(Box::new(r)))
    }
}

/// One extracted field: its key, its text and the type to convert the text to.
struct Field<'a> {
    name: String,
    text: &'a str,
    ty: Ty,
}

fn insert(
    r: &mut Record,
    ignored: &mut HashMap<String, String>,
    Field {
        name,
        text: value,
        ty,
    }: Field,
    ignore: bool,
    add: bool,
    sep: &str,
) -> Option<()> {
    if name.is_empty() {
        return Some(());
    }
    if ignore {
        ignored.insert(name, value.to_string());
    } else if add {
        match r.get_mut(name.as_str()) {
            None => {
                r.insert(Str::from(name), ty.convert(value)?);
            }
            Some(Value::String(s)) => {
                s.push_str(sep);
                s.push_str(value);
            }
            Some(_) => return None,
        }
    } else {
        r.insert(Str::from(name), ty.convert(value)?);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &str, s: &str) -> Option<String> {
        Dissect::new(p).unwrap().extract(s).map(|v| v.encode())
    }

    #[test]
    fn simple() {
        assert_eq!(
            run("%{a}://%{b}", "http://example.com").unwrap(),
            r#"{"a":"http","b":"example.com"}"#
        );
        assert_eq!(run("%{a} %{b}", "x y z").unwrap(), r#"{"a":"x","b":"y z"}"#);
        assert_eq!(run("%{a} %{b}", "xyz"), None);
        assert_eq!(run("%{a} %{b}", "x ").unwrap(), r#"{"a":"x","b":""}"#);
        assert_eq!(run("", "").unwrap(), "{}");
        assert_eq!(run("", "x"), None);
    }

    #[test]
    fn leading_and_trailing_delimiters() {
        assert_eq!(run("[%{a}]", "[x]").unwrap(), r#"{"a":"x"}"#);
        assert_eq!(run("[%{a}]", "[x] tail"), None);
        assert_eq!(run("[%{a}]", "x]"), None);
    }

    #[test]
    fn skips() {
        assert_eq!(
            run("%{a} %{} %{b}", "1 2 3").unwrap(),
            r#"{"a":"1","b":"3"}"#
        );
        assert_eq!(run("%{?a} %{b}", "1 2").unwrap(), r#"{"b":"2"}"#);
    }

    #[test]
    fn lookup() {
        assert_eq!(run("%{?k}=%{&k}", "foo=bar").unwrap(), r#"{"foo":"bar"}"#);
        assert_eq!(
            run("%{k}=%{&k}", "foo=bar").unwrap(),
            r#"{"k":"foo","foo":"bar"}"#
        );
        assert_eq!(run("%{&k} %{a}", "foo bar"), None);
    }

    #[test]
    fn append() {
        assert_eq!(
            run("%{+a} %{+a} %{+a}", "x y z").unwrap(),
            r#"{"a":"x y z"}"#
        );
        assert_eq!(
            run("%{+a}-%{b}-%{+a}", "x-y-z").unwrap(),
            r#"{"a":"x z","b":"y"}"#
        );
        // After a padding, appends join with the padding text.
        assert_eq!(
            run("%{+a}%{_(-)}|%{+a}", "x---|y").unwrap(),
            r#"{"a":"x-y"}"#
        );
    }

    #[test]
    fn typed_fields() {
        let d = Dissect::new("%{n:int} %{f:float} %{s:string}").unwrap();
        let r = d.extract("42 1.5 x").unwrap();
        assert_eq!(r.get("n"), Some(&Value::I64(42)));
        assert_eq!(r.get("f"), Some(&Value::F64(1.5)));
        assert_eq!(r.get("s"), Some(&Value::from("x")));
        assert!(d.extract("x 1.5 y").is_none(), "a non-integer is no match");
        let d = Dissect::new("%{a:b}").unwrap();
        assert!(
            d.extract("v").unwrap().get("a:b").is_some(),
            "unknown types stay in the name"
        );
    }

    #[test]
    fn padding() {
        assert_eq!(
            run("%{a}%{_}%{b}", "foo    bar").unwrap(),
            r#"{"a":"foo","b":"bar"}"#
        );
        assert_eq!(
            run("%{a}%{_(-)}|%{b}", "foo---|bar").unwrap(),
            r#"{"a":"foo","b":"bar"}"#
        );
        assert_eq!(run("%{a}%{_}", "foo   ").unwrap(), r#"{"a":"foo"}"#);
        assert_eq!(run("%{_}%{a}", "   foo").unwrap(), r#"{"a":"foo"}"#);
    }

    #[test]
    fn compile_errors() {
        assert!(Dissect::new("%{a}%{b}").is_err());
        assert!(Dissect::new("%{a").is_err());
        assert!(Dissect::new("%{a %{b}").is_err());
        assert!(Dissect::new("%{_x}").is_err());
        assert!(Dissect::new("%{a}%{_} %{b}").is_err());
        assert!(Dissect::new(r"%{a}\q%{b}").is_err());
    }

    #[test]
    fn escaped_delimiters() {
        assert_eq!(run(r"%{a}\t%{b}", "x\ty").unwrap(), r#"{"a":"x","b":"y"}"#);
    }
}

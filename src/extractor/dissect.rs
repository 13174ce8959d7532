//! `dissect|pattern|`: tokenises by literal delimiters (Tremor's tremor-dissect).
//!
//! - `%{a}` extracts up to the next delimiter (the last one takes the rest);
//! - `%{}` and `%{?a}` skip (a named skip can feed `%{&a}`);
//! - `%{&a}` uses the value of `a` (skipped or extracted) as the key;
//! - `%{+a}` appends to `a`, joined by the delimiter that preceded it;
//! - `%{_}` skips any run of spaces, `%{_(x)}` any run of `x`;
//! - `%{a:int}` / `%{a:float}` (also `%{&a:int}`) convert the value; a value that
//!   does not parse is no match.
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
        convert: Convert,
    },
    Padding(String),
}

/// What an extracted value becomes (`%{a}`, `%{a:int}`, `%{a:float}`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Convert {
    String,
    Int,
    Float,
}

/// Splits a `:int` / `:float` suffix off a name.
fn typed(name: &str, idx: usize) -> Result<(&str, Convert), String> {
    match name.split_once(':') {
        None => Ok((name, Convert::String)),
        Some((n, "int")) => Ok((n, Convert::Int)),
        Some((n, "float")) => Ok((n, Convert::Float)),
        Some((_, t)) => Err(format!("Invalid type '{t}' at character {idx}")),
    }
}

/// A compiled dissect pattern.
#[derive(Debug, Clone)]
pub(super) struct Dissect {
    commands: Vec<Command>,
}

fn parse_extractor(ex: &str, idx: usize) -> Result<Command, String> {
    let pattern = |ignore, lookup, add, name: &str| Command::Pattern {
        ignore,
        lookup,
        add,
        name: name.to_string(),
        convert: Convert::String,
    };
    let converted = |lookup, name: &str| -> Result<Command, String> {
        let (name, convert) = typed(name, idx)?;
        Ok(Command::Pattern {
            ignore: false,
            lookup,
            add: false,
            name: name.to_string(),
            convert,
        })
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
        Some('&') => converted(true, &ex[1..])?,
        Some('+') => pattern(false, false, true, &ex[1..]),
        Some(_) => converted(false, ex)?,
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
                    last_sep.clone_from(d);
                }
                Command::Pattern {
                    ignore,
                    lookup,
                    add,
                    name,
                    convert,
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
                    let value = match convert {
                        Convert::String => str_value(value),
                        Convert::Int => Value::I64(value.parse().ok()?),
                        Convert::Float => Value::F64(value.parse().ok()?),
                    };
                    insert(&mut r, &mut ignored, name, value, *ignore, *add, &last_sep)?;
                }
            }
        }
        data.is_empty().then(|| Value::Record(Box::new(r)))
    }
}

fn insert(
    r: &mut Record,
    ignored: &mut HashMap<String, String>,
    name: String,
    value: Value,
    ignore: bool,
    add: bool,
    sep: &str,
) -> Option<()> {
    if name.is_empty() {
        return Some(());
    }
    if ignore {
        ignored.insert(name, value.as_str()?.to_string());
    } else if add {
        match (r.get_mut(name.as_str()), value) {
            (None, value) => {
                r.insert(Str::from(name), value);
            }
            (Some(Value::String(s)), Value::String(value)) => {
                s.push_str(sep);
                s.push_str(&value);
            }
            _ => return None,
        }
    } else {
        r.insert(Str::from(name), value);
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
            r#"{"a":"x-z","b":"y"}"#
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
    fn typed_values() {
        assert_eq!(
            run("%{n:int} %{f:float} %{s}", "12 1.5 x").unwrap(),
            r#"{"n":12,"f":1.5,"s":"x"}"#
        );
        assert_eq!(run("%{?k} %{&k:int}", "a 7").unwrap(), r#"{"a":7}"#);
        assert_eq!(run("%{n:int}", "x"), None);
        assert_eq!(run("%{f:float}", "1e3").unwrap(), r#"{"f":1000.0}"#);
        assert!(Dissect::new("%{n:bool}").is_err());
    }

    #[test]
    fn escaped_delimiters() {
        assert_eq!(run(r"%{a}\t%{b}", "x\ty").unwrap(), r#"{"a":"x","b":"y"}"#);
    }
}

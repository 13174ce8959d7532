//! `kv|pattern|`: splits `key<sep>value` pairs (Tremor's tremor-kv).
//!
//! The pattern names the separators: `%{key}=%{val}&` means `=` between key and
//! value and `&` between pairs. Several `%{key}..%{val}` groups and separators may
//! be given; the input is split on every field separator, then each field on every
//! key separator, and only fields that split into exactly two parts are kept.
//! Defaults: fields on ` `, key/value on `:`. `\n`, `\t`, `\r` and `\\` escapes work.

use super::str_value;
use crate::value::{Record, Str, Value};

/// A compiled key/value splitter.
#[derive(Debug, Clone)]
pub(super) struct Kv {
    field_seps: Vec<String>,
    key_seps: Vec<String>,
}

const KEY: &str = "%{key}";
const VAL: &str = "%{val}";

/// Resolves the backslash escapes allowed in separators.
pub(super) fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut cs = s.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => {
                return Err(format!("Invalid escape sequence \\'{other}' is not valid."))
            }
            None => {
                return Err(
                    "Unterminated escape at the end of line or of a delimiter %{ can't be escaped"
                        .to_string(),
                )
            }
        }
    }
    Ok(out)
}

impl Kv {
    /// Parses the separator pattern; the empty pattern gives the defaults.
    pub(super) fn new(pattern: &str) -> Result<Kv, String> {
        let mut field_seps = Vec::new();
        let mut key_seps = Vec::new();
        let mut i = 0;
        while i < pattern.len() {
            let rest = &pattern[i..];
            if let Some(after_key) = rest.strip_prefix(KEY) {
                let Some(j) = after_key.find(VAL) else {
                    return Err(format!("Invalid pattern at character {}", i + KEY.len()));
                };
                if j != 0 {
                    key_seps.push(unescape(&after_key[..j])?);
                }
                i += KEY.len() + j + VAL.len();
            } else if let Some(j) = rest.find(KEY) {
                field_seps.push(unescape(&rest[..j])?);
                i += j;
            } else {
                field_seps.push(unescape(rest)?);
                break;
            }
        }
        if field_seps.is_empty() {
            field_seps.push(" ".to_string());
        }
        if key_seps.is_empty() {
            key_seps.push(":".to_string());
        }
        field_seps.sort();
        field_seps.dedup();
        key_seps.sort();
        key_seps.dedup();
        for f in &field_seps {
            if key_seps.contains(f) {
                return Err(format!(
                    "The separator '{f}' is used for both key value separation as well as pair separation."
                ));
            }
        }
        Ok(Kv {
            field_seps,
            key_seps,
        })
    }

    /// `None` when no field holds a key/value pair.
    pub(super) fn extract(&self, s: &str, want_result: bool) -> Option<Value> {
        let mut r = Record::default();
        let mut found = false;
        for field in multi_split(s, &self.field_seps) {
            let kv = multi_split(field, &self.key_seps);
            if let [k, v] = kv.as_slice() {
                found = true;
                if !want_result {
                    break;
                }
                r.insert(Str::from(*k), str_value(v));
            }
        }
        if !found {
            None
        } else if want_result {
            Some(Value::Record(Box::new(r)))
        } else {
            Some(Value::Bool(true))
        }
    }
}

/// Splits `input` on each separator in turn (empty separators are ignored).
fn multi_split<'a>(input: &'a str, seps: &[String]) -> Vec<&'a str> {
    let mut parts = vec![input];
    for sep in seps.iter().filter(|s| !s.is_empty()) {
        parts = parts
            .into_iter()
            .flat_map(|p| p.split(sep.as_str()))
            .collect();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &str, s: &str) -> Option<String> {
        Kv::new(p).unwrap().extract(s, true).map(|v| v.encode())
    }

    #[test]
    fn defaults() {
        assert_eq!(run("", "a:1 b:2").unwrap(), r#"{"a":"1","b":"2"}"#);
        assert_eq!(
            run("", "a:1 junk c:d:e b:2").unwrap(),
            r#"{"a":"1","b":"2"}"#
        );
        assert_eq!(run("", "no pairs here"), None);
        assert_eq!(run("", ""), None);
    }

    #[test]
    fn custom_separators() {
        assert_eq!(
            run("%{key}=%{val}&", "this=is&a=test").unwrap(),
            r#"{"this":"is","a":"test"}"#
        );
        assert_eq!(
            run("%{key}=%{val}", "this=is a=test").unwrap(),
            r#"{"this":"is","a":"test"}"#
        );
        assert_eq!(
            run("&%{key}=%{val}@", "this=is@a=test&x=y").unwrap(),
            r#"{"this":"is","a":"test","x":"y"}"#
        );
        assert_eq!(
            run("&", "this:is&a:test").unwrap(),
            r#"{"this":"is","a":"test"}"#
        );
        assert_eq!(
            run("%{key}=%{val};%{key}:%{val} ", "a=1;b:2 c=3").unwrap(),
            r#"{"a":"1","b":"2","c":"3"}"#
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            run(r"\n%{key}=%{val}", "this=is\na=test").unwrap(),
            r#"{"this":"is","a":"test"}"#
        );
        assert!(Kv::new(r"\q%{key}=%{val}").is_err());
        assert!(Kv::new("%{key}=%{val}\\").is_err());
    }

    #[test]
    fn bad_patterns() {
        assert!(Kv::new("%{key} ").is_err());
        assert!(Kv::new("%{key}=%{val}=").is_err());
    }

    #[test]
    fn later_duplicate_key_wins() {
        assert_eq!(run("", "a:1 a:2").unwrap(), r#"{"a":"2"}"#);
    }
}

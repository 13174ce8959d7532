//! `re|regex|` (first match, named groups) and `rerg|regex|` (all matches).

use super::str_value;
use crate::value::{Record, Str, Value};

/// `re`: an unanchored search yielding `{group: str}` for the named groups that took part.
#[derive(Debug, Clone)]
pub(super) struct Re {
    re: regex::Regex,
}

/// `rerg`: every match, yielding `{group: [str, ...]}`.
#[derive(Debug, Clone)]
pub(super) struct Rerg {
    re: regex::Regex,
}

fn compile(rule: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(rule).map_err(|e| e.to_string())
}

impl Re {
    /// Compiles the regex; invalid syntax is an error.
    pub(super) fn new(rule: &str) -> Result<Re, String> {
        Ok(Re { re: compile(rule)? })
    }

    /// `None` when the regex does not match anywhere in `s`.
    pub(super) fn extract(&self, s: &str, want_result: bool) -> Option<Value> {
        if !want_result {
            return self.re.is_match(s).then_some(Value::Bool(true));
        }
        let caps = self.re.captures(s)?;
        let mut r = Record::default();
        for name in self.re.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                r.insert(Str::from(name), str_value(m.as_str()));
            }
        }
        Some(Value::Record(Box::new(r)))
    }
}

impl Rerg {
    /// Compiles the regex; invalid syntax is an error.
    pub(super) fn new(rule: &str) -> Result<Rerg, String> {
        Ok(Rerg { re: compile(rule)? })
    }

    /// Always a match (Tremor's behaviour): with no matches the record is empty.
    pub(super) fn extract(&self, s: &str, want_result: bool) -> Value {
        if !want_result {
            return Value::Bool(true);
        }
        let names: Vec<&str> = self.re.capture_names().flatten().collect();
        let mut r = Record::default();
        for caps in self.re.captures_iter(s) {
            for name in &names {
                if let Some(m) = caps.name(name) {
                    let entry = r
                        .entry(Str::from(*name))
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(a) = entry {
                        a.push(str_value(m.as_str()));
                    }
                }
            }
        }
        Value::Record(Box::new(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_named_groups() {
        let re = Re::new(r"(?P<a>\d+)-(?P<b>x)?").unwrap();
        let v = re.extract("zz 12- 34-x", true).unwrap();
        assert_eq!(v.encode(), r#"{"a":"12"}"#);
        assert!(re.extract("nothing", true).is_none());
        assert!(re.extract("nothing", false).is_none());
        assert!(re.extract("1-", false).is_some());
    }

    #[test]
    fn re_without_groups_yields_empty_record() {
        let re = Re::new("b+").unwrap();
        assert_eq!(re.extract("abbbc", true).unwrap().encode(), "{}");
        assert!(re.extract("ac", true).is_none());
    }

    #[test]
    fn re_bad_regex() {
        assert!(Re::new("(").is_err());
        assert!(Rerg::new("[a-").is_err());
    }

    #[test]
    fn rerg_all_matches() {
        let re = Rerg::new(r"(?P<k>\w)=(?P<v>\d)?").unwrap();
        let v = re.extract("a=1 b= c=3", true);
        assert_eq!(v.encode(), r#"{"k":["a","b","c"],"v":["1","3"]}"#);
        assert_eq!(re.extract("", true).encode(), "{}");
    }
}

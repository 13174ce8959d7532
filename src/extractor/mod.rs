//! Extractors: `kind|rule|` literals used with `~` in patterns and `~=` in record
//! patterns. Built once at compile time from the rule text; run per event.
//!
//! Each extractor lives in its own module and reproduces the behaviour of the
//! matching Tremor 0.13 extractor (result shapes and edge cases).

mod base64;
mod cidr;
mod datetime;
mod dissect;
mod glob;
mod grok;
mod grok_patterns;
mod influx;
mod json;
mod kv;
mod re;

use crate::value::{Str, Value};

/// A compiled extractor.
#[derive(Debug, Clone)]
pub struct Extractor {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Glob(glob::Glob),
    Re(re::Re),
    Rerg(re::Rerg),
    Base64,
    Json,
    Kv(kv::Kv),
    Dissect(dissect::Dissect),
    Grok(grok::Grok),
    Cidr(cidr::CidrExtractor),
    Influx,
    Datetime(datetime::Datetime),
}

impl Extractor {
    /// Compiles `kind|rule|`. The error text follows "Invalid tilde predicate pattern: ".
    ///
    /// The kind is matched case-insensitively, as Tremor lower-cases it.
    pub fn new(kind: &str, rule: &str) -> Result<Extractor, String> {
        let kind = match kind.to_lowercase().as_str() {
            "glob" => Kind::Glob(glob::Glob::new(rule)?),
            "re" => Kind::Re(re::Re::new(rule)?),
            "rerg" => Kind::Rerg(re::Rerg::new(rule)?),
            "base64" => Kind::Base64,
            "json" => Kind::Json,
            "kv" => Kind::Kv(kv::Kv::new(rule)?),
            "dissect" => Kind::Dissect(dissect::Dissect::new(rule)?),
            "grok" => Kind::Grok(grok::Grok::new(rule)?),
            "cidr" => Kind::Cidr(cidr::CidrExtractor::new(rule)?),
            "influx" => Kind::Influx,
            "datetime" => Kind::Datetime(datetime::Datetime::new(rule)),
            _ => return Err(format!("Unsupported extractor {kind}.")),
        };
        Ok(Extractor { kind })
    }

    /// Runs against a value. `None`: no match (non-strings never match).
    /// `Some(v)`: a match; `v` is the extracted value when `want_result`, else anything cheap.
    pub fn extract(&self, v: &Value, want_result: bool) -> Option<Value> {
        let s = v.as_str()?;
        match &self.kind {
            Kind::Glob(g) => g.matches(s).then_some(Value::Bool(true)),
            Kind::Re(r) => r.extract(s, want_result),
            Kind::Rerg(r) => Some(r.extract(s, want_result)),
            Kind::Base64 => base64::extract(s, want_result),
            Kind::Json => json::extract(s),
            Kind::Kv(k) => k.extract(s, want_result),
            Kind::Dissect(d) => d.extract(s),
            Kind::Grok(g) => g.extract(s, want_result),
            Kind::Cidr(c) => c.extract(s, want_result),
            Kind::Influx => influx::extract(s),
            Kind::Datetime(d) => d.extract(s),
        }
    }
}

/// A string value from a slice (shared by the extractor modules).
fn str_value(s: &str) -> Value {
    Value::String(Str::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractors_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Extractor>();
    }

    #[test]
    fn unknown_extractor_is_an_error() {
        let e = Extractor::new("nope", "").unwrap_err();
        assert!(e.contains("nope"), "{e}");
    }

    #[test]
    fn kind_is_case_insensitive() {
        let e = Extractor::new("JSON", "").unwrap();
        assert!(e.extract(&str_value("1"), true).is_some());
    }

    #[test]
    fn non_strings_never_match() {
        let e = Extractor::new("glob", "*").unwrap();
        assert!(e.extract(&Value::I64(1), true).is_none());
        assert!(e.extract(&Value::Null, true).is_none());
        assert!(e.extract(&str_value("x"), true).is_some());
    }

    fn run(kind: &str, rule: &str, input: &str) -> Option<String> {
        let e = Extractor::new(kind, rule).unwrap();
        let v = e.extract(&str_value(input), true);
        // want_result = false must agree on whether it matches.
        assert_eq!(v.is_some(), e.extract(&str_value(input), false).is_some());
        v.map(|v| crate::value::sorted_serialize(&v))
    }

    #[test]
    fn case_folder_expectations() {
        // The same inputs as tests/extractors, checked at the extractor level.
        assert_eq!(
            run(
                "dissect",
                "%{?key}=%{&key}, %{+name} %{+name}%{_}!",
                "color=blue, John Smith   !"
            )
            .unwrap(),
            r#"{"color":"blue","name":"John Smith"}"#
        );
        assert_eq!(
            run("dissect", "%{a}%{_(-)}>%{b}", "foo--->bar").unwrap(),
            r#"{"a":"foo","b":"bar"}"#
        );
        assert_eq!(run("dissect", "%{a}%{_(-)}>%{b}", "1 2 3"), None);
        assert_eq!(
            run(
                "influx",
                "",
                r#"weather,location=us-midwest,season=summer temperature=82,humidity=71i,raining=false,note="hot day" 1465839830100400200"#
            )
            .unwrap(),
            r#"{"fields":{"humidity":71,"note":"hot day","raining":false,"temperature":82.0},"measurement":"weather","tags":{"location":"us-midwest","season":"summer"},"timestamp":1465839830100400200}"#
        );
        assert_eq!(
            run("rerg", "(?P<k>[a-z]+)=(?P<v>\\d+)", "no pairs").unwrap(),
            "{}"
        );
        assert_eq!(
            run(
                "datetime",
                "%Y-%m-%d %H:%M:%S %z",
                "2019-06-20 14:00:00 +0200"
            )
            .unwrap(),
            "1561032000000000000"
        );
        assert_eq!(run("kv", "%{key}=%{val}&", "a:1 b:2 junk c:d:e"), None);
    }

    #[test]
    fn compile_errors() {
        for (k, r) in [
            ("re", "("),
            ("rerg", "("),
            ("glob", "a["),
            ("dissect", "%{a}%{b}"),
            ("grok", "%{NOTAPATTERN:x}"),
            ("cidr", "10.0.0.0/40"),
            ("kv", "%{key} "),
            ("snot", "x"),
        ] {
            assert!(Extractor::new(k, r).is_err(), "{k}|{r}|");
        }
    }

    #[test]
    fn awkward_input_never_panics() {
        let rules = [
            ("glob", "*a?[bc]*"),
            ("re", "(?P<a>.)(?P<b>x)?"),
            ("rerg", "(?P<a>.)"),
            ("base64", ""),
            ("json", ""),
            ("kv", ""),
            ("kv", "%{key}=%{val}&"),
            ("dissect", "%{a} %{+a} %{?b}=%{&b}%{_}%{n:int}"),
            ("grok", "%{IP:ip} %{GREEDYDATA:rest}"),
            ("cidr", ""),
            ("cidr", "10.0.0.0/8"),
            ("influx", ""),
            ("datetime", "%Y-%m-%d %H:%M:%S %z"),
        ];
        let inputs = [
            "",
            " ",
            "ǅ",
            "a b c",
            "=&=&",
            "{\"a\":",
            "::::",
            "1.2.3.4/33",
            "ffff::1/200",
            "m,t= f=",
            "m f=1i 99999999999999999999999",
            "x\\ ,\\=",
            "9999-99-99 99:99:99 +9999",
            "a a  b=c  12345678901234567890",
        ];
        for (kind, rule) in rules {
            let ex = Extractor::new(kind, rule).expect("rule compiles");
            for input in inputs {
                for want in [true, false] {
                    let v = Value::from(input);
                    let r = std::panic::catch_unwind(|| ex.extract(&v, want));
                    assert!(r.is_ok(), "{kind}|{rule}| panicked on {input:?}");
                }
            }
        }
    }
}

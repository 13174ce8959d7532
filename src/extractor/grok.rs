//! `grok|%{PATTERN:name} ...|`: logstash grok over the built-in pattern table.
//!
//! The rule is expanded the way the `grok` crate Tremor used does it: the leftmost
//! `%{NAME[:alias][=definition]}` reference is replaced textually (every identical
//! occurrence), repeatedly, until none is left. A reference with an alias becomes a
//! named group; one without becomes a non-capturing group (Tremor compiles with
//! "named only"). The expanded regex runs on `fancy-regex`, which, like Oniguruma,
//! supports the look-arounds and atomic groups the logstash patterns use.
//!
//! A match yields a record with every named group: the alias (or the raw group name
//! for `(?<x>..)` written in the rule) mapped to the captured text, or `""` for a
//! group that took no part in the match.

use super::grok_patterns::PATTERNS;
use super::str_value;
use crate::value::{Record, Str, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How many reference expansions one rule may take before it is deemed recursive.
const MAX_EXPANSIONS: usize = 1024;

/// The syntax of a pattern reference, as the `grok` crate defines it.
const REFERENCE: &str = r"%\{(?P<name>(?P<pattern>[A-z0-9]+)(?::(?P<alias>[A-z0-9_:;/\s.]+))?)(?:=(?P<definition>(?:(?:[^{}]+|\.+)+)+))?\}";

/// A compiled grok pattern.
#[derive(Debug, Clone)]
pub(super) struct Grok {
    re: fancy_regex::Regex,
    /// Output key and capture group index, one per named group.
    groups: Vec<(Str, usize)>,
}

fn builtin() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        PATTERNS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (name, def) = l.split_once(char::is_whitespace)?;
                Some((name, def.trim_start()))
            })
            .collect()
    })
}

fn reference_re() -> Result<&'static regex::Regex, String> {
    static RE: OnceLock<Result<regex::Regex, String>> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(REFERENCE).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Expands every `%{..}` reference; returns the regex text and the alias → group name map.
fn expand(rule: &str) -> Result<(String, HashMap<String, String>), String> {
    let refs = reference_re()?;
    let mut inline: HashMap<String, String> = HashMap::new();
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut named = rule.to_string();
    let mut index = 0usize;
    let mut expansions = 0usize;
    while let Some(m) = refs.captures(&named) {
        let raw = m["pattern"].to_string();
        let mut name = m["name"].to_string();
        let alias = m.name("alias").map(|a| a.as_str().to_string());
        if let Some(def) = m.name("definition") {
            inline.insert(raw.clone(), def.as_str().to_string());
            name = format!("{name}={}", def.as_str());
        }
        let needle = format!("%{{{name}}}");
        let count = named.matches(needle.as_str()).count().max(1);
        for _ in 0..count {
            expansions += 1;
            if expansions > MAX_EXPANSIONS {
                return Err(format!(
                    "Recursion while compiling the grok pattern `{rule}`"
                ));
            }
            let def = match inline.get(&raw) {
                Some(d) => d.as_str(),
                None => builtin().get(raw.as_str()).copied().ok_or_else(|| {
                    format!(
                        "The given pattern definition name \"{raw}\" could not be found in the definition map"
                    )
                })?,
            };
            let replacement = match &alias {
                None => format!("(?:{def})"),
                Some(a) => {
                    aliases.insert(a.clone(), format!("name{index}"));
                    format!("(?<name{index}>{def})")
                }
            };
            named = named.replacen(needle.as_str(), &replacement, 1);
            index += 1;
        }
    }
    Ok((named, aliases))
}

impl Grok {
    /// Expands and compiles the rule. Unknown pattern names, an empty rule and
    /// invalid regex syntax are errors.
    pub(super) fn new(rule: &str) -> Result<Grok, String> {
        let (named, aliases) = expand(rule)?;
        if named.is_empty() {
            return Err(format!(
                "The given pattern \"{rule}\" ended up compiling into an empty regex"
            ));
        }
        let re = fancy_regex::Regex::new(&named)
            .map_err(|e| format!("Failed to compile logstash grok pattern `{rule}`: {e}"))?;
        let mut by_key: Vec<(Str, usize)> = Vec::new();
        for (idx, group) in re.capture_names().enumerate() {
            let Some(group) = group else { continue };
            let key = aliases
                .iter()
                .find(|(_, g)| g.as_str() == group)
                .map_or(group, |(a, _)| a.as_str());
            // One key, one value: a later group with the same key replaces the earlier.
            by_key.retain(|(k, _)| k.as_str() != key);
            by_key.push((Str::from(key), idx));
        }
        Ok(Grok { re, groups: by_key })
    }

    /// `None` when the pattern does not match anywhere in `s`.
    pub(super) fn extract(&self, s: &str, want_result: bool) -> Option<Value> {
        if !want_result {
            return self.re.is_match(s).ok()?.then_some(Value::Bool(true));
        }
        let caps = self.re.captures(s).ok()??;
        let mut r = Record::default();
        for (key, idx) in &self.groups {
            let text = caps.get(*idx).map_or("", |m| m.as_str());
            r.insert(key.clone(), str_value(text));
        }
        Some(Value::Record(Box::new(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p: &str, s: &str) -> Option<String> {
        Grok::new(p)
            .unwrap()
            .extract(s, true)
            .map(|v| crate::value::sorted_serialize(&v))
    }

    #[test]
    fn every_builtin_pattern_compiles() {
        for name in builtin().keys() {
            let rule = format!("%{{{name}:x}}");
            assert!(
                Grok::new(&rule).is_ok(),
                "{name}: {:?}",
                Grok::new(&rule).err()
            );
        }
        assert!(builtin().len() > 100);
    }

    #[test]
    fn simple_patterns() {
        assert_eq!(
            run("%{WORD:w} %{INT:n}", "hello 42").unwrap(),
            r#"{"n":"42","w":"hello"}"#
        );
        assert_eq!(run("%{INT:n}", "abc"), None);
        assert_eq!(run("%{NUMBER:n}", "x -3.5 y").unwrap(), r#"{"n":"-3.5"}"#);
        assert_eq!(
            run("%{IP:ip}", "from 10.0.0.1").unwrap(),
            r#"{"ip":"10.0.0.1"}"#
        );
        assert_eq!(
            run("%{UUID:u}", "id=123e4567-e89b-12d3-a456-426614174000").unwrap(),
            r#"{"u":"123e4567-e89b-12d3-a456-426614174000"}"#
        );
    }

    #[test]
    fn unnamed_references_do_not_capture() {
        assert_eq!(run("%{WORD} %{WORD:b}", "a b").unwrap(), r#"{"b":"b"}"#);
        assert_eq!(run("%{WORD}", "a").unwrap(), "{}");
    }

    #[test]
    fn syslogbase_nested_names() {
        let out = run(
            "%{SYSLOGBASE} %{GREEDYDATA:message}",
            "Mar  7 10:51:24 host sshd[123]: Accepted key",
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"facility":"","logsource":"host","message":"Accepted key","pid":"123","priority":"","program":"sshd","timestamp":"Mar  7 10:51:24"}"#
        );
    }

    #[test]
    fn common_apache_log() {
        let out = run(
            "%{COMMONAPACHELOG}",
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"auth":"frank","bytes":"2326","clientip":"127.0.0.1","httpversion":"1.0","ident":"-","rawrequest":"","request":"/apache_pb.gif","response":"200","timestamp":"10/Oct/2000:13:55:36 -0700","verb":"GET"}"#
        );
    }

    #[test]
    fn combined_apache_log_keeps_quotes() {
        let out = run(
            "%{COMBINEDAPACHELOG}",
            r#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 404 - "http://x.com/" "Mozilla/4.08""#,
        )
        .unwrap();
        assert!(out.contains(r#""referrer":"\"http://x.com/\"""#), "{out}");
        assert!(out.contains(r#""agent":"\"Mozilla/4.08\"""#), "{out}");
        assert!(out.contains(r#""bytes":"""#), "{out}");
        assert!(out.contains(r#""auth":"-""#), "{out}");
    }

    #[test]
    fn logstash_doc_example() {
        assert_eq!(
            run(
                "%{IP:client} %{WORD:method} %{URIPATHPARAM:request} %{NUMBER:bytes} %{NUMBER:duration}",
                "55.3.244.1 GET /index.html?a=1 15824 0.043"
            )
            .unwrap(),
            r#"{"bytes":"15824","client":"55.3.244.1","duration":"0.043","method":"GET","request":"/index.html?a=1"}"#
        );
    }

    #[test]
    fn uri_and_ipv6_and_mac() {
        assert_eq!(
            run("%{URI:u}", "see https://user@example.com:8080/p/a?q=1 now").unwrap(),
            r#"{"port":"8080","u":"https://user@example.com:8080/p/a?q=1"}"#
        );
        assert_eq!(
            run("%{IPV6:ip}", "addr fe80::1 up").unwrap(),
            r#"{"ip":"fe80::1"}"#
        );
        assert_eq!(
            run("%{MAC:m}", "hw 00:1A:2b:3c:4d:5e").unwrap(),
            r#"{"m":"00:1A:2b:3c:4d:5e"}"#
        );
        assert_eq!(
            run("%{HTTPDATE:d}", "[10/Oct/2000:13:55:36 -0700]").unwrap(),
            r#"{"d":"10/Oct/2000:13:55:36 -0700"}"#
        );
        assert_eq!(
            run("%{QUOTEDSTRING:q}", r#"say "hi \"there\"" ok"#).unwrap(),
            r#"{"q":"\"hi \\\"there\\\"\""}"#
        );
    }

    #[test]
    fn want_result_false_only_tests() {
        let g = Grok::new("%{INT:n}").unwrap();
        assert!(g.extract("a 1", false).is_some());
        assert!(g.extract("a b", false).is_none());
    }

    #[test]
    fn timestamp_iso8601_and_loglevel() {
        assert_eq!(
            run(
                "%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:lvl}",
                "2019-04-01T09:59:19+0010 WARN"
            )
            .unwrap(),
            r#"{"lvl":"WARN","ts":"2019-04-01T09:59:19+0010"}"#
        );
    }

    #[test]
    fn inline_definitions_and_raw_groups() {
        assert_eq!(run("%{FOO:n=\\d+}", "ab 12").unwrap(), r#"{"n":"12"}"#);
        assert_eq!(run("(?<raw>x+)", "axxb").unwrap(), r#"{"raw":"xx"}"#);
    }

    #[test]
    fn compile_errors() {
        assert!(Grok::new("%{NOPE:x}").is_err());
        assert!(Grok::new("").is_err());
        assert!(Grok::new("%{WORD:x} (").is_err());
    }
}

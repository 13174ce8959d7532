//! Extractors: `kind|rule|` literals used with `~` in patterns and `~=` in record
//! patterns. Built once at compile time from the rule text; run per event.

use crate::value::Value;

/// A compiled extractor.
#[derive(Debug, Clone)]
pub struct Extractor {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {}

impl Extractor {
    /// Compiles `kind|rule|`. The error text follows "Invalid tilde predicate pattern: ".
    pub fn new(kind: &str, rule: &str) -> Result<Extractor, String> {
        let _ = rule;
        Err(format!("unknown extractor `{kind}`"))
    }

    /// Runs against a value. `None`: no match (non-strings never match).
    /// `Some(v)`: a match; `v` is the extracted value when `want_result`, else anything cheap.
    pub fn extract(&self, v: &Value, want_result: bool) -> Option<Value> {
        let _ = (v, want_result);
        match self.kind {}
    }
}

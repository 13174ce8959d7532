//! `#!config key = expr` directives of a query or pipeline definition.

use super::bind::Binder;
use crate::compile::ScopeId;
use crate::diag::{codes, Diagnostic};
use crate::value::Value;
use trickle_grammar::ast::ConfigDirective;

/// The directives' values.
#[derive(Debug, Default)]
pub(crate) struct PipelineConfig {
    pub id: Option<String>,
    pub metrics_interval_s: Option<u64>,
    /// `from = "a, b"`: overrides the pipeline's input ports.
    pub from: Option<Vec<String>>,
    /// `into = "a, b"`: overrides the pipeline's output ports.
    pub into: Option<Vec<String>>,
}

/// Reads and checks the directives (constant values, known keys, right types).
pub(crate) fn read(
    bind: &Binder,
    scope: ScopeId,
    dirs: &[ConfigDirective],
) -> Result<PipelineConfig, Vec<Diagnostic>> {
    let mut cfg = PipelineConfig::default();
    let mut errors = Vec::new();
    for d in dirs {
        let v = match bind.fold(scope, &d.value, &Value::Null) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let bad = |what: &str| {
            Diagnostic::error(
                codes::QUERY_BAD_CONFIG,
                format!("`#!config {}` must be {what}", d.key.name),
                d.value.span,
            )
        };
        let ports = |v: &Value| {
            v.as_str().map(|s| {
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
            })
        };
        match d.key.name.as_str() {
            "id" => match v.as_str() {
                Some(s) => cfg.id = Some(s.to_string()),
                None => errors.push(bad("a string")),
            },
            "metrics_interval_s" => match v.as_u64() {
                Some(n) => cfg.metrics_interval_s = Some(n),
                None => errors.push(bad("an unsigned integer")),
            },
            "from" => match ports(&v) {
                Some(p) => cfg.from = Some(p),
                None => errors.push(bad("a comma-separated string of port names")),
            },
            "into" => match ports(&v) {
                Some(p) => cfg.into = Some(p),
                None => errors.push(bad("a comma-separated string of port names")),
            },
            other => errors.push(
                Diagnostic::error(
                    codes::QUERY_BAD_CONFIG,
                    format!("Unknown `#!config` key `{other}`"),
                    d.key.span,
                )
                .with_help("known keys: id, metrics_interval_s, from, into"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(cfg)
    } else {
        Err(errors)
    }
}

//! Evaluation of compiled expressions: paths, operators, patterns, extractors,
//! patch/merge, comprehensions, functions.

use crate::diag::{SourceMap, Span};
use crate::event::FnCtx;
use crate::value::Value;

/// A compiled `.tremor` script.
pub struct Script {}

/// What running a script for one event produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `emit`, `emit v`, `emit v => "port"`, or the value of the last expression (port `None` = `out`).
    Emit { value: Value, port: Option<String> },
    /// `drop`
    Drop,
}

/// A runtime error in one event, with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeError {
    pub message: String,
    pub span: Span,
    pub note: Option<String>,
}

impl RuntimeError {
    /// The error text for `{"error": TEXT, ...}`: message and source position.
    pub fn render(&self, sources: &SourceMap) -> String {
        let (line, col) = sources.line_col(self.span.file, self.span.start);
        format!(
            "{}:{line}:{col}: {}",
            sources.name(self.span.file),
            self.message
        )
    }
}

impl Script {
    /// Runs the script for one event; `event`, `meta` (`$`) and `state` may be mutated.
    pub fn run(
        &self,
        event: &mut Value,
        meta: &mut Value,
        state: &mut Value,
        ctx: &FnCtx,
    ) -> Result<Outcome, RuntimeError> {
        let _ = (event, meta, state, ctx);
        Err(RuntimeError {
            message: "the interpreter is being built".into(),
            span: Span::default(),
            note: None,
        })
    }
}

//! Diagnostics: one type for every compile error and warning, rendered with
//! codespan-reporting at the edges (CLI, REPL, test runner) only.

pub mod codes;
mod position;
mod render;
mod say;
mod source;

pub use position::LineIndex;
pub use render::{emit_report, ColorMode};
pub use say::{say, stderr_text, stdout_text};
pub use source::{FileId, SourceMap};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor};
pub use trickle_grammar::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A compile error or warning: a stable code, a message, a primary span and hints.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code from [`codes`], e.g. `E0101`.
    pub code: &'static str,
    pub message: String,
    /// The exact construct at fault; `None` only for errors with no location (e.g. a missing file).
    pub span: Option<Span>,
    /// Text under the primary span (defaults to the message).
    pub label: Option<String>,
    /// Secondary spans with their labels.
    pub secondary: Vec<(Span, String)>,
    /// `= help:` lines.
    pub help: Vec<String>,
    /// `= note:` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            label: None,
            secondary: Vec::new(),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }
    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(code, message, span)
        }
    }
    /// An error with no source location.
    /// An error that only repeats one already reported (a use of a definition that
    /// failed, a name behind a failed `use`); [`without_consequences`] drops it.
    pub fn consequence(span: Span) -> Self {
        Diagnostic::error(
            codes::CONSEQUENCE,
            "follows from an error reported above",
            span,
        )
    }

    pub fn plain(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            span: None,
            ..Self::error(code, message, Span::default())
        }
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn to_codespan(&self) -> CsDiagnostic<usize> {
        let sev = match self.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
        };
        let mut labels = Vec::new();
        if let Some(span) = self.span {
            let text = self.label.clone().unwrap_or_else(|| self.message.clone());
            labels.push(
                Label::primary(span.file as usize, span.start as usize..span.end as usize)
                    .with_message(text),
            );
        }
        for (span, text) in &self.secondary {
            labels.push(
                Label::secondary(span.file as usize, span.start as usize..span.end as usize)
                    .with_message(text.clone()),
            );
        }
        let mut notes: Vec<String> = self.help.iter().map(|h| format!("help: {h}")).collect();
        notes.extend(self.notes.iter().map(|n| format!("note: {n}")));
        CsDiagnostic::new(sev)
            .with_code(self.code)
            .with_message(self.message.clone())
            .with_labels(labels)
            .with_notes(notes)
    }

    /// Renders rustc-style, without colour.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut buf = termcolor::NoColor::new(Vec::new());
        self.emit(sources, &mut buf);
        String::from_utf8(buf.into_inner()).unwrap_or_default()
    }

    /// Renders to a terminal writer (colour decided by the writer).
    pub fn emit(&self, sources: &SourceMap, out: &mut dyn termcolor::WriteColor) {
        let config = term::Config::default();
        if term::emit(out, &config, sources.files(), &self.to_codespan()).is_err() {
            let _ = writeln!(out, "error[{}]: {}", self.code, self.message);
        }
    }
}

/// Drops the errors that only follow from another one ([`codes::CONSEQUENCE`]),
/// keeping them only if nothing else would be left (never an empty error list).
pub fn without_consequences(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.iter().all(|d| d.code == codes::CONSEQUENCE) {
        return diags;
    }
    diags
        .into_iter()
        .filter(|d| d.code != codes::CONSEQUENCE)
        .collect()
}

/// Renders several diagnostics, one after the other, without colour.
pub fn render_all(diags: &[Diagnostic], sources: &SourceMap) -> String {
    diags.iter().map(|d| d.render(sources)).collect()
}

impl From<trickle_grammar::ParseError> for Diagnostic {
    fn from(e: trickle_grammar::ParseError) -> Self {
        let mut d = Diagnostic::error(e.code, e.message, e.span);
        if let Some(h) = e.hint {
            d = d.with_help(h);
        }
        d
    }
}

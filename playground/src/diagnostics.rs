//! The engine's diagnostics as the page shows them: a severity, the message, a hint,
//! the range in the editor's text (1-based line and column, UTF-16 offset) and the
//! codespan text `trickle` prints, without colours.

use crate::utf16::Utf16;
use serde_json::{json, Value as Json};
use trickle::diag::{Diagnostic, FileId, LineIndex, Severity, SourceMap};

/// The text being edited, as the diagnostics' positions refer to it.
pub struct Editor<'a> {
    pub text: &'a str,
    pub file: FileId,
    lines: LineIndex,
    utf16: Utf16,
}

impl<'a> Editor<'a> {
    /// `text` added to `sources` as `file`.
    pub fn new(text: &'a str, file: FileId) -> Self {
        Editor {
            text,
            file,
            lines: LineIndex::new(text),
            utf16: Utf16::new(text),
        }
    }

    /// `{"line", "col", "offset"}` of byte `b`: 1-based line and UTF-16 column.
    pub fn position(&self, b: usize) -> Json {
        let (line, col) = self.lines.position(self.text, b);
        json!({"line": line + 1, "col": col + 1, "offset": self.utf16.of_byte(b)})
    }

    /// One diagnostic. A span in another file (a module) or none at all is shown at
    /// the start of the text, where the editor can still point at it.
    pub fn diagnostic(&self, d: &Diagnostic, sources: &SourceMap) -> Json {
        let (from, to) = match d.span {
            Some(s) if s.file == self.file => (s.start as usize, s.end as usize),
            _ => (0, 0),
        };
        let hint = d.help.iter().chain(&d.notes).cloned().collect::<Vec<_>>();
        json!({
            "severity": match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            "message": d.message,
            "hint": (!hint.is_empty()).then(|| hint.join("\n")),
            "from": self.position(from),
            "to": self.position(to.max(from)),
            "rendered": d.render(sources),
        })
    }

    /// Every diagnostic, in order.
    pub fn diagnostics(&self, ds: &[Diagnostic], sources: &SourceMap) -> Vec<Json> {
        ds.iter().map(|d| self.diagnostic(d, sources)).collect()
    }
}

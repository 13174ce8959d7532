//! Between the compiler's byte spans and diagnostics and the protocol's types.

use super::analysis::Analysis;
use crate::diag::{Diagnostic, LineIndex, Severity};
use lsp_types as lsp;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A protocol range for the byte range `span` of `text`.
pub fn range(lines: &LineIndex, text: &str, span: (u32, u32)) -> lsp::Range {
    let (sl, sc) = lines.position(text, span.0 as usize);
    let (el, ec) = lines.position(text, span.1 as usize);
    lsp::Range::new(lsp::Position::new(sl, sc), lsp::Position::new(el, ec))
}

/// The byte offset of a protocol position.
pub fn offset(lines: &LineIndex, text: &str, pos: lsp::Position) -> usize {
    lines.offset(text, pos.line, pos.character)
}

/// The file a `file://` URI names.
pub fn uri_to_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<lsp::Uri> {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let text = path.to_str()?;
    let encoded = percent_encoding::utf8_percent_encode(text, KEEP).to_string();
    lsp::Uri::from_str(&format!("file://{encoded}")).ok()
}

/// The protocol diagnostics of a document: its own, with secondary labels as related
/// information, then one per module file that fails (on the `use` that loads it).
pub fn diagnostics(
    uri: &lsp::Uri,
    lines: &LineIndex,
    text: &str,
    analysis: &Analysis,
) -> Vec<lsp::Diagnostic> {
    let mut out: Vec<lsp::Diagnostic> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.map_or((0, 0), |s| (s.start, s.end));
            let related = d
                .secondary
                .iter()
                .filter(|(s, _)| s.file == 0)
                .map(|(s, label)| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location::new(uri.clone(), range(lines, text, (s.start, s.end))),
                    message: label.clone(),
                })
                .collect();
            one(d, range(lines, text, span), related, None)
        })
        .collect();
    for (file, d) in &analysis.elsewhere {
        // Point at the `use` of that module when there is one, else the file start.
        let at = analysis
            .index
            .uses
            .iter()
            .find(|u| {
                analysis
                    .modules
                    .iter()
                    .any(|m| &m.name == file && m.path == u.path)
            })
            .map_or((0, 0), |u| u.span);
        out.push(one(d, range(lines, text, at), Vec::new(), Some(file)));
    }
    out
}

fn one(
    d: &Diagnostic,
    range: lsp::Range,
    related: Vec<lsp::DiagnosticRelatedInformation>,
    file: Option<&str>,
) -> lsp::Diagnostic {
    let mut message = match file {
        Some(f) => format!("in {f}: {}", d.message),
        None => d.message.clone(),
    };
    if let Some(l) = d.label.as_ref().filter(|l| **l != d.message) {
        message.push_str(&format!("\n{l}"));
    }
    for h in &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    for n in &d.notes {
        message.push_str(&format!("\nnote: {n}"));
    }
    lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("trickle".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

//! Quick fixes: a code action for each diagnostic whose help suggests a fix, from the
//! help text the compiler writes (`did you mean `len`?`, `add `use std::string;``).

use super::convert;
use super::{Document, Workspace};
use crate::diag::Diagnostic;
use lsp_types as lsp;
use std::collections::HashMap;

/// `textDocument/codeAction`
// `WorkspaceEdit::changes` is keyed by `Uri` (see `navigate::rename`).
#[allow(clippy::mutable_key_type)]
pub fn code_actions(
    ws: &Workspace,
    p: lsp::CodeActionParams,
) -> Option<Vec<lsp::CodeActionOrCommand>> {
    let doc = ws.doc(&p.text_document.uri)?;
    let (from, to) = (
        doc.offset(p.range.start) as u32,
        doc.offset(p.range.end) as u32,
    );
    let mut out = Vec::new();
    for d in &doc.analysis.diagnostics {
        let Some(span) = d.span else { continue };
        if span.end < from || span.start > to {
            continue;
        }
        for (title, edit) in fixes(doc, d) {
            let mut changes = HashMap::new();
            changes.insert(doc.uri.clone(), vec![edit]);
            let lsp_diag = convert::diagnostics(&doc.uri, &doc.lines, &doc.text, &only(d));
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(lsp_diag),
                edit: Some(lsp::WorkspaceEdit::new(changes)),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
    }
    Some(out)
}

fn only(d: &Diagnostic) -> super::analysis::Analysis {
    super::analysis::Analysis {
        diagnostics: vec![d.clone()],
        ..Default::default()
    }
}

/// The text between the first pair of backticks after `prefix` in `help`.
fn quoted<'a>(help: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &help[help.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('`')?;
    Some(&rest[..rest.find('`')?])
}

/// The fixes a diagnostic's help suggests, as `(title, edit)`.
pub fn fixes(doc: &Document, d: &Diagnostic) -> Vec<(String, lsp::TextEdit)> {
    let Some(span) = d.span else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for h in &d.help {
        if let Some(name) = quoted(h, "did you mean ") {
            let written = doc
                .text
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            // A suggestion without `::` replaces only the last segment of `m::name`.
            let start = match (name.contains("::"), written.rfind("::")) {
                (false, Some(i)) => span.start + i as u32 + 2,
                _ => span.start,
            };
            let edit = lsp::TextEdit::new(doc.range((start, span.end)), name.to_string());
            out.push((format!("Replace with `{name}`"), edit));
        }
        if let Some(stmt) = quoted(h, "add ") {
            if stmt.starts_with("use ") {
                let at = insert_point(doc);
                let edit = lsp::TextEdit::new(doc.range((at, at)), format!("{stmt}\n"));
                out.push((format!("Add `{stmt}`"), edit));
            }
        }
    }
    out
}

/// Where a new `use` goes: after the last `use`, else at the start of the first line
/// that is not a module doc comment.
fn insert_point(doc: &Document) -> u32 {
    if let Some(u) = doc.analysis.index.uses.last() {
        let end = u.span.1 as usize;
        return doc.text[end..]
            .find('\n')
            .map_or(doc.text.len(), |i| end + i + 1) as u32;
    }
    let mut at = 0;
    for line in doc.text.split_inclusive('\n') {
        if !line.starts_with("###") && !line.starts_with("#!") {
            break;
        }
        at += line.len();
    }
    at as u32
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn suggestions_are_read_from_help_text() {
        assert_eq!(quoted("did you mean `len`?", "did you mean "), Some("len"));
        assert_eq!(
            quoted(
                "the module `string` is not loaded: add `use std::string;`",
                "add "
            ),
            Some("use std::string;")
        );
        assert_eq!(quoted("nothing here", "add "), None);
    }
}

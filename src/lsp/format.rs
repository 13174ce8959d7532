//! `textDocument/formatting`: `trickle fmt`'s layout as one edit over the document.

use super::analysis::Kind;
use super::Workspace;
use crate::fmt;
use lsp_types as lsp;

/// The edits that format the document: none when it is already formatted or does
/// not parse (its diagnostics already say why; a formatter must not guess).
pub fn formatting(ws: &Workspace, p: lsp::DocumentFormattingParams) -> Option<Vec<lsp::TextEdit>> {
    let doc = ws.doc(&p.text_document.uri)?;
    let kind = match doc.kind {
        Kind::Query => fmt::Kind::Query,
        Kind::Script => fmt::Kind::Script,
    };
    let formatted = fmt::format(&doc.text, kind).ok()?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let whole = doc.range((0, doc.text.len() as u32));
    Some(vec![lsp::TextEdit::new(whole, formatted)])
}

//! Go to definition, find references and rename: a name at the cursor is resolved to
//! one definition (in the document or in a module file its `use` reaches), then every
//! open document and module file is searched for references resolving to the same one.

use super::analysis::{absolute, resolve_qualified, Analysis};
use super::convert::{path_to_uri, range};
use super::index::Index;
use super::{Document, Workspace};
use crate::diag::LineIndex;
use lsp_types as lsp;
use std::collections::HashMap;
use trickle_grammar::lexer::{Lexer, Token};

/// A file that can hold definitions and references.
#[derive(Clone, Copy)]
pub struct View<'a> {
    /// The absolute path for files on disk, else the URI or the stdlib name.
    pub key: &'a str,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub index: &'a Index,
    /// The document's analysis when the file is open (it resolves qualified names).
    pub analysis: Option<&'a Analysis>,
    pub on_disk: bool,
}

impl<'a> View<'a> {
    fn of_doc(doc: &'a Document, key: &'a str) -> Self {
        View {
            key,
            text: &doc.text,
            lines: &doc.lines,
            index: &doc.analysis.index,
            analysis: Some(&doc.analysis),
            on_disk: doc.path.is_some(),
        }
    }

    fn uri(&self, ws: &Workspace) -> Option<lsp::Uri> {
        if let Some(doc) = ws.docs.values().find(|d| doc_key(d) == self.key) {
            return Some(doc.uri.clone());
        }
        self.on_disk
            .then(|| path_to_uri(std::path::Path::new(self.key)))
            .flatten()
    }

    fn location(&self, ws: &Workspace, span: (u32, u32)) -> Option<lsp::Location> {
        Some(lsp::Location::new(
            self.uri(ws)?,
            range(self.lines, self.text, span),
        ))
    }
}

/// The key of an open document: its absolute path, else its URI.
pub fn doc_key(doc: &Document) -> String {
    doc.path.as_deref().map_or_else(
        || doc.uri.as_str().to_string(),
        |p| absolute(p).display().to_string(),
    )
}

/// Every file to search: the open documents, then the module files they reach that
/// are not open themselves.
fn views<'a>(ws: &'a Workspace, keys: &'a [(String, &'a Document)]) -> Vec<View<'a>> {
    let mut out: Vec<View<'a>> = keys.iter().map(|(k, d)| View::of_doc(d, k)).collect();
    for (_, d) in keys {
        for m in &d.analysis.modules {
            let key = m.disk.as_ref().and_then(|p| p.to_str()).unwrap_or(&m.name);
            if out.iter().any(|v| v.key == key) {
                continue;
            }
            out.push(View {
                key,
                text: &m.text,
                lines: &m.lines,
                index: &m.index,
                analysis: None,
                on_disk: m.disk.is_some(),
            });
        }
    }
    let _ = ws;
    out
}

fn keyed(ws: &Workspace) -> Vec<(String, &Document)> {
    let mut v: Vec<(String, &Document)> = ws.docs.values().map(|d| (doc_key(d), d)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The definition a reference of `view` resolves to, as `(file key, def)`.
fn resolve_ref<'a>(view: &View<'a>, refi: usize) -> Option<(&'a str, usize)> {
    let rf = &view.index.refs[refi];
    if rf.module.is_empty() {
        return view.index.resolve(refi).map(|d| (view.key, d));
    }
    let (m, d) = resolve_qualified(view.analysis?, &rf.module, &rf.name, rf.ns)?;
    Some((
        m.disk.as_ref().and_then(|p| p.to_str()).unwrap_or(&m.name),
        d,
    ))
}

/// The definition at `offset` of `view` (on its name or on a reference to it).
fn target<'a>(view: &View<'a>, offset: u32) -> Option<(&'a str, usize)> {
    let inside = |s: (u32, u32)| s.0 <= offset && offset <= s.1;
    if let Some(d) = view.index.defs.iter().position(|d| inside(d.span)) {
        return Some((view.key, d));
    }
    let refi = view.index.refs.iter().position(|r| inside(r.span))?;
    resolve_ref(view, refi)
}

/// `textDocument/definition`
pub fn definition(
    ws: &Workspace,
    p: lsp::GotoDefinitionParams,
) -> Option<lsp::GotoDefinitionResponse> {
    let pos = p.text_document_position_params;
    let doc = ws.doc(&pos.text_document.uri)?;
    let keys = keyed(ws);
    let all = views(ws, &keys);
    let me = all.iter().find(|v| v.key == doc_key(doc))?;
    let (key, def) = target(me, doc.offset(pos.position) as u32)?;
    let view = all.iter().find(|v| v.key == key)?;
    let loc = view.location(ws, view.index.defs[def].span)?;
    Some(lsp::GotoDefinitionResponse::Scalar(loc))
}

/// Every place the definition `(key, def)` is named, as `(view, span)`.
fn occurrences<'a>(
    all: &[View<'a>],
    key: &str,
    def: usize,
    declaration: bool,
) -> Vec<(View<'a>, (u32, u32))> {
    let mut out = Vec::new();
    for v in all {
        if declaration && v.key == key {
            out.push((*v, v.index.defs[def].span));
        }
        for (i, r) in v.index.refs.iter().enumerate() {
            if resolve_ref(v, i) == Some((key, def)) {
                out.push((*v, r.span));
            }
        }
    }
    out
}

/// `textDocument/references`
pub fn references(ws: &Workspace, p: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
    let pos = p.text_document_position;
    let doc = ws.doc(&pos.text_document.uri)?;
    let keys = keyed(ws);
    let all = views(ws, &keys);
    let me = all.iter().find(|v| v.key == doc_key(doc))?;
    let (key, def) = target(me, doc.offset(pos.position) as u32)?;
    let occ = occurrences(&all, key, def, p.context.include_declaration);
    Some(occ.iter().filter_map(|(v, s)| v.location(ws, *s)).collect())
}

/// `textDocument/prepareRename`: the name under the cursor, when it can be renamed.
pub fn prepare_rename(
    ws: &Workspace,
    p: lsp::TextDocumentPositionParams,
) -> Option<lsp::PrepareRenameResponse> {
    let doc = ws.doc(&p.text_document.uri)?;
    let offset = doc.offset(p.position) as u32;
    let keys = keyed(ws);
    let all = views(ws, &keys);
    let me = all.iter().find(|v| v.key == doc_key(doc))?;
    let (key, _) = target(me, offset)?;
    if !all
        .iter()
        .any(|v| v.key == key && (v.on_disk || v.analysis.is_some()))
    {
        return None;
    }
    let ix = &doc.analysis.index;
    let inside = |s: (u32, u32)| s.0 <= offset && offset <= s.1;
    let span = ix
        .defs
        .iter()
        .map(|d| d.span)
        .chain(ix.refs.iter().map(|r| r.span))
        .find(|s| inside(*s))?;
    Some(lsp::PrepareRenameResponse::Range(doc.range(span)))
}

/// `textDocument/rename`: every occurrence in every file, or why it cannot be done.
// `WorkspaceEdit::changes` is a map keyed by `Uri`, whose cached parts clippy sees as
// interior mutability; the keys are never changed while in the map.
#[allow(clippy::mutable_key_type)]
pub fn rename(ws: &Workspace, p: lsp::RenameParams) -> Result<lsp::WorkspaceEdit, String> {
    let pos = p.text_document_position;
    let doc = ws
        .doc(&pos.text_document.uri)
        .ok_or("the document is not open")?;
    if !is_identifier(&p.new_name) {
        return Err(format!("`{}` is not a valid name", p.new_name));
    }
    let keys = keyed(ws);
    let all = views(ws, &keys);
    let me = all
        .iter()
        .find(|v| v.key == doc_key(doc))
        .ok_or("the document is not open")?;
    let (key, def) = target(me, doc.offset(pos.position) as u32).ok_or("nothing to rename here")?;
    let owner = all
        .iter()
        .find(|v| v.key == key)
        .ok_or("nothing to rename here")?;
    if !owner.on_disk && owner.analysis.is_none() {
        return Err("a standard library name cannot be renamed".into());
    }
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for (v, span) in occurrences(&all, key, def, true) {
        let uri = v
            .uri(ws)
            .ok_or_else(|| format!("{} cannot be edited", v.key))?;
        let edit = lsp::TextEdit::new(range(v.lines, v.text, span), p.new_name.clone());
        let edits = changes.entry(uri).or_default();
        if !edits.contains(&edit) {
            edits.push(edit);
        }
    }
    Ok(lsp::WorkspaceEdit::new(changes))
}

/// Whether `name` lexes as one plain identifier (not a keyword).
fn is_identifier(name: &str) -> bool {
    let mut lexer = Lexer::new(name);
    matches!(
        (lexer.next(), lexer.next()),
        (Some(Ok((0, Token::Ident(_), end))), None) if end == name.len()
    )
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn only_plain_identifiers_are_names() {
        assert!(is_identifier("snot_2"));
        for bad in ["", "2x", "a b", "select", "a-b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}

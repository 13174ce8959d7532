//! Hover: the docs of a stdlib function or constant (the text `trickle doc` prints),
//! an aggregate's meaning, a window kind and its settings, a peer kind and its config
//! keys, and for the query's own names their definition and doc comment.

use super::analysis::{resolve_qualified, Analysis};
use super::index::{Def, Mark, SymKind};
use super::Workspace;
use crate::doc::catalog;
use lsp_types as lsp;

/// `textDocument/hover`
pub fn hover(ws: &Workspace, p: lsp::HoverParams) -> Option<lsp::Hover> {
    let pos = p.text_document_position_params;
    let doc = ws.doc(&pos.text_document.uri)?;
    let offset = doc.offset(pos.position) as u32;
    let (span, text) = at(&doc.analysis, &doc.text, offset)?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(span)),
    })
}

/// The span hovered and its Markdown.
pub fn at(a: &Analysis, text: &str, offset: u32) -> Option<((u32, u32), String)> {
    let inside = |s: (u32, u32)| s.0 <= offset && offset <= s.1;
    let ix = &a.index;
    let mark = ix
        .marks
        .iter()
        .filter(|(s, _)| inside(*s))
        .min_by_key(|(s, _)| s.1 - s.0);
    if let Some((span, mark)) = mark {
        if let Some(md) = mark_doc(a, mark) {
            return Some((*span, md));
        }
    }
    if let Some(d) = ix.defs.iter().find(|d| inside(d.span)) {
        return Some((d.span, def_doc(d, text)));
    }
    let (i, r) = ix.refs.iter().enumerate().find(|(_, r)| inside(r.span))?;
    if r.module.is_empty() {
        if let Some(d) = ix.resolve(i) {
            return Some((r.span, def_doc(&ix.defs[d], text)));
        }
        let f = catalog::builtin(&r.name).filter(|_| r.ns == super::index::Ns::Function)?;
        return Some((r.span, catalog::native_markdown(f)));
    }
    let (m, d) = resolve_qualified(a, &r.module, &r.name, r.ns)?;
    Some((r.full, def_doc(&m.index.defs[d], &m.text)))
}

fn mark_doc(a: &Analysis, mark: &Mark) -> Option<String> {
    match mark {
        Mark::Path(segs) => path_doc(a, segs),
        Mark::WindowKind(k) => catalog::window_kind_markdown(k),
        Mark::PeerKind(k) => catalog::peer_kind_markdown(k),
        Mark::WindowSetting(k) => crate::window::SETTING_DOCS
            .iter()
            .find(|(s, _)| s == k)
            .map(|(s, d)| format!("**window setting `{s}`**: {d}")),
        Mark::PeerWithKey(k) => crate::peer::kind_docs::WITH_KEY_DOCS
            .iter()
            .find(|(s, _)| s == k)
            .map(|(s, d)| format!("**peer `with` key `{s}`**: {d}")),
        Mark::PeerConfigKey { kind, key } => {
            let d = crate::peer::kind_docs::kind_doc(kind)?;
            d.keys
                .iter()
                .find(|(k, _)| k == key)
                .map(|(k, doc)| format!("**`{kind}` config key `{k}`**: {doc}"))
        }
    }
}

/// Docs of `aggr::m::f`, or of a function or constant of a `use`d stdlib module.
fn path_doc(a: &Analysis, segs: &[String]) -> Option<String> {
    let (name, module) = segs.split_last()?;
    if module.first().map(String::as_str) == Some("aggr") && module.len() == 2 {
        return crate::aggr::lookup(&module[1], name).map(catalog::aggregate_markdown);
    }
    let (first, rest) = module.split_first()?;
    let u = a.index.uses.iter().rev().find(|u| &u.alias == first)?;
    let mut path = u.path.clone();
    path.extend(rest.iter().cloned());
    let item = catalog::item(&path.join("::"), name)?;
    Some(item.markdown(&catalog::uses_for(&item.module, &item.examples.join("\n"))))
}

/// A user definition: its one-line form, its doc comment, and for windows and peers
/// the definition itself (their settings are what one wants to see).
pub fn def_doc(d: &Def, text: &str) -> String {
    let mut s = format!("```trickle\n{}\n```\n", d.detail);
    if let Some(doc) = &d.doc {
        s.push_str(&format!("\n{doc}\n"));
    }
    if matches!(d.kind, SymKind::Window | SymKind::Peer) {
        if let Some(src) = text.get(d.full.0 as usize..d.full.1 as usize) {
            s.push_str(&format!("\n```trickle\n{src}\n```\n"));
        }
    }
    s
}

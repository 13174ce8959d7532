//! The outline (document symbols), folding ranges and semantic tokens. Tokens come
//! from the real lexer (the REPL's highlighter uses the same classes); identifiers are
//! refined with the index (a function, a window, a local ...).

use super::index::{Index, SymKind};
use super::{Document, Workspace};
use lsp_types as lsp;
use lsp_types::SemanticTokenType as T;
use trickle_grammar::lexer::{tokens, Token, TokenClass};

/// `textDocument/documentSymbol`: definitions nested in their pipelines, and selects.
pub fn symbols(
    ws: &Workspace,
    p: lsp::DocumentSymbolParams,
) -> Option<lsp::DocumentSymbolResponse> {
    let doc = ws.doc(&p.text_document.uri)?;
    Some(lsp::DocumentSymbolResponse::Nested(children(
        doc,
        &doc.analysis.index,
        None,
    )))
}

/// The symbols whose enclosing pipeline is `parent`, in source order.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
fn children(doc: &Document, ix: &Index, parent: Option<usize>) -> Vec<lsp::DocumentSymbol> {
    let symbol = |name: String, detail: String, kind, full: (u32, u32), sel: (u32, u32)| {
        lsp::DocumentSymbol {
            name,
            detail: (!detail.is_empty()).then_some(detail),
            kind,
            tags: None,
            deprecated: None,
            range: doc.range(full),
            selection_range: doc.range(sel),
            children: None,
        }
    };
    let mut out: Vec<(u32, lsp::DocumentSymbol)> = Vec::new();
    for (i, d) in ix.defs.iter().enumerate() {
        if d.kind == SymKind::Local || d.parent != parent {
            continue;
        }
        let mut sym = symbol(
            d.name.clone(),
            d.detail.clone(),
            kind(d.kind),
            d.full,
            d.span,
        );
        if d.kind == SymKind::Pipeline {
            sym.children = Some(children(doc, ix, Some(i)));
        }
        out.push((d.full.0, sym));
    }
    for s in ix.selects.iter().filter(|s| s.parent == parent) {
        out.push((
            s.full.0,
            symbol(
                s.label.clone(),
                String::new(),
                lsp::SymbolKind::EVENT,
                s.full,
                s.full,
            ),
        ));
    }
    out.sort_by_key(|(start, _)| *start);
    out.into_iter().map(|(_, s)| s).collect()
}

fn kind(k: SymKind) -> lsp::SymbolKind {
    match k {
        SymKind::Const => lsp::SymbolKind::CONSTANT,
        SymKind::Function => lsp::SymbolKind::FUNCTION,
        SymKind::Local => lsp::SymbolKind::VARIABLE,
        SymKind::Window => lsp::SymbolKind::STRUCT,
        SymKind::Operator => lsp::SymbolKind::OPERATOR,
        SymKind::Script => lsp::SymbolKind::CLASS,
        SymKind::Pipeline => lsp::SymbolKind::MODULE,
        SymKind::Peer => lsp::SymbolKind::INTERFACE,
        SymKind::Stream => lsp::SymbolKind::EVENT,
        SymKind::Instance => lsp::SymbolKind::OBJECT,
    }
}

/// `textDocument/foldingRange`: every multi-line block the index saw.
pub fn folding(ws: &Workspace, p: lsp::FoldingRangeParams) -> Option<Vec<lsp::FoldingRange>> {
    let doc = ws.doc(&p.text_document.uri)?;
    let mut out: Vec<lsp::FoldingRange> = Vec::new();
    for span in &doc.analysis.index.folds {
        let r = doc.range(*span);
        if r.end.line > r.start.line && !out.iter().any(|f| f.start_line == r.start.line) {
            out.push(lsp::FoldingRange {
                start_line: r.start.line,
                end_line: r.end.line,
                kind: Some(lsp::FoldingRangeKind::Region),
                ..Default::default()
            });
        }
    }
    out.sort_by_key(|f| (f.start_line, f.end_line));
    Some(out)
}

/// The token types, in the order their indexes are sent.
const TYPES: &[T] = &[
    T::KEYWORD,
    T::STRING,
    T::NUMBER,
    T::COMMENT,
    T::OPERATOR,
    T::VARIABLE,
    T::FUNCTION,
    T::NAMESPACE,
    T::TYPE,
    T::CLASS,
    T::PARAMETER,
    T::MACRO,
];

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
    }
}

fn type_index(t: T) -> u32 {
    TYPES.iter().position(|x| *x == t).unwrap_or(0) as u32
}

/// `textDocument/semanticTokens/full`
pub fn semantic_tokens(
    ws: &Workspace,
    p: lsp::SemanticTokensParams,
) -> Option<lsp::SemanticTokensResult> {
    let doc = ws.doc(&p.text_document.uri)?;
    let ix = &doc.analysis.index;
    let mut data = Vec::new();
    let (mut last_line, mut last_col) = (0u32, 0u32);
    let mut toks: Vec<(usize, Token, usize)> = tokens(&doc.text).map_while(Result::ok).collect();
    // `a::b(...)`: every segment before `::` is a module name.
    let mut ty_of = Vec::with_capacity(toks.len());
    for (i, (s, t, _)) in toks.iter().enumerate() {
        let next_is_path = matches!(toks.get(i + 1), Some((_, Token::ColonColon, _)));
        ty_of.push(token_type(ix, *s as u32, t, next_is_path));
    }
    for ((start, _, end), ty) in toks.drain(..).zip(ty_of) {
        let Some((ty, decl)) = ty else { continue };
        // A token over several lines (a heredoc) is sent one line at a time.
        let mut from = start;
        while from < end {
            let to = doc.text[from..end].find('\n').map_or(end, |i| from + i);
            if to > from {
                let r = doc.range((from as u32, to as u32));
                let (line, col) = (r.start.line, r.start.character);
                let delta_line = line - last_line;
                let delta_col = if delta_line == 0 { col - last_col } else { col };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start: delta_col,
                    length: r.end.character - col,
                    token_type: type_index(ty.clone()),
                    token_modifiers_bitset: u32::from(decl),
                });
                (last_line, last_col) = (line, col);
            }
            from = to + 1;
        }
    }
    Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
        result_id: None,
        data,
    }))
}

/// The type of a token and whether it declares a name.
fn token_type(ix: &Index, start: u32, t: &Token, module_segment: bool) -> Option<(T, bool)> {
    if matches!(t, Token::Dollar) {
        return Some((T::KEYWORD, false));
    }
    match t.class() {
        TokenClass::Keyword => Some((T::KEYWORD, false)),
        TokenClass::Literal => Some((T::NUMBER, false)),
        TokenClass::String => Some((T::STRING, false)),
        TokenClass::Comment => Some((
            if matches!(t, Token::ConfigDirective) {
                T::MACRO
            } else {
                T::COMMENT
            },
            false,
        )),
        TokenClass::Operator => Some((T::OPERATOR, false)),
        TokenClass::Identifier if module_segment => Some((T::NAMESPACE, false)),
        TokenClass::Identifier => {
            if let Some(d) = ix.defs.iter().find(|d| d.span.0 == start) {
                return Some((ident_type(d.kind), true));
            }
            let i = ix.refs.iter().position(|r| r.span.0 == start)?;
            let ty = match ix.resolve(i) {
                Some(d) => ident_type(ix.defs[d].kind),
                None if ix.refs[i].ns == super::index::Ns::Function => T::FUNCTION,
                None => T::VARIABLE,
            };
            Some((ty, false))
        }
    }
}

fn ident_type(k: SymKind) -> T {
    match k {
        SymKind::Function => T::FUNCTION,
        SymKind::Const | SymKind::Local => T::VARIABLE,
        SymKind::Window => T::TYPE,
        SymKind::Stream | SymKind::Instance => T::PARAMETER,
        _ => T::CLASS,
    }
}

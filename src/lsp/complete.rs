//! Completion. The context comes from the real lexer's tokens before the cursor (the
//! statement they belong to, the last few of them); the candidates from the index, the
//! stdlib catalog, the aggregates, the peer and window kinds, and for `event.` paths a
//! sample of events beside the file.

use super::index::{Ns, SymKind};
use super::{Document, Workspace};
use crate::doc::catalog::{self, ItemKind};
use lsp_types as lsp;
use lsp_types::CompletionItemKind as K;
use std::path::{Path, PathBuf};
use trickle_grammar::lexer::{Lexer, Token};

/// `textDocument/completion`
pub fn completion(ws: &Workspace, p: lsp::CompletionParams) -> Option<lsp::CompletionResponse> {
    let pos = p.text_document_position;
    let doc = ws.doc(&pos.text_document.uri)?;
    let offset = doc.offset(pos.position);
    Some(lsp::CompletionResponse::Array(items(doc, offset)))
}

/// The candidates at byte `offset` of `doc`.
pub fn items(doc: &Document, offset: usize) -> Vec<lsp::CompletionItem> {
    let prefix = &doc.text[..offset.min(doc.text.len())];
    let mut toks: Vec<Token> = Vec::new();
    let mut ends_at_cursor = false;
    for t in Lexer::new(prefix) {
        let Ok((_, tok, end)) = t else { break };
        ends_at_cursor = end == prefix.len();
        toks.push(tok);
    }
    // The word being typed is not context.
    if ends_at_cursor && matches!(toks.last(), Some(t) if is_word(t)) {
        toks.pop();
    }
    let stmt = statement(&toks);
    context(doc, offset, stmt)
}

fn is_word(t: &Token) -> bool {
    matches!(t, Token::Ident(_)) || t.keyword().is_some()
}

/// The tokens of the statement the cursor is in (after the last `;` outside brackets).
fn statement(toks: &[Token]) -> &[Token] {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate().rev() {
        match t {
            Token::RParen | Token::RBracket | Token::RBrace => depth += 1,
            Token::LParen | Token::LBracket | Token::LBrace => depth -= 1,
            Token::Semi if depth <= 0 => return &toks[i + 1..],
            _ => {}
        }
    }
    toks
}

fn context(doc: &Document, offset: usize, stmt: &[Token]) -> Vec<lsp::CompletionItem> {
    let last = stmt.last();
    // `use a::b`
    if let Some(Token::Use) = stmt.first() {
        if let Some(segs) = qualifier(stmt, true) {
            return modules_under(doc, &segs);
        }
    }
    // `m::` and `m::sub::`
    if let Some(segs) = qualifier(stmt, false) {
        return qualified(doc, &segs);
    }
    // `event.a.` and `$a.`
    if let Some((root, segs)) = event_path(stmt) {
        return match root {
            PathRoot::Event => keys_of(&sample_events(doc), &segs),
            PathRoot::Meta => meta_keys(doc),
        };
    }
    match last {
        Some(Token::From) | Some(Token::Into) => return after_from(doc, offset, stmt),
        Some(Token::LBracket) | Some(Token::Comma) if in_window_list(stmt) => {
            return visible(doc, offset, |k| k == SymKind::Window);
        }
        _ => {}
    }
    if let Some(kind) = peer_kind(stmt) {
        return peer_keys(&kind, stmt);
    }
    if let Some(kind) = window_kind_at_key(stmt) {
        return window_keys(&kind);
    }
    general(doc, offset)
}

/// `a :: b ::` at the end (the segments), or `use a :: b ::` / `use` for modules.
fn qualifier(stmt: &[Token], after_use: bool) -> Option<Vec<String>> {
    let mut segs = Vec::new();
    let mut i = stmt.len();
    if after_use && matches!(stmt.last(), Some(Token::Use)) {
        return Some(segs);
    }
    if !matches!(stmt.last(), Some(Token::ColonColon)) {
        return None;
    }
    while i >= 2 {
        match (&stmt[i - 2], &stmt[i - 1]) {
            (Token::Ident(name), Token::ColonColon) => segs.insert(0, name.clone()),
            _ => break,
        }
        i -= 2;
    }
    if segs.is_empty() {
        return None;
    }
    let starts_use = i >= 1 && matches!(stmt[i - 1], Token::Use | Token::Comma | Token::LBrace);
    (starts_use == after_use).then_some(segs)
}

enum PathRoot {
    Event,
    Meta,
}

/// `event . a . b .` → `(Event, [a, b])`; `$ a .` / `$` → `(Meta, [a])`.
fn event_path(stmt: &[Token]) -> Option<(PathRoot, Vec<String>)> {
    let mut i = stmt.len();
    if matches!(stmt.last(), Some(Token::Dollar)) {
        return Some((PathRoot::Meta, Vec::new()));
    }
    if !matches!(stmt.last(), Some(Token::Dot)) {
        return None;
    }
    i -= 1;
    let mut segs = Vec::new();
    loop {
        match stmt.get(i.checked_sub(1)?)? {
            Token::Event => return Some((PathRoot::Event, segs)),
            Token::Dollar => return Some((PathRoot::Meta, segs)),
            Token::Ident(name) => {
                segs.insert(0, name.clone());
                i -= 1;
                match stmt.get(i.checked_sub(1)?)? {
                    Token::Dot => i -= 1,
                    Token::Dollar => return Some((PathRoot::Meta, segs)),
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
}

fn item(label: impl Into<String>, kind: K, detail: impl Into<String>) -> lsp::CompletionItem {
    let detail = detail.into();
    lsp::CompletionItem {
        label: label.into(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then_some(detail),
        ..Default::default()
    }
}

fn with_docs(mut it: lsp::CompletionItem, md: String) -> lsp::CompletionItem {
    it.documentation = Some(lsp::Documentation::MarkupContent(lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value: md,
    }));
    it
}

fn snippet(mut it: lsp::CompletionItem, text: String) -> lsp::CompletionItem {
    it.insert_text = Some(text);
    it.insert_text_format = Some(lsp::InsertTextFormat::SNIPPET);
    it
}

/// Module names after `use` and `use a::`: the stdlib's and those beside the file.
fn modules_under(doc: &Document, segs: &[String]) -> Vec<lsp::CompletionItem> {
    let mut paths: Vec<String> = catalog::stdlib().iter().map(|m| m.path.clone()).collect();
    if let Some(dir) = doc.path.as_deref().and_then(Path::parent) {
        disk_modules(dir, "", 0, &mut paths);
    }
    let prefix = segs.iter().map(|s| format!("{s}::")).collect::<String>();
    let mut out: Vec<lsp::CompletionItem> = Vec::new();
    for p in paths {
        let Some(rest) = p.strip_prefix(&prefix) else {
            continue;
        };
        let next = rest.split("::").next().unwrap_or(rest);
        if next.is_empty() || out.iter().any(|i| i.label == next) {
            continue;
        }
        let leaf = !rest.contains("::");
        let detail = if leaf {
            p.clone()
        } else {
            format!("{prefix}{next}::")
        };
        let mut it = item(next, K::MODULE, detail);
        if let Some(m) = catalog::module(&p).filter(|_| leaf) {
            it = with_docs(it, m.doc.clone().unwrap_or_default());
        }
        out.push(it);
    }
    out
}

/// `.tremor` files below `dir` as module paths (three levels at most).
fn disk_modules(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten().take(200) {
        let path = e.path();
        let Some(name) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if path.is_dir() && depth < 3 && !name.starts_with('.') && name != "target" {
            disk_modules(&path, &format!("{prefix}{name}::"), depth + 1, out);
        } else if path.extension().is_some_and(|x| x == "tremor") {
            out.push(format!("{prefix}{name}"));
        }
    }
}

/// After `m::`: the functions and constants of the module, its submodules, or the
/// aggregates after `aggr::stats::`.
fn qualified(doc: &Document, segs: &[String]) -> Vec<lsp::CompletionItem> {
    if segs[0] == "aggr" {
        return match segs {
            [_] => ["stats", "win"]
                .iter()
                .map(|m| item(*m, K::MODULE, format!("aggr::{m}")))
                .collect(),
            [_, m] => crate::aggr::all()
                .iter()
                .filter(|d| d.module == m)
                .map(|d| {
                    let it = item(d.name, K::FUNCTION, catalog::aggregate_signature(d));
                    let text = if *d.arity.start() == 0 {
                        format!("{}()", d.name)
                    } else {
                        format!("{}(${{1:x}})", d.name)
                    };
                    with_docs(snippet(it, text), catalog::aggregate_markdown(d))
                })
                .collect(),
            _ => Vec::new(),
        };
    }
    let index = &doc.analysis.index;
    let Some(u) = index.uses.iter().rev().find(|u| u.alias == segs[0]) else {
        return Vec::new();
    };
    let mut path = u.path.clone();
    path.extend(segs[1..].iter().cloned());
    let joined = path.join("::");
    let mut out = Vec::new();
    if let Some(m) = catalog::module(&joined) {
        for i in &m.items {
            let md = i.markdown(&catalog::uses_for(&i.module, &i.examples.join("\n")));
            let it = match i.kind {
                ItemKind::Function => {
                    snippet(item(&i.name, K::FUNCTION, i.signature()), i.snippet())
                }
                ItemKind::Const => item(&i.name, K::CONSTANT, i.signature()),
            };
            out.push(with_docs(it, md));
        }
    } else if let Some(m) = doc.analysis.modules.iter().find(|m| m.path == path) {
        for d in m.index.defs.iter().filter(|d| d.parent.is_none()) {
            let it = match d.kind {
                SymKind::Function => {
                    let params = d
                        .detail
                        .split_once('(')
                        .and_then(|(_, r)| r.split_once(')'))
                        .map_or("", |(p, _)| p);
                    let args: Vec<String> = params
                        .split(", ")
                        .filter(|p| !p.is_empty() && *p != "...")
                        .enumerate()
                        .map(|(n, p)| format!("${{{}:{p}}}", n + 1))
                        .collect();
                    snippet(
                        item(&d.name, K::FUNCTION, &d.detail),
                        format!("{}({})", d.name, args.join(", ")),
                    )
                }
                SymKind::Const => item(&d.name, K::CONSTANT, &d.detail),
                SymKind::Local => continue,
                _ => item(&d.name, K::CLASS, &d.detail),
            };
            out.push(with_docs(it, d.doc.clone().unwrap_or_default()));
        }
    }
    let sub = format!("{joined}::");
    for m in catalog::stdlib() {
        if let Some(rest) = m.path.strip_prefix(&sub) {
            let next = rest.split("::").next().unwrap_or(rest);
            if !out.iter().any(|i| i.label == next) {
                out.push(item(next, K::MODULE, format!("{sub}{next}")));
            }
        }
    }
    out
}

/// Events from a sample file beside the document: `NAME.jsonl`, `NAME/in`, or the
/// `in` of a test-case folder (`query.trickle` beside `in`). At most 1,000 lines.
fn sample_events(doc: &Document) -> Vec<crate::value::Value> {
    let Some(path) = doc.path.as_deref() else {
        return Vec::new();
    };
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return Vec::new();
    };
    let stem = stem.to_string_lossy();
    let candidates: [PathBuf; 3] = [
        dir.join(format!("{stem}.jsonl")),
        dir.join(&*stem).join("in"),
        dir.join("in"),
    ];
    let Some(text) = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
    else {
        return Vec::new();
    };
    text.lines()
        .take(1000)
        .filter_map(|l| crate::value::parse_json(l.trim()).ok())
        .collect()
}

/// The keys of the records at `segs` in the sample events, each with an example value.
fn keys_of(events: &[crate::value::Value], segs: &[String]) -> Vec<lsp::CompletionItem> {
    let mut out: Vec<lsp::CompletionItem> = Vec::new();
    for ev in events {
        let mut v = Some(ev);
        for s in segs {
            v = v
                .and_then(|v| v.as_record())
                .and_then(|r| r.get(s.as_str()));
        }
        let Some(rec) = v.and_then(|v| v.as_record()) else {
            continue;
        };
        for (k, val) in rec.iter() {
            if out.iter().any(|i| i.label.as_str() == k.as_str()) {
                continue;
            }
            let mut example = val.to_string();
            if example.len() > 60 {
                example = format!("{}…", &example[..example.floor_char_boundary(60)]);
            }
            out.push(item(k.to_string(), K::FIELD, format!("e.g. {example}")));
        }
    }
    out
}

/// `$` keys the document itself writes or reads (`$kafka`, `$tcp`, ...).
fn meta_keys(doc: &Document) -> Vec<lsp::CompletionItem> {
    let mut out: Vec<lsp::CompletionItem> = Vec::new();
    let mut prev_dollar = false;
    for t in Lexer::new(&doc.text).map_while(Result::ok) {
        if let (true, Token::Ident(name)) = (prev_dollar, &t.1) {
            if !out.iter().any(|i| &i.label == name) {
                out.push(item(name.clone(), K::FIELD, "metadata"));
            }
        }
        prev_dollar = matches!(t.1, Token::Dollar);
    }
    out
}

/// Whether the cursor is inside `from node[ ... ` of a select.
fn in_window_list(stmt: &[Token]) -> bool {
    let mut depth = 0;
    for (i, t) in stmt.iter().enumerate().rev() {
        match t {
            Token::RBracket => depth += 1,
            Token::LBracket if depth > 0 => depth -= 1,
            Token::LBracket => {
                return i >= 2
                    && matches!(stmt[i - 2], Token::From)
                    && stmt.contains(&Token::Select);
            }
            Token::LParen | Token::LBrace | Token::RParen | Token::RBrace => return false,
            _ => {}
        }
    }
    false
}

/// After `from` / `into`: nodes in a select, definitions of the created kind, window
/// kinds or peer kinds.
fn after_from(doc: &Document, offset: usize, stmt: &[Token]) -> Vec<lsp::CompletionItem> {
    let head = stmt
        .iter()
        .rev()
        .find(|t| matches!(t, Token::Select | Token::Create | Token::Define));
    let second = |t: &Token| {
        stmt.iter()
            .position(|x| x == t)
            .and_then(|i| stmt.get(i + 1))
            .cloned()
    };
    match head {
        Some(Token::Define) => match second(&Token::Define) {
            Some(Token::Window) => crate::window::KIND_DOCS
                .iter()
                .map(|(k, d)| with_docs(item(*k, K::ENUM_MEMBER, "window kind"), d.to_string()))
                .collect(),
            Some(Token::Ident(w)) if w == "peer" => peer_kinds(),
            _ => Vec::new(),
        },
        Some(Token::Create) => {
            let want = match second(&Token::Create) {
                Some(Token::Script) => SymKind::Script,
                Some(Token::Operator) => SymKind::Operator,
                Some(Token::Pipeline) => SymKind::Pipeline,
                _ => SymKind::Peer,
            };
            visible(doc, offset, |k| k == want)
        }
        _ => {
            let mut out = visible(doc, offset, |k| k.ns() == Ns::Node);
            for (name, what) in [
                ("in", "the input stream"),
                ("out", "the output stream"),
                ("err", "the error stream"),
            ] {
                out.push(item(name, K::EVENT, what));
            }
            out
        }
    }
}

fn peer_kinds() -> Vec<lsp::CompletionItem> {
    crate::peer::kind_docs::kind_docs()
        .map(|d| {
            let md = catalog::peer_kind_markdown(d.kind).unwrap_or_default();
            with_docs(
                item(d.kind, K::ENUM_MEMBER, format!("peer kind ({})", d.nature)),
                md,
            )
        })
        .collect()
}

/// The kind of the `define peer NAME from KIND with` the cursor is in, if it is.
fn peer_kind(stmt: &[Token]) -> Option<String> {
    let i = stmt.iter().position(|t| matches!(t, Token::Define))?;
    match &stmt[i..] {
        [Token::Define, Token::Ident(p), Token::Ident(_), Token::From, Token::Ident(kind), rest @ ..]
            if p == "peer" && rest.contains(&Token::With) && !rest.contains(&Token::End) =>
        {
            Some(kind.clone())
        }
        _ => None,
    }
}

/// The kind of the `define window NAME from KIND with` the cursor is in, where a
/// setting's name goes (right after `with` or a `,` between settings).
fn window_kind_at_key(stmt: &[Token]) -> Option<String> {
    let i = stmt.iter().position(|t| matches!(t, Token::Define))?;
    let [Token::Define, Token::Window, Token::Ident(_), Token::From, kind, rest @ ..] = &stmt[i..]
    else {
        return None;
    };
    let kind = match kind {
        Token::Tumbling => "tumbling".to_string(),
        Token::Ident(k) => k.clone(),
        _ => return None,
    };
    let with = rest.iter().position(|t| *t == Token::With)?;
    let settings = &rest[with..];
    // Brackets in a value hold commas of their own.
    let depth = settings.iter().fold(0i32, |d, t| match t {
        Token::LParen | Token::LBracket | Token::LBrace => d + 1,
        Token::RParen | Token::RBracket | Token::RBrace => d - 1,
        _ => d,
    });
    let at_key = matches!(settings.last(), Some(Token::With | Token::Comma)) && depth == 0;
    let closed = settings
        .iter()
        .any(|t| matches!(t, Token::End | Token::State | Token::Script));
    (at_key && !closed).then_some(kind)
}

/// The settings a window kind takes.
fn window_keys(kind: &str) -> Vec<lsp::CompletionItem> {
    crate::window::SETTING_DOCS
        .iter()
        .filter(|(k, _)| crate::window::takes_setting(kind, k))
        .map(|(k, doc)| {
            snippet(
                with_docs(
                    item(*k, K::PROPERTY, format!("{kind} window setting")),
                    doc.to_string(),
                ),
                format!("{k} = $1"),
            )
        })
        .collect()
}

/// Inside `define peer ... with`: the kind's config keys inside `config = {`, else the
/// `with` keys.
fn peer_keys(kind: &str, stmt: &[Token]) -> Vec<lsp::CompletionItem> {
    // Inside an open `{` right after `config =`?
    let mut depth = 0;
    let mut in_config = false;
    for (i, t) in stmt.iter().enumerate().rev() {
        match t {
            Token::RBrace => depth += 1,
            Token::LBrace if depth > 0 => depth -= 1,
            Token::LBrace => {
                in_config = i >= 2
                    && matches!(stmt[i - 1], Token::Assign)
                    && matches!(&stmt[i - 2], Token::Ident(k) if k == "config");
                break;
            }
            _ => {}
        }
    }
    let in_string = matches!(stmt.last(), Some(Token::StrStart) | Some(Token::StrLit(_)));
    if in_config {
        let Some(d) = crate::peer::kind_docs::kind_doc(kind) else {
            return Vec::new();
        };
        return d
            .keys
            .iter()
            .map(|(k, doc)| {
                let it = with_docs(
                    item(*k, K::PROPERTY, format!("{kind} config")),
                    doc.to_string(),
                );
                if in_string {
                    it
                } else {
                    snippet(it, format!("\"{k}\": $1"))
                }
            })
            .collect();
    }
    crate::peer::kind_docs::WITH_KEY_DOCS
        .iter()
        .map(|(k, doc)| {
            snippet(
                with_docs(item(*k, K::PROPERTY, "peer setting"), doc.to_string()),
                format!("{k} = $1"),
            )
        })
        .collect()
}

/// Definitions visible at `offset` whose kind passes `want`.
fn visible(
    doc: &Document,
    offset: usize,
    want: impl Fn(SymKind) -> bool,
) -> Vec<lsp::CompletionItem> {
    let offset = offset as u32;
    let mut out: Vec<lsp::CompletionItem> = Vec::new();
    for d in &doc.analysis.index.defs {
        let in_scope = d.scope.0 <= offset
            && offset <= d.scope.1
            && (d.kind != SymKind::Local || d.span.1 <= offset);
        if !want(d.kind) || !in_scope || out.iter().any(|i| i.label == d.name) {
            continue;
        }
        let kind = match d.kind {
            SymKind::Function => K::FUNCTION,
            SymKind::Const => K::CONSTANT,
            SymKind::Local => K::VARIABLE,
            SymKind::Window => K::STRUCT,
            SymKind::Stream | SymKind::Instance => K::EVENT,
            _ => K::CLASS,
        };
        let it = with_docs(
            item(&d.name, kind, &d.detail),
            d.doc.clone().unwrap_or_default(),
        );
        out.push(it);
    }
    out
}

const QUERY_KEYWORDS: &[&str] = &[
    "define", "create", "select", "from", "into", "where", "group", "by", "having", "window",
    "stream", "operator", "script", "pipeline", "peer", "tumbling", "with", "end", "args", "state",
    "set", "each",
];
const SCRIPT_KEYWORDS: &[&str] = &[
    "let",
    "const",
    "fn",
    "use",
    "match",
    "of",
    "case",
    "when",
    "for",
    "patch",
    "merge",
    "insert",
    "upsert",
    "update",
    "erase",
    "move",
    "copy",
    "default",
    "emit",
    "drop",
    "present",
    "absent",
    "and",
    "or",
    "xor",
    "not",
    "true",
    "false",
    "null",
    "event",
    "state",
    "recur",
    "intrinsic",
    "end",
    "with",
    "into",
];

/// Anywhere else: keywords, names in scope, `use`d modules, `aggr`.
fn general(doc: &Document, offset: usize) -> Vec<lsp::CompletionItem> {
    let mut out = visible(doc, offset, |k| {
        matches!(k, SymKind::Local | SymKind::Const | SymKind::Function)
    });
    for f in out.iter_mut().filter(|i| i.kind == Some(K::FUNCTION)) {
        let params = f
            .detail
            .as_deref()
            .and_then(|d| d.split_once('('))
            .and_then(|(_, r)| r.split_once(')'));
        if let Some((p, _)) = params {
            let args: Vec<String> = p
                .split(", ")
                .filter(|p| !p.is_empty() && *p != "...")
                .enumerate()
                .map(|(n, p)| format!("${{{}:{p}}}", n + 1))
                .collect();
            f.insert_text = Some(format!("{}({})", f.label, args.join(", ")));
            f.insert_text_format = Some(lsp::InsertTextFormat::SNIPPET);
        }
    }
    for f in catalog::unbound_natives() {
        let it = item(f.name, K::FUNCTION, "built-in");
        out.push(with_docs(
            snippet(it, format!("{}()", f.name)),
            catalog::native_markdown(f),
        ));
    }
    for u in &doc.analysis.index.uses {
        if !out.iter().any(|i| i.label == u.alias) {
            out.push(item(&u.alias, K::MODULE, u.path.join("::")));
        }
    }
    if doc.kind == super::analysis::Kind::Query {
        out.push(item("aggr", K::MODULE, "aggregate functions"));
        for k in QUERY_KEYWORDS {
            out.push(item(*k, K::KEYWORD, ""));
        }
    }
    for k in SCRIPT_KEYWORDS {
        if !out.iter().any(|i| i.label == *k) {
            out.push(item(*k, K::KEYWORD, ""));
        }
    }
    out
}

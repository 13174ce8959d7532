//! One piece of input (a line, a multi-line block, a `:load`ed file) split into its
//! statements, each with its own source text, sorted by what the session does with it.

use crate::syntax::lex;
use trickle_grammar::ast::{Definition, Stmt};
use trickle_grammar::lexer::Token;
use trickle_grammar::ParseError;

/// What a statement is to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `use`, `fn`, `const`, `intrinsic`: kept as source text and recompiled with every line.
    Decl,
    /// `define`, `create`, `select`: part of the session query.
    Query,
    /// An expression, `let`, `emit` or `drop`: evaluated now.
    Expr,
}

/// A statement and its text.
#[derive(Debug, Clone)]
pub struct Part {
    pub kind: Kind,
    /// From just after the previous statement's `;` up to and including its own `;`
    /// (so doc comments stay with what they document).
    pub text: String,
    /// `let ...`: its value is not printed.
    pub is_let: bool,
    /// `fn NAME` / `const NAME`: a later declaration of the same name replaces it.
    pub key: Option<String>,
}

/// The statements of `text`, or the parse errors (spans in file 0).
pub fn split(text: &str) -> Result<Vec<Part>, Vec<ParseError>> {
    let module = trickle_grammar::parse_module(text, 0)?;
    let semis: Vec<usize> = lex(text)
        .tokens
        .iter()
        .filter(|t| t.kind == Token::Semi)
        .map(|t| t.end)
        .collect();
    let mut parts = Vec::new();
    let mut from = 0;
    for stmt in &module.stmts {
        let end = stmt_end(stmt);
        // The separator after the statement, if any (the last one may lack it).
        let to = semis
            .iter()
            .copied()
            .find(|s| *s > end)
            .unwrap_or(text.len())
            .max(from);
        let (kind, is_let) = match stmt {
            Stmt::Use(_) | Stmt::Fn(_) | Stmt::Const(_) | Stmt::Intrinsic(_) => (Kind::Decl, false),
            Stmt::Define(_) | Stmt::Create(_) | Stmt::Select(_) => (Kind::Query, false),
            Stmt::Expr(e) => (
                Kind::Expr,
                matches!(e.kind, trickle_grammar::ast::ExprKind::Let(..)),
            ),
        };
        let key = match stmt {
            Stmt::Fn(f) => Some(format!("fn {}", f.name.name)),
            Stmt::Intrinsic(i) => Some(format!("fn {}", i.name.name)),
            Stmt::Const(c) => Some(format!("const {}", c.name.name)),
            _ => None,
        };
        parts.push(Part {
            kind,
            text: text[from..to].to_string(),
            is_let,
            key,
        });
        from = to;
    }
    Ok(parts)
}

/// Appends statement texts to a session text, keeping statements separated: a
/// statement without its own `;` gets one on a new line (a trailing `# comment`
/// would swallow one on the same line).
pub fn append(session: &mut String, part: &str) {
    session.push_str(part);
    let ends_with_semi = lex(part)
        .tokens
        .last()
        .is_some_and(|t| t.kind == Token::Semi);
    if !ends_with_semi {
        session.push_str("\n;");
    }
    session.push('\n');
}

/// The end offset of a statement's span (a `use` statement's is its last item's).
fn stmt_end(stmt: &Stmt) -> usize {
    let span = match stmt {
        Stmt::Use(items) => return items.iter().map(|i| i.span.end as usize).max().unwrap_or(0),
        Stmt::Const(c) => c.span,
        Stmt::Fn(f) => f.span,
        Stmt::Intrinsic(i) => i.span,
        Stmt::Define(d) => match d {
            Definition::Window(w) => w.span,
            Definition::Operator(o) => o.span,
            Definition::Script(s) => s.span,
            Definition::Pipeline(p) => p.span,
            Definition::Peer(p) => p.span,
        },
        Stmt::Create(c) => c.span,
        Stmt::Select(s) => s.span,
        Stmt::Expr(e) => e.span,
    };
    span.end as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_kind_with_separators() {
        let parts = split("use std::string; let x = 1; x + 1").unwrap();
        let kinds: Vec<_> = parts.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![Kind::Decl, Kind::Expr, Kind::Expr]);
        assert_eq!(parts[0].text, "use std::string;");
        assert_eq!(parts[1].text, " let x = 1;");
        assert!(parts[1].is_let);
        assert_eq!(parts[2].text, " x + 1");
        assert!(!parts[2].is_let);
    }

    #[test]
    fn nested_use_and_fn_bodies_keep_their_inner_semicolons() {
        let src = "use std::{string, array};\nfn f(x) with let y = x; y end;\nselect event from in into out;";
        let parts = split(src).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].text, "use std::{string, array};");
        assert_eq!(parts[1].text, "\nfn f(x) with let y = x; y end;");
        assert_eq!(parts[2].kind, Kind::Query);
        assert_eq!(parts[1].key.as_deref(), Some("fn f"));
        assert_eq!(parts[0].key, None);
    }

    #[test]
    fn append_separates_statements() {
        let mut s = String::new();
        append(&mut s, "use std::string # why");
        append(&mut s, "const A = 1;");
        assert_eq!(s, "use std::string # why\n;\nconst A = 1;\n");
        assert!(trickle_grammar::parse_module(&s, 0).is_ok());
    }

    #[test]
    fn parse_errors_come_back() {
        assert!(split("1 +").is_err());
    }
}

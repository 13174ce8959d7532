//! `trickle fmt`: one canonical layout for queries and scripts.
//!
//! The formatter reads the lossless tokens of [`crate::syntax`], regroups them into atoms
//! (strings, heredocs and extractors verbatim; comments with the line breaks before them),
//! builds a layout document from the shapes that matter (statements, brackets, blocks
//! closed by `end`, select clauses, definition sections) and prints it within 100
//! columns. Two guarantees are checked on every run rather than hoped for: the output
//! lexes to the same tokens (a trailing comma before a closing bracket aside) and the same
//! comments in the same order, so formatting never changes meaning or loses a comment.
//!
//! The style: two spaces of indentation inside `define ... end`, `match`, `for`,
//! `patch` and `fn` blocks; one statement per line; spaces around binary operators
//! and after commas and colons; brackets laid out flat when they fit and one element
//! per line with a trailing comma when they do not; `with` arguments one per line when
//! there are several; select clauses on one line when the statement fits, else one
//! clause per line; long `and` / `or` chains broken before each operator; at most one
//! blank line kept where the source had blank lines.

mod atoms;
mod build;
mod diff;
mod doc;
mod query;

pub use diff::unified as diff;

use crate::diag::{codes, Diagnostic};
use crate::syntax;
use trickle_grammar::lexer::Token;

/// The widest line the layout aims for.
pub const WIDTH: usize = 100;

/// What a file holds (from its extension: `.trickle` a query, `.tremor` a script).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Query,
    Script,
}

impl Kind {
    /// The kind for a file name, `None` when it is neither `.trickle` nor `.tremor`.
    pub fn from_path(path: &std::path::Path) -> Option<Kind> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("trickle") => Some(Kind::Query),
            Some("tremor") => Some(Kind::Script),
            _ => None,
        }
    }
}

/// Formats `text`. Errors: the diagnostics of a text that does not parse (spans in file 0).
pub fn format(text: &str, kind: Kind) -> Result<String, Vec<Diagnostic>> {
    // Queries and scripts share one grammar; the kind only names what the file is.
    let _ = kind;
    let parsed = syntax::parse(text, 0);
    if !parsed.errors.is_empty() {
        return Err(parsed.errors.into_iter().map(Diagnostic::from).collect());
    }
    let lossless = syntax::lex(text);
    let atoms = atoms::atoms(&lossless);
    let layout = build::Builder::new(&atoms).module();
    let out = doc::print(&layout, WIDTH);
    check_same(text, &out)?;
    Ok(out)
}

/// The tokens that carry meaning: every token but a comma right before a closing bracket.
fn meaning(l: &syntax::Lossless<'_>) -> Vec<Token> {
    let toks: Vec<&Token> = l.tokens.iter().map(|t| &t.kind).collect();
    let mut out = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        let before_close = matches!(
            toks.get(i + 1),
            Some(Token::RParen | Token::RBracket | Token::RBrace)
        );
        if **t == Token::Comma && before_close {
            continue;
        }
        out.push((*t).clone());
    }
    out
}

/// Refuses an output that would change meaning or comments (a formatter bug, never the
/// user's): the file is then left as it is, with a diagnostic saying why.
fn check_same(input: &str, output: &str) -> Result<(), Vec<Diagnostic>> {
    let (a, b) = (syntax::lex(input), syntax::lex(output));
    let same = b.error.is_none()
        && meaning(&a) == meaning(&b)
        && a.comments() == b.comments()
        && syntax::parse(output, 0).errors.is_empty();
    if same {
        return Ok(());
    }
    let first_line = input.find('\n').unwrap_or(input.len());
    let span = trickle_grammar::Span::new(0, 0, first_line);
    Err(vec![Diagnostic::error(
        codes::FMT_UNSAFE,
        "the formatter would change this file's meaning or comments; it is left as it is",
        span,
    )
    .with_help(
        "please report this file: it is a bug in `trickle fmt`",
    )])
}

#[cfg(test)]
mod tests;

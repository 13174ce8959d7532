//! When is a piece of input complete? Multi-line input continues while something
//! is open: a bracket, a `match`/`for`/`patch`/`merge`/`fn`/`define ... end` block,
//! a heredoc, or a query statement that has not reached its `;`.
//!
//! Instead of counting keywords by hand (which `merge` inside `patch`, or `fn` after
//! `intrinsic`, would fool), the input is run through the real lexer and parser: it
//! is open exactly when they stop at the end of the text asking for more. Any other
//! error means the input is complete (and wrong), so it is submitted and the error
//! shown instead of waiting forever.

use crate::syntax::{lex, parse};
use trickle_grammar::ast::Stmt;
use trickle_grammar::lexer::{LexErrorKind, Token};

/// The parser's code for "Unexpected end of stream".
const UNEXPECTED_EOF: &str = "E0005";

/// Whether `text` is ready to be evaluated (`false`: read another line).
pub fn is_complete(text: &str) -> bool {
    let trimmed = text.trim();
    // Commands are one line; blank input is nothing to wait for.
    if trimmed.is_empty() || trimmed.starts_with(':') {
        return true;
    }
    let lexed = lex(text);
    // A heredoc runs over lines (its opening `"""` waits for the newline); an
    // extractor may continue with `\`-newline.
    if let Some(e) = &lexed.error {
        let open = match e.kind {
            LexErrorKind::UnterminatedHereDoc | LexErrorKind::UnterminatedExtractor => {
                e.end >= text.len()
            }
            LexErrorKind::TailingHereDoc => text.ends_with("\"\"\""),
            _ => false,
        };
        return !open;
    }
    let last = lexed.tokens.last().map(|t| &t.kind);
    let parsed = parse(text, 0);
    if !parsed.errors.is_empty() {
        return !parsed.errors.iter().any(|e| e.code == UNEXPECTED_EOF);
    }
    // A query statement ends at its `;`, so it can be spread over lines.
    let query_last = parsed.module.as_ref().is_some_and(|m| {
        matches!(
            m.stmts.last(),
            Some(Stmt::Define(_) | Stmt::Create(_) | Stmt::Select(_))
        )
    });
    !query_last || last == Some(&Token::Semi)
}

#[cfg(test)]
mod tests {
    use super::is_complete;

    #[test]
    fn simple_expressions_are_complete() {
        assert!(is_complete("1 + 2"));
        assert!(is_complete("let x = 1"));
        assert!(is_complete(""));
        assert!(is_complete(":help"));
        assert!(is_complete("event.a # comment"));
    }

    #[test]
    fn open_brackets_and_blocks_continue() {
        assert!(!is_complete("[1, 2,"));
        assert!(!is_complete("{\"a\": "));
        assert!(!is_complete("match event of"));
        assert!(!is_complete("match event of\n  case 1 => \"one\""));
        assert!(is_complete(
            "match event of\n  case 1 => \"one\"\n  case _ => \"other\"\nend"
        ));
        assert!(!is_complete("for [1, 2] of\n case (i, e) => e"));
        assert!(!is_complete("patch event of\n merge => {}"));
        assert!(is_complete("patch event of\n merge => {}\nend"));
        assert!(!is_complete("fn f(x) with"));
        assert!(is_complete("fn f(x) with\n x + 1\nend"));
        assert!(is_complete("intrinsic fn f(x) as string::len"));
    }

    #[test]
    fn heredocs_continue_until_closed() {
        assert!(!is_complete("\"\"\"\nabc"));
        assert!(!is_complete("\"\"\""));
        assert!(!is_complete("let x = \"\"\""));
        assert!(is_complete("\"\"\" x"));
        assert!(is_complete("\"\"\"\nabc\n\"\"\""));
    }

    #[test]
    fn query_statements_need_their_semicolon() {
        assert!(!is_complete("select event from in"));
        assert!(!is_complete("select event from in into out"));
        assert!(is_complete("select event from in into out;"));
        assert!(!is_complete("define window w from tumbling\nwith size = 2"));
        assert!(!is_complete(
            "define window w from tumbling\nwith size = 2 end"
        ));
        assert!(is_complete(
            "define window w from tumbling\nwith size = 2 end;"
        ));
        assert!(is_complete("create stream s;"));
    }

    #[test]
    fn errors_are_complete_so_they_get_reported() {
        assert!(is_complete("[1 2"));
        assert!(is_complete("\"abc"));
        assert!(is_complete("1 +* 2"));
        assert!(is_complete("end"));
    }
}

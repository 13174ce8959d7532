//! Continuation lines at the terminal: Enter on unfinished input starts the next
//! line indented, so it is visible that the input goes on (rustyline has no
//! continuation prompt, and a highlighter may not change the text's width).
//!
//! The indent is typed into the input itself: spaces between tokens mean nothing
//! to the language. Inside a heredoc (or an extractor) they would be part of the
//! text, so there the next line starts bare.

use super::validate::is_complete;
use crate::syntax::lex;
use rustyline::{Cmd, ConditionalEventHandler, Event, EventContext, RepeatCount};
use trickle_grammar::lexer::Token;

/// Spaces per open bracket or block.
const STEP: usize = 2;
/// Deeper nesting than this is not indented further (the line stays usable).
const MAX_DEPTH: usize = 8;

/// The indent starting the line after unfinished `text`: one step per open
/// bracket or `end`-terminated block, at least one (a query statement waiting for
/// its `;` has nothing open). `None` inside a heredoc or extractor.
pub fn next_line_indent(text: &str) -> Option<String> {
    let mut depth = 0i64;
    let mut prev_define = false;
    let lexed = lex(text);
    // The only lexical errors unfinished input has are the open heredoc and
    // extractor; any other would have made it complete.
    if lexed.error.is_some() {
        return None;
    }
    for tok in lexed.tokens.iter().map(|t| &t.kind) {
        match *tok {
            Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::PctParen
            | Token::PctBracket
            | Token::PctBrace
            // `match`/`for`/`patch`/`merge ... of`, `fn ... with`, `with ... end`
            | Token::Of
            | Token::With => depth += 1,
            Token::Script | Token::Pipeline if prev_define => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace | Token::End => depth -= 1,
            _ => {}
        }
        if !matches!(tok, Token::DocComment(_)) {
            prev_define = *tok == Token::Define;
        }
    }
    let depth = usize::try_from(depth).unwrap_or(0).clamp(1, MAX_DEPTH);
    Some(" ".repeat(STEP * depth))
}

/// Bound to Enter: on unfinished input with the cursor at its end, a newline and
/// the indent; otherwise rustyline's own Enter (validate, then submit or break
/// the line).
pub struct IndentOnEnter;

impl ConditionalEventHandler for IndentOnEnter {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let line = ctx.line();
        let at_end = line
            .get(ctx.pos()..)
            .is_some_and(|rest| rest.trim().is_empty());
        if !at_end || is_complete(line) {
            return None;
        }
        let indent = next_line_indent(line)?;
        Some(Cmd::Insert(1, format!("\n{indent}")))
    }
}

#[cfg(test)]
mod tests {
    use super::next_line_indent;

    fn indent(text: &str) -> Option<usize> {
        next_line_indent(text).map(|s| s.len())
    }

    #[test]
    fn one_step_per_open_block_or_bracket() {
        assert_eq!(indent("match event of"), Some(2));
        assert_eq!(indent("match event of\n  case 1 => ["), Some(4));
        assert_eq!(
            indent("match event of\n  case 1 => match 2 of\n    case 2 => 3\n  end"),
            Some(2)
        );
        assert_eq!(indent("fn f(x) with"), Some(2));
        assert_eq!(indent("{\"a\": [1,"), Some(4));
        assert_eq!(indent("define script s\nscript"), Some(2));
        assert_eq!(indent("patch event of\n  merge \"a\" => {"), Some(4));
    }

    #[test]
    fn a_waiting_query_statement_gets_one_step() {
        assert_eq!(indent("select event from in"), Some(2));
        assert_eq!(
            indent("define window w from tumbling\nwith size = 2 end"),
            Some(2)
        );
        assert_eq!(indent("[1] ]]]"), Some(2));
    }

    #[test]
    fn heredocs_are_not_indented() {
        assert_eq!(indent("let x = \"\"\""), None);
        assert_eq!(indent("\"\"\"\nabc"), None);
    }

    #[test]
    fn nesting_is_capped() {
        assert_eq!(indent(&"[".repeat(50)), Some(16));
    }
}

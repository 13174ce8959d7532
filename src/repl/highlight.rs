//! Syntax highlighting from the shared lossless syntax layer ([`crate::syntax`]): every
//! token is coloured by its [`TokenClass`], comments in the trivia as comments, other
//! trivia (spaces) kept as is; after a lexical error (an unfinished string while typing)
//! the rest stays plain.

use crate::syntax::{lex, TriviaKind};
use trickle_grammar::lexer::{Token, TokenClass};

const RESET: &str = "\x1b[0m";

fn color(class: TokenClass) -> Option<&'static str> {
    match class {
        TokenClass::Keyword => Some("\x1b[1;35m"),
        TokenClass::Literal => Some("\x1b[36m"),
        TokenClass::String => Some("\x1b[32m"),
        TokenClass::Comment => Some("\x1b[2;37m"),
        TokenClass::Operator => Some("\x1b[33m"),
        TokenClass::Identifier => None,
    }
}

fn paint(out: &mut String, class: TokenClass, text: &str) {
    match color(class) {
        Some(c) if !text.is_empty() => {
            out.push_str(c);
            out.push_str(text);
            out.push_str(RESET);
        }
        _ => out.push_str(text),
    }
}

fn trivia(out: &mut String, line: &str, tr: &crate::syntax::Trivia) {
    let text = &line[tr.start..tr.end];
    match tr.kind {
        TriviaKind::Comment => paint(out, TokenClass::Comment, text),
        TriviaKind::Whitespace | TriviaKind::Unlexed => out.push_str(text),
    }
}

/// `line` with ANSI colours; the visible text is unchanged.
pub fn highlight(line: &str) -> String {
    if line.trim_start().starts_with(':') {
        return command(line);
    }
    let mut out = String::with_capacity(line.len() * 2);
    let l = lex(line);
    for tok in &l.tokens {
        for tr in &tok.leading {
            trivia(&mut out, line, tr);
        }
        let class = match tok.kind {
            // A `$` root reads like a keyword (`event`, `state`).
            Token::Dollar => TokenClass::Keyword,
            ref t => t.class(),
        };
        paint(&mut out, class, &line[tok.start..tok.end]);
    }
    for tr in &l.trailing {
        trivia(&mut out, line, tr);
    }
    out
}

/// A `:command` and its argument.
fn command(line: &str) -> String {
    let end = line
        .char_indices()
        .skip_while(|(_, c)| c.is_whitespace())
        .find(|(_, c)| c.is_whitespace())
        .map_or(line.len(), |(i, _)| i);
    format!("\x1b[1;34m{}{RESET}{}", &line[..end], &line[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn colours_by_class_and_keeps_text() {
        let line = "match event.a of case 1 => \"one #{x}\" # note\nend";
        let h = highlight(line);
        assert_eq!(strip(&h), line);
        assert!(h.contains("\x1b[1;35mmatch\x1b[0m"), "{h:?}");
        assert!(h.contains("\x1b[36m1\x1b[0m"), "{h:?}");
        assert!(h.contains("\x1b[32m"), "strings: {h:?}");
        assert!(h.contains("\x1b[2;37m# note"), "comments: {h:?}");
        assert!(h.contains("\x1b[33m=>\x1b[0m"), "operators: {h:?}");
    }

    #[test]
    fn unfinished_input_is_kept() {
        for line in ["\"abc", "let x = [1, ", "\"\"\"\nabc", "`x", "1e5"] {
            assert_eq!(strip(&highlight(line)), line);
        }
        let c = highlight(":event {\"a\":1}");
        assert_eq!(strip(&c), ":event {\"a\":1}");
        assert!(c.starts_with("\x1b[1;34m:event\x1b[0m"));
    }
}

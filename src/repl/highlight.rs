//! Syntax highlighting from the real lexer: every token is coloured by its
//! [`TokenClass`]; the text between tokens (spaces) is kept as is, and after a
//! lexical error (an unfinished string while typing) the rest stays plain.

use trickle_grammar::lexer::{tokens, Token, TokenClass};

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

/// `line` with ANSI colours; the visible text is unchanged.
pub fn highlight(line: &str) -> String {
    if line.trim_start().starts_with(':') {
        return command(line);
    }
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = 0;
    for tok in tokens(line) {
        let Ok((start, tok, end)) = tok else { break };
        // Tokens come in order; anything else would be a lexer bug, not worth a panic.
        if start < at || end > line.len() || end < start {
            break;
        }
        out.push_str(&line[at..start]);
        let text = &line[start..end];
        let class = match tok {
            // A `$` root reads like a keyword (`event`, `state`).
            Token::Dollar => TokenClass::Keyword,
            t => t.class(),
        };
        match color(class) {
            Some(c) if !text.is_empty() => {
                out.push_str(c);
                out.push_str(text);
                out.push_str(RESET);
            }
            _ => out.push_str(text),
        }
        at = end;
    }
    out.push_str(&line[at..]);
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

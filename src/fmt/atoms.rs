//! The formatter's input: the lossless tokens regrouped into atoms. A string or heredoc
//! (with its interpolations) is one atom kept verbatim, so the formatter can never change
//! its content; comments and doc comments become atoms of their own that remember how
//! many line breaks came before them, so they stay on their own line or at the end of
//! the line they were on, and a blank line before them survives.

use crate::syntax::{Lossless, TriviaKind};
use trickle_grammar::lexer::Token;

/// One unit the layout places.
#[derive(Debug, Clone, PartialEq)]
pub enum AtomKind {
    /// A token; strings and heredocs are `StrStart` / `HeredocStart` standing for the whole literal.
    Tok(Token),
    /// A `#` comment, `##` doc comment or `###` module doc: always followed by a line break.
    Comment,
}

#[derive(Debug, Clone)]
pub struct Atom {
    pub kind: AtomKind,
    /// The source text (verbatim; comments without trailing spaces).
    pub text: String,
    /// Line breaks in the whitespace right before the atom.
    pub breaks: usize,
}

impl Atom {
    pub fn tok(&self) -> Option<&Token> {
        match &self.kind {
            AtomKind::Tok(t) => Some(t),
            AtomKind::Comment => None,
        }
    }
    pub fn is_comment(&self) -> bool {
        self.kind == AtomKind::Comment
    }
}

/// Regroups the tokens of `l` (which lexed without error) into atoms.
pub fn atoms(l: &Lossless<'_>) -> Vec<Atom> {
    let mut out = Vec::with_capacity(l.tokens.len());
    let mut breaks = 0;
    let trivia = |out: &mut Vec<Atom>, breaks: &mut usize, tr: &crate::syntax::Trivia| {
        let text = l.slice(tr.start, tr.end);
        match tr.kind {
            TriviaKind::Comment => {
                out.push(Atom {
                    kind: AtomKind::Comment,
                    text: text.trim_end().to_string(),
                    breaks: *breaks,
                });
                *breaks = 0;
            }
            _ => *breaks += text.matches('\n').count(),
        }
    };
    let mut i = 0;
    while i < l.tokens.len() {
        let t = &l.tokens[i];
        for tr in &t.leading {
            trivia(&mut out, &mut breaks, tr);
        }
        let (kind, end, next) = match &t.kind {
            Token::StrStart | Token::HeredocStart => {
                let (end, next) = string_end(l, i);
                (AtomKind::Tok(t.kind.clone()), end, next)
            }
            Token::DocComment(_) | Token::ModDoc(_) => (AtomKind::Comment, t.end, i + 1),
            k => (AtomKind::Tok(k.clone()), t.end, i + 1),
        };
        let text = l.slice(t.start, end);
        let text = if kind == AtomKind::Comment {
            text.trim_end()
        } else {
            text
        };
        out.push(Atom {
            kind,
            text: text.to_string(),
            breaks,
        });
        breaks = 0;
        i = next;
    }
    for tr in &l.trailing {
        trivia(&mut out, &mut breaks, tr);
    }
    out
}

/// The end offset of the string starting at token `i`, and the index after its last token.
fn string_end(l: &Lossless<'_>, i: usize) -> (usize, usize) {
    let mut depth = 0usize;
    for (j, t) in l.tokens.iter().enumerate().skip(i) {
        match t.kind {
            Token::StrStart | Token::HeredocStart => depth += 1,
            Token::StrEnd | Token::HeredocEnd => {
                depth -= 1;
                if depth == 0 {
                    return (t.end, j + 1);
                }
            }
            _ => {}
        }
    }
    // Unreachable for text that lexed: every string is closed.
    let last = l.tokens.last().map_or(l.text.len(), |t| t.end);
    (last, l.tokens.len())
}

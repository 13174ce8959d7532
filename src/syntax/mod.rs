//! The lossless syntax layer every tool reads: the real lexer's tokens, each with the
//! source text before it (whitespace, comments, blank lines) as trivia, so the text can
//! be rebuilt byte for byte; and a parse that recovers at statement boundaries and
//! inside blocks (script sections, `fn`, `case`, `patch`, records, pipeline bodies).
//!
//! The grammar's lexer skips whitespace and `#` comments, so trivia is exactly the text
//! between consecutive token spans: nothing is lexed twice or a second way. Positions are
//! byte offsets into the text.

use trickle_grammar::lexer::{LexError, Lexer, Token};
use trickle_grammar::{ast, ParseError};

/// What a piece of trivia is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriviaKind {
    /// Spaces, tabs and line breaks.
    Whitespace,
    /// A `#` comment up to (not including) the end of its line.
    Comment,
    /// Text after a lexical error, which the lexer did not read.
    Unlexed,
}

/// A piece of trivia: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trivia {
    pub kind: TriviaKind,
    pub start: usize,
    pub end: usize,
}

/// A token with the trivia before it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxToken {
    pub kind: Token,
    pub start: usize,
    pub end: usize,
    pub leading: Vec<Trivia>,
}

/// The whole text as tokens and trivia; concatenating them gives the text back.
#[derive(Debug, Clone)]
pub struct Lossless<'a> {
    pub text: &'a str,
    pub tokens: Vec<SyntaxToken>,
    /// Trivia after the last token (and, after a lexical error, the unread rest).
    pub trailing: Vec<Trivia>,
    /// The lexical error that stopped the lexer, if any.
    pub error: Option<LexError>,
}

impl Lossless<'_> {
    /// The source text of a token or a piece of trivia.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        &self.text[start..end]
    }

    /// Rebuilds the text from the pieces (equals the input: the property the layer keeps).
    pub fn rebuild(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for t in &self.tokens {
            for tr in &t.leading {
                out.push_str(self.slice(tr.start, tr.end));
            }
            out.push_str(self.slice(t.start, t.end));
        }
        for tr in &self.trailing {
            out.push_str(self.slice(tr.start, tr.end));
        }
        out
    }

    /// Every comment (trivia `#` comments and `##` / `###` doc comments) in order, as text.
    pub fn comments(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for t in &self.tokens {
            for tr in &t.leading {
                if tr.kind == TriviaKind::Comment {
                    out.push(self.slice(tr.start, tr.end).trim_end());
                }
            }
            if matches!(t.kind, Token::DocComment(_) | Token::ModDoc(_)) {
                out.push(self.slice(t.start, t.end).trim_end());
            }
        }
        for tr in &self.trailing {
            if tr.kind == TriviaKind::Comment {
                out.push(self.slice(tr.start, tr.end).trim_end());
            }
        }
        out
    }
}

/// Splits `text[start..end]` (text between tokens: whitespace and `#` comments) into trivia.
fn split_trivia(text: &str, start: usize, end: usize, out: &mut Vec<Trivia>) {
    let mut at = start;
    while at < end {
        let rest = &text[at..end];
        let (kind, len) = if rest.starts_with('#') {
            // A comment runs to the end of its line; a `\r` before the `\n` stays whitespace.
            let len = rest.find('\n').unwrap_or(rest.len());
            let len = rest[..len].trim_end_matches('\r').len();
            (TriviaKind::Comment, len)
        } else {
            let len = rest.find('#').unwrap_or(rest.len());
            (TriviaKind::Whitespace, len)
        };
        out.push(Trivia {
            kind,
            start: at,
            end: at + len,
        });
        at += len;
    }
}

/// Lexes `text` losslessly: tokens with their leading trivia, stopping at the first
/// lexical error (the rest is kept as [`TriviaKind::Unlexed`]).
pub fn lex(text: &str) -> Lossless<'_> {
    let mut tokens = Vec::new();
    let mut at = 0;
    let mut error = None;
    for item in Lexer::new(text) {
        match item {
            Ok((start, kind, end)) => {
                // The lexer yields tokens in order; guard anyway so a bug cannot panic here.
                if start < at || end < start || end > text.len() {
                    break;
                }
                let mut leading = Vec::new();
                split_trivia(text, at, start, &mut leading);
                tokens.push(SyntaxToken {
                    kind,
                    start,
                    end,
                    leading,
                });
                at = end;
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let mut trailing = Vec::new();
    match &error {
        Some(e) => {
            let stop = e.start.clamp(at, text.len());
            split_trivia(text, at, stop, &mut trailing);
            if stop < text.len() {
                trailing.push(Trivia {
                    kind: TriviaKind::Unlexed,
                    start: stop,
                    end: text.len(),
                });
            }
        }
        None => split_trivia(text, at, text.len(), &mut trailing),
    }
    Lossless {
        text,
        tokens,
        trailing,
        error,
    }
}

/// A parse that goes on after errors: the tree of every statement that parsed (a
/// statement with a syntax error is skipped up to its `;`; inside a block only the broken
/// expression, field or patch operation is), and the errors in source order.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// `None` only when a lexical error stopped the parser before it could finish.
    pub module: Option<ast::Module>,
    pub errors: Vec<ParseError>,
}

/// Parses `text` (a query, script or module) with recovery; `file` goes into every span.
pub fn parse(text: &str, file: u32) -> Parsed {
    let (module, errors) = trickle_grammar::parse_module_recovering(text, file);
    Parsed { module, errors }
}

/// Parses `text` for the compiler: the tree, or every syntax error as a diagnostic.
pub fn parse_module(text: &str, file: u32) -> Result<ast::Module, Vec<crate::diag::Diagnostic>> {
    match parse(text, file) {
        Parsed {
            module: Some(m),
            errors,
        } if errors.is_empty() => Ok(m),
        Parsed { errors, .. } => Err(errors.into_iter().map(Into::into).collect()),
    }
}

#[cfg(test)]
mod tests;

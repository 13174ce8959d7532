//! The lexer: logos for the plain tokens, a hand-written layer for the
//! context-sensitive parts (strings with nested interpolation, heredocs, extractor
//! literals, backtick identifiers, comments and doc comments, `#!config`).
//!
//! Strings become a flat token stream the grammar can read:
//! `StrStart StrLit("a ") InterpStart <expr tokens> InterpEnd StrEnd`.
//! [`Lexer`] yields `(start, Token, end)` triples, the form lalrpop's external lexer
//! interface expects; [`Token::class`] classifies tokens for highlighting and
//! [`tokens`] is the stream with comments kept.
//!
//! Choices where the language reference is silent (following Tremor's lexer):
//! heredocs decode the same escapes as strings; in extractor rules only `\|` and
//! `\`-newline are special (`\d` stays `\d` for regexes), a raw newline ends the
//! literal with an error, and continued lines are joined with `\n`; `#` inside an
//! interpolation starts a comment; after the first lexical error the stream ends.

mod error;
mod scan;
mod token;

pub use error::{LexError, LexErrorKind};
pub use token::{ExtractorTok, RawError, Token, TokenClass};

use logos::Logos;
use std::collections::VecDeque;

/// The deepest bracket / interpolation nesting accepted.
pub const MAX_NESTING: usize = 200;

/// The deepest an expression may nest counting operators too: `1 + 1 + ... + 1`
/// is a tree as deep as it is long, and the later stages recurse over it.
pub const MAX_EXPR_DEPTH: usize = 500;

/// A token with its byte range.
pub type Spanned = (usize, Token, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrKind {
    Plain,
    Heredoc,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Ordinary code. `interp` is the offset of the `#{` when this is an interpolation;
    /// `depth` counts the open `{` so the matching `}` ends it.
    Code { depth: u32, interp: Option<usize> },
    /// Inside a string or heredoc that opened at `start`.
    Str { kind: StrKind, start: usize },
}

/// The token iterator.
pub struct Lexer<'a> {
    src: &'a str,
    /// Where scanning resumes when `logos` is `None`.
    pos: usize,
    /// The logos lexer and the offset of the slice it runs on.
    logos: Option<(usize, logos::Lexer<'a, Token>)>,
    modes: Vec<Mode>,
    pending: VecDeque<Spanned>,
    keep_comments: bool,
    done: bool,
    /// Open brackets (of any kind) and strings.
    nesting: usize,
    /// Expression depth estimate, see [`Depth`].
    depth: Depth,
}

/// What opened a level of [`Depth`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opener {
    Bracket,
    /// `match`, `for`, `merge`: closed by `end`.
    Block,
    /// `patch`: closed by `end`; a `merge` inside it is an operation, not a block.
    Patch,
}

/// An upper bound on how deep the expression tree at the cursor is: open levels
/// (brackets and blocks) plus the operators seen on each open level since its last
/// separator (`,` `;` `case` `of` `when` `=>`), since a chain of operators nests.
#[derive(Debug, Default)]
struct Depth {
    /// Enclosing levels with their operator counts.
    levels: Vec<(Opener, usize)>,
    /// Operators on the current level.
    ops: usize,
    /// Operators on all open levels, the current one included.
    total: usize,
}

impl Depth {
    fn value(&self) -> usize {
        self.levels.len() + self.total
    }
    fn open(&mut self, opener: Opener) {
        self.levels.push((opener, self.ops));
        self.ops = 0;
    }
    fn close(&mut self) {
        self.total -= self.ops;
        self.ops = self.levels.pop().map_or(0, |(_, ops)| ops);
    }
    fn separate(&mut self) {
        self.total -= self.ops;
        self.ops = 0;
    }
    fn operator(&mut self) {
        self.ops += 1;
        self.total += 1;
    }
    /// Accounts for `tok`; false when the bound is exceeded.
    fn step(&mut self, tok: &Token) -> bool {
        let top = self.levels.last().map(|(o, _)| *o);
        match tok {
            Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::PctBrace
            | Token::PctBracket
            | Token::PctParen => self.open(Opener::Bracket),
            Token::RParen | Token::RBracket | Token::RBrace => {
                // Blocks left open inside the brackets (a syntax error) close with them.
                while matches!(self.levels.last(), Some((o, _)) if *o != Opener::Bracket) {
                    self.close();
                }
                self.close();
            }
            Token::Match | Token::For => self.open(Opener::Block),
            Token::Merge if top != Some(Opener::Patch) => self.open(Opener::Block),
            Token::Patch => self.open(Opener::Patch),
            Token::End if matches!(top, Some(Opener::Block | Opener::Patch)) => self.close(),
            Token::Comma | Token::Semi | Token::Case | Token::Of | Token::When | Token::Arrow => {
                self.separate()
            }
            Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Percent
            | Token::Amp
            | Token::Caret
            | Token::Bang
            | Token::Not
            | Token::And
            | Token::Or
            | Token::Xor
            | Token::EqEq
            | Token::NotEq
            | Token::Lt
            | Token::Lte
            | Token::Gt
            | Token::Gte
            | Token::LShift
            | Token::RShift
            | Token::RShiftU
            | Token::TildeEq => self.operator(),
            _ => {}
        }
        self.value() <= MAX_EXPR_DEPTH
    }
}

impl<'a> Lexer<'a> {
    /// A lexer for the parser (comments are skipped).
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            pos: 0,
            logos: None,
            modes: vec![Mode::Code {
                depth: 0,
                interp: None,
            }],
            pending: VecDeque::new(),
            keep_comments: false,
            done: false,
            nesting: 0,
            depth: Depth::default(),
        }
    }

    /// A lexer that also yields [`Token::Comment`] tokens (for highlighting).
    pub fn with_comments(src: &'a str) -> Self {
        let mut l = Lexer::new(src);
        l.keep_comments = true;
        l
    }

    fn fail(
        &mut self,
        kind: LexErrorKind,
        start: usize,
        end: usize,
    ) -> Option<Result<Spanned, LexError>> {
        self.done = true;
        self.pending.clear();
        Some(Err(LexError::new(kind, start, end)))
    }

    /// Moves the cursor for the hand-written layer (the logos lexer restarts there).
    fn seek(&mut self, pos: usize) {
        self.logos = None;
        self.pos = pos;
    }

    /// The next logos token in code mode; `None` at the end of the input.
    fn raw_next(&mut self) -> Option<Result<Spanned, LexError>> {
        let src = self.src;
        let pos = self.pos;
        let (base, lex) = self
            .logos
            .get_or_insert_with(|| (pos, Token::lexer(&src[pos..])));
        let base = *base;
        let Some(res) = lex.next() else {
            if let Some(Mode::Code {
                interp: Some(start),
                ..
            }) = self.modes.last()
            {
                let start = *start;
                return self.fail(LexErrorKind::UnterminatedInterpolation, start, src.len());
            }
            self.done = true;
            return None;
        };
        let span = lex.span();
        let (s, e) = (base + span.start, base + span.end);
        let kind = match res {
            Ok(t) => return Some(Ok((s, t, e))),
            Err(RawError::Unexpected) => {
                let c = src[s..].chars().next().unwrap_or('\0');
                let e = s + c.len_utf8().max(1);
                return self.fail(LexErrorKind::UnexpectedCharacter(c), s, e);
            }
            Err(RawError::InvalidInt) => LexErrorKind::InvalidIntLiteral,
            Err(RawError::InvalidHex) => LexErrorKind::InvalidHexLiteral,
            Err(RawError::InvalidFloat) => LexErrorKind::InvalidFloatLiteral,
        };
        self.fail(kind, s, e)
    }

    fn next_code(&mut self) -> Option<Result<Spanned, LexError>> {
        loop {
            let (s, tok, e) = match self.raw_next()? {
                Ok(t) => t,
                Err(err) => return Some(Err(err)),
            };
            match tok {
                Token::LParen
                | Token::LBracket
                | Token::LBrace
                | Token::PctBrace
                | Token::PctBracket
                | Token::PctParen
                | Token::Quote
                | Token::TripleQuote => {
                    self.nesting += 1;
                    if self.nesting > MAX_NESTING {
                        return self.fail(LexErrorKind::TooDeep, s, e);
                    }
                }
                Token::RParen | Token::RBracket | Token::RBrace => {
                    self.nesting = self.nesting.saturating_sub(1);
                }
                _ => {}
            }
            if tok == Token::Hash {
                match self.hash(s) {
                    Some(r) => return Some(r),
                    None => continue,
                }
            }
            let res = self.special(s, tok, e);
            if res.is_err() {
                self.done = true;
            }
            // After `special`, so the `}` that ends an interpolation (now `InterpEnd`)
            // is not taken for a bracket.
            if let Ok((s, tok, e)) = &res {
                if !self.depth.step(tok) {
                    return self.fail(LexErrorKind::TooComplex, *s, *e);
                }
            }
            return Some(res);
        }
    }

    /// Turns the marker tokens into strings, identifiers and extractors, and tracks
    /// the braces that end an interpolation.
    fn special(&mut self, s: usize, tok: Token, e: usize) -> Result<Spanned, LexError> {
        let err = |kind, end| Err(LexError::new(kind, s, end));
        match tok {
            Token::Quote => {
                self.modes.push(Mode::Str {
                    kind: StrKind::Plain,
                    start: s,
                });
                self.seek(e);
                Ok((s, Token::StrStart, e))
            }
            Token::TripleQuote => {
                let rest = &self.src[e..];
                let nl = if rest.starts_with('\n') {
                    1
                } else if rest.starts_with("\r\n") {
                    2
                } else {
                    return err(LexErrorKind::TailingHereDoc, e);
                };
                self.modes.push(Mode::Str {
                    kind: StrKind::Heredoc,
                    start: s,
                });
                self.seek(e + nl);
                Ok((s, Token::HeredocStart, e + nl))
            }
            Token::Backtick => match scan::backtick(self.src, e) {
                Ok((name, end)) => {
                    self.seek(end);
                    Ok((s, Token::Ident(name), end))
                }
                Err(end) => err(LexErrorKind::UnterminatedIdentLiteral, end),
            },
            // `grok |...|`: Tremor's lexer allows blanks between the name and the `|`
            // (no operator is spelled `|`, so this cannot take anything else's place).
            // With blanks, only a rule closed on the same line makes an extractor: `a | b`
            // stays a (rejected, with a hint) use of the `|` operator.
            Token::Ident(kind) if blanks_then_bar(&self.src[e..]).is_some() => {
                let blanks = blanks_then_bar(&self.src[e..]).unwrap_or(0);
                match scan::extractor(self.src, e + blanks + 1) {
                    Ok((rule, end)) => {
                        self.seek(end);
                        Ok((s, Token::Extractor(ExtractorTok { kind, rule }), end))
                    }
                    Err(_) if blanks > 0 => Ok((s, Token::Ident(kind), e)),
                    Err(end) => err(LexErrorKind::UnterminatedExtractor, end),
                }
            }
            Token::LBrace | Token::PctBrace => {
                if let Some(Mode::Code { depth, .. }) = self.modes.last_mut() {
                    *depth += 1;
                }
                Ok((s, tok, e))
            }
            Token::RBrace => {
                if let Some(Mode::Code { depth, interp }) = self.modes.last_mut() {
                    if *depth == 0 && interp.is_some() {
                        self.modes.pop();
                        self.seek(e);
                        return Ok((s, Token::InterpEnd, e));
                    }
                    *depth = depth.saturating_sub(1);
                }
                Ok((s, tok, e))
            }
            t => Ok((s, t, e)),
        }
    }

    /// Handles `#` at `s`: a comment (skipped unless kept), `##`, `###` or `#!config`.
    fn hash(&mut self, s: usize) -> Option<Result<Spanned, LexError>> {
        let rest = &self.src[s..];
        let eol = rest.find('\n').map_or(self.src.len(), |i| s + i);
        let line = self.src[s..eol].trim_end_matches('\r');
        let text = |skip: usize| {
            let t = &line[skip..];
            t.strip_prefix(' ').unwrap_or(t).to_string()
        };
        if line.starts_with("###") {
            self.seek(eol);
            return Some(Ok((s, Token::ModDoc(text(3)), s + line.len())));
        }
        if line.starts_with("##") {
            self.seek(eol);
            return Some(Ok((s, Token::DocComment(text(2)), s + line.len())));
        }
        if let Some(after) = line.strip_prefix("#!") {
            let word: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if word == "config" {
                let end = s + 2 + word.len();
                self.seek(end);
                return Some(Ok((s, Token::ConfigDirective, end)));
            }
            let end = s + 2 + word.len();
            return self.fail(LexErrorKind::InvalidPP(format!("#!{word}")), s, end);
        }
        self.seek(eol);
        if self.keep_comments {
            return Some(Ok((s, Token::Comment(text(1)), s + line.len())));
        }
        None
    }

    /// Scans string or heredoc content from the cursor up to the next interpolation or the end.
    fn next_str(&mut self, kind: StrKind, start: usize) -> Option<Result<Spanned, LexError>> {
        let from = self.pos;
        match scan::string_part(self.src, from, kind == StrKind::Heredoc) {
            Ok(scan::Part { text, end, stop }) => {
                if !text.is_empty() {
                    self.pending.push_back((from, Token::StrLit(text), end));
                }
                match stop {
                    scan::Stop::Close(len) => {
                        self.modes.pop();
                        self.nesting = self.nesting.saturating_sub(1);
                        let tok = match kind {
                            StrKind::Plain => Token::StrEnd,
                            StrKind::Heredoc => Token::HeredocEnd,
                        };
                        self.pending.push_back((end, tok, end + len));
                        self.seek(end + len);
                    }
                    scan::Stop::Interp => {
                        self.nesting += 1;
                        if self.nesting > MAX_NESTING {
                            return self.fail(LexErrorKind::TooDeep, end, end + 2);
                        }
                        self.pending.push_back((end, Token::InterpStart, end + 2));
                        self.modes.push(Mode::Code {
                            depth: 0,
                            interp: Some(end),
                        });
                        self.seek(end + 2);
                    }
                }
                self.pending.pop_front().map(Ok)
            }
            Err(scan::StrError::Escape(c, s, e)) => {
                let kind = if c == 'u' {
                    LexErrorKind::InvalidUtf8Sequence
                } else {
                    LexErrorKind::UnexpectedEscapeCode(c)
                };
                self.fail(kind, s, e)
            }
            Err(scan::StrError::EmptyInterp(s, e)) => {
                self.fail(LexErrorKind::EmptyInterpolation, s, e)
            }
            Err(scan::StrError::Unterminated(end)) => {
                let k = match kind {
                    StrKind::Plain => LexErrorKind::UnterminatedString,
                    StrKind::Heredoc => LexErrorKind::UnterminatedHereDoc,
                };
                self.fail(k, start, end)
            }
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Spanned, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(t) = self.pending.pop_front() {
            return Some(Ok(t));
        }
        if self.done {
            return None;
        }
        match self.modes.last().copied() {
            Some(Mode::Str { kind, start }) => self.next_str(kind, start),
            _ => self.next_code(),
        }
    }
}

/// All tokens of `src` (comments included), stopping at the first lexical error.
pub fn tokens(src: &str) -> impl Iterator<Item = Result<Spanned, LexError>> + '_ {
    Lexer::with_comments(src)
}

#[cfg(test)]
mod tests;

/// The offset of a `|` that follows `rest`'s leading spaces and tabs, if one does.
fn blanks_then_bar(rest: &str) -> Option<usize> {
    let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[blanks..].starts_with('|').then_some(blanks)
}

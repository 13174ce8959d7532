//! Lexer, parser and syntax tree of trickle queries and tremor-script programs.
//!
//! `parse_module` is the one entry point the compiler uses; `lexer` is public so the
//! REPL can highlight with the real tokens.

pub mod ast;
pub mod lexer;
mod parser;
pub mod suggest;

pub use ast::Span;

/// A lexical or syntax error, with everything a diagnostic needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Stable error code, `E0xxx` (see the registry in the main crate's `diag::codes`).
    pub code: &'static str,
    /// The Tremor error kind this corresponds to, e.g. `UnrecognizedToken`.
    pub kind: &'static str,
    /// The message, e.g. "Found the token `7` but expected one of `\"`, `\"\"\"`".
    pub message: String,
    /// The exact offending construct.
    pub span: Span,
    /// A hint such as "Did you mean to use a string?".
    pub hint: Option<String>,
}

impl ParseError {
    /// True when the input merely stopped too early (an unfinished statement, heredoc or
    /// interpolation), so a REPL can ask for another line instead of reporting it.
    pub fn is_incomplete_input(&self) -> bool {
        matches!(
            self.kind,
            "UnexpectedEndOfStream" | "UnterminatedHereDoc" | "UnterminatedInterpolation"
        )
    }
}

/// Parses a whole file (script, query or module). `file` is stored in every span.
///
/// On failure the errors are in source order. After a syntax error the parser skips to
/// the next `;` (inside a script section, `fn` or `case` body: the next `;`, `case` or
/// `end` of that block) and goes on, so errors in later statements and in the rest of
/// the block are reported too; elsewhere errors that are consequences of an error inside
/// a block are dropped up to the `;` after that block's `end`. A lexical error ends parsing.
pub fn parse_module(src: &str, file: u32) -> Result<ast::Module, Vec<ParseError>> {
    match parse_module_recovering(src, file) {
        (Some(m), errors) if errors.is_empty() => Ok(m),
        (_, errors) => Err(errors),
    }
}

/// Parses like [`parse_module`] but also returns the tree the parser recovered: every
/// statement that parsed, with a statement that did not replaced by a `drop` placeholder
/// spanning the skipped text. The tree is `None` when parsing could not finish.
pub fn parse_module_recovering(src: &str, file: u32) -> (Option<ast::Module>, Vec<ParseError>) {
    let tokens = lexer::Lexer::new(src).map(|r| r.map_err(parser::helpers::PError::Lex));
    let mut recovered = Vec::new();
    let res = parser::grammar::ModuleParser::new().parse(file, &mut recovered, tokens);
    let mut errors: Vec<(ParseError, i64)> = recovered
        .into_iter()
        .map(|(r, resumed_at)| (parser::errors::convert(r.error, src, file), resumed_at))
        .collect();
    if let Err(e) = res.as_ref() {
        errors.push((parser::errors::convert(e.clone(), src, file), 0));
    }
    let errors = if errors.is_empty() {
        Vec::new()
    } else {
        parser::errors::prune_cascades(errors, src)
    };
    (res.ok(), errors)
}

#[cfg(test)]
mod tests;

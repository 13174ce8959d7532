//! Lexer, parser and syntax tree of trickle queries and tremor-script programs.
//!
//! `parse_module` is the one entry point the compiler uses; `lexer` is public so the
//! REPL can highlight with the real tokens.

pub mod ast;

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

/// Parses a whole file (script, query or module). `file` is stored in every span.
pub fn parse_module(src: &str, file: u32) -> Result<ast::Module, Vec<ParseError>> {
    let _ = (src, file);
    Err(vec![ParseError {
        code: "E0001",
        kind: "ParserError",
        message: "the parser is being built".into(),
        span: Span::default(),
        hint: None,
    }])
}

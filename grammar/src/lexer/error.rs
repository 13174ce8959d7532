//! Lexical errors.

/// What went wrong while lexing.
#[derive(Debug, Clone, PartialEq)]
pub enum LexErrorKind {
    /// A character no token starts with.
    UnexpectedCharacter(char),
    /// `"abc` without the closing quote on the same line.
    UnterminatedString,
    /// `"""` without the closing `"""`.
    UnterminatedHereDoc,
    /// `"""` followed by something other than a newline.
    TailingHereDoc,
    /// `#{` without its `}`.
    UnterminatedInterpolation,
    /// `#{}`.
    EmptyInterpolation,
    /// `kind|rule` without the closing `|`.
    UnterminatedExtractor,
    /// `` `abc `` without the closing backtick.
    UnterminatedIdentLiteral,
    /// `\x` in a string for an unsupported `x`.
    UnexpectedEscapeCode(char),
    /// `\uXXXX` that is not a Unicode scalar value.
    InvalidUtf8Sequence,
    InvalidHexLiteral,
    InvalidIntLiteral,
    InvalidFloatLiteral,
    /// `#!foo`: an unknown preprocessor directive.
    InvalidPP(String),
    /// Brackets nested deeper than [`super::MAX_NESTING`] (protects the later stages'
    /// recursion from overflowing the stack).
    TooDeep,
    /// Operators, brackets and `match`/`for`/`patch`/`merge` blocks nested (along one
    /// path of the expression tree) deeper than [`super::MAX_EXPR_DEPTH`]: a long
    /// operator chain nests as deeply as brackets do.
    TooComplex,
}

/// A lexical error with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub start: usize,
    pub end: usize,
}

impl LexError {
    pub(crate) fn new(kind: LexErrorKind, start: usize, end: usize) -> Self {
        LexError { kind, start, end }
    }

    /// The diagnostic code (see the main crate's `diag::codes`).
    pub fn code(&self) -> &'static str {
        use LexErrorKind::*;
        match self.kind {
            UnexpectedCharacter(_) => "E0013",
            UnterminatedString => "E0006",
            UnterminatedHereDoc => "E0007",
            TailingHereDoc => "E0008",
            UnterminatedInterpolation => "E0009",
            EmptyInterpolation => "E0010",
            UnterminatedExtractor => "E0011",
            UnterminatedIdentLiteral => "E0012",
            UnexpectedEscapeCode(_) => "E0014",
            InvalidUtf8Sequence => "E0015",
            InvalidHexLiteral => "E0016",
            InvalidIntLiteral => "E0017",
            InvalidFloatLiteral => "E0018",
            InvalidPP(_) => "E0019",
            TooDeep | TooComplex => "E0001",
        }
    }

    /// The Tremor error kind name.
    pub fn kind_name(&self) -> &'static str {
        use LexErrorKind::*;
        match self.kind {
            UnexpectedCharacter(_) => "UnexpectedCharacter",
            UnterminatedString => "UnterminatedStringLiteral",
            UnterminatedHereDoc => "UnterminatedHereDoc",
            TailingHereDoc => "TailingHereDoc",
            UnterminatedInterpolation => "UnterminatedInterpolation",
            EmptyInterpolation => "EmptyInterpolation",
            UnterminatedExtractor => "UnterminatedExtractor",
            UnterminatedIdentLiteral => "UnterminatedIdentLiteral",
            UnexpectedEscapeCode(_) => "UnexpectedEscapeCode",
            InvalidUtf8Sequence => "InvalidUtf8Sequence",
            InvalidHexLiteral => "InvalidHexLiteral",
            InvalidIntLiteral => "InvalidIntLiteral",
            InvalidFloatLiteral => "InvalidFloatLiteral",
            InvalidPP(_) => "InvalidPP",
            TooDeep | TooComplex => "ParserError",
        }
    }

    /// The message, following Tremor's texts.
    pub fn message(&self) -> String {
        use LexErrorKind::*;
        match &self.kind {
            UnexpectedCharacter(c) => format!("Unexpected character `{c}`"),
            UnterminatedString => "Unterminated string".into(),
            UnterminatedHereDoc => "Unterminated heredoc".into(),
            TailingHereDoc => {
                "It looks like you have characters tailing the here doc opening, it needs to be followed by a newline".into()
            }
            UnterminatedInterpolation => "Unterminated String interpolation".into(),
            EmptyInterpolation => "Empty interpolation".into(),
            UnterminatedExtractor => "The extractor is not terminated".into(),
            UnterminatedIdentLiteral => "The identifier is not terminated".into(),
            UnexpectedEscapeCode(c) => format!("Unexpected escape code `\\{c}`"),
            InvalidUtf8Sequence => "An invalid UTF8 escape sequence was found".into(),
            InvalidHexLiteral => "An invalid hexadecimal was found".into(),
            InvalidIntLiteral => "An invalid integer literal was found".into(),
            InvalidFloatLiteral => "An invalid float literal was found".into(),
            InvalidPP(d) => format!("Invalid preprocessor directive `{d}`"),
            TooDeep => format!(
                "Expressions are nested too deeply (more than {} levels)",
                super::MAX_NESTING
            ),
            TooComplex => format!(
                "Expressions are nested too deeply (more than {} levels of operators and blocks)",
                super::MAX_EXPR_DEPTH
            ),
        }
    }

    /// A hint for fixing the error.
    pub fn hint(&self) -> Option<String> {
        use LexErrorKind::*;
        Some(match &self.kind {
            // Tremor's own texts for these errors.
            UnterminatedString => {
                "It looks like you forgot to terminate a string with a closing '\"'".into()
            }
            UnterminatedHereDoc => {
                "It looks like you forgot to terminate a here doc with with a closing '\"\"\"'"
                    .into()
            }
            UnterminatedInterpolation => {
                "It looks like you forgot to terminate a string interpolation with a closing '}'"
                    .into()
            }
            EmptyInterpolation => {
                "You have an interpolation without content. An interpolation needs an expression inside `#{ }`; use `\\#` for a literal `#`"
                    .into()
            }
            UnterminatedExtractor => {
                "It looks like you forgot to terminate an extractor with a closing '|'".into()
            }
            UnterminatedIdentLiteral => {
                "It looks like you forgot to terminate an ident with a closing '`'. You might have a trailing ` (back tick) in your identifier".into()
            }
            UnexpectedCharacter(c) => format!("An unexpected character '{c}' was found"),
            UnexpectedEscapeCode(c) => {
                format!("An unexpected escape code '{c}' was found. ")
                    + "Valid escapes are `\\\"` `\\\\` `\\#` `\\b` `\\f` `\\n` `\\r` `\\t` and `\\uXXXX`"
            }
            InvalidIntLiteral => "Integer literals must fit into 64 bits".into(),
            InvalidFloatLiteral => {
                "Floats need a digit before and after the dot, e.g. `1.0e5` rather than `1e5`"
                    .into()
            }
            InvalidHexLiteral => {
                "Hexadecimal literals are written `0x` followed by hex digits".into()
            }
            InvalidPP(_) => "The only directive is `#!config`".into(),
            _ => return None,
        })
    }
}

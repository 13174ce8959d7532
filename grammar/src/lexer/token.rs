//! The token type. The plain tokens are recognised by logos; the variants without a
//! logos attribute (string pieces, doc comments, extractors, ...) are produced by the
//! hand-written layer in [`super::Lexer`], which also turns the marker tokens
//! (`Quote`, `Backtick`, `Hash`, ...) into them.

use logos::Logos;
use std::fmt;

/// An extractor literal `kind|rule|`, with escapes and continuation lines processed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractorTok {
    pub kind: String,
    pub rule: String,
}

/// Error kinds logos can report from its callbacks (numbers); the driver maps them.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum RawError {
    /// A character no token starts with.
    #[default]
    Unexpected,
    InvalidInt,
    InvalidHex,
    InvalidFloat,
}

/// A token of trickle / tremor-script.
#[derive(Logos, Debug, Clone, PartialEq)]
#[logos(error = RawError)]
#[logos(skip r"[ \t\r\n\f\u{feff}]+")]
pub enum Token {
    // -- keywords --------------------------------------------------------
    #[token("let")]
    Let,
    #[token("const")]
    Const,
    #[token("match")]
    Match,
    #[token("of")]
    Of,
    #[token("end")]
    End,
    #[token("case")]
    Case,
    #[token("when")]
    When,
    #[token("for")]
    For,
    #[token("null")]
    #[token("nil")]
    Null,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("xor")]
    Xor,
    #[token("not")]
    Not,
    #[token("drop")]
    Drop,
    #[token("emit")]
    Emit,
    #[token("default")]
    Default,
    #[token("patch")]
    Patch,
    #[token("insert")]
    Insert,
    #[token("upsert")]
    Upsert,
    #[token("update")]
    Update,
    #[token("erase")]
    Erase,
    #[token("move")]
    Move,
    #[token("copy")]
    Copy,
    #[token("merge")]
    Merge,
    #[token("event")]
    Event,
    #[token("state")]
    State,
    #[token("present")]
    Present,
    #[token("absent")]
    Absent,
    #[token("fn")]
    Fn,
    #[token("intrinsic")]
    Intrinsic,
    #[token("mod")]
    Mod,
    #[token("select")]
    Select,
    #[token("from")]
    From,
    #[token("where")]
    Where,
    #[token("with")]
    With,
    #[token("group")]
    Group,
    #[token("by")]
    By,
    #[token("having")]
    Having,
    #[token("into")]
    Into,
    #[token("create")]
    Create,
    #[token("tumbling")]
    Tumbling,
    #[token("sliding")]
    Sliding,
    #[token("window")]
    Window,
    #[token("stream")]
    Stream,
    #[token("operator")]
    Operator,
    #[token("script")]
    Script,
    #[token("set")]
    Set,
    #[token("each")]
    Each,
    #[token("define")]
    Define,
    #[token("args")]
    Args,
    #[token("use")]
    Use,
    #[token("as")]
    As,
    #[token("recur")]
    Recur,
    #[token("pipeline")]
    Pipeline,
    #[token("connector")]
    Connector,
    #[token("connect")]
    Connect,
    #[token("flow")]
    Flow,
    #[token("to")]
    To,
    #[token("deploy")]
    Deploy,

    // -- identifiers and numbers -----------------------------------------
    /// An identifier; for `` `a b` `` the text between the backticks.
    #[regex(r"\p{XID_Start}\p{XID_Continue}*", |l| l.slice().to_string())]
    Ident(String),
    #[regex(r"[0-9][0-9_]*", parse_int)]
    #[regex(r"0x[0-9a-fA-F_]+", parse_hex)]
    #[token("0x", bad_hex)]
    Int(u64),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?", parse_float)]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+", bad_float)]
    Float(f64),

    // -- operators and punctuation ---------------------------------------
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<=")]
    Lte,
    #[token(">=")]
    Gte,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    /// `<<`: a left shift or the start of a bytes literal (the grammar decides).
    #[token("<<")]
    LShift,
    /// `>>`: a signed right shift or the end of a bytes literal.
    #[token(">>")]
    RShift,
    #[token(">>>")]
    RShiftU,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("&")]
    Amp,
    #[token("^")]
    Caret,
    #[token("!")]
    Bang,
    #[token("|")]
    Bar,
    #[token("=")]
    Assign,
    #[token("=>")]
    Arrow,
    #[token("~=")]
    TildeEq,
    #[token("~")]
    Tilde,
    #[token("%{")]
    PctBrace,
    #[token("%[")]
    PctBracket,
    #[token("%(")]
    PctParen,
    #[token("::")]
    ColonColon,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(",")]
    Comma,
    #[token("...")]
    Ellipsis,
    #[token(".")]
    Dot,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("$")]
    Dollar,
    #[token("_")]
    Underscore,

    // -- markers the driver replaces -------------------------------------
    /// `"` (the driver scans the string and emits `StrStart`...`StrEnd`).
    #[token("\"")]
    Quote,
    /// `"""` (heredoc start).
    #[token("\"\"\"")]
    TripleQuote,
    /// `` ` `` (quoted identifier start).
    #[token("`")]
    Backtick,
    /// `#`: comment, `##` doc, `###` module doc or `#!` directive.
    #[token("#")]
    Hash,

    // -- produced by the driver ------------------------------------------
    /// `"` opening a string.
    StrStart,
    /// `"` closing a string.
    StrEnd,
    /// `"""` plus the newline opening a heredoc.
    HeredocStart,
    /// `"""` closing a heredoc.
    HeredocEnd,
    /// Literal text inside a string or heredoc, escapes decoded.
    StrLit(String),
    /// `#{` inside a string.
    InterpStart,
    /// `}` closing an interpolation.
    InterpEnd,
    /// `## text` (one line; the text without `##` and one following space).
    DocComment(String),
    /// `### text` (one line).
    ModDoc(String),
    /// `#!config`.
    ConfigDirective,
    /// `kind|rule|`.
    Extractor(ExtractorTok),
    /// `# text`; only produced when the lexer keeps comments (highlighting).
    Comment(String),
}

fn strip_underscores(s: &str) -> String {
    s.chars().filter(|c| *c != '_').collect()
}

fn parse_int(l: &mut logos::Lexer<Token>) -> Result<u64, RawError> {
    strip_underscores(l.slice())
        .parse()
        .map_err(|_| RawError::InvalidInt)
}

fn parse_hex(l: &mut logos::Lexer<Token>) -> Result<u64, RawError> {
    let digits = strip_underscores(&l.slice()[2..]);
    if digits.is_empty() {
        return Err(RawError::InvalidHex);
    }
    u64::from_str_radix(&digits, 16).map_err(|_| RawError::InvalidHex)
}

fn bad_hex(_: &mut logos::Lexer<Token>) -> Result<u64, RawError> {
    Err(RawError::InvalidHex)
}

fn bad_float(_: &mut logos::Lexer<Token>) -> Result<f64, RawError> {
    Err(RawError::InvalidFloat)
}

fn parse_float(l: &mut logos::Lexer<Token>) -> Result<f64, RawError> {
    strip_underscores(l.slice())
        .parse()
        .map_err(|_| RawError::InvalidFloat)
}

/// How a token should be highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenClass {
    Keyword,
    /// Numbers, `true`, `false`, `null`, extractor literals.
    Literal,
    /// String and heredoc pieces (delimiters, text, interpolation markers).
    String,
    /// Comments, doc comments, `#!config`.
    Comment,
    /// Operators and punctuation.
    Operator,
    Identifier,
}

impl Token {
    /// The highlighting class of the token.
    pub fn class(&self) -> TokenClass {
        use Token::*;
        match self {
            Null | True | False | Int(_) | Float(_) | Extractor(_) => TokenClass::Literal,
            Ident(_) | Backtick => TokenClass::Identifier,
            Quote | TripleQuote | StrStart | StrEnd | HeredocStart | HeredocEnd | StrLit(_)
            | InterpStart | InterpEnd => TokenClass::String,
            Hash | DocComment(_) | ModDoc(_) | ConfigDirective | Comment(_) => TokenClass::Comment,
            t if t.keyword().is_some() => TokenClass::Keyword,
            _ => TokenClass::Operator,
        }
    }

    /// The keyword text if the token is a keyword (including `true`/`false`/`null`).
    pub fn keyword(&self) -> Option<&'static str> {
        use Token::*;
        Some(match self {
            Let => "let",
            Const => "const",
            Match => "match",
            Of => "of",
            End => "end",
            Case => "case",
            When => "when",
            For => "for",
            Null => "null",
            True => "true",
            False => "false",
            And => "and",
            Or => "or",
            Xor => "xor",
            Not => "not",
            Drop => "drop",
            Emit => "emit",
            Default => "default",
            Patch => "patch",
            Insert => "insert",
            Upsert => "upsert",
            Update => "update",
            Erase => "erase",
            Move => "move",
            Copy => "copy",
            Merge => "merge",
            Event => "event",
            State => "state",
            Present => "present",
            Absent => "absent",
            Fn => "fn",
            Intrinsic => "intrinsic",
            Mod => "mod",
            Select => "select",
            From => "from",
            Where => "where",
            With => "with",
            Group => "group",
            By => "by",
            Having => "having",
            Into => "into",
            Create => "create",
            Tumbling => "tumbling",
            Sliding => "sliding",
            Window => "window",
            Stream => "stream",
            Operator => "operator",
            Script => "script",
            Set => "set",
            Each => "each",
            Define => "define",
            Args => "args",
            Use => "use",
            As => "as",
            Recur => "recur",
            Pipeline => "pipeline",
            Connector => "connector",
            Connect => "connect",
            Flow => "flow",
            To => "to",
            Deploy => "deploy",
            _ => return None,
        })
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Token::*;
        if let Some(k) = self.keyword() {
            return f.write_str(k);
        }
        let s = match self {
            Ident(s) => return write!(f, "{s}"),
            Int(i) => return write!(f, "{i}"),
            Float(x) => return write!(f, "{x:?}"),
            StrLit(s) => return write!(f, "{s}"),
            DocComment(s) => return write!(f, "##{s}"),
            ModDoc(s) => return write!(f, "###{s}"),
            Comment(s) => return write!(f, "#{s}"),
            Extractor(e) => return write!(f, "{}|{}|", e.kind, e.rule),
            EqEq => "==",
            NotEq => "!=",
            Lte => "<=",
            Gte => ">=",
            Lt => "<",
            Gt => ">",
            LShift => "<<",
            RShift => ">>",
            RShiftU => ">>>",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            Amp => "&",
            Caret => "^",
            Bang => "!",
            Bar => "|",
            Assign => "=",
            Arrow => "=>",
            TildeEq => "~=",
            Tilde => "~",
            PctBrace => "%{",
            PctBracket => "%[",
            PctParen => "%(",
            ColonColon => "::",
            Colon => ":",
            Semi => ";",
            Comma => ",",
            Ellipsis => "...",
            Dot => ".",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Dollar => "$",
            Underscore => "_",
            Quote | StrStart | StrEnd => "\"",
            TripleQuote | HeredocStart | HeredocEnd => "\"\"\"",
            Backtick => "`",
            Hash => "#",
            InterpStart => "#{",
            InterpEnd => "}",
            ConfigDirective => "#!config",
            _ => "?",
        };
        f.write_str(s)
    }
}

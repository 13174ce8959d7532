//! The syntax tree of trickle queries and tremor-script programs.
//!
//! One tree for both: a `.tremor` script is a [`Module`] whose statements are
//! `use`, `const`, `fn`, `intrinsic` and expressions; a `.trickle` query adds
//! `define`, `create` and `select`. Every node carries a [`Span`].
//! Nothing here is resolved: identifiers are names, calls are paths.

/// A byte range in one source file. `file` is the id the caller passed to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: u32, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An identifier (`foo`, or `` `any text` ``; the backticks are not part of `name`).
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `a::b::c`: a possibly module-qualified name. `segments` is never empty; the last one is the item.
#[derive(Debug, Clone, PartialEq)]
pub struct QualName {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl QualName {
    /// The item name (last segment).
    pub fn name(&self) -> &str {
        &self.segments.last().expect("non-empty").name
    }
    /// The module path (all but the last segment).
    pub fn module(&self) -> &[Ident] {
        &self.segments[..self.segments.len() - 1]
    }
    /// `a::b::c` as written.
    pub fn joined(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("::")
    }
}

// ---------------------------------------------------------------------------
// Modules and statements
// ---------------------------------------------------------------------------

/// A whole file: `###` module doc, `#!config` directives, then statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// `### text` lines at the start of the file, joined with `\n`.
    pub doc: Option<String>,
    /// `#!config id = expr` directives at the start of the query.
    pub config: Vec<ConfigDirective>,
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

/// `#!config key = expr`
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDirective {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A top-level statement of a script, query or module file.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `use a::b [as c];` / `use a::{b as x, c::{d}};` (flattened to one entry per module)
    Use(Vec<UseItem>),
    /// `## doc` `const NAME = expr;`
    Const(ConstDef),
    /// `fn f(a, b) with ... end`, `fn f(a, ...) with ... end`, `fn f(a) of case ... end`
    Fn(FnDef),
    /// `intrinsic fn f(a, b) as mod::f;`
    Intrinsic(IntrinsicDef),
    /// `define window|operator|script|pipeline|peer ...`
    Define(Definition),
    /// `create stream|operator|script|pipeline|peer ...`
    Create(Creation),
    /// `select ... from ... into ...`
    Select(Box<Select>),
    /// An expression statement of a script (including `let`, `emit`, `drop`).
    Expr(Expr),
}

/// One module brought into scope by `use`.
#[derive(Debug, Clone, PartialEq)]
pub struct UseItem {
    /// `a::b` (full path from the root of the module path).
    pub path: Vec<Ident>,
    /// `as c`; when absent the alias is the last path segment.
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConstDef {
    pub doc: Option<String>,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FnDef {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<Ident>,
    /// A trailing `...` in the parameter list.
    pub variadic: bool,
    pub body: FnBody,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FnBody {
    /// `with e1; e2 end` (statements separated by `;` or `,` as the grammar allows); the last value is the result.
    Exprs(Vec<Expr>),
    /// `of case (p1, p2) when g => ... case _ => ... end`: each case's pattern is a
    /// [`Pattern::Tuple`] over the arguments, or [`Pattern::Default`].
    Match(Vec<Case>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicDef {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<Ident>,
    pub variadic: bool,
    /// The built-in it binds, e.g. `string::len`.
    pub target: QualName,
    pub span: Span,
}

// ---------------------------------------------------------------------------
// Query statements
// ---------------------------------------------------------------------------

/// A declared argument: `args a, b = 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgDecl {
    pub name: Ident,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `k = expr` in a `with` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct WithParam {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Definition {
    Window(DefineWindow),
    Operator(DefineOperator),
    Script(DefineScript),
    Pipeline(Box<DefinePipeline>),
    Peer(DefinePeer),
}

/// `define window w from tumbling [with k = v, ...] [state expr] [script from tick ...] [script ...] end`
#[derive(Debug, Clone, PartialEq)]
pub struct DefineWindow {
    pub doc: Option<String>,
    pub name: Ident,
    /// `tumbling` or `sliding`.
    pub kind: Ident,
    pub with: Vec<WithParam>,
    pub state: Option<Expr>,
    /// `script from <port> ...` blocks (only `tick` is valid; the compiler checks).
    pub port_scripts: Vec<PortScript>,
    /// `use`, `const`, `fn`, `intrinsic` of the main `script` section. A definition
    /// body is its own scope: these, and those of its port scripts, are all it sees.
    pub decls: Vec<Stmt>,
    pub script: Option<Vec<Expr>>,
    pub span: Span,
}

/// `define operator o from mod::kind [args ...] [with k = v, ... end]`
#[derive(Debug, Clone, PartialEq)]
pub struct DefineOperator {
    pub doc: Option<String>,
    pub name: Ident,
    pub kind: QualName,
    pub args: Vec<ArgDecl>,
    pub with: Vec<WithParam>,
    pub span: Span,
}

/// `script from <port> exprs`
#[derive(Debug, Clone, PartialEq)]
pub struct PortScript {
    pub port: Ident,
    /// The section's `use`, `const`, `fn` and `intrinsic` statements.
    pub decls: Vec<Stmt>,
    pub body: Vec<Expr>,
    pub span: Span,
}

/// `define script s [args ...] [state expr] (script from port ...)* script ... end`
#[derive(Debug, Clone, PartialEq)]
pub struct DefineScript {
    pub doc: Option<String>,
    pub name: Ident,
    pub args: Vec<ArgDecl>,
    pub state: Option<Expr>,
    pub port_scripts: Vec<PortScript>,
    /// `use`, `const`, `fn`, `intrinsic` of the main `script` section (see [`DefineWindow::decls`]).
    pub decls: Vec<Stmt>,
    pub script: Vec<Expr>,
    pub span: Span,
}

/// `define pipeline p [from i1, i2] [into o1, o2] [args ...] pipeline [#!config ...] stmts end`
#[derive(Debug, Clone, PartialEq)]
pub struct DefinePipeline {
    pub doc: Option<String>,
    pub name: Ident,
    pub from: Option<Vec<Ident>>,
    pub into: Option<Vec<Ident>>,
    pub args: Vec<ArgDecl>,
    pub config: Vec<ConfigDirective>,
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

/// `define peer p from kind [args ...] [with codec = ..., interceptors = [...], config = {...} end]`
#[derive(Debug, Clone, PartialEq)]
pub struct DefinePeer {
    pub doc: Option<String>,
    pub name: Ident,
    pub kind: Ident,
    pub args: Vec<ArgDecl>,
    pub with: Vec<WithParam>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateKind {
    Stream,
    Operator,
    Script,
    Pipeline,
    Peer,
}

/// `create stream s` or `create <kind> id [from target] [with k = v, ... end]`
#[derive(Debug, Clone, PartialEq)]
pub struct Creation {
    pub kind: CreateKind,
    pub name: Ident,
    /// `from target` (`name` or `mod::name`); defaults to `name`. Always `None` for streams.
    pub target: Option<QualName>,
    pub with: Vec<WithParam>,
    pub span: Span,
}

/// `node[/port]` in `from` or `into`.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRef {
    pub node: Ident,
    pub port: Option<Ident>,
    pub span: Span,
}

/// `select target from X[/p] [w1, m::w2] [where e] [group by g] into Y[/p] [having e]`
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub target: Expr,
    pub from: StreamRef,
    pub windows: Vec<QualName>,
    pub where_: Option<Expr>,
    pub group_by: Option<GroupBy>,
    pub into: StreamRef,
    pub having: Option<Expr>,
    pub span: Span,
}

/// `group by` forms; they nest.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupBy {
    /// `expr`
    Expr(Expr),
    /// `set(g1, g2, ...)`
    Set(Vec<GroupBy>, Span),
    /// `each(expr)`
    Each(Expr, Span),
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`/`nil`, `true`, `false`, `42`, `0x2a`, `1_000`, `4.2`, `1.0e5`
    Literal(Literal),
    /// `"a #{b} c"` or a heredoc `"""\n...\n"""`
    String(StrLit),
    /// `<< e1:8/unsigned_integer, e2 >>`
    Bytes(Vec<BytesPart>),
    /// `{"k": v, "#{x}": w}`
    Record(Vec<RecordField>),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `event.a[1]`, `$meta`, `state`, `local`, `CONST`, `mod::CONST`, `(expr).a`
    Path(Path),
    /// `-e`, `+e`, `not e`, `!e`
    Unary(UnaryOp, Box<Expr>),
    /// `a + b` etc. (also `and`, `or`, `xor`)
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `present path`
    Present(Path),
    /// `absent path`
    Absent(Path),
    /// `f(a)`, `mod::f(a, b)`, `aggr::stats::count()`
    Call(QualName, Vec<Expr>),
    /// `recur(a, b)`
    Recur(Vec<Expr>),
    /// `match target of case ... end`
    Match(Box<Match>),
    /// `for target of case (k, v) => ... [into init [use op]] end`
    For(Box<For>),
    /// `patch target of op; op end`
    Patch(Box<Patch>),
    /// `merge target of value end`
    Merge(Box<Expr>, Box<Expr>),
    /// `let path = expr`
    Let(Path, Box<Expr>),
    /// `emit`, `emit expr`, `emit => "port"`, `emit expr => "port"`
    Emit {
        value: Option<Box<Expr>>,
        port: Option<StrLit>,
    },
    /// `drop`
    Drop,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    /// Integer literals are unsigned; negative numbers are unary minus.
    Int(u64),
    Float(f64),
}

/// A string literal with interpolation. `"abc"` is one `Lit` part.
#[derive(Debug, Clone, PartialEq)]
pub struct StrLit {
    pub parts: Vec<StrPart>,
    pub span: Span,
}

impl StrLit {
    /// The text when the literal has no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                StrPart::Lit(l) => s.push_str(l),
                StrPart::Expr(_) => return None,
            }
        }
        Some(s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes already decoded.
    Lit(String),
    /// `#{expr}`
    Expr(Expr),
}

/// One part of a bytes literal: `expr[:bits][/type-with-parts]`.
#[derive(Debug, Clone, PartialEq)]
pub struct BytesPart {
    pub value: Expr,
    pub bits: Option<u64>,
    /// The type segments as written, e.g. `["unsigned", "big", "integer"]` for
    /// `/unsigned-big-integer` or `["big_unsigned_integer"]`; empty when absent.
    pub ty: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordField {
    pub key: StrLit,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub root: PathRoot,
    pub segments: Vec<Segment>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathRoot {
    /// `event`
    Event,
    /// `$` (metadata); `$a` is `Meta` with a first `Field("a")` segment.
    Meta,
    /// `state`
    State,
    /// `args`
    Args,
    /// `group`
    Group,
    /// `window`
    Window,
    /// An unqualified identifier: a local, or a const/function-less name resolved later.
    Ident(Ident),
    /// `mod::NAME` (a module-qualified constant)
    Qualified(QualName),
    /// `(expr)`, a call, or a record/list literal followed by segments.
    Expr(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.id`
    Field(Ident),
    /// `[expr]`: a string key or an integer index
    Index(Expr, Span),
    /// `[a:b]`
    Range(Expr, Expr, Span),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `not`
    Not,
    /// `!`
    BitNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    Xor,
    And,
    BitXor,
    BitAnd,
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    /// `>>`
    RBitShiftSigned,
    /// `>>>`
    RBitShiftUnsigned,
    /// `<<`
    LBitShift,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            BinOp::And => "and",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
            BinOp::Eq => "==",
            BinOp::NotEq => "!=",
            BinOp::Gt => ">",
            BinOp::Gte => ">=",
            BinOp::Lt => "<",
            BinOp::Lte => "<=",
            BinOp::RBitShiftSigned => ">>",
            BinOp::RBitShiftUnsigned => ">>>",
            BinOp::LBitShift => "<<",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
        }
    }
}

// ---------------------------------------------------------------------------
// match, patterns, extractors
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub target: Expr,
    pub cases: Vec<Case>,
    /// True for a match at statement level (bodies separated by `;`, may `let`/`emit`/`drop`).
    pub mutable: bool,
    pub span: Span,
}

/// `case pattern [when guard] => body`
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `_`
    Default(Span),
    /// An expression compared with `==`: `case "a"`, `case [1, 2]`, `case {}`
    Expr(Expr),
    /// `x = pattern`
    Assign(Ident, Box<Pattern>),
    /// `~ ext|...|`
    Extract(Extractor),
    /// `%{ field-tests }`
    Record(RecordPattern),
    /// `%[ p, ... ]`
    Array(ArrayPattern),
    /// `%( p, ... )`, `%( p, ... )` with a trailing `...`
    Tuple(TuplePattern),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordPattern {
    pub fields: Vec<FieldPattern>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArrayPattern {
    /// Elements are `Default`, `Expr`, `Extract` or `Record` (others are rejected by the parser or compiler).
    pub elems: Vec<Pattern>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TuplePattern {
    pub elems: Vec<Pattern>,
    /// A trailing `...`: the target may be longer.
    pub open: bool,
    pub span: Span,
}

/// A key in a record pattern: an identifier or a string literal.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldKey {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldPattern {
    /// `present k`
    Present(FieldKey),
    /// `absent k`
    Absent(FieldKey),
    /// `k == e`, `k != e`, `k < e`, ...
    Cmp(FieldKey, BinOp, Expr),
    /// `k ~= ext|..|` or `a = k ~= ext|..|` (`assign` names the key in the extracted record)
    Extract {
        assign: Option<Ident>,
        key: FieldKey,
        extractor: Extractor,
    },
    /// `k ~= %{ ... }`
    Record(FieldKey, RecordPattern),
    /// `k ~= %[ ... ]`
    Array(FieldKey, ArrayPattern),
    /// `k ~= %( ... )`
    Tuple(FieldKey, TuplePattern),
}

/// `kind|rule|` as written; `rule` has escapes and continuation lines already processed.
#[derive(Debug, Clone, PartialEq)]
pub struct Extractor {
    pub kind: Ident,
    pub rule: String,
    pub span: Span,
}

// ---------------------------------------------------------------------------
// for, patch
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct For {
    pub target: Expr,
    pub cases: Vec<ForCase>,
    /// `into init` (default `[]`)
    pub into: Option<Expr>,
    /// `use op` (default `+`)
    pub fold: Option<BinOp>,
    pub mutable: bool,
    pub span: Span,
}

/// `case (k, v) [when guard] => body`
#[derive(Debug, Clone, PartialEq)]
pub struct ForCase {
    pub key: Ident,
    pub value: Ident,
    pub guard: Option<Expr>,
    pub body: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    pub target: Expr,
    pub ops: Vec<PatchOp>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatchOp {
    /// `insert "k" => v`
    Insert(StrLit, Expr, Span),
    /// `upsert "k" => v`
    Upsert(StrLit, Expr, Span),
    /// `update "k" => v`
    Update(StrLit, Expr, Span),
    /// `erase "k"`
    Erase(StrLit, Span),
    /// `copy "a" => "b"`
    Copy(StrLit, StrLit, Span),
    /// `move "a" => "b"`
    Move(StrLit, StrLit, Span),
    /// `merge "k" => v`, or `merge => v` when the key is `None`
    Merge(Option<StrLit>, Expr, Span),
    /// `default "k" => v`, or `default => v` when the key is `None`
    Default(Option<StrLit>, Expr, Span),
}

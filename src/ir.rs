//! The compiled form of expressions: names resolved (locals to slots, calls to
//! function pointers, consts folded to values), ready for [`crate::interp::eval_expr`].

use crate::diag::Span;
use crate::extractor::Extractor;
use crate::functions::FnDecl;
use crate::value::{Str, Value};
use std::sync::{Arc, OnceLock};

pub use trickle_grammar::ast::{BinOp, UnaryOp};

/// An expression and the source it came from (runtime errors point at `span`).
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
    /// A constant.
    pub fn constant(v: Value, span: Span) -> Self {
        Expr::new(ExprKind::Const(v), span)
    }
    /// The value when this is a constant.
    pub fn as_const(&self) -> Option<&Value> {
        match &self.kind {
            ExprKind::Const(v) => Some(v),
            _ => None,
        }
    }
}

/// A script body, a function body or a case body: statements run in order, the
/// last one's value is the result. `locals` is the number of local slots it uses.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub exprs: Vec<Expr>,
    pub locals: usize,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A literal or a folded constant.
    Const(Value),
    /// `{"k": v, "#{x}": w}`
    Record(Fields),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `"a #{b} c"`: strings inserted raw, anything else as compact JSON.
    Interpolated(Vec<Expr>),
    /// `<< e:bits/type, ... >>`
    Bytes(Vec<BytesPart>),
    /// A path with segments (or a bare `event`, `$`, `state`, ...).
    Path(Box<Path>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `present path`
    Present(Box<Path>),
    /// `absent path`
    Absent(Box<Path>),
    /// A call of a native function, resolved at compile time.
    Native(Box<NativeCall>),
    /// A call of a user function (`fn`).
    Call(Box<UserCall>),
    /// `recur(a, b)` inside a function.
    Recur(Vec<Expr>),
    Match(Box<Match>),
    For(Box<For>),
    Patch(Box<Patch>),
    /// `merge target of value end`
    Merge(Box<Expr>, Box<Expr>),
    /// `let path = value`
    Assign(Box<Assign>),
    /// `emit [value] [=> "port"]`; `value: None` emits the event.
    Emit(Option<Box<Expr>>, Option<Box<Expr>>),
    /// `drop`
    Drop,
    /// The current result of the i-th aggregate call of a select (`aggrs[i]`).
    Aggr(usize),
}

/// The fields of a record literal, and when every key is a distinct literal, the
/// record with those keys (values null) that evaluation fills in place: a select
/// builds its result per emission, and copying a record's layout costs less than
/// hashing each key into a new one.
#[derive(Debug, Clone)]
pub struct Fields {
    list: Vec<(Expr, Expr)>,
    shape: Option<Box<crate::value::Record>>,
}

impl Fields {
    pub fn new(list: Vec<(Expr, Expr)>) -> Self {
        let mut shape = crate::value::Record::default();
        for (k, _) in &list {
            match k.as_const() {
                Some(Value::String(key)) if !shape.contains_key(key.as_str()) => {
                    shape.insert(key.clone(), Value::Null);
                }
                _ => return Fields { list, shape: None },
            }
        }
        Fields {
            list,
            shape: Some(Box::new(shape)),
        }
    }

    /// The record of the literal keys in order, values null (see [`Fields`]).
    pub fn shape(&self) -> Option<&crate::value::Record> {
        self.shape.as_deref()
    }
}

impl std::ops::Deref for Fields {
    type Target = [(Expr, Expr)];
    fn deref(&self) -> &Self::Target {
        &self.list
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = &'a (Expr, Expr);
    type IntoIter = std::slice::Iter<'a, (Expr, Expr)>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// Where a path starts.
#[derive(Debug, Clone)]
pub enum Root {
    Event,
    Meta,
    State,
    Args,
    Group,
    Window,
    /// A local by slot (the name is kept for error messages).
    Local(usize, Str),
    /// `(expr)`, a call, a literal, a constant.
    Expr(Expr),
}

/// One step of a path.
#[derive(Debug, Clone)]
pub enum Segment {
    /// `.id` or `["id"]` with a literal key.
    Field(Str),
    /// `[e]`: key or index computed at run time (or a literal index).
    Index(Expr),
    /// `[a:b]`
    Range(Expr, Expr),
}

#[derive(Debug, Clone)]
pub struct Path {
    pub root: Root,
    pub segments: Vec<Segment>,
    pub span: Span,
}

/// A native call with its declaration (`module::name`, arity, purity).
#[derive(Debug, Clone)]
pub struct NativeCall {
    pub decl: &'static FnDecl,
    pub args: Vec<Expr>,
}

/// A user function call.
#[derive(Debug, Clone)]
pub struct UserCall {
    pub func: Arc<Function>,
    pub args: Vec<Expr>,
}

/// A user function. The body is set once it is lowered, which lets it call itself.
#[derive(Debug)]
pub struct Function {
    /// `module::name` for messages.
    pub name: String,
    pub params: usize,
    /// `fn f(a, ...)`: extra arguments are passed as an array in slot `params`.
    pub variadic: bool,
    pub body: OnceLock<Block>,
    /// Set once lowered: the body reads nothing but its arguments (calls may be folded).
    pub pure: OnceLock<bool>,
}

/// `let target = value`
#[derive(Debug, Clone)]
pub struct Assign {
    pub target: AssignRoot,
    pub segments: Vec<Segment>,
    pub value: Expr,
}

/// What a `let` writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignRoot {
    Local(usize),
    Event,
    Meta,
    State,
}

#[derive(Debug, Clone)]
pub struct Match {
    pub target: Expr,
    pub cases: Vec<Case>,
    pub span: Span,
    /// No pattern binds or computes anything: a path target can be tested in
    /// place, without copying it (see [`Pattern::is_static`]).
    pub static_patterns: bool,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Vec<Expr>,
}

#[derive(Debug, Clone)]
pub enum Pattern {
    /// `_`
    Default,
    /// Equal (`val_eq`) to the value.
    Expr(Expr),
    /// `x = pattern`: binds the local slot.
    Bind(usize, Box<Pattern>),
    /// `~ kind|rule|`
    Extract(Arc<Extractor>),
    Record(RecordPattern),
    Array(Vec<Pattern>),
    Tuple(TuplePattern),
}

impl Pattern {
    /// Tests need no environment: no bindings, only constant expressions.
    pub fn is_static(&self) -> bool {
        match self {
            Pattern::Default | Pattern::Extract(_) => true,
            Pattern::Expr(e) => e.as_const().is_some(),
            Pattern::Bind(..) => false,
            Pattern::Record(r) => r.is_static(),
            Pattern::Array(ps) => ps.iter().all(Pattern::is_static),
            Pattern::Tuple(t) => t.elems.iter().all(Pattern::is_static),
        }
    }
}

impl RecordPattern {
    fn is_static(&self) -> bool {
        self.fields.iter().all(|f| match &f.test {
            FieldKind::Present | FieldKind::Absent | FieldKind::Extract(..) => true,
            FieldKind::Cmp(_, e) => e.as_const().is_some(),
            FieldKind::Record(r) => r.is_static(),
            FieldKind::Array(ps) => ps.iter().all(Pattern::is_static),
            FieldKind::Tuple(t) => t.elems.iter().all(Pattern::is_static),
        })
    }
}

#[derive(Debug, Clone)]
pub struct RecordPattern {
    pub fields: Vec<FieldTest>,
}

#[derive(Debug, Clone)]
pub struct FieldTest {
    pub key: Str,
    pub test: FieldKind,
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    Present,
    Absent,
    Cmp(BinOp, Expr),
    /// `k ~= ext||`; `assign` names the key in the extracted record (`a = k ~= ...`).
    Extract(Arc<Extractor>, Option<Str>),
    Record(RecordPattern),
    Array(Vec<Pattern>),
    Tuple(TuplePattern),
}

#[derive(Debug, Clone)]
pub struct TuplePattern {
    pub elems: Vec<Pattern>,
    pub open: bool,
}

#[derive(Debug, Clone)]
pub struct For {
    pub target: Expr,
    pub cases: Vec<ForCase>,
    pub into: Option<Expr>,
    pub fold: BinOp,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ForCase {
    pub key: usize,
    pub value: usize,
    pub guard: Option<Expr>,
    pub body: Vec<Expr>,
}

#[derive(Debug, Clone)]
pub struct Patch {
    pub target: Expr,
    pub ops: Vec<PatchOp>,
    /// Each operation's clause, where its errors point.
    pub op_spans: Vec<Span>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum PatchOp {
    Insert(Expr, Expr),
    Upsert(Expr, Expr),
    Update(Expr, Expr),
    Erase(Expr),
    Copy(Expr, Expr),
    Move(Expr, Expr),
    /// `merge ["k"] => v`
    Merge(Option<Expr>, Expr),
    /// `default ["k"] => v`
    Default(Option<Expr>, Expr),
}

/// One part of a bytes literal.
#[derive(Debug, Clone)]
pub struct BytesPart {
    pub value: Expr,
    pub bits: u64,
    pub kind: BytesKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BytesKind {
    /// No type and no size: a string or bytes value is binary, anything else an
    /// 8-bit unsigned integer.
    Untyped,
    Binary,
    Unsigned {
        little: bool,
    },
    Signed {
        little: bool,
    },
}

//! Action code of the grammar: building nodes, flattening `use` trees, checking the
//! contextual keywords (`peer`).

use crate::ast::*;
use crate::lexer::{ExtractorTok, LexError, Token};
use lalrpop_util::ParseError;

/// The error type the grammar threads through: a lexer error or one raised by an action.
#[derive(Debug, Clone, PartialEq)]
pub enum PError {
    Lex(LexError),
    Custom {
        code: &'static str,
        kind: &'static str,
        message: String,
        start: usize,
        end: usize,
        hint: Option<String>,
    },
}

/// What the actions return on failure.
pub type ActionResult<T> = Result<T, ParseError<usize, Token, PError>>;

fn custom<T>(
    code: &'static str,
    kind: &'static str,
    message: String,
    span: Span,
    hint: Option<String>,
) -> ActionResult<T> {
    Err(ParseError::User {
        error: PError::Custom {
            code,
            kind,
            message,
            start: span.start as usize,
            end: span.end as usize,
            hint,
        },
    })
}

pub fn sp(file: u32, l: usize, r: usize) -> Span {
    Span::new(file, l, r)
}

pub fn expr(file: u32, l: usize, r: usize, kind: ExprKind) -> Expr {
    Expr::new(kind, sp(file, l, r))
}

pub fn ident(file: u32, l: usize, r: usize, name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: sp(file, l, r),
    }
}

/// Doc comment lines joined with newlines.
pub fn doc(lines: Vec<String>) -> Option<String> {
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}

pub fn module(
    file: u32,
    l: usize,
    r: usize,
    docs: Vec<String>,
    config: Vec<ConfigDirective>,
    stmts: Vec<Stmt>,
) -> Module {
    Module {
        doc: doc(docs),
        config,
        stmts,
        span: sp(file, l, r),
    }
}

/// `use a::{b as x, c::{d}}`: prefixes every nested item with `a`.
pub fn use_nest(prefix: Vec<Ident>, items: Vec<Vec<UseItem>>) -> Vec<UseItem> {
    items
        .into_iter()
        .flatten()
        .map(|mut item| {
            let mut path = prefix.clone();
            path.append(&mut item.path);
            item.path = path;
            item
        })
        .collect()
}

/// A script section of a definition: its declarations and its expressions.
pub struct Body {
    pub decls: Vec<Stmt>,
    pub exprs: Vec<Expr>,
}

/// The recovery depth of an error recovered inside a block's own grammar (a script
/// section, `fn`, `case`, `patch` or record): where it resumes is always in context.
pub const IN_BLOCK: i64 = i64::MAX;

/// Splits a section's items; a `const` is also an expression statement (its value),
/// as at the top level of a script.
pub fn body(items: Vec<Result<Stmt, Expr>>) -> Body {
    let mut b = Body {
        decls: Vec::new(),
        exprs: Vec::new(),
    };
    for item in items {
        match item {
            Ok(Stmt::Const(c)) => {
                b.exprs.push(const_expr(&c));
                b.decls.push(Stmt::Const(c));
            }
            Ok(d) => b.decls.push(d),
            Err(e) => b.exprs.push(e),
        }
    }
    b
}

/// The expression statement a `const` stands for: a read of the constant.
pub fn const_expr(c: &ConstDef) -> Expr {
    Expr::new(
        ExprKind::Path(Path {
            root: PathRoot::Ident(c.name.clone()),
            segments: Vec::new(),
            span: c.span,
        }),
        c.span,
    )
}

/// A `define` as parsed, before the contextual kind (`peer`) is checked.
pub enum Def {
    Window {
        name: Ident,
        kind: Ident,
        with: Vec<WithParam>,
        state: Option<Expr>,
        ports: Vec<PortScript>,
        script: Option<Body>,
    },
    Operator {
        name: Ident,
        kind: QualName,
        args: Vec<ArgDecl>,
        with: Vec<WithParam>,
    },
    Script {
        name: Ident,
        args: Vec<ArgDecl>,
        state: Option<Expr>,
        ports: Vec<PortScript>,
        script: Body,
    },
    Pipeline {
        name: Ident,
        from: Option<Vec<Ident>>,
        into: Option<Vec<Ident>>,
        args: Vec<ArgDecl>,
        config: Vec<ConfigDirective>,
        stmts: Vec<Stmt>,
    },
    /// `define <what> name from kind ...`; only `peer` is valid.
    Other {
        what: Ident,
        name: Ident,
        kind: Ident,
        args: Vec<ArgDecl>,
        with: Vec<WithParam>,
    },
}

const DEFINE_KINDS: &str = "`window`, `operator`, `script`, `pipeline`, `peer`";

pub fn define(file: u32, l: usize, r: usize, doc: Option<String>, def: Def) -> ActionResult<Stmt> {
    let span = sp(file, l, r);
    let d = match def {
        Def::Window {
            name,
            kind,
            with,
            state,
            ports,
            script,
        } => Definition::Window(DefineWindow {
            doc,
            name,
            kind,
            with,
            state,
            port_scripts: ports,
            decls: script.as_ref().map(|b| b.decls.clone()).unwrap_or_default(),
            script: script.map(|b| b.exprs),
            span,
        }),
        Def::Operator {
            name,
            kind,
            args,
            with,
        } => Definition::Operator(DefineOperator {
            doc,
            name,
            kind,
            args,
            with,
            span,
        }),
        Def::Script {
            name,
            args,
            state,
            ports,
            script,
        } => Definition::Script(DefineScript {
            doc,
            name,
            args,
            state,
            port_scripts: ports,
            decls: script.decls,
            script: script.exprs,
            span,
        }),
        Def::Pipeline {
            name,
            from,
            into,
            args,
            config,
            stmts,
        } => Definition::Pipeline(Box::new(DefinePipeline {
            doc,
            name,
            from,
            into,
            args,
            config,
            stmts,
            span,
        })),
        Def::Other {
            what,
            name,
            kind,
            args,
            with,
        } => {
            if what.name != "peer" {
                return custom(
                    "E0022",
                    "UnrecognizedToken",
                    format!(
                        "Found the token `{}` but expected one of {DEFINE_KINDS}",
                        what.name
                    ),
                    what.span,
                    Some(format!("`define` is followed by one of {DEFINE_KINDS}")),
                );
            }
            Definition::Peer(DefinePeer {
                doc,
                name,
                kind,
                args,
                with,
                span,
            })
        }
    };
    Ok(Stmt::Define(d))
}

pub fn create(
    file: u32,
    l: usize,
    r: usize,
    kind: Result<CreateKind, Ident>,
    name: Ident,
    target: Option<QualName>,
    with: Vec<WithParam>,
) -> ActionResult<Creation> {
    let kind = match kind {
        Ok(k) => k,
        Err(id) if id.name == "peer" => CreateKind::Peer,
        Err(id) => {
            let kinds = "`stream`, `operator`, `script`, `pipeline`, `peer`";
            return custom(
                "E0022",
                "UnrecognizedToken",
                format!("Found the token `{}` but expected one of {kinds}", id.name),
                id.span,
                Some(format!("`create` is followed by one of {kinds}")),
            );
        }
    };
    Ok(Creation {
        kind,
        name,
        target,
        with,
        span: sp(file, l, r),
    })
}

/// The root of a path as parsed.
pub enum Root {
    Plain(PathRoot),
    /// `$` or `$name`.
    Meta(Option<Ident>),
    /// `x` or `mod::x`.
    Name(QualName),
    /// `(e)`, a call, a record or a list.
    Expr(Expr),
}

pub fn path(file: u32, l: usize, r: usize, root: Root, segs: Vec<Segment>) -> Path {
    let (root, segments) = match root {
        Root::Plain(p) => (p, segs),
        Root::Meta(None) => (PathRoot::Meta, segs),
        Root::Meta(Some(id)) => {
            let mut s = vec![Segment::Field(id)];
            s.extend(segs);
            (PathRoot::Meta, s)
        }
        Root::Name(mut q) if q.segments.len() == 1 => (PathRoot::Ident(q.segments.remove(0)), segs),
        Root::Name(q) => (PathRoot::Qualified(q), segs),
        Root::Expr(e) => (PathRoot::Expr(Box::new(e)), segs),
    };
    Path {
        root,
        segments,
        span: sp(file, l, r),
    }
}

/// A path used as a value: an expression root without segments is just that expression.
pub fn path_expr(p: Path) -> Expr {
    match p {
        Path {
            root: PathRoot::Expr(e),
            segments,
            ..
        } if segments.is_empty() => *e,
        p => {
            let span = p.span;
            Expr::new(ExprKind::Path(p), span)
        }
    }
}

pub fn binary(file: u32, l: usize, r: usize, op: BinOp, a: Expr, b: Expr) -> Expr {
    expr(file, l, r, ExprKind::Binary(op, Box::new(a), Box::new(b)))
}

pub fn unary(file: u32, l: usize, r: usize, op: UnaryOp, e: Expr) -> Expr {
    expr(file, l, r, ExprKind::Unary(op, Box::new(e)))
}

pub fn mk_match(
    file: u32,
    l: usize,
    r: usize,
    target: Expr,
    cases: Vec<Case>,
    mutable: bool,
) -> Expr {
    let span = sp(file, l, r);
    Expr::new(
        ExprKind::Match(Box::new(Match {
            target,
            cases,
            mutable,
            span,
        })),
        span,
    )
}

pub fn mk_for(
    file: u32,
    l: usize,
    r: usize,
    target: Expr,
    cases: Vec<ForCase>,
    into: Option<(Expr, Option<BinOp>)>,
    mutable: bool,
) -> Expr {
    let span = sp(file, l, r);
    let (into, fold) = match into {
        Some((i, f)) => (Some(i), f),
        None => (None, None),
    };
    Expr::new(
        ExprKind::For(Box::new(For {
            target,
            cases,
            into,
            fold,
            mutable,
            span,
        })),
        span,
    )
}

pub fn extractor(file: u32, l: usize, r: usize, e: ExtractorTok) -> Extractor {
    let kind = Ident {
        span: sp(file, l, l + e.kind.len()),
        name: e.kind,
    };
    Extractor {
        kind,
        rule: e.rule,
        span: sp(file, l, r),
    }
}

/// A string used as a record-pattern key must be plain (no interpolation).
pub fn field_key(s: StrLit) -> ActionResult<FieldKey> {
    match s.as_plain() {
        Some(name) => Ok(FieldKey { name, span: s.span }),
        None => custom(
            "E0001",
            "ParserError",
            "Interpolation is not allowed in a record pattern key".into(),
            s.span,
            Some("use a plain string or an identifier as the key".into()),
        ),
    }
}

/// Checks a bytes part: `bits` in 1..=64 and a known type. Type segments may be
/// written with `-` (`unsigned-big-integer`) or `_` (`big_unsigned_integer`).
pub fn bytes_part(part: BytesPart) -> ActionResult<BytesPart> {
    if let Some(bits) = part.bits {
        if bits == 0 || bits > 64 {
            return custom(
                "E0021",
                "InvalidBytes",
                format!(
                    "Invalid size of {bits} bits in a bytes literal, it must be between 1 and 64"
                ),
                part.span,
                None,
            );
        }
    }
    let words: Vec<&str> = part.ty.iter().flat_map(|i| i.name.split('_')).collect();
    let known = matches!(
        words.as_slice(),
        [] | ["binary"]
            | ["integer"]
            | ["big" | "unsigned" | "signed" | "little", "integer"]
            | ["big" | "little", "unsigned" | "signed", "integer"]
            | ["unsigned" | "signed", "big" | "little", "integer"]
    );
    if !known {
        let (Some(first), Some(last)) = (part.ty.first(), part.ty.last()) else {
            return Ok(part);
        };
        return custom(
            "E0021",
            "InvalidBytes",
            format!("Not a valid data type: `{}`", words.join("-")),
            first.span.to(last.span),
            Some("valid types are `binary`, `integer`, `signed-integer`, `unsigned-integer`, optionally with `big` or `little`, e.g. `little-signed-integer`".into()),
        );
    }
    Ok(part)
}

//! AST → IR: names to slots, values and function pointers; checks of what each
//! context allows; const folding of every node whose parts are constant.

use super::ctx::ExprCtx;
use super::modules::{Modules, ScopeId};
use super::{fold, lower_pattern, names};
use crate::diag::{codes, Diagnostic, Span};
use crate::ir::{self, ExprKind, Root, Segment};
use crate::value::{Str, Value};
use std::sync::OnceLock;
use trickle_grammar::ast;

pub(crate) type L<T> = Result<T, Vec<Diagnostic>>;

/// A statement Tremor runs even when its value is unused (an `Expr` that is not
/// `Expr::Imut`): `let`, `emit`, `drop`, and a statement-level `match` or `for`.
fn is_statement(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Let(..) | ast::ExprKind::Emit { .. } | ast::ExprKind::Drop => true,
        _ => is_block_statement(e),
    }
}

/// A statement-level `match` or `for` (its case bodies are statements too).
fn is_block_statement(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Match(m) => m.mutable,
        ast::ExprKind::For(f) => f.mutable,
        _ => false,
    }
}

/// Wraps one diagnostic.
pub(crate) fn one<T>(d: Diagnostic) -> L<T> {
    Err(vec![d])
}

/// Lowers expressions of one module.
pub(crate) struct Lowerer<'m> {
    pub m: &'m Modules,
    pub scope: ScopeId,
}

const EVENT_NOTE: &str = "Here you operate in the whole window, not a single event. You need to wrap this reference in an aggregate function (e.g. aggr::win::last(...)) or use it in the group by clause of this query.";

impl<'m> Lowerer<'m> {
    pub fn new(m: &'m Modules, scope: ScopeId) -> Self {
        Lowerer { m, scope }
    }

    /// Lowers statements whose last value is the body's value. Errors of all
    /// statements are reported together.
    pub fn body(&self, es: &[ast::Expr], ctx: &mut ExprCtx) -> L<Vec<ir::Expr>> {
        self.body_needed(es, ctx, true)
    }

    /// Lowers statements; `needed` says whether the body's value is used. As in
    /// Tremor (`Expr::Imut` runs only when its result is needed), a statement whose
    /// value is unused is dropped unless it is a `let`, `emit`, `drop` or a
    /// statement-level `match`/`for`; those always run, and the case bodies of an
    /// unused `match`/`for` do not need their values either.
    pub fn body_needed(
        &self,
        es: &[ast::Expr],
        ctx: &mut ExprCtx,
        needed: bool,
    ) -> L<Vec<ir::Expr>> {
        let mut out = Vec::with_capacity(es.len());
        let mut errors = Vec::new();
        for (i, e) in es.iter().enumerate() {
            let last = i + 1 == es.len();
            let value_used = needed && last;
            let statement = is_statement(e);
            // Read (and reset) by `lower_match` / `for_loop` of this very statement.
            ctx.arms_unneeded = !value_used && is_block_statement(e);
            let lowered = self.expr(e, ctx);
            ctx.arms_unneeded = false;
            match lowered {
                Ok(x) if value_used || statement => out.push(x),
                // Keep a body's value slot (a null nobody reads) so it is never empty.
                Ok(x) if last => out.push(ir::Expr::constant(Value::Null, x.span)),
                Ok(_) => {}
                Err(es) => errors.extend(es),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// Lowers a list of expressions, collecting every error.
    pub fn list(&self, es: &[ast::Expr], ctx: &mut ExprCtx) -> L<Vec<ir::Expr>> {
        let mut out = Vec::with_capacity(es.len());
        let mut errors = Vec::new();
        for e in es {
            match self.expr(e, ctx) {
                Ok(x) => out.push(x),
                Err(es) => errors.extend(es),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// Lowers one expression.
    pub fn expr(&self, e: &ast::Expr, ctx: &mut ExprCtx) -> L<ir::Expr> {
        if let Some(at) = group_index(e, ctx) {
            let index = |i: usize| Segment::Index(ir::Expr::constant(Value::from(i), e.span));
            let p = ir::Path {
                root: Root::Group,
                segments: at.into_iter().map(index).collect(),
                span: e.span,
            };
            return Ok(ir::Expr::new(ExprKind::Path(Box::new(p)), e.span));
        }
        let kind = match &e.kind {
            ast::ExprKind::Literal(l) => ExprKind::Const(literal(l)),
            ast::ExprKind::String(s) => return self.strlit(s, ctx),
            ast::ExprKind::Bytes(parts) => self.bytes(parts, ctx)?,
            ast::ExprKind::Record(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for f in fields {
                    out.push((self.strlit(&f.key, ctx)?, self.expr(&f.value, ctx)?));
                }
                ExprKind::Record(crate::ir::Fields::new(out))
            }
            ast::ExprKind::List(items) => ExprKind::List(self.list(items, ctx)?),
            ast::ExprKind::Path(p) => return self.path_expr(p, ctx),
            ast::ExprKind::Unary(op, x) => ExprKind::Unary(*op, Box::new(self.expr(x, ctx)?)),
            ast::ExprKind::Binary(op, a, b) => {
                let a = self.expr(a, ctx);
                // The right of `and`/`or` may never run (short circuit).
                let may_not_run = ctx.may_not_run;
                ctx.may_not_run |= matches!(op, ast::BinOp::And | ast::BinOp::Or);
                let b = self.expr(b, ctx);
                ctx.may_not_run = may_not_run;
                match (a, b) {
                    (Ok(a), Ok(b)) => ExprKind::Binary(*op, Box::new(a), Box::new(b)),
                    (Err(mut x), Err(y)) => {
                        x.extend(y);
                        return Err(x);
                    }
                    (Err(x), _) | (_, Err(x)) => return Err(x),
                }
            }
            ast::ExprKind::Present(p) => ExprKind::Present(Box::new(self.path(p, ctx)?)),
            ast::ExprKind::Absent(p) => ExprKind::Absent(Box::new(self.path(p, ctx)?)),
            ast::ExprKind::Call(q, args) => names::call(self, q, args, e.span, ctx)?,
            ast::ExprKind::Recur(args) => {
                if !ctx.in_fn {
                    return one(Diagnostic::error(
                        codes::INVALID_RECUR,
                        "`recur` can only be used inside a function",
                        e.span,
                    ));
                }
                if let Some((params, variadic)) = ctx.fn_arity {
                    let n = args.len();
                    if n != params && !(variadic && n >= params) {
                        return one(Diagnostic::error(
                            codes::INVALID_RECUR,
                            format!("`recur` is called with {n} arguments but the function takes {params}"),
                            e.span,
                        ));
                    }
                }
                ExprKind::Recur(self.list(args, ctx)?)
            }
            ast::ExprKind::Match(m) => lower_pattern::lower_match(self, m, ctx)?,
            ast::ExprKind::For(f) => self.for_loop(f, ctx)?,
            ast::ExprKind::Patch(p) => self.patch(p, ctx)?,
            ast::ExprKind::Merge(a, b) => {
                ExprKind::Merge(Box::new(self.expr(a, ctx)?), Box::new(self.expr(b, ctx)?))
            }
            ast::ExprKind::Let(p, v) => self.assign(p, v, ctx)?,
            ast::ExprKind::Emit { value, port } => {
                if ctx.in_fn || !ctx.allow_effects {
                    return one(Diagnostic::error(
                        codes::INVALID_EMIT,
                        "Can not emit from this context",
                        e.span,
                    ));
                }
                let value = match value {
                    Some(v) => Some(Box::new(self.expr(v, ctx)?)),
                    None => None,
                };
                let port = match port {
                    Some(p) => Some(Box::new(self.strlit(p, ctx)?)),
                    None => None,
                };
                ExprKind::Emit(value, port)
            }
            ast::ExprKind::Drop => {
                if ctx.in_fn || !ctx.allow_effects {
                    return one(Diagnostic::error(
                        codes::INVALID_DROP,
                        "Can not drop from this context",
                        e.span,
                    ));
                }
                ExprKind::Drop
            }
        };
        self.fold(ir::Expr::new(kind, e.span), ctx)
    }

    /// Const folding. A failure is a compile error where the code always runs; where
    /// it may never run (see [`ExprCtx::may_not_run`]) the expression is kept as it
    /// is, to fail at run time if it ever runs, and the compiler warns.
    pub fn fold(&self, e: ir::Expr, ctx: &mut ExprCtx) -> L<ir::Expr> {
        if !ctx.may_not_run || !fold::foldable(&e) {
            return fold::fold(e).map_err(|d| vec![d]);
        }
        match fold::fold(e.clone()) {
            Ok(x) => Ok(x),
            Err(d) => {
                let mut w = Diagnostic::warning(codes::W_CONST_RUNTIME_ERROR, d.message, e.span)
                    .with_note("this code may never run, so the error is left to run time");
                w.span = d.span.or(w.span);
                ctx.warnings.push(w);
                Ok(e)
            }
        }
    }

    /// A string literal: a constant, or the parts of an interpolation.
    pub fn strlit(&self, s: &ast::StrLit, ctx: &mut ExprCtx) -> L<ir::Expr> {
        if let Some(plain) = s.as_plain() {
            return Ok(ir::Expr::constant(Value::from(plain), s.span));
        }
        let mut parts = Vec::with_capacity(s.parts.len());
        for p in &s.parts {
            parts.push(match p {
                ast::StrPart::Lit(l) => ir::Expr::constant(Value::from(l.as_str()), s.span),
                ast::StrPart::Expr(e) => self.expr(e, ctx)?,
            });
        }
        self.fold(ir::Expr::new(ExprKind::Interpolated(parts), s.span), ctx)
    }

    fn bytes(&self, parts: &[ast::BytesPart], ctx: &mut ExprCtx) -> L<ExprKind> {
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            let ty: String =
                p.ty.iter()
                    .map(|i| i.name.to_lowercase())
                    .collect::<Vec<_>>()
                    .join("_");
            let kind = if ty.is_empty() && p.bits.is_none() {
                // `<< "snot" >>`: decided by the value at run time.
                ir::BytesKind::Untyped
            } else if ty.contains("binary") {
                ir::BytesKind::Binary
            } else {
                let little = ty.contains("little");
                if ty.contains("signed") && !ty.contains("unsigned") {
                    ir::BytesKind::Signed { little }
                } else {
                    ir::BytesKind::Unsigned { little }
                }
            };
            let known = ty.is_empty()
                || ty.split('_').all(|w| {
                    matches!(
                        w,
                        "binary" | "integer" | "signed" | "unsigned" | "big" | "little"
                    )
                });
            if !known {
                return one(Diagnostic::error(
                    codes::INVALID_BYTES_PART,
                    format!("Unknown type `{ty}` in a bytes literal"),
                    p.span,
                )
                .with_help(
                    "use binary, integer, signed_integer, unsigned_integer, little_… or big_…",
                ));
            }
            let bits = match (p.bits, kind) {
                (Some(b), _) if !(1..=64).contains(&b) => {
                    return one(Diagnostic::error(
                        codes::INVALID_BYTES_PART,
                        format!("Invalid number of bits {b}: must be between 1 and 64"),
                        p.span,
                    ))
                }
                (Some(b), _) => b,
                (None, ir::BytesKind::Binary) => 0,
                (None, _) => 8,
            };
            out.push(ir::BytesPart {
                value: self.expr(&p.value, ctx)?,
                bits,
                kind,
            });
        }
        Ok(ExprKind::Bytes(out))
    }

    /// A path as an expression (a bare local or constant is not wrapped in a path).
    fn path_expr(&self, p: &ast::Path, ctx: &mut ExprCtx) -> L<ir::Expr> {
        let path = self.path(p, ctx)?;
        if path.segments.is_empty() {
            if let Root::Expr(e) = path.root {
                return Ok(e);
            }
        }
        self.fold(ir::Expr::new(ExprKind::Path(Box::new(path)), p.span), ctx)
    }

    fn check_event(&self, span: Span, ctx: &ExprCtx) -> L<()> {
        if ctx.allow_event || ctx.in_aggr || ctx.in_fn {
            return Ok(());
        }
        one(Diagnostic::error(
            codes::NO_EVENT_REFERENCES,
            "References to `event` or `$` are not allowed in this context",
            span,
        )
        .with_note(EVENT_NOTE))
    }

    /// Lowers a path's root and segments.
    pub fn path(&self, p: &ast::Path, ctx: &mut ExprCtx) -> L<ir::Path> {
        let null = || Root::Expr(ir::Expr::constant(Value::Null, p.span));
        if matches!(p.root, ast::PathRoot::Meta) {
            self.m
                .reads_meta
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let root = match &p.root {
            ast::PathRoot::Event | ast::PathRoot::Meta => {
                self.check_event(p.span, ctx)?;
                match (&p.root, ctx.in_fn) {
                    (_, true) => null(),
                    (ast::PathRoot::Event, _) => Root::Event,
                    _ => Root::Meta,
                }
            }
            ast::PathRoot::State if ctx.in_fn => null(),
            ast::PathRoot::State => Root::State,
            ast::PathRoot::Args => match (&ctx.varargs_slot, &ctx.args) {
                (Some(slot), _) => Root::Local(*slot, Str::from("args")),
                (None, Some(a)) => Root::Expr(ir::Expr::constant(a.clone(), p.span)),
                (None, None) => Root::Args,
            },
            ast::PathRoot::Group => Root::Group,
            ast::PathRoot::Window => Root::Window,
            ast::PathRoot::Ident(id) => self.ident(id, ctx)?,
            ast::PathRoot::Qualified(q) => {
                Root::Expr(ir::Expr::constant(names::qualified_const(self, q)?, q.span))
            }
            ast::PathRoot::Expr(e) => Root::Expr(self.expr(e, ctx)?),
        };
        let mut segments = Vec::with_capacity(p.segments.len());
        for s in &p.segments {
            segments.push(match s {
                ast::Segment::Field(id) => Segment::Field(Str::from(id.name.as_str())),
                ast::Segment::Index(e, _) => {
                    let x = self.expr(e, ctx)?;
                    match x.as_const() {
                        Some(Value::String(s)) => Segment::Field(s.clone()),
                        _ => Segment::Index(x),
                    }
                }
                ast::Segment::Range(a, b, _) => {
                    Segment::Range(self.expr(a, ctx)?, self.expr(b, ctx)?)
                }
            });
        }
        Ok(ir::Path {
            root,
            segments,
            span: p.span,
        })
    }

    /// A bare name: a known local, a const, or a new local.
    fn ident(&self, id: &ast::Ident, ctx: &mut ExprCtx) -> L<Root> {
        if let Some(slot) = ctx.find_local(&id.name) {
            if ctx.in_aggr && slot < ctx.aggr_locals_from {
                return one(Diagnostic::error(
                    codes::NO_LOCALS_ALLOWED,
                    "Local variables are not allowed here",
                    id.span,
                )
                .with_help(format!(
                    "an aggregate's arguments are evaluated once per event, before the `for` or `match` that binds `{}` runs",
                    id.name
                )));
            }
            return Ok(Root::Local(slot, Str::from(id.name.as_str())));
        }
        if let Some(v) = self.m.scope(self.scope).consts.get(&id.name) {
            return Ok(Root::Expr(ir::Expr::constant(v.clone(), id.span)));
        }
        if !ctx.allow_locals {
            return one(Diagnostic::error(
                codes::NO_LOCALS_ALLOWED,
                "Local variables are not allowed here",
                id.span,
            )
            .with_help(format!("`{}` is not a constant in scope", id.name)));
        }
        let outer = self.m.scope(self.scope).parent.map(|p| self.m.scope(p));
        if outer.is_some_and(|o| o.consts.contains_key(&id.name)) {
            // Tremor compiles it as a local too, and fails when it is read.
            ctx.warnings.push(
                Diagnostic::warning(
                    codes::W_OUTER_CONST,
                    format!(
                        "`{}` is a constant of the enclosing query, which a definition body does not see: here it is a local that is never set",
                        id.name
                    ),
                    id.span,
                )
                .with_help(format!("declare `const {} = ...;` inside the definition", id.name)),
            );
        }
        Ok(Root::Local(
            ctx.local_slot(&id.name),
            Str::from(id.name.as_str()),
        ))
    }

    fn assign(&self, p: &ast::Path, v: &ast::Expr, ctx: &mut ExprCtx) -> L<ExprKind> {
        if matches!(p.root, ast::PathRoot::Meta) {
            self.m
                .reads_meta
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let to_const = || {
            one(Diagnostic::error(
                codes::ASSIGN_TO_CONST,
                "Can't assign to a constant expression",
                p.span,
            ))
        };
        let invalid = |msg: &str| one(Diagnostic::error(codes::INVALID_ASSIGN, msg, p.span));
        let target = match &p.root {
            ast::PathRoot::Ident(id) => {
                if ctx.find_local(&id.name).is_none()
                    && self.m.scope(self.scope).consts.contains_key(&id.name)
                {
                    return to_const();
                }
                if !ctx.allow_locals {
                    return one(Diagnostic::error(
                        codes::NO_LOCALS_ALLOWED,
                        "Local variables are not allowed here",
                        id.span,
                    ));
                }
                ir::AssignRoot::Local(ctx.local_slot(&id.name))
            }
            ast::PathRoot::Event if ctx.in_fn || !ctx.allow_event_assign => {
                return invalid("Can not assign to `event` here")
            }
            ast::PathRoot::Event => ir::AssignRoot::Event,
            ast::PathRoot::Meta if p.segments.is_empty() => {
                return invalid("Can not assign to `$` itself, only to its keys")
            }
            ast::PathRoot::Meta if ctx.in_fn || !ctx.allow_event_assign => {
                return invalid("Can not assign to `$` here")
            }
            ast::PathRoot::Meta => ir::AssignRoot::Meta,
            ast::PathRoot::State if ctx.in_fn || !ctx.allow_state => {
                return invalid("Can not assign to `state` here")
            }
            ast::PathRoot::State => ir::AssignRoot::State,
            ast::PathRoot::Args
            | ast::PathRoot::Group
            | ast::PathRoot::Window
            | ast::PathRoot::Qualified(_) => return to_const(),
            ast::PathRoot::Expr(_) => return invalid("You can not assign that"),
        };
        let into_array = |span: Span| {
            one(Diagnostic::error(
                codes::ASSIGN_INTO_ARRAY,
                "It is not supported to assign value into an array",
                span,
            ))
        };
        let mut segments = Vec::with_capacity(p.segments.len());
        for s in &p.segments {
            segments.push(match s {
                ast::Segment::Field(id) => Segment::Field(Str::from(id.name.as_str())),
                ast::Segment::Index(e, span) => {
                    let x = self.expr(e, ctx)?;
                    match x.as_const() {
                        Some(Value::String(s)) => Segment::Field(s.clone()),
                        Some(_) => return into_array(*span),
                        None => Segment::Index(x),
                    }
                }
                ast::Segment::Range(_, _, span) => return into_array(*span),
            });
        }
        let value = self.expr(v, ctx)?;
        Ok(ExprKind::Assign(Box::new(ir::Assign {
            target,
            segments,
            value,
        })))
    }

    fn for_loop(&self, f: &ast::For, ctx: &mut ExprCtx) -> L<ExprKind> {
        let arms_needed = !std::mem::take(&mut ctx.arms_unneeded);
        let target = self.expr(&f.target, ctx)?;
        let mut cases = Vec::with_capacity(f.cases.len());
        for c in &f.cases {
            let key = ctx.local_slot(&c.key.name);
            let value = ctx.local_slot(&c.value.name);
            // A for's cases run once per item, so perhaps never.
            let may_not_run = std::mem::replace(&mut ctx.may_not_run, true);
            let guard = c.guard.as_ref().map(|g| self.expr(g, ctx)).transpose();
            let body = self.body_needed(&c.body, ctx, arms_needed);
            ctx.may_not_run = may_not_run;
            cases.push(ir::ForCase {
                key,
                value,
                guard: guard?,
                body: body?,
            });
        }
        let into = match &f.into {
            Some(i) => Some(self.expr(i, ctx)?),
            None => None,
        };
        Ok(ExprKind::For(Box::new(ir::For {
            target,
            cases,
            into,
            fold: f.fold.unwrap_or(ast::BinOp::Add),
            span: f.span,
        })))
    }

    fn patch(&self, p: &ast::Patch, ctx: &mut ExprCtx) -> L<ExprKind> {
        let target = self.expr(&p.target, ctx)?;
        let mut ops = Vec::with_capacity(p.ops.len());
        for op in &p.ops {
            ops.push(match op {
                ast::PatchOp::Insert(k, v, _) => {
                    ir::PatchOp::Insert(self.strlit(k, ctx)?, self.expr(v, ctx)?)
                }
                ast::PatchOp::Upsert(k, v, _) => {
                    ir::PatchOp::Upsert(self.strlit(k, ctx)?, self.expr(v, ctx)?)
                }
                ast::PatchOp::Update(k, v, _) => {
                    ir::PatchOp::Update(self.strlit(k, ctx)?, self.expr(v, ctx)?)
                }
                ast::PatchOp::Erase(k, _) => ir::PatchOp::Erase(self.strlit(k, ctx)?),
                ast::PatchOp::Copy(a, b, _) => {
                    ir::PatchOp::Copy(self.strlit(a, ctx)?, self.strlit(b, ctx)?)
                }
                ast::PatchOp::Move(a, b, _) => {
                    ir::PatchOp::Move(self.strlit(a, ctx)?, self.strlit(b, ctx)?)
                }
                ast::PatchOp::Merge(k, v, _) => ir::PatchOp::Merge(
                    k.as_ref().map(|k| self.strlit(k, ctx)).transpose()?,
                    self.expr(v, ctx)?,
                ),
                ast::PatchOp::Default(k, v, _) => ir::PatchOp::Default(
                    k.as_ref().map(|k| self.strlit(k, ctx)).transpose()?,
                    self.expr(v, ctx)?,
                ),
            });
        }
        Ok(ExprKind::Patch(Box::new(ir::Patch {
            target,
            ops,
            op_spans: p.ops.iter().map(patch_op_span).collect(),
            span: p.span,
        })))
    }
}

/// The clause of a patch operation (where its errors point).
fn patch_op_span(op: &ast::PatchOp) -> Span {
    match op {
        ast::PatchOp::Insert(_, _, s)
        | ast::PatchOp::Upsert(_, _, s)
        | ast::PatchOp::Update(_, _, s)
        | ast::PatchOp::Erase(_, s)
        | ast::PatchOp::Copy(_, _, s)
        | ast::PatchOp::Move(_, _, s)
        | ast::PatchOp::Merge(_, _, s)
        | ast::PatchOp::Default(_, _, s) => *s,
    }
}

fn literal(l: &ast::Literal) -> Value {
    match l {
        ast::Literal::Null => Value::Null,
        ast::Literal::Bool(b) => Value::Bool(*b),
        ast::Literal::Int(i) => Value::U64(*i),
        ast::Literal::Float(f) => Value::F64(*f),
    }
}

/// The expression's shape: its debug form without spans.
fn shape(e: &ast::Expr) -> String {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"Span \{ file: \d+, start: \d+, end: \d+ \}").expect("valid regex")
    });
    re.replace_all(&format!("{:?}", e.kind), "_").into_owned()
}

/// Where in `group` the value of `e` is: the index of the group-by expression it
/// equals, or of the list literal item it equals (a whole expression first).
fn group_index(e: &ast::Expr, ctx: &mut ExprCtx) -> Option<Vec<usize>> {
    if ctx.group_exprs.is_empty() || ctx.in_aggr {
        return None;
    }
    if ctx.group_shapes.is_none() {
        let mut shapes: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, g) in ctx.group_exprs.iter().enumerate() {
            shapes.push((shape(g), vec![i]));
        }
        for (i, g) in ctx.group_exprs.iter().enumerate() {
            if !ctx.group_each.get(i).copied().unwrap_or(false) {
                list_items(g, &mut vec![i], &mut shapes);
            }
        }
        ctx.group_shapes = Some(shapes);
    }
    let s = shape(e);
    let shapes = ctx.group_shapes.as_ref()?;
    shapes
        .iter()
        .find(|(g, _)| *g == s)
        .map(|(_, at)| at.clone())
}

/// The shapes of the items of `e` when it is a list literal (nested ones too),
/// each with its indices below `at`. Literal items are left out: a literal in
/// the target has that value anyway, and is not taken for the group's.
fn list_items(e: &ast::Expr, at: &mut Vec<usize>, out: &mut Vec<(String, Vec<usize>)>) {
    let ast::ExprKind::List(items) = &e.kind else {
        return;
    };
    for (j, item) in items.iter().enumerate() {
        at.push(j);
        if !matches!(
            item.kind,
            ast::ExprKind::Literal(_) | ast::ExprKind::String(_)
        ) {
            out.push((shape(item), at.clone()));
        }
        list_items(item, at, out);
        at.pop();
    }
}

/// Lowers a function body: parameters in the first slots, then (variadic) `args`.
pub(crate) fn lower_fn(
    m: &Modules,
    scope: ScopeId,
    f: &ast::FnDef,
) -> L<(ir::Block, Vec<Diagnostic>)> {
    let l = Lowerer::new(m, scope);
    let mut ctx = ExprCtx::script();
    ctx.in_fn = true;
    // Nothing says the function is ever called.
    ctx.may_not_run = true;
    ctx.allow_effects = false;
    ctx.fn_arity = Some((f.params.len(), f.variadic));
    for p in &f.params {
        ctx.local_names.push(p.name.clone());
    }
    if f.variadic {
        // `args` cannot be an identifier, so this slot name never clashes.
        ctx.local_names.push("args".into());
        ctx.varargs_slot = Some(f.params.len());
    }
    let exprs = match &f.body {
        ast::FnBody::Exprs(es) => l.body(es, &mut ctx)?,
        ast::FnBody::Match(cases) => vec![lower_pattern::lower_fn_match(&l, f, cases, &mut ctx)?],
    };
    Ok((
        ir::Block {
            exprs,
            locals: ctx.locals(),
        },
        ctx.warnings,
    ))
}

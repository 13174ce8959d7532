//! Lowering of `match`, its patterns, extractors, and match-style functions.

use super::ctx::ExprCtx;
use super::lower::{one, Lowerer, L};
use crate::diag::{codes, Diagnostic, Span};
use crate::extractor::Extractor;
use crate::ir::{self, ExprKind};
use crate::value::Str;
use std::sync::Arc;
use trickle_grammar::ast;

const NO_DEFAULT: &str = "This match expression has no default clause, if the other clauses do not cover all possibilities this will lead to events being discarded with runtime errors.";

/// `match target of case ... end`
pub(crate) fn lower_match(l: &Lowerer, m: &ast::Match, ctx: &mut ExprCtx) -> L<ExprKind> {
    let arms_needed = !std::mem::take(&mut ctx.arms_unneeded);
    let target = l.expr(&m.target, ctx)?;
    let cases = cases(l, &m.cases, ctx, arms_needed)?;
    if let Some(extra) = m
        .cases
        .iter()
        .filter(|c| c.guard.is_none() && is_default(&c.pattern))
        .nth(1)
    {
        ctx.warnings.push(Diagnostic::warning(
            codes::W_MISSING_DEFAULT_CASE,
            "This match expression has more than one default clause; only the first one is ever used",
            extra.span,
        ));
    }
    if !has_default(&m.cases) {
        ctx.warnings.push(
            Diagnostic::warning(codes::W_MISSING_DEFAULT_CASE, NO_DEFAULT, m.span)
                .with_help("add `case _ => null` at the end"),
        );
    }
    let static_patterns = cases.iter().all(|c| c.pattern.is_static());
    Ok(ExprKind::Match(Box::new(ir::Match {
        target,
        cases,
        span: m.span,
        static_patterns,
    })))
}

fn is_default(p: &ast::Pattern) -> bool {
    match p {
        ast::Pattern::Default(_) => true,
        ast::Pattern::Assign(_, p) => is_default(p),
        _ => false,
    }
}

fn has_default(cases: &[ast::Case]) -> bool {
    cases
        .iter()
        .any(|c| c.guard.is_none() && is_default(&c.pattern))
}

/// `needed`: whether the case bodies' values are used (see `Lowerer::body_needed`).
fn cases(l: &Lowerer, cs: &[ast::Case], ctx: &mut ExprCtx, needed: bool) -> L<Vec<ir::Case>> {
    let mut out = Vec::with_capacity(cs.len());
    let mut errors = Vec::new();
    for c in cs {
        let shadows = ctx.shadows.len();
        let may_not_run = ctx.may_not_run;
        let res: L<ir::Case> = (|| {
            let pattern = pattern(l, &c.pattern, ctx)?;
            // A guard or body runs only when its case is reached.
            ctx.may_not_run = true;
            let guard = match &c.guard {
                Some(g) => Some(l.expr(g, ctx)?),
                None => None,
            };
            let body = l.body_needed(&c.body, ctx, needed)?;
            Ok(ir::Case {
                pattern,
                guard,
                body,
            })
        })();
        ctx.may_not_run = may_not_run;
        // The case's bindings end with it (a local of the same name is unchanged).
        ctx.shadows.truncate(shadows);
        match res {
            Ok(c) => out.push(c),
            Err(es) => errors.extend(es),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Compiles an extractor literal; a bad one is "Invalid tilde predicate pattern".
fn extractor(e: &ast::Extractor) -> L<Arc<Extractor>> {
    Extractor::new(&e.kind.name, &e.rule)
        .map(Arc::new)
        .or_else(|m| {
            one(Diagnostic::error(
                codes::INVALID_EXTRACTOR,
                format!("Invalid tilde predicate pattern: {m}"),
                e.span,
            ))
        })
}

/// Lowers a pattern.
pub(crate) fn pattern(l: &Lowerer, p: &ast::Pattern, ctx: &mut ExprCtx) -> L<ir::Pattern> {
    Ok(match p {
        ast::Pattern::Default(_) => ir::Pattern::Default,
        ast::Pattern::Expr(e) => ir::Pattern::Expr(l.expr(e, ctx)?),
        ast::Pattern::Assign(id, inner) => {
            let inner = pattern(l, inner, ctx)?;
            ir::Pattern::Bind(ctx.bind_in_case(&id.name), Box::new(inner))
        }
        ast::Pattern::Extract(e) => ir::Pattern::Extract(extractor(e)?),
        ast::Pattern::Record(r) => ir::Pattern::Record(record(l, r, ctx)?),
        ast::Pattern::Array(a) => ir::Pattern::Array(array(l, a, ctx)?),
        ast::Pattern::Tuple(t) => ir::Pattern::Tuple(tuple(l, t, ctx)?),
    })
}

fn array(l: &Lowerer, a: &ast::ArrayPattern, ctx: &mut ExprCtx) -> L<Vec<ir::Pattern>> {
    a.elems.iter().map(|p| pattern(l, p, ctx)).collect()
}

fn tuple(l: &Lowerer, t: &ast::TuplePattern, ctx: &mut ExprCtx) -> L<ir::TuplePattern> {
    Ok(ir::TuplePattern {
        elems: t
            .elems
            .iter()
            .map(|p| pattern(l, p, ctx))
            .collect::<L<_>>()?,
        open: t.open,
    })
}

fn record(l: &Lowerer, r: &ast::RecordPattern, ctx: &mut ExprCtx) -> L<ir::RecordPattern> {
    let mut fields = Vec::with_capacity(r.fields.len());
    for f in &r.fields {
        let (key, test) = match f {
            ast::FieldPattern::Present(k) => (k, ir::FieldKind::Present),
            ast::FieldPattern::Absent(k) => (k, ir::FieldKind::Absent),
            ast::FieldPattern::Cmp(k, op, e) => (k, ir::FieldKind::Cmp(*op, l.expr(e, ctx)?)),
            ast::FieldPattern::Extract {
                assign,
                key,
                extractor: ex,
            } => (
                key,
                ir::FieldKind::Extract(
                    extractor(ex)?,
                    assign.as_ref().map(|a| Str::from(a.name.as_str())),
                ),
            ),
            ast::FieldPattern::Record(k, r) => (k, ir::FieldKind::Record(record(l, r, ctx)?)),
            ast::FieldPattern::Array(k, a) => (k, ir::FieldKind::Array(array(l, a, ctx)?)),
            ast::FieldPattern::Tuple(k, t) => (k, ir::FieldKind::Tuple(tuple(l, t, ctx)?)),
        };
        fields.push(ir::FieldTest {
            key: Str::from(key.name.as_str()),
            test,
        });
    }
    Ok(ir::RecordPattern { fields })
}

/// `fn f(a, b) of case (pa, pb) when g => ... case _ => ... end`: a match over the
/// tuple of arguments. The final `case _` is mandatory.
pub(crate) fn lower_fn_match(
    l: &Lowerer,
    f: &ast::FnDef,
    cs: &[ast::Case],
    ctx: &mut ExprCtx,
) -> L<ir::Expr> {
    let last_default = cs
        .last()
        .is_some_and(|c| c.guard.is_none() && is_default(&c.pattern));
    if !last_default {
        return one(Diagnostic::error(
            codes::INVALID_FN,
            format!(
                "The match-style function `{}` needs a final `case _` clause",
                f.name.name
            ),
            f.span,
        ));
    }
    let span: Span = f.span;
    let target = ir::Expr::new(
        ExprKind::List(
            f.params
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    ir::Expr::new(
                        ExprKind::Path(Box::new(ir::Path {
                            root: ir::Root::Local(i, Str::from(p.name.as_str())),
                            segments: Vec::new(),
                            span: p.span,
                        })),
                        p.span,
                    )
                })
                .collect(),
        ),
        span,
    );
    // An extractor in an argument's place binds the extracted value to that
    // argument inside the case, as `a = ~ ext||` would.
    let cs: Vec<ast::Case> = cs
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if let ast::Pattern::Tuple(t) = &mut c.pattern {
                for (elem, param) in t.elems.iter_mut().zip(&f.params) {
                    if matches!(elem, ast::Pattern::Extract(_)) {
                        let ex = std::mem::replace(elem, ast::Pattern::Default(param.span));
                        *elem = ast::Pattern::Assign(param.clone(), Box::new(ex));
                    }
                }
            }
            c
        })
        .collect();
    let cases = cases(l, &cs, ctx, true)?;
    Ok(ir::Expr::new(
        ExprKind::Match(Box::new(ir::Match {
            target,
            cases,
            span,
            static_patterns: false,
        })),
        span,
    ))
}

//! Resolution of calls and qualified constants: user functions, intrinsics,
//! `core::m::f`, aggregates, and the names that need no `use` (SPEC §4).

use super::ctx::{AggrCall, ExprCtx};
use super::lower::{one, Lowerer, L};
use super::modules::FnItem;
use crate::aggr::{self, AggrDecl};
use crate::diag::{codes, Diagnostic, Span};
use crate::functions::{registry, FnDecl};
use crate::ir::{self, ExprKind};
use crate::value::Value;
use trickle_grammar::ast;

/// Event-id functions callable without `use` (natives of module `tremor`).
const EVENT_ID_FNS: &[&str] = &["source_id", "peer_id", "stream_id", "event_id", "event_ids"];

/// Lowers a call.
pub(crate) fn call(
    l: &Lowerer,
    q: &ast::QualName,
    args: &[ast::Expr],
    span: Span,
    ctx: &mut ExprCtx,
) -> L<ExprKind> {
    let segs: Vec<&str> = q.segments.iter().map(|s| s.name.as_str()).collect();
    let name = q.name();
    let module = &segs[..segs.len() - 1];
    // Aggregates: `aggr::m::f`, or `win::f` / `stats::f` when not a `use`d module's function.
    if let ["aggr", m] = module {
        return match aggr::lookup(m, name) {
            Some(decl) => aggregate(l, decl, args, span, ctx),
            None => one(missing(q, aggr_hint(m, name))),
        };
    }
    if let ["core", m] = module {
        return match registry().get(m, name) {
            Some(decl) => native(l, decl, args, None, q, span, ctx),
            None => one(missing(q, hint(registry().names_in(m).into_iter(), name))),
        };
    }
    let item = if module.is_empty() {
        l.m.scope(l.scope).fns.get(name).cloned()
    } else {
        l.m.resolve_module(l.scope, module)
            .and_then(|id| l.m.scope(id).fns.get(name).cloned())
    };
    match item {
        Some(FnItem::User(func)) => {
            let n = args.len();
            if n != func.params && !(func.variadic && n >= func.params) {
                return one(bad_arity(q, &func.params.to_string(), n));
            }
            Ok(ExprKind::Call(Box::new(ir::UserCall {
                func,
                args: l.list(args, ctx)?,
            })))
        }
        Some(FnItem::Native {
            decl,
            params,
            variadic,
        }) => native(l, decl, args, Some((params, variadic)), q, span, ctx),
        None => fallback(l, q, module, name, args, span, ctx),
    }
}

/// Names that work without `use`: event ids, `datetime::with_*`, `win::`/`stats::` aggregates.
fn fallback(
    l: &Lowerer,
    q: &ast::QualName,
    module: &[&str],
    name: &str,
    args: &[ast::Expr],
    span: Span,
    ctx: &mut ExprCtx,
) -> L<ExprKind> {
    let builtin = match module {
        [] | ["tremor"] if EVENT_ID_FNS.contains(&name) => registry().get("tremor", name),
        ["datetime"] => registry().get("datetime", name),
        _ => None,
    };
    if let Some(decl) = builtin {
        return native(l, decl, args, None, q, span, ctx);
    }
    if let [m @ ("win" | "stats")] = module {
        if let Some(decl) = aggr::lookup(m, name) {
            return aggregate(l, decl, args, span, ctx);
        }
        if l.m.resolve_module(l.scope, module).is_none() {
            return one(missing(q, aggr_hint(m, name)));
        }
    }
    if failed_alias(l, module) {
        return one(Diagnostic::consequence(q.span));
    }
    let candidates: Vec<String> = if module.is_empty() {
        l.m.scope(l.scope).fns.keys().cloned().collect()
    } else if let Some(id) = l.m.resolve_module(l.scope, module) {
        l.m.scope(id).fns.keys().cloned().collect()
    } else {
        if !l.m.scope(l.scope).aliases.contains_key(module[0]) {
            return one(missing(q, None).with_help(module_help(l, module)));
        }
        Vec::new()
    };
    let near = hint(candidates.iter().map(String::as_str), name);
    // `count()` in a select: the aggregate of that name, which needs its module.
    let aggregate = || {
        aggr::all()
            .iter()
            .find(|d| d.name == name)
            .map(|d| format!("aggr::{}::{name}", d.module))
    };
    one(missing(
        q,
        near.or_else(|| module.is_empty().then(aggregate).flatten()),
    ))
}

fn missing(q: &ast::QualName, hint: Option<String>) -> Diagnostic {
    let mut d = Diagnostic::error(
        codes::MISSING_FUNCTION,
        format!("Call to undefined function {}", q.joined()),
        q.span,
    );
    if let Some(h) = hint {
        d = d.with_help(format!("did you mean `{h}`?"));
    }
    d
}

/// How many arguments an aggregate takes, for its bad arity's hint.
fn takes(arity: std::ops::RangeInclusive<usize>) -> String {
    let (lo, hi) = (*arity.start(), *arity.end());
    let n = |k: usize| match k {
        0 => "no arguments".to_string(),
        1 => "1 argument".to_string(),
        k => format!("{k} arguments"),
    };
    if lo == hi {
        format!("it takes {}", n(lo))
    } else {
        format!("it takes {lo} to {}", n(hi))
    }
}

fn bad_arity(q: &ast::QualName, expected: &str, n: usize) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_ARITY,
        format!(
            "Bad arity for function {}/{expected} but was called with {n} arguments",
            q.joined()
        ),
        q.span,
    )
}

/// A native call with an arity check (declared params for intrinsics).
fn native(
    l: &Lowerer,
    decl: &'static FnDecl,
    args: &[ast::Expr],
    declared: Option<(usize, bool)>,
    q: &ast::QualName,
    _span: Span,
    ctx: &mut ExprCtx,
) -> L<ExprKind> {
    let n = args.len();
    let ok = match declared {
        Some((p, variadic)) => n == p || (variadic && n >= p),
        None => decl.arity.contains(&n),
    };
    if !ok {
        let expected = match declared {
            Some((p, _)) => p.to_string(),
            None if decl.arity.start() == decl.arity.end() => decl.arity.start().to_string(),
            None => format!("{}..{}", decl.arity.start(), decl.arity.end()),
        };
        return one(bad_arity(q, &expected, n));
    }
    if decl.module == "tremor" && decl.name == "event_ids" {
        l.m.reads_lineage
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    if let Some(hint) = operator_hint(decl) {
        ctx.warnings
            .push(Diagnostic::warning(codes::W_USE_OPERATOR, hint, q.span));
    }
    Ok(ExprKind::Native(Box::new(ir::NativeCall {
        decl,
        args: l.list(args, ctx)?,
    })))
}

/// Functions an operator does better (Tremor's consistency warning).
fn operator_hint(decl: &FnDecl) -> Option<&'static str> {
    match (decl.module, decl.name) {
        ("array", "push") => Some("`array::push(a, x)` can be written `a + [x]`, which is faster"),
        ("record", "combine") => {
            Some("`record::combine(a, b)` can be written `a + b`, which is faster")
        }
        ("system", "nanotime") => Some(
            "`system::nanotime()` reads the wall clock, so results differ between runs; `system::ingest_ns()` is the event's time",
        ),
        _ => None,
    }
}

/// An aggregate call: collected into `ctx.aggregates`, read back as `aggrs[i]`.
fn aggregate(
    l: &Lowerer,
    decl: &'static AggrDecl,
    args: &[ast::Expr],
    span: Span,
    ctx: &mut ExprCtx,
) -> L<ExprKind> {
    if ctx.in_aggr {
        return one(Diagnostic::error(
            codes::AGGR_IN_AGGR,
            "Aggregates can not be called inside of aggregates",
            span,
        ));
    }
    if !ctx.allow_aggregates {
        return one(Diagnostic::error(
            codes::AGGR_NOT_ALLOWED,
            format!(
                "Aggregate function aggr::{}::{} can only be used in the target of a select",
                decl.module, decl.name
            ),
            span,
        ));
    }
    if !decl.arity.contains(&args.len()) {
        return one(Diagnostic::error(
            codes::BAD_ARITY,
            format!(
                "Bad arity for function aggr::{}::{} but was called with {} arguments",
                decl.module,
                decl.name,
                args.len()
            ),
            span,
        )
        .with_help(takes(decl.arity.clone())));
    }
    ctx.in_aggr = true;
    ctx.aggr_locals_from = ctx.locals();
    let lowered = l.list(args, ctx);
    ctx.in_aggr = false;
    let mut args = lowered?;
    // `collect_*()` without an argument collects the events themselves (SPEC §4).
    if args.is_empty() && decl.name.starts_with("collect_") {
        args.push(ir::Expr::new(
            ExprKind::Path(Box::new(ir::Path {
                root: ir::Root::Event,
                segments: Vec::new(),
                span,
            })),
            span,
        ));
    }
    if let Some(w) = decl.warning {
        ctx.warnings
            .push(Diagnostic::warning(codes::W_AGGR_PERFORMANCE, w, span));
    }
    ctx.aggregates.push(AggrCall { decl, args, span });
    Ok(ExprKind::Aggr(ctx.aggregates.len() - 1))
}

/// The value of `m::CONST`.
pub(crate) fn qualified_const(l: &Lowerer, q: &ast::QualName) -> L<Value> {
    let module: Vec<&str> = q.module().iter().map(|s| s.name.as_str()).collect();
    let Some(id) = l.m.resolve_module(l.scope, &module) else {
        if failed_alias(l, &module) {
            return one(Diagnostic::consequence(q.span));
        }
        // Tremor's text; inside a definition body the module's own `use`s are not
        // visible, which is the usual reason (hence the hint).
        return one(Diagnostic::error(
            codes::MISSING_MODULE,
            format!(
                "The constant {} (absolute path) is not defined.",
                q.joined()
            ),
            q.span,
        )
        .with_help(module_help(l, &module)));
    };
    let scope = l.m.scope(id);
    match scope.consts.get(q.name()) {
        Some(v) => Ok(v.clone()),
        None => {
            let mut d = Diagnostic::error(
                codes::MISSING_CONST,
                format!("Constant `{}` not found", q.joined()),
                q.span,
            );
            if let Some(h) = hint(scope.consts.keys().map(String::as_str), q.name()) {
                d = d.with_help(format!("did you mean `{h}`?"));
            }
            one(d)
        }
    }
}

/// `module` starts with an alias whose `use` failed (already reported).
fn failed_alias(l: &Lowerer, module: &[&str]) -> bool {
    module
        .first()
        .is_some_and(|m| l.m.scope(l.scope).failed_aliases.contains(*m))
}

/// How to bring `module` into scope from a definition body when the enclosing
/// module `use`s it (bodies do not see that), else [`use_hint`].
fn module_help(l: &Lowerer, module: &[&str]) -> String {
    let outer = l.m.scope(l.scope).parent.map(|p| l.m.scope(p));
    match outer
        .zip(module.first())
        .and_then(|(o, m)| o.aliases.get(*m))
    {
        Some(path) => format!(
            "a definition body sees only its own declarations: add `use {};` inside it",
            path.join("::")
        ),
        None => use_hint(module),
    }
}

/// How to bring `module` into scope: `use std::m;` when the standard library has it.
fn use_hint(module: &[&str]) -> String {
    let rel = module.join("/");
    let full = ["std", "tremor", "cncf"]
        .iter()
        .find(|root| {
            super::stdlib::file(&format!("{root}/{rel}.tremor")).is_some()
                || super::stdlib::is_dir(&format!("{root}/{rel}"))
        })
        .map_or_else(
            || module.join("::"),
            |root| format!("{root}::{}", module.join("::")),
        );
    format!(
        "the module `{}` is not loaded: add `use {full};`",
        module.join("::")
    )
}

/// `aggr::m::f` for the aggregate closest to `name` in module `m`.
fn aggr_hint(m: &str, name: &str) -> Option<String> {
    hint(
        aggr::all().iter().filter(|d| d.module == m).map(|d| d.name),
        name,
    )
    .map(|h| format!("aggr::{m}::{h}"))
}

/// The candidate closest to `name`, if one is close enough to be a typo of it.
pub(crate) fn hint<'a>(candidates: impl Iterator<Item = &'a str>, name: &str) -> Option<String> {
    candidates
        .map(|c| (trickle_grammar::suggest::edit_distance(c, name), c))
        .filter(|(d, c)| *d <= 2.max(name.len() / 3) && *c != name)
        .min()
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_close_names() {
        assert_eq!(
            hint(["len", "trim", "split"].into_iter(), "lne"),
            Some("len".into())
        );
        assert_eq!(hint(["len"].into_iter(), "completely_other"), None);
    }
}

//! `select` → a select node: clauses lowered with the right context flags
//! (LANGUAGE §2 "Compile-time checks"), aggregates collected, windows resolved,
//! and the node connected between its `from` and `into`.

use super::compile::{Compiler, Pipe};
use crate::aggr::AggrSite;
use crate::compile::ExprCtx;
use crate::diag::{codes, Diagnostic};
use crate::exec::graph::NodeKind;
use crate::exec::group::GroupSpec;
use crate::exec::select::{SelectMode, SelectSpec};
use crate::exec::tilt::EmitSpec;
use crate::value::Value;
use crate::window::{WinKind, WindowSpec};
use std::sync::Arc;
use trickle_grammar::ast::{self, Definition, ExprKind, GroupBy, PathRoot};

/// The expressions of a `group by`, depth first (what `group[i]` indexes), each
/// with whether it is an `each` (its part of the key is one element of the array,
/// not the array).
fn group_leaves<'a>(g: &'a GroupBy, out: &mut Vec<(&'a ast::Expr, bool)>) {
    match g {
        GroupBy::Expr(e) => out.push((e, false)),
        GroupBy::Each(e, _) => out.push((e, true)),
        GroupBy::Set(items, _) => items.iter().for_each(|i| group_leaves(i, out)),
    }
}

fn is_plain_event(e: &ast::Expr) -> bool {
    matches!(&e.kind, ExprKind::Path(p) if p.root == PathRoot::Event && p.segments.is_empty())
}

impl Compiler {
    pub(super) fn select(
        &mut self,
        pipe: &mut Pipe,
        s: &ast::Select,
    ) -> Result<(), Vec<Diagnostic>> {
        if pipe.is_failed(&s.from) || pipe.is_failed(&s.into) {
            // A node whose creation failed: only the select's own errors are new.
            return self.select_spec(pipe, s).map(|_| ());
        }
        let from = self.resolve_from(pipe, &s.from);
        let into = self.resolve_into(pipe, &s.into);
        let (from, into) = match (from, into) {
            (Ok(f), Ok(i)) => (f, i),
            (f, i) => return Err(f.err().into_iter().chain(i.err()).collect()),
        };
        let spec = self.select_spec(pipe, s)?;
        let name = format!("{}select_{}", pipe.prefix, self.selects);
        self.selects += 1;
        let first = spec.emit.windows.first();
        let late = first.and_then(|w| w.late.clone());
        let timed = first.is_some_and(|w| matches!(w.kind, WinKind::Time(_)));
        self.select_spans.insert(name.clone(), s.span);
        let idx = self.graph.add(name, NodeKind::Select(Arc::new(spec)));
        self.graph.connect(from.0, &from.1, idx, "in");
        self.graph.connect(idx, "out", into.0, &into.1);
        match late {
            // Connected once the pipeline's streams all exist (it may come later).
            Some((name, span)) => self.late.push((pipe.prefix.clone(), idx, name, span)),
            // Late events are reported on the query's `err`.
            None if timed => {
                if let Some(err) = self.graph.find("err") {
                    self.graph.connect(idx, "err", err, "in");
                }
            }
            None => {}
        }
        Ok(())
    }

    fn select_spec(&mut self, pipe: &Pipe, s: &ast::Select) -> Result<SelectSpec, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut windows = Vec::new();
        let wargs = pipe.args.clone().unwrap_or(Value::Null);
        for q in &s.windows {
            if q.segments.len() == 1 && pipe.failed.contains(q.name()) {
                errors.push(Diagnostic::consequence(q.span));
                continue;
            }
            match self.lookup(pipe, q) {
                Ok((scope, Definition::Window(w))) => {
                    match super::window_def::build(&self.bind, scope, &w, &wargs) {
                        Ok(mut spec) => {
                            spec.name = q.name().to_string();
                            windows.push(spec);
                        }
                        Err(es) => errors.extend(es),
                    }
                }
                Ok((_, d)) => errors.push(
                    Diagnostic::error(
                        codes::QUERY_WRONG_DEFINITION_KIND,
                        format!("`{}` is not a window", q.joined()),
                        q.span,
                    )
                    .with_secondary(super::compile::def_span(&d), "defined here"),
                ),
                Err(e) => errors.push(e),
            }
        }
        errors.extend(tilt_checks(&s.windows, &windows));
        let scope = pipe.scope;
        let args = pipe.args.clone();
        let bind = &self.bind;
        let mut lower = |e: &ast::Expr, ctx: &mut ExprCtx| match bind.expr(scope, e, ctx) {
            Ok(x) => Some(x),
            Err(es) => {
                errors.extend(es);
                None
            }
        };
        let group_by = s.group_by.as_ref().and_then(|g| {
            let mut ctx = ExprCtx::select();
            ctx.args = Some(Value::Null);
            group_spec(g, &mut |e| lower(e, &mut ctx))
        });
        let where_ = s.where_.as_ref().and_then(|w| {
            let mut ctx = ExprCtx::select();
            ctx.args = args.clone();
            lower(w, &mut ctx)
        });
        let mut ctx = ExprCtx::select();
        ctx.args = args.clone();
        ctx.allow_aggregates = true;
        ctx.allow_event = windows.is_empty();
        if !windows.is_empty() {
            if let Some(g) = &s.group_by {
                let mut leaves = Vec::new();
                group_leaves(g, &mut leaves);
                ctx.group_each = leaves.iter().map(|(_, each)| *each).collect();
                ctx.group_exprs = leaves.into_iter().map(|(e, _)| e.clone()).collect();
            }
        }
        let target = lower(&s.target, &mut ctx);
        ctx.allow_event = true;
        // `having` sees the select result: only the target's references are rewritten
        // to `group[i]` (Tremor rewrites the target alone).
        ctx.group_exprs.clear();
        let having = s.having.as_ref().and_then(|h| lower(h, &mut ctx));
        self.warn(std::mem::take(&mut ctx.warnings));
        let aggrs: Vec<AggrSite> = std::mem::take(&mut ctx.aggregates)
            .into_iter()
            .map(|a| AggrSite {
                at: Some(self.bind.sources.position(a.span)),
                bound: crate::aggr::is_bound(a.decl),
                decl: a.decl,
                args: a
                    .args
                    .into_iter()
                    .map(|x| self.bind.wrap(x, ctx.locals()))
                    .collect(),
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let Some(target) = target else {
            return Err(errors);
        };
        // An aggregate (in `having`, as the target has none) needs the full path.
        let plain = is_plain_event(&s.target)
            && s.group_by.is_none()
            && windows.is_empty()
            && aggrs.is_empty();
        let mode = match (plain, s.where_.is_some() || s.having.is_some()) {
            (true, false) => SelectMode::Passthrough,
            (true, true) => SelectMode::Simple,
            (false, _) => SelectMode::Normal,
        };
        let stream_grouped = s.group_by.as_ref().is_some_and(|g| {
            let mut leaves = Vec::new();
            group_leaves(g, &mut leaves);
            leaves
                .into_iter()
                .any(|(e, _)| super::uses::calls(e, "stream_id"))
        });
        Ok(SelectSpec {
            mode,
            where_,
            group_by,
            emit: EmitSpec {
                target,
                having,
                aggrs,
                windows,
                args: args.unwrap_or(Value::Null),
                marks: false,
            },
            stream_grouped,
        })
    }
}

/// Event-time and count `sliding` windows keep their own windows: only the first
/// window of a tilt frame can be one, and a count `sliding` one emits per event,
/// so nothing can follow it.
fn tilt_checks(names: &[ast::QualName], windows: &[WindowSpec]) -> Vec<Diagnostic> {
    if windows.len() != names.len() {
        return Vec::new();
    }
    let mut errors = Vec::new();
    for (i, (w, q)) in windows.iter().zip(names).enumerate() {
        match (&w.kind, i) {
            (WinKind::Classic, _) => {}
            (WinKind::Sliding { .. }, 0) if windows.len() > 1 => errors.push(
                Diagnostic::error(
                    codes::QUERY_BAD_WINDOW,
                    format!("The count sliding window `{}` emits for every event: no window can follow it in a tilt frame", q.joined()),
                    q.span,
                ),
            ),
            (_, 0) => {}
            _ => errors.push(
                Diagnostic::error(
                    codes::QUERY_BAD_WINDOW,
                    format!("`{}` can only be the first window of a tilt frame", q.joined()),
                    q.span,
                )
                .with_help("event-time and sliding windows take events, not other windows' results"),
            ),
        }
    }
    errors
}

/// Lowers the items of a `group by`; `None` when any item failed.
fn group_spec(
    g: &GroupBy,
    lower: &mut dyn FnMut(&ast::Expr) -> Option<crate::expr::ExprRef>,
) -> Option<GroupSpec> {
    match g {
        GroupBy::Expr(e) => lower(e).map(GroupSpec::Expr),
        GroupBy::Each(e, _) => lower(e).map(GroupSpec::Each),
        GroupBy::Set(items, _) => {
            let mut out = Vec::new();
            let mut ok = true;
            for i in items {
                match group_spec(i, lower) {
                    Some(s) => out.push(s),
                    None => ok = false,
                }
            }
            ok.then_some(GroupSpec::Set(out))
        }
    }
}

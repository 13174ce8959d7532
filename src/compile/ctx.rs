//! What an expression may do where it is being lowered: the flags of the script
//! and query contexts (LANGUAGE.md §2), and what lowering collects on the way
//! (aggregate calls, local slots, warnings).

use crate::aggr::AggrDecl;
use crate::diag::{Diagnostic, Span};
use crate::ir;
use crate::value::Value;
use trickle_grammar::ast;

/// One aggregate call site found while lowering a select target (or having).
/// The lowered expression reads its result as `aggrs[i]`, `i` being its index in
/// [`ExprCtx::aggregates`].
pub struct AggrCall {
    pub decl: &'static AggrDecl,
    /// Arguments, evaluated per accumulated event.
    pub args: Vec<ir::Expr>,
    pub span: Span,
}

impl std::fmt::Debug for AggrCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "aggr::{}::{}({:?})",
            self.decl.module, self.decl.name, self.args
        )
    }
}

/// Flags and collected state for lowering expressions. Build one with a
/// constructor matching the context, adjust fields, lower, then read
/// `aggregates`, `warnings` and [`ExprCtx::locals`].
#[derive(Debug)]
pub struct ExprCtx {
    /// Locals may be read and written (scripts). When false, any non-const name is
    /// "Local variables are not allowed here".
    pub allow_locals: bool,
    /// `event` and `$` may be read outside aggregate calls. When false (windowed
    /// select targets, tick scripts) it is "References to `event` or `$` are not
    /// allowed in this context".
    pub allow_event: bool,
    /// `state` may be read and written.
    pub allow_state: bool,
    /// `let event...` / `let $...` are allowed (not in window scripts).
    pub allow_event_assign: bool,
    /// `emit` and `drop` are allowed (script bodies).
    pub allow_effects: bool,
    /// Aggregate calls (`aggr::m::f`, `win::f`, `stats::f`) are allowed and collected.
    pub allow_aggregates: bool,
    /// `args` is this known record: `args.x` is replaced by its value (a missing key
    /// is a compile error, as reading it would be at run time). `None`: `args` is
    /// read at run time from `Env::args`.
    pub args: Option<Value>,
    /// Group-by expressions: a sub-expression equal to the i-th (ignoring spans)
    /// becomes `group[i]`, one equal to item j of an i-th that is a list literal
    /// (`group by [source_id(), stream_id()]`) `group[i][j]`.
    pub group_exprs: Vec<ast::Expr>,
    /// Whether the i-th of `group_exprs` is an `each`: its items are not in `group`.
    pub group_each: Vec<bool>,
    /// Aggregate calls found, in order.
    pub aggregates: Vec<AggrCall>,
    /// Warnings found (missing `case _`, performance hints).
    pub warnings: Vec<Diagnostic>,
    /// Local names by slot.
    pub(crate) local_names: Vec<String>,
    /// Inside a `fn` body: `event`/`$`/`state` are null, no `emit`/`drop`, `recur` allowed.
    pub(crate) in_fn: bool,
    /// Inside a `fn`: its parameter count and whether it is variadic (`recur` checks).
    pub(crate) fn_arity: Option<(usize, bool)>,
    /// Inside a variadic `fn`: `args` is the slot of the extra arguments.
    pub(crate) varargs_slot: Option<usize>,
    /// Inside an aggregate's arguments.
    pub(crate) in_aggr: bool,
    /// Inside an aggregate's arguments: the first local slot they may read. One
    /// bound before (by a `for` or `match` around the call) has no value there:
    /// the arguments run once per event, outside it.
    pub(crate) aggr_locals_from: usize,
    /// Shapes (span-free renderings) of `group_exprs` and of the items of those
    /// that are list literals, each with its indices into `group`; computed on
    /// first use.
    pub(crate) group_shapes: Option<Vec<(String, Vec<usize>)>>,
    /// Set just before lowering a statement-level `match`/`for` whose value is
    /// unused; taken by it, so its case bodies are lowered as unused too.
    pub(crate) arms_unneeded: bool,
    /// Case bindings (`case a = _`) in scope: name → slot. A binding lives only in
    /// its case, so it gets its own slot, which shadows a local of the same name.
    pub(crate) shadows: Vec<(String, usize)>,
    /// Lowering code that may never run (a function body, a case arm, the right of
    /// `and`/`or`): a constant part that fails to evaluate stays a runtime error and
    /// the compiler only warns.
    pub(crate) may_not_run: bool,
}

impl ExprCtx {
    /// A script body (or `define script`): locals, event, state, emit/drop.
    pub fn script() -> Self {
        ExprCtx {
            allow_locals: true,
            allow_event: true,
            allow_state: true,
            allow_event_assign: true,
            allow_effects: true,
            allow_aggregates: false,
            args: None,
            group_exprs: Vec::new(),
            group_each: Vec::new(),
            aggregates: Vec::new(),
            warnings: Vec::new(),
            local_names: Vec::new(),
            in_fn: false,
            fn_arity: None,
            varargs_slot: None,
            in_aggr: false,
            aggr_locals_from: 0,
            group_shapes: None,
            arms_unneeded: false,
            shadows: Vec::new(),
            may_not_run: false,
        }
    }

    /// A select target, `where`, `having` or group-by expression: no locals, no
    /// effects, no state. Set `allow_aggregates`, `allow_event`, `group_exprs` as needed.
    pub fn select() -> Self {
        ExprCtx {
            allow_locals: false,
            allow_state: false,
            allow_event_assign: false,
            allow_effects: false,
            ..ExprCtx::script()
        }
    }

    /// A window script: locals and `state`, no assignment to `event`, no effects.
    pub fn window_script() -> Self {
        ExprCtx {
            allow_event_assign: false,
            allow_effects: false,
            ..ExprCtx::script()
        }
    }

    /// A constant expression (`const`, `with` values, `state`): nothing dynamic.
    pub fn constant() -> Self {
        ExprCtx {
            allow_locals: false,
            allow_event: true,
            allow_state: false,
            allow_event_assign: false,
            allow_effects: false,
            ..ExprCtx::script()
        }
    }

    /// Number of local slots used; a [`crate::interp::Frame`] gets this many.
    pub fn locals(&self) -> usize {
        self.local_names.len()
    }

    /// The slot of local `name`, allocating one if new.
    pub(crate) fn local_slot(&mut self, name: &str) -> usize {
        if let Some(slot) = self.shadow(name) {
            return slot;
        }
        match self.local_names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.local_names.push(name.to_string());
                self.local_names.len() - 1
            }
        }
    }

    /// The slot of an existing local.
    pub(crate) fn find_local(&self, name: &str) -> Option<usize> {
        self.shadow(name)
            .or_else(|| self.local_names.iter().position(|n| n == name))
    }

    fn shadow(&self, name: &str) -> Option<usize> {
        self.shadows
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
    }

    /// A fresh slot for the case binding `name`, in scope until the shadows are
    /// truncated at the end of the case.
    pub(crate) fn bind_in_case(&mut self, name: &str) -> usize {
        // A name no identifier can have, so the slot is never found by name.
        self.local_names.push(format!("\u{0}{name}"));
        let slot = self.local_names.len() - 1;
        self.shadows.push((name.to_string(), slot));
        slot
    }
}

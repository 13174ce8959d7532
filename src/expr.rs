//! The runtime's view of compiled expressions: what a select, a window or a script
//! node needs to evaluate, behind two small traits so the runtime does not depend on
//! how expressions are lowered (the query compiler binds them to the interpreter).

use crate::event::FnCtx;
use crate::interp::Outcome;
use crate::value::{Str, Value};
use std::sync::Arc;

/// A compiled expression or block failed for one event. The text is the
/// interpreter's error already rendered with its source position, by the binding
/// that knows the sources (`query::bind`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

/// Everything a select-side expression may read while it runs.
pub struct Scope<'a> {
    /// `event` (the trigger, or `null` on a tick; the select result inside `having`).
    /// Mutable only because the interpreter's environment is: select-side
    /// expressions are compiled without assignments.
    pub event: &'a mut Value,
    /// `$`
    pub meta: &'a mut Value,
    /// `group`: key values followed by the key's sorted JSON.
    pub group: &'a Value,
    /// `window`: the window's name, or `null`.
    pub window: &'a Value,
    /// `args` of the pipeline the node lives in (`null` at top level).
    pub args: &'a Value,
    /// Results of the aggregate calls of the emitting window, by call-site index.
    pub aggrs: &'a [Value],
    /// Ingest time, ids, lineage, cardinality.
    pub ctx: FnCtx<'a>,
}

/// A compiled expression. `state` is the window script's state (`null` elsewhere).
pub trait Expr: Send + Sync {
    fn eval(&self, scope: &mut Scope<'_>, state: &mut Value) -> Result<Value, EvalError>;
    /// The value, when the expression is a constant (read in place, not copied per event).
    fn constant(&self) -> Option<&Value> {
        None
    }
    /// Adds the top-level `event` fields this expression reads to `keys`; `false`
    /// when it may read the event in another way (as a whole, by a computed key).
    /// The default knows nothing, so it says `false`.
    fn event_keys(&self, _keys: &mut Vec<Str>) -> bool {
        false
    }
    /// Where it is written (`file:line:col`), for an error about its value.
    fn position(&self) -> Option<String> {
        None
    }
}

/// Where the expression an error is about is written: `file:line:col: ` before
/// the message (SPEC §11), or nothing for an expression that does not know.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct At(pub Option<String>);

impl At {
    pub fn of(e: &ExprRef) -> At {
        At(e.position())
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(p) => write!(f, "{p}: "),
            None => Ok(()),
        }
    }
}

/// A shared compiled expression.
pub type ExprRef = Arc<dyn Expr>;

/// A compiled statement list of a script node (main script or `script from PORT`).
pub trait Block: Send + Sync {
    /// Runs for one event; `event`, `meta` and `state` may be mutated.
    fn run(
        &self,
        event: &mut Value,
        meta: &mut Value,
        state: &mut Value,
        args: &Value,
        ctx: &FnCtx<'_>,
    ) -> Result<Outcome, EvalError>;
}

/// A shared compiled block.
pub type BlockRef = Arc<dyn Block>;

/// An expression backed by a closure (tests, benches, built-in helpers).
pub struct FnExpr<F>(pub F);

impl<F> Expr for FnExpr<F>
where
    F: Fn(&Scope<'_>, &mut Value) -> Result<Value, EvalError> + Send + Sync,
{
    fn eval(&self, scope: &mut Scope<'_>, state: &mut Value) -> Result<Value, EvalError> {
        (self.0)(scope, state)
    }
}

/// Wraps a closure as an [`ExprRef`].
pub fn fn_expr<F>(f: F) -> ExprRef
where
    F: Fn(&Scope<'_>, &mut Value) -> Result<Value, EvalError> + Send + Sync + 'static,
{
    Arc::new(FnExpr(f))
}

/// A constant.
pub fn const_expr(v: Value) -> ExprRef {
    fn_expr(move |_, _| Ok(v.clone()))
}

//! Binds expressions lowered by the compiler (`crate::compile`) to the executor's
//! [`Expr`]/[`Block`] traits, running them with the interpreter and rendering
//! runtime errors with their source position.

use crate::compile::{ExprCtx, Modules, ScopeId};
use crate::diag::{Diagnostic, SourceMap};
use crate::event::FnCtx;
use crate::expr::{Block, BlockRef, EvalError, Expr, ExprRef, Scope};
use crate::interp::{
    block_event_keys, eval_expr, event_fields, event_keys, read_fields, run_block, Env, Frame,
    Outcome,
};
use crate::ir;
use crate::value::{Str, Value};
use std::sync::{Arc, Mutex};
use trickle_grammar::ast;

/// A lowered expression (select target, guard, group-by item, aggregate argument).
struct BoundExpr {
    /// For a plain `event.a.b`: its fields, read directly (no frame, no environment).
    fields: Option<Box<[Str]>>,
    expr: ir::Expr,
    locals: usize,
    frame: Mutex<Frame>,
    sources: Arc<SourceMap>,
}

/// A lowered statement list (script node body, window script).
struct BoundBlock {
    block: ir::Block,
    frame: Mutex<Frame>,
    sources: Arc<SourceMap>,
}

/// Runs `f` with this node's local frame (or a fresh one if it is busy, which only a
/// re-entrant call could cause).
fn with_frame<T>(m: &Mutex<Frame>, f: impl FnOnce(&mut Frame) -> T) -> T {
    let mut fresh = Frame::default();
    let mut guard = m.try_lock();
    match guard.as_deref_mut() {
        Ok(frame) => f(frame),
        Err(_) => f(&mut fresh),
    }
}

impl Expr for BoundExpr {
    fn eval(&self, scope: &mut Scope<'_>, state: &mut Value) -> Result<Value, EvalError> {
        if let Some(v) = self
            .fields
            .as_deref()
            .and_then(|f| read_fields(scope.event, f))
        {
            return Ok(v.clone());
        }
        with_frame(&self.frame, |frame| {
            frame.reset(self.locals);
            let mut env = Env {
                event: &mut *scope.event,
                meta: &mut *scope.meta,
                state,
                args: scope.args,
                group: scope.group,
                window: scope.window,
                aggrs: scope.aggrs,
                ctx: scope.ctx,
                locals: frame,
            };
            eval_expr(&self.expr, &mut env).map_err(|e| EvalError(e.render(&self.sources)))
        })
    }

    fn position(&self) -> Option<String> {
        Some(self.sources.position(self.expr.span))
    }

    fn constant(&self) -> Option<&Value> {
        self.expr.as_const()
    }

    fn event_keys(&self, keys: &mut Vec<Str>) -> bool {
        event_keys(&self.expr, keys)
    }
}

impl BoundBlock {
    fn run_env(
        &self,
        event: &mut Value,
        meta: &mut Value,
        state: &mut Value,
        args: &Value,
        ctx: FnCtx<'_>,
    ) -> Result<Outcome, EvalError> {
        with_frame(&self.frame, |frame| {
            let mut env = Env {
                event,
                meta,
                state,
                args,
                group: &Value::Null,
                window: &Value::Null,
                aggrs: &[],
                ctx,
                locals: frame,
            };
            run_block(&self.block, &mut env).map_err(|e| EvalError(e.render(&self.sources)))
        })
    }
}

impl Block for BoundBlock {
    fn run(
        &self,
        event: &mut Value,
        meta: &mut Value,
        state: &mut Value,
        args: &Value,
        ctx: &FnCtx<'_>,
    ) -> Result<Outcome, EvalError> {
        self.run_env(event, meta, state, args, *ctx)
    }
}

/// A window script used as an expression: its value is the window's reply.
impl Expr for BoundBlock {
    fn eval(&self, scope: &mut Scope<'_>, state: &mut Value) -> Result<Value, EvalError> {
        // Window scripts may not assign to `event` or `$` (checked when lowering).
        match self.run_env(scope.event, scope.meta, state, scope.args, scope.ctx)? {
            Outcome::Emit { value, .. } => Ok(value),
            Outcome::Drop => Ok(Value::Null),
        }
    }

    /// Where the reply comes from: the script's last expression.
    fn position(&self) -> Option<String> {
        let last = self.block.exprs.last()?;
        Some(self.sources.position(last.span))
    }

    fn event_keys(&self, keys: &mut Vec<Str>) -> bool {
        block_event_keys(&self.block, keys)
    }
}

/// The compiler's handle on lowering: the module environment and the sources that
/// runtime errors are rendered against.
pub(crate) struct Binder {
    pub modules: Modules,
    pub sources: Arc<SourceMap>,
}

impl Binder {
    /// Lowers one expression under `ctx`.
    pub fn expr(
        &self,
        scope: ScopeId,
        e: &ast::Expr,
        ctx: &mut ExprCtx,
    ) -> Result<ExprRef, Vec<Diagnostic>> {
        let expr = self.modules.lower_expr(scope, e, ctx)?;
        Ok(self.wrap(expr, ctx.locals()))
    }

    /// Wraps an already lowered expression (aggregate arguments).
    pub fn wrap(&self, expr: ir::Expr, locals: usize) -> ExprRef {
        Arc::new(BoundExpr {
            fields: event_fields(&expr),
            expr,
            locals,
            frame: Mutex::new(Frame::default()),
            sources: self.sources.clone(),
        })
    }

    fn lower_block(
        &self,
        scope: ScopeId,
        body: &[ast::Expr],
        ctx: &mut ExprCtx,
    ) -> Result<BoundBlock, Vec<Diagnostic>> {
        let block = self.modules.lower_block(scope, body, ctx)?;
        Ok(BoundBlock {
            block,
            frame: Mutex::new(Frame::default()),
            sources: self.sources.clone(),
        })
    }

    /// Lowers a script node's body.
    pub fn block(
        &self,
        scope: ScopeId,
        body: &[ast::Expr],
        ctx: &mut ExprCtx,
    ) -> Result<BlockRef, Vec<Diagnostic>> {
        Ok(Arc::new(self.lower_block(scope, body, ctx)?))
    }

    /// Lowers a window script; its value is the reply (weight, timestamp or decision).
    pub fn window_script(
        &self,
        scope: ScopeId,
        body: &[ast::Expr],
        ctx: &mut ExprCtx,
    ) -> Result<ExprRef, Vec<Diagnostic>> {
        Ok(Arc::new(self.lower_block(scope, body, ctx)?))
    }

    /// A constant (`with` values, `state`, argument defaults).
    pub fn fold(&self, scope: ScopeId, e: &ast::Expr, args: &Value) -> Result<Value, Diagnostic> {
        self.modules.fold_const(scope, e, args)
    }
}

/// A copy of the sources (file ids preserved) for rendering runtime errors later.
pub(crate) fn snapshot(sources: &SourceMap) -> SourceMap {
    let mut copy = SourceMap::new();
    let mut id = 0;
    while !sources.name(id).is_empty() || !sources.text(id).is_empty() {
        copy.add(sources.name(id), sources.text(id));
        id += 1;
    }
    copy
}

//! Evaluation of compiled expressions: paths, operators, patterns, extractors,
//! patch/merge, comprehensions, functions.
//!
//! The entry points are [`eval_expr`] (one expression, e.g. a select target or a
//! guard) and [`run_block`] (a script body: statements, `emit`/`drop`). Both read and
//! write through an [`Env`]; local variables live in a reusable [`Frame`] so that
//! running an expression per event allocates nothing for them.

mod bytes;
mod eval;
mod for_loop;
mod func;
mod ops;
mod patch;
mod path;
mod pattern;
mod reads;
#[cfg(test)]
mod tests;

use crate::diag::{SourceMap, Span};
use crate::event::FnCtx;
use crate::ir;
use crate::value::Value;
use std::sync::Mutex;

pub use eval::{eval_expr, run_block};
pub use func::set_stack_budget;
#[cfg(test)]
pub(crate) use path::best_hint;
pub use path::{event_fields, read_fields};
pub use reads::{block_event_keys, event_keys};

/// A compiled `.tremor` script.
pub struct Script {
    pub(crate) body: ir::Block,
    /// Local slots reused from event to event.
    frame: Mutex<Frame>,
}

/// What running a script for one event produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `emit`, `emit v`, `emit v => "port"`, or the value of the last expression (port `None` = `out`).
    Emit { value: Value, port: Option<String> },
    /// `drop`
    Drop,
}

/// A runtime error in one event, with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeError {
    pub message: String,
    pub span: Span,
    pub note: Option<String>,
}

impl RuntimeError {
    /// An error at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        RuntimeError {
            message: message.into(),
            span,
            note: None,
        }
    }
    /// The error text for `{"error": TEXT, ...}`: message and source position.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut s = format!("{}: {}", sources.position(self.span), self.message);
        if let Some(n) = &self.note {
            s.push_str("\nNOTE: ");
            s.push_str(n);
        }
        s
    }
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuntimeError {}

/// Local variable slots: a stack of frames (one per active function call).
/// Create one per node with `Frame::default()` and pass it to every [`Env`].
#[derive(Debug, Default)]
pub struct Frame {
    pub(crate) slots: Vec<Option<Value>>,
    pub(crate) base: usize,
    pub(crate) depth: usize,
    /// Stack address at the outermost call (see `func::invoke`).
    pub(crate) stack_base: usize,
}

impl Frame {
    /// Clears every slot and makes room for `n` (done by [`run_block`]).
    pub fn reset(&mut self, n: usize) {
        self.slots.clear();
        self.slots.resize(n, None);
        self.base = 0;
        self.depth = 0;
    }
}

/// Everything an expression can read or write while it runs for one event.
pub struct Env<'a> {
    pub event: &'a mut Value,
    /// `$`
    pub meta: &'a mut Value,
    pub state: &'a mut Value,
    pub args: &'a Value,
    pub group: &'a Value,
    pub window: &'a Value,
    /// Current results of the select's aggregate calls (`ExprCtx::aggregates` order).
    pub aggrs: &'a [Value],
    pub ctx: FnCtx<'a>,
    /// Local slots; reuse one `Frame` per node.
    pub locals: &'a mut Frame,
}

impl Script {
    /// Wraps a lowered script body.
    pub(crate) fn new(body: ir::Block) -> Self {
        Script {
            body,
            frame: Mutex::new(Frame::default()),
        }
    }

    /// The compiled body (the query compiler runs script nodes with [`run_block`]).
    pub fn body(&self) -> &ir::Block {
        &self.body
    }

    /// Runs the script for one event; `event`, `meta` (`$`) and `state` may be mutated.
    pub fn run(
        &self,
        event: &mut Value,
        meta: &mut Value,
        state: &mut Value,
        ctx: &FnCtx,
    ) -> Result<Outcome, RuntimeError> {
        let mut fresh = Frame::default();
        let mut guard = self.frame.try_lock();
        let frame = match guard.as_deref_mut() {
            Ok(f) => f,
            Err(_) => &mut fresh,
        };
        let mut env = Env {
            event,
            meta,
            state,
            args: &Value::Null,
            group: &Value::Null,
            window: &Value::Null,
            aggrs: &[],
            ctx: *ctx,
            locals: frame,
        };
        run_block(&self.body, &mut env)
    }
}

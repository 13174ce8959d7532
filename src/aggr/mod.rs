//! Aggregate functions (`aggr::stats::*`, `aggr::win::*`): the state a window keeps
//! per call site, with Tremor's contract `init` / `accumulate` / `merge` / `emit`.
//!
//! ```text
//!  event ──accumulate──▶ [state of window 1] ──emit──▶ result
//!                              │ merge (tilt frame)
//!                              ▼
//!                        [state of window 2] ──emit──▶ result
//! ```

use crate::functions::FnError;
use crate::value::Value;
use std::any::Any;
use std::ops::RangeInclusive;

/// The running state of one aggregate call in one window.
pub trait Aggregate: Send {
    /// Resets to the empty state.
    fn init(&mut self);
    /// Adds one event's evaluated arguments.
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError>;
    /// Adds the state of the same aggregate from the previous window of a chain.
    /// `src` is always the same concrete type (use `as_any` to downcast).
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError>;
    /// The current result (does not reset).
    fn emit(&mut self) -> Result<Value, FnError>;
    fn boxed_clone(&self) -> Box<dyn Aggregate>;
    fn as_any(&self) -> &dyn Any;
}

/// A registered aggregate function.
pub struct AggrDecl {
    /// `stats` or `win`.
    pub module: &'static str,
    pub name: &'static str,
    pub arity: RangeInclusive<usize>,
    /// A fresh state.
    pub make: fn() -> Box<dyn Aggregate>,
    /// Performance warning to print at compile time (the collect functions).
    pub warning: Option<&'static str>,
    pub doc: &'static str,
}

/// Every aggregate; add entries here when you add a kind.
static AGGREGATES: &[AggrDecl] = &[];

/// Looks up `aggr::module::name`.
pub fn lookup(module: &str, name: &str) -> Option<&'static AggrDecl> {
    AGGREGATES
        .iter()
        .find(|d| d.module == module && d.name == name)
}

/// All aggregates (for hints and completion).
pub fn all() -> &'static [AggrDecl] {
    AGGREGATES
}

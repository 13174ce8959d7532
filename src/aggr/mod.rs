//! Aggregate functions (`aggr::stats::*`, `aggr::win::*`): the state a window keeps
//! per call site, with Tremor's contract `init` / `accumulate` / `merge` / `emit`.
//!
//! ```text
//!  event ──accumulate──▶ [state of window 1] ──emit──▶ result
//!                              │ merge (tilt frame)
//!                              ▼
//!                        [state of window 2] ──emit──▶ result
//! ```
//!
//! Contract for the caller (the select compiler and the window runtime):
//! - resolve `aggr::<module>::<name>` with [`lookup`] and check the arity against
//!   [`AggrDecl::arity`]; print [`AggrDecl::warning`] when set;
//! - `win::collect_flattened()` / `win::collect_nested()` written without an argument
//!   collect the events themselves: pass `event` as their single argument;
//! - render an `FnError` with `err.render(decl.module, decl.name, arity)`, giving
//!   e.g. "Bad type passed to function stats::sum/1".

mod dds;
mod hdr;
mod percentiles;
mod site;
mod state;
mod stats;
mod win;

pub use site::{AggrError, AggrSite};
pub use state::{State, States};

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
    /// Adds `src`, the state of the same call site over *other events of the same
    /// window* (two sessions merging, the parts of a sliding window): the result must
    /// be what accumulating both sets of events in order gives. `merge` is a tilt frame
    /// taking in a smaller window, which `collect_nested` keeps as one element, so
    /// only it differs.
    fn combine(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        self.merge(src)
    }
    /// Whether [`Aggregate::retract_oldest`] works: a sliding window then keeps one
    /// state instead of a two-stack of partial states.
    fn can_retract(&self) -> bool {
        false
    }
    /// Removes the oldest accumulated value (sliding windows); see `can_retract`.
    fn retract_oldest(&mut self) {}
    /// Whether [`Aggregate::init`] leaves exactly a fresh state, so a window's states
    /// can be reset and reused for another window (`hdr` and `dds` keep the
    /// percentiles of their first call across a reset).
    fn init_is_fresh(&self) -> bool {
        true
    }
    /// A copy of this state (the group template is cloned for each new group).
    fn boxed_clone(&self) -> Box<dyn Aggregate>;
    /// For `merge` to downcast its source.
    fn as_any(&self) -> &dyn Any;
}

/// A registered aggregate function.
pub struct AggrDecl {
    /// `stats` or `win`.
    pub module: &'static str,
    /// The function name within the module.
    pub name: &'static str,
    /// Accepted argument counts; `0..=1` for the collect functions (see the module docs).
    pub arity: RangeInclusive<usize>,
    /// A fresh state.
    pub make: fn() -> Box<dyn Aggregate>,
    /// Performance warning to print at compile time (the collect functions).
    pub warning: Option<&'static str>,
    pub doc: &'static str,
}

/// The performance warning the collect functions carry.
pub const COLLECT_WARNING: &str =
    "Collecting aggregates keep every event of the window in memory; \
large windows or many groups can use a lot of it";

/// Every aggregate; add entries here when you add a kind.
static AGGREGATES: &[AggrDecl] = &[
    stats::COUNT,
    stats::SUM,
    stats::MIN,
    stats::MAX,
    stats::MEAN,
    stats::VAR,
    stats::STDEV,
    hdr::HDR,
    dds::DDS,
    win::FIRST,
    win::LAST,
    win::COLLECT_FLATTENED,
    win::COLLECT_NESTED,
    win::START,
    win::END,
];

/// Looks up `aggr::module::name`.
pub fn lookup(module: &str, name: &str) -> Option<&'static AggrDecl> {
    AGGREGATES
        .iter()
        .find(|d| d.module == module && d.name == name)
}

/// `win::start()` / `win::end()`: the window runtime passes them the event's time
/// (or a time window's `[start, end]`) instead of evaluated arguments.
pub fn is_bound(decl: &AggrDecl) -> bool {
    decl.module == "win" && matches!(decl.name, "start" | "end")
}

/// `win::start` and `win::end`, for the bound sites the engine adds itself.
pub fn bound_decls() -> [&'static AggrDecl; 2] {
    [&win::START, &win::END]
}

/// All aggregates (for hints and completion).
pub fn all() -> &'static [AggrDecl] {
    AGGREGATES
}

/// The first argument as a float (Tremor's `cast_f64`), else `BadType`.
fn num_arg(args: &[&Value]) -> Result<f64, FnError> {
    args.first()
        .and_then(|v| v.as_f64())
        .ok_or(FnError::BadType)
}

/// Downcasts a merge source to the aggregate's own type. A different type means the
/// caller paired states of two call sites, which is a bug worth reporting, not ignoring.
fn same<T: 'static>(src: &dyn Aggregate) -> Result<&T, FnError> {
    src.as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| FnError::runtime("cannot merge states of different aggregates"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_aggregate_is_registered_once_and_fresh_states_emit() {
        assert_eq!(all().len(), 15);
        for d in all() {
            let n = all()
                .iter()
                .filter(|o| o.module == d.module && o.name == d.name)
                .count();
            assert_eq!(n, 1, "{}::{}", d.module, d.name);
            let mut s = (d.make)();
            s.init();
            assert!(s.emit().is_ok(), "{}::{}", d.module, d.name);
        }
        assert!(lookup("stats", "count").is_some_and(|d| d.arity == (0..=0)));
        assert!(lookup("win", "collect_flattened")
            .is_some_and(|d| d.arity == (0..=1) && d.warning.is_some()));
        assert!(lookup("stats", "nope").is_none());
        assert!(lookup("win", "sum").is_none());
    }
}

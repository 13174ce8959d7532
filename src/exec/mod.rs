//! The dataflow graph's executor and the operators that run in it.

mod error;
pub mod executor;
pub mod graph;
pub mod group;
mod group_slots;
pub mod operator;
pub mod ops;
mod paged;
pub mod query;
mod render;
pub mod script;
pub mod select;
mod select_time;
mod tick_timers;
pub mod tilt;
pub mod timed;
mod timer_queue;

pub use error::ExecError;
pub use executor::{is_unread_err, Executor};
pub use operator::{Contraflow, Operator, Outputs};
pub use query::Query;
pub use render::GraphFormat;
#[cfg(test)]
mod select_tests;

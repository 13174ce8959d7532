//! The dataflow graph's executor and the operators that run in it.

pub mod executor;
pub mod expr;
pub mod graph;
pub mod group;
pub mod operator;
pub mod ops;
pub mod script;
pub mod select;
mod select_time;
pub mod tilt;
pub mod timed;

pub use operator::{Contraflow, Operator, Outputs};
#[cfg(test)]
mod select_tests;

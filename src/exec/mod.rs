//! The dataflow graph's executor and the operators that run in it.

pub mod operator;
pub mod ops;

pub use operator::{Contraflow, Operator, Outputs};

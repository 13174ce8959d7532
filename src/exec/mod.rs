//! The dataflow graph's executor and the operators that run in it.

pub mod operator;

pub use operator::{Contraflow, Operator, Outputs};

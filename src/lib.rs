//! trickle: a streaming query language and engine.
//!
//! ```text
//! text ─ grammar (lexer, parser) ─ AST ─ compile (resolve, lower, fold, check) ─ Program
//! Program ─ interp (expressions) / exec (graph) ← peers
//! ```

pub mod aggr;
pub mod cli;
pub mod compile;
pub mod diag;
pub mod doc;
pub mod event;
pub mod exit;
pub mod exec;
pub mod extractor;
pub mod fmt;
pub mod functions;
pub mod interp;
pub mod ir;
pub mod lsp;
pub mod peer;
pub mod query;
pub mod repl;
pub mod syntax;
pub mod testcase;
pub mod value;
pub mod window;

pub use trickle_grammar as grammar;

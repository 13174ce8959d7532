//! trickle: a streaming query language and engine.
//!
//! ```text
//! text ─ grammar (lexer, parser) ─ AST ─ compile (resolve, lower, fold, check) ─ Program
//! Program ─ interp (expressions) / exec (graph) ← peers
//! ```
//!
//! The `runtime` feature (on by default) is where the engine ends: the CLI, the
//! REPL, the language server's stdio transport and the peers' runtime (tokio,
//! sockets, files, recording). Without it the crate is the engine alone, which
//! builds for `wasm32-unknown-unknown` (the playground).

pub mod aggr;
#[cfg(feature = "runtime")]
pub mod cli;
pub mod compile;
pub mod diag;
pub mod doc;
pub mod event;
pub mod exec;
pub mod extractor;
pub mod fmt;
pub mod functions;
pub mod interp;
pub mod lsp;
pub mod peer;
pub mod query;
#[cfg(feature = "runtime")]
pub mod repl;
pub mod syntax;
pub mod sys;
pub mod testcase;
pub mod value;
pub mod window;

pub use trickle_grammar as grammar;

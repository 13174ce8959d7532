//! trickle: a streaming query language and engine.
//!
//! ```text
//! text ─ grammar (lexer, parser) ─ AST ─ compile (resolve, lower, fold, check) ─ ir
//!                                      ─ query (graph, selects, windows, peers) ─ exec::Query
//! peer (runtime, kinds) ─▶ exec (Query, executor, operators) ─▶ window, aggr ─▶ expr ─▶ interp (runs ir)
//! ```
//!
//! Data flows one way: the compiler's side (`compile`, `query`) produces `ir` and an
//! [`exec::Query`]; the runtime's side (`peer`, `exec`, `window`, `aggr`) reads them
//! and never the compiler, and evaluates expressions through the handles in [`expr`].
//! `cli`, `repl` and `doc` sit on top and share [`exit`] codes.
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
pub mod exit;
pub mod expr;
pub mod extractor;
pub mod fmt;
pub mod functions;
pub mod interp;
pub mod ir;
pub mod lsp;
pub mod peer;
pub mod query;
#[cfg(feature = "runtime")]
pub mod repl;
pub mod syntax;
pub mod sys;
pub mod testcase;
#[cfg(test)]
mod testkit;
pub mod value;
pub mod window;

pub use trickle_grammar as grammar;

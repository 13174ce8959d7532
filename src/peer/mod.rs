//! Peers: the edges of a graph, where bytes from the outside world become events and
//! events become bytes again.
//!
//! ```text
//! receive: bytes ─ interceptors (list order) ─ frames ─ codec.decode ─ values
//! send:    value ─ codec.encode ─ frame ─ interceptors (reverse order) ─ bytes
//! ```
//!
//! Each stream (connection, file) gets its own codec and interceptor chain, so a
//! partial line on one connection never mixes with another's.
//!
//! - [`spec`]: a `define peer` checked at compile time (kinds, keys, types).
//! - [`runtime`]: `trickle run` for a query with peers: tokio tasks per peer and
//!   per connection, the synchronous executor on the calling thread.
//! - `router`: the executor thread's side (ids, signals, routing to sinks).
//! - [`kind`]: one module per peer kind; [`stream`]: per-stream framing;
//!   [`metrics`]: the counters.
//! - [`chunks`] (with `chunk_queue`): the fast reader of JSON lines, chunked reads
//!   decoded on a worker beside the graph, compact forwarding and decoding only the
//!   fields the query reads; `input`: the built-in `in` peer fed by it; [`plan`]:
//!   which of those a source takes; `peer_lines`: a peer stream's chunks of lines
//!   on the executor thread.
//! - [`engine`]: what the executor thread drives, a query's graph or a script.

mod backlog;
mod chunk_queue;
pub mod chunks;
pub mod codec;
pub mod config;
mod contraflow;
pub mod engine;
pub mod gate;
mod input;
pub mod interceptor;
pub mod kind;
pub mod kind_docs;
pub mod metrics;
mod peer_lines;
pub mod plan;
pub mod raw;
pub mod reconnect;
mod router;
pub mod runtime;
mod signals;
pub mod spec;
pub mod stream;

pub use config::ConfigError;

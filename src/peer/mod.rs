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
//! - [`kind`]: one module per peer kind, each implementing [`kind::Kind`] and listed
//!   in [`kinds::REGISTRY`] (the runtime knows the trait, not the kinds);
//!   [`stream`]: per-stream framing; [`metrics`]: the counters; `error`: what goes
//!   wrong in a peer, as typed errors.
//! - [`chunks`] (with `chunk_queue`): the fast reader of JSON lines, chunked reads
//!   decoded on a worker beside the graph, compact forwarding and decoding only the
//!   fields the query reads; `input`: the built-in `in` peer fed by it; [`plan`]:
//!   which of those a source takes; `peer_lines`: a peer stream's chunks of lines
//!   on the executor thread.
//! - [`engine`]: what the executor thread drives, a query's graph or a script.
//!
//! Without the `runtime` feature only what the compiler checks a `define peer`
//! against is built: [`spec`], [`config`], [`codec`], [`interceptor`],
//! [`reconnect`], [`raw`], [`kind_docs`], [`kinds`] (the trait, with no kind
//! listed: peers do not run there), [`kind_config`] and [`engine`] (the playground
//! drives it).

#[cfg(feature = "runtime")]
mod backlog;
#[cfg(feature = "runtime")]
mod chunk_queue;
#[cfg(feature = "runtime")]
pub mod chunks;
pub mod codec;
pub mod config;
#[cfg(feature = "runtime")]
mod contraflow;
pub mod engine;
#[cfg(feature = "runtime")]
mod error;
#[cfg(feature = "runtime")]
pub mod gate;
#[cfg(feature = "runtime")]
mod input;
pub mod interceptor;
#[cfg(feature = "runtime")]
pub mod kind;
pub mod kind_config;
pub mod kind_docs;
pub mod kinds;
#[cfg(feature = "runtime")]
pub mod metrics;
#[cfg(feature = "runtime")]
mod peer_lines;
#[cfg(feature = "runtime")]
pub mod plan;
pub mod raw;
pub mod reconnect;
#[cfg(feature = "runtime")]
mod router;
#[cfg(feature = "runtime")]
pub mod runtime;
#[cfg(feature = "runtime")]
mod signals;
pub mod spec;
#[cfg(feature = "runtime")]
pub mod stream;

pub use config::ConfigError;
#[cfg(feature = "runtime")]
pub use error::{ConnectError, EncodeError, PeerError, SendError, TransportError};

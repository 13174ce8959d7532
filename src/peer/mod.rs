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

pub mod codec;
pub mod config;
pub mod interceptor;

pub use config::ConfigError;

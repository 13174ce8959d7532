//! Helpers the unit tests of several modules share. A test of the runtime (`peer`,
//! `exec`) that needs a query compiles it here, so the runtime's modules do not
//! name the compiler.

use crate::compile::ModulePath;
use crate::diag::{render_all, SourceMap};
use crate::exec::Query;

/// Event `event` of stream `stream` of peer `peer`.
pub fn id(peer: &str, stream: u64, event: u64) -> crate::event::EventId {
    crate::event::EventId {
        peer: peer.into(),
        stream,
        event,
    }
}

/// Compiles the query `text`, or renders its diagnostics.
pub fn compile_text(text: &str) -> Result<Query, String> {
    let mut sources = SourceMap::new();
    let file = sources.add("q.trickle", text);
    crate::query::compile_query(&mut sources, file, &ModulePath::default())
        .map(|c| c.value)
        .map_err(|d| render_all(&d, &sources))
}

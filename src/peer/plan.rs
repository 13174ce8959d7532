//! How the JSON lines of a source reach the graph (the fast path of decoding), decided
//! once per source when the run starts: written as read to the one output they reach
//! unchanged when the graph only forwards them, else decoded with just the fields the
//! graph reads when that is all it reads (else neither: decoded whole).
//!
//! Used by every byte-stream source whose lines are JSON: the built-in input (stdin
//! and `-i` files, replayable or not), and the streams of `file`, `stdin`, `tcp_*`
//! and `ws_*` peers. Lines of a source that replays are forwarded only to `out` or
//! `err`, which ack what they wrote; a writer peer acks forwarded lines by count.

use super::spec::PeerSpec;
use crate::value::Fields;
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct Plan {
    /// The output the lines reach unchanged (`out`, `err` or a writer peer's `p/in`).
    pub forward: Option<String>,
    /// Records are decoded with only these top-level fields.
    pub project: Option<Arc<Fields>>,
    /// The run planned this source: a replayable reader sends its lines as chunks
    /// for the executor thread to number (without it, it numbers decoded events
    /// itself, as when a test drives it without an executor).
    pub chunks: bool,
    /// Chunks the executor thread is done with, for this source's streams to fill
    /// again.
    pub spent: Arc<super::chunks::ChunkPool>,
}

impl Plan {
    /// The plan for events entering `node` of `executor`, whose peers are `peers`.
    /// `to_peers`: forwarding may go to a writer peer (nothing needs the events' ids
    /// back: the source does not replay, no `qos` operator).
    pub fn of(
        executor: &mut crate::exec::Executor,
        node: &str,
        peers: &[PeerSpec],
        to_peers: bool,
    ) -> Plan {
        let forward = executor.forwards_unchanged(node).filter(|o| {
            match peers.iter().find(|p| p.in_node() == *o) {
                None => true,
                Some(p) => to_peers && takes_lines(p),
            }
        });
        match forward {
            Some(forward) => Plan {
                forward: Some(forward),
                project: None,
                chunks: true,
                spent: Arc::default(),
            },
            None => Plan {
                forward: None,
                project: executor.project_input(node).map(Arc::from),
                chunks: true,
                spent: Arc::default(),
            },
        }
    }

    /// Lines decoded whole (a recording holds whole events).
    pub fn whole() -> Plan {
        Plan {
            chunks: true,
            ..Plan::default()
        }
    }

    /// Whether events arrive decoded with only some of their fields.
    pub fn projected(&self) -> bool {
        self.project.is_some()
    }
}

/// A peer that writes each event as its compact JSON and a `\n` to one stream, so
/// a JSON line can be written as it was read.
pub fn takes_lines(p: &PeerSpec) -> bool {
    p.kind.writes_lines() && p.interceptors.is_none() && p.codec == "json"
}

/// A source whose streams can take the fast path: JSON over the default framing
/// (lines for byte streams, one message per frame for WebSocket).
pub fn reads_lines(p: &PeerSpec) -> bool {
    p.kind.reads_lines() && p.interceptors.is_none() && p.codec == "json"
}

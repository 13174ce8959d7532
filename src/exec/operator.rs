//! The contract between the executor and a node's behaviour (native operators,
//! selects, scripts).

use super::ExecError;
use crate::event::{Event, Port, Signal};

/// What an operator sends on: `(output port, event)` pairs, in emission order.
pub type Outputs = Vec<(Port, Event)>;

/// A node's behaviour. The executor calls it synchronously, one message at a time.
pub trait Operator: Send {
    /// An event arrives on input `port`. On a runtime error the executor reports
    /// `{"error": TEXT, "event": EVENT}` on `err`, TEXT being the error's message.
    fn on_event(&mut self, port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError>;
    /// A signal passes (tick, stream start/end, drain). Default: nothing to do.
    fn on_signal(&mut self, signal: &Signal, out: &mut Outputs) -> Result<(), ExecError> {
        let _ = (signal, out);
        Ok(())
    }
    /// Contraflow (`ack`, `fail`, ...) reaching this node from downstream. Default: ignore.
    fn on_contraflow(&mut self, insight: &Contraflow) {
        let _ = insight;
    }
    /// Contraflow this node raises itself, to send upstream towards the sources
    /// (`qos::backpressure` with `method = "pause"` asks for `Halt`, then `Ready`).
    /// The executor drains it after each call into the node. Default: none.
    fn take_contraflow(&mut self) -> Vec<Contraflow> {
        Vec::new()
    }
}

/// Messages that flow against the events, from sinks back towards sources (SPEC §5).
#[derive(Debug, Clone, PartialEq)]
pub enum Contraflow {
    /// Delivered; `latency_ns` since ingest when known.
    Ack {
        id: crate::event::EventId,
        latency_ns: u64,
    },
    /// Not delivered (or timed out).
    Fail { id: crate::event::EventId },
    /// Stop sending (for one stream when `stream` is set, else the whole peer).
    Halt {
        peer: crate::value::Str,
        stream: Option<u64>,
    },
    /// Sending may resume.
    Ready {
        peer: crate::value::Str,
        stream: Option<u64>,
    },
}

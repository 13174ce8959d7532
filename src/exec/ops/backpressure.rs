//! `qos::backpressure` (deprecated alias `generic::backpressure`): backs off when
//! downstream fails or answers slowly.
//!
//! A `fail`, or an `ack` whose latency exceeds `timeout` (ns), raises the backoff to
//! the next of `steps` (ms) and closes the gate until `now + backoff`; a timely `ack`
//! resets it. Contraflow carries no time, so `now` is the ingest time of the latest
//! event seen. While the gate is closed:
//! - `method = "discard"` (default) sends events to `overflow`;
//! - `method = "pause"` still sends them to `out`, and raises a circuit breaker: a
//!   `Halt` for the failing peer through [`Operator::take_contraflow`], followed by
//!   `Ready` once an ack resets the backoff ([`Backpressure::is_halted`] tells too).

use super::config::OpConfig;
use super::{OpError, OUT, OVERFLOW};
use crate::event::Event;
use crate::exec::{Contraflow, ExecError, Operator, Outputs};
use crate::value::{Str, Value};

const DEFAULT_STEPS: [u64; 7] = [50, 100, 250, 500, 1000, 5000, 10000];

/// What to do with events while backing off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Send them to `overflow`.
    Discard,
    /// Pass them on and ask the sources to halt.
    Pause,
}

/// Backoff state.
#[derive(Debug)]
pub struct Backpressure {
    timeout: u64,
    steps: Vec<u64>,
    method: Method,
    /// Current backoff in ms (0: none).
    backoff: u64,
    /// Gate closed until this ingest time (ns).
    next: u64,
    now: u64,
    /// Peers asked to halt (pause method), to send `Ready` to on reset.
    halted: Vec<Str>,
    pending: Vec<Contraflow>,
}

impl Backpressure {
    /// `timeout` (ns, required), `steps` (ms list), `method` (`discard` | `pause`).
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        let c = OpConfig::new(
            node,
            "qos::backpressure",
            config,
            &["timeout", "steps", "method"],
        )?;
        let steps = c
            .opt_list(
                "steps",
                "a list of non-negative integers (ms)",
                Value::as_u64,
            )?
            .unwrap_or_else(|| DEFAULT_STEPS.to_vec());
        let method = match c.opt_str("method")? {
            None | Some("discard") => Method::Discard,
            Some("pause") => Method::Pause,
            Some(_) => return Err(c.invalid("method", "\"discard\" or \"pause\"")),
        };
        Ok(Backpressure {
            timeout: c.req_u64("timeout")?,
            steps,
            method,
            backoff: 0,
            next: 0,
            now: 0,
            halted: Vec::new(),
            pending: Vec::new(),
        })
    }

    /// Whether a circuit breaker is raised (pause method, backing off).
    pub fn is_halted(&self) -> bool {
        !self.halted.is_empty()
    }

    /// The current backoff in ms (0 when none).
    pub fn backoff_ms(&self) -> u64 {
        self.backoff
    }

    fn raise(&mut self, peer: &Str) {
        // The first step above the current one; past the last step, stay there.
        self.backoff = self
            .steps
            .iter()
            .copied()
            .find(|s| *s > self.backoff)
            .unwrap_or(self.backoff);
        self.next = self
            .now
            .saturating_add(self.backoff.saturating_mul(1_000_000));
        if self.method == Method::Pause && self.backoff > 0 && !self.halted.contains(peer) {
            self.halted.push(peer.clone());
            self.pending.push(Contraflow::Halt {
                peer: peer.clone(),
                stream: None,
            });
        }
    }

    fn reset(&mut self) {
        self.backoff = 0;
        self.next = 0;
        for peer in self.halted.drain(..) {
            self.pending.push(Contraflow::Ready { peer, stream: None });
        }
    }
}

impl Operator for Backpressure {
    fn on_event(&mut self, _port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError> {
        self.now = self.now.max(event.ingest_ns);
        let port = if self.next <= event.ingest_ns || self.method == Method::Pause {
            OUT
        } else {
            OVERFLOW
        };
        out.push((port, event));
        Ok(())
    }

    fn on_contraflow(&mut self, insight: &Contraflow) {
        match insight {
            Contraflow::Fail { id } => self.raise(&id.peer),
            Contraflow::Ack { id, latency_ns } if *latency_ns > self.timeout => {
                self.raise(&id.peer)
            }
            Contraflow::Ack { .. } => self.reset(),
            Contraflow::Halt { .. } | Contraflow::Ready { .. } => {}
        }
    }

    fn take_contraflow(&mut self) -> Vec<Contraflow> {
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, id, ports};
    use super::*;

    const MS: u64 = 1_000_000;

    fn bp(method: &str) -> Backpressure {
        let cfg = crate::record! {"timeout" => 100 * MS, "steps" => Value::Array(vec![Value::I64(10), Value::I64(20)]), "method" => method};
        Backpressure::from_config("b", &cfg).unwrap()
    }
    fn port_at(b: &mut Backpressure, ns: u64) -> String {
        let mut out = Outputs::new();
        b.on_event("in", ev(Value::Null, ns), &mut out).unwrap();
        ports(&out)[0].to_string()
    }
    fn fail() -> Contraflow {
        Contraflow::Fail {
            id: id("src", 0, 1),
        }
    }
    fn ack(latency_ns: u64) -> Contraflow {
        Contraflow::Ack {
            id: id("src", 0, 1),
            latency_ns,
        }
    }

    #[test]
    fn discard_backs_off_through_the_steps() {
        let mut b = bp("discard");
        assert_eq!(port_at(&mut b, 0), "out");
        b.on_contraflow(&fail());
        assert_eq!(b.backoff_ms(), 10);
        assert_eq!(port_at(&mut b, 5 * MS), "overflow");
        assert_eq!(port_at(&mut b, 10 * MS), "out");
        // A slow ack is a timeout: next step, counted from the latest event.
        b.on_contraflow(&ack(101 * MS));
        assert_eq!(b.backoff_ms(), 20);
        assert_eq!(port_at(&mut b, 29 * MS), "overflow");
        assert_eq!(port_at(&mut b, 30 * MS), "out");
        b.on_contraflow(&fail());
        assert_eq!(b.backoff_ms(), 20, "stays at the last step");
        b.on_contraflow(&ack(5));
        assert_eq!(b.backoff_ms(), 0);
        assert_eq!(port_at(&mut b, 31 * MS), "out");
        assert!(b.take_contraflow().is_empty());
    }

    #[test]
    fn pause_passes_events_and_raises_a_circuit_breaker() {
        let mut b = bp("pause");
        b.on_contraflow(&fail());
        b.on_contraflow(&fail());
        assert!(b.is_halted());
        assert_eq!(port_at(&mut b, 1), "out");
        assert_eq!(
            b.take_contraflow(),
            vec![Contraflow::Halt {
                peer: "src".into(),
                stream: None
            }]
        );
        b.on_contraflow(&ack(0));
        assert!(!b.is_halted());
        assert_eq!(
            b.take_contraflow(),
            vec![Contraflow::Ready {
                peer: "src".into(),
                stream: None
            }]
        );
    }

    #[test]
    fn config() {
        let b = Backpressure::from_config("b", &crate::record! {"timeout" => 1}).unwrap();
        assert_eq!(
            (b.steps.as_slice(), b.method),
            (&DEFAULT_STEPS[..], Method::Discard)
        );
        assert!(Backpressure::from_config("b", &Value::Null).is_err());
        let bad = crate::record! {"timeout" => 1, "steps" => Value::Array(vec!["x".into()])};
        assert!(Backpressure::from_config("b", &bad).is_err());
    }
}

//! `qos::roundrobin`: spreads events over its `outputs` ports in turn, skipping closed
//! ones; with none open, events go to `overflow`.
//!
//! An output closes on a `Halt` and reopens on a `Ready` whose `peer` names it: the
//! executor reports a halt coming back through output port `p` as `Halt { peer: p }`
//! (contraflow carries no port of its own). [`RoundRobin::set_open`] does the same
//! directly.

use super::config::OpConfig;
use super::{OpError, OVERFLOW};
use crate::event::{Event, Port};
use crate::exec::{Contraflow, ExecError, Operator, Outputs};
use crate::value::Value;

/// One output port and whether it takes events.
#[derive(Debug)]
struct Output {
    port: Port,
    open: bool,
}

/// Round-robin state.
#[derive(Debug)]
pub struct RoundRobin {
    outputs: Vec<Output>,
    next: usize,
}

impl RoundRobin {
    /// `outputs`: a non-empty list of port names (default `["out"]`).
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        let c = OpConfig::new(node, "qos::roundrobin", config, &["outputs"])?;
        const EXPECTED: &str = "a non-empty list of port names";
        let names = c
            .opt_list("outputs", EXPECTED, |v| v.as_str().map(str::to_string))?
            .unwrap_or_else(|| vec!["out".to_string()]);
        if names.is_empty() {
            return Err(c.invalid("outputs", EXPECTED));
        }
        Ok(RoundRobin {
            outputs: names
                .into_iter()
                .map(|n| Output {
                    port: Port::owned(n),
                    open: true,
                })
                .collect(),
            next: 0,
        })
    }

    /// Opens or closes output `port`; false when there is no such output.
    pub fn set_open(&mut self, port: &str, open: bool) -> bool {
        let mut found = false;
        for o in self.outputs.iter_mut().filter(|o| o.port == port) {
            o.open = open;
            found = true;
        }
        found
    }
}

impl Operator for RoundRobin {
    fn on_event(&mut self, _port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError> {
        let n = self.outputs.len();
        let pick = (0..n)
            .map(|i| (self.next + i) % n)
            .find(|&i| self.outputs[i].open);
        match pick {
            Some(i) => {
                self.next = (i + 1) % n;
                out.push((self.outputs[i].port.clone(), event));
            }
            None => out.push((OVERFLOW, event)),
        }
        Ok(())
    }

    fn on_contraflow(&mut self, insight: &Contraflow) {
        match insight {
            Contraflow::Halt { peer, .. } => {
                self.set_open(peer, false);
            }
            Contraflow::Ready { peer, .. } => {
                self.set_open(peer, true);
            }
            Contraflow::Ack { .. } | Contraflow::Fail { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ports};
    use super::*;

    fn send(r: &mut RoundRobin, k: usize) -> Vec<String> {
        let mut out = Outputs::new();
        for i in 0..k {
            r.on_event("in", ev(Value::Null, i as u64), &mut out)
                .unwrap();
        }
        ports(&out).into_iter().map(str::to_string).collect()
    }

    #[test]
    fn cycles_over_open_outputs() {
        let outs = Value::Array(vec!["a".into(), "b".into(), "c".into()]);
        let mut r = RoundRobin::from_config("r", &crate::record! {"outputs" => outs}).unwrap();
        assert_eq!(send(&mut r, 4), ["a", "b", "c", "a"]);
        r.on_contraflow(&Contraflow::Halt {
            peer: "c".into(),
            stream: None,
        });
        assert_eq!(send(&mut r, 3), ["b", "a", "b"]);
        assert!(r.set_open("a", false) && r.set_open("b", false));
        assert!(!r.set_open("zz", false));
        assert_eq!(send(&mut r, 1), ["overflow"]);
        r.on_contraflow(&Contraflow::Ready {
            peer: "c".into(),
            stream: None,
        });
        assert_eq!(send(&mut r, 2), ["c", "c"]);
    }

    #[test]
    fn defaults_to_out() {
        let mut r = RoundRobin::from_config("r", &Value::Null).unwrap();
        assert_eq!(send(&mut r, 2), ["out", "out"]);
        let bad = crate::record! {"outputs" => Value::Array(vec![Value::I64(1)])};
        assert!(RoundRobin::from_config("r", &bad).is_err());
    }
}

//! `qos::percentile`: sheds a fraction of the load that adapts to downstream health.
//!
//! The pass fraction `p` starts at 1.0. An event goes to `overflow` when
//! `(ingest_ns % 0xFFFF) / 0xFFFF > p`, else to `out`. A `fail`, or an `ack` slower
//! than `timeout` (ns), lowers `p` by `step_down` (0.05); a timely `ack` raises it by
//! `step_up` (0.001). `p` stays within 0..=1.

use super::config::OpConfig;
use super::{OpError, OUT, OVERFLOW};
use crate::event::Event;
use crate::exec::{Contraflow, ExecError, Operator, Outputs};
use crate::value::Value;

/// Adaptive load shedder state.
#[derive(Debug)]
pub struct Percentile {
    timeout: u64,
    step_down: f64,
    step_up: f64,
    perc: f64,
}

impl Percentile {
    /// `timeout` (ns, required), `step_down`, `step_up` (fractions).
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        let c = OpConfig::new(
            node,
            "qos::percentile",
            config,
            &["timeout", "step_down", "step_up"],
        )?;
        Ok(Percentile {
            timeout: c.req_u64("timeout")?,
            step_down: c.opt_f64("step_down")?.unwrap_or(0.05),
            step_up: c.opt_f64("step_up")?.unwrap_or(0.001),
            perc: 1.0,
        })
    }

    /// The current pass fraction.
    pub fn pass_fraction(&self) -> f64 {
        self.perc
    }
}

impl Operator for Percentile {
    fn on_event(&mut self, _port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError> {
        let r = (event.ingest_ns % 0xFFFF) as f64 / f64::from(0xFFFF);
        let port = if r > self.perc { OVERFLOW } else { OUT };
        out.push((port, event));
        Ok(())
    }

    fn on_contraflow(&mut self, insight: &Contraflow) {
        match insight {
            Contraflow::Fail { .. } => self.perc -= self.step_down,
            Contraflow::Ack { latency_ns, .. } if *latency_ns > self.timeout => {
                self.perc -= self.step_down
            }
            Contraflow::Ack { .. } => self.perc += self.step_up,
            Contraflow::Halt { .. } | Contraflow::Ready { .. } => {}
        }
        self.perc = self.perc.clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, id, ports};
    use super::*;

    fn port_at(p: &mut Percentile, ns: u64) -> String {
        let mut out = Outputs::new();
        p.on_event("in", ev(Value::Null, ns), &mut out).unwrap();
        ports(&out)[0].to_string()
    }

    #[test]
    fn sheds_by_ingest_time_and_adapts() {
        let cfg = crate::record! {"timeout" => 100, "step_down" => 0.5};
        let mut p = Percentile::from_config("p", &cfg).unwrap();
        assert_eq!(port_at(&mut p, 0xFFFE), "out");
        p.on_contraflow(&Contraflow::Fail { id: id("in", 0, 0) });
        assert_eq!(p.pass_fraction(), 0.5);
        assert_eq!(port_at(&mut p, 0x7FFF), "out"); // 0.49999
        assert_eq!(port_at(&mut p, 0x8000), "overflow"); // 0.50001
        assert_eq!(port_at(&mut p, 0xFFFF + 1), "out"); // wraps to 1/0xFFFF
        let slow = Contraflow::Ack {
            id: id("in", 0, 0),
            latency_ns: 101,
        };
        p.on_contraflow(&slow);
        p.on_contraflow(&slow);
        assert_eq!(p.pass_fraction(), 0.0);
        p.on_contraflow(&Contraflow::Ack {
            id: id("in", 0, 0),
            latency_ns: 100,
        });
        assert!((p.pass_fraction() - 0.001).abs() < 1e-12);
    }

    #[test]
    fn defaults_and_required_timeout() {
        let p = Percentile::from_config("p", &crate::record! {"timeout" => 1}).unwrap();
        assert_eq!((p.step_down, p.step_up, p.perc), (0.05, 0.001, 1.0));
        assert!(matches!(
            Percentile::from_config("p", &Value::Null),
            Err(OpError::MissingOpConfig { .. })
        ));
    }
}

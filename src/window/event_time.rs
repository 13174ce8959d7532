//! Event-time windows (SPEC §7.1, §7.2): the settings every kind shares (`time`,
//! `delay`, `lateness`, `idle`, `late`) and the kinds that keep several windows per
//! group, closed by watermarks instead of by the Tremor-style [`super::Action`]s:
//!
//! ```text
//! tumbling + interval + time   -> Tumbling  [k·interval, (k+1)·interval)
//! sliding + interval + hop     -> Hopping   [k·hop, k·hop + interval)    (super::hopping)
//! session + gap [max_duration] -> Session   merged [t, t + gap) spans    (super::session)
//! ```
//!
//! The select runs them (`exec::timed`); watermarks are per stream (`super::watermark`).

use super::WindowError;
use crate::expr::{ExprRef, Scope};
use crate::value::Value;

/// Which windows an event falls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeKind {
    Tumbling { interval: i64 },
    Hopping { interval: i64, hop: i64 },
    Session { gap: i64, max_duration: Option<i64> },
}

/// A defined event-time window.
#[derive(Clone)]
pub struct TimeSpec {
    pub kind: TimeKind,
    /// The event's time in ns; `None`: its ingest time (ticks then move the watermark).
    pub time: Option<ExprRef>,
    /// A stream's watermark is the largest time seen on it minus `delay`.
    pub delay: i64,
    /// How long past its end a closed window is kept for late events.
    pub lateness: i64,
    /// Processing time after which a silent stream stops holding the watermark back.
    pub idle: Option<u64>,
    /// The stream late events go to (`None`: `err`).
    pub late: Option<String>,
}

impl TimeSpec {
    /// The event's time: the `time` expression (an integer, else an error naming
    /// the window) or the ingest time.
    pub fn event_time(&self, window: &str, scope: &mut Scope<'_>) -> Result<i64, WindowError> {
        let Some(e) = &self.time else {
            return Ok(crate::event::ingest_time(scope.ctx.ingest_ns));
        };
        time_value(window, &e.eval(scope, &mut Value::Null)?)
    }

    /// The tumbling or hopping windows `[start, end)` holding time `t`, in order of start.
    pub fn fixed_windows(&self, t: i64) -> Vec<(i64, i64)> {
        match self.kind {
            TimeKind::Tumbling { interval } => {
                let start = floor_to(t, interval);
                vec![(start, start.saturating_add(interval))]
            }
            TimeKind::Hopping { interval, hop } => super::hopping::windows_of(t, interval, hop),
            TimeKind::Session { .. } => Vec::new(),
        }
    }
}

/// The value of a `time` expression as ns.
pub fn time_value(window: &str, v: &Value) -> Result<i64, WindowError> {
    v.as_i64().ok_or_else(|| {
        let (window, value) = (window.to_string(), v.clone());
        if matches!(v, Value::U64(_)) {
            WindowError::TimeOutOfRange { window, value }
        } else {
            WindowError::BadTime { window, value }
        }
    })
}

/// The largest multiple of `step` (> 0) at or below `t` (towards -inf, so negative
/// times land in the window that holds them).
pub fn floor_to(t: i64, step: i64) -> i64 {
    t.div_euclid(step).saturating_mul(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tumbling_windows_are_epoch_aligned() {
        let spec = TimeSpec {
            kind: TimeKind::Tumbling { interval: 10 },
            time: None,
            delay: 0,
            lateness: 0,
            idle: None,
            late: None,
        };
        assert_eq!(spec.fixed_windows(0), vec![(0, 10)]);
        assert_eq!(spec.fixed_windows(19), vec![(10, 20)]);
        assert_eq!(spec.fixed_windows(-1), vec![(-10, 0)]);
        assert!(floor_to(i64::MIN, 7) <= i64::MIN + 7);
    }

    #[test]
    fn non_integer_times_are_errors() {
        assert_eq!(time_value("w", &Value::I64(-3)), Ok(-3));
        let e = time_value("w", &Value::F64(1.5)).unwrap_err().to_string();
        assert!(e.contains("`w`") && e.contains("1.5"), "{e}");
        assert!(time_value("w", &Value::U64(u64::MAX)).is_err());
    }
}

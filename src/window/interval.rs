//! `with interval = ns`: time windows aligned to the group's first event. Time is the
//! event's ingest time, or the unsigned timestamp the window `script` returns; ticks
//! advance only windows without a script.

use super::{script_u64, Action, Ticks, Window, WindowError};
use crate::expr::{ExprRef, Scope};

/// A tumbling time window.
#[derive(Clone)]
pub struct IntervalWindow {
    interval: u64,
    /// The open window, `[start, next)`, once an event opened it.
    start: u64,
    next: Option<u64>,
    /// The window an event or tick just closed, until its result went out.
    closed: Option<(u64, u64)>,
    script: Option<ExprRef>,
}

impl IntervalWindow {
    pub fn new(interval: u64, script: Option<ExprRef>) -> Self {
        IntervalWindow {
            interval,
            start: 0,
            next: None,
            closed: None,
            script,
        }
    }

    /// The open window ends at `next`; the next one opens at `t`.
    fn close(&mut self, next: u64, t: u64) -> Action {
        self.closed = Some((self.start, next));
        self.open(t);
        Action::EMIT_EXCLUDE
    }

    fn open(&mut self, t: u64) {
        self.start = t;
        self.next = Some(t.saturating_add(self.interval));
    }
}

/// The event's time: ingest time, or the script's timestamp.
pub(crate) fn event_time(
    script: &Option<ExprRef>,
    scope: &mut Scope<'_>,
) -> Result<u64, WindowError> {
    match script {
        None => Ok(scope.ctx.ingest_ns),
        Some(s) => script_u64(s, scope),
    }
}

/// The ticks of a window open until `next` (ns): none with a `script`, whose
/// timestamps are its clock.
pub(crate) fn ticks_from(script: &Option<ExprRef>, next: Option<u64>) -> Ticks {
    match (script, next) {
        (Some(_), _) => Ticks::Never,
        (None, Some(next)) => Ticks::From(next),
        (None, None) => Ticks::Idle,
    }
}

impl Window for IntervalWindow {
    fn on_event(&mut self, scope: &mut Scope<'_>) -> Result<Action, WindowError> {
        let t = event_time(&self.script, scope)?;
        match self.next {
            None => {
                self.open(t);
                Ok(Action::NONE)
            }
            Some(next) if next <= t => Ok(self.close(next, t)),
            Some(_) => Ok(Action::NONE),
        }
    }
    fn on_tick(&mut self, ns: u64) -> Result<Action, WindowError> {
        if self.script.is_some() {
            return Ok(Action::NONE);
        }
        match self.next {
            Some(next) if next <= ns => Ok(self.close(next, ns)),
            _ => Ok(Action::NONE),
        }
    }
    fn ticks(&self) -> Ticks {
        ticks_from(&self.script, self.next)
    }
    fn boxed_clone(&self) -> Box<dyn Window> {
        Box::new(self.clone())
    }
    fn event_keys(&self, keys: &mut Vec<crate::value::Str>) -> bool {
        super::script_keys(self.script.as_ref(), keys)
    }
    fn bounds(&self) -> Option<(u64, u64)> {
        self.closed.or(self.next.map(|next| (self.start, next)))
    }
    fn emitted(&mut self) {
        self.closed = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::fn_expr;
    use crate::value::Value;
    use crate::window::tests::event_at;

    #[test]
    fn aligned_to_first_event() {
        let mut w = IntervalWindow::new(20, None);
        let ev = Value::Null;
        assert_eq!(event_at(&mut w, &ev, 0).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &ev, 19).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &ev, 20).unwrap(), Action::EMIT_EXCLUDE);
        assert_eq!(event_at(&mut w, &ev, 39).unwrap(), Action::NONE);
        assert_eq!(w.on_tick(40).unwrap(), Action::EMIT_EXCLUDE);
        assert_eq!(w.on_tick(41).unwrap(), Action::NONE);
    }

    #[test]
    fn bounds_are_the_closed_window_until_it_emitted() {
        let mut w = IntervalWindow::new(10, None);
        let ev = Value::Null;
        assert_eq!(w.bounds(), None);
        event_at(&mut w, &ev, 3).unwrap();
        assert_eq!(w.bounds(), Some((3, 13)));
        assert_eq!(event_at(&mut w, &ev, 14).unwrap(), Action::EMIT_EXCLUDE);
        assert_eq!(w.bounds(), Some((3, 13)));
        w.emitted();
        assert_eq!(w.bounds(), Some((14, 24)));
        assert_eq!(w.on_tick(30).unwrap(), Action::EMIT_EXCLUDE);
        assert_eq!(w.bounds(), Some((14, 24)));
        w.emitted();
        assert_eq!(w.bounds(), Some((30, 40)));
    }

    #[test]
    fn scripted_windows_ignore_ticks() {
        let script = fn_expr(|s, _| Ok(s.event.clone()));
        let mut w = IntervalWindow::new(5, Some(script));
        assert_eq!(event_at(&mut w, &Value::U64(100), 0).unwrap(), Action::NONE);
        assert_eq!(w.on_tick(1000).unwrap(), Action::NONE);
        let a = event_at(&mut w, &Value::U64(105), 1).unwrap();
        assert_eq!(a, Action::EMIT_EXCLUDE);
    }
}

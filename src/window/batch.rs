//! `with size = n, interval = ns` (SPEC §4): a batch that closes at whichever comes
//! first, n events or ns after its first event ("15 seconds or 1,000 events").

use super::interval::{event_time, ticks_from};
use super::size::weight;
use super::{Action, Ticks, Window, WindowError};
use crate::expr::{ExprRef, Scope};

/// A tumbling window bounded by count and by time.
#[derive(Clone)]
pub struct BatchWindow {
    size: u64,
    interval: u64,
    count: u64,
    /// When the open batch closes by time; `None` while no batch is open.
    next: Option<u64>,
    script: Option<ExprRef>,
}

impl BatchWindow {
    pub fn new(size: u64, interval: u64, script: Option<ExprRef>) -> Self {
        BatchWindow {
            size,
            interval,
            count: 0,
            next: None,
            script,
        }
    }
}

impl Window for BatchWindow {
    fn on_event(&mut self, scope: &mut Scope<'_>) -> Result<Action, WindowError> {
        let w = weight(&None, scope)?;
        let t = event_time(&self.script, scope)?;
        match self.next {
            Some(next) if next <= t => {
                // The open batch timed out; this event starts the next one.
                self.count = w;
                self.next = Some(t.saturating_add(self.interval));
                return Ok(Action::EMIT_EXCLUDE);
            }
            None => self.next = Some(t.saturating_add(self.interval)),
            Some(_) => {}
        }
        self.count += w;
        if self.count >= self.size {
            self.count = 0;
            self.next = None;
            Ok(Action::INCLUDE_EMIT)
        } else {
            Ok(Action::NONE)
        }
    }
    fn on_tick(&mut self, ns: u64) -> Result<Action, WindowError> {
        if self.script.is_some() {
            return Ok(Action::NONE);
        }
        match self.next {
            Some(next) if next <= ns => {
                self.count = 0;
                self.next = None;
                Ok(Action::EMIT_EXCLUDE)
            }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use crate::window::tests::event_at;

    #[test]
    fn closes_on_count_or_time() {
        let mut w = BatchWindow::new(3, 10, None);
        let ev = Value::Null;
        assert_eq!(event_at(&mut w, &ev, 0).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &ev, 1).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &ev, 2).unwrap(), Action::INCLUDE_EMIT);
        // a new batch opens at t=5 and times out at 15
        assert_eq!(event_at(&mut w, &ev, 5).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &ev, 15).unwrap(), Action::EMIT_EXCLUDE);
        // the t=15 event is in the open batch; a tick after 25 closes it
        assert_eq!(w.on_tick(20).unwrap(), Action::NONE);
        assert_eq!(w.on_tick(25).unwrap(), Action::EMIT_EXCLUDE);
        assert_eq!(w.on_tick(50).unwrap(), Action::NONE);
    }
}

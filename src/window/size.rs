//! `with size = n` (alias `count`): emits once the accumulated weight reaches `n`.
//! The weight is 1 per event, or the unsigned integer the window `script` returns.

use super::{script_u64, Action, Ticks, Window, WindowError};
use crate::expr::{ExprRef, Scope};

/// A tumbling count window.
#[derive(Clone)]
pub struct SizeWindow {
    size: u64,
    count: u64,
    script: Option<ExprRef>,
}

impl SizeWindow {
    pub fn new(size: u64, script: Option<ExprRef>) -> Self {
        SizeWindow {
            size,
            count: 0,
            script,
        }
    }
}

/// The weight of one event: 1, or what the script says.
pub(crate) fn weight(script: &Option<ExprRef>, scope: &mut Scope<'_>) -> Result<u64, WindowError> {
    match script {
        None => Ok(1),
        Some(s) => script_u64(s, scope),
    }
}

impl Window for SizeWindow {
    fn on_event(&mut self, scope: &mut Scope<'_>) -> Result<Action, WindowError> {
        // A huge weight saturates rather than overflowing: the window emits either way.
        self.count = self.count.saturating_add(weight(&self.script, scope)?);
        if self.count >= self.size {
            self.count -= self.size;
            Ok(Action::INCLUDE_EMIT)
        } else {
            Ok(Action::NONE)
        }
    }
    fn on_tick(&mut self, _ns: u64) -> Result<Action, WindowError> {
        Ok(Action::NONE)
    }
    fn ticks(&self) -> Ticks {
        Ticks::Never
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
    use crate::expr::fn_expr;
    use crate::value::Value;
    use crate::window::tests::event_at;

    #[test]
    fn emits_every_n_events() {
        let mut w = SizeWindow::new(2, None);
        let ev = Value::Null;
        assert_eq!(event_at(&mut w, &ev, 0).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &ev, 1).unwrap(), Action::INCLUDE_EMIT);
        assert_eq!(event_at(&mut w, &ev, 2).unwrap(), Action::NONE);
        assert_eq!(w.on_tick(100).unwrap(), Action::NONE);
    }

    #[test]
    fn weight_script_counts_and_rejects_non_ints() {
        let script = fn_expr(|s, _| Ok(s.event.get("w").cloned().unwrap_or(Value::Null)));
        let mut w = SizeWindow::new(3, Some(script));
        let two = crate::record! {"w" => 2u64};
        assert_eq!(event_at(&mut w, &two, 0).unwrap(), Action::NONE);
        assert_eq!(event_at(&mut w, &two, 1).unwrap(), Action::INCLUDE_EMIT);
        // 4 - 3 leaves 1 counted
        assert_eq!(w.count, 1);
        let bad = crate::record! {"w" => "x"};
        let e = event_at(&mut w, &bad, 2).unwrap_err();
        assert!(e.to_string().contains("valid value"));
    }
}

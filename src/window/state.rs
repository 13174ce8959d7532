//! `state = <const>` with a `script` (and optionally `script from tick`): the script
//! reads the event, may change `state`, and answers `b` (emit = include = b) or
//! `[emit, include]`.

use super::{Action, Ticks, Window, WindowError};
use crate::event::FnCtx;
use crate::expr::{ExprRef, Scope};
use crate::value::Value;

/// A scripted window.
#[derive(Clone)]
pub struct StateWindow {
    state: Value,
    script: ExprRef,
    tick: Option<ExprRef>,
}

impl StateWindow {
    pub fn new(state: Value, script: ExprRef, tick: Option<ExprRef>) -> Self {
        StateWindow {
            state,
            script,
            tick,
        }
    }
}

/// Runs a window script and reads its reply.
fn run(script: &ExprRef, scope: &mut Scope<'_>, state: &mut Value) -> Result<Action, WindowError> {
    let v = script.eval(scope, state)?;
    reply(&v).ok_or_else(|| WindowError::BadReply(crate::expr::At::of(script), v))
}

/// Reads a window script's reply.
fn reply(v: &Value) -> Option<Action> {
    match v {
        Value::Bool(b) => Some(Action {
            emit: *b,
            include: *b,
        }),
        Value::Array(a) if a.len() == 2 => match (&a[0], &a[1]) {
            (Value::Bool(emit), Value::Bool(include)) => Some(Action {
                emit: *emit,
                include: *include,
            }),
            _ => None,
        },
        _ => None,
    }
}

impl Window for StateWindow {
    fn on_event(&mut self, scope: &mut Scope<'_>) -> Result<Action, WindowError> {
        run(&self.script, scope, &mut self.state)
    }
    fn on_tick(&mut self, ns: u64) -> Result<Action, WindowError> {
        let Some(tick) = &self.tick else {
            return Ok(Action::NONE);
        };
        let mut event = Value::Null;
        let mut meta = Value::record();
        let mut scope = Scope {
            event: &mut event,
            meta: &mut meta,
            group: &Value::Null,
            window: &Value::Null,
            args: &Value::Null,
            aggrs: &[],
            ctx: FnCtx {
                ingest_ns: ns,
                ..FnCtx::default()
            },
        };
        run(tick, &mut scope, &mut self.state)
    }
    fn ticks(&self) -> Ticks {
        match self.tick {
            Some(_) => Ticks::Every,
            None => Ticks::Never,
        }
    }
    fn boxed_clone(&self) -> Box<dyn Window> {
        Box::new(self.clone())
    }
    fn event_keys(&self, keys: &mut Vec<crate::value::Str>) -> bool {
        // The tick script runs with a `null` event: it reads no input event.
        self.script.event_keys(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::fn_expr;
    use crate::window::tests::event_at;

    #[test]
    fn script_state_decides() {
        // emits every third event, keeping a counter in state
        let script = fn_expr(|_, state| {
            let n = state.as_u64().unwrap_or(0) + 1;
            *state = Value::U64(n % 3);
            Ok(Value::Bool(n == 3))
        });
        let mut w = StateWindow::new(Value::U64(0), script, None);
        let ev = Value::Null;
        let acts: Vec<_> = (0..4).map(|i| event_at(&mut w, &ev, i).unwrap()).collect();
        assert_eq!(acts[2], Action::INCLUDE_EMIT);
        assert_eq!(acts[3], Action::NONE);
        assert_eq!(w.on_tick(5).unwrap(), Action::NONE);
    }

    #[test]
    fn pairs_and_bad_replies() {
        assert_eq!(
            reply(&Value::Array(vec![true.into(), false.into()])),
            Some(Action::EMIT_EXCLUDE)
        );
        let script = fn_expr(|_, _| Ok(Value::U64(3)));
        let mut w = StateWindow::new(Value::Null, script, None);
        let e = event_at(&mut w, &Value::Null, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Window returned `3` this can't be used as a window reply"
        );
    }

    #[test]
    fn tick_script_runs_without_event() {
        let script = fn_expr(|_, _| Ok(Value::Bool(false)));
        let tick = fn_expr(|s, _| Ok(Value::Bool(s.event.is_null() && s.ctx.ingest_ns == 9)));
        let mut w = StateWindow::new(Value::Null, script, Some(tick));
        assert_eq!(w.on_tick(9).unwrap(), Action::INCLUDE_EMIT);
    }
}

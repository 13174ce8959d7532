//! `define window` → a [`WindowSpec`]: the `with` keys (`size`/`count`, `interval`,
//! `max_groups`), `state` and the window scripts, checked for a valid combination.

use super::bind::Binder;
use crate::compile::{ExprCtx, ScopeId};
use crate::diag::{codes, Diagnostic};
use crate::value::Value;
use crate::window::batch::BatchWindow;
use crate::window::interval::IntervalWindow;
use crate::window::size::SizeWindow;
use crate::window::state::StateWindow;
use crate::window::{Window, WindowSpec};
use trickle_grammar::ast::DefineWindow;

const BAD_COMBINATION: &str =
    "Bad window configuration, only one of `size`, `interval`, or `state` is allowed.";

/// Builds the window `w`, defined in `scope`; `args` are those of the pipeline the
/// select using it lives in (`null` at top level).
pub(crate) fn build(
    bind: &Binder,
    scope: ScopeId,
    w: &DefineWindow,
    args: &Value,
) -> Result<WindowSpec, Vec<Diagnostic>> {
    if w.kind.name == "sliding" {
        return Err(vec![Diagnostic::error(
            codes::QUERY_SLIDING_WINDOW,
            "Sliding windows are not yet implemented",
            w.kind.span,
        )]);
    }
    // `with` is read in the defining scope; state and scripts in the body's own.
    let body = bind.modules.body_scope_at(w.span).unwrap_or(scope);
    let mut errors = Vec::new();
    let (mut size, mut interval, mut max_groups) = (None, None, usize::MAX);
    for p in &w.with {
        let v = match bind.fold(scope, &p.value, args) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let n = v.as_u64();
        let bad = || {
            Diagnostic::error(
                codes::QUERY_BAD_WINDOW,
                format!(
                    "Window setting `{}` must be an unsigned integer, not `{v}`",
                    p.key.name
                ),
                p.value.span,
            )
        };
        match (p.key.name.as_str(), n) {
            ("size" | "count", Some(n)) => size = Some(n),
            ("interval", Some(n)) => interval = Some(n),
            ("max_groups", Some(n)) => max_groups = usize::try_from(n).unwrap_or(usize::MAX),
            ("size" | "count" | "interval" | "max_groups", None) => errors.push(bad()),
            // Tremor declared these but never read them (LANGUAGE §9): accepted, ignored.
            ("emit_empty_windows" | "eviction_period", _) => {}
            (other, _) => errors.push(
                Diagnostic::error(
                    codes::QUERY_BAD_WINDOW,
                    format!("Unknown window setting `{other}`"),
                    p.key.span,
                )
                .with_help("known settings: size (or count), interval, max_groups"),
            ),
        }
    }
    let mut tick = None;
    for ps in &w.port_scripts {
        if ps.port.name != "tick" {
            errors.push(Diagnostic::error(
                codes::QUERY_BAD_PORT_SCRIPT,
                "Only `tick` scripts are supported by windows",
                ps.port.span,
            ));
            continue;
        }
        let mut ctx = ExprCtx::window_script();
        ctx.allow_event = false;
        match bind.window_script(body, &ps.body, &mut ctx) {
            Ok(s) => tick = Some(s),
            Err(es) => errors.extend(es),
        }
    }
    let script = match &w.script {
        Some(exprs) => match bind.window_script(body, exprs, &mut ExprCtx::window_script()) {
            Ok(s) => Some(s),
            Err(es) => {
                errors.extend(es);
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let bad = |msg: &str| vec![Diagnostic::error(codes::QUERY_BAD_WINDOW, msg, w.span)];
    let proto: Box<dyn Window> = match (&w.state, size, interval) {
        (Some(state), None, None) => {
            let state = bind.fold(body, state, args).map_err(|e| {
                vec![Diagnostic::error(
                    codes::QUERY_STATE_NOT_CONSTANT,
                    "state not constant",
                    state.span,
                )
                .with_note(e.message)]
            })?;
            let Some(script) = script else {
                return Err(bad(
                    "A window with `state` needs a `script` that decides when it emits",
                ));
            };
            Box::new(StateWindow::new(state, script, tick))
        }
        (Some(_), _, _) => return Err(bad(BAD_COMBINATION)),
        (None, Some(size), Some(interval)) => Box::new(BatchWindow::new(size, interval, script)),
        (None, Some(size), None) => Box::new(SizeWindow::new(size, script)),
        (None, None, Some(interval)) => Box::new(IntervalWindow::new(interval, script)),
        (None, None, None) => {
            return Err(bad(
                "Bad window configuration, one of `size`, `interval`, or `state` is required.",
            ))
        }
    };
    Ok(WindowSpec {
        name: w.name.name.clone(),
        max_groups,
        proto,
    })
}

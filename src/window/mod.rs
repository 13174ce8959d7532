//! Window kinds of `define window ... from tumbling`: each decides, per event and per
//! tick, whether the window emits and whether the event is included before or after
//! the emission (Tremor's `WindowEvent { include, emit }`).
//!
//! ```text
//! with size = n              -> size::SizeWindow       (count, optional weight script)
//! with interval = ns         -> interval::IntervalWindow (ingest time or script timestamp)
//! with size = n, interval    -> batch::BatchWindow      (closes at whichever comes first)
//! state = <const> + script   -> state::StateWindow      (the script decides)
//! ```
//!
//! One instance lives in every group's chain; a fresh one is cloned from the
//! definition's prototype when a group is created.
//!
//! Event-time windows and count `sliding` windows keep several windows per group
//! or emit per event, so they are not [`Window`]s: see [`WinKind`].

pub mod batch;
mod error;
pub mod event_time;
mod held_args;
pub mod hopping;
pub mod interval;
pub mod size;
pub mod sliding;
pub mod state;
pub mod watermark;

pub use error::WindowError;

use crate::expr::{ExprRef, Scope};

/// The kinds after `define window NAME from`, with what they do (hover, `trickle doc`).
pub const KIND_DOCS: &[(&str, &str)] = &[
    (
        "tumbling",
        "Non-overlapping windows, emitted when they close: with `size` (or `count`) every \
         `size` events of a group; with `interval` on processing time (Tremor's semantics), or \
         with `time` on event time, `[k·interval, (k+1)·interval)` aligned to 0; with both, \
         whichever comes first; with `state` and a `script`, when the script says so.",
    ),
    (
        "sliding",
        "Overlapping windows: with `size`, the last `size` events of the group (one result \
         per event); with `interval` and `hop`, hopping windows `[k·hop, k·hop + interval)` on \
         event time with `time`, else on ingest time with ticks.",
    ),
    (
        "session",
        "A session per group, closed `gap` after its last event; out-of-order events merge \
         sessions; `max_duration` caps one.",
    ),
];

/// Whether a window of `kind` takes setting `key` (as `query::window_def` checks
/// it); Tremor's two ignored settings are taken by none.
pub fn takes_setting(kind: &str, key: &str) -> bool {
    match key {
        "size" | "count" | "interval" => kind != "session",
        "hop" => kind == "sliding",
        "gap" | "max_duration" => kind == "session",
        "max_groups" | "time" | "delay" | "lateness" | "idle" | "late" => true,
        _ => false,
    }
}

/// The `with` settings of a window (the keys `query::window_def` accepts), with their meaning.
pub const SETTING_DOCS: &[(&str, &str)] = &[
    ("size", "close after this many events (or this much weight, when the window's script returns a weight)"),
    ("count", "the same as `size`"),
    ("interval", "a window's length in ns of processing time, or of event time with `time`"),
    ("hop", "with `interval` on a `sliding` window: ns between the starts of two hopping windows"),
    ("gap", "a `session` closes this many ns after its last event"),
    ("max_duration", "the longest a `session` may last, in ns"),
    ("max_groups", "at most this many groups at once; events of further groups become errors"),
    ("time", "the event's time (an expression on the event, ns): makes the window run on event time; on a count window, only the bounds `win::start()` and `win::end()` report"),
    ("delay", "event time: how far (ns) the watermark trails the latest event time seen"),
    ("lateness", "event time: how long (ns) a closed window is kept to take late events and emit again"),
    ("idle", "event time: a stream that sent nothing for this long (ns of processing time) no longer holds the watermark back"),
    ("late", "event time: the stream (a `create stream` name, as a string) late events go to, else `err`"),
    ("emit_empty_windows", "accepted for Tremor compatibility and ignored"),
    ("eviction_period", "accepted for Tremor compatibility and ignored"),
];

/// What a window wants done with the event that reached it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Action {
    /// Accumulate the event before emitting (otherwise after, into the fresh window).
    pub include: bool,
    /// Emit this window's aggregates and pass on to the next window of the chain.
    pub emit: bool,
}

impl Action {
    /// Neither include first nor emit.
    pub const NONE: Action = Action {
        include: false,
        emit: false,
    };
    /// Include the event, then emit.
    pub const INCLUDE_EMIT: Action = Action {
        include: true,
        emit: true,
    };
    /// Emit what is held; the event goes into the fresh window.
    pub const EMIT_EXCLUDE: Action = Action {
        include: false,
        emit: true,
    };
}

/// The ticks a window acts on ([`Window::ticks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticks {
    /// None, whatever comes: a tick leaves it as it is.
    Never,
    /// None until an event opens a window (then [`Ticks::From`]).
    Idle,
    /// The first at or after this processing time (ns), and none before.
    From(u64),
    /// Any: a script decides on each tick.
    Every,
}

/// The per-group running state of one window kind.
pub trait Window: Send + Sync {
    /// An event (or an upstream window's emission, in a chain) reaches the window.
    fn on_event(&mut self, scope: &mut Scope<'_>) -> Result<Action, WindowError>;
    /// Time passes (`ns`); only the first window of a chain is ticked.
    fn on_tick(&mut self, ns: u64) -> Result<Action, WindowError>;
    /// Which ticks [`Window::on_tick`] acts on from now on (until the next event
    /// or tick reaches the window): so a select asks only the windows a tick
    /// closes, not every group's.
    fn ticks(&self) -> Ticks;
    /// A copy, for a new group or the template.
    fn boxed_clone(&self) -> Box<dyn Window>;
    /// Adds the top-level `event` fields the window reads (through its script) to
    /// `keys`; `false` when it may read the event otherwise (see
    /// [`crate::expr::Expr::event_keys`]).
    fn event_keys(&self, keys: &mut Vec<crate::value::Str>) -> bool;
    /// The bounds `[start, end)` in ns of the window that emits now: the one the
    /// last event or tick closed, else the open one. `None` for a window that
    /// counts events: `win::start()` and `win::end()` are then its events' times.
    fn bounds(&self) -> Option<(u64, u64)> {
        None
    }
    /// The window's result went out (or it held nothing): what it closed is gone.
    fn emitted(&mut self) {}
}

/// [`Window::event_keys`] of a window with an optional script.
pub(crate) fn script_keys(script: Option<&ExprRef>, keys: &mut Vec<crate::value::Str>) -> bool {
    script.is_none_or(|s| s.event_keys(keys))
}

/// How a defined window runs.
#[derive(Clone)]
pub enum WinKind {
    /// Tremor's windows: `proto` decides per event and tick.
    Classic,
    /// Event-time windows (tumbling on `time`, hopping, sessions): `exec::timed`.
    Time(std::sync::Arc<event_time::TimeSpec>),
    /// `sliding` by count: [`sliding::SlidingWindow`].
    Sliding { size: u64 },
}

/// A defined window: its name (the last `::` segment), group limit and prototype.
pub struct WindowSpec {
    pub name: String,
    /// `max_groups` (default `usize::MAX`).
    pub max_groups: usize,
    /// The classic window's prototype; a placeholder that never acts for the others.
    pub proto: Box<dyn Window>,
    pub kind: WinKind,
    /// `late = "NAME"` and where it was written (the select connects it).
    pub late: Option<(String, crate::diag::Span)>,
    /// The `time` of a count window (`tumbling` or `sliding` by `size`): the
    /// times its `win::start()` and `win::end()` report, instead of ingest times.
    pub count_time: Option<ExprRef>,
}

impl Clone for WindowSpec {
    fn clone(&self) -> Self {
        WindowSpec {
            name: self.name.clone(),
            max_groups: self.max_groups,
            proto: self.proto.boxed_clone(),
            kind: self.kind.clone(),
            late: self.late.clone(),
            count_time: self.count_time.clone(),
        }
    }
}

/// The prototype of a window that is not a [`Window`] ([`WinKind::Time`],
/// [`WinKind::Sliding`]): never acts. It reads the event whole (late events leave
/// unchanged), so the input is never decoded in part for it.
#[derive(Clone)]
pub struct NoWindow;

impl Window for NoWindow {
    fn on_event(&mut self, _scope: &mut Scope<'_>) -> Result<Action, WindowError> {
        Ok(Action::NONE)
    }
    fn on_tick(&mut self, _ns: u64) -> Result<Action, WindowError> {
        Ok(Action::NONE)
    }
    fn ticks(&self) -> Ticks {
        Ticks::Never
    }
    fn boxed_clone(&self) -> Box<dyn Window> {
        Box::new(NoWindow)
    }
    fn event_keys(&self, _keys: &mut Vec<crate::value::Str>) -> bool {
        false
    }
}

impl WindowSpec {
    /// A fresh window for a new group.
    pub fn fresh(&self) -> Box<dyn Window> {
        self.proto.boxed_clone()
    }
}

/// A window script's result as an unsigned integer (weight or timestamp).
pub(crate) fn script_u64(script: &ExprRef, scope: &mut Scope<'_>) -> Result<u64, WindowError> {
    let v = script.eval(scope, &mut crate::value::Value::Null)?;
    v.as_u64()
        .ok_or_else(|| WindowError::BadScriptValue(crate::expr::At::of(script)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Action, Window, WindowError};
    use crate::event::FnCtx;
    use crate::expr::Scope;
    use crate::value::Value;

    /// Sends `event` at ingest time `ns` to window `w`.
    pub(crate) fn event_at(
        w: &mut dyn Window,
        event: &Value,
        ns: u64,
    ) -> Result<Action, WindowError> {
        let (mut event, mut meta) = (event.clone(), Value::Null);
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
        w.on_event(&mut scope)
    }
}

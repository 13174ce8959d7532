//! `define window` → a [`WindowSpec`]: the kind (`tumbling`, `sliding`, `session`),
//! the `with` keys (`size`/`count`, `interval`, `hop`, `gap`, `max_duration`,
//! `max_groups`, and the event-time keys `time`, `delay`, `lateness`, `idle`,
//! `late` of SPEC §7.1), `state` and the window scripts, checked for a valid
//! combination. The stream `late` names is resolved by the select (`select_def`).

use super::bind::Binder;
use crate::compile::{ExprCtx, ScopeId};
use crate::diag::{codes, Diagnostic, Span};
use crate::expr::ExprRef;
use crate::value::Value;
use crate::window::batch::BatchWindow;
use crate::window::event_time::{TimeKind, TimeSpec};
use crate::window::interval::IntervalWindow;
use crate::window::size::SizeWindow;
use crate::window::state::StateWindow;
use crate::window::{NoWindow, WinKind, Window, WindowSpec};
use std::sync::Arc;
use trickle_grammar::ast::{DefineWindow, WithParam};

const BAD_COMBINATION: &str =
    "Bad window configuration, only one of `size`, `interval`, or `state` is allowed.";
pub(crate) const KNOWN: &str =
    "known settings: size (or count), interval, hop, gap, max_duration, \
                     max_groups, time, delay, lateness, idle, late";
/// The settings of SPEC §7.1.
const EVENT_TIME_KEYS: [&str; 4] = ["delay", "lateness", "idle", "late"];
/// Every setting a `with` accepts (Tremor's two unused ones included): those the
/// reference documents.
fn settings() -> impl Iterator<Item = &'static str> + Clone {
    crate::window::SETTING_DOCS.iter().map(|(k, _)| *k)
}

/// The `with` settings of one definition, read and type-checked.
#[derive(Default)]
struct Settings {
    size: Option<u64>,
    interval: Option<u64>,
    hop: Option<u64>,
    gap: Option<u64>,
    max_duration: Option<u64>,
    max_groups: Option<u64>,
    delay: Option<u64>,
    lateness: Option<u64>,
    idle: Option<u64>,
    time: Option<ExprRef>,
    late: Option<(String, Span)>,
    /// Where each key was written (for diagnostics about combinations).
    spans: Vec<(String, Span)>,
}

impl Settings {
    fn span(&self, key: &str) -> Option<Span> {
        self.spans.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
    }
    fn has(&self, key: &str) -> bool {
        self.span(key).is_some()
    }
}

fn err(msg: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error(codes::QUERY_BAD_WINDOW, msg, span)
}

/// Reads one `with` setting into `s`.
fn setting(
    bind: &Binder,
    scope: ScopeId,
    p: &WithParam,
    args: &Value,
    s: &mut Settings,
) -> Result<(), Diagnostic> {
    let key = p.key.name.as_str();
    if !settings().any(|k| k == key) {
        let typo = crate::compile::closest_name(settings(), key);
        let help = typo.map_or_else(
            || KNOWN.to_string(),
            |k| format!("did you mean `{k}`? {KNOWN}"),
        );
        return Err(err(format!("Unknown window setting `{key}`"), p.key.span).with_help(help));
    }
    if let Some(first) = s.span(key) {
        return Err(
            err(format!("Window setting `{key}` is given twice"), p.key.span)
                .with_secondary(first, "first given here")
                .with_help("keep one of them"),
        );
    }
    s.spans.push((key.to_string(), p.key.span));
    if key == "time" {
        // A constant would put every event at one time: it must read the event.
        if bind.fold(scope, &p.value, args).is_ok() {
            return Err(err("The window setting `time` is a constant", p.value.span)
                .with_help("`time` is evaluated for each event, e.g. `time = event.ts`"));
        }
        let mut ctx = ExprCtx::select();
        ctx.args = Some(args.clone());
        s.time = Some(
            bind.expr(scope, &p.value, &mut ctx)
                .map_err(|mut es| es.remove(0))?,
        );
        return Ok(());
    }
    let v = bind.fold(scope, &p.value, args)?;
    if key == "late" {
        let Some(name) = v.as_str() else {
            return Err(err(
                format!("Window setting `late` must be the name of a stream, not `{v}`"),
                p.value.span,
            )
            .with_help("e.g. `late = \"too_late\"` with `create stream too_late;`"));
        };
        s.late = Some((name.to_string(), p.value.span));
        return Ok(());
    }
    let slot = match key {
        "size" | "count" => &mut s.size,
        "interval" => &mut s.interval,
        "hop" => &mut s.hop,
        "gap" => &mut s.gap,
        "max_duration" => &mut s.max_duration,
        "max_groups" => &mut s.max_groups,
        "delay" => &mut s.delay,
        "lateness" => &mut s.lateness,
        "idle" => &mut s.idle,
        // Tremor declared these but never read them (LANGUAGE §9): accepted, ignored.
        "emit_empty_windows" | "eviction_period" => return Ok(()),
        other => {
            return Err(
                err(format!("Unknown window setting `{other}`"), p.key.span).with_help(KNOWN)
            )
        }
    };
    // Times are signed ns inside: a duration must fit.
    match v
        .as_u64()
        .filter(|n| i64::try_from(*n).is_ok() || key == "max_groups")
    {
        Some(n) => {
            *slot = Some(n);
            Ok(())
        }
        None if v.as_u64().is_some() => Err(err(
            format!(
                "Window setting `{key}` must be at most {}, not `{v}`",
                i64::MAX
            ),
            p.value.span,
        )
        .with_help("counts and times are kept as signed 64-bit numbers")),
        None => Err(err(
            format!("Window setting `{key}` must be an unsigned integer, not `{v}`"),
            p.value.span,
        )
        .with_help(match key {
            "size" | "count" | "max_groups" => "a count, e.g. `size = 100`",
            _ => "a duration in ns, e.g. `datetime::with_seconds(10)`",
        })),
    }
}

/// Builds the window `w`, defined in `scope`; `args` are those of the pipeline the
/// select using it lives in (`null` at top level).
pub(crate) fn build(
    bind: &Binder,
    scope: ScopeId,
    w: &DefineWindow,
    args: &Value,
) -> Result<WindowSpec, Vec<Diagnostic>> {
    let kind = w.kind.name.as_str();
    if !matches!(kind, "tumbling" | "sliding" | "session") {
        return Err(vec![Diagnostic::error(
            codes::QUERY_BAD_WINDOW,
            format!("Unknown window kind `{kind}`"),
            w.kind.span,
        )
        .with_help("window kinds: tumbling, sliding, session")]);
    }
    // `with` is read in the defining scope; state and scripts in the body's own.
    let body = bind.modules.body_scope_at(w.span).unwrap_or(scope);
    let mut errors = Vec::new();
    let mut s = Settings::default();
    for p in &w.with {
        if let Err(e) = setting(bind, scope, p, args, &mut s) {
            errors.push(e);
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
    let (proto, kind) = match kind {
        "tumbling" => tumbling(bind, body, w, args, &mut s, script, tick)?,
        _ => {
            if let Some(st) = &w.state {
                return Err(vec![err(
                    format!("A `{kind}` window cannot have a `state`"),
                    st.span,
                )]);
            }
            if script.is_some() || tick.is_some() {
                return Err(vec![err(
                    format!("A `{kind}` window cannot have a `script`"),
                    w.span,
                )
                .with_help("use `time = ...` for the event's time")]);
            }
            if kind == "sliding" {
                sliding(w, &mut s)?
            } else {
                session(w, &mut s)?
            }
        }
    };
    Ok(WindowSpec {
        name: w.name.name.clone(),
        max_groups: s
            .max_groups
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        proto,
        kind,
        late: s.late.clone(),
        // What a time kind did not take is a count window's.
        count_time: s.time.take(),
    })
}

type Built = (Box<dyn Window>, WinKind);

/// Rejects `keys` that were set, saying why, in the order they were written.
fn reject(s: &Settings, keys: &[&str], why: &str, help: &str) -> Result<(), Vec<Diagnostic>> {
    let mut set: Vec<(&str, Span)> = keys
        .iter()
        .filter_map(|k| s.span(k).map(|sp| (*k, sp)))
        .collect();
    set.sort_by_key(|(_, sp)| sp.start);
    let es: Vec<Diagnostic> = set
        .into_iter()
        .map(|(k, sp)| err(format!("Window setting `{k}` {why}"), sp).with_help(help))
        .collect();
    if es.is_empty() {
        Ok(())
    } else {
        Err(es)
    }
}

/// A positive duration as signed ns.
fn positive(s: &Settings, key: &str, v: u64) -> Result<i64, Vec<Diagnostic>> {
    match i64::try_from(v) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(vec![err(
            format!("Window setting `{key}` must be greater than 0"),
            s.span(key).unwrap_or_default(),
        )
        .with_help("a duration in ns, e.g. `datetime::with_seconds(10)`")]),
    }
}

/// The event-time settings shared by every time kind.
fn time_spec(s: &mut Settings, kind: TimeKind) -> Arc<TimeSpec> {
    Arc::new(TimeSpec {
        kind,
        time: s.time.take(),
        delay: s.delay.map_or(0, |n| n as i64),
        lateness: s.lateness.map_or(0, |n| n as i64),
        idle: s.idle,
        late: s.late.as_ref().map(|(n, _)| n.clone()),
    })
}

fn tumbling(
    bind: &Binder,
    scope: ScopeId,
    w: &DefineWindow,
    args: &Value,
    s: &mut Settings,
    script: Option<ExprRef>,
    tick: Option<ExprRef>,
) -> Result<Built, Vec<Diagnostic>> {
    reject(
        s,
        &["hop", "gap", "max_duration"],
        "is not used by `tumbling` windows",
        "`hop` belongs to `sliding` windows, `gap` and `max_duration` to `session` windows",
    )?;
    let bad = |msg: &str| vec![err(msg, w.span)];
    let missing = || {
        vec![err(
            "Bad window configuration, one of `size`, `interval`, or `state` is required.",
            w.span,
        )
        .with_help(if s.has("time") {
            "on event time: `interval = datetime::with_seconds(10), time = event.ts`"
        } else {
            "e.g. `size = 100` (events) or `interval = datetime::with_seconds(10)`"
        })]
    };
    // Said before what the other settings do not fit: nothing says what to count.
    if (&w.state, s.size, s.interval) == (&None, None, None) {
        return Err(missing());
    }
    if let (Some(interval), true, None, None) = (s.interval, s.has("time"), &w.state, s.size) {
        if script.is_some() {
            return Err(bad("A tumbling window on `time` has no `script`"));
        }
        let interval = positive(s, "interval", interval)?;
        let spec = time_spec(s, TimeKind::Tumbling { interval });
        return Ok((Box::new(NoWindow), WinKind::Time(spec)));
    }
    // Tremor's windows: no watermark. A count window may still take its events'
    // `time`, for the bounds it reports (SPEC §7.2).
    let counts = matches!((&w.state, s.size, s.interval), (None, Some(_), None));
    let why = if s.interval.is_some() && s.size.is_none() {
        "needs `time`: a tumbling `interval` window without it runs on ingest time, as in Tremor"
    } else if counts {
        "has no effect on a count `tumbling` window: it closes every `size` events"
    } else {
        "applies to windows on time (`interval` with `time`, `hop`, `gap`); this one counts events"
    };
    let mut keys = EVENT_TIME_KEYS.to_vec();
    if !counts {
        keys.push("time");
    }
    let help = if counts {
        "remove it; on event time, use `interval` with `time`"
    } else {
        "on event time, use `interval` with `time = ...` (e.g. `time = event.ts`)"
    };
    reject(s, &keys, why, help)?;
    let proto: Box<dyn Window> = match (&w.state, s.size, s.interval) {
        (Some(state), None, None) => {
            let state = bind.fold(scope, state, args).map_err(|e| {
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
        (None, None, None) => return Err(missing()),
    };
    Ok((proto, WinKind::Classic))
}

fn sliding(w: &DefineWindow, s: &mut Settings) -> Result<Built, Vec<Diagnostic>> {
    reject(
        s,
        &["gap", "max_duration"],
        "is not used by `sliding` windows",
        "`gap` and `max_duration` belong to `session` windows",
    )?;
    match (s.size, s.interval, s.hop) {
        (Some(size), None, None) => {
            reject(
                s,
                &EVENT_TIME_KEYS,
                "has no effect on a count `sliding` window: it emits for every event",
                "on event time, use `interval` and `hop` with `time`",
            )?;
            if size == 0 {
                return Err(vec![err(
                    "Window setting `size` must be greater than 0",
                    s.span("size").or(s.span("count")).unwrap_or(w.span),
                )
                .with_help("the number of events each result covers, e.g. `size = 10`")]);
            }
            Ok((Box::new(NoWindow), WinKind::Sliding { size }))
        }
        (None, Some(interval), Some(hop)) => {
            let interval = positive(s, "interval", interval)?;
            let hop = positive(s, "hop", hop)?;
            if interval % hop != 0 {
                return Err(vec![err(
                    format!("The `interval` ({interval}) of a sliding window must be a multiple of its `hop` ({hop})"),
                    s.span("interval").unwrap_or(w.span),
                )
                .with_help(format!(
                    "e.g. `interval = {}`",
                    (interval / hop).max(1) * hop
                ))]);
            }
            let spec = time_spec(s, TimeKind::Hopping { interval, hop });
            Ok((Box::new(NoWindow), WinKind::Time(spec)))
        }
        (None, Some(_), None) => Err(vec![err(
            "A sliding window with `interval` needs a `hop`",
            s.span("interval").unwrap_or(w.span),
        )
        .with_help("windows of `interval` ns start every `hop` ns; for one window per interval use `tumbling`")]),
        (None, None, Some(_)) => Err(vec![err(
            "A sliding window with `hop` needs an `interval`",
            s.span("hop").unwrap_or(w.span),
        )
        .with_help("windows of `interval` ns start every `hop` ns, e.g. `interval = datetime::with_seconds(60)`")]),
        (Some(_), _, _) => Err(vec![err(
            "A sliding window has either `size` (events) or `interval` and `hop` (time), not both",
            s.span("interval").or(s.span("hop")).unwrap_or(w.span),
        )
        .with_help("remove `size` for windows on time, or `interval` and `hop` for the last `size` events")]),
        (None, None, None) => Err(vec![err(
            "A sliding window needs `size`, or `interval` and `hop`",
            w.span,
        )
        .with_help("e.g. `size = 10` (the last 10 events) or `interval = datetime::with_seconds(60), hop = datetime::with_seconds(10)`")]),
    }
}

fn session(w: &DefineWindow, s: &mut Settings) -> Result<Built, Vec<Diagnostic>> {
    reject(
        s,
        &["size", "count", "interval", "hop"],
        "is not used by `session` windows",
        "a session ends `gap` ns after its last event; `max_duration` caps its length",
    )?;
    let Some(gap) = s.gap else {
        return Err(vec![err("A session window needs a `gap`", w.span)
            .with_help("e.g. `gap = datetime::with_minutes(30)`")]);
    };
    let gap = positive(s, "gap", gap)?;
    let max_duration = match s.max_duration {
        Some(m) => {
            let m = positive(s, "max_duration", m)?;
            if m < gap {
                return Err(vec![err(
                    format!("`max_duration` ({m}) must be at least the `gap` ({gap}): one event's session spans `gap`"),
                    s.span("max_duration").unwrap_or(w.span),
                )
                .with_help(format!("e.g. `max_duration = {gap}` or more"))]);
            }
            Some(m)
        }
        None => None,
    };
    let spec = time_spec(s, TimeKind::Session { gap, max_duration });
    Ok((Box::new(NoWindow), WinKind::Time(spec)))
}

#[cfg(test)]
mod doc_tests {
    /// The settings hover and `trickle doc` describe are exactly those accepted here.
    #[test]
    fn setting_docs_match_the_known_settings() {
        let known: Vec<&str> = super::KNOWN
            .trim_start_matches("known settings:")
            .split(',')
            .map(|k| k.trim().trim_end_matches(" (or count)"))
            .collect();
        let documented: Vec<&str> = crate::window::SETTING_DOCS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !matches!(*k, "count" | "emit_empty_windows" | "eviction_period"))
            .collect();
        let (mut a, mut b) = (known.clone(), documented.clone());
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        let kinds: Vec<&str> = crate::window::KIND_DOCS.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, ["tumbling", "sliding", "session"]);
    }

    /// What the reference says each kind takes is what the compiler rejects the
    /// others for: a setting of another kind is "not used by" this one.
    #[test]
    fn each_kind_documents_the_settings_it_takes() {
        use crate::window::takes_setting;
        let rejected = [
            ("tumbling", &["hop", "gap", "max_duration"][..]),
            ("sliding", &["gap", "max_duration"][..]),
            ("session", &["size", "count", "interval", "hop"][..]),
        ];
        let ignored = ["emit_empty_windows", "eviction_period"];
        for (kind, not) in rejected {
            for key in super::settings().filter(|k| !ignored.contains(k)) {
                assert_eq!(
                    takes_setting(kind, key),
                    !not.contains(&key),
                    "{kind} {key}"
                );
            }
        }
        let doc = crate::doc::catalog::window_kind_markdown("session").unwrap();
        assert!(
            doc.contains("`gap`") && !doc.contains("`size`") && !doc.contains("`state"),
            "{doc}"
        );
    }
}

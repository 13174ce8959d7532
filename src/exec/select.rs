//! The `select` node (LANGUAGE §2): passthrough, simple (guards only) and normal
//! selects, group keys, per-group window chains, eviction, `max_groups`, and the
//! stream-end / drain flushes of SPEC §4 and §7.

use super::group::{group_value, group_value_from, key_json, GroupSpec};
use super::group_slots::GroupSlots;
use super::tick_timers::TickPlan;
use super::tilt::{accumulate, guard, Chain, EmitSpec, Marks, Run, Trigger};
use super::timed::{Panes, TimeState};
use crate::aggr::AggrError;
use crate::event::{Event, FnCtx, Ids, Port, Signal};
use crate::exec::{ExecError, Operator, Outputs};
use crate::expr::{ExprRef, Scope};
use crate::value::{Str, Value};
use crate::window::sliding::SlidingWindow;
use crate::window::watermark::StreamKey;
use crate::window::WinKind;
use std::sync::Arc;

/// How much work a select does per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectMode {
    /// `select event from X into Y`
    Passthrough,
    /// `select event` with only `where`/`having`: both see the original event.
    Simple,
    /// Anything else.
    Normal,
}

/// A compiled select, shared by every running instance.
#[derive(Clone)]
pub struct SelectSpec {
    pub mode: SelectMode,
    pub where_: Option<ExprRef>,
    pub group_by: Option<GroupSpec>,
    /// Target, having, aggregates, windows, args.
    pub emit: EmitSpec,
    /// The `group by` calls `stream_id()`: groups are flushed when their stream ends.
    pub stream_grouped: bool,
}

impl SelectSpec {
    /// This select with each windowed result marked by its window and bounds.
    pub fn marked(&self) -> SelectSpec {
        SelectSpec {
            emit: self.emit.marked(),
            ..self.clone()
        }
    }

    /// Adds the top-level fields of its input events that the select reads to
    /// `keys`; `false` when it may see an input event whole (it passes events on,
    /// or an expression, aggregate or window script reads `event` otherwise).
    pub fn event_keys(&self, keys: &mut Vec<Str>) -> bool {
        let emit = &self.emit;
        // `having` sees the select's result as `event`: counting it too is merely cautious.
        let exprs = self.where_.iter().chain(&emit.having).chain([&emit.target]);
        self.mode == SelectMode::Normal
            && exprs.into_iter().all(|e| e.event_keys(keys))
            && self.group_by.as_ref().is_none_or(|g| g.event_keys(keys))
            && emit.aggrs.iter().all(|a| {
                // An argument-less call of a one-argument aggregate collects the event.
                (!a.args.is_empty() || a.decl.arity.contains(&0))
                    && a.args.iter().all(|e| e.event_keys(keys))
            })
            && emit.windows.iter().all(|w| {
                w.proto.event_keys(keys) && w.count_time.as_ref().is_none_or(|t| t.event_keys(keys))
            })
    }
}

pub(super) struct Group {
    pub(super) value: Value,
    /// The classic windows (after an event-time window: the tilt frames after it).
    pub(super) chain: Chain,
    /// The stream of the event that created the group.
    pub(super) stream: (Str, u64),
    /// Creation number (event-time windows: emission order, timers).
    pub(super) seq: u64,
    /// The windows of an event-time window.
    pub(super) panes: Panes,
    /// Boxed: groups of the other kinds stay small (sessions make many).
    pub(super) sliding: Option<Box<SlidingWindow>>,
}

/// A running select.
pub struct Select {
    pub(super) spec: Arc<SelectSpec>,
    /// The first window's kind decides how groups run.
    pub(super) kind: WinKind,
    /// Index in `spec.emit.windows` of a chain's first frame (1 after a window
    /// that is not classic).
    pub(super) offset: usize,
    /// Event-time windows: watermarks and timers.
    pub(super) time: Option<TimeState>,
    /// The groups, by the JSON of their key.
    pub(super) slots: GroupSlots,
    /// Which groups a tick reaches (classic windows).
    ticks: TickPlan,
    /// The marks of the results of the last call, when the spec asks for them
    /// ([`crate::exec::tilt::EmitSpec::marked`]), by index in its outputs.
    pub(super) marks: Marks,
    /// The streams of the late events since the last take: their source counts
    /// them in its `err` metric (SPEC 7.1).
    pub(super) lates: Vec<(Str, u64)>,
    pub(super) next_seq: u64,
    /// The current event fell into no window of some group.
    pub(super) late: bool,
    /// Window states the next new group starts from instead of fresh ones: set when
    /// a new group's first event made its whole chain emit (the state-leak quirk of
    /// LANGUAGE §9); taken, so it reaches only that next new group.
    leaked: Option<Chain>,
    pub(super) max_groups: usize,
    /// `group` without a `group by` (the same for every event).
    ungrouped: Value,
    /// Reused for encoding group keys.
    keybuf: Vec<u8>,
    /// The items of a `group by` that always gives one key ([`GroupSpec::single_key`]).
    single: Option<Vec<ExprRef>>,
    /// Reused for that key's values.
    keyvals: Vec<Value>,
    /// Windows keep the ids of the events they hold, for their emissions' lineage
    /// (acks, `event_ids()`); off when nothing will read it ([`Select::drop_lineage`]).
    lineage: bool,
}

impl Select {
    pub fn new(spec: Arc<SelectSpec>) -> Self {
        let single = spec.group_by.as_ref().and_then(GroupSpec::single_key);
        let max_groups = spec
            .emit
            .windows
            .iter()
            .map(|w| w.max_groups)
            .min()
            .unwrap_or(usize::MAX);
        let kind = spec
            .emit
            .windows
            .first()
            .map_or(WinKind::Classic, |w| w.kind.clone());
        let time = match (&kind, spec.emit.windows.first()) {
            (WinKind::Time(ts), Some(w)) => {
                Some(TimeState::new(ts.clone(), w.name.clone(), &spec.emit.aggrs))
            }
            _ => None,
        };
        let ticks = match kind {
            WinKind::Classic => TickPlan::of(spec.emit.windows.first()),
            _ => TickPlan::Deaf,
        };
        Select {
            leaked: None,
            ticks,
            offset: usize::from(!matches!(kind, WinKind::Classic)),
            kind,
            time,
            slots: match spec.stream_grouped {
                true => GroupSlots::per_stream(),
                false => GroupSlots::default(),
            },
            marks: Marks::new(),
            lates: Vec::new(),
            next_seq: 0,
            late: false,
            spec,
            max_groups,
            ungrouped: group_value(vec![Value::Null]).0,
            keybuf: Vec::new(),
            single,
            keyvals: Vec::new(),
            lineage: true,
        }
    }

    /// See [`SelectSpec::event_keys`].
    pub fn event_keys(&self, keys: &mut Vec<Str>) -> bool {
        self.spec.event_keys(keys)
    }

    /// Windows no longer keep the ids of the events they hold: emissions have an
    /// empty lineage. For a runner that neither acks nor lets `event_ids()` be called.
    pub fn drop_lineage(&mut self) {
        self.lineage = false;
    }

    /// Ticks ask every group, as if windows could not say when they act (the
    /// model the timers are checked against).
    #[cfg(test)]
    pub(super) fn tick_every_group(&mut self) {
        self.ticks = TickPlan::Every;
    }

    /// Groups held (each holds its windows).
    pub fn held_groups(&self) -> usize {
        self.slots.len()
    }

    /// Timers held (event-time windows' and ticks'), stale ones included.
    pub fn held_timers(&self) -> usize {
        self.time.as_ref().map_or(0, TimeState::timer_count) + self.ticks.len()
    }

    /// Streams whose watermarks an event-time select keeps: the open ones.
    pub fn held_streams(&self) -> usize {
        self.time.as_ref().map_or(0, |t| t.wm.open_streams())
    }

    /// Without windows a select keeps nothing from one event to the next.
    pub fn is_stateless(&self) -> bool {
        self.spec.emit.windows.is_empty()
    }

    /// `select event` with nothing else: events pass unchanged.
    pub fn is_passthrough(&self) -> bool {
        self.spec.mode == SelectMode::Passthrough
    }

    /// The scope of an input event (disjoint borrows of its fields).
    pub(super) fn scope<'a>(args: &'a Value, ev: &'a mut Event) -> Scope<'a> {
        Scope {
            event: &mut ev.data,
            meta: &mut ev.meta,
            group: &Value::Null,
            window: &Value::Null,
            args,
            aggrs: &[],
            ctx: FnCtx {
                ingest_ns: ev.ingest_ns,
                origin: ev.origin.as_deref(),
                id: Some(&ev.id),
                lineage: &ev.lineage,
                cardinality: 0,
            },
        }
    }

    /// The group keys of an event; `None` without a `group by` (then
    /// [`Select::ungrouped`] is the only group).
    fn keys(&self, ev: &mut Event) -> Result<Option<Vec<Vec<Value>>>, ExecError> {
        match &self.spec.group_by {
            None => Ok(None),
            // Group expressions see no args, group or window.
            Some(g) => g.keys(&mut Self::scope(&Value::Null, ev)).map(Some),
        }
    }

    /// A select with no windows: the target runs at once, per key (a fan-out).
    fn unwindowed(&self, ev: &mut Event, out: &mut Outputs) -> Result<(), ExecError> {
        match self.keys(ev)? {
            // The one output of an ungrouped select takes the event's identity over.
            None => self.unwindowed_group(ev, &self.ungrouped, true, out),
            Some(keys) => keys
                .into_iter()
                .try_for_each(|key| self.unwindowed_group(ev, &group_value(key).0, false, out)),
        }
    }

    fn unwindowed_group(
        &self,
        ev: &mut Event,
        group: &Value,
        last: bool,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        let spec = &self.spec.emit;
        {
            let mut scope = Self::scope(&spec.args, ev);
            scope.group = group;
            // Aggregates without a window see a window of just this event.
            let mut vals = Vec::with_capacity(spec.aggrs.len());
            for site in &spec.aggrs {
                let mut agg = (site.decl.make)();
                // A window of just this event: `win::start()` is its ingest time.
                let time = crate::event::ingest_time(scope.ctx.ingest_ns);
                accumulate(agg.as_mut(), site, &mut scope, time)?;
                vals.push(agg.emit().map_err(|e| {
                    AggrError::new(site.decl, site.args.len(), e).at(site.at.clone())
                })?);
            }
            scope.aggrs = &vals;
            let mut result = spec.target.eval(&mut scope, &mut Value::Null)?;
            if let Some(h) = &spec.having {
                scope.event = &mut result;
                if !guard(h, &mut scope, "having")? {
                    return Ok(());
                }
            }
            let ev = if last {
                // Nothing can fail after this: the input event is not needed any more.
                taken(ev, result)
            } else {
                derived(ev, result)
            };
            out.push((Port::borrowed("out"), ev));
        }
        Ok(())
    }

    fn windowed(&mut self, ev: &mut Event, out: &mut Outputs) -> Result<(), ExecError> {
        let stream = (ev.id.peer.clone(), ev.id.stream);
        let time = self.event_time(ev)?;
        let mut keybuf = std::mem::take(&mut self.keybuf);
        let res = if let Some(items) = &self.single {
            // One key: its values go into a reused buffer, copied only for a new group.
            let mut vals = std::mem::take(&mut self.keyvals);
            vals.clear();
            let res = items.iter().try_for_each(|e| {
                // Group expressions see no args, group or window.
                vals.push(e.eval(&mut Self::scope(&Value::Null, ev), &mut Value::Null)?);
                Ok(())
            });
            let res = res.and_then(|()| {
                let mut trig = Trigger::of(ev);
                trig.time = time;
                if !self.lineage {
                    trig.lineage = Ids::None;
                }
                key_json(&vals, &mut keybuf);
                self.group_step(&vals, &keybuf, &stream, &mut trig, out)?;
                self.after_event(&stream, &mut trig, out)
            });
            self.keyvals = vals;
            res
        } else {
            let keys = self.keys(ev)?.unwrap_or_else(|| vec![vec![Value::Null]]);
            let mut trig = Trigger::of(ev);
            trig.time = time;
            if !self.lineage {
                trig.lineage = Ids::None;
            }
            keys.iter()
                .try_for_each(|key| {
                    keybuf.clear();
                    key_json(key, &mut keybuf);
                    self.group_step(key, &keybuf, &stream, &mut trig, out)
                })
                .and_then(|()| self.after_event(&stream, &mut trig, out))
        };
        keybuf.clear();
        self.keybuf = keybuf;
        if std::mem::take(&mut self.late) {
            self.send_late(ev, time, out);
        }
        res
    }

    /// An event reaches the group of `key` (`json` is its encoding), created if new.
    fn group_step(
        &mut self,
        key: &[Value],
        json: &[u8],
        stream: &(Str, u64),
        trig: &mut Trigger<'_>,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        // The encoder writes only UTF-8; checked as such, which is cheaper than
        // a lossy pass.
        let text = match std::str::from_utf8(json) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(json),
        };
        if !matches!(self.kind, WinKind::Classic) {
            return self.group_step_timed(key, &text, stream, trig, out);
        }
        if let Some(slot) = self.slots.find(&text) {
            let cardinality = self.slots.len();
            let Some(g) = self.slots.at(slot) else {
                return Ok(());
            };
            let mut run = Run {
                spec: &self.spec.emit,
                group: &g.value,
                cardinality,
                trig,
                out,
                offset: 0,
                head: None,
                marks: &mut self.marks,
            };
            run.step(&mut g.chain.frames, 0)?;
            if g.chain.is_empty() {
                self.slots.remove(slot);
            } else {
                self.ticks.arm(&self.slots, slot);
            }
            return Ok(());
        }
        if self.slots.len() >= self.max_groups {
            return Err(ExecError::TooManyGroups {
                max: self.max_groups,
                group: text.into_owned(),
            });
        }
        let mut chain = match self.leaked.take() {
            Some(chain) => chain,
            None => Chain::new(&self.spec.emit),
        };
        let group = group_value_from(key, &text);
        let mut run = Run {
            spec: &self.spec.emit,
            group: &group,
            cardinality: self.slots.len(),
            trig,
            out,
            offset: 0,
            head: None,
            marks: &mut self.marks,
        };
        run.step(&mut chain.frames, 0)?;
        if chain.is_empty() {
            // The whole chain emitted on the group's first event: Tremor did not
            // reset its template, so the window states carry over to the next new
            // group (which resets the template once it is kept).
            self.leaked = Some(chain.windows_of(&self.spec.emit));
        } else {
            let seq = self.next_seq;
            self.next_seq += 1;
            let g = Group {
                value: group,
                chain,
                stream: stream.clone(),
                seq,
                panes: Panes::default(),
                sliding: None,
            };
            let slot = self.slots.insert(&text, g);
            self.ticks.arm(&self.slots, slot);
        }
        Ok(())
    }

    /// Emits and drops every group (`None`) or those of a stream, in creation order.
    pub(super) fn flush(
        &mut self,
        stream: Option<&StreamKey>,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        let (mut event, mut meta) = (Value::Null, Value::record());
        let mut trig = Trigger {
            event: &mut event,
            meta: &mut meta,
            ingest_ns: 0,
            time: i64::MAX,
            id: None,
            origin: None,
            lineage: Ids::None,
        };
        let mut first_err = None;
        let cardinality = self.slots.len();
        let picked = match stream {
            Some(s) => self.slots.take_stream(s),
            None => self.slots.take_where(|_| true),
        };
        for mut g in picked {
            let mut run = Run {
                spec: &self.spec.emit,
                group: &g.value,
                cardinality,
                trig: &mut trig,
                out,
                offset: self.offset,
                head: None,
                marks: &mut self.marks,
            };
            if let Err(e) = run.flush(&mut g.chain.frames) {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    fn tick(&mut self, ns: u64, out: &mut Outputs) -> Result<(), ExecError> {
        let (mut event, mut meta) = (Value::Null, Value::record());
        let mut trig = Trigger {
            event: &mut event,
            meta: &mut meta,
            ingest_ns: ns,
            time: crate::event::ingest_time(ns),
            id: None,
            origin: None,
            lineage: Ids::None,
        };
        let cardinality = self.slots.len();
        let mut first_err = None;
        for slot in self.ticks.due(ns, &self.slots) {
            let Some(g) = self.slots.at(slot) else {
                continue;
            };
            let mut run = Run {
                spec: &self.spec.emit,
                group: &g.value,
                cardinality,
                trig: &mut trig,
                out,
                offset: 0,
                head: None,
                marks: &mut self.marks,
            };
            if let Err(e) = run.tick(&mut g.chain.frames, ns) {
                first_err.get_or_insert(e);
            }
            if g.chain.is_empty() {
                self.slots.remove(slot);
            } else {
                self.ticks.arm(&self.slots, slot);
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

/// [`derived`], moving meta, id, lineage and origin out of `ev` instead of copying them.
fn taken(ev: &mut Event, data: Value) -> Event {
    Event {
        data,
        meta: std::mem::take(&mut ev.meta),
        ingest_ns: ev.ingest_ns,
        id: std::mem::take(&mut ev.id),
        lineage: std::mem::take(&mut ev.lineage),
        origin: ev.origin.take(),
    }
}

/// An event produced from `ev`: same meta, ingest time, id, lineage and origin.
fn derived(ev: &Event, data: Value) -> Event {
    Event {
        data,
        meta: ev.meta.clone(),
        ingest_ns: ev.ingest_ns,
        id: ev.id.clone(),
        lineage: ev.lineage.clone(),
        origin: ev.origin.clone(),
    }
}

impl Select {
    /// Processes one event; on a runtime error the event is handed back with the
    /// message, so the executor can report it without having copied it. (Errors are
    /// rare; the large `Err` costs nothing on the success path.)
    #[allow(clippy::result_large_err)]
    pub fn handle(&mut self, mut ev: Event, out: &mut Outputs) -> Result<(), (ExecError, Event)> {
        let res = match self.spec.mode {
            SelectMode::Passthrough => Ok(true),
            SelectMode::Simple => {
                let spec = &self.spec;
                let mut scope = Self::scope(&spec.emit.args, &mut ev);
                let mut pass = Ok(true);
                for (g, clause) in [(&spec.where_, "where"), (&spec.emit.having, "having")] {
                    if let Some(g) = g {
                        pass = guard(g, &mut scope, clause);
                        if pass != Ok(true) {
                            break;
                        }
                    }
                }
                pass
            }
            SelectMode::Normal => self.normal(&mut ev, out).map(|()| false),
        };
        match res {
            Ok(true) => {
                out.push((Port::borrowed("out"), ev));
                Ok(())
            }
            Ok(false) => {
                if !self.spec.emit.windows.is_empty() {
                    // Done with: its window's aggregates took what they needed.
                    crate::value::recycle::give(ev.data);
                    crate::value::recycle::give(ev.meta);
                }
                Ok(())
            }
            Err(e) => Err((e, ev)),
        }
    }

    fn normal(&mut self, ev: &mut Event, out: &mut Outputs) -> Result<(), ExecError> {
        if let Some(w) = &self.spec.where_ {
            if !guard(w, &mut Self::scope(&self.spec.emit.args, ev), "where")? {
                return Ok(());
            }
        }
        if self.spec.emit.windows.is_empty() {
            self.unwindowed(ev, out)
        } else {
            self.windowed(ev, out)
        }
    }
}

impl Operator for Select {
    fn on_event(&mut self, _port: &str, ev: Event, out: &mut Outputs) -> Result<(), ExecError> {
        self.handle(ev, out).map_err(|(e, _)| e)
    }

    fn on_signal(&mut self, signal: &Signal, out: &mut Outputs) -> Result<(), ExecError> {
        if self.spec.emit.windows.is_empty() {
            return Ok(());
        }
        if !matches!(self.kind, WinKind::Classic) {
            return self.signal_timed(signal, out);
        }
        match signal {
            Signal::Tick(ns) => self.tick(*ns, out),
            Signal::Drain => self.flush(None, out),
            Signal::EndStream { peer, stream } if self.spec.stream_grouped => {
                self.flush(Some(&(peer.clone(), *stream)), out)
            }
            Signal::EndStream { .. } | Signal::StartStream { .. } => Ok(()),
        }
    }
}

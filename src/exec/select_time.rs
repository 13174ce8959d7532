//! The select's side of event-time and count `sliding` windows (SPEC §7.1, §7.2):
//! the event's time, groups that keep several windows ([`super::timed`]) or a
//! sliding state, watermark moves after each event and on signals, late events.

use super::executor::error_event;
use super::group::group_value_from;
use super::select::{Group, Select};
use super::tilt::{Chain, Run, Trigger};
use super::timed::{fire, Panes, Place};
use crate::event::ingest_time;
use crate::event::{Event, Ids, Port, Signal};
use crate::exec::{ExecError, Outputs};
use crate::value::{Str, Value};
use crate::window::event_time::time_value;
use crate::window::sliding::SlidingWindow;
use crate::window::watermark::StreamKey;
use crate::window::WinKind;

/// How many timers ahead of the one firing its group is fetched, and its
/// group's states (see [`crate::sys::prefetch`]).
const PREFETCH_GROUP: usize = 4;
const PREFETCH_STATES: usize = 2;
/// How many timers ahead the queue's own line is fetched: it is read front to
/// back, but too slowly (a timer per event or two) for the hardware to see it.
const PREFETCH_QUEUE: usize = 16;

impl Select {
    /// The time of `ev` for the first window: its `time` expression (an integer, or
    /// the event fails), else its ingest time.
    pub(super) fn event_time(&self, ev: &mut Event) -> Result<i64, ExecError> {
        let Some(w) = self.spec.emit.windows.first() else {
            return Ok(ingest_time(ev.ingest_ns));
        };
        let args = &self.spec.emit.args;
        match (&w.kind, &w.count_time) {
            (WinKind::Time(ts), _) => Ok(ts.event_time(&w.name, &mut Self::scope(args, ev))?),
            (_, Some(e)) => {
                let v = e.eval(&mut Self::scope(args, ev), &mut Value::Null)?;
                Ok(time_value(&w.name, &v)?)
            }
            _ => Ok(ingest_time(ev.ingest_ns)),
        }
    }

    /// The clock a group runs on: its stream's watermark when keyed by its stream.
    fn clock_of(&self, stream: &StreamKey) -> Option<StreamKey> {
        self.spec.stream_grouped.then(|| stream.clone())
    }

    /// An event reaches the group of `key` of an event-time or sliding select.
    pub(super) fn group_step_timed(
        &mut self,
        key: &[Value],
        text: &str,
        stream: &(Str, u64),
        trig: &mut Trigger<'_>,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        let slot = match self.slots.find(text) {
            Some(s) => s,
            None => self.new_group(key, text, stream)?,
        };
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
            offset: 1,
            head: None,
            marks: &mut self.marks,
        };
        if let Some(w) = &mut g.sliding {
            return run.slide(w);
        }
        let Some(state) = &mut self.time else {
            return Ok(());
        };
        let clock = self.spec.stream_grouped.then(|| g.stream.clone());
        let wm = match &clock {
            Some(s) => state.wm.of_stream(s),
            None => state.wm.current(),
        };
        let time = run.trig.time;
        let mut place = Place {
            state,
            clock,
            seq: g.seq,
            slot,
            wm,
        };
        let placed = place.event(&mut g.panes, &mut g.chain.frames, &mut run, time)?;
        if !placed {
            self.late = true;
        }
        if g.panes.is_empty() && g.chain.is_empty() {
            self.slots.remove(slot);
        }
        Ok(())
    }

    fn new_group(
        &mut self,
        key: &[Value],
        text: &str,
        stream: &StreamKey,
    ) -> Result<u32, ExecError> {
        if self.slots.len() >= self.max_groups {
            return Err(ExecError::TooManyGroups {
                max: self.max_groups,
                group: text.to_string(),
            });
        }
        let spec = &self.spec.emit;
        let chain = Chain::from_window(spec, 1);
        let sliding = match &self.kind {
            WinKind::Sliding { size, .. } => Some(Box::new(SlidingWindow::new(*size, &spec.aggrs))),
            _ => None,
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let g = Group {
            value: group_value_from(key, text),
            chain,
            stream: stream.clone(),
            seq,
            panes: Panes::default(),
            sliding,
        };
        Ok(self.slots.insert(text, g))
    }

    /// After an event went into its windows: its stream's watermark and the select's
    /// move, and the windows they pass close.
    pub(super) fn after_event(
        &mut self,
        stream: &StreamKey,
        trig: &mut Trigger<'_>,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        let own = self.clock_of(stream);
        let Some(state) = &mut self.time else {
            return Ok(());
        };
        state.wm.observe(stream, trig.time, trig.ingest_ns);
        let select = (None, state.wm.select());
        match own {
            Some(c) => {
                let wm = state.wm.of_stream(&c);
                self.advance(&[select, (Some(c), wm)], trig, out)
            }
            None => self.advance(&[select], trig, out),
        }
    }

    /// Fires every timer due on `clocks`, earliest first; the first error is
    /// returned once all have fired.
    fn advance(
        &mut self,
        clocks: &[(Option<StreamKey>, i64)],
        trig: &mut Trigger<'_>,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        let mut first_err = None;
        if let Some(state) = &mut self.time {
            state.begin_advance(clocks);
        }
        while let Some(state) = &mut self.time {
            let Some((i, timer)) = state.pop_due(clocks) else {
                break;
            };
            let clock = &clocks[i].0;
            // Timers pop in order: the groups of the next ones are fetched while
            // this one fires, the group first, then (once it is there) its states.
            if let Some(q) = state.queue(clock) {
                if let Some(t) = q.ahead(PREFETCH_QUEUE) {
                    crate::sys::prefetch(t, 1);
                }
                if let Some(t) = q.ahead(PREFETCH_GROUP) {
                    self.slots.prefetch(t.slot);
                }
                if let Some(t) = q.ahead(PREFETCH_STATES) {
                    self.slots.prefetch_deeper(t.slot, t.seq);
                }
            }
            let cardinality = self.slots.len();
            match self.slots.get_mut(timer.slot, timer.seq) {
                // Its group is gone, and with it the pane.
                None => state.forget_stale(),
                Some(g) => {
                    let mut run = Run {
                        spec: &self.spec.emit,
                        group: &g.value,
                        cardinality,
                        trig: &mut *trig,
                        out: &mut *out,
                        offset: 1,
                        head: None,
                        marks: &mut self.marks,
                    };
                    let fired = fire(
                        state,
                        clock,
                        &timer,
                        &mut g.panes,
                        &mut g.chain.frames,
                        &mut run,
                    );
                    if let Err(e) = fired {
                        first_err.get_or_insert(e);
                    }
                    if g.panes.is_empty() && g.chain.is_empty() {
                        self.slots.remove(timer.slot);
                    }
                }
            }
            state.check_due(clocks, i);
        }
        self.sweep_timers();
        first_err.map_or(Ok(()), Err)
    }

    /// Drops the stale timers once they outnumber the live ones.
    fn sweep_timers(&mut self) {
        let Some(state) = &mut self.time else {
            return;
        };
        if !state.wants_sweep() {
            return;
        }
        let slots = &self.slots;
        state.sweep(|t| {
            slots
                .get(t.slot, t.seq)
                .is_some_and(|g| g.panes.has_timer(t))
        });
    }

    /// A late event, unchanged, to the window's `late` stream, else to `err`.
    pub(super) fn send_late(&mut self, ev: &Event, time: i64, out: &mut Outputs) {
        let Some(state) = &self.time else {
            return;
        };
        self.lates.push((ev.id.peer.clone(), ev.id.stream));
        if state.spec.late.is_some() {
            out.push((Port::borrowed("late"), ev.clone()));
        } else {
            let late = ExecError::Late {
                time,
                window: state.window.to_string(),
                watermark: state.wm.current(),
            };
            out.push((
                Port::borrowed("err"),
                error_event(&late, ev.data.clone(), Some(ev)),
            ));
        }
    }

    /// Signals for event-time and sliding selects.
    pub(super) fn signal_timed(
        &mut self,
        signal: &Signal,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        if self.time.is_none() {
            // Count sliding windows emit per event: nothing more at drain or stream end.
            match signal {
                Signal::Drain => self.slots.clear(),
                Signal::EndStream { peer, stream } if self.spec.stream_grouped => {
                    self.slots.take_stream(&(peer.clone(), *stream));
                }
                _ => {}
            }
            return Ok(());
        }
        let (mut event, mut meta) = (Value::Null, Value::record());
        let ns = match signal {
            Signal::Tick(ns) => *ns,
            _ => 0,
        };
        let mut trig = Trigger {
            event: &mut event,
            meta: &mut meta,
            ingest_ns: ns,
            time: ingest_time(ns),
            id: None,
            origin: None,
            lineage: Ids::None,
        };
        let clocks: Vec<(Option<StreamKey>, i64)> = {
            let Some(state) = &mut self.time else {
                return Ok(());
            };
            match signal {
                Signal::Tick(ns) => {
                    state.wm.tick(*ns, state.spec.time.is_none());
                    let select = state.wm.select();
                    state
                        .clocks()
                        .into_iter()
                        .map(|c| {
                            let wm = c.as_ref().map_or(select, |s| state.wm.of_stream(s));
                            (c, wm)
                        })
                        .collect()
                }
                Signal::EndStream { peer, stream } => {
                    let key = (peer.clone(), *stream);
                    state.wm.end(&key);
                    let mut clocks = vec![(None, state.wm.select())];
                    if self.spec.stream_grouped {
                        clocks.push((Some(key), i64::MAX));
                    }
                    clocks
                }
                Signal::Drain => state.clocks().into_iter().map(|c| (c, i64::MAX)).collect(),
                Signal::StartStream { peer, stream } => {
                    state.wm.start(&(peer.clone(), *stream));
                    Vec::new()
                }
            }
        };
        let res = self.advance(&clocks, &mut trig, out);
        // The tilt frames after the event-time window flush as classic windows do.
        let flushed = match signal {
            Signal::Drain => self.flush(None, out),
            Signal::EndStream { peer, stream } if self.spec.stream_grouped => {
                self.flush(Some(&(peer.clone(), *stream)), out)
            }
            _ => Ok(()),
        };
        res.and(flushed)
    }
}

//! The synchronous executor (LANGUAGE §1 "Execution"): depth-first with an explicit
//! LIFO stack; an operator's outputs are pushed for every connected `(node, port)`,
//! and the outputs of one enqueue are reversed at the end, which keeps emission order
//! for a linear chain exactly as Tremor produced it.

use super::graph::{Graph, NodeKind};
use super::select::Select;
use super::tilt::{Marks, WindowMark};
use super::{Contraflow, ExecError, Operator, Outputs};
use crate::event::{Event, Port, Signal};
use crate::value::{Fields, Str, Value};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// An output port and the `(node, input port)`s connected to it.
type Route = (String, Vec<(usize, Port)>);

/// The port whose events, when nothing reads it, leave as output `NODE/err`.
const UNREAD_ERR: &str = "err";

/// Whether output `name` is a node's unread `err` port, not an output of the graph.
pub fn is_unread_err(name: &str) -> bool {
    name.rsplit_once('/')
        .is_some_and(|(_, port)| port == UNREAD_ERR)
}

enum Slot {
    /// Input and stream nodes forward on `out`.
    Pass,
    Output,
    Select(Box<Select>),
    Op {
        op: Box<dyn Operator>,
        fallible: bool,
    },
}

/// A running instance of a [`Graph`]. Outputs are `(output name, event)`: `out`,
/// `err`, or `p` for `into out/p`.
pub struct Executor {
    names: Vec<String>,
    slots: Vec<Slot>,
    /// Per node: output port → connected `(node, input port)`; nodes have few
    /// ports, so a short list beats hashing the port name.
    routes: Vec<Vec<Route>>,
    /// Reused for each operator call.
    buf: Outputs,
    /// Contraflow the nodes raised themselves, for the runtime to send upstream.
    raised: Vec<Contraflow>,
    inputs: FxHashMap<String, usize>,
    topo: Vec<usize>,
    stack: Vec<(usize, Port, Event)>,
    /// Per node: a select fed straight from an input whose events may arrive with
    /// only the fields it reads ([`Executor::project_input`]); its error reports
    /// show the event as received instead.
    projected: Vec<bool>,
    /// With [`Executor::mark_windows`]: the marks of the events on `stack`, by their
    /// index there (ascending, as they were pushed)...
    pending: Marks,
    /// ...and of the events that reached an output, by their index in its `out`.
    marks: Marks,
    /// The streams of the late events since the last take ([`Executor::take_late`]);
    /// `None` unless a runner counts them ([`Executor::count_late`]).
    late: Option<Vec<(Str, u64)>>,
}

impl Executor {
    /// Instantiates every node of `graph` (which must be acyclic; `topo` is its order).
    pub fn new(graph: &Graph, topo: Vec<usize>) -> Self {
        let mut routes: Vec<Vec<Route>> = vec![Vec::new(); graph.nodes.len()];
        for e in &graph.edges {
            let node = &mut routes[e.from];
            // Routing clones the port per event: the usual `in` is static, no allocation.
            let to_port = match e.to_port.as_str() {
                "in" => Port::borrowed("in"),
                p => Port::owned(p.to_string()),
            };
            let target = (e.to, to_port);
            match node.iter_mut().find(|(p, _)| *p == e.from_port) {
                Some((_, targets)) => targets.push(target),
                None => node.push((e.from_port.clone(), vec![target])),
            }
        }
        let mut slots: Vec<Slot> = graph
            .nodes
            .iter()
            .map(|n| match &n.kind {
                NodeKind::Input | NodeKind::Stream => Slot::Pass,
                NodeKind::Output => Slot::Output,
                NodeKind::Select(spec) => Slot::Select(Box::new(Select::new(spec.clone()))),
                NodeKind::Op { make, fallible, .. } => Slot::Op {
                    op: make(),
                    fallible: *fallible,
                },
            })
            .collect();
        let inputs = graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n.kind, NodeKind::Input))
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut names: Vec<String> = graph.nodes.iter().map(|n| n.name.clone()).collect();
        // A script's or operator's `err` port that nothing reads still reaches the
        // caller, as output `NODE/err` (SPEC §8: unconnected outputs go to stderr),
        // so its errors are never lost unseen; Tremor dropped them.
        for (i, n) in graph.nodes.iter().enumerate() {
            if matches!(n.kind, NodeKind::Op { .. }) && !routes[i].iter().any(|(p, _)| p == "err") {
                let sink = names.len();
                names.push(format!("{}/{UNREAD_ERR}", n.name));
                slots.push(Slot::Output);
                routes.push(Vec::new());
                routes[i].push(("err".to_string(), vec![(sink, Port::borrowed("in"))]));
            }
        }
        let nodes = names.len();
        Executor {
            names,
            slots,
            routes,
            buf: Outputs::new(),
            raised: Vec::new(),
            inputs,
            topo,
            stack: Vec::new(),
            projected: vec![false; nodes],
            pending: Marks::new(),
            marks: Marks::new(),
            late: None,
        }
    }

    /// From now on, each result of a windowed select that reaches an output (through
    /// stream nodes, not through other operators) is marked with its window's name and
    /// bounds ([`Executor::take_marks`]). Off by default: `trickle run` pays nothing.
    /// Call it first (before any event or [`Executor::drop_lineage`]): the windowed
    /// selects are made anew.
    pub fn mark_windows(&mut self) {
        for slot in &mut self.slots {
            if let Slot::Select(sel) = slot {
                if !sel.spec.emit.windows.is_empty() && !sel.spec.emit.marks {
                    **sel = Select::new(Arc::new(sel.spec.marked()));
                }
            }
        }
    }

    /// The marks of the events pushed to the `out` of the calls since the last take,
    /// by their index in that `out` (ascending).
    pub fn take_marks(&mut self) -> Marks {
        std::mem::take(&mut self.marks)
    }

    /// From now on the streams of late events are kept for [`Executor::take_late`]:
    /// for a runner that counts them in its sources' `err` metric. Off by default,
    /// so a runner that does not (the REPL, a test case) keeps nothing of them.
    pub fn count_late(&mut self) {
        self.late.get_or_insert_with(Vec::new);
    }

    /// The `(peer, stream)` of each event an event-time window found late since the
    /// last take, for the source's `err` metric.
    pub fn take_late(&mut self) -> Vec<(Str, u64)> {
        self.late.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Feeds `event` into input `input` and runs until quiet. Unknown inputs are ignored.
    pub fn send(&mut self, input: &str, event: Event, out: &mut Vec<(String, Event)>) {
        self.enter(input, event, None, out);
    }

    fn enter(
        &mut self,
        input: &str,
        event: Event,
        original: Option<&dyn Fn() -> Value>,
        out: &mut Vec<(String, Event)>,
    ) {
        let Some(&idx) = self.inputs.get(input) else {
            return;
        };
        // An input node only forwards on `out`: route from it at once rather than
        // through the stack (one event move less each way).
        self.route(idx, "out", event);
        self.run(out, original);
    }

    /// The top-level fields of the events sent to `input` that the graph reads, when
    /// it reads nothing else of them: every node the input feeds is a select that
    /// uses them only as `event.KEY...` (see [`crate::expr::Expr::event_keys`]).
    /// A runner may then decode only those fields and send each event with
    /// [`Executor::send_projected`]. `None` when the graph may see events whole.
    ///
    /// A missing key's "did you mean" hint is the one thing that looks at the other
    /// keys. A select without windows keeps no state, so when it fails on such an
    /// event it is run again on the whole event for the exact error; a windowed one
    /// cannot be, so with one the keys a hint could name are asked for too
    /// ([`Fields::hint_keys`]).
    pub fn project_input(&mut self, input: &str) -> Option<Fields> {
        let idx = *self.inputs.get(input)?;
        let fed: Vec<usize> = self.routes[idx]
            .iter()
            .flat_map(|(_, targets)| targets.iter().map(|(to, _)| *to))
            .collect();
        let feeds = |to: usize| {
            self.routes
                .iter()
                .enumerate()
                .filter(|(_, r)| r.iter().any(|(_, ts)| ts.iter().any(|(t, _)| *t == to)))
                .count()
        };
        // Nothing else writes into the input, and each select hears only the input.
        if feeds(idx) > 0 || fed.iter().any(|&to| feeds(to) != 1) {
            return None;
        }
        let mut fields = Fields::default();
        for &to in &fed {
            match &self.slots[to] {
                Slot::Select(s) if s.event_keys(&mut fields.keys) => {
                    fields.hint_keys |= !s.is_stateless();
                }
                _ => return None,
            }
        }
        for &to in &fed {
            self.projected[to] = true;
        }
        Some(fields)
    }

    /// `held` summed over the selects.
    fn held_by_selects(&self, held: impl Fn(&Select) -> usize) -> usize {
        self.slots
            .iter()
            .map(|s| match s {
                Slot::Select(s) => held(s),
                _ => 0,
            })
            .sum()
    }

    /// Groups held by the selects: what windows keep in memory grows with it.
    pub fn held_groups(&self) -> usize {
        self.held_by_selects(Select::held_groups)
    }

    /// Event-time timers held by the selects (stale ones included): bounded by
    /// the open windows too.
    pub fn held_timers(&self) -> usize {
        self.held_by_selects(Select::held_timers)
    }

    /// Streams whose watermarks the selects keep: bounded by the open streams,
    /// however many came and went.
    pub fn held_streams(&self) -> usize {
        self.held_by_selects(Select::held_streams)
    }

    /// Windowed selects stop keeping the ids of the events they hold (see
    /// [`Select::drop_lineage`]): for a runner that acks nothing, running a query
    /// that never calls `event_ids()`.
    pub fn drop_lineage(&mut self) {
        for slot in &mut self.slots {
            if let Slot::Select(s) = slot {
                s.drop_lineage();
            }
        }
    }

    /// [`Executor::send`] of an event holding only the fields
    /// [`Executor::project_input`] named; `original` decodes it whole, for an error report.
    pub fn send_projected(
        &mut self,
        input: &str,
        event: Event,
        original: &dyn Fn() -> Value,
        out: &mut Vec<(String, Event)>,
    ) {
        self.enter(input, event, Some(original), out);
    }

    /// The output every event sent to `input` reaches, alone and unchanged, when the
    /// graph only forwards it: a chain of streams and `select event` passthroughs
    /// (no other node sees the event, and none of them reads or changes it). A
    /// runner may then write such events as read, without running the graph.
    pub fn forwards_unchanged(&self, input: &str) -> Option<String> {
        let mut idx = *self.inputs.get(input)?;
        let mut port = Port::borrowed("in");
        // A chain visits each node at most once (the graph is acyclic).
        for _ in 0..=self.slots.len() {
            match &self.slots[idx] {
                Slot::Output if port == "in" => return Some(self.names[idx].clone()),
                Slot::Output => return Some(port.to_string()),
                Slot::Pass => {}
                Slot::Select(sel) if sel.is_passthrough() => {}
                Slot::Select(_) | Slot::Op { .. } => return None,
            }
            // These nodes emit only on `out`: it must lead to exactly one place.
            let (_, targets) = self.routes[idx].iter().find(|(p, _)| p == "out")?;
            let [(to, to_port)] = targets.as_slice() else {
                return None;
            };
            idx = *to;
            port = to_port.clone();
        }
        None
    }

    /// Delivers `signal` to every node in topological order; what they emit flows on.
    pub fn signal(&mut self, signal: &Signal, out: &mut Vec<(String, Event)>) {
        for k in 0..self.topo.len() {
            let idx = self.topo[k];
            let op: &mut dyn Operator = match &mut self.slots[idx] {
                Slot::Op { op, .. } => op.as_mut(),
                Slot::Select(s) => s.as_mut(),
                _ => continue,
            };
            let mut outs = std::mem::take(&mut self.buf);
            let res = op.on_signal(signal, &mut outs);
            self.raised.extend(op.take_contraflow());
            let marks = match &mut self.slots[idx] {
                Slot::Select(s) => std::mem::take(&mut s.marks),
                _ => Marks::new(),
            };
            self.push_marked(idx, &mut outs, marks);
            self.buf = outs;
            self.run(out, None);
            if let Err(e) = res {
                out.push(("err".to_string(), error_event(&e, Value::Null, None)));
            }
        }
    }

    /// Pushes what node `idx` emitted (draining `outs`) for every connected input.
    /// Contraflow from the sinks (`ack`, `fail`, ...): every operator sees it, the
    /// nodes nearest the outputs first.
    pub fn contraflow(&mut self, insight: &Contraflow) {
        for k in (0..self.topo.len()).rev() {
            if let Slot::Op { op, .. } = &mut self.slots[self.topo[k]] {
                op.on_contraflow(insight);
                self.raised.extend(op.take_contraflow());
            }
        }
    }

    /// Contraflow raised by the nodes since the last call (e.g. `Halt` from
    /// `qos::backpressure`), oldest first.
    pub fn take_contraflow(&mut self) -> Vec<Contraflow> {
        std::mem::take(&mut self.raised)
    }

    fn push_outputs(&mut self, idx: usize, outs: &mut Outputs) {
        for (port, ev) in outs.drain(..) {
            self.route(idx, &port, ev);
        }
    }

    /// [`Executor::push_outputs`] with `marks` (by index in `outs`) following their
    /// events onto the stack.
    fn push_marked(&mut self, idx: usize, outs: &mut Outputs, marks: Marks) {
        if marks.is_empty() {
            return self.push_outputs(idx, outs);
        }
        let mut marks = marks.into_iter().peekable();
        for (i, (port, ev)) in outs.drain(..).enumerate() {
            let mark = marks.next_if(|(j, _)| *j == i).map(|(_, m)| m);
            self.route_marked(idx, &port, ev, mark);
        }
    }

    fn route_marked(&mut self, idx: usize, port: &str, ev: Event, mark: Option<WindowMark>) {
        let from = self.stack.len();
        self.route(idx, port, ev);
        if let Some(m) = mark {
            for at in from..self.stack.len() {
                self.pending.push((at, m.clone()));
            }
        }
    }

    /// The mark of the event just popped from the stack, now `self.stack.len()` long.
    fn popped_mark(&mut self) -> Option<WindowMark> {
        let at = self.stack.len();
        while self.pending.last().is_some_and(|(i, _)| *i > at) {
            self.pending.pop();
        }
        match self.pending.last() {
            Some((i, _)) if *i == at => self.pending.pop().map(|(_, m)| m),
            _ => None,
        }
    }

    fn route(&mut self, idx: usize, port: &str, ev: Event) {
        let Some((_, targets)) = self.routes[idx].iter().find(|(p, _)| p == port) else {
            return;
        };
        if let Some(((last, last_port), rest)) = targets.split_last() {
            for (to, to_port) in rest {
                self.stack.push((*to, to_port.clone(), ev.clone()));
            }
            self.stack.push((*last, last_port.clone(), ev));
        }
    }

    /// Drains the stack. A runtime error aborts the enqueue: as in Tremor, whatever it
    /// had already emitted is discarded, and only the error is reported, on `err`.
    fn run(&mut self, out: &mut Vec<(String, Event)>, original: Option<&dyn Fn() -> Value>) {
        let start = out.len();
        let mut failure = None;
        let marked = self.marks.len();
        while let Some((idx, port, ev)) = self.stack.pop() {
            // Only with `mark_windows` is anything pending.
            let mark = if self.pending.is_empty() {
                None
            } else {
                self.popped_mark()
            };
            match &mut self.slots[idx] {
                Slot::Pass => self.route_marked(idx, "out", ev, mark),
                Slot::Output => {
                    let name = if port == "in" {
                        self.names[idx].clone()
                    } else {
                        port.to_string()
                    };
                    if let Some(m) = mark {
                        self.marks.push((out.len(), m));
                    }
                    out.push((name, ev));
                }
                Slot::Select(sel) => {
                    let mut outs = std::mem::take(&mut self.buf);
                    let res = sel.handle(ev, &mut outs);
                    let marks = std::mem::take(&mut sel.marks);
                    if !sel.lates.is_empty() {
                        match &mut self.late {
                            Some(late) => late.append(&mut sel.lates),
                            None => sel.lates.clear(),
                        }
                    }
                    self.push_marked(idx, &mut outs, marks);
                    self.buf = outs;
                    if let Err((e, ev)) = res {
                        failure = Some(self.select_failure(idx, e, ev, original));
                        self.stack.clear();
                    }
                }
                Slot::Op { op, fallible } => {
                    let mut outs = std::mem::take(&mut self.buf);
                    let kept = fallible.then(|| ev.clone());
                    let res = op.on_event(&port, ev, &mut outs);
                    self.raised.extend(op.take_contraflow());
                    self.push_outputs(idx, &mut outs);
                    self.buf = outs;
                    match res {
                        Ok(()) => {}
                        Err(e) => {
                            let mut orig = kept.unwrap_or_default();
                            let data = std::mem::take(&mut orig.data);
                            failure = Some(error_event(&e, data, Some(&orig)));
                            self.stack.clear();
                        }
                    }
                }
            }
        }
        if let Some(f) = failure {
            out.truncate(start);
            out.push(("err".to_string(), f));
            self.marks.truncate(marked);
            self.pending.clear();
        } else {
            out[start..].reverse();
            // The marks follow their events: index `i` of the reversed span moves to
            // `start + end - 1 - i`, and the marks keep ascending.
            let last = (start + out.len()).saturating_sub(1);
            for (i, _) in &mut self.marks[marked..] {
                *i = last - *i;
            }
            self.marks[marked..].reverse();
        }
    }
}

impl Executor {
    /// The error report of select `idx` failing on `ev`. An event decoded in part
    /// ([`Executor::send_projected`]) is reported whole, and a select without state
    /// runs again on the whole event, so the error is worded as for it (a missing
    /// key's hint names the closest of all its keys).
    fn select_failure(
        &mut self,
        idx: usize,
        e: ExecError,
        mut ev: Event,
        original: Option<&dyn Fn() -> Value>,
    ) -> Event {
        let (Some(original), Slot::Select(sel), true) =
            (original, &mut self.slots[idx], self.projected[idx])
        else {
            let data = std::mem::take(&mut ev.data);
            return error_event(&e, data, Some(&ev));
        };
        let whole = original();
        let (mut e, mut ev) = (e, ev);
        if sel.is_stateless() {
            ev.data = whole.clone();
            let kept = ev.clone();
            (e, ev) = match sel.handle(ev, &mut Outputs::new()) {
                Err(again) => again,
                Ok(()) => (e, kept),
            };
        }
        error_event(&e, whole, Some(&ev))
    }
}

/// `{"error": TEXT, "event": EVENT}` keeping the failed event's identity: the one
/// place an [`ExecError`] becomes the text users see.
pub fn error_event(error: &ExecError, data: Value, orig: Option<&Event>) -> Event {
    let mut r = crate::value::Record::default();
    r.insert("error".into(), Value::from(error.to_string()));
    r.insert("event".into(), data);
    let mut ev = orig.cloned().unwrap_or_default();
    ev.data = Value::from(r);
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::graph::OpFactory;
    use crate::expr::EvalError;
    use std::sync::Arc;

    /// Emits each event twice, as `[e, "a"]` and `[e, "b"]`; fails on `"bad"`.
    struct Twice;
    impl Operator for Twice {
        fn on_event(&mut self, _p: &str, ev: Event, out: &mut Outputs) -> Result<(), ExecError> {
            if ev.data.as_str() == Some("bad") {
                return Err(EvalError("bad event".into()).into());
            }
            for tag in ["a", "b"] {
                let mut e = ev.clone();
                e.data = Value::Array(vec![ev.data.clone(), tag.into()]);
                out.push((Port::borrowed("out"), e));
            }
            Ok(())
        }
        fn on_signal(&mut self, s: &Signal, out: &mut Outputs) -> Result<(), ExecError> {
            if *s == Signal::Drain {
                out.push((Port::borrowed("out"), Event::default()));
            }
            Ok(())
        }
    }

    fn op() -> NodeKind {
        let make: OpFactory = Arc::new(|| Box::new(Twice));
        NodeKind::Op {
            kind: "twice".into(),
            make,
            fallible: true,
        }
    }

    fn chain() -> Executor {
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let o = g.add("out", NodeKind::Output);
        let a = g.add("a", op());
        let b = g.add("b", op());
        g.connect(i, "out", a, "in");
        g.connect(a, "out", b, "in");
        g.connect(b, "out", o, "in");
        let topo = g.topo_order().unwrap();
        Executor::new(&g, topo)
    }

    #[test]
    fn linear_chain_keeps_emission_order() {
        let mut ex = chain();
        let mut out = Vec::new();
        ex.send(
            "in",
            Event {
                data: 1u64.into(),
                ..Event::default()
            },
            &mut out,
        );
        let got: Vec<String> = out.iter().map(|(_, e)| e.data.encode()).collect();
        assert_eq!(
            got,
            vec![
                r#"[[1,"a"],"a"]"#,
                r#"[[1,"a"],"b"]"#,
                r#"[[1,"b"],"a"]"#,
                r#"[[1,"b"],"b"]"#
            ]
        );
        assert!(out.iter().all(|(n, _)| n == "out"));
    }

    #[test]
    fn errors_go_to_err_with_the_event() {
        let mut ex = chain();
        let mut out = Vec::new();
        ex.send(
            "in",
            Event {
                data: "bad".into(),
                ..Event::default()
            },
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "err");
        assert_eq!(
            out[0].1.data.encode(),
            r#"{"error":"bad event","event":"bad"}"#
        );
    }

    #[test]
    fn an_error_discards_what_the_enqueue_emitted() {
        // in -> a (fails on "bad") and in -> s -> out; s is connected last, so it runs
        // first and reaches `out` before a fails.
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let o = g.add("out", NodeKind::Output);
        let a = g.add("a", op());
        let s = g.add("s", NodeKind::Stream);
        g.connect(i, "out", a, "in");
        g.connect(i, "out", s, "in");
        g.connect(a, "out", o, "in");
        g.connect(s, "out", o, "in");
        let topo = g.topo_order().unwrap();
        let mut ex = Executor::new(&g, topo);
        let mut out = Vec::new();
        let bad = Event {
            data: "bad".into(),
            ..Event::default()
        };
        ex.send("in", bad, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "err");
        let good = Event {
            data: 1u64.into(),
            ..Event::default()
        };
        ex.send("in", good, &mut out);
        let got: Vec<String> = out[1..].iter().map(|(_, e)| e.data.encode()).collect();
        assert_eq!(got, vec![r#"[1,"a"]"#, r#"[1,"b"]"#, "1"]);
    }

    #[test]
    fn a_chain_of_streams_forwards_unchanged_but_an_operator_does_not() {
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let o = g.add("out", NodeKind::Output);
        let s = g.add("s", NodeKind::Stream);
        g.connect(i, "out", s, "in");
        g.connect(s, "out", o, "in");
        let topo = g.topo_order().unwrap();
        let ex = Executor::new(&g, topo);
        assert_eq!(ex.forwards_unchanged("in").as_deref(), Some("out"));
        assert_eq!(ex.forwards_unchanged("nope"), None);
        assert_eq!(chain().forwards_unchanged("in"), None);
        // A second consumer of the input: not a lone chain.
        let a = g.add("a", op());
        g.connect(i, "out", a, "in");
        g.connect(a, "out", o, "in");
        let topo = g.topo_order().unwrap();
        assert_eq!(Executor::new(&g, topo).forwards_unchanged("in"), None);
    }

    #[test]
    fn signals_flow_in_topological_order() {
        let mut ex = chain();
        let mut out = Vec::new();
        ex.signal(&Signal::Drain, &mut out);
        // a's drain output passes through b (twice), then b's own drain output
        let got: Vec<String> = out.iter().map(|(_, e)| e.data.encode()).collect();
        assert_eq!(got, vec![r#"[null,"a"]"#, r#"[null,"b"]"#, "null"]);
    }

    /// Records contraflow and raises a `Halt` on the first `Fail`.
    struct Breaker(Vec<Contraflow>, bool);
    impl Operator for Breaker {
        fn on_event(&mut self, _p: &str, ev: Event, out: &mut Outputs) -> Result<(), ExecError> {
            out.push((Port::borrowed("out"), ev));
            Ok(())
        }
        fn on_contraflow(&mut self, insight: &Contraflow) {
            self.1 |= matches!(insight, Contraflow::Fail { .. });
            self.0.push(insight.clone());
        }
        fn take_contraflow(&mut self) -> Vec<Contraflow> {
            if std::mem::take(&mut self.1) {
                vec![Contraflow::Halt {
                    peer: "in".into(),
                    stream: None,
                }]
            } else {
                Vec::new()
            }
        }
    }

    #[test]
    fn contraflow_reaches_operators_and_raised_comes_back() {
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let o = g.add("out", NodeKind::Output);
        let make: OpFactory = Arc::new(|| Box::new(Breaker(Vec::new(), false)));
        let b = g.add(
            "b",
            NodeKind::Op {
                kind: "breaker".into(),
                make,
                fallible: false,
            },
        );
        g.connect(i, "out", b, "in");
        g.connect(b, "out", o, "in");
        let topo = g.topo_order().unwrap();
        let mut ex = Executor::new(&g, topo);
        ex.contraflow(&Contraflow::Ack {
            id: Default::default(),
            latency_ns: 1,
        });
        assert!(ex.take_contraflow().is_empty());
        ex.contraflow(&Contraflow::Fail {
            id: Default::default(),
        });
        let raised = ex.take_contraflow();
        assert_eq!(raised.len(), 1);
        assert!(matches!(raised[0], Contraflow::Halt { .. }));
        assert!(ex.take_contraflow().is_empty());
    }
}

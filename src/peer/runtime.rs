//! Running a query that has peers: one tokio task per peer (and per connection),
//! the synchronous executor on the calling thread, a bounded channel between them.
//!
//! The executor thread turns peer messages into events (ids, lineage, ingest time)
//! and signals, runs the graph, and routes what comes out: `p/in` to peer `p` (a
//! server peer picks the connection from the event's id and lineage), `out` and
//! `err` to the run's own output peers, which the executor thread writes itself
//! (`out` is stdout or `-o`; `err` is stderr and also takes ports nothing reads).
//! The run ends when every source has ended (clients end once their upstream has),
//! or at Ctrl-C: open streams end, `drain` flushes windows, sinks flush and close.

use super::engine::{Engine, ScriptEngine};
use super::gate::Gate;
use super::input;
use super::kind::{self, lock, Ctx, Direct, Kind, Pending, Readiness, Replay, Start, ToGraph};
use super::metrics::{self, Metrics};
use super::plan::{self, Plan};
use super::router::Exec;
use super::spec::PeerSpec;
use super::PeerError;
use crate::exec::graph::Graph;
use crate::exec::Query;
use crate::exit::{EXIT_OK, EXIT_RUNTIME};
use crate::value::Value;
use rustc_hash::FxHashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

/// Messages waiting for the executor before peers are held back.
const QUEUE: usize = 1024;
/// Wall-clock ticks (SPEC §7).
const TICK: Duration = Duration::from_millis(100);
/// How long the end of a run waits for sinks to flush.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes the run's `out` gathers before it writes them.
const OUT_SPILL: usize = 64 * 1024;
/// Bytes the run's `err` gathers before it writes them (records are few; stderr is
/// also where other failures are said, so they are not held back long).
const ERR_SPILL: usize = 8 * 1024;

/// What `trickle run` passes in.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-i` files (empty: stdin; `-` is stdin).
    pub inputs: Vec<PathBuf>,
    /// `-o`
    pub output: Option<PathBuf>,
    /// `--codec` of the input `in`: `json` or `string`.
    pub codec: String,
    /// `--clock index`: the i-th event has ingest time i, and there are no ticks.
    pub index_clock: bool,
    pub final_flush: bool,
    /// `--metrics`: print the counters table to stderr at the end.
    pub metrics: bool,
    /// Where reading the `-i` files is counted for the progress line.
    pub progress: Option<Arc<super::metrics::ReadProgress>>,
    /// `--record FILE`: write what enters the graph as a test case's `steps`.
    pub record: Option<PathBuf>,
}

/// Nanoseconds since the epoch.
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// True when the query needs the peer runtime (it created a peer that is still in
/// the graph after pruning).
pub fn needs_peers(q: &Query) -> bool {
    let g = q.graph();
    q.peers.iter().any(|p| {
        [p.out_node(), p.err_node(), p.metrics_node(), p.in_node()]
            .iter()
            .any(|n| g.find(n).is_some())
    })
}

pub(super) use super::kind::Sink;

pub(super) struct Peer {
    pub(super) spec: Arc<PeerSpec>,
    pub(super) metrics: Arc<Metrics>,
    pub(super) sink: Sink,
    /// Its `out` (or `err`) feeds the graph, so the run waits for it to end.
    pub(super) source: bool,
    pub(super) client: bool,
    pub(super) done: bool,
    pub(super) err_connected: bool,
    /// Per-stream clients downstream of this peer (they follow its streams).
    pub(super) followers: Vec<usize>,
    /// Its circuit breaker (a source's readers wait on it).
    pub(super) gate: Arc<Gate>,
    /// A replayable source's acks and fails.
    pub(super) replay: Option<mpsc::UnboundedSender<Replay>>,
    /// A replayable source at the end of its input, with no fail since.
    pub(super) eof: bool,
    /// Fails sent to a replayable source.
    pub(super) fails_sent: u64,
    /// Events handed to this sink and not yet acked or failed.
    pub(super) outstanding: u64,
    /// This sink said `halt`.
    pub(super) halted: bool,
    /// A `qos::backpressure` asked this source to halt.
    pub(super) bp_halted: bool,
    /// The sink peers this source's events can reach.
    pub(super) feeds: Vec<usize>,
    /// Its events can also reach outputs that never halt (the run's `out` and `err`,
    /// ports nothing reads).
    pub(super) feeds_other: bool,
    /// A thread the end of the run waits for once the peer's contraflow channel is
    /// closed (a Kafka consumer committing and leaving its group).
    pub(super) thread: Option<std::thread::JoinHandle<()>>,
}

impl Peer {
    /// A peer that neither reads nor writes yet.
    pub(super) fn new(spec: Arc<PeerSpec>, metrics: Arc<Metrics>, gate: Arc<Gate>) -> Self {
        Peer {
            spec,
            metrics,
            sink: Sink::None,
            source: false,
            client: false,
            done: false,
            err_connected: false,
            followers: Vec::new(),
            gate,
            replay: None,
            eof: false,
            fails_sent: 0,
            outstanding: 0,
            halted: false,
            bp_halted: false,
            feeds: Vec::new(),
            feeds_other: false,
            thread: None,
        }
    }
}

/// What `trickle run` runs.
pub enum Program<'a> {
    Query(&'a Query),
    /// A script applied to each event of `in`; the map holds its source for
    /// runtime error texts.
    Script(&'a crate::interp::Script, &'a crate::diag::SourceMap),
}

/// Threads for the peers' I/O: the cores the executor's thread leaves, at least
/// one. More would only take turns with the executor on its core (on two cores,
/// two workers measured 0.71 of the file path's events/s over TCP, one 0.76).
fn io_workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.saturating_sub(1).max(1)
}

/// Runs `program` with its peers and the built-in input and outputs; returns the
/// exit code.
pub fn run(program: Program, opts: &Options) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(io_workers())
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::diag::say(format_args!("cannot start the runtime: {e}"));
            return EXIT_RUNTIME;
        }
    };
    let outputs = match output_peers(opts) {
        Ok(outputs) => outputs,
        Err(e) => {
            crate::diag::say(&e);
            return EXIT_RUNTIME;
        }
    };
    let (tx, rx) = mpsc::channel(QUEUE);
    let pending: Pending = Arc::default();
    let script_graph;
    let (graph, mut specs, metrics_interval_s) = match program {
        Program::Query(q) => (q.graph(), q.peers.clone(), q.metrics_interval_s),
        Program::Script(..) => {
            script_graph = input::script_graph();
            (&script_graph, Vec::new(), None)
        }
    };
    let reads_in = has_out_edges(graph, "in");
    let in_peer = specs.len();
    // The `-i` files are read by the replayable reader when a failure can come back
    // from a peer; otherwise (and always for stdin) by the fast reader.
    let replayable = !opts.inputs.is_empty()
        && opts.inputs.iter().all(|p| p.as_os_str() != "-")
        && specs.iter().any(|p| graph.find(&p.in_node()).is_some());
    let fast_in = reads_in && !replayable;
    let with_peers = matches!(program, Program::Query(q) if needs_peers(q));
    // Sinks that read `$` (a Kafka key, HTTP headers and status).
    let meta_read = |p: &PeerSpec| p.kind.reads_meta();
    let keep_meta = match program {
        Program::Query(q) => q.reads_meta || specs.iter().any(meta_read),
        Program::Script(..) => true,
    };
    let mut plan = Plan::default();
    let mut plans: Vec<Arc<Plan>> = (0..=specs.len()).map(|_| Arc::default()).collect();
    let executor: Box<dyn Engine> = match program {
        Program::Query(q) => {
            let mut executor = q.executor();
            // Late events count in their source's `err` metric (SPEC §7.1).
            executor.count_late();
            // Nothing acks and nothing routes by lineage: it matters only to `event_ids()`.
            if !with_peers && !q.reads_lineage {
                executor.drop_lineage();
            }
            // A recording holds whole events, so they are decoded whole. Lines of a
            // replayable source are not forwarded to a writer peer, whose acks and
            // fails of forwarded lines name no event.
            let recording = opts.record.is_some();
            let mut plan_of = |node: &str, replays: bool| match recording {
                true => Plan::whole(),
                false => Plan::of(&mut executor, node, &specs, !replays),
            };
            if reads_in && opts.codec != "string" {
                let p = plan_of("in", replayable);
                if replayable {
                    plans[in_peer] = Arc::new(p);
                } else if !recording {
                    plan = p;
                }
            }
            for (i, spec) in specs.iter().enumerate() {
                if plan::reads_lines(spec) && graph.find(&spec.out_node()).is_some() {
                    plans[i] = Arc::new(plan_of(&spec.out_node(), spec.kind.replays()));
                }
            }
            Box::new(executor)
        }
        Program::Script(script, sources) => Box::new(ScriptEngine::new(script, sources)),
    };
    if reads_in {
        specs.push(input_spec(&opts.codec));
    }
    let mut line_input = None;
    if fast_in {
        match input::start(opts, in_peer, plan) {
            Ok(li) => line_input = Some(li),
            Err(e) => {
                crate::diag::say(&e);
                return EXIT_RUNTIME;
            }
        }
    }
    let mut reaches = reach(graph, &specs);
    let mut peers = Vec::new();
    let mut status = EXIT_OK;
    {
        let _guard = rt.enter();
        for (idx, spec) in specs.into_iter().enumerate() {
            let spec = Arc::new(spec);
            let ctx = Ctx {
                idx,
                spec: spec.clone(),
                tx: tx.clone(),
                metrics: Arc::default(),
                pending: pending.clone(),
                gate: Arc::default(),
                plan: plans[idx].clone(),
            };
            // Before the peer starts: a connection it accepts at once already waits.
            ctx.gate.require_ready(reaches[idx].followers.len());
            let implicit_in = reads_in && idx == in_peer;
            let inputs = Inputs {
                paths: &opts.inputs,
                progress: opts.progress.clone(),
            };
            let started = if implicit_in && line_input.is_some() {
                // Read by the executor thread itself.
                let mut peer = Peer::new(spec.clone(), ctx.metrics.clone(), ctx.gate.clone());
                peer.source = true;
                Ok(peer)
            } else {
                start_peer(graph, &ctx, implicit_in, &inputs)
            };
            match started {
                Ok(peer) => peers.push(peer),
                Err(e) => {
                    crate::diag::say(&e);
                    status = EXIT_RUNTIME;
                    break;
                }
            }
        }
        if status == EXIT_OK {
            for (p, r) in peers.iter_mut().zip(reaches.drain(..)) {
                p.feeds = r.feeds;
                p.feeds_other = r.feeds_other;
                p.followers = r.followers;
            }
            let every = metrics_interval_s
                .filter(|s| *s > 0)
                .unwrap_or(super::spec::DEFAULT_METRICS_INTERVAL_S);
            spawn_timers(&tx, &peers, graph, opts.index_clock, every);
        }
    }
    peers.extend(outputs);
    plans.resize_with(peers.len(), Arc::default);
    drop(tx);
    let mut rx = rx;
    let mut ex = Exec::new(executor, graph, peers, opts.index_clock, opts.final_flush);
    // An empty lineage stands for the event itself: no allocation per event.
    ex.ingest = crate::event::Ingest::new(opts.index_clock, false);
    ex.plans = plans;
    ex.keep_meta = keep_meta;
    ex.input = line_input;
    if let Some(path) = &opts.record {
        match crate::testcase::Recorder::create(path) {
            Ok(r) => ex.recorder = Some(r),
            Err(e) => {
                crate::diag::say(format_args!("cannot write {}: {e}", path.display()));
                status = EXIT_RUNTIME;
            }
        }
    }
    if status == EXIT_OK {
        crate::value::recycle::enable();
        status = ex.main_loop(&mut rx);
    } else {
        ex.close_sinks();
    }
    // Sinks are closed: wait for their last bytes to go out, and report what they
    // could not send meanwhile.
    rt.block_on(async {
        let flushed = async {
            loop {
                let handles: Vec<_> = std::mem::take(&mut *lock(&pending));
                if handles.is_empty() {
                    break;
                }
                for h in handles {
                    let _ = h.await;
                }
            }
        };
        tokio::pin!(flushed);
        let deadline = tokio::time::sleep(FLUSH_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut flushed => break,
                _ = &mut deadline => break,
                Some(msg) = rx.recv() => ex.late(msg),
            }
        }
    });
    while let Ok(msg) = rx.try_recv() {
        ex.late(msg);
    }
    // Sources with a thread of their own (a Kafka consumer) finish once their
    // contraflow channel closes: they commit what was acked and leave.
    let threads: Vec<_> = ex
        .peers
        .iter_mut()
        .filter_map(|p| {
            p.replay = None;
            p.thread.take()
        })
        .collect();
    let deadline = std::time::Instant::now() + FLUSH_TIMEOUT;
    for t in threads {
        while !t.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if t.is_finished() {
            let _ = t.join();
        }
    }
    rt.shutdown_timeout(Duration::from_millis(100));
    // One line, also for a closed pipe (`| head`): the run stopped early, exit 3,
    // and the line says why (issue 15).
    status = ex.end_outputs(status);
    if let Some(p) = &opts.progress {
        p.clear();
    }
    if let (Some(r), Some(path)) = (&mut ex.recorder, &opts.record) {
        if let Err(e) = r.finish() {
            crate::diag::say(format_args!("cannot write {}: {e}", path.display()));
            status = EXIT_RUNTIME;
        }
    }
    if opts.metrics {
        crate::diag::stderr_text(&metrics_table(&ex.peers));
    }
    status
}

/// `--metrics`: a row for every peer, the run's own among them.
pub(super) fn metrics_table(peers: &[Peer]) -> String {
    let rows: Vec<(&str, &Metrics)> = peers
        .iter()
        .map(|p| (p.spec.name.as_str(), p.metrics.as_ref()))
        .collect();
    metrics::table(&rows)
}

/// The run's own outputs as peers, opened now (a `-o` file that cannot be written
/// stops the run before it starts): `out`, a `file` peer writing `-o` or a
/// `stdout` peer, and `err`, a `stderr` peer. The executor thread writes them
/// itself; only `out` failing stops the run (stderr is where failures are said).
fn output_peers(opts: &Options) -> Result<Vec<Peer>, PeerError> {
    let (out, w): (Arc<dyn Kind>, Box<dyn std::io::Write + Send>) = match &opts.output {
        Some(path) => {
            let file = kind::file::File::writing(path.clone());
            let w = Box::new(file.open()?);
            (Arc::new(file), w)
        }
        None => {
            let stdout = kind::stdio::Output::Stdout;
            (Arc::new(stdout), stdout.writer())
        }
    };
    let stderr = kind::stdio::Output::Stderr;
    Ok(vec![
        output_peer("out", out, Direct::new(w, OUT_SPILL, true)),
        output_peer(
            "err",
            Arc::new(stderr),
            Direct::new(stderr.writer(), ERR_SPILL, false),
        ),
    ])
}

/// The run's own output `name`, a peer of kind `kind` the executor writes through `direct`.
pub(super) fn output_peer(name: &str, kind: Arc<dyn Kind>, direct: Direct) -> Peer {
    let spec = PeerSpec {
        name: name.into(),
        kind,
        codec: "json".into(),
        interceptors: None,
        metrics_interval_s: None,
        limits: Default::default(),
    };
    let mut peer = Peer::new(Arc::new(spec), Arc::default(), Arc::default());
    peer.sink = Sink::Direct(direct);
    peer
}

/// The CLI input `in` as a peer: stdin or the `-i` files, lines of `codec`.
fn input_spec(codec: &str) -> PeerSpec {
    PeerSpec {
        name: "in".into(),
        kind: Arc::new(kind::stdio::Stdin),
        codec: if codec == "string" { "string" } else { "json" }.into(),
        interceptors: None,
        metrics_interval_s: None,
        limits: Default::default(),
    }
}

fn has_out_edges(g: &Graph, name: &str) -> bool {
    g.find(name)
        .is_some_and(|i| g.edges.iter().any(|e| e.from == i))
}

fn start_peer(g: &Graph, ctx: &Ctx, implicit_in: bool, inputs: &Inputs) -> Result<Peer, PeerError> {
    let spec = &ctx.spec;
    let has = |n: String| g.find(&n).is_some();
    let reads =
        implicit_in || has(spec.out_node()) || has(spec.err_node()) || has(spec.metrics_node());
    let writes = has(spec.in_node());
    let mut peer = Peer::new(spec.clone(), ctx.metrics.clone(), ctx.gate.clone());
    peer.source = reads && spec.kind.is_source();
    peer.client = spec.kind.answers();
    peer.err_connected = has(spec.err_node());
    if implicit_in {
        peer.replay = Some(start_inputs(ctx.clone(), inputs)?);
        return Ok(peer);
    }
    if !reads && !writes {
        return Ok(peer);
    }
    let mut replay = None;
    if reads && spec.kind.replays() {
        let (tx, rx) = mpsc::unbounded_channel();
        peer.replay = Some(tx);
        replay = Some(rx);
    }
    let started = spec.kind.start(Start {
        ctx: ctx.clone(),
        reads,
        writes,
        replay,
    })?;
    peer.sink = started.sink;
    peer.thread = started.thread;
    Ok(peer)
}

/// The CLI's `-i` files.
struct Inputs<'a> {
    paths: &'a [PathBuf],
    progress: Option<Arc<super::metrics::ReadProgress>>,
}

/// Opens the `-i` files and reads them as the input peer with the replayable
/// reader (stdin, and files when nothing can fail, are read by the executor thread:
/// see [`input`]); returns the sender of their acks and fails.
fn start_inputs(ctx: Ctx, inputs: &Inputs) -> Result<mpsc::UnboundedSender<Replay>, PeerError> {
    let files: Vec<_> = inputs
        .paths
        .iter()
        .map(|p| kind::replay::FileInput {
            path: p.clone(),
            meta: Value::record(),
            name: p.display().to_string(),
        })
        .collect();
    kind::replay::check_inputs(&files)?;
    let (tx, rx) = mpsc::unbounded_channel();
    kind::replay::spawn(ctx, files, rx, inputs.progress.clone());
    Ok(tx)
}

/// What a source feeds.
#[derive(Default)]
struct Reach {
    feeds: Vec<usize>,
    feeds_other: bool,
    followers: Vec<usize>,
}

/// What each source feeds: the sink peers its events can reach (circuit breakers),
/// and the per-stream clients among them, which follow its streams (a server then
/// reads a stream only once each of them is ready for it).
fn reach(g: &Graph, specs: &[PeerSpec]) -> Vec<Reach> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for e in &g.edges {
        succ[e.from].push(e.to);
    }
    let per_stream = |p: &PeerSpec| p.kind.readiness() == Readiness::PerStream;
    let in_nodes: Vec<Option<usize>> = specs.iter().map(|p| g.find(&p.in_node())).collect();
    specs
        .iter()
        .map(|spec| {
            let Some(start) = g.find(&spec.out_node()) else {
                return Reach::default();
            };
            let mut seen = FxHashSet::default();
            let mut stack = vec![start];
            while let Some(n) = stack.pop() {
                if seen.insert(n) {
                    stack.extend(succ[n].iter().copied());
                }
            }
            let feeds: Vec<usize> = (0..specs.len())
                .filter(|&f| in_nodes[f].is_some_and(|n| seen.contains(&n)))
                .collect();
            Reach {
                feeds_other: seen.iter().any(|&n| {
                    matches!(g.nodes[n].kind, crate::exec::graph::NodeKind::Output)
                        && !in_nodes.contains(&Some(n))
                }),
                followers: feeds
                    .iter()
                    .copied()
                    .filter(|&f| per_stream(&specs[f]))
                    .collect(),
                feeds,
            }
        })
        .collect()
}

/// Ctrl-C (and SIGTERM, SIGHUP), wall-clock ticks, and each peer's metrics timer (`default_every_s` unless
/// the peer sets `metrics_interval_s`).
fn spawn_timers(
    tx: &mpsc::Sender<ToGraph>,
    peers: &[Peer],
    g: &Graph,
    index_clock: bool,
    default_every_s: u64,
) {
    let ctrl = tx.clone();
    // Installed now, not in the task: a signal that comes before the task first runs
    // must not find the default action (which kills the process).
    let signals = super::signals::StopSignals::new();
    tokio::spawn(async move {
        let Some(mut signals) = signals else {
            return;
        };
        if signals.next().await.is_some() {
            let _ = ctrl.send(ToGraph::Stop).await;
            if let Some(code) = signals.next().await {
                std::process::exit(code);
            }
        }
    });
    if !index_clock {
        let ticks = tx.clone();
        tokio::spawn(async move {
            let mut iv = tokio::time::interval(TICK);
            iv.tick().await;
            loop {
                iv.tick().await;
                if ticks.send(ToGraph::Tick).await.is_err() {
                    return;
                }
            }
        });
    }
    for (idx, p) in peers.iter().enumerate() {
        if g.find(&p.spec.metrics_node()).is_none() {
            continue;
        }
        let every = Duration::from_secs(p.spec.metrics_interval_s.unwrap_or(default_every_s));
        let m = tx.clone();
        tokio::spawn(async move {
            let mut iv = tokio::time::interval(every);
            iv.tick().await;
            loop {
                iv.tick().await;
                if m.send(ToGraph::Metrics { peer: idx }).await.is_err() {
                    return;
                }
            }
        });
    }
}

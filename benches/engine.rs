//! In-process engine throughput for the workloads of SPEC §12: parsed events sent
//! through a compiled query with `Executor::send`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use trickle::compile::ModulePath;
use trickle::diag::{render_all, SourceMap};
use trickle::event::{EventId, Ingest};
use trickle::exec::Query;
use trickle::query::compile_query;
use trickle::value::{parse_json, Value};

/// The allocator `trickle` itself runs on (`src/main.rs`): the engine's costs as
/// the binary has them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EVENTS: usize = 10_000;

const WORKLOADS: &[(&str, &str)] = &[
    ("W1_passthrough", "select event from in into out;"),
    (
        "W2_filter_project",
        r#"select {"g": event.g, "c2": event.c * 2, "host": event.host} from in where event.c > 500 into out;"#,
    ),
    (
        "W3_group_window",
        r#"define window w from tumbling with size = 1000 end;
select {"g": group[0], "n": aggr::stats::count(), "s": aggr::stats::sum(event.c), "m": aggr::stats::mean(event.v)}
from in[w] group by set(event.g) into out;"#,
    ),
    (
        "W4_group_window_hdr",
        r#"define window w from tumbling with size = 1000 end;
select {"g": group[0], "n": aggr::stats::count(), "s": aggr::stats::sum(event.c), "m": aggr::stats::mean(event.v),
        "p": aggr::stats::hdr(event.c, ["0.5", "0.99"])}
from in[w] group by set(event.g) into out;"#,
    ),
    (
        "W5_match",
        r#"select match event of case %{ c > 900 } => "hi" case %{ c > 100 } => "mid" case _ => "lo" end from in into out;"#,
    ),
];

/// Seeded events: 100 groups, 20 hosts, 40-80 character messages.
fn events() -> Vec<Value> {
    let mut rng = StdRng::seed_from_u64(42);
    (0..EVENTS)
        .map(|_| {
            let len = rng.gen_range(40..=80);
            let msg: String = (0..len)
                .map(|_| char::from(b'a' + rng.gen_range(0..26u8)))
                .collect();
            let text = format!(
                r#"{{"g": "group-{}", "c": {}, "v": {}, "host": "host-{}", "msg": "{msg}", "tags": ["a","b","c"]}}"#,
                rng.gen_range(0..100),
                rng.gen_range(0..1000),
                rng.gen::<f64>(),
                rng.gen_range(0..20),
            );
            parse_json(&text).expect("generated JSON is valid")
        })
        .collect()
}

fn compile(text: &str) -> Query {
    let mut sources = SourceMap::new();
    let file = sources.add("bench.trickle", text);
    match compile_query(&mut sources, file, &ModulePath::default()) {
        Ok(q) => q.value,
        Err(d) => panic!("workload does not compile:\n{}", render_all(&d, &sources)),
    }
}

fn engine(c: &mut Criterion) {
    let data = events();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(10);
    for (name, text) in WORKLOADS {
        let query = compile(text);
        group.bench_function(*name, |b| {
            b.iter_batched(
                || (query.executor(), data.clone()),
                |(mut ex, data)| {
                    let mut out = Vec::with_capacity(64);
                    // As `trickle run --clock index` builds them: nothing acks.
                    let mut ingest = Ingest::new(true, false);
                    for (i, d) in data.into_iter().enumerate() {
                        send_in(&mut ex, &mut ingest, (0, i), d, &mut out);
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Event `i` of stream `stream` of `in`, built as `trickle run --clock index`
/// builds it, through the executor; what it emits is dropped.
fn send_in(
    ex: &mut trickle::exec::Executor,
    ingest: &mut Ingest,
    (stream, i): (u64, usize),
    data: Value,
    out: &mut Vec<(String, trickle::event::Event)>,
) {
    let id = EventId {
        peer: "in".into(),
        stream,
        event: i as u64,
    };
    let ev = ingest.event(data, id, Value::record(), &[], 0);
    ex.send("in", ev, out);
    out.clear();
}

/// Events of the event-time benches (`TIME_EVENTS`, default 1,000,000): the W3
/// events in turn, one every `SPACING` ns of event time.
fn time_events() -> usize {
    std::env::var("TIME_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}
const SPACING: u64 = 1_000_000;
const SECOND: u64 = 1_000_000_000;

/// The events' times and users.
#[derive(Clone, Copy, PartialEq)]
enum Times {
    /// One every `SPACING`, in order; users drawn at random.
    InOrder,
    /// Moved back by up to 1 s.
    Shuffled,
    /// Every user's events in one burst (see `bursts`), in time order.
    Bursts,
    /// In order, each on the next of `STREAMS` open streams in turn (a server's
    /// connections).
    Streams,
}

/// The open streams of `Times::Streams`.
const STREAMS: u64 = 10_000;

/// The ticks of the `connections` benches C2 and C3.
const TICKS: u64 = 600;

/// W3's select over window `w` (defined `from` this), grouped by `key`.
fn w3_over(window: &str, key: &str) -> String {
    format!(
        r#"define window w from {window} end;
select {{"g": group[0], "n": aggr::stats::count(), "s": aggr::stats::sum(event.c), "m": aggr::stats::mean(event.v)}}
from in[w] group by set({key}) into out;"#
    )
}

/// W3's aggregates over event-time and sliding windows, and W3 itself on the same
/// events, as `(name, window, group key, times)`: the ratios of issue 14 (tumbling
/// on `time` vs W3; count `sliding` of 10,000 vs 10; sessions of 100,000 users vs
/// W3; times shuffled within 1 s with a `delay` of 1 s vs in order).
const TIME_WORKLOADS: &[(&str, &str, &str, Times)] = &[
    ("W3_group_window", "tumbling with size = 1000", "event.g", Times::InOrder),
    (
        "T1_tumbling_event_time",
        "tumbling with interval = datetime::with_seconds(100), time = event.ts",
        "event.g",
        Times::InOrder,
    ),
    (
        "T2_tumbling_event_time_shuffled_1s",
        "tumbling with interval = datetime::with_seconds(100), time = event.ts, delay = datetime::with_seconds(1)",
        "event.g",
        Times::Shuffled,
    ),
    // T1 over ten thousand open streams: the select's watermark is the minimum of
    // theirs, which must not cost a pass over all of them per event.
    (
        "T6_tumbling_event_time_10k_streams",
        "tumbling with interval = datetime::with_seconds(100), time = event.ts",
        "event.g",
        Times::Streams,
    ),
    ("T3_sliding_size_10", "sliding with size = 10", "event.g", Times::InOrder),
    ("T4_sliding_size_10000", "sliding with size = 10000", "event.g", Times::InOrder),
    // T3 and T4 as a source that acks runs them: every result names the events of
    // its window (its lineage), which must not cost `size` either.
    ("T3L_sliding_size_10_lineage", "sliding with size = 10", "event.g", Times::InOrder),
    ("T4L_sliding_size_10000_lineage", "sliding with size = 10000", "event.g", Times::InOrder),
    (
        "T5_sessions_100k_users",
        "session with gap = datetime::with_seconds(60), time = event.ts",
        "event.user",
        Times::InOrder,
    ),
    // A user's events come about 100 s apart: with a gap of 60 s nearly every event
    // is a session of its own (T5, an emission per event); with 5 minutes a session
    // holds about 20 events and all 100,000 users have one open at once (T5b).
    (
        "T5b_sessions_100k_users_5min_gap",
        "session with gap = datetime::with_seconds(300), time = event.ts",
        "event.user",
        Times::InOrder,
    ),
    // Sessions as users make them: each user's events come in one burst (ten
    // events half a second apart, at a time drawn at random over the run), so
    // only the users active within the last gap have a session open (about 6,500
    // of the 100,000), where T5 opens one for nearly every event among all of them.
    (
        "T5c_sessions_100k_users_bursts",
        "session with gap = datetime::with_seconds(60), time = event.ts",
        "event.user",
        Times::Bursts,
    ),
];

fn event_time(c: &mut Criterion) {
    let base = events();
    let n = time_events();
    let mut rng = StdRng::seed_from_u64(7);
    // Event times: in order, or moved back by up to 1 s (the `delay`).
    let shuffled: Vec<u64> = (0..n as u64)
        .map(|i| i * SPACING + SECOND - rng.gen_range(0..SECOND))
        .collect();
    let users: Vec<u64> = (0..n).map(|_| rng.gen_range(0..100_000)).collect();
    let bursts = bursts(n, &mut rng);
    let mut group = c.benchmark_group("event_time");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    for (name, window, key, times) in TIME_WORKLOADS {
        let query = compile(&w3_over(window, key));
        group.bench_function(*name, |b| {
            b.iter_batched(
                || {
                    // As `trickle run` of a file runs them: nothing acks, so windows
                    // keep no lineage (W3 included, for a fair ratio); the `L`
                    // workloads keep it.
                    let mut ex = query.executor();
                    if !name.contains("_lineage") {
                        ex.drop_lineage();
                    }
                    ex
                },
                |mut ex| {
                    let mut out = Vec::with_capacity(64);
                    // As `trickle run --clock index` builds them: nothing acks.
                    let mut ingest = Ingest::new(true, false);
                    for i in 0..n {
                        let mut data = base[i % base.len()].clone();
                        let (ts, user) = match times {
                            Times::InOrder | Times::Streams => (i as u64 * SPACING, users[i]),
                            Times::Shuffled => (shuffled[i], users[i]),
                            Times::Bursts => bursts[i],
                        };
                        if let Value::Record(r) = &mut data {
                            r.insert("ts".into(), Value::U64(ts));
                            r.insert("user".into(), Value::U64(user));
                        }
                        let stream = match times {
                            Times::Streams => i as u64 % STREAMS,
                            _ => 0,
                        };
                        send_in(&mut ex, &mut ingest, (stream, i), data, &mut out);
                    }
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// `(time, user)` of `n` events in time order: `n / 10` users (at most 100,000)
/// with ten events each, half a second apart from a start drawn over the run (one
/// event per `SPACING` on average).
fn bursts(n: usize, rng: &mut StdRng) -> Vec<(u64, u64)> {
    const PER_USER: u64 = 10;
    const APART: u64 = SECOND / 2;
    let span = (n as u64 * SPACING).max(PER_USER * APART + 1);
    let users = (n as u64 / PER_USER).clamp(1, 100_000);
    let mut ev: Vec<(u64, u64)> = (0..users)
        .flat_map(|u| {
            let start = rng.gen_range(0..span - PER_USER * APART);
            (0..PER_USER).map(move |k| (start + k * APART, u))
        })
        .collect();
    ev.sort_unstable();
    // Whatever the rounding, exactly `n` events.
    ev.resize(n, ev.last().copied().unwrap_or((0, 0)));
    ev
}

/// SPEC §4's batches per connection over `STREAMS` open streams, events round
/// robin (`TIME_EVENTS / 5` of them), then every stream ends: a batch emitted or a
/// stream ended must not cost a pass over every connection's group.
fn connections(c: &mut Criterion) {
    let base = events();
    let n = time_events() / 5;
    let query = compile(
        r#"define window by_2 from tumbling with size = 2 end;
select aggr::win::collect_flattened(event) from in[by_2] group by [source_id(), stream_id()] into out;"#,
    );
    let mut group = c.benchmark_group("connections");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("C1_batches_per_connection_10k_streams", |b| {
        b.iter_batched(
            || {
                let mut ex = query.executor();
                ex.drop_lineage();
                ex
            },
            |mut ex| {
                let mut out = Vec::with_capacity(64);
                let mut ingest = Ingest::new(true, false);
                for i in 0..n {
                    let data = base[i % base.len()].clone();
                    send_in(
                        &mut ex,
                        &mut ingest,
                        (i as u64 % STREAMS, i),
                        data,
                        &mut out,
                    );
                }
                for stream in 0..STREAMS {
                    let end = trickle::event::Signal::EndStream {
                        peer: "in".into(),
                        stream,
                    };
                    ex.signal(&end, &mut out);
                    out.clear();
                }
            },
            BatchSize::PerIteration,
        )
    });
    // Ticks come every 100 ms whatever the load: over 100,000 groups of a
    // processing-time window, a tick that closes none must not visit them all.
    let ticks = compile(
        r#"define window per_minute from tumbling with interval = datetime::with_minutes(1) end;
select {"g": group[0], "n": aggr::stats::count()} from in[per_minute] group by set(event.user) into out;"#,
    );
    const GROUPS: usize = 100_000;
    group.throughput(Throughput::Elements(TICKS));
    group.bench_function("C2_quiet_ticks_over_100k_interval_groups", |b| {
        b.iter_batched(
            || {
                // One event per group, at ingest times 0 to 100,000 ns: their
                // windows close at one minute, after every tick of the measured loop.
                let mut ex = ticks.executor();
                ex.drop_lineage();
                let mut out = Vec::new();
                let mut ingest = Ingest::new(true, false);
                for user in 0..GROUPS {
                    let mut data = base[user % base.len()].clone();
                    if let Value::Record(r) = &mut data {
                        r.insert("user".into(), Value::U64(user as u64));
                    }
                    send_in(&mut ex, &mut ingest, (0, user), data, &mut out);
                }
                ex
            },
            quiet_ticks,
            BatchSize::PerIteration,
        )
    });
    // The same for `generic::batch` with a timeout: a batch open on each of
    // 10,000 connections, and ticks that time none of them out.
    let batches = compile(
        r#"define operator b from generic::batch with count = 100, timeout = datetime::with_minutes(1) end;
create operator b;
select event from in into b;
select event from b into out;"#,
    );
    group.bench_function("C3_quiet_ticks_over_10k_connection_batches", |b| {
        b.iter_batched(
            || {
                let mut ex = batches.executor();
                ex.drop_lineage();
                let mut out = Vec::new();
                let mut ingest = Ingest::new(true, false);
                for stream in 0..STREAMS {
                    let data = base[stream as usize % base.len()].clone();
                    send_in(&mut ex, &mut ingest, (stream, 0), data, &mut out);
                }
                ex
            },
            quiet_ticks,
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// `TICKS` ticks 50 ms apart, over 30 s that close no window and time out no batch.
fn quiet_ticks(mut ex: trickle::exec::Executor) {
    let mut out = Vec::new();
    for k in 1..=TICKS {
        let tick = trickle::event::Signal::Tick(k * 50_000_000);
        ex.signal(&tick, &mut out);
    }
    assert!(out.is_empty(), "nothing closes within 30 s");
}

criterion_group!(benches, engine, event_time, connections);
criterion_main!(benches);

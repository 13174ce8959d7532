//! In-process engine throughput for the workloads of SPEC §12: parsed events sent
//! through a compiled query with `Executor::send`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use trickle::compile::ModulePath;
use trickle::diag::{render_all, SourceMap};
use trickle::event::{EventId, Ingest};
use trickle::query::{compile_query, Query};
use trickle::value::{parse_json, Value};

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
                        let id = EventId {
                            peer: "in".into(),
                            stream: 0,
                            event: i as u64,
                        };
                        let ev = ingest.event(d, id, Value::record(), &[], 0);
                        ex.send("in", ev, &mut out);
                        out.clear();
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);

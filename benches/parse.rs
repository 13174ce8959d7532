//! JSON in and out on their own: the SPEC §12 events parsed into `Value`s
//! (`parse_json_bytes`, as the JSON codec calls it), parsed with only the fields W2
//! reads (`project_json`, as `trickle run` does for such queries; with and without
//! the other keys), and encoded back (`write_json`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use trickle::value::{parse_json_bytes, project_json, Fields, Scratch, Str, Value};

const EVENTS: usize = 10_000;

/// The same seeded event lines as `examples/gen_events.rs`.
fn lines() -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(42);
    (0..EVENTS)
        .map(|_| {
            let len = rng.gen_range(40..=80);
            let msg: String = (0..len)
                .map(|_| char::from(b'a' + rng.gen_range(0..26u8)))
                .collect();
            format!(
                r#"{{"g": "group-{}", "c": {}, "v": {}, "host": "host-{}", "msg": "{msg}", "tags": ["a","b","c"]}}"#,
                rng.gen_range(0..100),
                rng.gen_range(0..1000),
                rng.gen::<f64>(),
                rng.gen_range(0..20),
            )
            .into_bytes()
        })
        .collect()
}

fn json(c: &mut Criterion) {
    let lines = lines();
    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.sample_size(20);
    let mut scratch = Vec::new();
    group.bench_function("parse", |b| {
        b.iter(|| {
            for line in &lines {
                scratch.clear();
                scratch.extend_from_slice(line);
                let v = parse_json_bytes(&mut scratch).expect("generated JSON is valid");
                std::hint::black_box(v);
            }
        })
    });
    for (name, hint_keys) in [("project", false), ("project_hint_keys", true)] {
        let fields = Fields {
            keys: ["g", "c", "host"].into_iter().map(Str::from).collect(),
            hint_keys,
        };
        let mut pairs = Scratch::default();
        group.bench_function(name, |b| {
            b.iter(|| {
                for line in &lines {
                    let v = project_json(line, &fields, &mut pairs).expect("plain events project");
                    std::hint::black_box(v);
                }
            })
        });
    }
    let values: Vec<Value> = lines
        .iter()
        .map(|l| parse_json_bytes(&mut l.clone()).expect("generated JSON is valid"))
        .collect();
    let mut out = Vec::with_capacity(1 << 20);
    group.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            for v in &values {
                v.write_json(&mut out);
                out.push(b'\n');
            }
            std::hint::black_box(out.len());
        })
    });
    group.finish();
}

criterion_group!(benches, json);
criterion_main!(benches);

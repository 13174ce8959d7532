//! Writes the benchmark events of SPEC §12 as JSON lines to stdout:
//! `cargo run --release --example gen_events -- [COUNT] [SEED] > events.jsonl`
//! (defaults: 1,000,000 events, seed 42). 100 groups, 20 hosts, 40-80 character
//! messages; the same seed always gives the same file.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut msg = String::with_capacity(80);
    for _ in 0..count {
        msg.clear();
        let len = rng.gen_range(40..=80);
        msg.extend((0..len).map(|_| char::from(b'a' + rng.gen_range(0..26u8))));
        writeln!(
            out,
            r#"{{"g": "group-{}", "c": {}, "v": {}, "host": "host-{}", "msg": "{msg}", "tags": ["a","b","c"]}}"#,
            rng.gen_range(0..100),
            rng.gen_range(0..1000),
            rng.gen::<f64>(),
            rng.gen_range(0..20),
        )?;
    }
    out.flush()
}

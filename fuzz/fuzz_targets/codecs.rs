//! Interceptor chains and codecs on arbitrary bytes, the way a peer drives them:
//! the first byte picks a chain, the second a chunk size; the rest is received in
//! chunks, finished, each frame decoded by every codec, and what decodes is sent
//! back out. Errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trickle::peer::codec;
use trickle::peer::interceptor::Chain;
use trickle::value::parse_json;

const CHAINS: &[&str] = &[
    r#"[]"#,
    r#"["lines"]"#,
    r#"[{"lines": {"delimiter": "||", "max_length": 16}}]"#,
    r#"["length_prefixed"]"#,
    r#"[{"length_prefixed": {"max_length": 8}}]"#,
    r#"["base64"]"#,
    r#"["gzip"]"#,
    r#"[{"gzip": {"max_length": 64}}]"#,
    r#"["lines", "base64", "gzip"]"#,
    r#"["length_prefixed", "gzip", "lines"]"#,
];

fuzz_target!(|data: &[u8]| {
    let [pick, chunk, rest @ ..] = data else {
        return;
    };
    let Ok(spec) = parse_json(CHAINS[usize::from(*pick) % CHAINS.len()]) else {
        return;
    };
    let Ok(mut chain) = Chain::from_spec(&spec) else {
        return;
    };
    let (mut frames, mut errors) = (Vec::new(), Vec::new());
    for part in rest.chunks(usize::from(*chunk).max(1)) {
        chain.receive(part, &mut frames, &mut errors);
    }
    chain.finish(&mut frames, &mut errors);
    for e in &errors {
        let _ = e.to_string();
    }
    for name in codec::KNOWN {
        let Ok(mut c) = codec::create(name, &trickle::value::Value::Null) else {
            continue;
        };
        for frame in &frames {
            if let Ok(v) = c.decode(frame) {
                let mut bytes = Vec::new();
                if c.encode(&v, &mut bytes).is_ok() {
                    let mut sent = Vec::new();
                    let _ = chain.send(&bytes, &mut sent);
                }
            }
        }
    }
});

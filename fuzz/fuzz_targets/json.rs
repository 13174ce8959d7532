//! The JSON parser on arbitrary bytes: a value or an error; a value encodes to JSON
//! that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trickle::value::{parse_json, parse_json_bytes, test_eq};

fuzz_target!(|data: &[u8]| {
    let mut buf = data.to_vec();
    if let Ok(v) = parse_json_bytes(&mut buf) {
        let text = v.encode();
        let back = parse_json(&text).expect("encoded JSON parses");
        assert!(test_eq(&v, &back), "{text}");
    }
});

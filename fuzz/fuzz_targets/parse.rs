//! The grammar on arbitrary text: a module or parse errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = trickle::grammar::parse_module(text, 0);
    }
});

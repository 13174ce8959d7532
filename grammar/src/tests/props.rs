//! Property tests: the parser never panics.
use crate::parse_module;
use proptest::prelude::*;

const PROGRAMS: &[&str] = &[
    "let a = {\"x\": [1, 2.5, \"s #{event.a} t\"]}; emit a => \"out\"",
    "match event of case r = %{ a ~= re|(?P<x>\\d)|, present b } when r.a > 1 => r case %[1, _] => 2 case %(1, ...) => 3 case _ => drop end",
    "fn f(a, ...) with for args of case (i, v) => v into 0 use + end end; f(1, 2)",
    "define window w from tumbling with size = 2 end; select {\"n\": aggr::stats::count()} from in[w] group by set(each(event.g)) into out having true;",
    "patch event of insert \"a\" => <<1:8, 2/big-integer>>; merge => {} end",
    "\"\"\"\nheredoc #{ \"nested #{1 + 2}\" }\n\"\"\"",
    "#!config id = \"x\"\ndefine pipeline p pipeline select event from in into out; end; create pipeline p;",
    "define peer up from tcp_server args port = 1 with config = {\"port\": args.port} end; create peer up",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_do_not_panic(s in "\\PC{0,80}") {
        let _ = parse_module(&s, 0);
    }

    #[test]
    fn tokenish_strings_do_not_panic(s in "[a-z \"#{}|\\\\`<>%()\\[\\]:;,.=~_$0-9\n-]{0,60}") {
        let _ = parse_module(&s, 0);
    }

    #[test]
    fn mutations_of_valid_programs_do_not_panic(
        which in 0..PROGRAMS.len(),
        cut in 0usize..200,
        len in 0usize..8,
        insert in "\\PC{0,4}",
    ) {
        let p = PROGRAMS[which];
        let mut at = cut.min(p.len());
        while !p.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(p.len());
        while !p.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &p[..at], insert, &p[end.max(at)..]);
        let _ = parse_module(&mutated, 0);
    }
}

#[test]
fn the_seed_programs_parse() {
    for p in PROGRAMS {
        assert!(
            parse_module(p, 0).is_ok(),
            "{p}: {:?}",
            parse_module(p, 0).err()
        );
    }
}

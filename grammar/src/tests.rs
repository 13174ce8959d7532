//! Parser tests.
use super::*;

pub(crate) fn parse(src: &str) -> ast::Module {
    match parse_module(src, 0) {
        Ok(m) => m,
        Err(e) => panic!("{src}\n{e:#?}"),
    }
}

#[test]
fn smoke() {
    for src in [
        "1",
        "let a = 1; a + 2 * 3",
        "\"a #{ \"b #{1}\" } c\"",
        "{\"a\": [1, 2,], \"b\": {}}",
        "event.a[1][\"x\"][1:2]",
        "match event of case %{a == 1} => 1 case _ => 2 end",
        "use std::string; string::len(\"x\")",
        "fn f(a, b) with a + b end; f(1, 2)",
        "select event from in into out;",
        "emit event => \"foo\"; drop",
        "<< 1:8, 2/big-unsigned-integer >>",
        "1 << 2 >> 3 >>> 4",
        "match event of case r = %{ a ~= re|(?P<x>a)| } => r case x = ~ glob|*| => x case %[ 1, _, ~json|| ] => 1 case %(1, ...) => 2 end",
        "for event of case (k, v) => v into [] use + end",
        "patch event of insert \"a\" => 1; merge => {}; default \"b\" => 2; erase \"c\" end",
        "merge event of {} end",
        "define window w from tumbling with size = 2 end; select aggr::stats::count() from in[w] group by set(each(event.a), event.b) into out having true",
        "#!config id = \"x\"\n define pipeline p from a, b into c args x = 1 pipeline #!config metrics_interval_s = 10\n select event from a into c; end; create pipeline p from p with x = 2 end;",
        "define peer upstream from tcp_server args port = 4242 with codec = \"json\", config = { \"port\": args.port } end; create peer upstream; create peer a from upstream with port = 5000 end",
        "define script s args a = 1 state {} script from tick emit event script let state.x = 1; event end",
        "## doc\nfn f(x) of case (1) => 1 case _ => recur(x - 1) end",
        "intrinsic fn len(s) as string::len;",
        "use a::{b as x, c::{d}};",
        "present event.a and not absent $b",
        "\"\"\"\nabc #{1}\n\"\"\"",
        "`event` + 1",
        "-1 + +2",
        "fn f(a, ...) with args end",
        "define operator o from generic::counter; create operator o",
    ] {
        let m = parse(src);
        assert!(!m.stmts.is_empty(), "{src}");
    }
}

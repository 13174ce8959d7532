//! Parser tests: one per form (asserting the tree shape and spans), errors, properties.
use crate::ast::*;
use crate::parse_module;

mod errors;
mod exprs;
mod patterns;
mod programs;
mod props;
mod queries;

/// Parses or panics with the errors.
pub(crate) fn parse(src: &str) -> Module {
    match parse_module(src, 7) {
        Ok(m) => m,
        Err(e) => panic!("{src}\n{e:#?}"),
    }
}

/// The single statement of `src`, which must be an expression.
pub(crate) fn expr(src: &str) -> Expr {
    let mut m = parse(src);
    assert_eq!(m.stmts.len(), 1, "{src}");
    match m.stmts.remove(0) {
        Stmt::Expr(e) => e,
        s => panic!("not an expression: {s:?}"),
    }
}

/// The source text a span covers.
pub(crate) fn text(src: &str, span: Span) -> &str {
    assert_eq!(span.file, 7);
    &src[span.start as usize..span.end as usize]
}

/// The expression of a plain-text string.
pub(crate) fn plain(e: &Expr) -> String {
    match &e.kind {
        ExprKind::String(s) => s.as_plain().expect("plain string"),
        k => panic!("not a string: {k:?}"),
    }
}

#[test]
fn smoke_all_forms() {
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
        "for event of case (k, v) => v into [] use + end",
        "patch event of insert \"a\" => 1; merge => {}; default \"b\" => 2; erase \"c\" end",
        "merge event of {} end",
        "define script s args a = 1 state {} script from tick emit event script let state.x = 1; event end",
        "## doc\nfn f(x) of case (1) => 1 case _ => recur(x - 1) end",
        "intrinsic fn len(s) as string::len;",
        "present event.a and not absent $b",
        "`event` + 1",
        "fn f(a, ...) with args end",
        "define operator o from generic::counter; create operator o",
        "",
        "# just a comment\n",
    ] {
        parse(src);
    }
}

//! Query statements.
use super::*;

fn select(src: &str) -> Select {
    let mut m = parse(src);
    match m.stmts.remove(0) {
        Stmt::Select(s) => *s,
        s => panic!("{s:?}"),
    }
}

#[test]
fn simple_select() {
    let src = "select event from in into out;";
    let s = select(src);
    assert_eq!(s.from.node.name, "in");
    assert!(s.from.port.is_none());
    assert_eq!(s.into.node.name, "out");
    assert!(
        s.windows.is_empty() && s.where_.is_none() && s.group_by.is_none() && s.having.is_none()
    );
    assert_eq!(text(src, s.span), "select event from in into out");
}

#[test]
fn full_select() {
    let src = "select {\"g\": group[0], \"c\": aggr::stats::sum(event.c)} from in/p[w1, m::w2] where event.a > 1 group by set(event.g, each(record::keys(event.r)), set(x)) into out/err having event.c > 0";
    let s = select(src);
    assert_eq!(s.from.port.as_ref().map(|p| p.name.as_str()), Some("p"));
    assert_eq!(s.windows.len(), 2);
    assert_eq!(s.windows[1].joined(), "m::w2");
    assert!(s.where_.is_some());
    let Some(GroupBy::Set(items, sp)) = &s.group_by else {
        panic!()
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(items[0], GroupBy::Expr(_)));
    assert!(matches!(items[1], GroupBy::Each(..)));
    assert!(matches!(items[2], GroupBy::Set(..)));
    assert!(text(src, *sp).starts_with("set(event.g"));
    assert_eq!(s.into.port.as_ref().map(|p| p.name.as_str()), Some("err"));
    assert!(s.having.is_some());
}

#[test]
fn select_target_may_be_a_match() {
    let s = select(
        "select match event of case %{ c > 900 } => \"hi\" case _ => \"lo\" end from in into out;",
    );
    assert!(matches!(&s.target.kind, ExprKind::Match(m) if !m.mutable));
}

#[test]
fn define_window() {
    let src = "define window w from tumbling with size = 2, max_groups = 10 state {} script from tick let state.x = 1; true script event.a end;";
    let m = parse(src);
    let Stmt::Define(Definition::Window(w)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(w.kind.name, "tumbling");
    assert_eq!(w.with.len(), 2);
    assert!(w.state.is_some());
    assert_eq!(w.port_scripts.len(), 1);
    assert_eq!(w.port_scripts[0].port.name, "tick");
    assert_eq!(w.port_scripts[0].body.len(), 2);
    assert_eq!(w.script.as_ref().map(Vec::len), Some(1));
    let m = parse("define window w from sliding with interval = 10 end");
    let Stmt::Define(Definition::Window(w)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(w.kind.name, "sliding");
    assert!(w.script.is_none() && w.port_scripts.is_empty());
}

#[test]
fn define_operator_and_script() {
    let m = parse("define operator o from generic::batch args c = 1 with count = args.c end; define operator p from passthrough; define script s args a, b = 2 state {\"n\": 0} script from odd emit \"odd\" script from even emit \"even\" script let state.n = state.n + 1; event end");
    let Stmt::Define(Definition::Operator(o)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(o.kind.joined(), "generic::batch");
    assert_eq!(o.args.len(), 1);
    assert_eq!(o.with.len(), 1);
    let Stmt::Define(Definition::Operator(p)) = &m.stmts[1] else {
        panic!()
    };
    assert!(p.with.is_empty() && p.args.is_empty());
    let Stmt::Define(Definition::Script(s)) = &m.stmts[2] else {
        panic!()
    };
    assert_eq!(s.args.len(), 2);
    assert!(s.args[0].default.is_none() && s.args[1].default.is_some());
    assert_eq!(s.port_scripts.len(), 2);
    assert_eq!(s.port_scripts[1].port.name, "even");
    assert_eq!(s.script.len(), 2);
}

#[test]
fn define_pipeline_with_config() {
    let src = "#!config id = \"outer\"\n#!config from = \"a,b\"\ndefine pipeline p from a, b into c, d args x = 1 pipeline\n#!config metrics_interval_s = 10\nselect event from a into c;\nend;\ncreate pipeline q from p with x = 2 end;";
    let m = parse(src);
    assert_eq!(m.config.len(), 2);
    assert_eq!(m.config[1].key.name, "from");
    assert_eq!(text(src, m.config[0].span), "#!config id = \"outer\"");
    let Stmt::Define(Definition::Pipeline(p)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(p.from.as_ref().map(Vec::len), Some(2));
    assert_eq!(p.into.as_ref().map(Vec::len), Some(2));
    assert_eq!(p.config.len(), 1);
    assert_eq!(p.stmts.len(), 1);
    let Stmt::Create(c) = &m.stmts[1] else {
        panic!()
    };
    assert_eq!(c.kind, CreateKind::Pipeline);
    assert_eq!(c.target.as_ref().map(|t| t.joined()).as_deref(), Some("p"));
    assert_eq!(c.with.len(), 1);
}

#[test]
fn create_forms() {
    let m = parse("create stream s; create operator o; create script s2 from m::s with a = 1 end; create peer a from upstream with port = 5000 end; create peer up");
    let kinds: Vec<_> = m
        .stmts
        .iter()
        .map(|s| match s {
            Stmt::Create(c) => c.kind,
            s => panic!("{s:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            CreateKind::Stream,
            CreateKind::Operator,
            CreateKind::Script,
            CreateKind::Peer,
            CreateKind::Peer
        ]
    );
    let Stmt::Create(c) = &m.stmts[2] else {
        panic!()
    };
    assert_eq!(
        c.target.as_ref().map(|t| t.joined()).as_deref(),
        Some("m::s")
    );
}

#[test]
fn define_peer() {
    let src = "define peer upstream from tcp_server\nargs port = 4242\nwith\n  codec = \"json\",\n  interceptors = [ {\"lines\": {\"delimiter\": \"\\n\"}} ],\n  config = { \"host\": \"127.0.0.1\", \"port\": args.port }\nend;";
    let m = parse(src);
    let Stmt::Define(Definition::Peer(p)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(p.name.name, "upstream");
    assert_eq!(p.kind.name, "tcp_server");
    assert_eq!(p.args.len(), 1);
    assert_eq!(p.with.len(), 3);
    assert_eq!(p.with[2].key.name, "config");
}

#[test]
fn peer_is_not_a_keyword() {
    let e = expr("event.peer + peer");
    assert!(matches!(e.kind, ExprKind::Binary(..)));
}

#[test]
fn define_docs() {
    let m = parse("## the window\ndefine window w from tumbling with size = 1 end");
    let Stmt::Define(Definition::Window(w)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(w.doc.as_deref(), Some("the window"));
}

#[test]
fn old_window_spelling() {
    let m = parse("define tumbling window w with size = 2 end;");
    let Stmt::Define(Definition::Window(w)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(
        (w.name.name.as_str(), w.kind.name.as_str()),
        ("w", "tumbling")
    );
    assert_eq!(w.with.len(), 1);
}

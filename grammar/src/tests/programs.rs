//! Whole programs in the shapes real scripts and queries use.
use super::*;

#[test]
fn script_operator_example() {
    let src = r#"
define script s
args threshold = 10
state {"count": 0}             # must fold to a literal
script from odd  emit "odd"    # runs for events arriving on port s/odd
script
  let state.count = state.count + 1;
  match event > args.threshold of case true => emit => "big" case _ => event end
end;
create script s;
select event from in into s;
select event from s/big into out;
"#;
    let m = parse(src);
    assert_eq!(m.stmts.len(), 4);
    let Stmt::Define(Definition::Script(s)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(s.port_scripts[0].port.name, "odd");
    assert_eq!(s.script.len(), 2);
    assert!(matches!(&s.script[1].kind, ExprKind::Match(m) if m.mutable && m.cases.len() == 2));
}

#[test]
fn windowed_query() {
    let src = r#"
define window by_2 from tumbling
with
  size = 2
end;

select {
  "g": group[0],
  "c": aggr::stats::sum(event.c)
}
from in[by_2]
group by set(event.g)
into out;
"#;
    let m = parse(src);
    let Stmt::Select(s) = &m.stmts[1] else {
        panic!()
    };
    assert_eq!(s.windows[0].name(), "by_2");
}

#[test]
fn scripts() {
    for src in [
        "match event of\n  case %{ a == 1 } => \"a is 1\"\n  case %{ present b } => \"b is present\"\n  case _ => \"default\"\nend\n",
        "for event of\n  case (k, v) when type::is_string(v) => {\"#{k}\": v}\nend",
        "let bin = << event.a:8, event.b:16/little-integer, event.c/binary >>;\nbin",
        "use std::integer;\nconst MAX = integer::signed::MAX;\nMAX + 1",
        "let héllo = 1; héllo # trailing comment",
        "let a = [1, 2, 3]; a[1:2][0]",
        "emit {\"a\": 1} => \"err\"",
        "let $meta = event; $meta.a",
        "\"#{event}\" + \"\\#{not interpolated}\"",
        "match event of case %{} => \"rec\" case %[] => \"arr\" case _ => \"other\" end;",
        "fn fib_(n) with match n of case 0 => 0 case 1 => 1 case _ => fib_(n - 1) + fib_(n - 2) end end; fib_(10)",
        "patch event of\n  insert \"new\" => 1;\n  upsert \"x\" => event.x + 1;\nend",
        "match event of case r = %{ msg ~= dissect|%{a} %{b}| } => r.msg case s = %{ msg ~= grok|%{NUMBER:n}| } => s end",
        "let x = for event of case (k, v) => v into 0 use + end; x",
        "define operator bucket from grouper::bucket;\ncreate operator bucket;\nselect event from in into bucket;\nselect event from bucket into out;\nselect event from bucket/overflow into out/overflow;",
        "select event from in where event.x > 1 and present event.y into out having event.z != null;",
        "define pipeline inner\nfrom in\ninto out\npipeline\n  select event from in into out;\nend;\ncreate pipeline inner;\nselect event from in into inner;\nselect event from inner into out;",
    ] {
        parse(src);
    }
}

#[test]
fn definition_bodies_hold_declarations() {
    let src = r#"define script runtime
script from other
  use std::string;
  string::len(event)
script
  use std::array;
  const LIMIT = 3;
  fn factorial_(acc, n) of
    case (a, 0) => a
    case _ => recur(acc * n, n - 1)
  end;
  intrinsic fn l(a) as array::len;
  match array::len(event) > LIMIT of case true => factorial_(1, 3) case _ => 0 end;
  event
end;
define window w from tumbling
state 0
script
  use std::integer;
  true
end;
"#;
    let m = parse(src);
    let Stmt::Define(Definition::Script(s)) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(s.port_scripts[0].decls.len(), 1);
    assert_eq!(s.port_scripts[0].body.len(), 1);
    assert_eq!(s.decls.len(), 4);
    // The const is also an expression statement (its value).
    assert_eq!(s.script.len(), 3);
    let Stmt::Define(Definition::Window(w)) = &m.stmts[1] else {
        panic!()
    };
    assert!(matches!(&w.decls[..], [Stmt::Use(_)]));
}

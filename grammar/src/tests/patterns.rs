//! Match patterns, extractors, match-style functions.
use super::*;

fn cases(src: &str) -> Vec<Case> {
    match expr(src).kind {
        ExprKind::Match(m) => m.cases,
        k => panic!("{k:?}"),
    }
}

#[test]
fn simple_patterns() {
    let cs = cases(
        "match x of case \"a\" => 1 case [1, 2] => 2 case {} => 3 case _ => 4 case y = _ => 5 end",
    );
    assert!(matches!(&cs[0].pattern, Pattern::Expr(e) if matches!(e.kind, ExprKind::String(_))));
    assert!(matches!(&cs[1].pattern, Pattern::Expr(e) if matches!(e.kind, ExprKind::List(_))));
    assert!(matches!(&cs[2].pattern, Pattern::Expr(e) if matches!(e.kind, ExprKind::Record(_))));
    assert!(matches!(&cs[3].pattern, Pattern::Default(_)));
    assert!(
        matches!(&cs[4].pattern, Pattern::Assign(i, p) if i.name == "y" && matches!(**p, Pattern::Default(_)))
    );
}

#[test]
fn guards() {
    let cs = cases("match x of case y = %{} when y.a > 1 => 1 end");
    assert!(cs[0].guard.is_some());
}

#[test]
fn extractor_patterns() {
    let src = "match x of case r = ~ re|(?P<a>\\d+)\\|x| => r end";
    let cs = cases(src);
    let Pattern::Assign(_, p) = &cs[0].pattern else {
        panic!()
    };
    let Pattern::Extract(ex) = &**p else { panic!() };
    assert_eq!(ex.kind.name, "re");
    assert_eq!(text(src, ex.kind.span), "re");
    assert_eq!(ex.rule, "(?P<a>\\d+)|x");
    assert_eq!(text(src, ex.span), "re|(?P<a>\\d+)\\|x|");
}

#[test]
fn extractor_continuation_lines() {
    let src = "match x of case ~ dissect|%{a} \\\n    %{b} \\\n      %{c}| => 1 end";
    let cs = cases(src);
    let Pattern::Extract(ex) = &cs[0].pattern else {
        panic!()
    };
    assert_eq!(ex.rule, "%{a} %{b} %{c}");
    let src = "match x of case ~ grok|\\\n    %{A} \\\n      %{B}| => 1 end";
    let cs = cases(src);
    let Pattern::Extract(ex) = &cs[0].pattern else {
        panic!()
    };
    assert_eq!(ex.rule, "%{A} %{B}");
    let src = "match x of case ~ grok |%{A}| => 1 end";
    let Pattern::Extract(ex) = &cases(src)[0].pattern else {
        panic!()
    };
    assert_eq!((ex.kind.name.as_str(), ex.rule.as_str()), ("grok", "%{A}"));
}

#[test]
fn record_patterns() {
    let src = r#"match x of case %{ present a, absent "b c", c == 1, d != 2, e < 3, f <= 4, g > 5, h >= 6, i ~= json||, z = j ~= re|x|, k ~= %{}, l ~= %[], m ~= %(1) } => 1 end"#;
    let cs = cases(src);
    let Pattern::Record(r) = &cs[0].pattern else {
        panic!()
    };
    let f = &r.fields;
    assert_eq!(f.len(), 13);
    assert!(matches!(&f[0], FieldPattern::Present(k) if k.name == "a"));
    assert!(
        matches!(&f[1], FieldPattern::Absent(k) if k.name == "b c" && text(src, k.span) == "\"b c\"")
    );
    let ops: Vec<_> = f[2..8]
        .iter()
        .map(|f| match f {
            FieldPattern::Cmp(_, op, _) => *op,
            f => panic!("{f:?}"),
        })
        .collect();
    assert_eq!(
        ops,
        [
            BinOp::Eq,
            BinOp::NotEq,
            BinOp::Lt,
            BinOp::Lte,
            BinOp::Gt,
            BinOp::Gte
        ]
    );
    assert!(
        matches!(&f[8], FieldPattern::Extract { assign: None, key, extractor } if key.name == "i" && extractor.kind.name == "json" && extractor.rule.is_empty())
    );
    assert!(
        matches!(&f[9], FieldPattern::Extract { assign: Some(a), key, .. } if a.name == "z" && key.name == "j")
    );
    assert!(matches!(&f[10], FieldPattern::Record(..)));
    assert!(matches!(&f[11], FieldPattern::Array(..)));
    assert!(matches!(&f[12], FieldPattern::Tuple(..)));
}

#[test]
fn array_patterns() {
    let cs = cases("match x of case %[ _, 1, ~ json||, %{ present a } ] => 1 case %[] => 2 end");
    let Pattern::Array(a) = &cs[0].pattern else {
        panic!()
    };
    assert!(matches!(a.elems[0], Pattern::Default(_)));
    assert!(matches!(a.elems[1], Pattern::Expr(_)));
    assert!(matches!(a.elems[2], Pattern::Extract(_)));
    assert!(matches!(a.elems[3], Pattern::Record(_)));
    assert!(matches!(&cs[1].pattern, Pattern::Array(a) if a.elems.is_empty()));
}

#[test]
fn tuple_patterns() {
    let cs = cases("match x of case %(1, _, ...) => 1 case %(1, %[2]) => 2 case %() => 3 end");
    assert!(matches!(&cs[0].pattern, Pattern::Tuple(t) if t.open && t.elems.len() == 2));
    assert!(
        matches!(&cs[1].pattern, Pattern::Tuple(t) if !t.open && matches!(t.elems[1], Pattern::Array(_)))
    );
    assert!(matches!(&cs[2].pattern, Pattern::Tuple(t) if !t.open && t.elems.is_empty()));
}

#[test]
fn match_style_functions() {
    let src = "fn fib(n) of case (0) => 0 case (1) => 1 case (x) when x > 1 => fib(n - 1) + fib(n - 2) case _ => null end";
    let m = parse(src);
    let Stmt::Fn(f) = &m.stmts[0] else { panic!() };
    let FnBody::Match(cs) = &f.body else { panic!() };
    assert_eq!(cs.len(), 4);
    assert!(matches!(&cs[0].pattern, Pattern::Tuple(t) if t.elems.len() == 1));
    assert!(cs[2].guard.is_some());
    assert!(matches!(cs[3].pattern, Pattern::Default(_)));
    assert_eq!(text(src, f.span), src);
}

#[test]
fn functions_and_docs() {
    let src = "## adds\n## numbers\nfn add(a, b) with let c = a + b; c end;\nfn v(a, ...) with args end;\nfn z() with 1 end";
    let m = parse(src);
    let Stmt::Fn(f) = &m.stmts[0] else { panic!() };
    assert_eq!(f.doc.as_deref(), Some("adds\nnumbers"));
    assert_eq!(f.params.len(), 2);
    assert!(!f.variadic);
    assert!(matches!(&f.body, FnBody::Exprs(b) if b.len() == 2));
    let Stmt::Fn(v) = &m.stmts[1] else { panic!() };
    assert!(v.variadic && v.params.len() == 1);
    let Stmt::Fn(z) = &m.stmts[2] else { panic!() };
    assert!(z.params.is_empty() && z.doc.is_none());
}

#[test]
fn use_const_intrinsic() {
    let src = "### module\n### docs\nuse std::string; use a::b as c; use a::{b as x, c::{d, e as f}}; ## k\nconst K = 1; intrinsic fn len(s) as string::len";
    let m = parse(src);
    assert_eq!(m.doc.as_deref(), Some("module\ndocs"));
    let Stmt::Use(u) = &m.stmts[0] else { panic!() };
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].path.len(), 2);
    assert!(u[0].alias.is_none());
    let Stmt::Use(u) = &m.stmts[1] else { panic!() };
    assert_eq!(u[0].alias.as_ref().map(|a| a.name.as_str()), Some("c"));
    let Stmt::Use(u) = &m.stmts[2] else { panic!() };
    let flat: Vec<_> = u
        .iter()
        .map(|i| {
            let p: Vec<_> = i.path.iter().map(|s| s.name.as_str()).collect();
            (p.join("::"), i.alias.as_ref().map(|a| a.name.clone()))
        })
        .collect();
    assert_eq!(
        flat,
        [
            ("a::b".to_string(), Some("x".to_string())),
            ("a::c::d".to_string(), None),
            ("a::c::e".to_string(), Some("f".to_string())),
        ]
    );
    let Stmt::Const(c) = &m.stmts[3] else {
        panic!()
    };
    assert_eq!(c.doc.as_deref(), Some("k"));
    assert_eq!(c.name.name, "K");
    let Stmt::Intrinsic(i) = &m.stmts[4] else {
        panic!()
    };
    assert_eq!(i.target.joined(), "string::len");
    assert_eq!(i.params.len(), 1);
}

#[test]
fn default_is_the_old_spelling_of_case_underscore() {
    let src = "match x of case 1 => 1 default => 2 end";
    let cs = cases(src);
    assert!(matches!(cs[1].pattern, Pattern::Default(sp) if text(src, sp) == "default"));
    let e = expr("[match x of case 1 => 1 default => 2, 3 end]");
    let ExprKind::List(items) = &e.kind else {
        panic!()
    };
    let ExprKind::Match(m) = &items[0].kind else {
        panic!()
    };
    assert_eq!(m.cases[1].body.len(), 2);
}

#[test]
fn definition_spans_start_after_the_docs() {
    let src = "## doc\nconst A = 1;\n## f\nfn f() with 1 end";
    let m = parse(src);
    let Stmt::Const(c) = &m.stmts[0] else {
        panic!()
    };
    assert_eq!(text(src, c.span), "const A = 1");
    let Stmt::Fn(f) = &m.stmts[1] else { panic!() };
    assert_eq!(text(src, f.span), "fn f() with 1 end");
}

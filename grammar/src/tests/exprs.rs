//! Expressions: literals, strings, records, lists, paths, operators, calls, let, emit.
use super::*;

fn bin(e: &Expr) -> (BinOp, &Expr, &Expr) {
    match &e.kind {
        ExprKind::Binary(op, a, b) => (*op, a, b),
        k => panic!("not binary: {k:?}"),
    }
}

fn lit(e: &Expr) -> &Literal {
    match &e.kind {
        ExprKind::Literal(l) => l,
        k => panic!("not a literal: {k:?}"),
    }
}

fn path(e: &Expr) -> &Path {
    match &e.kind {
        ExprKind::Path(p) => p,
        k => panic!("not a path: {k:?}"),
    }
}

#[test]
fn literals() {
    assert_eq!(lit(&expr("null")), &Literal::Null);
    assert_eq!(lit(&expr("nil")), &Literal::Null);
    assert_eq!(lit(&expr("true")), &Literal::Bool(true));
    assert_eq!(lit(&expr("false")), &Literal::Bool(false));
    assert_eq!(lit(&expr("42")), &Literal::Int(42));
    assert_eq!(lit(&expr("1_000")), &Literal::Int(1000));
    assert_eq!(lit(&expr("0x2a")), &Literal::Int(42));
    assert_eq!(lit(&expr("0xffffffffffffffff")), &Literal::Int(u64::MAX));
    assert_eq!(lit(&expr("18446744073709551615")), &Literal::Int(u64::MAX));
    assert_eq!(lit(&expr("4.25")), &Literal::Float(4.25));
    assert_eq!(lit(&expr("1.0e5")), &Literal::Float(1.0e5));
    assert_eq!(lit(&expr("1.5E-2")), &Literal::Float(0.015));
}

#[test]
fn negative_numbers_are_unary_minus() {
    let e = expr("-9223372036854775808");
    match &e.kind {
        ExprKind::Unary(UnaryOp::Minus, inner) => {
            assert_eq!(lit(inner), &Literal::Int(9223372036854775808))
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn strings_and_escapes() {
    assert_eq!(
        plain(&expr(r#""a\"b\\c\#d\n\t\r\b\f""#)),
        "a\"b\\c#d\n\t\r\u{8}\u{c}"
    );
    assert_eq!(plain(&expr(r#""\u00e9x""#)), "éx");
    assert_eq!(plain(&expr(r#""a # b""#)), "a # b");
    assert_eq!(plain(&expr(r#""""#)), "");
    let src = r#" "é" "#;
    let e = expr(src);
    assert_eq!(text(src, e.span), "\"é\"");
}

#[test]
fn interpolation_nests() {
    let src = r#""a #{ "b #{ {"k": 1}["k"] } c" } d""#;
    let e = expr(src);
    let ExprKind::String(s) = &e.kind else {
        panic!()
    };
    assert_eq!(s.parts.len(), 3);
    assert_eq!(s.parts[0], StrPart::Lit("a ".into()));
    assert_eq!(s.parts[2], StrPart::Lit(" d".into()));
    let StrPart::Expr(inner) = &s.parts[1] else {
        panic!()
    };
    let ExprKind::String(inner_s) = &inner.kind else {
        panic!()
    };
    assert_eq!(text(src, inner.span), r#""b #{ {"k": 1}["k"] } c""#);
    let StrPart::Expr(deep) = &inner_s.parts[1] else {
        panic!()
    };
    let p = path(deep);
    assert!(matches!(p.root, PathRoot::Expr(_)));
    assert_eq!(text(src, deep.span), r#"{"k": 1}["k"]"#);
}

#[test]
fn heredoc_keeps_text_and_interpolates() {
    let src = "\"\"\"\n  line one\n  #{ 1 + 1 } two \"quoted\"\n\"\"\"";
    let e = expr(src);
    let ExprKind::String(s) = &e.kind else {
        panic!()
    };
    assert_eq!(s.parts[0], StrPart::Lit("  line one\n  ".into()));
    assert!(matches!(s.parts[1], StrPart::Expr(_)));
    assert_eq!(s.parts[2], StrPart::Lit(" two \"quoted\"\n".into()));
    assert_eq!(text(src, e.span), src);
}

#[test]
fn records_and_lists() {
    let src = r##"{"a": 1, "#{x}": [1, 2,], }"##;
    let e = expr(src);
    let ExprKind::Record(fields) = &e.kind else {
        panic!()
    };
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].key.as_plain().as_deref(), Some("a"));
    assert!(fields[1].key.as_plain().is_none());
    let ExprKind::List(items) = &fields[1].value.kind else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    assert_eq!(text(src, fields[1].span), r##""#{x}": [1, 2,]"##);
    assert!(matches!(expr("[]").kind, ExprKind::List(ref v) if v.is_empty()));
    assert!(matches!(expr("{}").kind, ExprKind::Record(ref v) if v.is_empty()));
}

#[test]
fn path_roots_and_segments() {
    let src = "event.a[1][\"x\"][1:3].b";
    let p = path(&expr(src)).clone();
    assert_eq!(p.root, PathRoot::Event);
    assert_eq!(p.segments.len(), 5);
    assert!(matches!(&p.segments[0], Segment::Field(i) if i.name == "a"));
    assert!(matches!(&p.segments[1], Segment::Index(..)));
    assert!(matches!(&p.segments[3], Segment::Range(..)));
    assert_eq!(text(src, p.span), src);
    if let Segment::Range(_, _, sp) = &p.segments[3] {
        assert_eq!(text(src, *sp), "[1:3]");
    }
    assert_eq!(path(&expr("$")).root, PathRoot::Meta);
    let m = path(&expr("$a.b")).clone();
    assert_eq!(m.root, PathRoot::Meta);
    assert_eq!(m.segments.len(), 2);
    assert_eq!(path(&expr("state")).root, PathRoot::State);
    assert_eq!(path(&expr("args.x")).root, PathRoot::Args);
    assert_eq!(path(&expr("group[0]")).root, PathRoot::Group);
    assert_eq!(path(&expr("window")).root, PathRoot::Window);
    assert!(matches!(&path(&expr("x")).root, PathRoot::Ident(i) if i.name == "x"));
    assert!(matches!(&path(&expr("a::B")).root, PathRoot::Qualified(q) if q.joined() == "a::B"));
    assert!(
        matches!(&path(&expr("f(1).a")).root, PathRoot::Expr(e) if matches!(e.kind, ExprKind::Call(..)))
    );
    assert!(matches!(&path(&expr("(1 + 2)[0]")).root, PathRoot::Expr(_)));
    assert!(matches!(&path(&expr("[1, 2][0]")).root, PathRoot::Expr(_)));
}

#[test]
fn parenthesised_expression_is_the_inner_expression() {
    let e = expr("(1 + 2) * 3");
    let (op, a, _) = bin(&e);
    assert_eq!(op, BinOp::Mul);
    assert_eq!(bin(a).0, BinOp::Add);
}

#[test]
fn precedence_levels() {
    // or < xor < and < ^ < & < == < cmp < shift < + < *
    let e = expr("a or b xor c and d ^ e & f == g < h << i + j * k");
    let (op, _, r) = bin(&e);
    assert_eq!(op, BinOp::Or);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::Xor);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::And);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::BitXor);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::BitAnd);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::Eq);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::Lt);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::LBitShift);
    let (op, _, r) = bin(r);
    assert_eq!(op, BinOp::Add);
    assert_eq!(bin(r).0, BinOp::Mul);
}

#[test]
fn left_associative() {
    let src = "1 - 2 - 3";
    let e = expr(src);
    let (op, l, r) = bin(&e);
    assert_eq!(op, BinOp::Sub);
    assert_eq!(lit(r), &Literal::Int(3));
    assert_eq!(text(src, l.span), "1 - 2");
    assert_eq!(text(src, e.span), src);
}

#[test]
fn not_binds_tighter_than_eq() {
    let e = expr("not a == b");
    let (op, l, _) = bin(&e);
    assert_eq!(op, BinOp::Eq);
    assert!(matches!(l.kind, ExprKind::Unary(UnaryOp::Not, _)));
    let e = expr("!1 + -2");
    let (op, l, r) = bin(&e);
    assert_eq!(op, BinOp::Add);
    assert!(matches!(l.kind, ExprKind::Unary(UnaryOp::BitNot, _)));
    assert!(matches!(r.kind, ExprKind::Unary(UnaryOp::Minus, _)));
}

#[test]
fn present_absent() {
    let e = expr("present event.a and absent $b");
    let (_, l, r) = bin(&e);
    assert!(matches!(&l.kind, ExprKind::Present(p) if p.root == PathRoot::Event));
    assert!(matches!(&r.kind, ExprKind::Absent(p) if p.root == PathRoot::Meta));
}

#[test]
fn calls() {
    let src = "aggr::stats::count() + f(1, [2], match x of case 1 => 2 end,)";
    let e = expr(src);
    let (_, l, r) = bin(&e);
    let ExprKind::Call(q, args) = &l.kind else {
        panic!()
    };
    assert_eq!(q.joined(), "aggr::stats::count");
    assert!(args.is_empty());
    let ExprKind::Call(q, args) = &r.kind else {
        panic!()
    };
    assert_eq!(q.name(), "f");
    assert_eq!(args.len(), 3);
    assert!(matches!(&args[2].kind, ExprKind::Match(m) if !m.mutable));
    assert!(matches!(expr("recur(1, 2)").kind, ExprKind::Recur(ref a) if a.len() == 2));
}

#[test]
fn let_and_statements() {
    let src = "let event.a = 1; let $m = {}; let x = match y of case 1 => 2 end; x";
    let m = parse(src);
    assert_eq!(m.stmts.len(), 4);
    let Stmt::Expr(Expr {
        kind: ExprKind::Let(p, v),
        span,
    }) = &m.stmts[0]
    else {
        panic!()
    };
    assert_eq!(p.root, PathRoot::Event);
    assert_eq!(lit(v), &Literal::Int(1));
    assert_eq!(text(src, *span), "let event.a = 1");
    let Stmt::Expr(Expr {
        kind: ExprKind::Let(_, v),
        ..
    }) = &m.stmts[2]
    else {
        panic!()
    };
    assert!(matches!(&v.kind, ExprKind::Match(m) if !m.mutable));
}

#[test]
fn emit_and_drop() {
    let m = parse("emit; emit event; emit => \"p\"; emit 1 => \"#{x}\"; drop");
    let kinds: Vec<_> = m
        .stmts
        .iter()
        .map(|s| match s {
            Stmt::Expr(e) => e.kind.clone(),
            s => panic!("{s:?}"),
        })
        .collect();
    assert!(matches!(
        &kinds[0],
        ExprKind::Emit {
            value: None,
            port: None
        }
    ));
    assert!(matches!(
        &kinds[1],
        ExprKind::Emit {
            value: Some(_),
            port: None
        }
    ));
    assert!(
        matches!(&kinds[2], ExprKind::Emit { value: None, port: Some(p) } if p.as_plain().as_deref() == Some("p"))
    );
    assert!(
        matches!(&kinds[3], ExprKind::Emit { value: Some(_), port: Some(p) } if p.as_plain().is_none())
    );
    assert_eq!(kinds[4], ExprKind::Drop);
}

#[test]
fn bytes_and_shifts() {
    let src = "<< 1:8, x/big-unsigned-integer, -1:16/signed_integer, >>";
    let e = expr(src);
    let ExprKind::Bytes(parts) = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].bits, Some(8));
    assert!(parts[0].ty.is_empty());
    let ty: Vec<_> = parts[1].ty.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(ty, ["big", "unsigned", "integer"]);
    assert_eq!(parts[2].bits, Some(16));
    assert_eq!(text(src, parts[1].span), "x/big-unsigned-integer");
    assert!(matches!(expr("<<>>").kind, ExprKind::Bytes(ref p) if p.is_empty()));
    let e = expr("1 << 2 >>> 3");
    let (op, l, _) = bin(&e);
    assert_eq!(op, BinOp::RBitShiftUnsigned);
    assert_eq!(bin(l).0, BinOp::LBitShift);
    let e = expr("<<1>> + <<2>>");
    let (op, l, r) = bin(&e);
    assert_eq!(op, BinOp::Add);
    assert!(matches!(l.kind, ExprKind::Bytes(_)) && matches!(r.kind, ExprKind::Bytes(_)));
}

#[test]
fn backtick_identifiers() {
    let src = "`event`.`a b`";
    let p = path(&expr(src)).clone();
    assert!(
        matches!(&p.root, PathRoot::Ident(i) if i.name == "event" && text(src, i.span) == "`event`")
    );
    assert!(matches!(&p.segments[0], Segment::Field(i) if i.name == "a b"));
}

#[test]
fn patch_operations() {
    let src = r#"patch event of insert "a" => 1; upsert "b" => 2; update "c" => 3; erase "d"; copy "e" => "f"; move "g" => "h"; merge "i" => {}; merge => {}; default "j" => 1; default => {}; end"#;
    let e = expr(src);
    let ExprKind::Patch(p) = &e.kind else {
        panic!()
    };
    assert_eq!(p.ops.len(), 10);
    assert!(
        matches!(&p.ops[0], PatchOp::Insert(k, _, sp) if k.as_plain().as_deref() == Some("a") && text(src, *sp) == r#"insert "a" => 1"#)
    );
    assert!(matches!(&p.ops[3], PatchOp::Erase(..)));
    assert!(matches!(&p.ops[4], PatchOp::Copy(..)));
    assert!(matches!(&p.ops[5], PatchOp::Move(..)));
    assert!(matches!(&p.ops[6], PatchOp::Merge(Some(_), ..)));
    assert!(matches!(&p.ops[7], PatchOp::Merge(None, ..)));
    assert!(matches!(&p.ops[8], PatchOp::Default(Some(_), ..)));
    assert!(matches!(&p.ops[9], PatchOp::Default(None, ..)));
}

#[test]
fn merge_expression() {
    let e = expr("merge event of {\"a\": null} end");
    assert!(matches!(e.kind, ExprKind::Merge(..)));
}

#[test]
fn for_comprehensions() {
    let e = expr("for event of case (k, v) when v > 1 => v; v case (i, x) => x into 0 use >>> end");
    let ExprKind::For(f) = &e.kind else { panic!() };
    assert!(f.mutable);
    assert_eq!(f.cases.len(), 1 + 1);
    assert!(f.cases[0].guard.is_some());
    assert_eq!(f.fold, Some(BinOp::RBitShiftUnsigned));
    assert!(f.into.is_some());
    let e = expr("let x = for [1] of case (i, v) => v end");
    let ExprKind::Let(_, v) = &e.kind else {
        panic!()
    };
    let ExprKind::For(f) = &v.kind else { panic!() };
    assert!(!f.mutable && f.into.is_none() && f.fold.is_none());
    for op in [
        "+", "-", "*", "/", "%", "&", "^", "<<", ">>", ">>>", "and", "or", "xor",
    ] {
        parse(&format!("for x of case (a, b) => b into 1 use {op} end"));
    }
}

#[test]
fn mutable_match_bodies_take_statements() {
    let src = "match event of case 1 => let a = 1; emit a case _ => drop end";
    let e = expr(src);
    let ExprKind::Match(m) = &e.kind else {
        panic!()
    };
    assert!(m.mutable);
    assert_eq!(m.cases[0].body.len(), 2);
    assert_eq!(text(src, m.cases[0].span), "case 1 => let a = 1; emit a");
    assert_eq!(text(src, e.span), src);
}

#[test]
fn immutable_match_bodies_use_commas() {
    let e = expr("[match x of case 1 => 1, 2 case _ => 3 end]");
    let ExprKind::List(items) = &e.kind else {
        panic!()
    };
    let ExprKind::Match(m) = &items[0].kind else {
        panic!()
    };
    assert!(!m.mutable);
    assert_eq!(m.cases[0].body.len(), 2);
}

#[test]
fn match_needs_parens_as_operand() {
    assert!(parse_module("1 + match x of case 1 => 1 end", 0).is_err());
    assert!(matches!(
        bin(&expr("1 + (match x of case 1 => 1 end)")).2.kind,
        ExprKind::Match(_)
    ));
}

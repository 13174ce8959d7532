//! Evaluator tests through the real parser and lowering.

use super::*;
use crate::compile::{compile_script, ExprCtx, ModulePath, Modules};
use crate::diag::SourceMap;
use crate::value::parse_json;
use trickle_grammar::ast;

fn script(src: &str) -> (Script, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add("t.tremor", src);
    match compile_script(&mut sources, file, &ModulePath::default()) {
        Ok(c) => (c.value, sources),
        Err(e) => panic!("{}", crate::diag::render_all(&e, &sources)),
    }
}

fn run(s: &Script, event: &str) -> Result<Outcome, RuntimeError> {
    let mut event = parse_json(event).expect("json");
    let (mut meta, mut state) = (Value::record(), Value::Null);
    s.run(&mut event, &mut meta, &mut state, &FnCtx::default())
}

fn value(s: &Script, event: &str) -> Value {
    match run(s, event) {
        Ok(Outcome::Emit { value, .. }) => value,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn in_place_match_agrees_with_copying_match() {
    let fast = "match event of case %{ c > 900 } => \"hi\" case %{ c > 100 } => \"mid\" case _ => \"lo\" end";
    // A bind forces the general path.
    let slow = "match event of case x = %{ c > 900 } => \"hi\" case %{ c > 100 } => \"mid\" case _ => \"lo\" end";
    let (f, _) = script(fast);
    let (s, _) = script(slow);
    for (ev, want) in [
        (r#"{"c":901}"#, "hi"),
        (r#"{"c":500}"#, "mid"),
        (r#"{"c":1}"#, "lo"),
        ("1", "lo"),
    ] {
        assert_eq!(value(&f, ev), Value::from(want), "{ev}");
        assert_eq!(value(&s, ev), Value::from(want), "{ev}");
    }
}

#[test]
fn in_place_match_honours_guards_and_missing_paths() {
    let (s, sources) = script("match event.a of case 1 when false => 0 case 1 => 1 end");
    assert_eq!(value(&s, r#"{"a":1}"#), Value::U64(1));
    let e = run(&s, "{}").unwrap_err();
    assert!(
        e.render(&sources).contains("non existing event key `a`"),
        "{e:?}"
    );
}

#[test]
fn locals_do_not_leak_between_events() {
    let (s, _) = script("match event of case 1 => let x = 1 case _ => null end; x");
    assert_eq!(value(&s, "1"), Value::U64(1));
    let e = run(&s, "2").unwrap_err();
    assert_eq!(e.message, "Trying to access a non existing local key `x`");
}

#[test]
fn emit_port_and_drop() {
    let (s, _) = script("match event of case 1 => emit \"x\" => \"p#{event}\" case _ => drop end");
    assert_eq!(
        run(&s, "1").unwrap(),
        Outcome::Emit {
            value: Value::from("x"),
            port: Some("p1".into())
        }
    );
    assert_eq!(run(&s, "2").unwrap(), Outcome::Drop);
}

#[test]
fn runtime_error_points_at_the_construct() {
    let (s, sources) = script("let a = 1;\nevent.x");
    let e = run(&s, "{}").unwrap_err();
    assert_eq!(sources.line_col(e.span.file, e.span.start), (2, 1));
}

fn parse_expr(src: &str) -> ast::Expr {
    let m = trickle_grammar::parse_module(src, 0).expect("parses");
    match m.stmts.into_iter().next() {
        Some(ast::Stmt::Expr(e)) => e,
        other => panic!("not an expression: {other:?}"),
    }
}

fn root_modules() -> (Modules, crate::compile::ScopeId) {
    let mut sources = SourceMap::new();
    let file = sources.add("q.trickle", "event");
    let mut m = Modules::new(&ModulePath::default());
    let (scope, _) = m.load_root(&mut sources, file).expect("loads");
    (m, scope)
}

#[test]
fn select_context_rejects_locals_and_windowed_event_refs() {
    let (m, scope) = root_modules();
    let mut ctx = ExprCtx::select();
    let e = m
        .lower_expr(scope, &parse_expr("x + 1"), &mut ctx)
        .unwrap_err();
    assert_eq!(e[0].message, "Local variables are not allowed here");
    let mut ctx = ExprCtx::select();
    ctx.allow_event = false;
    ctx.allow_aggregates = true;
    let e = m
        .lower_expr(scope, &parse_expr("event.a + 1"), &mut ctx)
        .unwrap_err();
    assert_eq!(
        e[0].message,
        "References to `event` or `$` are not allowed in this context"
    );
    assert!(e[0].notes[0].contains("aggr::win::last"));
}

#[test]
fn aggregates_are_collected_and_group_exprs_rewritten() {
    let (m, scope) = root_modules();
    let mut ctx = ExprCtx::select();
    ctx.allow_event = false;
    ctx.allow_aggregates = true;
    ctx.group_exprs = vec![parse_expr("event.g")];
    let e = m
        .lower_expr(
            scope,
            &parse_expr(r#"{"g": event.g, "n": aggr::stats::count(), "s": stats::sum(event.c)}"#),
            &mut ctx,
        )
        .expect("lowers");
    assert_eq!(ctx.aggregates.len(), 2);
    assert_eq!(ctx.aggregates[1].args.len(), 1);
    let (mut ev, mut meta, mut state) = (Value::Null, Value::record(), Value::Null);
    let group = parse_json(r#"["a","[\"a\"]"]"#).unwrap();
    let aggrs = [Value::U64(3), Value::F64(6.0)];
    let mut frame = Frame::default();
    let mut env = Env {
        event: &mut ev,
        meta: &mut meta,
        state: &mut state,
        args: &Value::Null,
        group: &group,
        window: &Value::Null,
        aggrs: &aggrs,
        ctx: FnCtx::default(),
        locals: &mut frame,
    };
    let v = eval_expr(&e, &mut env).expect("evaluates");
    assert_eq!(v, parse_json(r#"{"g":"a","n":3,"s":6.0}"#).unwrap());
    let mut ctx = ExprCtx::select();
    ctx.allow_aggregates = true;
    let e = m
        .lower_expr(
            scope,
            &parse_expr("aggr::stats::sum(aggr::stats::count())"),
            &mut ctx,
        )
        .unwrap_err();
    assert_eq!(e[0].message, "Aggregates cannot be nested");
}

#[test]
fn fold_const_substitutes_args() {
    let (m, scope) = root_modules();
    let args = parse_json(r#"{"n": 2}"#).unwrap();
    let v = m
        .fold_const(scope, &parse_expr("args.n * 10 + 1"), &args)
        .expect("folds");
    assert_eq!(v, Value::U64(21));
    let d = m
        .fold_const(scope, &parse_expr("event.n"), &args)
        .unwrap_err();
    assert_eq!(d.message, "Expected a constant expression");
}

#[test]
fn deep_plain_recursion_fits_a_small_thread_stack() {
    // Engine threads may have 2 MiB stacks; the recursion limit must fail cleanly first.
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let (s, _) = script(
                "fn f(n) with match n of case 0 => 0 case _ => f(n - 1) + 1 end end; f(event)",
            );
            let ok = value(&s, "100");
            let err = run(&s, "5000").unwrap_err();
            (ok, err.message)
        })
        .expect("spawns");
    let (ok, err) = handle.join().expect("no stack overflow");
    assert_eq!(ok, Value::U64(100));
    assert_eq!(err, "Recursion limit Reached");
}

#[test]
fn use_inside_a_pipeline_definition_binds_its_alias() {
    let mut sources = SourceMap::new();
    let src = "define pipeline p\npipeline\n  use std::string;\n  select string::len(event) from in into out;\nend;";
    let file = sources.add("q.trickle", src);
    let mut m = Modules::new(&ModulePath::default());
    let (scope, _) = m.load_root(&mut sources, file).expect("loads");
    let mut ctx = ExprCtx::select();
    let e = m
        .lower_expr(scope, &parse_expr(r#"string::len("abc")"#), &mut ctx)
        .expect("lowers");
    assert_eq!(e.as_const().and_then(Value::as_i64), Some(3));
}

#[test]
fn compiled_code_can_move_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Script>();
    send_sync::<ir::Expr>();
    send_sync::<ir::Block>();
}

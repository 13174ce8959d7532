//! Unit tests of the query compiler and executor. The case folders (`tests/query*`,
//! `tests/windows`) run through `tests/cases.rs`, the same runner as `trickle test`.

use super::compile_query;
use crate::compile::ModulePath;
use crate::diag::SourceMap;
use crate::event::{Event, Signal};
use crate::exec::GraphFormat;
use crate::testkit::compile_text;

#[test]
fn extra_inputs_and_outputs() {
    let q =
        compile_text("select event from in/side into out/other;\nselect event from in into out;")
            .unwrap();
    assert_eq!(q.inputs(), vec!["in", "in/side"]);
    let mut ex = q.executor();
    let mut out = Vec::new();
    ex.send("in/side", Event::default(), &mut out);
    ex.send("in", Event::default(), &mut out);
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["other", "out"]);
}

#[test]
fn renders_compiled_graph() {
    let q = compile_text(
        "create stream s;\nselect event from in into s;\nselect event from s into out;",
    )
    .unwrap();
    let text = q.render(GraphFormat::Text);
    assert!(text.contains("  s (stream)\n"), "{text}");
    assert!(text.contains("  in/out -> select_0/in\n"), "{text}");
    assert!(text.contains("  s/out -> select_1/in\n"), "{text}");
    assert!(q.render(GraphFormat::Dot).contains("digraph"));
    assert!(q.render(GraphFormat::Mermaid).starts_with("flowchart LR"));
}

#[test]
fn sub_pipeline_nodes_are_prefixed_and_unused_ports_pruned() {
    let q = compile_text(
        "define pipeline p pipeline select event from in into out; end;\n\
         create pipeline p;\nselect event from in into p;\nselect event from p into out;",
    )
    .unwrap();
    let text = q.render(GraphFormat::Text);
    assert!(text.contains("p::in (stream)"), "{text}");
    assert!(text.contains("p::select_"), "{text}");
    assert!(!text.contains("p::err"), "{text}");
}

#[test]
fn errors_carry_codes_and_several_are_reported() {
    let e = compile_text("select event from in into a;\nselect event from b into out;")
        .err()
        .unwrap_or_default();
    assert_eq!(e.matches("error[E0401]").count(), 2, "{e}");
}

#[test]
fn ticks_drive_interval_windows() {
    let q = compile_text(
        "define window w from tumbling with interval = 10 end;\n\
         select aggr::win::collect_flattened(event) from in[w] into out;",
    )
    .unwrap();
    let mut ex = q.executor();
    let mut out = Vec::new();
    ex.send(
        "in",
        Event {
            data: 1u64.into(),
            ..Event::default()
        },
        &mut out,
    );
    ex.signal(&Signal::Tick(5), &mut out);
    assert!(out.is_empty());
    ex.signal(&Signal::Tick(10), &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1.data.encode(), "[1]");
    // the group was evicted: a drain has nothing left
    ex.signal(&Signal::Drain, &mut out);
    assert_eq!(out.len(), 1);
}

/// Which queries may get their input events decoded in part, and with which keys.
#[test]
fn input_projection_needs_field_reads_only() {
    let keys = |text: &str| {
        let q = compile_text(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        q.executor()
            .project_input("in")
            .map(|f| f.keys.iter().map(ToString::to_string).collect::<Vec<_>>())
    };
    let w = "define window w from tumbling with size = 2 end;\n";
    assert_eq!(
        keys(r#"select {"g": event.g, "c2": event.c * 2} from in where event.c > 500 into out;"#),
        Some(vec!["c".into(), "g".into()])
    );
    assert_eq!(
        keys(&format!(
            "{w}select {{\"n\": aggr::stats::count(), \"m\": aggr::stats::mean(event.v)}} \
             from in[w] group by set(event.g) into out having event.n > 1;"
        )),
        Some(vec!["n".into(), "g".into(), "v".into()])
    );
    assert_eq!(
        keys("select event.a from in into out; select event.b from in into out/b;"),
        Some(vec!["a".into(), "b".into()])
    );
    // What a script after the select reads is the select's output, not the input.
    assert_eq!(
        keys(
            "define script s script event end; create script s; \
             select event.a from in into s; select event from s into out;"
        ),
        Some(vec!["a".into()])
    );
    for whole in [
        "select event from in into out;",
        "select event from in where event.a > 1 into out;",
        "select {\"e\": event} from in into out;",
        &format!("{w}select aggr::win::collect_flattened(event) from in[w] into out;"),
        &format!("{w}select aggr::win::collect_flattened() from in[w] into out;"),
        "define operator b from generic::batch with count = 2 end; create operator b; \
         select event from in into b; select event from b into out;",
    ] {
        assert_eq!(keys(whole), None, "{whole}");
    }
}

/// Error codes, in order, of compiling `text`.
fn error_codes(text: &str) -> Vec<&'static str> {
    let mut sources = SourceMap::new();
    let file = sources.add("q.trickle", text);
    match compile_query(&mut sources, file, &ModulePath::default()) {
        Ok(_) => Vec::new(),
        Err(ds) => ds.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn a_failed_definition_is_one_error() {
    let bad_script = "define script s script event + nope::f() end;\ncreate script s;\n\
         select event from in into s;\nselect event from s into out;\nselect event from s/err into out;";
    assert_eq!(error_codes(bad_script), vec!["E0103"]);
    let bad_window = "define window w from tumbling with size = \"x\" end;\n\
         select aggr::stats::count() from in[w] into out;";
    assert_eq!(error_codes(bad_window), vec!["E0408"]);
    let bad_pipeline = "define pipeline p pipeline create stream out; end;\ncreate pipeline p;\n\
         select event from in into p;\nselect event from p into out;";
    assert_eq!(error_codes(bad_pipeline), vec!["E0415"]);
    let bad_use = "fn f() with nope::a() + nope::b() end;\nuse nope;\nselect f() from in into out;";
    assert_eq!(error_codes(bad_use), vec!["E0101"]);
}

#[test]
fn unused_definitions_are_checked() {
    assert_eq!(
        error_codes("define script s script from in event script event end;"),
        vec!["E0413"]
    );
    assert_eq!(
        error_codes("define pipeline p pipeline select x from in into out; end;"),
        vec!["E0207"]
    );
    assert!(
        error_codes("define pipeline p args n pipeline select args.n from in into out; end;")
            .is_empty()
    );
}

//! The worked examples of LANGUAGE §2 on the select runtime, with expressions as
//! closures (the compiler-level cases live in `tests/windows/`).

use super::group::GroupSpec;
use super::select::{Select, SelectMode, SelectSpec};
use super::tilt::EmitSpec;
use crate::aggr::AggrSite;
use crate::event::{Event, EventId, Signal};
use crate::exec::{Operator, Outputs};
use crate::expr::{fn_expr, ExprRef};
use crate::value::{parse_json, Value};
use crate::window::interval::IntervalWindow;
use crate::window::size::SizeWindow;
use crate::window::{Window, WindowSpec};
use std::sync::Arc;

fn field(name: &'static str) -> ExprRef {
    fn_expr(move |s, _| Ok(s.event.get(name).cloned().unwrap_or_default()))
}
fn event_expr() -> ExprRef {
    fn_expr(|s, _| Ok(s.event.clone()))
}
fn aggr(module: &str, name: &str, args: Vec<ExprRef>) -> AggrSite {
    AggrSite {
        decl: crate::aggr::lookup(module, name).expect("aggregate exists"),
        args,
        bound: false,
    }
}
fn window(name: &str, proto: Box<dyn Window>) -> WindowSpec {
    WindowSpec {
        name: name.into(),
        max_groups: usize::MAX,
        proto,
        kind: crate::window::WinKind::Classic,
        late: None,
    }
}
fn select(
    target: ExprRef,
    group_by: Option<GroupSpec>,
    aggrs: Vec<AggrSite>,
    windows: Vec<WindowSpec>,
) -> Select {
    select_by_stream(target, group_by, aggrs, windows, false)
}
fn select_by_stream(
    target: ExprRef,
    group_by: Option<GroupSpec>,
    aggrs: Vec<AggrSite>,
    windows: Vec<WindowSpec>,
    stream_grouped: bool,
) -> Select {
    Select::new(Arc::new(SelectSpec {
        mode: SelectMode::Normal,
        where_: None,
        group_by,
        emit: EmitSpec {
            target,
            having: None,
            aggrs,
            windows,
            args: Value::Null,
            marks: false,
        },
        stream_grouped,
    }))
}
fn feed(sel: &mut Select, lines: &[&str]) -> Vec<String> {
    let mut out = Outputs::new();
    for (i, l) in lines.iter().enumerate() {
        let ev = Event {
            data: parse_json(l).unwrap(),
            meta: Value::record(),
            ingest_ns: i as u64,
            id: EventId {
                peer: "in".into(),
                stream: 0,
                event: i as u64,
            },
            ..Event::default()
        };
        sel.on_event("in", ev, &mut out).unwrap();
    }
    out.into_iter().map(|(_, e)| e.data.encode()).collect()
}

#[test]
fn window_size_tilted() {
    let mut sel = select(
        fn_expr(|s, _| Ok(s.aggrs[0].clone())),
        None,
        vec![aggr("win", "collect_flattened", vec![event_expr()])],
        vec![
            window("by_two", Box::new(SizeWindow::new(2, None))),
            window("by_three", Box::new(SizeWindow::new(3, None))),
        ],
    );
    let mut lines: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    lines.push("\"emit dummy\"".into());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = feed(&mut sel, &refs);
    let expected = [
        "[0,1]",
        "[2,3]",
        "[4,5]",
        "[0,1,2,3,4,5]",
        "[6,7]",
        "[8,9]",
        "[10,11]",
        "[6,7,8,9,10,11]",
        "[12,13]",
        "[14,15]",
        "[16,17]",
        "[12,13,14,15,16,17]",
        "[18,19]",
    ];
    assert_eq!(got, expected);
    // drain: by_two holds "emit dummy", merged into by_three's [18,19]
    let mut out = Outputs::new();
    sel.on_signal(&Signal::Drain, &mut out).unwrap();
    let got: Vec<String> = out.into_iter().map(|(_, e)| e.data.encode()).collect();
    assert_eq!(got, vec![r#"["emit dummy"]"#, r#"[18,19,"emit dummy"]"#]);
}

#[test]
fn group_set_evicts_full_groups_and_drains_the_rest() {
    let target = fn_expr(|s, _| {
        let mut r = crate::value::Record::default();
        r.insert("g".into(), s.group.get_idx(0).cloned().unwrap_or_default());
        r.insert("c".into(), s.aggrs[0].clone());
        Ok(Value::from(r))
    });
    let mut sel = select(
        target,
        Some(GroupSpec::Set(vec![GroupSpec::Expr(field("g"))])),
        vec![aggr("stats", "sum", vec![field("c")])],
        vec![window("by_2", Box::new(SizeWindow::new(2, None)))],
    );
    let got = feed(
        &mut sel,
        &[
            r#"{"g":0,"c":1}"#,
            r#"{"g":1,"c":1}"#,
            r#"{"g":0,"c":2}"#,
            r#"{"g":1,"c":3}"#,
            r#"{"g":0,"c":2}"#,
            r#"{"g":1,"c":3}"#,
        ],
    );
    assert_eq!(got, vec![r#"{"g":0,"c":3.0}"#, r#"{"g":1,"c":4.0}"#]);
    let mut out = Outputs::new();
    sel.on_signal(&Signal::Drain, &mut out).unwrap();
    let got: Vec<String> = out.into_iter().map(|(_, e)| e.data.encode()).collect();
    assert_eq!(got, vec![r#"{"g":0,"c":2.0}"#, r#"{"g":1,"c":3.0}"#]);
}

#[test]
fn window_mixed_2_chains_size_into_interval() {
    let ingest = fn_expr(|s, _| Ok(Value::U64(s.ctx.ingest_ns)));
    let target = fn_expr(|s, _| {
        let mut r = crate::value::Record::default();
        r.insert("w".into(), s.window.clone());
        r.insert("ingest".into(), s.aggrs[0].clone());
        Ok(Value::from(r))
    });
    let mut sel = select(
        target,
        Some(GroupSpec::Set(vec![GroupSpec::Expr(field("g"))])),
        vec![aggr("win", "collect_flattened", vec![ingest])],
        vec![
            window("two", Box::new(SizeWindow::new(2, None))),
            window("five", Box::new(IntervalWindow::new(5, None))),
        ],
    );
    let lines: Vec<String> = (0..11).map(|i| format!(r#"{{"g":{}}}"#, i % 2)).collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = feed(&mut sel, &refs);
    let g0: Vec<&String> = got
        .iter()
        .filter(|s| s.contains("[0,") || s.contains("[4,") || s.contains("[8,"))
        .collect();
    assert_eq!(
        g0,
        vec![
            r#"{"w":"two","ingest":[0,2]}"#,
            r#"{"w":"two","ingest":[4,6]}"#,
            r#"{"w":"two","ingest":[8,10]}"#,
            r#"{"w":"five","ingest":[0,2,4,6]}"#
        ]
    );
}

#[test]
fn max_groups_rejects_new_groups() {
    let mut sel = select(
        fn_expr(|s, _| Ok(s.aggrs[0].clone())),
        Some(GroupSpec::Expr(field("g"))),
        vec![aggr("stats", "count", vec![])],
        vec![WindowSpec {
            name: "w".into(),
            max_groups: 1,
            proto: Box::new(SizeWindow::new(10, None)),
            kind: crate::window::WinKind::Classic,
            late: None,
        }],
    );
    let mut out = Outputs::new();
    let ev = |g: u64| Event {
        data: crate::record! {"g" => g},
        ..Event::default()
    };
    sel.on_event("in", ev(1), &mut out).unwrap();
    let err = sel.on_event("in", ev(2), &mut out).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Maxmimum amount of groups reached (1). Ignoring group [2]"
    );
}

#[test]
fn cardinality_counts_live_groups() {
    let target = fn_expr(|s, _| Ok(Value::from(s.ctx.cardinality)));
    let mut sel = select(
        target,
        Some(GroupSpec::Expr(field("g"))),
        vec![],
        vec![window("w", Box::new(SizeWindow::new(2, None)))],
    );
    let got = feed(
        &mut sel,
        &[r#"{"g":0}"#, r#"{"g":1}"#, r#"{"g":0}"#, r#"{"g":1}"#],
    );
    assert_eq!(got, vec!["2", "1"]);
}

#[test]
fn end_stream_flushes_that_streams_groups() {
    let make = |grouped| {
        select_by_stream(
            fn_expr(|s, _| Ok(s.aggrs[0].clone())),
            Some(GroupSpec::Expr(fn_expr(|s, _| {
                Ok(Value::from(s.ctx.id.map_or(0, |i| i.stream)))
            }))),
            vec![aggr("win", "collect_flattened", vec![event_expr()])],
            vec![window("w", Box::new(SizeWindow::new(10, None)))],
            grouped,
        )
    };
    for grouped in [true, false] {
        let mut sel = make(grouped);
        let mut out = Outputs::new();
        for (stream, v) in [(1u64, 1u64), (2, 2), (1, 3)] {
            let ev = Event {
                data: Value::U64(v),
                id: EventId {
                    peer: "p".into(),
                    stream,
                    event: v,
                },
                ..Event::default()
            };
            sel.on_event("in", ev, &mut out).unwrap();
        }
        let end = Signal::EndStream {
            peer: "p".into(),
            stream: 1,
        };
        sel.on_signal(&end, &mut out).unwrap();
        let got: Vec<String> = out.iter().map(|(_, e)| e.data.encode()).collect();
        if grouped {
            assert_eq!(got, vec!["[1,3]"]);
            assert_eq!(out[0].1.lineage.len(), 2);
        } else {
            assert!(got.is_empty());
        }
    }
}

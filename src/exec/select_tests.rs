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
use crate::window::batch::BatchWindow;
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
        at: None,
    }
}
fn window(name: &str, proto: Box<dyn Window>) -> WindowSpec {
    WindowSpec {
        name: name.into(),
        max_groups: usize::MAX,
        proto,
        kind: crate::window::WinKind::Classic,
        late: None,
        count_time: None,
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
/// Event number `n` of stream 0 of `in`, of JSON `line`, ingested at `ns`.
fn in_event(line: &str, ns: u64, n: u64) -> Event {
    Event {
        data: parse_json(line).unwrap(),
        meta: Value::record(),
        ingest_ns: ns,
        id: EventId {
            peer: "in".into(),
            stream: 0,
            event: n,
        },
        ..Event::default()
    }
}
fn feed(sel: &mut Select, lines: &[&str]) -> Vec<String> {
    let mut out = Outputs::new();
    for (i, l) in lines.iter().enumerate() {
        let ev = in_event(l, i as u64, i as u64);
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

/// Grouped by `event.g` over `windows`: each result is `{"w": WINDOW, "ingest":
/// [the ingest times of its events]}`.
fn ingest_times_by_group(windows: Vec<WindowSpec>) -> Select {
    let ingest = fn_expr(|s, _| Ok(Value::U64(s.ctx.ingest_ns)));
    let target = fn_expr(|s, _| {
        let mut r = crate::value::Record::default();
        r.insert("w".into(), s.window.clone());
        r.insert("ingest".into(), s.aggrs[0].clone());
        Ok(Value::from(r))
    });
    select(
        target,
        Some(GroupSpec::Set(vec![GroupSpec::Expr(field("g"))])),
        vec![aggr("win", "collect_flattened", vec![ingest])],
        windows,
    )
}

#[test]
fn window_mixed_2_chains_size_into_interval() {
    let mut sel = ingest_times_by_group(vec![
        window("two", Box::new(SizeWindow::new(2, None))),
        window("five", Box::new(IntervalWindow::new(5, None))),
    ]);
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
            count_time: None,
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

/// A step of [`ticks_reach_the_groups_a_scan_would`]: an event of group `g`, or a
/// tick; either `dt` ns after the last step.
#[derive(Debug, Clone)]
enum Step {
    Event { g: u8, dt: u64 },
    Tick { dt: u64 },
    EndStream,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0u8..12, 0u64..30).prop_map(|(g, dt)| Step::Event { g, dt }),
        3 => (0u64..60).prop_map(|dt| Step::Tick { dt }),
        1 => Just(Step::EndStream),
    ]
}

/// The windows of case `k`: processing-time windows that ticks close, alone or
/// with a tilt frame after them.
fn tick_windows(k: u8) -> Vec<WindowSpec> {
    match k % 4 {
        0 => vec![window("i", Box::new(IntervalWindow::new(25, None)))],
        1 => vec![window("b", Box::new(BatchWindow::new(3, 40, None)))],
        2 => vec![
            window("i", Box::new(IntervalWindow::new(10, None))),
            window("s", Box::new(SizeWindow::new(2, None))),
        ],
        _ => vec![
            window("b", Box::new(BatchWindow::new(2, 15, None))),
            window("i", Box::new(IntervalWindow::new(50, None))),
        ],
    }
}

/// Runs `steps` through a select over `windows` (grouped by `g`, per stream when
/// `by_stream`); what it emits, as JSON lines.
fn run_ticks(steps: &[Step], windows: Vec<WindowSpec>, every: bool) -> (Vec<String>, usize) {
    let mut sel = ingest_times_by_group(windows);
    if every {
        sel.tick_every_group();
    }
    let mut out = Outputs::new();
    let mut t = 0u64;
    let mut most_timers = 0;
    for (i, s) in steps.iter().enumerate() {
        match s {
            Step::Event { g, dt } => {
                t += dt;
                let ev = in_event(&format!(r#"{{"g":{g}}}"#), t, i as u64);
                sel.on_event("in", ev, &mut out).unwrap();
            }
            Step::Tick { dt } => {
                t += dt;
                sel.on_signal(&Signal::Tick(t), &mut out).unwrap();
            }
            Step::EndStream => {
                let end = Signal::EndStream {
                    peer: "in".into(),
                    stream: 0,
                };
                sel.on_signal(&end, &mut out).unwrap();
            }
        }
        most_timers = most_timers.max(sel.held_timers());
    }
    let lines = out.into_iter().map(|(_, e)| e.data.encode()).collect();
    (lines, most_timers)
}

proptest::proptest! {
    /// Ticks found by timers close the windows, in the order, that asking every
    /// group on every tick closes; and a group holds at most a timer or two.
    #[test]
    fn ticks_reach_the_groups_a_scan_would(
        steps in proptest::collection::vec(step(), 0..120),
        k in 0u8..4,
    ) {
        let (timed, most) = run_ticks(&steps, tick_windows(k), false);
        let (every, _) = run_ticks(&steps, tick_windows(k), true);
        proptest::prop_assert_eq!(timed, every);
        // 12 groups: each holds one timer, plus at most one left by a group
        // that was closed and opened again before that timer was due.
        proptest::prop_assert!(most <= 2 * 12 + 12, "{most} timers");
    }
}

#[test]
fn a_tick_closes_the_due_windows_of_many_groups_in_creation_order() {
    let windows = vec![window("i", Box::new(IntervalWindow::new(1_000, None)))];
    let steps: Vec<Step> = (0..100)
        .map(|g| Step::Event { g: g as u8, dt: 1 })
        .chain((0..10).map(|_| Step::Tick { dt: 10 }))
        .collect();
    let (out, timers) = run_ticks(&steps, windows, false);
    assert!(out.is_empty(), "{out:?}");
    assert!(timers <= 100);
    // A tick past their end closes them all, in creation order.
    let windows = vec![window("i", Box::new(IntervalWindow::new(1_000, None)))];
    let mut steps = steps;
    steps.push(Step::Tick { dt: 2_000 });
    let (out, _) = run_ticks(&steps, windows, false);
    assert_eq!(out.len(), 100);
    // Group g's one event came at ingest time g + 1.
    assert_eq!(out[0], r#"{"w":"i","ingest":[1]}"#);
    assert_eq!(out[99], r#"{"w":"i","ingest":[100]}"#);
}

#[test]
fn timers_of_groups_gone_do_not_pile_up_without_ticks() {
    // As `--clock index` runs: no ticks, so no timer is ever due. Each group's
    // batch fills on its second event, which removes the group and leaves its
    // timer (due in a second) stale.
    let windows = vec![window(
        "b",
        Box::new(BatchWindow::new(2, 1_000_000_000, None)),
    )];
    let steps: Vec<Step> = (0..20_000u32)
        .flat_map(|i| {
            let g = (i % 200) as u8;
            [Step::Event { g, dt: 1 }, Step::Event { g, dt: 1 }]
        })
        .collect();
    let (out, most) = run_ticks(&steps, windows, false);
    assert!(!out.is_empty());
    assert!(most <= 2 * 200 + 1024 + 1, "{most} timers");
}

//! The language server's latency on a 1,000-line query (issue 17's "Done when"):
//! the diagnostics after a one-character change (apply the change, compile, index,
//! convert) and a completion request, both through the server's own message handlers.

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Notification, Request, RequestId};
use serde_json::json;
use trickle::lsp::{handle_notification, handle_request, Workspace};

const URI: &str = "file:///tmp/trickle-bench/q.trickle";

/// A query of 1,002 lines: windows, scripts with `use` and `match`, grouped selects.
pub fn query() -> String {
    let mut s = String::from("use std::string;\n");
    for i in 0..77 {
        s.push_str(&format!(
            "define window w{i} from tumbling with size = {} end;\n\
             define script s{i}\n\
             script\n  \
               use std::string;\n  \
               let event.k{i} = string::len(event.msg) + {i};\n  \
               match event of\n    \
                 case %{{ present a }} => event.a\n    \
                 case _ => event\n  \
               end\n\
             end;\n\
             create script s{i};\n\
             select {{\"n\": aggr::stats::count(), \"m\": aggr::stats::mean(event.v)}} from in[w{i}] group by set(event.g) into s{i};\n\
             select event from s{i} into out;\n",
            i + 1
        ));
    }
    s
}

fn open(ws: &mut Workspace, text: &str) {
    let n = Notification::new(
        "textDocument/didOpen".into(),
        json!({"textDocument": {"uri": URI, "languageId": "trickle", "version": 1, "text": text}}),
    );
    let published = handle_notification(ws, n);
    let diags = &published[0].params["diagnostics"];
    let first = diags.get(0).map(|d| d["message"].to_string());
    assert_eq!(diags.as_array().map(Vec::len), Some(0), "{first:?}");
}

fn lsp(c: &mut Criterion) {
    let text = query();
    assert!(text.lines().count() >= 990, "{}", text.lines().count());
    let mut ws = Workspace::default();
    open(&mut ws, &text);
    let mut version = 1;
    let mut digit = 0;
    c.bench_function("diagnostics after a one-character change (1,000 lines)", |b| {
        b.iter(|| {
            version += 1;
            digit = (digit + 1) % 10;
            // `size = 1` on the second line becomes `size = N`.
            let n = Notification::new(
                "textDocument/didChange".into(),
                json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [
                    {"range": {"start": {"line": 1, "character": 43}, "end": {"line": 1, "character": 44}}, "text": digit.to_string()}
                ]}),
            );
            handle_notification(&mut ws, n)
        })
    });
    let mut id = 0;
    // The first line near the middle that calls `string::len`, right after `string::`.
    let (line_no, character) = text
        .lines()
        .enumerate()
        .skip(500)
        .find_map(|(i, l)| l.find("string::").map(|c| (i, c + 8)))
        .expect("a call");
    c.bench_function("completion (1,000 lines)", |b| {
        b.iter(|| {
            id += 1;
            let r = Request::new(
                RequestId::from(id),
                "textDocument/completion".into(),
                json!({"textDocument": {"uri": URI}, "position": {"line": line_no, "character": character}}),
            );
            handle_request(&ws, r)
        })
    });
}

criterion_group!(benches, lsp);
criterion_main!(benches);

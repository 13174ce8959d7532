//! The `:` commands of the REPL.

use super::report;
use super::session::{Reply, Session};
use crate::exec::GraphFormat;
use crate::testcase::{parse_steps, Numbered, Step, DEFAULT_PEER};
use crate::value::parse_json;
use std::path::Path;

/// Every command with its arguments and what it does (`:help` and completion).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (":event", "JSON", "make JSON the current event; with a session query, send it into `in` and print what each port emits"),
    (":next", "", "step to the next `-i` event (as `:event`)"),
    (":prev", "", "step to the previous `-i` event (as `:event`)"),
    (":tick", "[DURATION]", "move processing time on (default 100ms; `5s`, `250ms`, `10us`, `7ns`, `2m`, `1h`, or ns) and send a tick"),
    (":end", "[STREAM]", "end stream STREAM (default 0) of `in`: its per-stream windows flush"),
    (":steps", "FILE", "play a test case's `steps` file into the session query (no drain at its end)"),
    (":load", "FILE", "load a `.tremor` script or `.trickle` query into the session"),
    (":graph", "", "print the session query's graph"),
    (":functions", "[MODULE]", "list native functions with their one-line docs"),
    (":help", "", "show this help"),
    (":quit", "", "leave (also Ctrl-D)"),
];

impl Session {
    /// Runs one `:command` line.
    pub(super) fn command(&mut self, line: &str) -> Vec<Reply> {
        let (cmd, arg) = match line.split_once(char::is_whitespace) {
            Some((c, a)) => (c, a.trim()),
            None => (line, ""),
        };
        match cmd {
            ":event" | ":e" => self.event_command(arg),
            ":next" | ":n" => self.step(true),
            ":prev" | ":p" => self.step(false),
            ":tick" | ":t" => self.tick_command(arg),
            ":end" => self.end_command(arg),
            ":steps" | ":s" => self.steps_command(arg),
            ":load" | ":l" => self.load(arg),
            ":graph" | ":g" => self.graph_command(),
            ":functions" | ":f" => functions(arg, self.color),
            ":help" | ":h" | ":?" => vec![Reply::Info(help())],
            ":quit" | ":q" | ":exit" => vec![Reply::Quit],
            _ => {
                let known: Vec<&str> = COMMANDS.iter().map(|c| c.0).collect();
                let hint = known
                    .iter()
                    .find(|k| k.starts_with(cmd) && cmd.len() > 1)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                self.fail(&format!(
                    "unknown command `{cmd}`{hint}; `:help` lists the commands"
                ))
            }
        }
    }

    fn fail(&self, message: &str) -> Vec<Reply> {
        vec![Reply::Error(report::plain(message, self.color))]
    }

    fn event_command(&mut self, arg: &str) -> Vec<Reply> {
        if arg.is_empty() {
            return self.fail("`:event` needs a JSON document, e.g. `:event {\"a\": 1}`");
        }
        match parse_json(arg) {
            Ok(v) => self.send(v),
            Err(e) => self.fail(&format!("`:event`: not a JSON document: {e}")),
        }
    }

    /// `:tick [DURATION]`: processing time moves on by DURATION and a tick is sent.
    fn tick_command(&mut self, arg: &str) -> Vec<Reply> {
        let by = if arg.is_empty() {
            DEFAULT_TICK_NS
        } else {
            match parse_duration(arg) {
                Some(ns) => ns,
                None => {
                    return self.fail(&format!(
                        "`:tick`: `{arg}` is not a duration (e.g. `100ms`, `5s`, `2m`, or ns)"
                    ))
                }
            }
        };
        let at = self.player.now().saturating_add(by);
        self.play(&[numbered(Step::Tick(at))], None)
    }

    /// `:end [STREAM]`: stream STREAM of `in` ends.
    fn end_command(&mut self, arg: &str) -> Vec<Reply> {
        let stream = if arg.is_empty() {
            0
        } else {
            match arg.parse::<u64>() {
                Ok(s) => s,
                Err(_) => {
                    return self.fail(&format!(
                        "`:end`: `{arg}` is not a stream id (a non-negative integer)"
                    ))
                }
            }
        };
        let step = Step::EndStream {
            peer: DEFAULT_PEER.to_string(),
            stream,
        };
        self.play(&[numbered(step)], None)
    }

    /// `:steps FILE`: every step of a test case's `steps` file, in order.
    fn steps_command(&mut self, arg: &str) -> Vec<Reply> {
        if arg.is_empty() {
            return self.fail("`:steps` needs a file");
        }
        let text = match std::fs::read_to_string(arg) {
            Ok(t) => t,
            Err(e) => return self.fail(&format!("cannot read {arg}: {e}")),
        };
        match parse_steps(&text) {
            Ok(steps) => self.play(&steps, Some(arg)),
            Err(e) => self.fail(&format!("{arg} {e}")),
        }
    }

    /// `:next` / `:prev`.
    fn step(&mut self, forward: bool) -> Vec<Reply> {
        if self.events.is_empty() {
            return self.fail("no events to step through: start the REPL with `-i EVENTS`");
        }
        let next = match (self.cursor, forward) {
            (None, true) => Some(0),
            (None, false) => None,
            (Some(i), true) => (i + 1 < self.events.len()).then_some(i + 1),
            (Some(i), false) => i.checked_sub(1),
        };
        let Some(i) = next else {
            let which = if forward { "last" } else { "first" };
            return self.fail(&format!(
                "already at the {which} event ({} events)",
                self.events.len()
            ));
        };
        self.cursor = Some(i);
        let v = self.events[i].clone();
        self.send(v)
    }

    /// `:load FILE`: the file's statements are entered as if typed; `use` also
    /// searches the file's folder from now on.
    pub fn load(&mut self, arg: &str) -> Vec<Reply> {
        if arg.is_empty() {
            return self.fail("`:load` needs a file");
        }
        let path = Path::new(arg);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return self.fail(&format!("cannot read {arg}: {e}")),
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        if !self.path.dirs.contains(&dir) {
            self.path.dirs.push(dir);
        }
        self.statements(&text, arg)
    }

    fn graph_command(&self) -> Vec<Reply> {
        match &self.graph {
            Some(g) => vec![Reply::Info(g.query.render(GraphFormat::Text))],
            None => self.fail(
                "no session query yet: enter `define`, `create` or `select` statements first",
            ),
        }
    }
}

/// How far `:tick` moves time without an argument: one tick of `trickle run`.
const DEFAULT_TICK_NS: u64 = 100_000_000;

fn numbered(step: Step) -> Numbered {
    Numbered { line: 0, step }
}

/// `250ms`, `5s`, `10us`, `7ns`, `2m`, `1h`, `1d`, or a plain number of ns.
fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let scale: u64 = match unit.trim() {
        "" | "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        _ => return None,
    };
    n.checked_mul(scale)
}

/// `:functions [MODULE]`: the functions of the standard library (as `use`
/// names them: `string`, `std::string`, `time::nanos`), the built-ins called
/// without a module, and the aggregates (`aggr`, `aggr::stats`), each with the
/// first line of the docs hover and `trickle doc` show.
fn functions(module: &str, color: bool) -> Vec<Reply> {
    use crate::doc::catalog;
    let module = module.strip_prefix("std::").unwrap_or(module);
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut modules: Vec<String> = Vec::new();
    let first = |doc: &str| doc.lines().next().unwrap_or("").trim().to_string();
    for m in catalog::stdlib() {
        let path = m.path.strip_prefix("std::").unwrap_or(&m.path);
        modules.push(path.to_string());
        if !module.is_empty() && module != path {
            continue;
        }
        for i in m
            .items
            .iter()
            .filter(|i| i.kind == catalog::ItemKind::Function)
        {
            rows.push((format!("{}::{}", m.alias(), i.name), first(&i.doc)));
        }
    }
    for f in catalog::unbound_natives() {
        if module.is_empty() || module == f.module {
            rows.push((format!("{}::{}", f.module, f.name), first(f.doc)));
        }
        modules.push(f.module.to_string());
    }
    for d in crate::aggr::all() {
        let path = format!("aggr::{}", d.module);
        if module.is_empty() || module == "aggr" || module == path {
            rows.push((format!("{path}::{}", d.name), first(d.doc)));
        }
        modules.push(path);
    }
    if rows.is_empty() {
        modules.sort();
        modules.dedup();
        return vec![Reply::Error(report::plain(
            &format!("no module `{module}`; modules: {}", modules.join(", ")),
            color,
        ))];
    }
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let lines: Vec<String> = rows
        .iter()
        .map(|(name, doc)| format!("{name:<width$}  {doc}"))
        .collect();
    vec![Reply::Info(lines.join("\n"))]
}

/// `:help`.
pub fn help() -> String {
    let mut s = String::from(
        "Enter an expression to evaluate it against the current event ({} until one is given).\n\
         `let`, `use`, `fn` and `const` persist; `define`, `create` and `select` build the session query.\n\
         Input continues over lines while a bracket, a block (`match ... end`), a heredoc or a\n\
         query statement (up to its `;`) is open.\n\nCommands:\n",
    );
    for (cmd, args, what) in COMMANDS {
        let usage = if args.is_empty() {
            (*cmd).to_string()
        } else {
            format!("{cmd} {args}")
        };
        s.push_str(&format!("  {usage:<22}{what}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::ModulePath;
    use crate::value::Value;

    fn session(events: &[&str]) -> Session {
        let events = events.iter().map(|e| parse_json(e).unwrap()).collect();
        Session::new(ModulePath::default(), events, false)
    }

    fn is_error(r: &[Reply]) -> bool {
        matches!(r, [Reply::Error(_)])
    }

    #[test]
    fn stepping_through_events() {
        let mut s = session(&[r#"{"n":1}"#, r#"{"n":2}"#]);
        assert!(is_error(&s.command(":prev")));
        assert!(
            matches!(&s.command(":next")[..], [Reply::Value(v)] if v.get("n") == Some(&Value::from(1u64)))
        );
        assert!(
            matches!(&s.command(":n")[..], [Reply::Value(v)] if v.get("n") == Some(&Value::from(2u64)))
        );
        assert!(is_error(&s.command(":next")));
        assert!(
            matches!(&s.command(":prev")[..], [Reply::Value(v)] if v.get("n") == Some(&Value::from(1u64)))
        );
        assert!(is_error(&session(&[]).command(":next")));
    }

    #[test]
    fn bad_commands_are_errors() {
        let mut s = session(&[]);
        assert!(is_error(&s.command(":event")));
        assert!(is_error(&s.command(":event {nope")));
        assert!(is_error(&s.command(":graph")));
        assert!(is_error(&s.command(":load")));
        assert!(is_error(&s.command(":load /nonexistent/x.tremor")));
        assert!(is_error(&s.command(":functions nosuchmodule")));
        let r = s.command(":evnt");
        assert!(matches!(&r[..], [Reply::Error(t)] if t.contains("unknown command")));
        assert!(matches!(&s.command(":quit")[..], [Reply::Quit]));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7"), Some(7));
        assert_eq!(parse_duration("250ms"), Some(250_000_000));
        assert_eq!(parse_duration("5s"), Some(5_000_000_000));
        assert_eq!(parse_duration("2m"), Some(120_000_000_000));
        assert_eq!(parse_duration("10us"), Some(10_000));
        for bad in ["", "s", "5 parsecs", "-1s", "1.5s", "99999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn ticks_and_ends_step_windows() {
        let mut s = session(&[]);
        assert!(is_error(&s.command(":tick")), "no session query yet");
        assert!(is_error(&s.command(":tick soon")));
        assert!(is_error(&s.command(":end x")));
        assert!(is_error(&s.command(":steps")));
        s.input(
            "define window w from tumbling with interval = datetime::with_seconds(1) end;",
            "<repl>",
        );
        s.input(
            "define window two from tumbling with size = 2 end;",
            "<repl>",
        );
        s.input("select aggr::stats::count() from in[w] into out;", "<repl>");
        s.input(
            "select aggr::win::collect_flattened(event) from in[two] group by [stream_id()] into out;",
            "<repl>",
        );
        s.command(":event 1");
        assert!(matches!(&s.command(":tick 500ms")[..], [Reply::Info(t)] if t == "(no output)"));
        let r = s.command(":tick 1s");
        assert!(
            matches!(&r[..], [Reply::Emitted { value, .. }] if *value == Value::from(1u64)),
            "{r:?}"
        );
        let r = s.command(":end");
        assert!(
            matches!(&r[..], [Reply::Emitted { value, .. }] if *value == parse_json("[1]").unwrap()),
            "{r:?}"
        );
    }

    #[test]
    fn functions_lists_one_module_with_docs() {
        let (with_std, plain) = (functions("std::string", false), functions("string", false));
        assert_eq!(format!("{with_std:?}"), format!("{plain:?}"));
        let r = functions("string", false);
        let [Reply::Info(text)] = &r[..] else {
            panic!("{r:?}")
        };
        assert!(text.lines().all(|l| l.starts_with("string::")), "{text}");
        assert!(text.contains("string::format"), "{text}");
        assert!(help().contains(":functions [MODULE]"));
    }
}

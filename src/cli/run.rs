//! `trickle run`: feed input lines into a compiled query or script and write what
//! comes out. One loop for both: wait for input (with a timeout, so ticks and
//! Ctrl-C are noticed), decode, hand to the engine, write the outputs.

use super::args::{ClockArg, CodecArg, RunArgs};
use super::engine::{Engine, Outputs, QueryEngine, ScriptEngine};
use super::input::{self, Chunk, Decoded, Decoder, Input};
use super::load::{load, Program, EXIT_OK, EXIT_RUNTIME};
use super::output::Sinks;
use crate::diag::ColorMode;
use crate::event::{Event, EventId, Signal};
use crate::peer::codec::{Codec, Json, Text};
use crate::value::{Fields, Str, Value};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often ticks are sent in the wall clock (and Ctrl-C is checked in any clock).
const TICK: Duration = Duration::from_millis(100);

/// Runs `trickle run` and returns the exit code.
pub fn run(args: &RunArgs, color: ColorMode) -> i32 {
    let loaded = match load(&args.file, &args.include, color) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // A query with peers runs on the peer runtime (tokio); `in`/`out`/`err` become
    // its implicit stdin/file and stdout/stderr peers there.
    if let Program::Query(q) = &loaded.program {
        if crate::peer::runtime::needs_peers(q) {
            let opts = crate::peer::runtime::Options {
                inputs: args.inputs.clone(),
                output: args.output.clone(),
                codec: match args.codec {
                    CodecArg::String => "string".into(),
                    CodecArg::Json => "json".into(),
                },
                index_clock: args.clock == ClockArg::Index,
                final_flush: !args.no_final_flush,
                metrics: args.metrics,
                record: args.record.clone(),
            };
            return crate::peer::runtime::run(q, &opts);
        }
    }
    let out: Box<dyn Write> = match &args.output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("trickle: cannot write {}: {e}", p.display());
                return EXIT_RUNTIME;
            }
        },
        None => Box::new(std::io::stdout()),
    };
    let recorder = match &args.record {
        Some(p) => match crate::testcase::Recorder::create(p) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("trickle: cannot write {}: {e}", p.display());
                return EXIT_RUNTIME;
            }
        },
        None => None,
    };
    // Where events from `in` go unchanged when the query only forwards them.
    let mut forward = None;
    // The fields of events from `in` the query reads, when that is all it reads.
    let mut project = None;
    let (mut engine, reads_in): (Box<dyn Engine + '_>, bool) = match &loaded.program {
        Program::Script(s) => (Box::new(ScriptEngine::new(s, &loaded.sources)), true),
        Program::Query(q) => {
            let reads_in = q.inputs().iter().any(|i| i == "in");
            let mut executor = q.executor();
            // Nothing here acks: lineage matters only to `event_ids()`.
            if !q.reads_lineage {
                executor.drop_lineage();
            }
            // A recording holds whole events, so they are decoded whole.
            if args.codec == CodecArg::Json && recorder.is_none() {
                (forward, project) = json_plan(&mut executor);
            }
            let projected = project.is_some();
            let engine = QueryEngine {
                executor,
                projected,
            };
            (Box::new(engine), reads_in)
        }
    };
    let (inputs, names) = if reads_in {
        match open_inputs(args) {
            Ok(opened) => opened,
            Err(e) => {
                eprintln!("trickle: {e}");
                return EXIT_RUNTIME;
            }
        }
    } else {
        (Vec::new(), Vec::new())
    };
    let mut run = RunLoop {
        engine: engine.as_mut(),
        sinks: Sinks::new(out),
        codec: codec(args.codec),
        clock: args.clock,
        names: names.clone(),
        outputs: Vec::new(),
        next_event: 0,
        forward: forward.clone(),
        recorder,
    };
    let decoder = Decoder {
        codec: codec(args.codec),
        skip_blank: args.codec == CodecArg::Json,
        max_line: input::MAX_LINE,
        compact: forward.is_some(),
        project,
        scratch: Default::default(),
    };
    let status = run.run(
        input::spawn(inputs, names, decoder),
        reads_in,
        !args.no_final_flush,
        stop_flag(),
    );
    if args.metrics {
        eprint!("{}", run.sinks.metrics_table());
    }
    if let (Some(r), Some(path)) = (&mut run.recorder, &args.record) {
        if let Err(e) = r.finish() {
            eprintln!("trickle: cannot write {}: {e}", path.display());
            return EXIT_RUNTIME;
        }
    }
    status
}

/// How JSON events from `in` reach the query: the output they are written to as
/// read when the query only forwards them, else the fields to decode when the
/// query reads only those (else neither: decoded whole).
fn json_plan(executor: &mut crate::query::Executor) -> (Option<String>, Option<Arc<Fields>>) {
    match executor.forwards_unchanged("in") {
        Some(output) => (Some(output), None),
        None => (None, executor.project_input("in").map(Arc::from)),
    }
}

/// The peer codec behind `--codec`.
fn codec(arg: CodecArg) -> Box<dyn Codec> {
    match arg {
        CodecArg::Json => Box::new(Json::default()),
        CodecArg::String => Box::new(Text),
    }
}

type Opened = (Vec<Box<dyn Read + Send>>, Vec<String>);

/// Opens every `-i` file up front, so a missing one stops the run before it starts.
fn open_inputs(args: &RunArgs) -> Result<Opened, String> {
    if args.inputs.is_empty() {
        return Ok((vec![Box::new(std::io::stdin())], vec!["stdin".into()]));
    }
    let mut readers: Vec<Box<dyn Read + Send>> = Vec::new();
    let mut names = Vec::new();
    for p in &args.inputs {
        if p.as_os_str() == "-" {
            readers.push(Box::new(std::io::stdin()));
            names.push("stdin".into());
            continue;
        }
        let f = std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        readers.push(Box::new(f));
        names.push(p.display().to_string());
    }
    Ok((readers, names))
}

/// Set by Ctrl-C: stop reading, drain, flush, exit 0. A second Ctrl-C exits at once.
fn stop_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    // Fails only if a handler is already installed (a second run in one process): then
    // the run simply cannot be interrupted gracefully, which is no reason to fail.
    let _ = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    flag
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

struct RunLoop<'e> {
    engine: &'e mut (dyn Engine + 'e),
    sinks: Sinks,
    /// Re-decodes a line for a script's error report (decoding itself happens on
    /// the reader thread).
    codec: Box<dyn Codec>,
    clock: ClockArg,
    names: Vec<String>,
    outputs: Outputs,
    next_event: u64,
    /// The output that events from `in` reach unchanged, when the query only forwards
    /// them: lines already in compact form are written there without an event.
    forward: Option<String>,
    /// `--record`: what enters the engine, as steps.
    recorder: Option<crate::testcase::Recorder>,
}

impl RunLoop<'_> {
    fn run(
        &mut self,
        mut reader: input::Reader,
        reads_in: bool,
        final_flush: bool,
        stop: Arc<AtomicBool>,
    ) -> i32 {
        let stream = || (Str::from("in"), 0);
        let mut status = EXIT_OK;
        if reads_in {
            let (peer, stream) = stream();
            self.signal(&Signal::StartStream { peer, stream });
        }
        let mut next_tick = Instant::now() + TICK;
        while !stop.load(Ordering::SeqCst) {
            let wait = next_tick.saturating_duration_since(Instant::now());
            match reader.next(wait) {
                Some(Input::Lines(mut chunk)) => {
                    self.chunk(&mut chunk);
                    reader.recycle(chunk);
                }
                Some(Input::Failed(e)) => {
                    eprintln!("trickle: {e}");
                    status = EXIT_RUNTIME;
                    break;
                }
                Some(Input::End) => break,
                None => {}
            }
            if Instant::now() >= next_tick {
                next_tick = Instant::now() + TICK;
                if self.clock == ClockArg::Wall {
                    self.signal(&Signal::Tick(now_ns()));
                }
            }
            if let Err(e) = self.sinks.flush() {
                return write_failed(&e);
            }
        }
        if reads_in {
            let (peer, stream) = stream();
            self.signal(&Signal::EndStream { peer, stream });
        }
        if final_flush {
            self.signal(&Signal::Drain);
        }
        match self.sinks.flush() {
            Ok(()) => status,
            Err(e) => write_failed(&e),
        }
    }

    fn chunk(&mut self, chunk: &mut Chunk) {
        let input = chunk.input;
        let read_ns = chunk.read_ns;
        for (line_no, line, decoded, json) in chunk.take() {
            let data = match decoded {
                Decoded::Value(v) => v,
                Decoded::Blank => continue,
                Decoded::Compact(..) => {
                    // Exactly what the graph would have written for this event.
                    self.next_event += 1;
                    self.sinks.received();
                    let port = self.forward.as_deref().unwrap_or("out");
                    let _ = self.sinks.write_encoded(port, json);
                    continue;
                }
                Decoded::Bad(e, preview) => {
                    let name = self.names.get(input).map_or("input", String::as_str);
                    let text = format!("{name}:{line_no}: {e}");
                    let raw = preview.as_ref().map_or(line, |p| p.as_bytes());
                    let _ = self.sinks.malformed(text, raw);
                    continue;
                }
            };
            let i = self.next_event;
            self.next_event += 1;
            let id = EventId {
                peer: Str::from("in"),
                stream: 0,
                event: i,
            };
            let mut ingest_ns = match self.clock {
                ClockArg::Index => i,
                ClockArg::Wall => read_ns,
            };
            if let Some(r) = &mut self.recorder {
                ingest_ns = r.ingest_ns(ingest_ns);
                r.event("in", 0, ingest_ns, &data);
            }
            let event = Event {
                data,
                meta: Value::record(),
                ingest_ns,
                // Empty means just the event itself (SPEC §4): no allocation per event.
                lineage: Vec::new(),
                id,
                origin: None,
            };
            self.sinks.received();
            // Only on a script error: a fresh codec, so the hot path keeps no copy.
            let codec = &self.codec;
            let original = || codec.fresh().decode(line).unwrap_or_default();
            self.engine.event(event, &original, &mut self.outputs);
            self.write_outputs();
        }
    }

    fn signal(&mut self, signal: &Signal) {
        self.engine.signal(signal, &mut self.outputs);
        if let Some(r) = &mut self.recorder {
            r.signal(signal, !self.outputs.is_empty());
        }
        self.write_outputs();
    }

    fn write_outputs(&mut self) {
        for (port, event) in self.outputs.drain(..) {
            // A failed write to `out` is noticed at the next flush, which stops the run.
            let _ = self.sinks.write(&port, &event.data);
        }
    }
}

fn write_failed(e: &std::io::Error) -> i32 {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        eprintln!("trickle: cannot write output: {e}");
    }
    EXIT_RUNTIME
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Echoes each event as `[ingest_ns, id, data]` and each signal's name on `out`.
    struct Echo;
    impl Engine for Echo {
        fn event(&mut self, event: Event, _: &dyn Fn() -> Value, out: &mut Outputs) {
            let v = Value::from(vec![
                Value::from(event.ingest_ns),
                Value::from(event.id.event),
                event.data.clone(),
            ]);
            out.push(("out".into(), Event { data: v, ..event }));
        }
        fn signal(&mut self, signal: &Signal, out: &mut Outputs) {
            let name = match signal {
                Signal::Tick(_) => return,
                Signal::StartStream { .. } => "start",
                Signal::EndStream { .. } => "end",
                Signal::Drain => "drain",
            };
            out.push((
                "out".into(),
                Event {
                    data: Value::from(name),
                    ..Event::default()
                },
            ));
        }
    }

    fn run_echo(input: &'static [u8], final_flush: bool) -> (i32, String) {
        run_echo_from(Box::new(input), final_flush)
    }

    fn run_echo_from(input: Box<dyn Read + Send>, final_flush: bool) -> (i32, String) {
        let (code, text, _) = run_echo_counting(input, final_flush);
        (code, text)
    }

    /// A run loop writing to `buf`, in the index clock, reading input "mem".
    fn test_loop<'e>(
        engine: &'e mut (dyn Engine + 'e),
        buf: &Shared,
        forward: Option<String>,
    ) -> RunLoop<'e> {
        RunLoop {
            engine,
            sinks: Sinks::new(Box::new(buf.clone())),
            codec: codec(CodecArg::Json),
            clock: ClockArg::Index,
            names: vec!["mem".into()],
            outputs: Vec::new(),
            next_event: 0,
            forward,
            recorder: None,
        }
    }

    fn json_decoder(max_line: usize, compact: bool, project: Option<Arc<Fields>>) -> Decoder {
        Decoder {
            codec: codec(CodecArg::Json),
            skip_blank: true,
            max_line,
            compact,
            project,
            scratch: Default::default(),
        }
    }

    /// Also returns the input peer's `(out, err)` counts.
    fn run_echo_counting(
        input: Box<dyn Read + Send>,
        final_flush: bool,
    ) -> (i32, String, (u64, u64)) {
        let buf = Shared::default();
        let mut engine = Echo;
        let mut run = test_loop(&mut engine, &buf, None);
        let decoder = json_decoder(64, false, None);
        let reader = input::spawn(vec![input], vec!["mem".into()], decoder);
        let stop = Arc::new(AtomicBool::new(false));
        let code = run.run(reader, true, final_flush, stop);
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let c = &run.sinks.counts()[0];
        (code, text, (c.out, c.err))
    }

    /// Runs `query` over `input` as `trickle run` does and returns what `out` got.
    fn run_query(query: &str, input: &'static [u8]) -> (String, bool) {
        use crate::compile::ModulePath;
        let mut sources = crate::diag::SourceMap::new();
        let file = sources.add("q.trickle", query);
        let q = crate::query::compile_query(&mut sources, file, &ModulePath::default())
            .unwrap_or_else(|_| panic!("{query} compiles"))
            .value;
        let mut executor = q.executor();
        let (forward, project) = json_plan(&mut executor);
        let mut engine = QueryEngine {
            executor,
            projected: project.is_some(),
        };
        let buf = Shared::default();
        let mut run = test_loop(&mut engine, &buf, forward.clone());
        let decoder = json_decoder(input::MAX_LINE, forward.is_some(), project);
        let reader = input::spawn(vec![Box::new(input)], vec!["mem".into()], decoder);
        run.run(reader, true, true, Arc::new(AtomicBool::new(false)));
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        (text, forward.is_some())
    }

    #[test]
    fn forwarded_events_are_written_as_the_graph_would() {
        let input: &'static [u8] = b"{\"a\": 1, \"b\": [1.5, \"x\"]}\n\
            {\"a\":\"\\u0041\", \"a\": 2}\n{bad\n  \n1E5\n-0\n\"\\n\"\n[ ]\n";
        let (forwarded, fast) = run_query("select event from in into out;", input);
        let (evaluated, slow) = run_query("select event from in where true into out;", input);
        assert!(fast && !slow);
        assert_eq!(forwarded, evaluated);
        assert_eq!(
            forwarded,
            "{\"a\":1,\"b\":[1.5,\"x\"]}\n{\"a\":2}\n100000.0\n0\n\"\\n\"\n[]\n"
        );
    }

    #[test]
    fn an_over_long_line_is_an_error_and_the_run_goes_on() {
        let input = format!("\"a\"\n\"{}\"\n\"b\"\n", "x".repeat(100));
        let input: &'static [u8] = input.into_bytes().leak();
        let (code, out, counts) = run_echo_counting(Box::new(input), false);
        assert_eq!(code, EXIT_OK);
        assert_eq!(out, "\"start\"\n[0,0,\"a\"]\n[1,1,\"b\"]\n\"end\"\n");
        assert_eq!(counts, (2, 1));
    }

    #[test]
    fn run_loop_feeds_index_clock_then_ends_stream_and_drains() {
        let (code, out) = run_echo(b"\"a\"\n{bad\n\n\"b\"\n", true);
        assert_eq!(code, EXIT_OK);
        let want = "\"start\"\n[0,0,\"a\"]\n[1,1,\"b\"]\n\"end\"\n\"drain\"\n";
        assert_eq!(out, want);
        let (_, out) = run_echo(b"1\n", false);
        assert!(!out.contains("drain"), "{out}");
    }

    #[test]
    fn decodes_by_codec() {
        let (_, out) = run_echo(b"{\"a\":[1,2.5]}\n  \n", true);
        assert!(out.contains("[0,0,{\"a\":[1,2.5]}]\n\"end\""), "{out}");
        assert!(codec(CodecArg::Json).decode(b"{oops").is_err());
        let s = codec(CodecArg::String).decode(b"{oops").unwrap();
        assert_eq!(s.as_str(), Some("{oops"));
        assert!(codec(CodecArg::String).decode(b"\xff").is_err());
    }

    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("gone"))
        }
    }

    #[test]
    fn a_failing_input_stops_the_run_with_code_3() {
        let (code, out) = run_echo_from(Box::new(Broken), true);
        assert_eq!(code, EXIT_RUNTIME);
        // What was read is still ended and drained before exiting.
        assert_eq!(out, "\"start\"\n\"end\"\n\"drain\"\n");
    }
}

//! `stdin`, `stdout` and `stderr`. A `stdin` peer reads one stream (id 0) that
//! ends at the end of the input.

use super::{Ctx, ToGraph};
use super::{Kind, Registration, Sink, Start, Started};
use crate::peer::kind_docs::KindDoc;
use crate::peer::PeerError;
use crate::value::Value;
use std::io::{ErrorKind, Read};
use std::sync::Arc;
use tokio::sync::mpsc;

/// `stdin` as the registry lists it.
pub const STDIN: Registration = Registration {
    doc: &KindDoc {
        kind: "stdin",
        nature: "source",
        summary: "Reads the process's standard input: one stream that ends at end of file.",
        keys: &[],
    },
    configure: |_| Arc::new(Stdin),
};

/// `stdout` as the registry lists it.
pub const STDOUT: Registration = Registration {
    doc: &KindDoc {
        kind: "stdout",
        nature: "sink",
        summary: "Writes events to standard output, flushed per event.",
        keys: &[],
    },
    configure: |_| Arc::new(Output::Stdout),
};

/// `stderr` as the registry lists it.
pub const STDERR: Registration = Registration {
    doc: &KindDoc {
        kind: "stderr",
        nature: "sink",
        summary: "Writes events to standard error, flushed per event.",
        keys: &[],
    },
    configure: |_| Arc::new(Output::Stderr),
};

/// A `stdin` peer (also the CLI's `in`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stdin;

impl Kind for Stdin {
    fn reads_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        STDIN.doc
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        if s.reads {
            start_stdin(s.ctx);
        }
        Ok(Started::default())
    }
}

/// A `stdout` or `stderr` peer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    Stdout,
    Stderr,
}

impl Output {
    /// The process's own output, for the executor thread to write itself (the
    /// run's `out` and `err`).
    pub fn writer(self) -> Box<dyn std::io::Write + Send> {
        match self {
            Output::Stdout => Box::new(std::io::stdout()),
            Output::Stderr => Box::new(std::io::stderr()),
        }
    }
}

impl Kind for Output {
    fn writes_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        match self {
            Output::Stdout => STDOUT.doc,
            Output::Stderr => STDERR.doc,
        }
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        if !s.writes {
            return Ok(Started::default());
        }
        let tx = start_std_sink(&s.ctx, *self == Output::Stderr);
        Ok(Started::sink(Sink::Writer(tx)))
    }
}

/// How much one read takes.
const READ_BYTES: usize = 64 * 1024;
/// How long a halted reader sleeps between looks at whether the run is over.
const HALT_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Starts a `stdin` peer: its one stream is read on a thread of its own (reading
/// stdin blocks), decoded as a connection's stream is (on the fast path when it
/// holds JSON lines).
fn start_stdin(ctx: Ctx) {
    let handle = tokio::runtime::Handle::current();
    std::thread::spawn(move || read_stdin(&ctx, &handle));
}

/// Reads stdin as stream 0 of the peer: start, events, end, done.
fn read_stdin(ctx: &Ctx, rt: &tokio::runtime::Handle) {
    let stream = 0;
    let meta = Value::record();
    if !rt.block_on(ctx.send(ToGraph::Start {
        peer: ctx.idx,
        stream,
    })) {
        return;
    }
    let mut stdin = std::io::stdin();
    let mut dec = ctx.decoder();
    let mut buf = vec![0u8; READ_BYTES];
    loop {
        // Halted: leave the bytes where they are until the sinks are ready.
        while !ctx.gate.is_open(stream) {
            if ctx.tx.is_closed() {
                return;
            }
            ctx.gate.wait_blocking(stream, HALT_POLL);
        }
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                dec.push(&buf[..n]);
                if !rt.block_on(ctx.decoded(stream, &mut dec, &meta, &[])) {
                    return;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                let text = format!("cannot read stdin: {e}");
                let _ = ctx.tx.blocking_send(ToGraph::Fatal(text));
                return;
            }
        }
    }
    dec.end();
    if !rt.block_on(ctx.decoded(stream, &mut dec, &meta, &[])) {
        return;
    }
    let _ = ctx.tx.blocking_send(ToGraph::End {
        peer: ctx.idx,
        stream,
    });
    let _ = ctx.tx.blocking_send(ToGraph::Done { peer: ctx.idx });
}

/// Starts a `stdout` or `stderr` sink; returns the channel the executor writes to.
fn start_std_sink(ctx: &Ctx, stderr: bool) -> mpsc::UnboundedSender<super::Outgoing> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    let handle = tokio::spawn(async move {
        if stderr {
            let w = tokio::io::stderr();
            super::write_output(&task_ctx, Some(0), rx, w, Some("stderr")).await;
        } else {
            let w = tokio::io::stdout();
            super::write_output(&task_ctx, Some(0), rx, w, Some("stdout")).await;
        }
    });
    ctx.track(handle);
    tx
}

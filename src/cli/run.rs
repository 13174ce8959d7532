//! `trickle run`: load the program and hand it to the peer runtime, where the
//! input `in` (stdin or the `-i` files) and the outputs `out` (stdout or `-o`) and
//! `err` (stderr) are built-in peers beside the ones the query defines.

use super::args::{ClockArg, CodecArg, RunArgs};
use super::load::{load, Program};
use super::progress::Progress;
use crate::diag::ColorMode;
use crate::peer::runtime;

/// Runs `trickle run` and returns the exit code.
pub fn run(args: &RunArgs, color: ColorMode) -> i32 {
    let loaded = match load(&args.file, &args.include, color) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let progress = Progress::start(args);
    let opts = runtime::Options {
        inputs: args.inputs.clone(),
        output: args.output.clone(),
        codec: match args.codec {
            CodecArg::String => "string".into(),
            CodecArg::Json => "json".into(),
        },
        index_clock: args.clock == ClockArg::Index,
        final_flush: !args.no_final_flush,
        metrics: args.metrics,
        progress: progress.as_ref().map(Progress::counters),
        record: args.record.clone(),
    };
    let program = match &loaded.program {
        Program::Query(q) => runtime::Program::Query(q),
        Program::Script(s) => runtime::Program::Script(s, &loaded.sources),
    };
    runtime::run(program, &opts)
}

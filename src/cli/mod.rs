//! The `trickle` command line: argument parsing and dispatch, no language logic.
//!
//! | module | holds |
//! |---|---|
//! | `args` | the clap grammar and every command's help |
//! | `load` | reading and compiling a program, printing diagnostics, exit codes |
//! | `playground` | serves the browser playground's page |
//! | `run` | hands the program to the peer runtime ([`crate::peer::runtime`]); `progress` (the progress line) |
//!
//! `trickle test` is [`crate::testcase`], which `cargo test` also uses.

mod args;
mod fmt;
mod load;
mod playground;
mod progress;
mod report;
mod run;

pub use args::Cli;
pub use load::{EXIT_COMPILE, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE};

use crate::diag::ColorMode;
use args::Command;
use clap::{CommandFactory, Parser};
use load::{load, Program};
use std::path::PathBuf;

/// Runs the CLI and returns the process exit code (SPEC §8).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout and exit 0; usage errors to stderr and exit 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let color = ColorMode::from(cli.color);
    match cli.command {
        Command::Run(args) => run::run(&args, color),
        Command::Check { files, include } => check(&files, &include, color),
        Command::Test {
            paths,
            no_final_flush,
            bless,
            filter,
        } => test(paths, no_final_flush, bless, filter, color),
        Command::Graph {
            file,
            format,
            include,
        } => graph(&file, format.into(), &include, color),
        Command::Repl {
            file,
            events,
            include,
        } => crate::repl::main(
            &crate::repl::Options {
                file,
                events,
                include,
            },
            color,
        ),
        Command::Fmt { files, check } => fmt::fmt(&files, check, color),
        Command::Lsp => crate::lsp::main(),
        Command::Doc { out } => crate::doc::main(out.as_deref()),
        Command::Playground { port, dir } => playground::main(port, dir.as_deref()),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "trickle",
                &mut std::io::stdout(),
            );
            EXIT_OK
        }
    }
}

/// `trickle check`: the worst exit code of all files (a file that cannot be read
/// is 3, one that does not compile 1), after checking every file.
fn check(files: &[PathBuf], include: &[PathBuf], color: ColorMode) -> i32 {
    files
        .iter()
        .map(|f| load(f, include, color).map_or_else(|code| code, |_| EXIT_OK))
        .max()
        .unwrap_or(EXIT_OK)
}

fn test(
    paths: Vec<PathBuf>,
    no_final_flush: bool,
    bless: bool,
    filter: Option<String>,
    color: ColorMode,
) -> i32 {
    let opts = crate::testcase::Options {
        no_final_flush,
        bless,
        filter,
        timeout: None,
    };
    let stdout = std::io::stdout().lock();
    let mut out: Box<dyn std::io::Write> = if color.stdout_wants_color() {
        Box::new(report::Painted::new(stdout))
    } else {
        Box::new(stdout)
    };
    let result = crate::testcase::run_all(&paths, &opts, &mut out);
    let _ = out.flush();
    match result {
        Ok(summary) if summary.ok() => EXIT_OK,
        Ok(_) => EXIT_COMPILE,
        Err(e) => {
            crate::diag::say(format_args!("cannot write the report: {e}"));
            EXIT_RUNTIME
        }
    }
}

fn graph(
    file: &std::path::Path,
    format: crate::query::GraphFormat,
    include: &[PathBuf],
    color: ColorMode,
) -> i32 {
    let loaded = match load(file, include, color) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match loaded.program {
        Program::Query(q) => {
            let mut text = q.render(format);
            if !text.ends_with('\n') {
                text.push('\n');
            }
            // A reader that went away (`| head`) is not an error worth a panic.
            match crate::diag::stdout_text(&text) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    crate::diag::say(format_args!("cannot write output: {e}"));
                    EXIT_RUNTIME
                }
                _ => EXIT_OK,
            }
        }
        Program::Script(_) => {
            crate::diag::say(format_args!(
                "{} is a script; `graph` draws `.trickle` queries",
                file.display()
            ));
            EXIT_USAGE
        }
    }
}

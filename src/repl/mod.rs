//! `trickle repl` (SPEC §10): an interactive session over the expression and
//! query language.
//!
//! | module | holds |
//! |---|---|
//! | `session` | the session state and how an input changes it |
//! | `input` | an input split into statements, sorted by kind |
//! | `commands` | the `:` commands |
//! | `report` | errors rendered against the input just typed |
//! | `print` | results as JSON, coloured or not |
//! | `validate` | when multi-line input is complete |
//! | `indent` | the indent Enter types on a continuation line |
//! | `highlight`, `complete`, `names`, `helper` | the line editor: colours, completion, hints |
//! | `terminal` | the interactive loop and history; `piped` the scripted one |
//!
//! A walkthrough is in `examples/repl.md`.

mod commands;
mod complete;
mod helper;
mod highlight;
mod indent;
mod input;
mod names;
mod piped;
mod print;
mod report;
mod session;
mod terminal;
mod validate;

pub use session::{Reply, Session};
pub use validate::is_complete;

use crate::compile::ModulePath;
use crate::diag::ColorMode;
use crate::value::{parse_json, Value};
use print::Style;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// What `trickle repl` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A script or query loaded first, as with `:load`.
    pub file: Option<PathBuf>,
    /// JSON-lines events for `:next` / `:prev`.
    pub events: Option<PathBuf>,
    /// `-I` folders for `use`.
    pub include: Vec<PathBuf>,
}

/// Runs `trickle repl`; returns the exit code.
pub fn main(opts: &Options, color: ColorMode) -> i32 {
    let events = match &opts.events {
        Some(p) => match read_events(p) {
            Ok(e) => e,
            Err(msg) => {
                crate::diag::say(&msg);
                return crate::exit::EXIT_RUNTIME;
            }
        },
        None => Vec::new(),
    };
    let terminal = std::io::stdin().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    // Scripted sessions get no colour unless it is asked for explicitly.
    let (out_color, err_color) = match color {
        ColorMode::Always => (true, true),
        ColorMode::Never => (false, false),
        ColorMode::Auto if !terminal => (false, false),
        ColorMode::Auto => (
            !no_color && std::io::stdout().is_terminal(),
            color.stderr_wants_color(),
        ),
    };
    let path = ModulePath::new(Some(Path::new(".")), &opts.include);
    let mut session = Session::new(path, events, err_color);
    let style = Style {
        pretty: terminal,
        color: out_color,
    };
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let mut failed = false;
    if let Some(file) = &opts.file {
        let replies = session.load(&file.display().to_string());
        failed = replies.iter().any(|r| matches!(r, Reply::Error(_)));
        print::replies(&replies, style, &mut stdout, &mut stderr);
    }
    let code = if terminal {
        terminal::run(&mut session, style)
    } else {
        piped::run(
            &mut session,
            std::io::stdin().lock(),
            &mut stdout,
            &mut stderr,
            style,
        )
    };
    if failed && code == crate::exit::EXIT_OK && !terminal {
        crate::exit::EXIT_COMPILE
    } else {
        code
    }
}

/// Handles one input; a bug that panics is reported and the session goes on.
fn handle(session: &mut Session, text: &str, name: &str) -> Vec<Reply> {
    let run = std::panic::AssertUnwindSafe(|| session.input(text, name));
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        vec![Reply::Error(
            "error: internal error while evaluating this input (a bug); the session goes on\n"
                .into(),
        )]
    })
}

/// The `-i` file: one JSON document per line, blank lines skipped.
fn read_events(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_json(l).map_err(|e| format!("{}:{}: not JSON: {e}", path.display(), i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The line editor's helpers run outside the session's panic guard: any
        /// text and cursor position must be safe.
        #[test]
        fn editor_helpers_never_panic(
            text in r#"[a-z:.$#{}\[\]()"`%|<>=,;_ \n0-9é]{0,40}"#,
            pos in 0usize..50,
        ) {
            let names = names::Names::default();
            let _ = is_complete(&text);
            let _ = highlight::highlight(&text);
            let _ = complete::complete(&names, &text, pos);
            let _ = complete::hint(&names, &text, pos.min(text.len()));
        }

        #[test]
        fn sessions_never_panic(text in r#"[a-z:.$#{}\[\]()"`%|<>=,;_ \n0-9]{0,30}"#) {
            let mut s = Session::new(ModulePath::default(), Vec::new(), false);
            let _ = s.input(&text, "<repl>");
        }
    }

    #[test]
    fn events_files_are_json_lines() {
        let dir = std::env::temp_dir().join(format!("trickle-repl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.jsonl");
        std::fs::write(&good, "{\"a\":1}\n\n[2]\n").unwrap();
        assert_eq!(read_events(&good).unwrap().len(), 2);
        let bad = dir.join("bad.jsonl");
        std::fs::write(&bad, "{\"a\":1}\n{nope\n").unwrap();
        let e = read_events(&bad).unwrap_err();
        assert!(e.contains("bad.jsonl:2"), "{e}");
        assert!(read_events(&dir.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

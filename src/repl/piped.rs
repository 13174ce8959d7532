//! The REPL without a terminal: plain lines from stdin with the same continuation
//! rules, no prompt, no colour, each result on stdout as soon as its input is
//! complete, so sessions can be scripted (`printf '1 + 1\n' | trickle repl`).

use super::print::{self, Style};
use super::session::{Reply, Session};
use super::validate::is_complete;
use std::io::{BufRead, Write};

/// Reads inputs until `:quit` or the end of `input`. Exit code 0, or 1 when any
/// input was answered with an error (so a script can tell).
pub fn run(
    session: &mut Session,
    input: impl BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    style: Style,
) -> i32 {
    let mut failed = false;
    let mut pending = String::new();
    let mut answer = |session: &mut Session, text: &str, failed: &mut bool| -> bool {
        let replies = super::handle(session, text, "<repl>");
        *failed |= replies.iter().any(|r| matches!(r, Reply::Error(_)));
        print::replies(&replies, style, out, err);
        replies.iter().any(|r| matches!(r, Reply::Quit))
    };
    for line in input.lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(err, "trickle: cannot read stdin: {e}");
                return crate::exit::EXIT_RUNTIME;
            }
        };
        if pending.is_empty() && line.trim().is_empty() {
            continue;
        }
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if !is_complete(&pending) {
            continue;
        }
        let text = std::mem::take(&mut pending);
        if answer(session, &text, &mut failed) {
            return exit(failed);
        }
    }
    // Input that was still open at the end gets its "unexpected end" error.
    if !pending.trim().is_empty() {
        answer(session, &pending, &mut failed);
    }
    exit(failed)
}

fn exit(failed: bool) -> i32 {
    if failed {
        crate::exit::EXIT_COMPILE
    } else {
        crate::exit::EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::ModulePath;

    fn drive(script: &str) -> (String, String, i32) {
        let mut s = Session::new(ModulePath::default(), Vec::new(), false);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let style = Style {
            pretty: false,
            color: false,
        };
        let code = run(&mut s, script.as_bytes(), &mut out, &mut err, style);
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
            code,
        )
    }

    #[test]
    fn lines_continue_until_complete() {
        let (out, err, code) = drive(
            "let x = [1,\n 2]\n\nmatch x of\n case [1, 2] => \"yes\"\n case _ => \"no\"\nend\n",
        );
        assert_eq!(out, "\"yes\"\n", "stderr: {err}");
        assert_eq!(code, 0);
    }

    #[test]
    fn errors_go_on_and_set_the_exit_code() {
        let (out, err, code) = drive("1 +* 2\n40 + 2\n");
        assert_eq!(out, "42\n");
        assert!(err.contains("error[E0002]"), "{err}");
        assert!(err.contains("<repl>:1:"), "{err}");
        assert_eq!(code, 1);
    }

    #[test]
    fn quit_stops_reading_and_open_input_is_reported() {
        let (out, _, _) = drive("1\n:quit\n2\n");
        assert_eq!(out, "1\n");
        let (_, err, code) = drive("[1, 2,\n");
        assert!(err.contains("Unexpected end of stream"), "{err}");
        assert_eq!(code, 1);
    }
}

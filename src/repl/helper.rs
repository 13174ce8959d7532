//! The glue between rustyline and the REPL's validator, highlighter, completer
//! and hinter.

use super::complete::{complete, hint};
use super::highlight::highlight;
use super::names::Names;
use super::validate::is_complete;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;

/// The editor's helper; `names` is refreshed after every input.
pub struct ReplHelper {
    pub names: Names,
    /// Colour the line being typed.
    pub color: bool,
    files: FilenameCompleter,
}

impl ReplHelper {
    pub fn new(color: bool) -> Self {
        ReplHelper {
            names: Names::default(),
            color,
            files: FilenameCompleter::new(),
        }
    }
}

/// A hint; only the rest of a word can be accepted into the line (a doc cannot).
pub struct ReplHint {
    display: String,
    accept: bool,
}

impl Hint for ReplHint {
    fn display(&self) -> &str {
        &self.display
    }
    fn completion(&self) -> Option<&str> {
        self.accept.then_some(self.display.as_str())
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if line.trim_start().starts_with(":load ") || line.trim_start().starts_with(":l ") {
            return self.files.complete(line, pos, ctx);
        }
        let (start, found) = complete(&self.names, line, pos);
        let pairs = found
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = ReplHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<ReplHint> {
        let h = hint(&self.names, line, pos)?;
        // Docs and argument summaries start with a space; word endings do not.
        let accept = !h.starts_with(' ');
        Some(ReplHint { display: h, accept })
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if self.color {
            Cow::Owned(format!("\x1b[1;32m{prompt}\x1b[0m"))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    /// Any typed character can change the tokens (a quote turns the rest into a string).
    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for ReplHelper {}

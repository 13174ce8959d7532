//! Printing diagnostics for people: colour choice and a closing summary line.
//! Used only at the edges (CLI, REPL, test runner); the compiler never prints.

use super::{Diagnostic, SourceMap};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};
use std::io::IsTerminal;

/// `--color auto|always|never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorMode {
    /// Whether output to stderr should be coloured. An explicit `always` wins over
    /// `NO_COLOR`, which only turns off the automatic choice.
    pub fn stderr_wants_color(self) -> bool {
        self.wants_color(std::io::stderr().is_terminal())
    }

    /// Whether a report on stdout (`trickle test`) should be coloured.
    pub fn stdout_wants_color(self) -> bool {
        self.wants_color(std::io::stdout().is_terminal())
    }

    fn wants_color(self, terminal: bool) -> bool {
        match self {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && terminal
            }
        }
    }

    /// A stderr writer that colours (or not) according to this mode.
    pub fn stderr(self) -> StandardStream {
        let choice = if self.stderr_wants_color() {
            ColorChoice::Always
        } else {
            ColorChoice::Never
        };
        StandardStream::stderr(choice)
    }
}

/// Prints every diagnostic to `out`, then a summary line when there were errors:
/// `error: could not compile `FILE` due to N previous errors`.
pub fn emit_report(
    diags: &[Diagnostic],
    sources: &SourceMap,
    file: &str,
    out: &mut dyn WriteColor,
) {
    for d in diags {
        d.emit(sources, out);
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let plural = if errors == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "error: could not compile `{file}` due to {errors} previous error{plural}"
        );
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{codes, Span};
    use codespan_reporting::term::termcolor::{Buffer, NoColor};

    fn sample() -> (SourceMap, Diagnostic) {
        let mut sources = SourceMap::new();
        let file = sources.add("dir/x.tremor", "let a = 1;\nsnot\n");
        let span = Span {
            file,
            start: 11,
            end: 15,
        };
        let d = Diagnostic::error(codes::PARSER_ERROR, "unknown thing", span)
            .with_help("try `badger`")
            .with_note("a note");
        (sources, d)
    }

    #[test]
    fn renders_rustc_style_with_file_as_given() {
        let (sources, d) = sample();
        let text = d.render(&sources);
        assert!(text.starts_with("error[E0001]: unknown thing"), "{text}");
        assert!(text.contains("┌─ dir/x.tremor:2:1"), "{text}");
        assert!(text.contains("= help: try `badger`"), "{text}");
        assert!(text.contains("= note: a note"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour codes: {text}");
    }

    #[test]
    fn report_counts_errors_and_colours_on_request() {
        let (sources, d) = sample();
        let mut plain = NoColor::new(Vec::new());
        emit_report(&[d.clone(), d.clone()], &sources, "x.tremor", &mut plain);
        let text = String::from_utf8(plain.into_inner()).unwrap();
        assert!(text.ends_with("due to 2 previous errors\n"), "{text}");
        let mut coloured = Buffer::ansi();
        emit_report(&[d], &sources, "x.tremor", &mut coloured);
        assert!(coloured.as_slice().contains(&0x1b), "ansi escapes expected");
    }

    #[test]
    fn explicit_modes_ignore_environment() {
        assert!(ColorMode::Always.stderr_wants_color());
        assert!(!ColorMode::Never.stderr_wants_color());
    }
}

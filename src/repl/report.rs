//! Errors shown against what was just typed.
//!
//! The session compiles `accepted statements + new input` as one text, so spans
//! point into that text. To report against the input alone (`<repl>:1:5`, not line
//! 40 of a text nobody typed), the spans are moved into a copy of the sources where
//! the input is a file of its own and the accepted part is `<session>`.

use crate::diag::{Diagnostic, SourceMap, Span};
use crate::interp::RuntimeError;
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::term::{self, termcolor::Buffer};

/// Where an input sits in the text that was compiled.
pub struct Placed<'a> {
    /// Length of the session text before the input (file 0 of the compile).
    pub prefix_len: usize,
    /// Name of the input in messages: `<repl>` or the `:load`ed path.
    pub name: &'a str,
}

/// The sources to render with, and the input's file id in them.
struct Remap {
    sources: SourceMap,
    input: u32,
    prefix_len: usize,
}

impl Remap {
    fn new(compiled: &SourceMap, at: &Placed) -> Remap {
        let mut sources = SourceMap::new();
        let whole = compiled.text(0);
        let cut = floor_boundary(whole, at.prefix_len);
        sources.add("<session>", &whole[..cut]);
        // Modules loaded by `use` keep their ids.
        let mut id = 1;
        while compiled.files().get(id as usize).is_ok() {
            sources.add(compiled.name(id), compiled.text(id));
            id += 1;
        }
        let input = sources.add(at.name, &whole[cut..]);
        Remap {
            sources,
            input,
            prefix_len: cut,
        }
    }

    fn span(&self, s: Span) -> Span {
        let p = self.prefix_len as u32;
        if s.file != 0 {
            s
        } else if s.start >= p {
            Span {
                file: self.input,
                start: s.start - p,
                end: s.end.saturating_sub(p),
            }
        } else {
            Span {
                end: s.end.min(p),
                ..s
            }
        }
    }

    fn diag(&self, d: &Diagnostic) -> Diagnostic {
        let mut d = d.clone();
        d.span = d.span.map(|s| self.span(s));
        for (s, _) in &mut d.secondary {
            *s = self.span(*s);
        }
        d
    }
}

/// The largest char boundary at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn buffer(color: bool) -> Buffer {
    if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    }
}

fn text(buf: Buffer) -> String {
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// Renders diagnostics of a compile of `session text + input`.
pub fn diagnostics(diags: &[Diagnostic], compiled: &SourceMap, at: &Placed, color: bool) -> String {
    let remap = Remap::new(compiled, at);
    let mut buf = buffer(color);
    for d in diags {
        remap.diag(d).emit(&remap.sources, &mut buf);
    }
    text(buf)
}

/// Whether a diagnostic is about the input (warnings about accepted statements
/// were shown when they were accepted).
pub fn is_about_input(d: &Diagnostic, at: &Placed) -> bool {
    d.span
        .is_none_or(|s| s.file != 0 || s.start as usize >= at.prefix_len)
}

/// Renders a runtime error rustc-style, its span against the input.
pub fn runtime(e: &RuntimeError, compiled: &SourceMap, at: &Placed, color: bool) -> String {
    let remap = Remap::new(compiled, at);
    let span = remap.span(e.span);
    let mut d = CsDiagnostic::error()
        .with_message(e.message.clone())
        .with_labels(vec![Label::primary(
            span.file as usize,
            span.start as usize..span.end as usize,
        )
        .with_message(e.message.clone())]);
    if let Some(n) = &e.note {
        d = d.with_notes(vec![format!("note: {n}")]);
    }
    let mut buf = buffer(color);
    if term::emit(
        &mut buf,
        &term::Config::default(),
        remap.sources.files(),
        &d,
    )
    .is_err()
    {
        return format!("error: {}\n", e.message);
    }
    text(buf)
}

/// Renders an error that has no source (a bad command, an unreadable file).
pub fn plain(message: &str, color: bool) -> String {
    let d = CsDiagnostic::<usize>::error().with_message(message);
    let mut buf = buffer(color);
    let files = codespan_reporting::files::SimpleFiles::<String, String>::new();
    if term::emit(&mut buf, &term::Config::default(), &files, &d).is_err() {
        return format!("error: {message}\n");
    }
    text(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::codes;

    #[test]
    fn spans_in_the_input_are_reported_against_it() {
        let mut compiled = SourceMap::new();
        compiled.add("<s>", "const A = 1;\nsnot + 1");
        let at = Placed {
            prefix_len: 13,
            name: "<repl>",
        };
        let d = Diagnostic::error(codes::MISSING_CONST, "no snot", Span::new(0, 13, 17));
        let out = diagnostics(std::slice::from_ref(&d), &compiled, &at, false);
        assert!(out.contains("┌─ <repl>:1:1"), "{out}");
        assert!(out.contains("snot + 1"), "{out}");
        assert!(!out.contains('\u{1b}'));
        assert!(is_about_input(&d, &at));
        let old = Diagnostic::error(codes::MISSING_CONST, "old", Span::new(0, 0, 5));
        assert!(!is_about_input(&old, &at));
        let out = diagnostics(&[old], &compiled, &at, true);
        assert!(out.contains("<session>:1:1"), "{out}");
        assert!(out.contains('\u{1b}'), "colour asked for: {out}");
    }

    #[test]
    fn runtime_errors_point_at_the_input() {
        let mut compiled = SourceMap::new();
        compiled.add("<s>", "x.y");
        let at = Placed {
            prefix_len: 0,
            name: "<repl>",
        };
        let e = RuntimeError::new("no key `y`", Span::new(0, 0, 3));
        let out = runtime(&e, &compiled, &at, false);
        assert!(out.starts_with("error: no key `y`"), "{out}");
        assert!(out.contains("<repl>:1:1"), "{out}");
        assert!(plain("bad", false).starts_with("error: bad"));
    }
}

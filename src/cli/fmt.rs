//! `trickle fmt [--check] [FILE|-]...`: rewrites files in the canonical layout
//! ([`crate::fmt`]), or with `--check` prints what would change and exits 1.

use super::load::{kind_of, Kind as LoadKind};
use crate::diag::{ColorMode, Diagnostic, SourceMap};
use crate::exit::{EXIT_COMPILE, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE};
use crate::fmt::{diff, format, Kind};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Formats every file (stdin for `-` or when none is given); the worst exit code wins:
/// 1 a file does not parse (or would change, with `--check`), 2 not a `.trickle` /
/// `.tremor` file, 3 a file that cannot be read or written.
pub fn fmt(files: &[PathBuf], check: bool, color: ColorMode) -> i32 {
    if files.is_empty() {
        return stdin(check, color);
    }
    files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                stdin(check, color)
            } else {
                file(f, check, color)
            }
        })
        .max()
        .unwrap_or(EXIT_OK)
}

fn file(path: &Path, check: bool, color: ColorMode) -> i32 {
    let kind = match kind_of(path) {
        Ok(LoadKind::Query) => Kind::Query,
        Ok(LoadKind::Script) => Kind::Script,
        Err(e) => {
            crate::diag::say(&e);
            return EXIT_USAGE;
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            crate::diag::say(format_args!("cannot read {}: {e}", path.display()));
            return EXIT_RUNTIME;
        }
    };
    let name = path.display().to_string();
    let text = match text_of(&name, bytes, color) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let formatted = match format(&text, kind) {
        Ok(f) => f,
        Err(diags) => return report(&diags, &name, text, color),
    };
    if formatted == text {
        return EXIT_OK;
    }
    if check {
        let _ = crate::diag::stdout_text(&diff(&text, &formatted, &name));
        return EXIT_COMPILE;
    }
    match std::fs::write(path, formatted) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            crate::diag::say(format_args!("cannot write {}: {e}", path.display()));
            EXIT_RUNTIME
        }
    }
}

/// `-`: stdin to stdout (as a query; queries and scripts share one grammar).
fn stdin(check: bool, color: ColorMode) -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        crate::diag::say(format_args!("cannot read stdin: {e}"));
        return EXIT_RUNTIME;
    }
    let text = match text_of("<stdin>", bytes, color) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let formatted = match format(&text, Kind::Query) {
        Ok(f) => f,
        Err(diags) => return report(&diags, "<stdin>", text, color),
    };
    if check {
        if formatted == text {
            return EXIT_OK;
        }
        let _ = crate::diag::stdout_text(&diff(&text, &formatted, "<stdin>"));
        return EXIT_COMPILE;
    }
    let mut out = std::io::stdout().lock();
    match out
        .write_all(formatted.as_bytes())
        .and_then(|_| out.flush())
    {
        Ok(()) => EXIT_OK,
        Err(e) => {
            crate::diag::say(format_args!("cannot write stdout: {e}"));
            EXIT_RUNTIME
        }
    }
}

/// The text of a program; bytes that are not UTF-8 are reported (E0015) as
/// `trickle check` reports them, and give the exit code.
fn text_of(name: &str, bytes: Vec<u8>, color: ColorMode) -> Result<String, i32> {
    let mut sources = SourceMap::new();
    match sources.add_bytes(name, bytes) {
        Ok(file) => Ok(sources.text(file).to_string()),
        Err(d) => Err(emit(&[*d], &sources, name, color)),
    }
}

/// Prints why a file cannot be formatted; it is left untouched.
fn report(diags: &[Diagnostic], name: &str, text: String, color: ColorMode) -> i32 {
    let mut sources = SourceMap::new();
    sources.add(name.to_string(), text);
    emit(diags, &sources, name, color)
}

fn emit(diags: &[Diagnostic], sources: &SourceMap, name: &str, color: ColorMode) -> i32 {
    let mut stderr = color.stderr();
    for d in diags {
        d.emit(sources, &mut stderr);
    }
    let n = diags.len();
    let plural = if n == 1 { "" } else { "s" };
    let _ = writeln!(
        stderr,
        "error: could not format `{name}` due to {n} previous error{plural}"
    );
    EXIT_COMPILE
}

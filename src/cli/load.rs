//! Reading a program file and compiling it, printing diagnostics to stderr.

use crate::compile::{compile_script, ModulePath};
use crate::diag::{emit_report, ColorMode, Diagnostic, SourceMap};
use crate::exec::Query;
use crate::exit::{EXIT_COMPILE, EXIT_RUNTIME, EXIT_USAGE};
use crate::interp::Script;
use crate::query::compile_query;
use std::path::{Path, PathBuf};

/// A compiled program and the files it was compiled from.
pub struct Loaded {
    pub sources: SourceMap,
    pub program: Program,
}

/// What a file compiled to.
pub enum Program {
    Script(Script),
    Query(Query),
}

/// The kind of program a file holds, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Script,
    Query,
}

/// `.tremor` is a script, `.trickle` a query; anything else is a usage error.
pub fn kind_of(path: &Path) -> Result<Kind, String> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("tremor") => Ok(Kind::Script),
        Some("trickle") => Ok(Kind::Query),
        _ => Err(format!(
            "{}: expected a `.trickle` query or a `.tremor` script",
            path.display()
        )),
    }
}

/// Reads and compiles `path`, printing warnings and errors to stderr.
/// On failure returns the exit code: 2 unknown kind, 3 unreadable, 1 compile errors.
pub fn load(path: &Path, include: &[PathBuf], color: ColorMode) -> Result<Loaded, i32> {
    let kind = kind_of(path).map_err(|e| {
        crate::diag::say(&e);
        EXIT_USAGE
    })?;
    let bytes = std::fs::read(path).map_err(|e| {
        crate::diag::say(format_args!("cannot read {}: {e}", path.display()));
        EXIT_RUNTIME
    })?;
    let mut sources = SourceMap::new();
    // The name as given, so diagnostics point at the path the user typed.
    let name = path.display().to_string();
    let file = match sources.add_bytes(name.clone(), bytes) {
        Ok(file) => file,
        Err(d) => {
            report(&[*d], &sources, &name, color);
            return Err(EXIT_COMPILE);
        }
    };
    let module_path = ModulePath::new(path.parent().map(dir_or_dot), include);
    let result = match kind {
        Kind::Script => compile_script(&mut sources, file, &module_path)
            .map(|c| (Program::Script(c.value), c.warnings)),
        Kind::Query => compile_query(&mut sources, file, &module_path)
            .map(|c| (Program::Query(c.value), c.warnings)),
    };
    let (program, diags) = match result {
        Ok((program, warnings)) => (Some(program), warnings),
        Err(errors) => (None, errors),
    };
    report(&diags, &sources, &name, color);
    match program {
        Some(program) => Ok(Loaded { sources, program }),
        None => Err(EXIT_COMPILE),
    }
}

/// `a.trickle` has parent `""`: modules beside it are in `.`.
fn dir_or_dot(p: &Path) -> &Path {
    if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    }
}

fn report(diags: &[Diagnostic], sources: &SourceMap, name: &str, color: ColorMode) {
    if diags.is_empty() {
        return;
    }
    let mut stderr = color.stderr();
    emit_report(diags, sources, name, &mut stderr);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_extensions() {
        assert_eq!(kind_of(Path::new("a/b.tremor")), Ok(Kind::Script));
        assert_eq!(kind_of(Path::new("b.trickle")), Ok(Kind::Query));
        assert!(kind_of(Path::new("b.json")).is_err());
        assert!(kind_of(Path::new("trickle")).is_err());
    }

    #[test]
    fn unknown_kind_and_missing_file_codes() {
        assert_eq!(
            load(Path::new("x.txt"), &[], ColorMode::Never).err(),
            Some(EXIT_USAGE)
        );
        let missing = Path::new("/nonexistent/trickle/x.trickle");
        assert_eq!(
            load(missing, &[], ColorMode::Never).err(),
            Some(EXIT_RUNTIME)
        );
        assert_eq!(dir_or_dot(Path::new("")), Path::new("."));
    }

    #[test]
    fn a_program_that_is_not_utf8_is_a_diagnostic_at_the_bad_byte() {
        let dir = std::env::temp_dir().join(format!("trickle-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("q.trickle");
        std::fs::write(&p, b"select event\nfrom in \xff\xfe into out;\n").unwrap();
        assert_eq!(load(&p, &[], ColorMode::Never).err(), Some(EXIT_COMPILE));
        let bytes = std::fs::read(&p).unwrap();
        let mut sources = SourceMap::new();
        let d = sources.add_bytes("q.trickle", bytes).unwrap_err();
        let text = d.render(&sources);
        assert!(text.contains("error[E0015]"), "{text}");
        assert!(text.contains("q.trickle:2:9"), "{text}");
        assert!(text.contains("byte 0xff at line 2, column 9"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

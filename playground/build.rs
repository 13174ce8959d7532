//! Builds the playground's example menu from the `examples/` folder, so a new
//! example appears without a list to keep:
//!
//! - a file `examples/NAME.trickle` or `NAME.tremor` whose header runs it with
//!   `-i examples/INPUT` (as `cargo run -- run examples/hello.trickle -i examples/hello.jsonl`),
//!   with that file as JSON lines;
//! - a case folder under `examples/` (`query.trickle` or `script.tremor`, with
//!   `steps` or `in`), as the test runner reads it.
//!
//! Peers' examples need sockets and files and are left out (they have no input).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

struct Example {
    name: String,
    program: PathBuf,
    input: PathBuf,
    kind: &'static str,
}

/// `-i examples/X` in the first lines of a top-level example.
fn named_input(root: &Path, text: &str) -> Option<PathBuf> {
    let header = text.lines().take_while(|l| l.starts_with('#'));
    for line in header {
        let mut words = line.split_whitespace();
        while let Some(w) = words.next() {
            if w == "-i" {
                let file = words.next()?.strip_prefix("examples/")?;
                let path = root.join(file);
                return path.is_file().then_some(path);
            }
        }
    }
    None
}

fn top_level(root: &Path, out: &mut Vec<Example>) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for path in files {
        let ext = path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("trickle" | "tremor")) {
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        if let Some(input) = named_input(root, &text) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            out.push(Example {
                name: name.into_owned(),
                program: path.clone(),
                input,
                kind: "lines",
            });
        }
    }
}

fn cases(root: &Path, dir: &Path, out: &mut Vec<Example>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let program = ["query.trickle", "script.tremor"]
            .iter()
            .map(|f| d.join(f))
            .find(|p| p.is_file());
        let input = [("steps", "steps"), ("in", "lines")]
            .iter()
            .map(|(f, k)| (d.join(f), *k))
            .find(|(p, _)| p.is_file());
        if let (Some(program), Some((input, kind))) = (program, input) {
            let name = d.strip_prefix(root).unwrap_or(&d).to_string_lossy();
            out.push(Example {
                name: name.replace('\\', "/"),
                program,
                input,
                kind,
            });
        }
        cases(root, &d, out);
    }
}

/// The wasm stack the module is linked with (the default is 1 MiB); see
/// `STACK_BUDGET` in src/lib.rs for why recursion is bounded well below it.
const WASM_STACK: usize = 4 << 20;

fn main() {
    if std::env::var("CARGO_CFG_TARGET_FAMILY").as_deref() == Ok("wasm") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size={WASM_STACK}");
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("..").join("examples");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut examples = Vec::new();
    top_level(&root, &mut examples);
    cases(&root, &root, &mut examples);
    let mut code = String::from("&[\n");
    for e in &examples {
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?}), include_str!({:?}), {:?}),",
            e.name,
            e.program.display().to_string(),
            e.input.display().to_string(),
            e.kind
        );
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("examples.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}

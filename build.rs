//! Build script of the `trickle` package:
//!
//! - `stdlib/` is embedded with `include_dir!`, which cargo does not track, so ask
//!   for a rebuild when any module file changes;
//! - `trickle playground` serves the page `playground/build.sh` built into
//!   `playground/dist/`, embedded here when it exists (an empty list when not: the
//!   command then says how to build it).
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=stdlib");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dist = root.join("playground").join("dist");
    // Watching a path that does not exist would rerun this on every build: watch
    // the folder it appears in until it does.
    if dist.is_dir() {
        println!("cargo:rerun-if-changed={}", dist.display());
    } else if root.join("playground").is_dir() {
        println!(
            "cargo:rerun-if-changed={}",
            root.join("playground").display()
        );
    }
    let mut files = Vec::new();
    if std::env::var_os("CARGO_FEATURE_RUNTIME").is_some() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();
    let mut code = String::from("&[\n");
    for (name, path) in &files {
        let _ = writeln!(code, "    ({name:?}, include_bytes!({path:?})),");
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("playground_files.rs"), code).expect("OUT_DIR is writable");
}

/// Every file under `dir` as (`/`-separated path relative to `base`, absolute path).
fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((rel.join("/"), path.display().to_string()));
        }
    }
}

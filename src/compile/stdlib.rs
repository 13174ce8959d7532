//! The standard library modules (the top-level `stdlib/` folder), compiled into
//! the binary so `use std::string;` works without files on disk.

use include_dir::{include_dir, Dir};

static STDLIB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/stdlib");

/// The text of `rel` (e.g. `std/string.tremor`), if the stdlib has it.
pub(crate) fn file(rel: &str) -> Option<&'static str> {
    STDLIB.get_file(rel).and_then(|f| f.contents_utf8())
}

/// Whether `rel` (e.g. `std`) is a folder of modules in the stdlib.
pub(crate) fn is_dir(rel: &str) -> bool {
    STDLIB.get_dir(rel).is_some()
}

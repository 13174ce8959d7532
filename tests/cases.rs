//! Every case folder under `tests/` (SPEC §9), found by walking the tree, run by the
//! same runner as `trickle test`. `BLESS=1 cargo test --test cases` rewrites the
//! expectations; `cargo test --test cases -- TEXT` runs only cases whose path holds TEXT.

use std::path::PathBuf;
use std::time::Duration;
use trickle::testcase::{run_all, Options};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // libtest flags that make sense here: listing runs nothing.
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // Case names are paths relative to the package, as `trickle test tests/` prints them.
    if let Err(e) = std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")) {
        eprintln!("cannot enter the package folder: {e}");
        std::process::exit(1);
    }
    let opts = Options {
        no_final_flush: false,
        bless: std::env::var("BLESS").is_ok_and(|v| v == "1"),
        filter: args.into_iter().find(|a| !a.starts_with('-')),
        // Generous for debug builds on a busy machine; a case that takes this long is stuck.
        timeout: Some(Duration::from_secs(60)),
    };
    let stdout = std::io::stdout();
    match run_all(&[PathBuf::from("tests")], &opts, &mut stdout.lock()) {
        Ok(summary) if summary.ok() => {}
        Ok(_) => std::process::exit(1),
        Err(e) => {
            eprintln!("cannot write the report: {e}");
            std::process::exit(1);
        }
    }
}

//! Every case folder under `tests/` and `examples/time/` (SPEC §9, and the README's
//! worked examples, so they cannot drift), found by walking the tree, run by the
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
        filter: filter(&args),
        // Generous for debug builds on a busy machine; a case that takes this long is stuck.
        timeout: Some(Duration::from_secs(60)),
    };
    let stdout = std::io::stdout();
    let roots = [PathBuf::from("tests"), PathBuf::from("examples/time")];
    match run_all(&roots, &opts, &mut stdout.lock()) {
        Ok(summary) if summary.ok() => {}
        Ok(_) => std::process::exit(1),
        Err(e) => {
            eprintln!("cannot write the report: {e}");
            std::process::exit(1);
        }
    }
}

/// The first free argument, skipping libtest flags and the values of those that take one
/// (`cargo test -- --test-threads 2` must not filter on "2").
fn filter(args: &[String]) -> Option<String> {
    const TAKES_VALUE: &[&str] = &[
        "--test-threads",
        "--skip",
        "--format",
        "--color",
        "--logfile",
        "--shuffle-seed",
        "-Z",
    ];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if TAKES_VALUE.contains(&a.as_str()) {
            it.next();
        } else if !a.starts_with('-') {
            return Some(a.clone());
        }
    }
    None
}

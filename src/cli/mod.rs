//! The `trickle` command line: argument parsing and dispatch, no language logic.

/// Runs the CLI and returns the process exit code (SPEC §8).
pub fn main() -> i32 {
    eprintln!("trickle: the command line is being built");
    2
}

//! Exit codes (SPEC §8), shared by every command: `cli`, `repl` and `doc` return them.

pub const EXIT_OK: i32 = 0;
pub const EXIT_COMPILE: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_RUNTIME: i32 = 3;

//! Build script of the `trickle` package: `stdlib/` is embedded with `include_dir!`,
//! which cargo does not track, so ask for a rebuild when any module file changes.
fn main() {
    println!("cargo:rerun-if-changed=stdlib");
}

fn main() {
    std::process::exit(trickle::cli::main());
}

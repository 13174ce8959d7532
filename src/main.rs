/// mimalloc: events are decoded on the reader thread and freed on the run loop's,
/// which the system allocator handles with lock contention between its arenas;
/// mimalloc frees across threads cheaply and is faster for small objects overall.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack for the thread that runs the command. The parser, compiler and interpreter
/// recurse over the program and over nested calls (plain recursion up to Tremor's
/// limit of 1024 calls, each call several frames deep in a debug build), which can
/// exceed the 8 MiB main thread; only the pages actually used are committed.
const STACK_SIZE: usize = 1 << 30;

fn main() {
    let code = std::thread::Builder::new()
        .name("trickle".into())
        .stack_size(STACK_SIZE)
        .spawn(|| {
            // Leave a quarter of the stack for what runs around the calls.
            trickle::interp::set_stack_budget(STACK_SIZE / 4 * 3);
            trickle::cli::main()
        })
        .map_or_else(
            // No big thread available: run on the main thread rather than not at all.
            |_| trickle::cli::main(),
            |handle| handle.join().unwrap_or(101),
        );
    std::process::exit(code);
}

//! The `vidspec` binary: runs the command line and exits with its code.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(vidspec::run(std::env::args_os()));
}

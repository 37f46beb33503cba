//! The `vidspec` binary: runs the command line and exits with its code.

fn main() {
    std::process::exit(vidspec::run(std::env::args_os()));
}

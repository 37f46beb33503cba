fn main() {
    std::process::exit(vidspec::cli::run(std::env::args_os()));
}

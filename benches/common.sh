# Sourced by the bench scripts, from the repository's root: the binary they measure, and GNU time.
#
#   use_release_bin   sets BIN to an absolute path: $BIN when given, else a fresh release build
#   need_gnu_time     sets TIME to GNU time, or stops the script when it is not installed

use_release_bin() {
    if [[ -z ${BIN:-} ]]; then
        cargo build --release --quiet
        BIN=target/release/vidspec
    fi
    BIN=$(realpath "$BIN")
}

need_gnu_time() {
    TIME=/usr/bin/time
    [[ -x $TIME ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 1; }
}

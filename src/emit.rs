//! Emitting: project JSON as bytes (pretty or compact), written to stdout or atomically to a
//! file (a temporary file beside the target, renamed into place: never half a file).

use std::io::Write;
use std::path::Path;

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Pretty,
    Compact,
}

/// The document's bytes, ending in a newline. Keys keep the order lowering gave them; floats
/// print as the shortest text that reads back as the same number.
pub fn to_bytes(value: &Value, format: Format) -> Vec<u8> {
    let mut out = match format {
        Format::Pretty => serde_json::to_vec_pretty(value),
        Format::Compact => serde_json::to_vec(value),
    }
    .expect("JSON values always serialize");
    out.push(b'\n');
    out
}

/// Writes to stdout; a closed pipe (`vidspec build x | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename,
/// creating the folder if missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(folder_of(path))?;
    write_through_temp(path, bytes, false)
}

/// Like [`write_atomic`] for a file that must not replace another: an existing file with the
/// same bytes is left as it is, one with other bytes is an error.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::read(path) {
        Ok(existing) if existing == bytes => Ok(()),
        Ok(_) => Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "a different file is already there; it was not replaced",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_atomic(path, bytes),
        Err(e) => Err(e),
    }
}

/// Like [`write_atomic`], readable by the owner only (mode 0600), creating the folder (mode
/// 0700) if missing: for credentials and tokens.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = folder_of(path);
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    write_through_temp(path, bytes, true)
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn write_through_temp(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    // Short, so that a target name near the filesystem's limit still has room for it.
    let temp = folder_of(path).join(format!(
        ".vidspec-{}-{:08x}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_shortest_round_trip() {
        let value = serde_json::json!({ "x": 613.333_333_333_333_4, "y": 2229 });
        let text = String::from_utf8(to_bytes(&value, Format::Compact)).unwrap();
        assert_eq!(text, "{\"x\":613.3333333333334,\"y\":2229}\n");
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        write_atomic(&target, b"{}\n").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.json")]);
    }
}

//! Emitting: project JSON as bytes (pretty or compact), written to stdout or atomically to a
//! file (a temporary file beside the target, renamed into place: never half a file). A link is
//! followed and its target replaced; a device or FIFO is written through, never replaced; a
//! batch's files stay inside their folder; temporary files of killed runs are removed later.

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

/// `-o -`: the path that means stdout, for every command that takes `-o`.
pub(crate) fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
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
/// creating the folder if missing. A symbolic link is followed: its target is what gets
/// replaced. A target that is not a regular file (`/dev/null`, a FIFO, a terminal) is written
/// through, never replaced; a folder is an error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let path = follow_links(path)?;
    if write_through_special(&path, bytes)? {
        return Ok(());
    }
    std::fs::create_dir_all(folder_of(&path))?;
    write_through_temp(&path, bytes, false)
}

/// Like [`write_atomic`] for a file that must not replace another: an existing file with the
/// same bytes is left as it is, one with other bytes is an error.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match may_write_new(path, bytes)? {
        true => write_atomic(path, bytes),
        false => Ok(()),
    }
}

/// What [`write_new`] would do, without writing: `true` when the file is missing (it would be
/// written), `false` when it holds these bytes already, the error when it holds others. A
/// command that writes several files checks them all first, so a refusal writes none.
pub fn may_write_new(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    match std::fs::read(path) {
        Ok(existing) if existing == bytes => Ok(false),
        Ok(_) => Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "a different file is already there; it was not replaced",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// Like [`write_atomic`], readable by the owner only (mode 0600), creating the folder (mode
/// 0700) if missing: for credentials and tokens.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let path = follow_links(path)?;
    let dir = folder_of(&path);
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(not_regular(&path));
    }
    write_through_temp(&path, bytes, true)
}

/// Writes `bytes` to `relative` inside `folder` (`batch --out`), never outside it: a folder
/// below `folder` that is a symbolic link (or not a folder) is refused, and so is a target that
/// is a link or not a regular file. `folder` itself may be a link the user made.
pub fn write_confined(folder: &Path, relative: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let mut at = folder.to_path_buf();
    let mut names = relative.components().peekable();
    while let Some(name) = names.next() {
        let std::path::Component::Normal(name) = name else {
            return Err(refused(&at, "leaves the output folder"));
        };
        at.push(name);
        let last = names.peek().is_none();
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refused(
                    &at,
                    "is a symbolic link; rows are not written through links",
                ));
            }
            Ok(meta) if last && !meta.is_file() => return Err(not_regular(&at)),
            Ok(meta) if !last && !meta.is_dir() => return Err(refused(&at, "is not a folder")),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !last => {
                match std::fs::create_dir(&at) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                    // Made here or by another writer a moment ago: checked again below.
                    _ => {}
                }
                if !std::fs::symlink_metadata(&at)?.is_dir() {
                    return Err(refused(&at, "is not a folder"));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    write_through_temp(&at, bytes, false)
}

fn refused(path: &Path, why: &str) -> std::io::Error {
    std::io::Error::other(format!("{} {why}", path.display()))
}

fn not_regular(path: &Path) -> std::io::Error {
    refused(path, "is not a regular file; it was not replaced")
}

/// The path a chain of symbolic links ends at (the path itself when it is no link).
fn follow_links(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&at)?;
                at = folder_of(&at).join(target);
            }
            Ok(_) => return Ok(at),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(at),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Writes into a target that exists and is not a regular file (a device, a FIFO); true when it
/// did. A folder is an error.
fn write_through_special(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(false);
    };
    if meta.is_dir() {
        return Err(refused(path, "is a folder"));
    }
    if meta.is_file() {
        return Ok(false);
    }
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()?;
    Ok(true)
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The prefix of every temporary file vidspec writes: `.vidspec-PID-RANDOM.tmp`.
const TEMP_PREFIX: &str = ".vidspec-";

fn write_through_temp(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let folder = folder_of(path);
    sweep_once(folder);
    // Short, so that a target name near the filesystem's limit still has room for it.
    let temp = folder.join(format!(
        "{TEMP_PREFIX}{}-{:08x}.tmp",
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

/// Removes, the first time this process writes into `folder`, the temporary files that
/// processes which no longer exist left there (a `kill -9` mid-write).
fn sweep_once(folder: &Path) {
    static SWEPT: std::sync::Mutex<Option<std::collections::HashSet<std::path::PathBuf>>> =
        std::sync::Mutex::new(None);
    let first = SWEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get_or_insert_with(Default::default)
        .insert(folder.to_path_buf());
    if first {
        sweep_stale_temps(folder);
    }
}

/// Removes the temporary files in `folder` whose process has ended; how many it removed.
/// Only where the system says which processes run (Linux: `/proc`); elsewhere none.
pub fn sweep_stale_temps(folder: &Path) -> usize {
    if !Path::new("/proc/self").exists() {
        return 0;
    }
    let Ok(listing) = std::fs::read_dir(folder) else {
        return 0;
    };
    let mut removed = 0;
    for entry in listing.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_pid) else {
            continue;
        };
        let ended = pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists();
        if ended && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id in a temporary file's name `.vidspec-PID-XXXXXXXX.tmp`.
fn temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(".tmp")?;
    let (pid, random) = rest.split_once('-')?;
    let hex = random.len() == 8 && random.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
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

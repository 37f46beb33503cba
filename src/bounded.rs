//! Reading with a ceiling: at most `limit + 1` bytes are ever taken from a file or a stream, so
//! `/dev/zero`, a FIFO or a file that grows while it is read costs `limit` bytes, not all memory.
//! The size a file reports is not trusted (a device or a FIFO reports 0).

use std::io::Read;
use std::path::Path;

/// The most a spec, a vars file, a preset, a template or a credentials file may hold.
pub const MAX_TEXT: u64 = 8 * 1024 * 1024;
/// The most a JSON project document (`decompile`, `preview`) may hold.
pub const MAX_DOCUMENT: u64 = 64 * 1024 * 1024;
/// The most `submit-projects` reads (NDJSON of compiled projects, a file or stdin).
#[cfg_attr(not(feature = "submit"), allow(dead_code))]
pub const MAX_NDJSON: u64 = 1024 * 1024 * 1024;

/// Why a bounded read failed.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// More than the limit is there; nothing past `limit + 1` bytes was read.
    TooBig {
        limit: u64,
    },
    NotUtf8,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooBig { limit } => {
                write!(
                    f,
                    "it holds more than {limit} bytes, the most vidspec reads"
                )
            }
            ReadError::NotUtf8 => f.write_str("it is not UTF-8 text"),
        }
    }
}

/// The bytes of `reader`, or [`ReadError::TooBig`] once more than `limit` of them arrive.
pub fn read_bytes(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooBig { limit });
    }
    Ok(bytes)
}

/// The text of `reader` (UTF-8), at most `limit` bytes.
pub fn read_text(reader: impl Read, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_bytes(reader, limit)?).map_err(|_| ReadError::NotUtf8)
}

/// The text of the file at `path`, at most `limit` bytes. A folder is refused before it is read.
pub fn read_file(path: &Path, limit: u64) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a folder",
        )));
    }
    read_text(file, limit)
}

/// Like [`read_file`], an error of the crate's type: `reading FILE: why`.
pub fn read_file_or_error(path: &Path, limit: u64) -> Result<String, crate::Error> {
    read_file(path, limit)
        .map_err(|e| to_error(&format!("reading {}", crate::display_path(path)), e))
}

/// A bounded-read failure as the crate's error, `what` saying what was being read.
pub fn to_error(what: &str, error: ReadError) -> crate::Error {
    match error {
        ReadError::Io(e) => crate::Error::io(what, e),
        other => crate::Error::io(
            what,
            std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_costs_the_limit_and_no_more() {
        let endless = std::io::repeat(b'a');
        let err = read_bytes(endless, 1000).unwrap_err();
        assert!(matches!(err, ReadError::TooBig { limit: 1000 }), "{err:?}");
        assert_eq!(read_bytes(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(matches!(
            read_text(&b"\xff"[..], 3),
            Err(ReadError::NotUtf8)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_refused_quickly() {
        let err = read_file(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(matches!(err, ReadError::TooBig { .. }), "{err:?}");
    }
}

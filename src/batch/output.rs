//! The paths of `--out`: one file per row from a pattern, kept inside the pattern's folder
//! whatever the data says, and never two rows to one file.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};

/// Longest file or folder name most filesystems take.
const MAX_NAME: usize = 255;
/// Longest path vidspec writes.
const MAX_PATH: usize = 4096;
/// Names Windows reserves, in any case, with or without an extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The folder an `--out` pattern writes into: its fixed text before the first template tag,
/// up to the last `/` (the current folder when there is none).
pub(crate) fn output_folder(pattern: &str) -> PathBuf {
    let fixed = &pattern[..pattern.find(['{']).unwrap_or(pattern.len())];
    match fixed.rfind('/') {
        Some(i) if i > 0 => PathBuf::from(&fixed[..i]),
        Some(_) => PathBuf::from("/"),
        None => PathBuf::from("."),
    }
}

/// Checks a rendered output path: relative, inside `folder`, every name valid and portable.
pub(crate) fn safe_path(rendered: &str, folder: &Path) -> Result<PathBuf, String> {
    let shown = rendered.escape_debug();
    let refuse = |why: &str| {
        Err(format!(
            "output path \"{shown}\" {why}; nothing was written"
        ))
    };
    if rendered.contains('\0') {
        return refuse("contains a NUL byte");
    }
    if rendered.chars().any(|c| c.is_control() || c == '\\') {
        return refuse("contains a control character or a backslash");
    }
    if rendered.len() > MAX_PATH {
        return refuse("is too long");
    }
    let path = Path::new(rendered);
    if path.is_absolute() && !folder.is_absolute() {
        return refuse("is absolute");
    }
    let relative = if folder == Path::new(".") {
        Ok(path)
    } else {
        path.strip_prefix(folder)
    };
    let Ok(inside) = relative else {
        return refuse(&format!(
            "is not inside the output folder {}",
            folder.display()
        ));
    };
    if inside.as_os_str().is_empty() || rendered.ends_with('/') {
        return refuse("names no file");
    }
    let below_root = rendered.strip_prefix('/').unwrap_or(rendered);
    if below_root.split('/').any(str::is_empty) && !rendered.starts_with("./") {
        return refuse("has an empty name between slashes");
    }
    for component in inside.components() {
        let Component::Normal(name) = component else {
            return refuse(&format!("leaves the output folder {}", folder.display()));
        };
        let name = name.to_string_lossy();
        if name.len() > MAX_NAME {
            return refuse(&format!("has a name longer than {MAX_NAME} bytes"));
        }
        let stem = name
            .split('.')
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_ascii_lowercase();
        if RESERVED.contains(&stem.as_str()) {
            return refuse(&format!("uses the reserved name `{name}`"));
        }
        if name.ends_with(['.', ' ']) {
            return refuse("has a name ending in a dot or space");
        }
    }
    Ok(path.to_owned())
}

/// Remembers the paths a batch has written, to refuse a second row that maps to one of them.
/// Keeps a 64-bit hash of each path and its row, not the path.
#[derive(Default)]
pub(crate) struct Written {
    first_rows: HashMap<u64, u64>,
    /// The output folder's filesystem ignores case (macOS, Windows, a FAT stick, an ext4
    /// casefold folder): `Ada.json` and `ada.json` are one file there, two elsewhere.
    fold_case: bool,
}

impl Written {
    /// The paths of rows written below `folder`, compared as its filesystem compares names.
    pub(crate) fn below(folder: &Path) -> Written {
        Written {
            first_rows: HashMap::new(),
            fold_case: ignores_case(folder),
        }
    }

    /// Records `path` for `row`; the row that wrote it first if it was taken.
    pub(crate) fn claim(&mut self, path: &Path, row: u64) -> Result<(), u64> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let text = path.to_string_lossy();
        if self.fold_case {
            text.to_lowercase().hash(&mut hasher);
        } else {
            text.hash(&mut hasher);
        }
        match self.first_rows.entry(hasher.finish()) {
            Entry::Occupied(first) => Err(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(row);
                Ok(())
            }
        }
    }
}

/// Whether the filesystem of `folder` (or of its nearest existing parent, for a folder a
/// batch will create) treats names that differ in case as one: a probe file with a lowercase
/// name is created there and looked for by its uppercase name, then removed. When no probe
/// can be made, names are taken to ignore case (the cautious side: a collision is refused).
fn ignores_case(folder: &Path) -> bool {
    let mut existing = folder.to_owned();
    while !existing.is_dir() {
        match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => existing = parent.to_owned(),
            _ => {
                existing = PathBuf::from(".");
                break;
            }
        }
    }
    let name = format!(".vidspec-case-probe-{}", std::process::id());
    let probe = existing.join(&name);
    if std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .is_err()
    {
        return true;
    }
    let folded = existing.join(name.to_uppercase()).exists();
    let _ = std::fs::remove_file(&probe);
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_is_the_fixed_part_of_the_pattern() {
        assert_eq!(output_folder("out/{{ row }}.json"), PathBuf::from("out"));
        assert_eq!(
            output_folder("out/a/{{ row }}/x.json"),
            PathBuf::from("out/a")
        );
        assert_eq!(output_folder("{{ row }}.json"), PathBuf::from("."));
    }

    #[test]
    fn hostile_paths_are_refused() {
        let out = Path::new("out");
        assert!(safe_path("out/1-ada.json", out).is_ok());
        assert!(safe_path("out/sub/1.json", out).is_ok());
        for bad in [
            "out/../x.json",
            "/etc/passwd",
            "out/a\0b.json",
            "out/CON.json",
            "out/",
            "x.json",
            "out//x.json",
            "out/a\\..\\b",
        ] {
            assert!(safe_path(bad, out).is_err(), "{bad:?} should be refused");
        }
        assert!(safe_path(&format!("out/{}.json", "a".repeat(300)), out).is_err());
        assert!(safe_path("../x.json", Path::new(".")).is_err());
        let absolute = Path::new("/srv/out");
        assert!(
            safe_path("/srv/out/1.json", absolute).is_ok(),
            "an absolute pattern keeps its folder"
        );
        assert!(safe_path("/srv/out/../x.json", absolute).is_err());
        assert!(safe_path("/etc/passwd", absolute).is_err());
    }

    #[test]
    fn a_second_claim_on_a_path_names_the_first_row() {
        let mut written = Written {
            fold_case: true,
            ..Written::default()
        };
        assert_eq!(written.claim(Path::new("out/a.json"), 1), Ok(()));
        assert_eq!(written.claim(Path::new("out/a.json"), 5), Err(1));
        assert_eq!(
            written.claim(Path::new("out/A.json"), 6),
            Err(1),
            "case folded"
        );
        let mut exact = Written::default();
        assert_eq!(exact.claim(Path::new("out/a.json"), 1), Ok(()));
        assert_eq!(exact.claim(Path::new("out/A.json"), 2), Ok(()));
        assert_eq!(exact.claim(Path::new("out/a.json"), 3), Err(1));
    }

    #[test]
    fn the_probe_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let folded = ignores_case(&dir.path().join("not/yet"));
        #[cfg(target_os = "linux")]
        assert!(!folded, "a Linux temporary folder tells case apart");
        let _ = folded;
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

//! The one check that no output of a command is one of the files it reads: `build -o SPEC`
//! would replace the spec with JSON, `batch --report CSV` would append to the CSV being read
//! (a loop that fills the disk), `--journal SPEC` would append records to the spec.
//!
//! Every command lists the files it reads (`load::Inputs`: the spec, `--vars` files, the CSV,
//! a journal) and asks before writing anything whether an output is one of them. Two paths are
//! the same file when both exist and have the same device and inode (symlinks followed, so a
//! link or a hard link to the spec is the spec); when one does not exist yet, when their
//! canonical paths (the parent folder resolved, the name as given) are equal.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::Inputs;

/// What identifies a file: its device and inode when it exists, else its canonical path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identity {
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(path: &Path) -> Identity {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        return Identity::Inode(meta.dev(), meta.ino());
    }
    Identity::Path(canonical(path))
}

/// `path` with its existing part resolved (symlinks, `..`), the rest appended as given.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => canonical(parent).join(name),
        _ => absolute,
    }
}

/// The files a command reads, each identified once: a batch asks about every row's path, and
/// the inputs do not move while it runs.
pub(crate) struct Known {
    files: Vec<KnownFile>,
}

struct KnownFile {
    identity: Identity,
    canonical: PathBuf,
    /// What it is, as a message's words: `the spec (s.yaml)`.
    words: String,
}

impl Known {
    pub(crate) fn of(inputs: &Inputs) -> Known {
        let files = inputs
            .iter()
            .filter(|input| !crate::emit::is_stdout(&input.path))
            .map(|input| KnownFile {
                identity: identity(&input.path),
                canonical: canonical(&input.path),
                words: format!("{} ({})", input.role, crate::display_path(&input.path)),
            })
            .collect();
        Known { files }
    }

    /// The input that `output` is, as a message's words.
    pub(crate) fn clash(&self, output: &Path) -> Option<String> {
        if crate::emit::is_stdout(output) {
            return None;
        }
        let output_id = identity(output);
        let mut output_canonical = None;
        self.files.iter().find_map(|file| {
            let same = match (&output_id, &file.identity) {
                (Identity::Inode(..), Identity::Inode(..)) => output_id == file.identity,
                // The output does not exist and the input does: two files.
                (Identity::Path(_), Identity::Inode(..)) => false,
                // The input did not exist (yet): the same name is the same file.
                _ => *output_canonical.get_or_insert_with(|| canonical(output)) == file.canonical,
            };
            same.then(|| file.words.clone())
        })
    }
}

/// The input of `inputs` that `output` is, as a message's words: `the spec (s.yaml)`.
pub(crate) fn clash(inputs: &Inputs, output: &Path) -> Option<String> {
    Known::of(inputs).clash(output)
}

/// Refuses (a usage error, before anything is written) an output that is one of `inputs`:
/// `outputs` are `(flag, path)`, e.g. `("--report", p.csv)`.
pub(crate) fn refuse<'a>(
    inputs: &Inputs,
    outputs: impl IntoIterator<Item = (&'a str, Option<&'a Path>)>,
) -> Result<(), Error> {
    for (flag, output) in outputs {
        let Some(output) = output else { continue };
        if let Some(input) = clash(inputs, output) {
            return Err(Error::Usage(format!(
                "{flag} {} is {input}, which this command reads; give the output another name (nothing was read or written)",
                crate::display_path(output)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_to_an_input_and_a_new_file_of_its_name_are_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("s.yaml");
        std::fs::write(&spec, "x").unwrap();
        let journal = dir.path().join("j");
        let inputs = Inputs::new("SPEC", "the spec", &spec).and("--journal", &journal);
        #[cfg(unix)]
        {
            let link = dir.path().join("link.yaml");
            std::os::unix::fs::symlink(&spec, &link).unwrap();
            assert!(clash(&inputs, &link).unwrap().starts_with("the spec"));
            let hard = dir.path().join("hard.yaml");
            std::fs::hard_link(&spec, &hard).unwrap();
            assert!(clash(&inputs, &hard).is_some());
        }
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(clash(&inputs, &sub.join("../s.yaml")).is_some());
        let journal_clash = clash(&inputs, &sub.join("../j")).unwrap();
        assert!(
            journal_clash.starts_with("the --journal file"),
            "{journal_clash}"
        );
        assert_eq!(clash(&inputs, &dir.path().join("other.json")), None);
        assert_eq!(clash(&inputs, Path::new("-")), None);
    }
}

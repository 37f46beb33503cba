//! `vidspec man [-o DIR]`: the man pages, from the clap definition: vidspec(1) on stdout, or
//! every page written (atomically) into a folder.

use crate::cli::ManArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: ManArgs, reporter: &Reporter) -> Result<(), Error> {
    let pages = crate::cli::generate::man_pages();
    let Some(dir) = args.output.filter(|d| !crate::emit::is_stdout(d)) else {
        let (_, main) = pages.first().expect("vidspec.1 comes first");
        return reporter.out(main);
    };
    for (name, roff) in &pages {
        let path = dir.join(name);
        let shown = crate::display_path(&path);
        crate::emit::write_atomic(&path, roff)
            .map_err(|e| Error::io(format!("writing {shown}"), e))?;
    }
    reporter.note(format!(
        "wrote {} man pages into {}",
        pages.len(),
        crate::display_path(&dir)
    ));
    Ok(())
}

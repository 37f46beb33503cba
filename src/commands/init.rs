//! `vidspec init [DIR]`: a starter folder, and the command to try next.

use crate::cli::InitArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: InitArgs, reporter: &Reporter) -> Result<(), Error> {
    for file in crate::init::init(&args.dir)? {
        reporter.note(format!("wrote {file}"));
    }
    let shown = crate::display_path(&args.dir);
    reporter.note(format!(
        "next: cd {shown} && vidspec build video.yaml --set name=Ada"
    ));
    Ok(())
}

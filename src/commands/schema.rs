//! `vidspec schema`: the JSON Schema of the spec language, for editors' YAML plugins.

use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(reporter: &Reporter) -> Result<(), Error> {
    reporter.out(crate::check::SPEC_SCHEMA.as_bytes())
}

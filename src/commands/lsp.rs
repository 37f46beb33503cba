//! `vidspec lsp`: the language server on stdin/stdout, until the editor says `exit`.

use std::path::Path;

use crate::cli::LspArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: LspArgs, _reporter: &Reporter) -> Result<(), Error> {
    // stdin carries the editor's messages: a vars file cannot come from it too.
    let messages = crate::load::Inputs::new(
        "the language server's messages",
        "the language server's messages",
        Path::new("-"),
    );
    let inputs = messages.vars(&args.vars_files);
    crate::load::stdin_once(&inputs)?;
    // stdout carries the protocol: nothing else may be written there while the server runs.
    // Framed with a bound on each message (see `lsp::transport`), not `Connection::stdio`.
    let (connection, io) = crate::lsp::transport::stdio();
    crate::lsp::serve(&connection, args.options())?;
    drop(connection);
    io.join()
        .map_err(|e| Error::io("the language server's stdio", e))
}

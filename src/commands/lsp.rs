//! `vidspec lsp`: the language server on stdin/stdout, until the editor says `exit`.

use crate::cli::LspArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: LspArgs, _reporter: &Reporter) -> Result<(), Error> {
    // stdout carries the protocol: nothing else may be written there while the server runs.
    let (connection, io) = lsp_server::Connection::stdio();
    crate::lsp::serve(&connection, args.options())?;
    drop(connection);
    io.join()
        .map_err(|e| Error::io("the language server's stdio", e))
}

//! `vidspec mock-server`: the in-memory API on 127.0.0.1 until Ctrl-C; prints
//! `listening on http://127.0.0.1:PORT` once it accepts connections.

use crate::cli::MockArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: MockArgs, reporter: &Reporter) -> Result<(), Error> {
    let options = args.options();
    let port = options.port;
    crate::api::mock::serve_until_ctrl_c(options, |addr| {
        let _ = reporter.out(format!("listening on http://{addr}\n").as_bytes());
    })
    .map_err(|e| Error::io(format!("serving on 127.0.0.1:{port}"), e))
}

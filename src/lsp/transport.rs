//! The language server's stdio: LSP's `Content-Length` framing read with a bound, so that no
//! header makes the server allocate what it claims. `lsp_server::Connection::stdio` would
//! allocate a message's claimed length before reading it (`Content-Length: 99999999999` is
//! 93 GiB) and end the server at the first body that is not JSON; here:
//!
//! - a message longer than [`MAX_MESSAGE`] is read past without being kept, logged on stderr
//!   and answered with a JSON-RPC parse error (`-32700`, id `null`: its id is unknown);
//! - a body that is not a JSON-RPC message is answered the same way, and the server goes on
//!   with the next message (JSON-RPC 2.0 §5.1; LSP clients log a response without an id);
//! - a header that breaks the framing (no `Content-Length`, a line not ended by CRLF, a
//!   header block longer than [`MAX_HEADER`]) leaves no way to find the next message: it is
//!   logged and the connection ends, as does the end of stdin.

use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, Message};

/// The longest message read (64 MiB): a whole spec file in a `didOpen` is a few kilobytes.
pub(crate) const MAX_MESSAGE: u64 = 64 << 20;
/// The longest header block (its lines together).
const MAX_HEADER: u64 = 8 << 10;

/// What the reader found in one frame.
enum Frame {
    Body(Vec<u8>),
    /// A message longer than [`MAX_MESSAGE`], read past.
    TooLong(u64),
}

/// Reads one frame; `None` at the end of the input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length = None;
    let mut header = input.by_ref().take(MAX_HEADER);
    let mut started = false;
    loop {
        let mut line = Vec::new();
        if header.read_until(b'\n', &mut line)? == 0 {
            if started {
                return Err(invalid("the input ended inside a header"));
            }
            return Ok(None);
        }
        started = true;
        let Some(line) = line.strip_suffix(b"\r\n") else {
            return Err(invalid(
                "a header line not ended by CRLF (or headers over 8 KiB)",
            ));
        };
        if line.is_empty() {
            break;
        }
        let line = String::from_utf8_lossy(line);
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(&format!("a malformed header: {line:?}")))?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            length = Some(value.parse::<u64>().map_err(|_| {
                invalid(&format!(
                    "Content-Length `{value}` is not a number of bytes"
                ))
            })?);
        }
    }
    let length = length.ok_or_else(|| invalid("a message without Content-Length"))?;
    if length > MAX_MESSAGE {
        let skipped = io::copy(&mut input.by_ref().take(length), &mut io::sink())?;
        if skipped < length {
            return Err(cut_short(length));
        }
        return Ok(Some(Frame::TooLong(length)));
    }
    let mut body = Vec::with_capacity(length as usize);
    input.by_ref().take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Err(cut_short(length));
    }
    Ok(Some(Frame::Body(body)))
}

fn cut_short(length: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("the input ended inside a message of {length} bytes"),
    )
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// A JSON-RPC parse error, for a message whose id could not be read.
fn parse_error(message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": -32700, "message": message},
    })
    .to_string()
}

/// Reads frames from `input` into `messages` until the input ends, the framing breaks or
/// `exit` arrives; what cannot be a message is answered on `raw`.
fn read_all(
    mut input: impl BufRead,
    messages: &Sender<Message>,
    raw: &Sender<String>,
) -> io::Result<()> {
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(()),
            Err(e) => {
                eprintln!("vidspec lsp: {e}; the connection ends");
                return Err(e);
            }
        };
        let body = match frame {
            Frame::Body(body) => body,
            Frame::TooLong(length) => {
                let why = format!(
                    "a message of {length} bytes is over the {} MiB limit; skipped",
                    MAX_MESSAGE >> 20
                );
                eprintln!("vidspec lsp: {why}");
                let _ = raw.send(parse_error(&why));
                continue;
            }
        };
        match serde_json::from_slice::<Message>(&body) {
            Ok(message) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if messages.send(message).is_err() || exit {
                    return Ok(());
                }
            }
            Err(e) => {
                let why = format!("a message that is not JSON-RPC ({e}); skipped");
                eprintln!("vidspec lsp: {why}");
                let _ = raw.send(parse_error(&why));
            }
        }
    }
}

/// Writes the server's messages and the reader's raw answers to `output`, framed.
fn write_all(
    mut output: impl Write,
    messages: &Receiver<Message>,
    raw: &Receiver<String>,
) -> io::Result<()> {
    let mut raw_open = true;
    loop {
        let text = if raw_open {
            select! {
                recv(messages) -> m => match m {
                    Ok(message) => { message.write(&mut output)?; continue; }
                    Err(_) => return Ok(()),
                },
                recv(raw) -> r => match r {
                    Ok(text) => text,
                    Err(_) => { raw_open = false; continue; }
                },
            }
        } else {
            match messages.recv() {
                Ok(message) => {
                    message.write(&mut output)?;
                    continue;
                }
                Err(_) => return Ok(()),
            }
        };
        write!(output, "Content-Length: {}\r\n\r\n{text}", text.len())?;
        output.flush()?;
    }
}

/// The reader and writer threads of [`stdio`].
pub(crate) struct Threads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for both; the reader's error (a broken framing) is the session's.
    pub(crate) fn join(self) -> io::Result<()> {
        let read = self
            .reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader panicked")));
        let written = self
            .writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer panicked")));
        read.and(written)
    }
}

/// A connection over stdin and stdout, framed as [`read_frame`] reads.
pub(crate) fn stdio() -> (Connection, Threads) {
    let (to_server, from_client) = unbounded();
    let (to_client, from_server) = unbounded::<Message>();
    let (raw_sender, raw_receiver) = unbounded::<String>();
    let reader = std::thread::spawn(move || read_all(io::stdin().lock(), &to_server, &raw_sender));
    let writer =
        std::thread::spawn(move || write_all(io::stdout().lock(), &from_server, &raw_receiver));
    let connection = Connection {
        sender: to_client,
        receiver: from_client,
    };
    (connection, Threads { reader, writer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut input = input;
        let mut out = Vec::new();
        loop {
            match read_frame(&mut input) {
                Ok(Some(Frame::Body(b))) => out.push(String::from_utf8(b).unwrap()),
                Ok(Some(Frame::TooLong(n))) => out.push(format!("too long: {n}")),
                Ok(None) => return out,
                Err(e) => {
                    out.push(format!("error: {e}"));
                    return out;
                }
            }
        }
    }

    #[test]
    fn frames_are_read_by_their_length_and_a_huge_claim_is_not_allocated() {
        assert_eq!(
            frames(b"Content-Length: 2\r\n\r\n{}content-length:3\r\nX: y\r\n\r\n[1]"),
            ["{}", "[1]"]
        );
        assert_eq!(
            frames(b"Content-Length: 99999999999\r\n\r\n{}"),
            ["error: the input ended inside a message of 99999999999 bytes"]
        );
        let mut big = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1).into_bytes();
        big.resize(big.len() + MAX_MESSAGE as usize + 1, b' ');
        big.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        assert_eq!(
            frames(&big),
            [format!("too long: {}", MAX_MESSAGE + 1), "{}".to_owned()]
        );
        assert!(frames(b"Content-Type: x\r\n\r\n")[0].contains("without Content-Length"));
        assert!(frames(b"Content-Length: 2\n\n{}")[0].contains("CRLF"));
    }
}

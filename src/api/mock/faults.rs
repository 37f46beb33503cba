//! The mock's faults: the `--rate-limit` token bucket, the dice of `--fail-rate`/`--drop-rate`,
//! and connections it can drop — a listener whose streams, once killed by a handler, read
//! end-of-file and refuse writes, so the server closes them without a byte of the answer (what a
//! client sees when a request is lost after it was sent).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A token bucket: `limit` requests per second, in bursts of up to `limit`.
pub(super) struct Bucket {
    limit: f64,
    /// Tokens left, and when they were counted.
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    pub(super) fn new(limit: u32) -> Bucket {
        let limit = f64::from(limit.max(1));
        Bucket {
            limit,
            state: Mutex::new((limit, Instant::now())),
        }
    }

    /// Takes a token; if there is none, how long until there will be.
    pub(super) fn take(&self) -> Option<Duration> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        state.0 =
            (state.0 + now.duration_since(state.1).as_secs_f64() * self.limit).min(self.limit);
        state.1 = now;
        if state.0 >= 1.0 {
            state.0 -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - state.0) / self.limit))
        }
    }
}

/// Counts down a `failNext`/`dropNext` counter; true if it was above zero.
pub(super) fn take_one(counter: &mut u64) -> bool {
    let had = *counter > 0;
    *counter = counter.saturating_sub(1);
    had
}

/// True with probability `rate`.
pub(super) fn chance(rate: f64) -> bool {
    rate > 0.0 && fastrand::f64() < rate
}

/// A TCP listener whose connections a handler can close without answering.
pub(super) struct Killable(pub(super) TcpListener);

/// A handle on one connection: [`Conn::kill`] makes it close with nothing written.
#[derive(Clone, Debug, Default)]
pub(super) struct Conn(Arc<AtomicBool>);

impl Conn {
    pub(super) fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl axum::serve::Listener for Killable {
    type Io = KillableStream;
    type Addr = Conn;

    async fn accept(&mut self) -> (KillableStream, Conn) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let conn = Conn::default();
                    return (
                        KillableStream {
                            stream,
                            conn: conn.clone(),
                        },
                        conn,
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Conn> {
        Ok(Conn::default())
    }
}

impl Connected<IncomingStream<'_, Killable>> for Conn {
    fn connect_info(stream: IncomingStream<'_, Killable>) -> Conn {
        stream.remote_addr().clone()
    }
}

/// A TCP stream that reads end-of-file and refuses writes once its connection is killed, so
/// the server drops it without sending a byte of the answer.
pub(super) struct KillableStream {
    stream: TcpStream,
    conn: Conn,
}

fn aborted() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "dropped by the mock")
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.conn.killed() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.conn.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.conn.killed() {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_a_burst_of_its_limit_then_asks_to_wait() {
        let bucket = Bucket::new(3);
        assert!((0..3).all(|_| bucket.take().is_none()));
        let wait = bucket.take().expect("the fourth request waits");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(334),
            "{wait:?}"
        );
    }
}

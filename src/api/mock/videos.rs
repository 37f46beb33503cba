//! The mock's video host: each exported project's download URL serves the same bytes for that
//! project every time — a small MP4 (an `ftyp` box, a `free` box naming the project, an `mdat`
//! payload drawn from the id), 50 to 200 KiB so progress and a body cut short mean something —
//! with `Content-Length`, `Accept-Ranges: bytes`, an `ETag` and `Range` answers (206, 416).
//! A `Range` with an `If-Range` that is not the video's `ETag` gets the whole video (200), as
//! HTTP says; `POST /__mock/faults {"rerender": "ID"}` changes a project's bytes and `ETag` (the
//! vendor rendering an export again at the same URL).
//!
//! Faults, decided from `--seed`, the project's creation number and how many times its video
//! was asked for (so a rerun meets the same ones, whatever the concurrency):
//! `--download-fail-rate F` answers that share of video GETs with a 500/503, or sends the
//! headers and part of the promised body and closes the connection. `--video-url-ttl S` makes
//! each URL handed out carry `?expires=…&token=…`; past it (or with a token that does not
//! match) the GET answers 403, and the next progress or project read hands out a fresh one.
//!
//! `GET /__mock/reference/{id}.mp4` serves the same bytes with no fault, no expiry and no count
//! in the video statistics: what tests compare downloads with.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::exports::mix;
use super::{Mock, MockOptions, state};

/// Where the videos are served.
pub(super) const VIDEO_PREFIX: &str = "/__mock/videos/";
/// The same bytes without faults, expiry or counting.
pub(super) const REFERENCE_PREFIX: &str = "/__mock/reference/";

const MIN_SIZE: u64 = 50 * 1024;
const MAX_SIZE: u64 = 200 * 1024;

/// What the video host saw, for `/__mock/stats`.
#[derive(Default)]
pub(super) struct VideoStats {
    /// Video GETs and HEADs (references aside).
    requests: u64,
    /// Those with a `Range` header.
    ranged: u64,
    /// Of those, with an `If-Range` header.
    if_range: u64,
    /// Of those, whose `If-Range` was not the video's `ETag`: answered with the whole video.
    if_range_stale: u64,
    /// Answers sent in full: 200 and 206.
    served: u64,
    /// Of those, 206.
    partial: u64,
    /// Body bytes written, including those of answers cut short.
    bytes: u64,
    /// 5xx answers from `--download-fail-rate`.
    failed: u64,
    /// Answers cut mid-body by `--download-fail-rate`.
    cut: u64,
    /// 403 for an expired or tampered URL.
    expired: u64,
    /// 404: no such project, or not exported (yet).
    not_found: u64,
    /// 416: a range past the end.
    unsatisfiable: u64,
    /// Reference reads.
    reference: u64,
    /// Video requests that carried an `Authorization` header (a client should send none).
    authorized: u64,
    /// How many times each project's video was asked for: the fault dice of the next one.
    per_project: std::collections::HashMap<String, u64>,
}

impl VideoStats {
    pub(super) fn json(&self) -> Value {
        json!({
            "requests": self.requests,
            "ranged": self.ranged,
            "ifRange": self.if_range,
            "ifRangeStale": self.if_range_stale,
            "served": self.served,
            "partial": self.partial,
            "bytes": self.bytes,
            "failed": self.failed,
            "cut": self.cut,
            "expired": self.expired,
            "notFound": self.not_found,
            "unsatisfiable": self.unsatisfiable,
            "reference": self.reference,
            "authorized": self.authorized,
        })
    }
}

/// FNV-1a of the project id: the seed of its bytes.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The video of project `id` as first rendered: the same bytes for the same id, 50 to 200 KiB.
#[cfg(test)]
pub(crate) fn video_bytes(id: &str) -> Vec<u8> {
    video_bytes_of(id, 0)
}

/// The seed of the bytes of project `id`'s `render`-th rendering.
fn video_seed(id: &str, render: u64) -> u64 {
    mix(id_hash(id) ^ render.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The `ETag` of project `id`'s `render`-th rendering (strong: the bytes are fixed).
fn etag(id: &str, render: u64) -> String {
    format!("\"{:016x}\"", mix(video_seed(id, render)))
}

/// The video of project `id` once rendered again `render` times: other bytes for each.
pub(crate) fn video_bytes_of(id: &str, render: u64) -> Vec<u8> {
    let seed = video_seed(id, render);
    let size = (MIN_SIZE + seed % (MAX_SIZE - MIN_SIZE + 1)) as usize;
    let mut out = Vec::with_capacity(size);
    // ftyp: major brand isom, minor version 0x200, compatible isom, iso2, mp41.
    out.extend_from_slice(&28u32.to_be_bytes());
    out.extend_from_slice(b"ftypisom");
    out.extend_from_slice(&0x200u32.to_be_bytes());
    out.extend_from_slice(b"isomiso2mp41");
    let note = match render {
        0 => format!("vidspec mock video of project {id}"),
        n => format!("vidspec mock video of project {id}, rendered again {n} times"),
    };
    out.extend_from_slice(&(8 + note.len() as u32).to_be_bytes());
    out.extend_from_slice(b"free");
    out.extend_from_slice(note.as_bytes());
    let mdat = size - out.len();
    out.extend_from_slice(&(mdat as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    let mut x = seed;
    while out.len() < size {
        x = mix(x);
        let take = (size - out.len()).min(8);
        out.extend_from_slice(&x.to_le_bytes()[..take]);
    }
    out
}

/// The download URL of project `id` as handed out now: signed with an expiry under
/// `--video-url-ttl`.
pub(super) fn url(addr: SocketAddr, options: &MockOptions, id: &str) -> String {
    let base = format!("http://{addr}{VIDEO_PREFIX}{id}.mp4");
    match options.video_url_ttl {
        None => base,
        Some(ttl) => {
            let expires = (now_secs() + ttl.as_secs_f64()).ceil() as u64;
            let token = signature(options.seed, id, expires);
            format!("{base}?expires={expires}&token={token:016x}")
        }
    }
}

fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn signature(seed: u64, id: &str, expires: u64) -> u64 {
    mix(mix(seed ^ id_hash(id)) ^ expires)
}

/// Whether a URL's query is a valid, unexpired signature for `id`.
fn signed_and_fresh(options: &MockOptions, id: &str, query: Option<&str>) -> bool {
    let mut expires = None;
    let mut token = None;
    for pair in query.unwrap_or_default().split('&') {
        match pair.split_once('=') {
            Some(("expires", v)) => expires = v.parse::<u64>().ok(),
            Some(("token", v)) => token = u64::from_str_radix(v, 16).ok(),
            _ => {}
        }
    }
    let (Some(expires), Some(token)) = (expires, token) else {
        return false;
    };
    token == signature(options.seed, id, expires) && now_secs() <= expires as f64
}

/// What a `Range` header asks of a body of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// No range, or one the server may ignore (several ranges, bad syntax): the whole body.
    Whole,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// Nothing of the body is in the range: 416.
    Unsatisfiable,
}

fn wanted(range: Option<&HeaderValue>, len: u64) -> Wanted {
    let Some(spec) = range
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<u64> {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.is_empty(), last.is_empty()) {
        // `bytes=-S`: the last S bytes.
        (true, false) => match number(last) {
            Some(0) => Wanted::Unsatisfiable,
            Some(suffix) if len > 0 => Wanted::Part {
                start: len.saturating_sub(suffix),
                end: len - 1,
            },
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::Whole,
        },
        (false, _) => {
            let Some(start) = number(first) else {
                return Wanted::Whole;
            };
            let end = if last.is_empty() {
                Some(u64::MAX)
            } else {
                number(last)
            };
            match end {
                None => Wanted::Whole,
                Some(end) if end < start => Wanted::Whole,
                Some(_) if start >= len => Wanted::Unsatisfiable,
                Some(end) => Wanted::Part {
                    start,
                    end: end.min(len - 1),
                },
            }
        }
        (true, true) => Wanted::Whole,
    }
}

/// The fault the `nth` request (0-based) for the video of the `number`-th project meets.
#[derive(Debug, PartialEq, Eq)]
enum Fault {
    None,
    /// A 5xx answer.
    Status(StatusCode),
    /// The body stops after this share (per mille) of what the headers promised.
    Cut {
        per_mille: u64,
    },
}

fn fault(seed: u64, number: u64, nth: u64, rate: f64) -> Fault {
    if rate <= 0.0 {
        return Fault::None;
    }
    let h = mix(mix(seed ^ 0x7669_6465_6f73) ^ mix(number) ^ nth.wrapping_mul(0x9e37));
    let draw = (h >> 11) as f64 / (1u64 << 53) as f64;
    if draw >= rate {
        return Fault::None;
    }
    match h % 4 {
        0 => Fault::Status(StatusCode::INTERNAL_SERVER_ERROR),
        1 => Fault::Status(StatusCode::SERVICE_UNAVAILABLE),
        _ => Fault::Cut {
            per_mille: 100 + (h >> 3) % 800,
        },
    }
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain")],
        text.to_owned(),
    )
        .into_response()
}

impl Mock {
    /// A GET or HEAD under [`VIDEO_PREFIX`] or [`REFERENCE_PREFIX`].
    pub(super) fn video(
        &self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
    ) -> Response {
        let (reference, rest) = match path.strip_prefix(REFERENCE_PREFIX) {
            Some(rest) => (true, rest),
            None => (false, path.strip_prefix(VIDEO_PREFIX).unwrap_or_default()),
        };
        let id = rest.strip_suffix(".mp4").unwrap_or(rest);
        let mut state = state(self);
        let exported = state
            .projects
            .get(id)
            .filter(|p| self.progress_of(id, p).1.is_some())
            .map(|p| (p.number, p.render));
        let stats = &mut state.videos;
        if reference {
            stats.reference += 1;
        } else {
            stats.requests += 1;
            stats.ranged += u64::from(headers.contains_key(header::RANGE));
            stats.authorized += u64::from(headers.contains_key(header::AUTHORIZATION));
        }
        let Some((number, render)) = exported else {
            if !reference {
                stats.not_found += 1;
            }
            return plain(StatusCode::NOT_FOUND, "no exported video of that project");
        };
        let etag = etag(id, render);
        if reference {
            drop(state);
            let bytes = video_bytes_of(id, render);
            let len = bytes.len() as u64;
            return video_response(StatusCode::OK, len, None, bytes, false, &etag);
        }
        if self.options.video_url_ttl.is_some() && !signed_and_fresh(&self.options, id, query) {
            stats.expired += 1;
            return plain(StatusCode::FORBIDDEN, "the download URL has expired");
        }
        let nth = stats.per_project.entry(id.to_owned()).or_default();
        let fault = if *method == Method::GET {
            let fault = fault(
                self.options.seed,
                number,
                *nth,
                self.options.download_fail_rate,
            );
            *nth += 1;
            fault
        } else {
            Fault::None
        };
        if let Fault::Status(status) = fault {
            stats.failed += 1;
            return plain(status, "injected failure (--download-fail-rate)");
        }
        let bytes = video_bytes_of(id, render);
        let len = bytes.len() as u64;
        let mut range = headers.get(header::RANGE);
        if let (Some(_), Some(validator)) = (range, headers.get(header::IF_RANGE)) {
            stats.if_range += 1;
            // Only the current `ETag` matches (the mock sends no `Last-Modified`).
            if validator.as_bytes() != etag.as_bytes() {
                stats.if_range_stale += 1;
                range = None;
            }
        }
        let (status, range) = match wanted(range, len) {
            Wanted::Whole => (StatusCode::OK, None),
            Wanted::Part { start, end } => (StatusCode::PARTIAL_CONTENT, Some((start, end))),
            Wanted::Unsatisfiable => {
                stats.unsatisfiable += 1;
                let mut response =
                    plain(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable");
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    response.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                if let Ok(value) = HeaderValue::from_str(&etag) {
                    response.headers_mut().insert(header::ETAG, value);
                }
                return response;
            }
        };
        let (start, end) = range.unwrap_or((0, len.saturating_sub(1)));
        let body = if len == 0 {
            Vec::new()
        } else {
            bytes[start as usize..=end as usize].to_vec()
        };
        let promised = body.len() as u64;
        let mut body = body;
        let cut = matches!(fault, Fault::Cut { .. });
        if *method == Method::HEAD {
            body.clear();
        } else if let Fault::Cut { per_mille } = fault {
            // The headers promise `promised` bytes; the connection closes after fewer.
            body.truncate((promised * per_mille / 1000) as usize);
            stats.cut += 1;
        } else {
            stats.served += 1;
            stats.partial += u64::from(status == StatusCode::PARTIAL_CONTENT);
        }
        stats.bytes += body.len() as u64;
        drop(state);
        video_response(status, promised, range.map(|r| (r, len)), body, cut, &etag)
    }
}

/// A body that yields its bytes and then fails, so the server closes the connection short of
/// the `Content-Length` it promised. It waits a moment before failing: the server flushes
/// what it holds while the body is pending, and would drop it on an error that came at once.
struct CutBody {
    bytes: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for CutBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        if let Some(bytes) = self.bytes.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(bytes))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                "cut by --download-fail-rate",
            )))),
        }
    }
}

/// A video answer whose headers promise `promised` bytes; a `cut` body holds fewer and ends
/// with the connection closed.
fn video_response(
    status: StatusCode,
    promised: u64,
    range: Option<((u64, u64), u64)>,
    body: Vec<u8>,
    cut: bool,
    etag: &str,
) -> Response {
    let body = if cut {
        Body::new(CutBody {
            bytes: Some(Bytes::from(body)),
            pause: Box::pin(tokio::time::sleep(std::time::Duration::from_millis(20))),
        })
    } else {
        Body::from(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(promised));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(((start, end), len)) = range {
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_is_an_mp4_of_its_own_size_and_bytes_per_project() {
        let a = video_bytes("0000abcd0000000000000001");
        let b = video_bytes("0000abcd0000000000000002");
        assert_eq!(a, video_bytes("0000abcd0000000000000001"));
        assert_ne!(a.len(), b.len());
        for video in [&a, &b] {
            assert!((MIN_SIZE..=MAX_SIZE).contains(&(video.len() as u64)));
            assert_eq!(&video[4..12], b"ftypisom");
            // The boxes fill the file exactly.
            let mut at = 0;
            let mut kinds = Vec::new();
            while at < video.len() {
                let size = u32::from_be_bytes(video[at..at + 4].try_into().unwrap()) as usize;
                kinds.push(String::from_utf8_lossy(&video[at + 4..at + 8]).into_owned());
                at += size;
            }
            assert_eq!(at, video.len());
            assert_eq!(kinds, ["ftyp", "free", "mdat"]);
        }
    }

    #[test]
    fn ranges_are_read_as_http_says() {
        let r = |v: &str| wanted(Some(&HeaderValue::from_str(v).unwrap()), 100);
        assert_eq!(wanted(None, 100), Wanted::Whole);
        assert_eq!(r("bytes=10-"), Wanted::Part { start: 10, end: 99 });
        assert_eq!(r("bytes=10-19"), Wanted::Part { start: 10, end: 19 });
        assert_eq!(r("bytes=90-500"), Wanted::Part { start: 90, end: 99 });
        assert_eq!(r("bytes=-5"), Wanted::Part { start: 95, end: 99 });
        assert_eq!(r("bytes=-500"), Wanted::Part { start: 0, end: 99 });
        assert_eq!(r("bytes=100-"), Wanted::Unsatisfiable);
        assert_eq!(r("bytes=-0"), Wanted::Unsatisfiable);
        for ignored in [
            "bytes=5-3",
            "bytes=a-",
            "items=0-1",
            "bytes=0-1,5-6",
            "bytes=-",
        ] {
            assert_eq!(r(ignored), Wanted::Whole, "{ignored}");
        }
    }

    #[test]
    fn faults_follow_the_seed_and_the_share() {
        let faults = |seed| -> Vec<bool> {
            (0..2000)
                .map(|n| fault(seed, n / 4, n % 4, 0.3) != Fault::None)
                .collect()
        };
        assert_eq!(faults(1), faults(1));
        assert_ne!(faults(1), faults(2));
        let share = faults(1).iter().filter(|f| **f).count();
        assert!((450..=750).contains(&share), "{share}");
        assert!((0..500).all(|n| fault(1, n, 0, 0.0) == Fault::None));
        let kinds: Vec<Fault> = (0..500).map(|n| fault(3, n, 0, 1.0)).collect();
        assert!(kinds.iter().any(|f| matches!(f, Fault::Status(_))));
        assert!(kinds.iter().any(|f| matches!(f, Fault::Cut { .. })));
    }

    #[test]
    fn a_signed_url_is_good_until_it_expires_and_only_for_its_project() {
        let options = MockOptions {
            video_url_ttl: Some(std::time::Duration::from_secs(60)),
            seed: 4,
            ..MockOptions::default()
        };
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let url = url(addr, &options, "p1");
        let query = url.split_once('?').map(|(_, q)| q);
        assert!(signed_and_fresh(&options, "p1", query));
        assert!(!signed_and_fresh(&options, "p2", query));
        assert!(!signed_and_fresh(&options, "p1", None));
        let past = now_secs() as u64 - 1;
        let stale = format!("expires={past}&token={:016x}", signature(4, "p1", past));
        assert!(!signed_and_fresh(&options, "p1", Some(&stale)));
        let forged = format!("expires={}&token=0", past + 1000);
        assert!(!signed_and_fresh(&options, "p1", Some(&forged)));
    }
}

//! Downloading an exported video to a file, safely: [`Client::download_export`].
//!
//! The bytes go to a hidden partial file beside the target (`.NAME.TAG.vidspec-partial`, in the
//! same folder so the final rename is atomic; the tag is the project's, so another project's
//! bytes are never resumed), which is locked while a download writes it and
//! renamed into place only once complete and synced. The answer's `Content-Length` (or
//! `Content-Range` total) must match what arrived, and an empty body is refused.
//!
//! Failures are retried with the API calls' policy and pacer ([`super::retry`]): 5xx, 408,
//! 429, connections cut, timeouts (no answer, or no data for the request time limit). When the
//! server offers ranges (`Accept-Ranges: bytes` or a 206), the next attempt resumes with
//! `Range: bytes=N-` — also from a partial file an earlier, killed run left — and starts over if
//! the server then answers 200 with the whole body; an attempt that took the download further
//! than it had ever been does not count against the attempts (one that starts over does). A 403 or 404 (an expired URL) reads the export's
//! progress once for a fresh URL and goes on with it.
//!
//! The bytes resumed must be the same video's: the validator the server sent with the first
//! bytes (a strong `ETag`, else `Last-Modified`) is kept in a sidecar beside the partial file
//! (`.NAME.TAG.vidspec-validator`, written before the first byte, so it outlives a killed
//! process), and every resuming request carries it as `If-Range`: a server whose video changed
//! answers 200 with the whole new one, and the download starts over. A partial file with no
//! validator (an older vidspec's, or one from a server that sent none) is resumed only if the
//! server still sends none; a 206 or 416 that names another validator than the one kept also
//! starts the download over (without using up an attempt).
//!
//! What is kept: on success, only the target. On a final failure, the partial file (and its
//! sidecar) stays only if a rerun can resume it (it holds bytes and the server offers ranges,
//! and the failure was transient); otherwise both are removed. A process killed or a download dropped (Ctrl-C) leaves
//! the partial file for the next run to resume.
//!
//! Nothing secret goes to the video host (no `Authorization`: the vendor documents none for
//! download URLs) and no URL's query string (where signed URLs keep their tokens) appears in a
//! message.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::header::{
    ACCEPT, ACCEPT_RANGES, CONTENT_RANGE, ETAG, HeaderMap, HeaderValue, IF_RANGE, LAST_MODIFIED,
    RANGE, RETRY_AFTER,
};
use sha2::{Digest, Sha256};

use super::Client;
use super::answer::{ApiError, ErrorKind, describe_transport};
use super::retry;

/// A video on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Downloaded {
    pub(crate) path: PathBuf,
    pub(crate) bytes: u64,
    /// Lowercase hex.
    pub(crate) sha256: String,
}

/// Whether `target` is already downloaded: a file of `bytes` bytes (a rerun skips it).
pub(crate) fn is_downloaded(target: &Path, bytes: u64) -> bool {
    bytes > 0 && std::fs::metadata(target).is_ok_and(|m| m.is_file() && m.len() == bytes)
}

/// The end of every partial file's name.
const PARTIAL_SUFFIX: &str = ".vidspec-partial";

/// The end of the name of a partial file's sidecar: the validator of its bytes.
const VALIDATOR_SUFFIX: &str = ".vidspec-validator";

/// The sidecar of `partial`: the same name with [`VALIDATOR_SUFFIX`].
fn validator_path(partial: &Path) -> PathBuf {
    let name = partial.file_name().unwrap_or_default().to_string_lossy();
    let stem = name.strip_suffix(PARTIAL_SUFFIX).unwrap_or(&name);
    partial.with_file_name(format!("{stem}{VALIDATOR_SUFFIX}"))
}

/// What says which video an answer's bytes are of: a strong `ETag`, else `Last-Modified`
/// (a weak `ETag` cannot go in `If-Range`).
fn validator_of(headers: &HeaderMap) -> Option<String> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    text(ETAG)
        .filter(|tag| !tag.starts_with("W/"))
        .or_else(|| text(LAST_MODIFIED))
        .map(str::to_owned)
}

/// Whether a ranged answer's bytes continue the partial file's: the same validator, none on
/// either side, or none in the answer to an `If-Range` (the server checked it). A partial file
/// with no validator from a server that now sends one is not trusted.
fn same_video(kept: Option<&str>, served: Option<&str>) -> bool {
    match (kept, served) {
        (Some(kept), Some(served)) => kept == served,
        (None, Some(_)) => false,
        (_, None) => true,
    }
}

/// The partial file of `target` for the video of `project_id`: hidden, beside it, saying what
/// it is (`.NAME.TAG.vidspec-partial`). The tag (from the project id) keeps a row's new project
/// from resuming the bytes of the one it replaced.
pub(crate) fn partial_path(target: &Path, project_id: &str) -> Option<PathBuf> {
    let name = target.file_name()?;
    let tag: String = Sha256::digest(project_id.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut partial = std::ffi::OsString::from(".");
    partial.push(name);
    partial.push(format!(".{tag}{PARTIAL_SUFFIX}"));
    Some(target.with_file_name(partial))
}

/// Removes the partial files other projects left for `target` (a row whose project was
/// replaced), except one a running download holds.
fn remove_other_partials(target: &Path) {
    let (Some(name), Some(dir)) = (target.file_name(), target.parent()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if !file_name.starts_with(&prefix) {
            continue;
        }
        let path = entry.path();
        if file_name.ends_with(PARTIAL_SUFFIX) {
            if let Ok(file) = OpenOptions::new().write(true).open(&path) {
                if file.try_lock().is_ok() {
                    let _ = std::fs::remove_file(&path);
                    let _ = std::fs::remove_file(validator_path(&path));
                }
            }
        } else if let Some(stem) = file_name.strip_suffix(VALIDATOR_SUFFIX) {
            // A sidecar whose partial file is gone (a process killed between the two).
            if !path
                .with_file_name(format!("{stem}{PARTIAL_SUFFIX}"))
                .exists()
            {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// Redirects of download URLs: up to five, to https or to plain http on this machine (a CDN
/// may redirect; nothing secret goes with the request).
pub(super) fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("more than five redirects")
        } else if attempt.url().scheme() == "https" || super::loopback_http(attempt.url().as_str())
        {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// `url` without its query, fragment or user info: what messages show of a download URL.
pub(crate) fn shown_url(url: &str) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..cut];
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// How one attempt ended.
enum Attempt {
    /// The partial file holds the whole video.
    Complete,
    /// Worth another attempt.
    Again {
        cause: String,
        /// The server's status, if it answered.
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    /// 403 or 404: the URL may have expired.
    Refused {
        status: u16,
    },
    /// The partial file's bytes are of another video: emptied, to be fetched whole.
    StartOver {
        cause: String,
    },
    Failed(ApiError),
}

/// The partial file and what is known of the download.
struct Partial {
    path: PathBuf,
    file: File,
    /// Bytes in the file.
    len: u64,
    /// The whole video's size, once the server said.
    total: Option<u64>,
    /// The server offered ranges in its last answer.
    resumable: bool,
    /// The validator of the bytes in the file, as kept in its sidecar.
    validator: Option<String>,
}

impl Partial {
    /// Opens (or creates) the partial file of `target` and locks it.
    fn open(target: &Path, project_id: &str) -> Result<Partial, ApiError> {
        let path = partial_path(target, project_id).ok_or_else(|| {
            ApiError::new(
                ErrorKind::Local,
                format!("{} is not a file path", target.display()),
            )
        })?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| local(parent, "cannot create", &e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| local(&path, "cannot open", &e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ApiError::new(
                    ErrorKind::Local,
                    format!(
                        "{} is being downloaded by another vidspec process",
                        target.display()
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(local(&path, "cannot lock", &e)),
        }
        let len = file
            .seek(SeekFrom::End(0))
            .map_err(|e| local(&path, "cannot read", &e))?;
        let sidecar = validator_path(&path);
        let validator = match std::fs::read(&sidecar) {
            Ok(bytes) => String::from_utf8(bytes)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| HeaderValue::from_str(v).is_ok() && !v.is_empty()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(local(&sidecar, "cannot read", &e)),
        };
        let mut partial = Partial {
            path,
            file,
            len,
            total: None,
            resumable: len > 0,
            validator,
        };
        if len == 0 || (partial.validator.is_none() && sidecar.exists()) {
            // Nothing to resume, or bytes whose (unreadable) validator cannot vouch for them.
            partial.restart()?;
            partial.remember(None)?;
        }
        Ok(partial)
    }

    /// Keeps `validator` (or none) in the sidecar as the one of the bytes about to be written.
    fn remember(&mut self, validator: Option<String>) -> Result<(), ApiError> {
        let sidecar = validator_path(&self.path);
        match &validator {
            Some(value) => File::create(&sidecar)
                .and_then(|mut f| f.write_all(value.as_bytes()).and_then(|()| f.sync_data()))
                .map_err(|e| local(&sidecar, "cannot write", &e))?,
            None => match std::fs::remove_file(&sidecar) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(local(&sidecar, "cannot remove", &e));
                }
                _ => {}
            },
        }
        self.validator = validator;
        Ok(())
    }

    /// Empties the file: the next bytes are the video's first.
    fn restart(&mut self) -> Result<(), ApiError> {
        self.file
            .set_len(0)
            .and_then(|()| self.file.seek(SeekFrom::Start(0)).map(drop))
            .map_err(|e| local(&self.path, "cannot truncate", &e))?;
        self.len = 0;
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        self.file
            .write_all(bytes)
            .map_err(|e| local(&self.path, "cannot write", &e))?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Syncs the file, renames it to `target` and hashes what is there.
    async fn finish(self, target: &Path) -> Result<Downloaded, ApiError> {
        let target = target.to_owned();
        let Partial {
            path, file, len, ..
        } = self;
        tokio::task::spawn_blocking(move || {
            file.sync_data()
                .map_err(|e| local(&path, "cannot sync", &e))?;
            drop(file);
            std::fs::rename(&path, &target).map_err(|e| {
                let _ = std::fs::remove_file(&path);
                local(&target, "cannot rename the download to", &e)
            })?;
            sync_parent(&target);
            let _ = std::fs::remove_file(validator_path(&path));
            remove_other_partials(&target);
            let sha256 = sha256_of(&target).map_err(|e| local(&target, "cannot read", &e))?;
            Ok(Downloaded {
                path: target,
                bytes: len,
                sha256,
            })
        })
        .await
        .unwrap_or_else(|e| Err(ApiError::new(ErrorKind::Local, e.to_string())))
    }

    /// Ends a failed download: the file stays when a rerun can resume it.
    fn abandon(self, transient: bool) -> bool {
        let keep = transient && self.resumable && self.len > 0;
        if !keep {
            drop(self.file);
            let _ = std::fs::remove_file(&self.path);
            let _ = std::fs::remove_file(validator_path(&self.path));
        }
        keep
    }
}

fn local(path: &Path, what: &str, error: &std::io::Error) -> ApiError {
    ApiError::new(
        ErrorKind::Local,
        format!("{what} {}: {error}", path.display()),
    )
}

/// The folder's entry of a renamed file on disk (best effort: not every system can sync a
/// folder).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if let Ok(dir) = File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The SHA-256 of a file, lowercase hex.
pub(crate) fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A `Content-Range`: the first and last byte sent, if any, and the whole size, if known.
type ContentRange = (Option<(u64, u64)>, Option<u64>);

/// `bytes START-END/TOTAL` (TOTAL may be `*`) or `bytes */TOTAL`.
fn content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    let range = match range.trim() {
        "*" => None,
        r => {
            let (start, end) = r.split_once('-')?;
            Some((start.trim().parse().ok()?, end.trim().parse().ok()?))
        }
    };
    Some((range, total))
}

impl Client {
    /// Streams the export of `project_id` from `url` to `target`; on 403/404 reads the
    /// progress once more for a fresh URL. `on_bytes(received, total)` is told as bytes
    /// arrive (received counts bytes resumed from an earlier run).
    pub(crate) async fn download_export(
        &self,
        project_id: &str,
        url: &str,
        target: &Path,
        on_bytes: &(dyn Fn(u64, Option<u64>) + Send + Sync),
    ) -> Result<Downloaded, ApiError> {
        let mut partial = Partial::open(target, project_id)?;
        let (_, policy, pacer, _) = self.transfer();
        let mut url = url.to_owned();
        let mut refreshed = false;
        let mut failures = 0;
        let mut furthest = partial.len;
        let what = |url: &str| format!("the video of project {project_id} ({})", shown_url(url));
        loop {
            pacer.wait().await;
            match self
                .attempt(&url, &mut partial, failures + 1, on_bytes)
                .await
            {
                Attempt::Complete => return partial.finish(target).await,
                Attempt::StartOver { cause } => {
                    // The next request asks for no range, so this cannot come again at once.
                    self.log(format_args!("{}: {cause}; starting over", what(&url)));
                }
                Attempt::Failed(error) => {
                    partial.abandon(false);
                    return Err(error);
                }
                Attempt::Refused { status } if !refreshed => {
                    refreshed = true;
                    let fresh = match self.progress(project_id).await {
                        Ok(progress) => progress.download_url,
                        Err(error) => {
                            partial.abandon(false);
                            return Err(ApiError::new(
                                error.kind,
                                format!(
                                    "{} answered {status}; reading a fresh URL failed: {}",
                                    what(&url),
                                    error.message
                                ),
                            ));
                        }
                    };
                    let Some(fresh) = fresh else {
                        partial.abandon(false);
                        return Err(ApiError::new(
                            ErrorKind::Refused { status },
                            format!(
                                "{} answered {status}, and the export's progress gives no download URL",
                                what(&url)
                            ),
                        ));
                    };
                    self.log(format_args!(
                        "{} answered {status}; going on with a fresh URL",
                        what(&url)
                    ));
                    url = fresh;
                }
                Attempt::Refused { status } => {
                    partial.abandon(false);
                    return Err(ApiError::new(
                        ErrorKind::Refused { status },
                        format!(
                            "{} answered {status}, also with a fresh URL from the export's progress",
                            what(&url)
                        ),
                    ));
                }
                Attempt::Again {
                    cause,
                    status,
                    retry_after,
                } => {
                    // Only bytes beyond the furthest point reached so far are progress: a
                    // download that starts over cannot go round for ever.
                    let progressed = partial.len > furthest;
                    furthest = furthest.max(partial.len);
                    failures = if progressed { 0 } else { failures + 1 };
                    if failures >= policy.attempts {
                        let (kind, held) = (
                            status.map_or(ErrorKind::Transport, |status| ErrorKind::Refused {
                                status,
                            }),
                            partial.len,
                        );
                        let path = partial.path.clone();
                        let kept = if partial.abandon(true) {
                            format!(
                                "; the {held} bytes received are kept in {} for a rerun to resume",
                                path.display()
                            )
                        } else {
                            String::new()
                        };
                        return Err(ApiError::new(
                            kind,
                            self.scrub(&format!(
                                "{} failed after {failures} attempts: {cause}{kept}",
                                what(&url)
                            )),
                        ));
                    }
                    let delay = policy.delay(failures.max(1), retry_after);
                    if status == Some(429) {
                        // The pacer holds every request back, this one included.
                        pacer.too_many(delay);
                    } else if !progressed {
                        tokio::time::sleep(delay).await;
                    }
                }
            }
        }
    }

    /// One GET of `url` into `partial`, from where it stands.
    async fn attempt(
        &self,
        url: &str,
        partial: &mut Partial,
        attempt: u32,
        on_bytes: &(dyn Fn(u64, Option<u64>) + Send + Sync),
    ) -> Attempt {
        let (http, _, pacer, timeout) = self.transfer();
        let shown = shown_url(url);
        let mut request = http.get(url).header(ACCEPT, "video/mp4, */*");
        if partial.len > 0 {
            request = request.header(RANGE, format!("bytes={}-", partial.len));
            if let Some(validator) = &partial.validator {
                request = request.header(IF_RANGE, validator.as_str());
            }
        }
        let started = Instant::now();
        let transport = |error: reqwest::Error| Attempt::Again {
            cause: self.scrub(&describe_transport(&error.without_url())),
            status: None,
            retry_after: None,
        };
        let mut response = match tokio::time::timeout(timeout, request.send()).await {
            Err(_) => {
                return Attempt::Again {
                    cause: format!("no answer within {} s", timeout.as_secs_f64()),
                    status: None,
                    retry_after: None,
                };
            }
            Ok(Err(error)) => {
                self.log(format_args!(
                    "GET {shown} → {} (attempt {attempt})",
                    describe_transport(&error)
                ));
                return transport(error);
            }
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        self.log(format_args!(
            "GET {shown} → {status} (attempt {attempt}, {} ms, from byte {})",
            started.elapsed().as_millis(),
            partial.len
        ));
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        if status != 429 {
            pacer.answered();
        }
        let range = header(CONTENT_RANGE).and_then(|v| content_range(&v));
        let served = validator_of(response.headers());
        if matches!(status, 206 | 416)
            && partial.len > 0
            && !same_video(partial.validator.as_deref(), served.as_deref())
        {
            let cause = match &partial.validator {
                Some(kept) => format!(
                    "the server's video is another than the partial file's ({} instead of {kept})",
                    served.unwrap_or_default()
                ),
                None => "the partial file has no validator to check the server's video by".into(),
            };
            partial.total = None;
            return match partial.restart().and_then(|()| partial.remember(None)) {
                Ok(()) => {
                    on_bytes(0, None);
                    Attempt::StartOver { cause }
                }
                Err(e) => Attempt::Failed(e),
            };
        }
        match status {
            200 => {
                // The whole video, even if a range was asked for (or the video changed).
                if partial.len > 0 {
                    if let Err(e) = partial.restart() {
                        return Attempt::Failed(e);
                    }
                    on_bytes(0, response.content_length());
                }
                // Before the first byte, so that a killed process leaves it with them.
                if let Err(e) = partial.remember(served) {
                    return Attempt::Failed(e);
                }
                partial.total = response.content_length();
            }
            206 => match range {
                Some((Some((start, _)), total))
                    if start == partial.len
                        && (partial.total.is_none()
                            || total.is_none()
                            || partial.total == total) =>
                {
                    partial.total = total.or(partial.total);
                }
                _ => {
                    // Not the range asked for, or the video changed size: start over.
                    partial.total = None;
                    return match partial.restart() {
                        Ok(()) => Attempt::Again {
                            cause: format!(
                                "the server sent another range than bytes={}- ({})",
                                partial.len,
                                header(CONTENT_RANGE).unwrap_or_default()
                            ),
                            status: Some(206),
                            retry_after: None,
                        },
                        Err(e) => Attempt::Failed(e),
                    };
                }
            },
            416 => {
                let total = range.and_then(|(_, total)| total);
                if partial.len > 0 && total == Some(partial.len) {
                    // An earlier run had all of it but was stopped before the rename.
                    return Attempt::Complete;
                }
                partial.total = None;
                return match partial.restart() {
                    Ok(()) => Attempt::Again {
                        cause: "the server refused the range of the partial file (416)".into(),
                        status: Some(416),
                        retry_after: None,
                    },
                    Err(e) => Attempt::Failed(e),
                };
            }
            403 | 404 => return Attempt::Refused { status },
            status if retry::retryable_status(status) => {
                return Attempt::Again {
                    cause: format!("HTTP {status}"),
                    status: Some(status),
                    retry_after: header(RETRY_AFTER)
                        .as_deref()
                        .and_then(retry::parse_retry_after),
                };
            }
            status => {
                return Attempt::Failed(ApiError::new(
                    ErrorKind::Refused { status },
                    format!("GET {shown} answered HTTP {status}"),
                ));
            }
        }
        partial.resumable = status == 206
            || header(ACCEPT_RANGES).is_some_and(|v| v.trim().eq_ignore_ascii_case("bytes"));
        let promised = response.content_length();
        let mut received = 0u64;
        let cut = loop {
            match tokio::time::timeout(timeout, response.chunk()).await {
                Err(_) => break Some(format!("no data for {} s", timeout.as_secs_f64())),
                Ok(Err(error)) => {
                    break Some(self.scrub(&describe_transport(&error.without_url())));
                }
                Ok(Ok(None)) => break None,
                Ok(Ok(Some(chunk))) => {
                    if let Err(e) = partial.write(&chunk) {
                        return Attempt::Failed(e);
                    }
                    received += chunk.len() as u64;
                    on_bytes(partial.len, partial.total);
                }
            }
        };
        let short = match (promised, partial.total) {
            (Some(promised), _) if received != promised => Some(format!(
                "the body ended after {received} of the {promised} bytes its Content-Length promised"
            )),
            (_, Some(total)) if partial.len != total => Some(format!(
                "the file holds {} of the video's {total} bytes",
                partial.len
            )),
            _ => None,
        };
        let empty = cut.is_none() && short.is_none() && partial.len == 0;
        if empty {
            return Attempt::Again {
                cause: format!("HTTP {status} with an empty body"),
                status: Some(status),
                retry_after: None,
            };
        }
        match cut.or(short) {
            None => Attempt::Complete,
            Some(cause) => {
                if !partial.resumable {
                    if let Err(e) = partial.restart() {
                        return Attempt::Failed(e);
                    }
                }
                Attempt::Again {
                    cause,
                    status: None,
                    retry_after: None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::Value;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::api::ApiOptions;
    use crate::api::mock::{self, MockOptions, video_bytes, video_bytes_of};
    use crate::api::token::{Credentials, Secret, Source};

    const USER_KEY: &str = "uk-download-test-SECRET";

    /// An in-process mock, stopped when dropped.
    struct Peer {
        addr: SocketAddr,
        client: Client,
        _stop: tokio::sync::oneshot::Sender<()>,
    }

    fn client(base: String, attempts: u32) -> Client {
        let options = ApiOptions {
            base,
            attempts,
            timeout: Duration::from_secs(5),
            ..ApiOptions::default()
        };
        let credentials = Credentials {
            app_id: "app".into(),
            user_key: Secret::new(USER_KEY),
            source: Source::Env,
        };
        Client::uncached(&options, Some(credentials)).unwrap()
    }

    async fn peer(options: MockOptions) -> Peer {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, addr) = tokio::sync::oneshot::channel();
        let options = MockOptions {
            port: 0,
            export_time: Duration::ZERO,
            ..options
        };
        tokio::spawn(mock::serve(
            options,
            move |addr| {
                let _ = ready.send(addr);
            },
            async move {
                let _ = stopped.await;
            },
        ));
        let addr = addr.await.unwrap();
        Peer {
            addr,
            client: client(format!("http://{addr}"), 5),
            _stop: stop,
        }
    }

    impl Peer {
        /// A created (and, with no export time, exported) project and its download URL.
        async fn exported(&self) -> (String, String) {
            let options = crate::compile::Options {
                sets: vec!["name=Ada".into()],
                ..Default::default()
            };
            let (lowered, _) =
                crate::compile::build(Path::new("examples/welcome.yaml"), &options).unwrap();
            let id = self
                .client
                .create_project(&lowered.project, false)
                .await
                .unwrap();
            let url = self.client.progress(&id).await.unwrap().download_url;
            (id, url.expect("exported at once"))
        }

        async fn stats(&self) -> Value {
            let url = format!("http://{}/__mock/stats", self.addr);
            reqwest::get(url).await.unwrap().json().await.unwrap()
        }

        /// Deletes project `id`, then downloads its video from `url`: the error.
        async fn deleted_then_fetched(&self, id: &str, url: &str, target: &Path) -> ApiError {
            let ids = [id.to_owned()];
            assert_eq!(self.client.delete_projects(&ids).await.unwrap(), 1);
            self.client
                .download_export(id, url, target, &quiet)
                .await
                .unwrap_err()
        }

        /// The `ETag` the mock serves the video of `id` with now.
        async fn etag(&self, id: &str) -> String {
            let url = format!("http://{}/__mock/reference/{id}.mp4", self.addr);
            let answer = reqwest::get(url).await.unwrap();
            answer.headers()[ETAG].to_str().unwrap().to_owned()
        }

        /// Has the mock render the export of `id` again: other bytes at the same URL.
        async fn rerender(&self, id: &str) {
            let url = format!("http://{}/__mock/faults", self.addr);
            let answer = reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({ "rerender": id }))
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_success());
        }

        /// The first project's download, cut short and given up ([`interrupting`]: a cut, then
        /// a 500 to a client of one attempt), its partial file left for a rerun; and the id,
        /// URL and number of bytes held.
        async fn interrupted(&self, target: &Path) -> (String, String, u64) {
            let (id, url) = self.exported().await;
            let error = client(format!("http://{}", self.addr), 1)
                .download_export(&id, &url, target, &quiet)
                .await
                .unwrap_err();
            assert!(error.message.contains("kept in"), "{}", error.message);
            let videos = &self.stats().await["videos"];
            assert_eq!(
                (videos["cut"].as_u64(), videos["failed"].as_u64()),
                (Some(1), Some(1))
            );
            let partial = partial_path(target, &id).unwrap();
            let held = std::fs::metadata(&partial).unwrap().len();
            assert!(held > 0 && held < video_bytes(&id).len() as u64, "{held}");
            let sidecar = validator_path(&partial);
            let name = sidecar.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with(".v.mp4.") && name.ends_with(".vidspec-validator"),
                "{name}"
            );
            assert_eq!(
                std::fs::read_to_string(&sidecar).unwrap(),
                self.etag(&id).await
            );
            (id, url, held)
        }
    }

    /// A mock whose first project's first video GET is cut and whose second answers 500, the
    /// next ones going through (the faults of `--seed 73` at half the GETs).
    fn interrupting() -> MockOptions {
        MockOptions {
            download_fail_rate: 0.5,
            seed: 73,
            ..MockOptions::default()
        }
    }

    /// What the rerun of an interrupted download met.
    struct Rerun {
        id: String,
        /// Bytes the interrupted run left.
        held: u64,
        done: Downloaded,
        landed: Vec<u8>,
        /// Body bytes the rerun was sent.
        sent: u64,
        videos: Value,
        left: Vec<String>,
    }

    /// Reruns an interrupted download, its video rendered again in between if `rerender`.
    async fn rerun(rerender: bool) -> Rerun {
        let peer = peer(interrupting()).await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        let (id, url, held) = peer.interrupted(&target).await;
        if rerender {
            let old = peer.etag(&id).await;
            peer.rerender(&id).await;
            assert_ne!(peer.etag(&id).await, old);
        }
        let before = peer.stats().await["videos"]["bytes"].as_u64().unwrap();
        let done = peer
            .client
            .download_export(&id, &url, &target, &quiet)
            .await
            .unwrap();
        let videos = peer.stats().await["videos"].clone();
        Rerun {
            id,
            held,
            done,
            landed: std::fs::read(&target).unwrap(),
            sent: videos["bytes"].as_u64().unwrap() - before,
            videos,
            left: names(dir.path()),
        }
    }

    #[tokio::test]
    async fn a_video_rendered_again_since_its_partial_file_ends_as_the_new_one_not_a_splice() {
        let rerun = rerun(true).await;
        let (new, videos) = (video_bytes_of(&rerun.id, 1), &rerun.videos);
        assert_ne!(new, video_bytes(&rerun.id));
        assert_eq!(rerun.done.sha256, hex_sha256(&new));
        assert_eq!(rerun.done.bytes, new.len() as u64);
        assert_eq!(rerun.landed, new);
        assert_eq!(rerun.sent, new.len() as u64, "{videos}");
        assert_eq!(videos["ifRange"], 1, "{videos}");
        assert_eq!(videos["ifRangeStale"], 1, "{videos}");
        assert_eq!(videos["partial"], 0, "{videos}");
        assert_eq!(rerun.left, ["v.mp4"], "no partial file or sidecar left");
    }

    #[tokio::test]
    async fn an_unchanged_video_resumes_with_if_range_and_a_206() {
        let rerun = rerun(false).await;
        let (expected, videos) = (video_bytes(&rerun.id), &rerun.videos);
        assert_eq!(rerun.landed, expected);
        assert_eq!(rerun.done.sha256, hex_sha256(&expected));
        assert_eq!(videos["ifRange"], 1, "{videos}");
        assert_eq!(videos["ifRangeStale"], 0, "{videos}");
        assert_eq!(videos["partial"], 1, "{videos}");
        assert_eq!(videos["requests"], 3, "{videos}");
        assert_eq!(rerun.sent, expected.len() as u64 - rerun.held);
        assert_eq!(rerun.left, ["v.mp4"], "no partial file or sidecar left");
    }

    #[tokio::test]
    async fn a_failure_no_rerun_can_resume_removes_the_sidecar_with_the_partial_file() {
        let peer = peer(interrupting()).await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        let (id, url, _) = peer.interrupted(&target).await;
        assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
        let error = peer.deleted_then_fetched(&id, &url, &target).await;
        assert!(error.message.contains("404"), "{}", error.message);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    /// Every file name in `dir`.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn hex_sha256(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn quiet(_: u64, _: Option<u64>) {}

    #[tokio::test]
    async fn a_download_lands_whole_with_its_hash_sending_no_credentials() {
        let peer = peer(MockOptions::default()).await;
        let (id, url) = peer.exported().await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("videos/deep/one.mp4");
        let last = Mutex::new((0, None));
        let calls = AtomicU64::new(0);
        let seen = |n, total| {
            calls.fetch_add(1, Ordering::SeqCst);
            *last.lock().unwrap() = (n, total);
        };
        let done = peer
            .client
            .download_export(&id, &url, &target, &seen)
            .await
            .unwrap();
        let expected = video_bytes(&id);
        let len = expected.len() as u64;
        assert_eq!(std::fs::read(&target).unwrap(), expected);
        assert_eq!(
            done,
            Downloaded {
                path: target.clone(),
                bytes: len,
                sha256: hex_sha256(&expected),
            }
        );
        assert_eq!(*last.lock().unwrap(), (len, Some(len)));
        assert!(calls.load(Ordering::SeqCst) > 1, "told as bytes arrive");
        assert!(is_downloaded(&target, len));
        assert!(!is_downloaded(&target, len - 1));
        assert!(!is_downloaded(&dir.path().join("videos"), 0));
        assert_eq!(names(target.parent().unwrap()), ["one.mp4"]);
        let videos = &peer.stats().await["videos"];
        assert_eq!(videos["requests"], 1);
        assert_eq!(videos["authorized"], 0, "no token goes to the video host");
    }

    #[tokio::test]
    async fn half_the_video_gets_failing_or_cut_still_ends_byte_identical() {
        let peer = peer(MockOptions {
            download_fail_rate: 0.5,
            seed: 11,
            ..MockOptions::default()
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        for n in 0..6 {
            let (id, url) = peer.exported().await;
            let target = dir.path().join(format!("{n}.mp4"));
            let done = peer
                .client
                .download_export(&id, &url, &target, &quiet)
                .await
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            let expected = video_bytes(&id);
            assert_eq!(std::fs::read(&target).unwrap(), expected, "{n}");
            assert_eq!(done.sha256, hex_sha256(&expected));
        }
        let names = names(dir.path());
        assert_eq!(names.len(), 6, "{names:?}");
        let videos = &peer.stats().await["videos"];
        for count in ["failed", "cut", "ranged"] {
            assert!(videos[count].as_u64().unwrap() > 0, "{count}: {videos}");
        }
    }

    #[tokio::test]
    async fn a_partial_file_of_an_earlier_run_is_resumed_with_a_range() {
        let peer = peer(MockOptions::default()).await;
        let (id, url) = peer.exported().await;
        let expected = video_bytes(&id);
        let half = expected.len() / 2;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        let partial = partial_path(&target, &id).unwrap();
        let name = partial.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".v.mp4.") && name.ends_with(".vidspec-partial"),
            "{name}"
        );
        std::fs::write(&partial, &expected[..half]).unwrap();
        std::fs::write(validator_path(&partial), peer.etag(&id).await).unwrap();
        // A partial file of the project this row had before is not resumed, and goes, with
        // its sidecar.
        let other = partial_path(&target, "replaced-project").unwrap();
        assert_ne!(other, partial);
        std::fs::write(&other, &expected[half..]).unwrap();
        std::fs::write(validator_path(&other), "\"old\"").unwrap();
        let first = Mutex::new(None);
        let seen = |n, _| {
            first.lock().unwrap().get_or_insert(n);
        };
        peer.client
            .download_export(&id, &url, &target, &seen)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), expected);
        assert!(
            first.lock().unwrap().unwrap() > half as u64,
            "counted from the resumed bytes"
        );
        let videos = &peer.stats().await["videos"];
        assert_eq!(videos["requests"], 1);
        assert_eq!(videos["ranged"], 1);
        assert_eq!(videos["partial"], 1);
        assert_eq!(videos["bytes"], (expected.len() - half) as u64);
        assert_eq!(names(dir.path()), ["v.mp4"]);
    }

    #[tokio::test]
    async fn a_complete_partial_file_is_renamed_without_a_byte_more_only_if_vouched_for() {
        for vouched in [true, false] {
            let peer = peer(MockOptions::default()).await;
            let (id, url) = peer.exported().await;
            let expected = video_bytes(&id);
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("v.mp4");
            let partial = partial_path(&target, &id).unwrap();
            std::fs::write(&partial, &expected).unwrap();
            if vouched {
                std::fs::write(validator_path(&partial), peer.etag(&id).await).unwrap();
            }
            peer.client
                .download_export(&id, &url, &target, &quiet)
                .await
                .unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), expected);
            let videos = &peer.stats().await["videos"];
            // Without a validator (an older vidspec's partial file) from a server that sends
            // one, nothing says the bytes are this video's: it is fetched again, whole.
            let (requests, sent) = if vouched {
                (1, 0)
            } else {
                (2, expected.len() as u64)
            };
            assert_eq!(
                (
                    videos["requests"].as_u64(),
                    videos["unsatisfiable"].as_u64(),
                    videos["bytes"].as_u64()
                ),
                (Some(requests), Some(1), Some(sent)),
                "vouched: {vouched}"
            );
            assert_eq!(names(dir.path()), ["v.mp4"]);
        }
    }

    #[tokio::test]
    async fn an_expired_url_is_replaced_by_a_fresh_one_from_the_progress() {
        let peer = peer(MockOptions {
            video_url_ttl: Some(Duration::from_millis(200)),
            ..MockOptions::default()
        })
        .await;
        let (id, url) = peer.exported().await;
        assert!(url.contains("?expires="), "{url}");
        // Expiry is in whole seconds.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let before = peer.stats().await["requests"]["progress"].as_u64().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        peer.client
            .download_export(&id, &url, &target, &quiet)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), video_bytes(&id));
        let stats = peer.stats().await;
        assert_eq!(stats["videos"]["expired"], 1);
        assert_eq!(stats["videos"]["served"], 1);
        assert_eq!(stats["requests"]["progress"].as_u64().unwrap(), before + 1);
    }

    #[tokio::test]
    async fn a_refusal_a_fresh_url_cannot_cure_fails_and_shows_no_query() {
        let peer = peer(MockOptions {
            video_url_ttl: Some(Duration::from_secs(60)),
            ..MockOptions::default()
        })
        .await;
        let (id, url) = peer.exported().await;
        let token = url.split("token=").nth(1).unwrap().to_owned();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        let error = peer.deleted_then_fetched(&id, &url, &target).await;
        assert!(error.message.contains("404"), "{}", error.message);
        assert!(
            error.message.contains(&format!("{id}.mp4")),
            "{}",
            error.message
        );
        for secret in [token.as_str(), "expires=", USER_KEY] {
            assert!(!error.message.contains(secret), "{}", error.message);
        }
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[tokio::test]
    async fn two_downloads_to_one_target_do_not_share_its_partial_file() {
        let peer = peer(MockOptions::default()).await;
        let (id, url) = peer.exported().await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        let held = Partial::open(&target, &id).unwrap();
        let error = peer
            .client
            .download_export(&id, &url, &target, &quiet)
            .await
            .unwrap_err();
        assert!(
            error.message.contains("another vidspec"),
            "{}",
            error.message
        );
        drop(held);
        peer.client
            .download_export(&id, &url, &target, &quiet)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), video_bytes(&id));
    }

    /// A server that answers every request with `answer(request head)` and closes.
    async fn raw_server(
        answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    ) -> (String, std::sync::Arc<AtomicU64>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let count = std::sync::Arc::new(AtomicU64::new(0));
        let seen = std::sync::Arc::clone(&count);
        let answer = std::sync::Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                let answer = std::sync::Arc::clone(&answer);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match stream.read(&mut byte).await {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let reply = answer(&String::from_utf8_lossy(&head));
                    let _ = stream.write_all(&reply).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        (format!("http://{addr}/v.mp4?token=sekrit-0123"), count)
    }

    fn reply(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
        let mut out =
            format!("HTTP/1.1 {status}\r\nConnection: close\r\n{headers}\r\n").into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_range_gets_the_download_started_over() {
        let video: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let whole = video.clone();
        let (url, _) = raw_server(move |_| {
            reply(
                "200 OK",
                &format!("Content-Length: {}\r\n", whole.len()),
                &whole,
            )
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        std::fs::write(
            partial_path(&target, "p").unwrap(),
            b"stale bytes of another run",
        )
        .unwrap();
        let done = client(url.clone(), 2)
            .download_export("p", &url, &target, &quiet)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), video);
        assert_eq!(done.bytes, 5000);
        assert_eq!(names(dir.path()), ["v.mp4"]);
    }

    #[tokio::test]
    async fn a_body_short_of_its_content_length_is_an_error_kept_only_if_resumable() {
        for ranges in [true, false] {
            let headers = format!(
                "Content-Length: 1000\r\n{}",
                if ranges {
                    "Accept-Ranges: bytes\r\n"
                } else {
                    ""
                }
            );
            let (url, count) = raw_server(move |head| {
                let asked = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("range: bytes=")
                            .map(str::to_owned)
                    })
                    .and_then(|r| r.trim_end_matches('-').parse::<u64>().ok());
                match asked {
                    // Resumed: the headers promise the rest, and nothing comes.
                    Some(start) => reply(
                        "206 Partial Content",
                        &format!(
                            "Content-Range: bytes {start}-999/1000\r\nContent-Length: {}\r\n",
                            1000 - start
                        ),
                        b"",
                    ),
                    None => reply("200 OK", &headers, &[7; 500]),
                }
            })
            .await;
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("v.mp4");
            let error = client(url.clone(), 2)
                .download_export("p", &url, &target, &quiet)
                .await
                .unwrap_err();
            assert_eq!(error.kind, ErrorKind::Transport, "{}", error.message);
            assert!(error.message.contains("2 attempts"), "{}", error.message);
            assert!(!error.message.contains("sekrit"), "{}", error.message);
            assert!(!target.exists());
            let partial = partial_path(&target, "p").unwrap();
            if ranges {
                // 500 bytes (progress does not count), then two resumed attempts with none.
                assert!(error.message.contains("kept in"), "{}", error.message);
                assert_eq!(std::fs::metadata(&partial).unwrap().len(), 500);
                assert_eq!(count.load(Ordering::SeqCst), 3);
            } else {
                assert!(
                    !partial.exists(),
                    "a partial no server can resume is removed"
                );
                assert_eq!(count.load(Ordering::SeqCst), 2);
            }
        }
    }

    #[tokio::test]
    async fn an_empty_body_is_refused() {
        let (url, count) = raw_server(|_| reply("200 OK", "Content-Length: 0\r\n", b"")).await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.mp4");
        let error = client(url.clone(), 3)
            .download_export("p", &url, &target, &quiet)
            .await
            .unwrap_err();
        assert!(error.message.contains("empty body"), "{}", error.message);
        assert_eq!(error.kind, ErrorKind::Refused { status: 200 });
        assert_eq!(count.load(Ordering::SeqCst), 3);
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn urls_are_shown_without_query_or_user_info() {
        assert_eq!(
            shown_url("https://u:p@cdn.example/v/1.mp4?sig=abc&exp=1#t"),
            "https://cdn.example/v/1.mp4"
        );
        assert_eq!(
            shown_url("http://127.0.0.1:9/a.mp4"),
            "http://127.0.0.1:9/a.mp4"
        );
        assert_eq!(shown_url("http://h?x=1"), "http://h");
    }

    #[test]
    fn the_validator_is_a_strong_etag_else_last_modified() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            validator_of(&map)
        };
        let date = "Tue, 01 Dec 2026 10:00:00 GMT";
        assert_eq!(
            headers(&[("etag", "\"v1\""), ("last-modified", date)]),
            Some("\"v1\"".into())
        );
        assert_eq!(
            headers(&[("etag", "W/\"v1\""), ("last-modified", date)]),
            Some(date.into()),
            "a weak ETag cannot go in If-Range"
        );
        assert_eq!(headers(&[("etag", "W/\"v1\"")]), None);
        assert_eq!(headers(&[]), None);
        assert!(same_video(Some("\"a\""), Some("\"a\"")));
        assert!(!same_video(Some("\"a\""), Some("\"b\"")));
        assert!(
            !same_video(None, Some("\"a\"")),
            "nothing vouches for the bytes"
        );
        assert!(same_video(None, None));
        assert!(
            same_video(Some("\"a\""), None),
            "the server checked the If-Range"
        );
    }

    #[test]
    fn content_ranges_are_read() {
        assert_eq!(
            content_range("bytes 10-19/100"),
            Some((Some((10, 19)), Some(100)))
        );
        assert_eq!(content_range("bytes 10-19/*"), Some((Some((10, 19)), None)));
        assert_eq!(content_range("bytes */100"), Some((None, Some(100))));
        assert_eq!(content_range("items 1-2/3"), None);
        assert_eq!(content_range("bytes x-2/3"), None);
    }
}

//! Credentials and tokens: where the AppId/UserKey come from, the [`Secret`] wrapper that keeps
//! them out of every printout, the on-disk token cache (mode 0600, written atomically), and
//! [`TokenSlot`], which makes N concurrent requests that find the token stale share one renewal.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A token lives 24 hours from issue (API.md).
pub(crate) const TOKEN_LIFE_SECS: u64 = 24 * 60 * 60;
/// The most a credentials file or a token cache may hold.
const CREDENTIALS_LIMIT: u64 = 64 * 1024;
/// A cached token is renewed when less than this is left of its life.
pub(crate) const RENEW_MARGIN_SECS: u64 = 5 * 60;

/// A value that must never be printed: the UserKey, a token. Debug and Display say `[redacted]`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where credentials were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Env,
    File(PathBuf),
}

/// The account's AppId and UserKey.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Credentials {
    #[serde(rename = "appId")]
    pub(crate) app_id: String,
    #[serde(rename = "userKey")]
    pub(crate) user_key: Secret,
    #[serde(skip, default = "env_source")]
    pub(crate) source: Source,
}

fn env_source() -> Source {
    Source::Env
}

impl Credentials {
    /// From `AISTUDIOS_APP_ID`/`AISTUDIOS_USER_KEY`, else the config file; `None` when neither.
    pub(crate) fn load() -> Result<Option<Credentials>, Error> {
        let app_id = std::env::var("AISTUDIOS_APP_ID")
            .ok()
            .filter(|v| !v.is_empty());
        let user_key = std::env::var("AISTUDIOS_USER_KEY")
            .ok()
            .filter(|v| !v.is_empty());
        match (app_id, user_key) {
            (Some(app_id), Some(user_key)) => {
                return Ok(Some(Credentials {
                    app_id,
                    user_key: Secret::new(user_key),
                    source: Source::Env,
                }));
            }
            (Some(_), None) => {
                return Err(Error::Usage(
                    "AISTUDIOS_APP_ID is set but AISTUDIOS_USER_KEY is not".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(Error::Usage(
                    "AISTUDIOS_USER_KEY is set but AISTUDIOS_APP_ID is not".into(),
                ));
            }
            (None, None) => {}
        }
        let Some(path) = credentials_path() else {
            return Ok(None);
        };
        let text = match crate::bounded::read_file(&path, CREDENTIALS_LIMIT) {
            Ok(text) => text,
            Err(crate::bounded::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            Err(e) => {
                return Err(crate::bounded::to_error(
                    &format!("reading {}", path.display()),
                    e,
                ));
            }
        };
        // The parser's message could quote the file; say only where it is.
        let mut credentials: Credentials = serde_json::from_str(&text).map_err(|_| {
            Error::Usage(format!(
                "{} is not a credentials file ({{\"appId\": …, \"userKey\": …}}); run `vidspec auth login` again",
                path.display()
            ))
        })?;
        credentials.source = Source::File(path);
        Ok(Some(credentials))
    }

    /// Writes the credentials file (mode 0600, atomically); returns its path.
    pub(crate) fn save(&self) -> Result<PathBuf, Error> {
        let path = credentials_path().ok_or_else(no_home)?;
        let bytes = serde_json::to_vec_pretty(self).expect("credentials serialize");
        crate::emit::write_private(&path, &bytes)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        Ok(path)
    }
}

fn no_home() -> Error {
    Error::Usage("cannot find a home folder: set HOME or XDG_CONFIG_HOME/XDG_CACHE_HOME".into())
}

fn home_dir(xdg: &str, fallback: &str) -> Option<PathBuf> {
    let from_xdg = std::env::var_os(xdg)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    from_xdg
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(fallback))
        })
        .map(|dir| dir.join("vidspec"))
}

/// `$XDG_CONFIG_HOME/vidspec/credentials.json` (or `~/.config/vidspec/credentials.json`).
pub(crate) fn credentials_path() -> Option<PathBuf> {
    home_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("credentials.json"))
}

/// `$VIDSPEC_CACHE_DIR/token.json`, else `$XDG_CACHE_HOME/vidspec/token.json` (or `~/.cache/…`).
pub(crate) fn token_cache_path() -> Option<PathBuf> {
    let dir = std::env::var_os("VIDSPEC_CACHE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir("XDG_CACHE_HOME", ".cache"))?;
    Some(dir.join("token.json"))
}

/// A token as cached: its value, when it was issued and runs out, and whose it is.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CachedToken {
    pub(crate) token: Secret,
    /// Seconds since the epoch.
    pub(crate) issued_at: u64,
    /// Seconds since the epoch; 24 h after issue unless the server says otherwise.
    pub(crate) expires_at: u64,
    /// The same instant as `issued_at`, for people reading the file.
    #[serde(default)]
    pub(crate) issued: String,
    /// The API base the token was issued by: a token from the mock is no good for the vendor.
    pub(crate) api_base: String,
    pub(crate) app_id: String,
}

impl CachedToken {
    pub(crate) fn new(token: Secret, api_base: &str, app_id: &str) -> CachedToken {
        let now = super::unix_now();
        CachedToken {
            token,
            issued_at: now,
            expires_at: now + TOKEN_LIFE_SECS,
            issued: super::rfc3339(now),
            api_base: api_base.to_owned(),
            app_id: app_id.to_owned(),
        }
    }

    /// True while more than the renewal margin is left.
    pub(crate) fn is_fresh(&self, now: u64) -> bool {
        self.expires_at > now.saturating_add(RENEW_MARGIN_SECS)
    }

    /// The cached token at `path` if it belongs to `api_base` (and to `app_id` when known).
    pub(crate) fn load(path: &Path, api_base: &str, app_id: Option<&str>) -> Option<CachedToken> {
        let text = crate::bounded::read_file(path, CREDENTIALS_LIMIT).ok()?;
        let cached: CachedToken = serde_json::from_str(&text).ok()?;
        let same_account = app_id.is_none_or(|id| id == cached.app_id);
        (cached.api_base == api_base && same_account).then_some(cached)
    }

    /// Writes the cache file: mode 0600, through a temporary file and a rename.
    pub(crate) fn store(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).expect("tokens serialize");
        crate::emit::write_private(path, &bytes)
    }
}

/// The token shared by every request of a client. A renewal happens under the lock, so
/// requests that find the token stale at the same moment wait for one renewal and share it.
pub(crate) struct TokenSlot {
    state: tokio::sync::Mutex<SlotState>,
}

struct SlotState {
    current: Option<CachedToken>,
    /// Bumped on each renewal: a request that saw generation `g` fail with 401 asks for a
    /// renewal of `g`; if the slot has moved past `g`, someone else renewed already.
    generation: u64,
}

impl TokenSlot {
    pub(crate) fn new(initial: Option<CachedToken>) -> TokenSlot {
        TokenSlot {
            state: tokio::sync::Mutex::new(SlotState {
                current: initial,
                generation: 0,
            }),
        }
    }

    /// The generation of the current token (0: none issued by this process yet).
    pub(crate) async fn generation(&self) -> u64 {
        self.state.lock().await.generation
    }

    /// A copy of the token at hand, fresh or not.
    pub(crate) async fn current(&self) -> Option<CachedToken> {
        self.state.lock().await.current.clone()
    }

    /// A fresh token and its generation; `fetch` runs only when none is fresh.
    pub(crate) async fn get<F, Fut, E>(&self, fetch: F) -> Result<(Secret, u64), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CachedToken, E>>,
    {
        let mut state = self.state.lock().await;
        if let Some(token) = state
            .current
            .as_ref()
            .filter(|t| t.is_fresh(super::unix_now()))
        {
            return Ok((token.token.clone(), state.generation));
        }
        Self::replace(&mut state, fetch).await
    }

    /// After the server refused generation `seen` (a 401): renews it, unless another request
    /// already did, in which case that newer token is returned.
    pub(crate) async fn renew<F, Fut, E>(&self, seen: u64, fetch: F) -> Result<(Secret, u64), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CachedToken, E>>,
    {
        let mut state = self.state.lock().await;
        if state.generation != seen {
            if let Some(token) = &state.current {
                return Ok((token.token.clone(), state.generation));
            }
        }
        state.current = None;
        Self::replace(&mut state, fetch).await
    }

    async fn replace<F, Fut, E>(state: &mut SlotState, fetch: F) -> Result<(Secret, u64), E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CachedToken, E>>,
    {
        let fresh = fetch().await?;
        state.generation += 1;
        let token = fresh.token.clone();
        state.current = Some(fresh);
        Ok((token, state.generation))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn secrets_print_as_redacted() {
        let secret = Secret::new("uk-very-secret");
        assert_eq!(format!("{secret} {secret:?}"), "[redacted] [redacted]");
        let credentials = Credentials {
            app_id: "app".into(),
            user_key: secret,
            source: Source::Env,
        };
        assert!(!format!("{credentials:?}").contains("very-secret"));
    }

    #[test]
    fn the_cache_file_is_private_and_belongs_to_one_api_base() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/token.json");
        let token = CachedToken::new(Secret::new("tok"), "http://a", "app");
        token.store(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(CachedToken::load(&path, "http://a", Some("app")).is_some());
        assert!(CachedToken::load(&path, "http://a", None).is_some());
        assert!(CachedToken::load(&path, "http://b", Some("app")).is_none());
        assert!(CachedToken::load(&path, "http://a", Some("other")).is_none());
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("token.json")]);
    }

    #[test]
    fn a_token_is_renewed_when_less_than_five_minutes_are_left() {
        let mut token = CachedToken::new(Secret::new("tok"), "b", "a");
        assert!(token.is_fresh(token.issued_at));
        token.expires_at = token.issued_at + RENEW_MARGIN_SECS;
        assert!(!token.is_fresh(token.issued_at));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_renewals_of_one_generation_fetch_once() {
        let slot = Arc::new(TokenSlot::new(None));
        let fetches = Arc::new(AtomicUsize::new(0));
        let fetch = |fetches: Arc<AtomicUsize>| async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok::<_, ()>(CachedToken::new(Secret::new("t"), "b", "a"))
        };
        let (_, generation) = slot.get(|| fetch(fetches.clone())).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (slot, fetches) = (slot.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                slot.renew(generation, || fetch(fetches)).await.unwrap().1
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), generation + 1);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}

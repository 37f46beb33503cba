//! The AI Studios v3 client: one method per endpoint of API.md, each going through the same
//! path — pace (`--rate`), authorize (the cached token, renewed once on a 401), send, read the
//! `{success, data}` / `{success: false, error: {code, msg}}` envelope, retry what may be
//! retried ([`super::retry`]) — and failures folded into an [`ApiError`] whose message is
//! scrubbed of every secret the client knows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde_json::{Value, json};

use super::ApiOptions;
use super::account::Listed;
pub(crate) use super::answer::{ApiError, ErrorKind};
use super::answer::{
    Envelope, describe_transport, encode_segment, first_list, id_text, vendor_message,
};
use super::retry::{self, Outcome, Pacer, Policy};
use super::token::{CachedToken, Credentials, Secret, TokenSlot, token_cache_path};
use crate::error::Error;

const NO_CREDENTIALS: &str =
    "no credentials: set AISTUDIOS_APP_ID and AISTUDIOS_USER_KEY, or run `vidspec auth login`";

pub(crate) const TOKEN_PATH: &str = "/api/odin/v3/auth/token";
pub(crate) const AUTH_PATH: &str = "/api/odin/v3/auth";
pub(crate) const PROJECT_PATH: &str = "/api/odin/v3/editor/project";
pub(crate) const EXPORT_PATH: &str = "/api/odin/v3/editor/project/export";
pub(crate) const PROGRESS_PATH: &str = "/api/odin/v3/editor/progress";
pub(crate) const MODELS_PATH: &str = "/api/odin/v3/model";

/// Export progress of a project.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Progress {
    /// 0 to 100.
    pub(crate) progress: f64,
    pub(crate) download_url: Option<String>,
}

/// The client; cheap to clone, shared by every task of a command.
#[derive(Clone)]
pub(crate) struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// For download URLs: no credentials ever go with it, so it may follow redirects.
    video_http: reqwest::Client,
    base: String,
    verbose: bool,
    listener: super::Listener,
    timeout: Duration,
    policy: Policy,
    pacer: Pacer,
    tokens: TokenSlot,
    credentials: Option<Credentials>,
    /// Credentials, or a fresh cached token that can stand in for them.
    authorized: bool,
    cache_path: Option<PathBuf>,
    /// Every secret value this client has held, scrubbed from messages that leave it.
    secrets: Mutex<Vec<String>>,
}

#[derive(Clone, Copy)]
struct Request<'a> {
    method: &'a Method,
    path: &'a str,
    body: Option<&'a Value>,
    /// Safe to send twice: everything but creating and exporting.
    idempotent: bool,
    /// The caller already waited for the pacer for the first attempt.
    prepaced: bool,
}

impl Client {
    /// A client with the credentials of the environment or the config file.
    pub(crate) fn new(options: &ApiOptions) -> Result<Client, Error> {
        Client::with_credentials(options, Credentials::load()?)
    }

    /// A client with the given credentials (`auth login` checks new ones this way).
    pub(crate) fn with_credentials(
        options: &ApiOptions,
        credentials: Option<Credentials>,
    ) -> Result<Client, Error> {
        Client::build(options, credentials, token_cache_path())
    }

    /// A client that keeps its token in memory only (tests of the library).
    #[cfg(test)]
    pub(crate) fn uncached(
        options: &ApiOptions,
        credentials: Option<Credentials>,
    ) -> Result<Client, Error> {
        Client::build(options, credentials, None)
    }

    fn build(
        options: &ApiOptions,
        credentials: Option<Credentials>,
        cache_path: Option<PathBuf>,
    ) -> Result<Client, Error> {
        // reqwest is built without a crypto provider; install ring once (a second install fails
        // harmlessly).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("vidspec/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the UserKey in a re-sent body to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Api(format!("cannot set up the HTTP client: {e}")))?;
        let video_http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("vidspec/", env!("CARGO_PKG_VERSION")))
            .redirect(super::download::redirect_policy())
            .build()
            .map_err(|e| Error::Api(format!("cannot set up the HTTP client: {e}")))?;
        let app_id = credentials.as_ref().map(|c| c.app_id.as_str());
        let cached = cache_path
            .as_deref()
            .and_then(|p| CachedToken::load(p, &options.base, app_id));
        let mut secrets: Vec<String> = credentials
            .iter()
            .map(|c| c.user_key.expose().to_owned())
            .collect();
        secrets.extend(cached.iter().map(|t| t.token.expose().to_owned()));
        let authorized = credentials.is_some()
            || cached
                .as_ref()
                .is_some_and(|t| t.is_fresh(super::unix_now()));
        let policy = Policy {
            attempts: options.attempts.max(1),
            ..Policy::default()
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                video_http,
                base: options.base.clone(),
                verbose: options.verbose,
                listener: options.listener.clone(),
                timeout: options.timeout,
                policy,
                pacer: Pacer::new(options.rate),
                tokens: TokenSlot::new(cached),
                credentials,
                authorized,
                cache_path,
                secrets: Mutex::new(secrets),
            }),
        })
    }

    pub(crate) fn base(&self) -> &str {
        &self.inner.base
    }

    pub(crate) fn credentials(&self) -> Option<&Credentials> {
        self.inner.credentials.as_ref()
    }

    /// An error (exit 1) when the client has neither credentials nor a fresh cached token: a
    /// run that needs the API refuses to start, instead of failing every row.
    pub fn require_credentials(&self) -> Result<(), Error> {
        if self.inner.authorized {
            return Ok(());
        }
        Err(ApiError::new(ErrorKind::NoCredentials, NO_CREDENTIALS).into())
    }

    /// Waits for a `--rate` slot; a caller that does so passes `prepaced` to the next request.
    pub(crate) async fn pace(&self) {
        self.inner.pacer.wait().await;
    }

    /// Asks for a new token even if a cached one is fresh (`auth login` checks credentials so).
    pub(crate) async fn renew_token(&self) -> Result<(), ApiError> {
        let generation = self.inner.tokens.generation().await;
        self.inner
            .tokens
            .renew(generation, || self.fetch_token())
            .await
            .map(|_| ())
    }

    /// A token at hand: the fresh cached one, or one asked for now (and cached).
    pub(crate) async fn authorize(&self) -> Result<(), ApiError> {
        self.inner
            .tokens
            .get(|| self.fetch_token())
            .await
            .map(|_| ())
    }

    /// The token at hand, if any (for `auth status`).
    pub(crate) async fn current_token(&self) -> Option<CachedToken> {
        self.inner.tokens.current().await
    }

    /// `GET /auth`: whether the server accepts the current token.
    pub(crate) async fn check_token(&self) -> Result<bool, ApiError> {
        let data = self.call(Request::get(AUTH_PATH)).await?;
        Ok(data
            .get("isAuthenticated")
            .and_then(Value::as_bool)
            .unwrap_or(false))
    }

    /// `POST /editor/project`: creates (and, unless `isExport` is false, exports) a project.
    /// Never sent twice once it may have reached the server: that is an [`ErrorKind::Unknown`].
    pub(crate) async fn create_project(
        &self,
        body: &Value,
        prepaced: bool,
    ) -> Result<String, ApiError> {
        let request = Request {
            prepaced,
            ..Request::once(&Method::POST, PROJECT_PATH, body)
        };
        let data = self.call(request).await?;
        match data.get("projectId").and_then(id_text) {
            Some(id) => Ok(id),
            None => Err(ApiError::new(
                ErrorKind::Unknown,
                "the API said the project was created but gave no projectId",
            )),
        }
    }

    /// `GET /editor/progress/{id}`.
    pub(crate) async fn progress(&self, project_id: &str) -> Result<Progress, ApiError> {
        let path = format!("{PROGRESS_PATH}/{}", encode_segment(project_id));
        let data = self.call(Request::get(&path)).await?;
        let progress = match data.get("progress") {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(0.0),
            _ => 0.0,
        };
        let download_url = ["downloadUrl", "download_url"]
            .iter()
            .find_map(|k| data.get(*k).and_then(Value::as_str))
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        Ok(Progress {
            progress,
            download_url,
        })
    }

    /// `GET /editor/project/{id}`: the stored project.
    pub(crate) async fn project(&self, project_id: &str) -> Result<Value, ApiError> {
        let path = format!("{PROJECT_PATH}/{}", encode_segment(project_id));
        let mut data = self.call(Request::get(&path)).await?;
        Ok(data.get_mut("project").map(Value::take).unwrap_or(data))
    }

    /// `GET /editor/project`: the account's projects — only those exported (the vendor's list
    /// leaves out drafts and exports in progress).
    pub(crate) async fn list_projects(&self) -> Result<Vec<Listed>, ApiError> {
        let data = self.call(Request::get(PROJECT_PATH)).await?;
        Ok(first_list(data, &["projects", "list", "items"])
            .iter()
            .filter_map(Listed::read)
            .collect())
    }

    /// `DELETE /editor/project {"ids": [...]}`: how many the API says it deleted. Retried
    /// like a read: deleting twice deletes nothing more.
    pub(crate) async fn delete_projects(&self, ids: &[String]) -> Result<u64, ApiError> {
        let body = json!({ "ids": ids });
        let request = Request::once(&Method::DELETE, PROJECT_PATH, &body).retryable();
        let data = self.call(request).await?;
        Ok(data
            .get("deletedCount")
            .and_then(Value::as_u64)
            .unwrap_or(0))
    }

    /// `GET /model`: the account's models, each with its clothes.
    pub(crate) async fn models(&self) -> Result<Vec<Value>, ApiError> {
        let data = self.call(Request::get(MODELS_PATH)).await?;
        Ok(first_list(data, &["models"]))
    }

    /// An authorized call: the token from the slot, renewed once if the server says 401.
    async fn call(&self, request: Request<'_>) -> Result<Value, ApiError> {
        let (token, generation) = self.inner.tokens.get(|| self.fetch_token()).await?;
        match self.exchange(request, Some(&token)).await {
            Err(e) if e.kind == ErrorKind::Unauthorized => {
                self.log(format_args!("the token was refused (401); renewing it"));
                let (token, _) = self
                    .inner
                    .tokens
                    .renew(generation, || self.fetch_token())
                    .await?;
                let again = Request {
                    prepaced: false,
                    ..request
                };
                self.exchange(again, Some(&token))
                    .await
                    .map_err(|e| match e.kind {
                        ErrorKind::Unauthorized => ApiError::new(
                            ErrorKind::Auth,
                            format!("the API refused a freshly issued token: {}", e.message),
                        ),
                        _ => e,
                    })
            }
            other => other,
        }
    }

    /// `POST /auth/token` with the credentials; caches the token it gets.
    async fn fetch_token(&self) -> Result<CachedToken, ApiError> {
        let Some(credentials) = &self.inner.credentials else {
            return Err(ApiError::new(ErrorKind::NoCredentials, NO_CREDENTIALS));
        };
        let body = json!({ "appId": credentials.app_id, "userKey": credentials.user_key.expose() });
        let data = self
            .exchange(
                Request::once(&Method::POST, TOKEN_PATH, &body).retryable(),
                None,
            )
            .await
            .map_err(|e| match e.kind {
                ErrorKind::Unauthorized | ErrorKind::Refused { status: 400..=499 } => {
                    ApiError::new(
                        ErrorKind::Auth,
                        format!(
                            "the API refused the credentials of AppId {}: {}",
                            credentials.app_id, e.message
                        ),
                    )
                }
                _ => e,
            })?;
        let Some(token) = data
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        else {
            return Err(ApiError::new(
                ErrorKind::Auth,
                "the token answer holds no token",
            ));
        };
        self.remember_secret(token);
        let cached = CachedToken::new(Secret::new(token), &self.inner.base, &credentials.app_id);
        if let Some(path) = &self.inner.cache_path {
            match cached.store(path) {
                Ok(()) => self.log(format_args!("token issued; cached in {}", path.display())),
                Err(e) => self.tell(super::Event::Warning(format!(
                    "cannot cache the token in {}: {e}",
                    path.display()
                ))),
            }
        }
        Ok(cached)
    }

    /// One request with its retries. A 401 is returned as [`ErrorKind::Unauthorized`] for
    /// [`Client::call`] to handle.
    async fn exchange(
        &self,
        request: Request<'_>,
        token: Option<&Secret>,
    ) -> Result<Value, ApiError> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.base, request.path);
        let attempts = inner.policy.attempts;
        let what = format!("{} {}", request.method, request.path);
        for attempt in 1..=attempts {
            if attempt > 1 || !request.prepaced {
                inner.pacer.wait().await;
            }
            let mut builder = inner
                .http
                .request(request.method.clone(), &url)
                .timeout(inner.timeout)
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json");
            if let Some(token) = token {
                let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
                    ApiError::new(ErrorKind::Auth, "the token is not a valid header value")
                })?;
                value.set_sensitive(true);
                builder = builder.header(AUTHORIZATION, value);
            }
            if let Some(body) = request.body {
                builder = builder.body(serde_json::to_vec(body).expect("JSON values serialize"));
            }
            let started = Instant::now();
            let answer = match builder.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(retry::parse_retry_after);
                    response
                        .bytes()
                        .await
                        .map(|body| (status, retry_after, body))
                }
                Err(e) => Err(e),
            };
            let elapsed = started.elapsed().as_millis();
            let (status, retry_after, body) = match answer {
                Ok(answer) => answer,
                Err(e) => {
                    let outcome = if e.is_connect() {
                        Outcome::NotSent
                    } else {
                        Outcome::MaybeSent
                    };
                    let cause = self.scrub(&describe_transport(&e));
                    if unknown_host(&e) {
                        // Not transient: a name that does not resolve now will not in a second
                        // (offline, or a mistyped --api-base).
                        self.log(format_args!(
                            "{what} → {cause} (attempt {attempt}, {elapsed} ms); not retried"
                        ));
                        return Err(ApiError::new(
                            ErrorKind::Transport,
                            format!(
                                "{what}: cannot resolve the host of {} ({cause}); check the network connection and --api-base",
                                inner.base
                            ),
                        ));
                    }
                    if outcome == Outcome::MaybeSent && !request.idempotent {
                        self.log(format_args!(
                            "{what} → {cause} (attempt {attempt}, {elapsed} ms); not resent"
                        ));
                        return Err(ApiError::new(
                            ErrorKind::Unknown,
                            format!(
                                "{what} was sent but no answer came ({cause}); its outcome is unknown"
                            ),
                        ));
                    }
                    if attempt == attempts {
                        self.log(format_args!(
                            "{what} → {cause} (attempt {attempt}, {elapsed} ms)"
                        ));
                        return Err(ApiError::new(
                            ErrorKind::Transport,
                            format!(
                                "{what} failed after {attempts} attempts: {cause} ({})",
                                inner.base
                            ),
                        ));
                    }
                    let delay = inner.policy.delay(attempt, None);
                    self.log(format_args!(
                        "{what} → {cause} (attempt {attempt}, {elapsed} ms); retrying in {} ms",
                        delay.as_millis()
                    ));
                    tokio::time::sleep(delay).await;
                    continue;
                }
            };
            if status == 429 {
                inner
                    .pacer
                    .too_many(inner.policy.delay(attempt, retry_after));
            } else {
                inner.pacer.answered();
            }
            let envelope: Option<Envelope> = serde_json::from_slice(&body).ok();
            let success = (200..300).contains(&status)
                && envelope.as_ref().is_some_and(|e| e.success != Some(false));
            if success || status == 401 || !retry::retryable_status(status) || attempt == attempts {
                self.log(format_args!(
                    "{what} → {status} (attempt {attempt}, {elapsed} ms)"
                ));
            }
            if success {
                return Ok(envelope.and_then(|e| e.data).unwrap_or(Value::Null));
            }
            if (200..300).contains(&status) && envelope.is_none() && !request.idempotent {
                return Err(ApiError::new(
                    ErrorKind::Unknown,
                    format!(
                        "{what} answered {status} with a body that is not the API's JSON; its outcome is unknown"
                    ),
                ));
            }
            let reason = self.scrub(&vendor_message(status, envelope.as_ref()));
            if status == 401 && token.is_some() {
                return Err(ApiError::new(
                    ErrorKind::Unauthorized,
                    format!("{what}: {reason}"),
                ));
            }
            if retry::retryable_status(status) && attempt < attempts {
                let delay = inner.policy.delay(attempt, retry_after);
                self.log(format_args!(
                    "{what} → {status} (attempt {attempt}, {elapsed} ms); retrying in {} ms",
                    delay.as_millis()
                ));
                // After a 429 the whole run waits and slows down (see above), not this request
                // alone: its next attempt takes a slot from the pacer like every other request.
                if status != 429 {
                    tokio::time::sleep(delay).await;
                }
                continue;
            }
            let tries = if attempt > 1 {
                format!(" (after {attempt} attempts)")
            } else {
                String::new()
            };
            return Err(ApiError::new(
                ErrorKind::Refused { status },
                format!("{what}: {reason}{tries}"),
            ));
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// What a download shares with the API calls: the HTTP client for videos, the retry
    /// policy, the pacer and the time limit of one request.
    pub(super) fn transfer(&self) -> (&reqwest::Client, &Policy, &Pacer, Duration) {
        let inner = &*self.inner;
        (
            &inner.video_http,
            &inner.policy,
            &inner.pacer,
            inner.timeout,
        )
    }

    pub(super) fn log(&self, message: std::fmt::Arguments<'_>) {
        if self.inner.verbose {
            self.tell(super::Event::Request(self.scrub(&message.to_string())));
        }
    }

    /// Tells the command's listener of `event`.
    pub(crate) fn tell(&self, event: super::Event) {
        self.inner.listener.tell(event);
    }

    fn remember_secret(&self, value: &str) {
        let mut secrets = self
            .inner
            .secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !secrets.iter().any(|s| s == value) {
            secrets.push(value.to_owned());
        }
    }

    /// `text` with every secret this client has held replaced by `[redacted]`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let secrets = self
            .inner
            .secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        secrets
            .iter()
            .filter(|s| s.len() >= 4)
            .fold(text.to_owned(), |acc, s| {
                acc.replace(s.as_str(), "[redacted]")
            })
    }
}

/// Whether a transport failure is a host name that did not resolve.
fn unknown_host(error: &reqwest::Error) -> bool {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        let text = e.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return true;
        }
        cause = e.source();
    }
    false
}

impl<'a> Request<'a> {
    fn get(path: &'a str) -> Request<'a> {
        Request {
            method: &Method::GET,
            path,
            body: None,
            idempotent: true,
            prepaced: false,
        }
    }

    /// A request with a body that must not be sent twice.
    fn once(method: &'a Method, path: &'a str, body: &'a Value) -> Request<'a> {
        Request {
            method,
            path,
            body: Some(body),
            idempotent: false,
            prepaced: false,
        }
    }

    fn retryable(self) -> Request<'a> {
        Request {
            idempotent: true,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_scrubbed_of_known_secrets() {
        let credentials = Credentials {
            app_id: "app".into(),
            user_key: Secret::new("uk-0123456789"),
            source: super::super::token::Source::Env,
        };
        let client = Client::with_credentials(
            &ApiOptions::new(super::super::Region::Global, None),
            Some(credentials),
        )
        .unwrap();
        client.remember_secret("tok-abcdef");
        assert_eq!(
            client.scrub("key uk-0123456789 token tok-abcdef"),
            "key [redacted] token [redacted]"
        );
    }
}

//! `vidspec mock-server`: an in-memory stand-in for the AI Studios v3 API on 127.0.0.1, for the
//! tests and for users who want to try a batch before spending credits.
//!
//! It speaks the same envelope and endpoints, validates project bodies with the vendor's
//! documented rules (`validate.rs`, written apart from `vidspec check` so it can disagree), issues tokens that expire, advances export progress with time, and
//! injects faults: 500s (`--fail-rate`), 429 with `Retry-After` above a request rate
//! (`--rate-limit`), latency, and connections closed without an answer (`--drop-rate`).
//! `--stall-rate` freezes the progress of some exports (the same ones for a `--seed`); a body
//! with a loopback `webhookUrl` gets the vendor's webhook posts (`webhook.rs`).
//! Exported projects' download URLs serve their videos (`videos.rs`), with
//! `--download-fail-rate` and `--video-url-ttl`.
//! `GET /editor/project/{id}` serves each stored body back in the vendor's get-project shape
//! (`data.project`: `_id`, the body, `state`, `progress`, `download_url`, `createdAt`,
//! `updatedAt`); `POST /__mock/projects` stores a body as the editor saves one (not validated,
//! not exported), for `vidspec pull` to fetch.
//! `GET /__mock/stats` counts what it saw, including the most projects exporting at once; `POST /__mock/faults {"failNext": n, "dropNext": n}`
//! makes the next requests fail, for tests that need a fault at an exact moment, and
//! `{"loseNext": n}` carries out the next n (token requests aside) but loses their answers.
//! `{"expireTokens": true}` makes every token issued so far expired at once (a token's life
//! without waiting it out), and `{"holdRefusals": n}` holds the next n refusals of an expired
//! token until all n are due (at most 10 s), so that n requests are known to have
//! been in flight with the stale token together. `{"rerender": "ID"}` renders a project's
//! export again: its download URL serves other bytes, under another `ETag`.

mod exports;
mod faults;
mod validate;
mod videos;
mod webhook;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use self::exports::Interval;
use self::faults::{Bucket, Conn, Killable, chance, take_one};
#[cfg(test)]
pub(crate) use self::videos::{video_bytes, video_bytes_of};

use super::client::{AUTH_PATH, EXPORT_PATH, MODELS_PATH, PROGRESS_PATH, PROJECT_PATH, TOKEN_PATH};

/// The longest a refusal held by `holdRefusals` waits for the others of its group.
const HOLD_LIMIT: Duration = Duration::from_secs(10);

/// The mock's settings (`vidspec mock-server` flags).
#[derive(Clone, Debug)]
pub(crate) struct MockOptions {
    /// 0 picks a free port.
    pub(crate) port: u16,
    /// Share of requests answered 500.
    pub(crate) fail_rate: f64,
    /// Added to every answer.
    pub(crate) latency: Duration,
    /// Requests per second above which the answer is 429 with `Retry-After`.
    pub(crate) rate_limit: Option<u32>,
    /// How long a token lives.
    pub(crate) token_ttl: Duration,
    /// Share of requests whose connection is closed without an answer.
    pub(crate) drop_rate: f64,
    /// How long an export takes from 0 to 100.
    pub(crate) export_time: Duration,
    /// The only accepted UserKey; any non-empty one when `None`.
    pub(crate) user_key: Option<String>,
    /// Share of exports whose progress stops short of 100 and never moves again.
    pub(crate) stall_rate: f64,
    /// Decides which exports stall: the same seed stalls the same creation numbers.
    pub(crate) seed: u64,
    /// Share of video GETs that fail: a 5xx, or a body cut short (`videos.rs`).
    pub(crate) download_fail_rate: f64,
    /// How long a download URL stays good; `None`: for ever, and no query string.
    pub(crate) video_url_ttl: Option<Duration>,
}

impl Default for MockOptions {
    fn default() -> MockOptions {
        MockOptions {
            port: 7878,
            fail_rate: 0.0,
            latency: Duration::ZERO,
            rate_limit: None,
            token_ttl: Duration::from_secs(24 * 60 * 60),
            drop_rate: 0.0,
            export_time: Duration::from_secs(5),
            user_key: None,
            stall_rate: 0.0,
            seed: 0,
            download_fail_rate: 0.0,
            video_url_ttl: None,
        }
    }
}

/// Binds 127.0.0.1, calls `ready` with the address, and serves until `shutdown` resolves.
/// Serves until Ctrl-C, on a runtime of its own: `vidspec mock-server`.
pub(crate) fn serve_until_ctrl_c(
    options: MockOptions,
    ready: impl FnOnce(SocketAddr),
) -> io::Result<()> {
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    super::runtime()
        .map_err(|e| io::Error::other(e.to_string()))?
        .block_on(serve(options, ready, shutdown))
}

pub(crate) async fn serve(
    options: MockOptions,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", options.port)).await?;
    let addr = listener.local_addr()?;
    let mock = Arc::new(Mock {
        bucket: options.rate_limit.map(Bucket::new),
        options,
        addr,
        state: Mutex::new(MockState::default()),
        held: tokio::sync::watch::channel(0).0,
    });
    let app = Router::new().fallback(handle).with_state(mock);
    ready(addr);
    axum::serve(
        Killable(listener),
        app.into_make_service_with_connect_info::<Conn>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

struct Mock {
    options: MockOptions,
    addr: SocketAddr,
    state: Mutex<MockState>,
    /// `--rate-limit`.
    bucket: Option<Bucket>,
    /// How many refusals of the `holdRefusals` group are waiting.
    held: tokio::sync::watch::Sender<u64>,
}

#[derive(Default)]
struct MockState {
    tokens: HashMap<String, Instant>,
    /// `expireTokens`: a token issued at or before this instant is expired.
    tokens_expired_at: Option<Instant>,
    /// `holdRefusals`: refusals still to hold, and the size of their group.
    hold_next: u64,
    hold_group: u64,
    projects: BTreeMap<String, Project>,
    next_id: u64,
    fail_next: u64,
    drop_next: u64,
    /// Requests to carry out and then close without the answer (`loseNext`).
    lose_next: u64,
    requests: BTreeMap<&'static str, u64>,
    statuses: BTreeMap<u16, u64>,
    tokens_issued: u64,
    projects_created: u64,
    dropped: u64,
    names: BTreeMap<String, u64>,
    /// The export intervals of deleted projects, for `maxExporting`.
    deleted_exports: Vec<Interval>,
    webhooks_sent: u64,
    webhooks_failed: u64,
    videos: videos::VideoStats,
}

struct Project {
    /// Its creation number (1 for the first project created).
    number: u64,
    body: Value,
    created_at: String,
    export_started: Option<Instant>,
    /// The progress this export stops at (`--stall-rate`).
    stall_at: Option<f64>,
    /// How many times its export was rendered again (`{"rerender": id}`): its video's bytes.
    render: u64,
}

/// Where an export is now (for the webhook).
struct ExportNow {
    progress: f64,
    url: Option<String>,
    /// Stalled: it will not move again.
    frozen: bool,
    credit: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    Token,
    Auth,
    Create,
    List,
    Delete,
    Export,
    Progress,
    Project,
    Models,
}

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::Auth => "auth",
            Endpoint::Create => "create",
            Endpoint::List => "list",
            Endpoint::Delete => "delete",
            Endpoint::Export => "export",
            Endpoint::Progress => "progress",
            Endpoint::Project => "project",
            Endpoint::Models => "models",
        }
    }

    fn route<'p>(method: &Method, path: &'p str) -> Option<(Endpoint, Option<&'p str>)> {
        let id = |prefix: &str| {
            path.strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|id| !id.is_empty() && !id.contains('/'))
        };
        let endpoint = match (method, path) {
            (&Method::POST, TOKEN_PATH) => Endpoint::Token,
            (&Method::GET, AUTH_PATH) => Endpoint::Auth,
            (&Method::POST, PROJECT_PATH) => Endpoint::Create,
            (&Method::GET, PROJECT_PATH) => Endpoint::List,
            (&Method::DELETE, PROJECT_PATH) => Endpoint::Delete,
            (&Method::POST, EXPORT_PATH) => Endpoint::Export,
            (&Method::GET, MODELS_PATH) => Endpoint::Models,
            (&Method::GET, _) if id(PROGRESS_PATH).is_some() => {
                return Some((Endpoint::Progress, id(PROGRESS_PATH)));
            }
            (&Method::GET, _) if id(PROJECT_PATH).is_some() => {
                return Some((Endpoint::Project, id(PROJECT_PATH)));
            }
            _ => return None,
        };
        Some((endpoint, None))
    }
}

fn state(mock: &Mock) -> std::sync::MutexGuard<'_, MockState> {
    mock.state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn ok(data: Value) -> Response {
    axum::Json(json!({ "success": true, "data": data })).into_response()
}

/// The vendor-style answer for a project id the mock does not hold.
fn no_project(id: &str) -> Response {
    fail(
        StatusCode::NOT_FOUND,
        "PROJECT_NOT_FOUND",
        format!("no project {id}"),
    )
}

fn fail(status: StatusCode, code: &str, msg: impl Into<String>) -> Response {
    let body = json!({ "success": false, "error": { "code": code, "msg": msg.into() } });
    (status, axum::Json(body)).into_response()
}

async fn handle(
    State(mock): State<Arc<Mock>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    match (&parts.method, path.as_str()) {
        (&Method::GET, "/__mock/stats") => return axum::Json(mock.stats()).into_response(),
        (&Method::POST, "/__mock/faults") => {
            let bytes = axum::body::to_bytes(body, 1 << 16)
                .await
                .unwrap_or_default();
            let faults: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let mut state = state(&mock);
            state.fail_next += faults.get("failNext").and_then(Value::as_u64).unwrap_or(0);
            state.drop_next += faults.get("dropNext").and_then(Value::as_u64).unwrap_or(0);
            state.lose_next += faults.get("loseNext").and_then(Value::as_u64).unwrap_or(0);
            if faults.get("expireTokens") == Some(&Value::Bool(true)) {
                state.tokens_expired_at = Some(Instant::now());
            }
            if let Some(id) = faults.get("rerender").and_then(Value::as_str) {
                match state.projects.get_mut(id) {
                    Some(project) => project.render += 1,
                    None => return no_project(id),
                }
            }
            if let Some(group) = faults.get("holdRefusals").and_then(Value::as_u64) {
                (state.hold_next, state.hold_group) = (group, group);
                mock.held.send_replace(0);
            }
            let counts = json!({ "failNext": state.fail_next, "dropNext": state.drop_next, "loseNext": state.lose_next });
            return axum::Json(counts).into_response();
        }
        (&Method::GET | &Method::HEAD, p)
            if p.starts_with(videos::VIDEO_PREFIX) || p.starts_with(videos::REFERENCE_PREFIX) =>
        {
            return mock.video(&parts.method, p, parts.uri.query(), &parts.headers);
        }
        (&Method::POST, "/__mock/projects") => {
            // A project saved in the editor: stored as it is (not validated, not exported),
            // for `pull` to fetch.
            let bytes = axum::body::to_bytes(body, 64 << 20)
                .await
                .unwrap_or_default();
            return match serde_json::from_slice::<Value>(&bytes) {
                Ok(project) if project.is_object() => {
                    ok(json!({ "projectId": mock.store(project, false) }))
                }
                _ => fail(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "the body is not a JSON object",
                ),
            };
        }
        _ => {}
    }
    let Some((endpoint, id)) = Endpoint::route(&parts.method, &path) else {
        return fail(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("no endpoint {} {path}", parts.method),
        );
    };
    *state(&mock).requests.entry(endpoint.name()).or_default() += 1;
    let response = mock.answer(endpoint, id, &parts.headers, body, &conn).await;
    if endpoint != Endpoint::Token && take_one(&mut state(&mock).lose_next) {
        // Carried out, but the answer is lost on the way back.
        conn.kill();
        state(&mock).dropped += 1;
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    *state(&mock)
        .statuses
        .entry(response.status().as_u16())
        .or_default() += 1;
    response
}

impl Mock {
    async fn answer(
        self: &Arc<Self>,
        endpoint: Endpoint,
        id: Option<&str>,
        headers: &axum::http::HeaderMap,
        body: axum::body::Body,
        conn: &Conn,
    ) -> Response {
        if let Some(wait) = self.bucket.as_ref().and_then(Bucket::take) {
            let mut response = fail(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "rate limit exceeded",
            );
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
        if !self.options.latency.is_zero() {
            tokio::time::sleep(self.options.latency).await;
        }
        let (drop, fail_now) = {
            let mut state = state(self);
            let drop = take_one(&mut state.drop_next) || chance(self.options.drop_rate);
            let fail_now =
                !drop && (take_one(&mut state.fail_next) || chance(self.options.fail_rate));
            state.dropped += u64::from(drop);
            (drop, fail_now)
        };
        if drop {
            conn.kill();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        if fail_now {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "injected failure (--fail-rate)",
            );
        }
        let Ok(bytes) = axum::body::to_bytes(body, 64 << 20).await else {
            return fail(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body could not be read",
            );
        };
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        if endpoint == Endpoint::Token {
            return self.issue_token(json.as_ref());
        }
        if let Some((refusal, held)) = self.refuse_token(headers) {
            if held {
                self.hold_refusal().await;
            }
            return refusal;
        }
        let needs_body = matches!(
            endpoint,
            Endpoint::Create | Endpoint::Export | Endpoint::Delete
        );
        let json = match json {
            Some(json) if json.is_object() => json,
            _ if needs_body => {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "the body is not a JSON object",
                );
            }
            _ => Value::Null,
        };
        match endpoint {
            Endpoint::Token => unreachable!("answered above"),
            Endpoint::Auth => ok(json!({ "isAuthenticated": true })),
            Endpoint::Create => self.create(json),
            Endpoint::Export => self.export(&json),
            Endpoint::Progress => self.progress(id.unwrap_or_default()),
            Endpoint::Project => self.project(id.unwrap_or_default()),
            Endpoint::List => self.list(),
            Endpoint::Delete => self.delete(&json),
            Endpoint::Models => ok(json!({ "models": models() })),
        }
    }

    fn issue_token(&self, body: Option<&Value>) -> Response {
        let field = |name: &str| {
            body.and_then(|b| b.get(name))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let (app_id, user_key) = (field("appId"), field("userKey"));
        if app_id.is_empty() || user_key.is_empty() {
            return fail(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "appId and userKey are required",
            );
        }
        if self
            .options
            .user_key
            .as_deref()
            .is_some_and(|k| k != user_key)
        {
            return fail(
                StatusCode::UNAUTHORIZED,
                "INVALID_CREDENTIALS",
                "appId or userKey is wrong",
            );
        }
        let token: String = (0..40).map(|_| fastrand::alphanumeric()).collect();
        let mut state = state(self);
        state.tokens.insert(token.clone(), Instant::now());
        state.tokens_issued += 1;
        ok(json!({ "token": token }))
    }

    /// A 401 for a missing, unknown or expired token, and whether `holdRefusals` holds it;
    /// `None` when the token is good.
    fn refuse_token(&self, headers: &axum::http::HeaderMap) -> Option<(Response, bool)> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut state = state(self);
        let issued = match state.tokens.get(token) {
            None => {
                let refusal = fail(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHORIZED",
                    "missing or unknown token",
                );
                return Some((refusal, false));
            }
            Some(issued) => *issued,
        };
        let expired = issued.elapsed() >= self.options.token_ttl
            || state.tokens_expired_at.is_some_and(|at| issued <= at);
        if !expired {
            return None;
        }
        let refusal = fail(
            StatusCode::UNAUTHORIZED,
            "TOKEN_EXPIRED",
            "the token has expired",
        );
        Some((refusal, take_one(&mut state.hold_next)))
    }

    /// Waits until every refusal of the `holdRefusals` group is due, or [`HOLD_LIMIT`].
    async fn hold_refusal(&self) {
        let group = state(self).hold_group;
        let mut waiting = self.held.subscribe();
        self.held.send_modify(|held| *held += 1);
        let all_due = waiting.wait_for(|held| *held >= group);
        let _ = tokio::time::timeout(HOLD_LIMIT, all_due).await;
    }

    fn create(self: &Arc<Self>, body: Value) -> Response {
        let problems = validate::problems(&body);
        if !problems.is_empty() {
            let listed: Vec<String> = problems
                .iter()
                .take(3)
                .map(|(at, message)| format!("{}: {message}", if at.is_empty() { "/" } else { at }))
                .collect();
            let more = problems.len().saturating_sub(3);
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            return fail(
                StatusCode::BAD_REQUEST,
                "INVALID_PROJECT",
                format!("{}{tail}", listed.join("; ")),
            );
        }
        if let Some(reason) = body.get("webhookUrl").and_then(webhook::refusal) {
            return fail(StatusCode::BAD_REQUEST, "INVALID_WEBHOOK", reason);
        }
        let export = body
            .get("isExport")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let hook = body
            .get("webhookUrl")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let id = self.store(body, export);
        let mut counts = state(self);
        counts.projects_created += 1;
        let name = counts.projects[&id].body["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *counts.names.entry(name).or_default() += 1;
        drop(counts);
        if let Some(url) = hook {
            tokio::spawn(webhook::deliver(Arc::clone(self), id.clone(), url));
        }
        ok(json!({ "projectId": id }))
    }

    /// Keeps a project body (named "Default Template" when it has no name), exporting it
    /// from now on when `export`; its new id.
    fn store(&self, mut body: Value, export: bool) -> String {
        if let Some(map) = body.as_object_mut() {
            map.entry("name")
                .or_insert_with(|| Value::from("Default Template"));
        }
        let mut state = state(self);
        state.next_id += 1;
        let id = format!("{:08x}{:016x}", self.addr.port(), state.next_id);
        let now = Instant::now();
        let options = &self.options;
        let number = state.next_id;
        let stall_at = exports::stall_point(options.seed, number, options.stall_rate);
        state.projects.insert(
            id.clone(),
            Project {
                number,
                body,
                created_at: super::now_rfc3339(),
                export_started: export.then_some(now),
                stall_at,
                render: 0,
            },
        );
        id
    }

    fn export(&self, body: &Value) -> Response {
        let id = body
            .get("projectId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut state = state(self);
        let Some(project) = state.projects.get_mut(id) else {
            return no_project(id);
        };
        project.export_started.get_or_insert_with(Instant::now);
        ok(json!({ "projectId": id }))
    }

    /// Progress and download URL of a stored project (a stalled one stops where it stalls).
    fn progress_of(&self, id: &str, project: &Project) -> (f64, Option<String>) {
        let Some(started) = project.export_started else {
            return (0.0, None);
        };
        let total = self.options.export_time.as_secs_f64();
        let progress = if total <= 0.0 {
            100.0
        } else {
            (started.elapsed().as_secs_f64() / total * 100.0).min(100.0)
        };
        let progress = (progress * 10.0).floor() / 10.0;
        let progress = project.stall_at.map_or(progress, |at| progress.min(at));
        let url = (progress >= 100.0).then(|| videos::url(self.addr, &self.options, id));
        (progress, url)
    }

    /// The export of project `id` now; `None` once it is deleted.
    fn export_now(&self, id: &str) -> Option<ExportNow> {
        let state = state(self);
        let project = state.projects.get(id)?;
        let (progress, url) = self.progress_of(id, project);
        let scenes = project.body["scenes"].as_array().map_or(0, Vec::len);
        Some(ExportNow {
            progress,
            url,
            frozen: project.stall_at.is_some_and(|at| progress >= at),
            credit: scenes.max(1) as u64,
        })
    }

    fn count_webhook(&self, delivered: bool) {
        let mut state = state(self);
        if delivered {
            state.webhooks_sent += 1;
        } else {
            state.webhooks_failed += 1;
        }
    }

    /// The export interval of a project, if it was exported.
    fn interval(&self, project: &Project) -> Option<Interval> {
        let start = project.export_started?;
        Some(Interval::of(
            start,
            self.options.export_time,
            project.stall_at.is_some(),
        ))
    }

    fn progress(&self, id: &str) -> Response {
        let state = state(self);
        let Some(project) = state.projects.get(id) else {
            return no_project(id);
        };
        let (progress, url) = self.progress_of(id, project);
        let mut data = json!({ "progress": progress });
        if let Some(url) = url {
            data["downloadUrl"] = Value::String(url);
        }
        ok(data)
    }

    fn project(&self, id: &str) -> Response {
        let state = state(self);
        let Some(project) = state.projects.get(id) else {
            return no_project(id);
        };
        let (progress, url) = self.progress_of(id, project);
        let state_name = match (project.export_started, &url) {
            (None, _) => "draft",
            (Some(_), None) => "exporting",
            (Some(_), Some(_)) => "exported",
        };
        let mut stored = json!({ "_id": id });
        if let (Some(out), Some(body)) = (stored.as_object_mut(), project.body.as_object()) {
            out.extend(body.iter().map(|(k, v)| (k.clone(), v.clone())));
            out.insert("state".into(), state_name.into());
            out.insert("progress".into(), json!(progress));
            out.insert(
                "download_url".into(),
                url.map_or(Value::Null, Value::String),
            );
            out.insert("createdAt".into(), project.created_at.clone().into());
            out.insert("updatedAt".into(), project.created_at.clone().into());
        }
        ok(json!({ "project": stored }))
    }

    fn list(&self) -> Response {
        let state = state(self);
        let exported: Vec<Value> = state
            .projects
            .iter()
            .filter_map(|(id, project)| {
                let (_, url) = self.progress_of(id, project);
                url.map(|url| json!({ "id": id, "name": project.body["name"], "state": "exported", "download_url": url }))
            })
            .collect();
        ok(Value::Array(exported))
    }

    fn delete(&self, body: &Value) -> Response {
        let ids: Option<Vec<&str>> = body
            .get("ids")
            .and_then(Value::as_array)
            .and_then(|ids| ids.iter().map(Value::as_str).collect());
        let Some(ids) = ids.filter(|ids| !ids.is_empty()) else {
            return fail(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "ids must be a non-empty array of project ids",
            );
        };
        let now = Instant::now();
        let mut state = state(self);
        let mut deleted = 0;
        for id in ids {
            let Some(project) = state.projects.remove(id) else {
                continue;
            };
            deleted += 1;
            if let Some(mut interval) = self.interval(&project) {
                // Deleting an export ends it.
                interval.end = Some(interval.end.map_or(now, |end| end.min(now)));
                state.deleted_exports.push(interval);
            }
        }
        ok(json!({ "deletedCount": deleted }))
    }

    fn stats(&self) -> Value {
        let state = state(self);
        let statuses: BTreeMap<String, u64> = state
            .statuses
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let intervals: Vec<Interval> = state
            .projects
            .values()
            .filter_map(|p| self.interval(p))
            .chain(state.deleted_exports.iter().copied())
            .collect();
        let now = Instant::now();
        json!({
            "maxExporting": exports::most_at_once(intervals.iter().copied()),
            "exporting": intervals.iter().filter(|i| i.covers(now)).count(),
            "webhooks": { "sent": state.webhooks_sent, "failed": state.webhooks_failed },
            "videos": state.videos.json(),
            "requests": state.requests,
            "statuses": statuses,
            "tokensIssued": state.tokens_issued,
            "projectsCreated": state.projects_created,
            "projects": state.projects.len(),
            "dropped": state.dropped,
            "projectNames": state.names,
        })
    }
}

/// The model catalogue: the one model of the public docs, and a Korean presenter the mock
/// makes up (`M000000101`, in two clothes) that no built-in preset has, as an account's
/// other models are.
fn models() -> Value {
    let cdn = "https://cdn.aistudios.com";
    let cloth = |model: &str, id: &str, ko: &str, en: &str| {
        json!({
            "id": id,
            "label": { "ko": ko, "en": en },
            "thumbnail": format!("{cdn}/ai/ai_mov_thm/tight_ai_mov_thm_{model}_{id}.png"),
        })
    };
    json!([
        {
            "id": "M000045058",
            "label": { "ko": "애나", "en": "Anna" },
            "thumbnail": format!("{cdn}/ai/model-introduce/thumbnails/M000045058_BG00002320.png"),
            "clothes": [cloth("M000045058", "BG00002320", "네이비 정장", "Navy suit")],
        },
        {
            "id": "M000000101",
            "label": { "ko": "민지", "en": "Minji" },
            "thumbnail": format!("{cdn}/ai/model-introduce/thumbnails/M000000101_BG00000201.png"),
            "clothes": [
                cloth("M000000101", "BG00000201", "베이지 블라우스", "Beige blouse"),
                cloth("M000000101", "BG00000202", "검정 정장", "Black suit"),
            ],
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_the_documented_paths() {
        let route =
            |m: Method, p: &str| Endpoint::route(&m, p).map(|(e, id)| (e, id.map(str::to_owned)));
        assert_eq!(
            route(Method::POST, TOKEN_PATH),
            Some((Endpoint::Token, None))
        );
        assert_eq!(
            route(Method::POST, EXPORT_PATH),
            Some((Endpoint::Export, None))
        );
        assert_eq!(
            route(Method::GET, "/api/odin/v3/editor/progress/abc"),
            Some((Endpoint::Progress, Some("abc".into())))
        );
        assert_eq!(
            route(Method::GET, "/api/odin/v3/editor/project/abc"),
            Some((Endpoint::Project, Some("abc".into())))
        );
        assert_eq!(route(Method::GET, "/api/odin/v3/editor/progress/"), None);
        assert_eq!(route(Method::PUT, PROJECT_PATH), None);
    }
}

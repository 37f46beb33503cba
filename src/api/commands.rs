//! The API commands as `cli` calls them: plain options in, a runtime built for the length of
//! the command, text out. `submit`, `status`, `models`, `auth login|status|logout`,
//! `mock-server`, and [`submit_items`], the blocking entry point for `batch --submit`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use serde_json::Value;

use super::client::Client;
use super::journal::Journal;
use super::mock::{self, MockOptions};
use super::submit::{SubmitItem, SubmitOptions, Summary, submit_all};
use super::token::{CachedToken, Credentials, Secret, Source, credentials_path, token_cache_path};
use super::{ApiOptions, rfc3339, runtime, unix_now};
use crate::emit;
use crate::error::Error;

fn print(text: &str) -> Result<(), Error> {
    emit::write_stdout(text.as_bytes()).map_err(|e| Error::io("writing stdout", e))
}

/// `vidspec submit`: creates (and by default exports) one compiled project; prints its
/// projectId, and with `wait` the download URL once the export is done.
pub fn submit(project: Value, options: &SubmitOptions, api: &ApiOptions) -> Result<(), Error> {
    let options = SubmitOptions {
        report_rows: false,
        ..options.clone()
    };
    let journal = Journal::for_run(options.journal.as_deref())?;
    let summary = submit_items([SubmitItem { row: 1, project }], &options, api, journal)?;
    if let Some(created) = summary.created.first() {
        // Created: its id is printed even if waiting for the export stopped short.
        print(&format!("{}\n", created.project_id))?;
        if let Some(url) = &created.download_url {
            print(&format!("{url}\n"))?;
        }
    }
    if summary.interrupted {
        return Err(Error::Interrupted);
    }
    if let Some((_, id)) = summary.already_created.first() {
        eprintln!("already created by an earlier run (see the journal): not submitted again");
        return print(&format!("{id}\n"));
    }
    let reason = summary
        .unknown
        .first()
        .or(summary.failed.first())
        .map(|(_, reason)| reason.clone());
    let reason = reason.or_else(|| summary.created.first().and_then(|c| c.wait_error.clone()));
    match (reason, summary.fatal, summary.created.is_empty()) {
        (Some(reason), _, _) | (None, Some(reason), _) => Err(Error::Api(reason)),
        (None, None, true) => Err(Error::Api("nothing was submitted".into())),
        (None, None, false) => Ok(()),
    }
}

/// Submits items from synchronous code (`batch --submit`): builds a runtime and a client from
/// `api`, runs [`submit_all`] with `journal` (`options.journal`, opened by the caller), and
/// returns its summary; [`Summary::result`] gives the exit status.
pub fn submit_items(
    items: impl IntoIterator<Item = SubmitItem>,
    options: &SubmitOptions,
    api: &ApiOptions,
    journal: Journal,
) -> Result<Summary, Error> {
    let client = Client::new(api)?;
    runtime()?.block_on(submit_all(&client, items, options, journal))
}

/// The hidden `vidspec submit-projects FILE`: submits the projects of an NDJSON file (one
/// compiled project per line, row = line number; `-` reads stdin). Prints `row<TAB>projectId`
/// for every row created now or before, then a summary line on stderr.
pub fn submit_projects(
    file: &Path,
    options: &SubmitOptions,
    api: &ApiOptions,
) -> Result<(), Error> {
    let shown = crate::display_path(file);
    let journal = Journal::for_run(options.journal.as_deref())?;
    let limit = crate::bounded::MAX_NDJSON;
    let text = if file == Path::new("-") {
        crate::bounded::read_text(std::io::stdin(), limit)
            .map_err(|e| crate::bounded::to_error("reading stdin", e))?
    } else {
        crate::bounded::read_file_or_error(file, limit)?
    };
    let mut items = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let project = serde_json::from_str(line)
            .map_err(|e| Error::Usage(format!("{shown}:{}: not a JSON project: {e}", index + 1)))?;
        items.push(SubmitItem {
            row: index as u64 + 1,
            project,
        });
    }
    let summary = submit_items(items, options, api, journal)?;
    print_created(&summary)?;
    summary.result()
}

/// Prints `row<TAB>projectId[<TAB>downloadUrl]` for every row created now or before, in row
/// order, then the summary line on stderr.
pub fn print_created(summary: &Summary) -> Result<(), Error> {
    let mut out = String::new();
    let mut rows: Vec<(u64, &str, Option<&str>)> = summary
        .created
        .iter()
        .map(|c| (c.row, c.project_id.as_str(), c.download_url.as_deref()))
        .collect();
    rows.extend(
        summary
            .already_created
            .iter()
            .map(|(row, id)| (*row, id.as_str(), None)),
    );
    rows.sort_by_key(|r| r.0);
    for (row, id, url) in rows {
        out.push_str(&format!("{row}\t{id}"));
        if let Some(url) = url {
            out.push_str(&format!("\t{url}"));
        }
        out.push('\n');
    }
    print(&out)?;
    eprintln!("{}", summary.line());
    Ok(())
}

fn check_id(id: &str) -> Result<(), Error> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "`{id}` is not a project id (letters, digits, - and _)"
        )))
    }
}

/// `vidspec status ID`: the export progress of a project, and its download URL once done.
pub fn status(project_id: &str, api: &ApiOptions) -> Result<(), Error> {
    check_id(project_id)?;
    let client = Client::new(api)?;
    let progress = runtime()?.block_on(client.progress(project_id))?;
    let mut out = format!("progress  {}%\n", progress.progress);
    if let Some(url) = &progress.download_url {
        out.push_str(&format!("download  {url}\n"));
    }
    print(&out)
}

/// `vidspec models`: the account's models and, under each, its clothing.
pub fn models(api: &ApiOptions) -> Result<(), Error> {
    let client = Client::new(api)?;
    let models = runtime()?.block_on(client.models())?;
    let label = |item: &Value| {
        let label = &item["label"];
        label["en"]
            .as_str()
            .or(label["ko"].as_str())
            .or(label.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mut out = String::new();
    for model in &models {
        out.push_str(&format!(
            "{}  {}\n",
            model["id"].as_str().unwrap_or("?"),
            label(model)
        ));
        for cloth in model["clothes"].as_array().map_or(&[][..], Vec::as_slice) {
            out.push_str(&format!(
                "  {}  {}\n",
                cloth["id"].as_str().unwrap_or("?"),
                label(cloth)
            ));
        }
    }
    if models.is_empty() {
        eprintln!("the account has no models");
    }
    print(&out)
}

/// `vidspec auth login`: asks for the AppId and UserKey (the key without echo on a terminal;
/// otherwise two lines of stdin), checks them by getting a token, and saves them (mode 0600).
pub fn auth_login(api: &ApiOptions) -> Result<(), Error> {
    let (app_id, user_key) = if std::io::stdin().is_terminal() {
        eprint!("AppId: ");
        let _ = std::io::stderr().flush();
        let mut app_id = String::new();
        std::io::stdin()
            .read_line(&mut app_id)
            .map_err(|e| Error::io("reading the AppId", e))?;
        let user_key = rpassword::prompt_password("UserKey (not shown): ")
            .map_err(|e| Error::io("reading the UserKey", e))?;
        (app_id, user_key)
    } else {
        // Two short lines: a stream without an end (`< /dev/zero`) is cut, not read forever.
        let mut lines = std::io::Read::take(std::io::stdin().lock(), 64 * 1024).lines();
        let mut next = || lines.next().transpose().map(Option::unwrap_or_default);
        let app_id = next().map_err(|e| Error::io("reading the AppId from stdin", e))?;
        let user_key = next().map_err(|e| Error::io("reading the UserKey from stdin", e))?;
        (app_id, user_key)
    };
    let (app_id, user_key) = (app_id.trim().to_owned(), Secret::new(user_key.trim()));
    if app_id.is_empty() || user_key.expose().is_empty() {
        return Err(Error::Usage(
            "both the AppId and the UserKey are needed".into(),
        ));
    }
    let credentials = Credentials {
        app_id,
        user_key,
        source: Source::Env,
    };
    let client = Client::with_credentials(api, Some(credentials.clone()))?;
    runtime()?.block_on(client.renew_token())?;
    let path = credentials.save()?;
    eprintln!(
        "logged in as AppId {} at {}; credentials saved in {} (readable by you only)",
        credentials.app_id,
        client.base(),
        path.display()
    );
    Ok(())
}

/// `vidspec auth status`: where the credentials come from, the cached token's life, and
/// whether the API accepts it.
pub fn auth_status(api: &ApiOptions) -> Result<(), Error> {
    let client = Client::new(api)?;
    let mut out = String::new();
    match client.credentials() {
        Some(c) => {
            let from = match &c.source {
                Source::Env => "AISTUDIOS_APP_ID/AISTUDIOS_USER_KEY".to_owned(),
                Source::File(path) => path.display().to_string(),
            };
            out.push_str(&format!("credentials  AppId {} (from {from})\n", c.app_id));
        }
        None => out.push_str("credentials  none: set AISTUDIOS_APP_ID/AISTUDIOS_USER_KEY or run `vidspec auth login`\n"),
    }
    out.push_str(&format!("api          {}\n", client.base()));
    let rt = runtime()?;
    let checked = rt.block_on(client.check_token());
    match rt.block_on(client.current_token()) {
        Some(token) => out.push_str(&token_lines(&token)),
        None => out.push_str("token        none cached\n"),
    }
    print(&out)?;
    match checked {
        Ok(true) => {
            eprintln!("the API accepts the token");
            Ok(())
        }
        Ok(false) => Err(Error::Api("the API does not accept the token".into())),
        Err(e) => Err(e.into()),
    }
}

fn token_lines(token: &CachedToken) -> String {
    let left = token.expires_at.saturating_sub(unix_now());
    let cache = token_cache_path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    format!(
        "token        issued {}, expires {} ({}h{:02}m left)\ncache        {cache}\n",
        rfc3339(token.issued_at),
        rfc3339(token.expires_at),
        left / 3600,
        left % 3600 / 60
    )
}

/// `vidspec auth logout`: removes the saved credentials and the cached token.
pub fn auth_logout() -> Result<(), Error> {
    let mut removed = Vec::new();
    for path in [credentials_path(), token_cache_path()]
        .into_iter()
        .flatten()
    {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", path.display()), e)),
        }
    }
    if removed.is_empty() {
        eprintln!("nothing to remove: no saved credentials or cached token");
    } else {
        eprintln!("removed {}", removed.join(" and "));
    }
    if std::env::var_os("AISTUDIOS_USER_KEY").is_some() {
        eprintln!("note: AISTUDIOS_APP_ID/AISTUDIOS_USER_KEY are still set in the environment");
    }
    Ok(())
}

/// `vidspec mock-server`: serves until Ctrl-C; prints `listening on http://127.0.0.1:PORT`.
pub fn mock_server(options: MockOptions) -> Result<(), Error> {
    let port = options.port;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    runtime()?
        .block_on(mock::serve(
            options,
            |addr| {
                let _ = print(&format!("listening on http://{addr}\n"));
            },
            shutdown,
        ))
        .map_err(|e| Error::io(format!("serving on 127.0.0.1:{port}"), e))
}

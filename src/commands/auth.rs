//! `vidspec auth login|status|logout`: saved credentials and the cached token.

use std::io::{BufRead, IsTerminal};

use crate::api::Client;
use crate::api::token::{
    CachedToken, Credentials, Secret, Source, credentials_path, token_cache_path,
};
use crate::cli::{ApiArgs, AuthCommand};
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(command: AuthCommand, reporter: &Reporter) -> Result<(), Error> {
    match command {
        AuthCommand::Login(api) => login(&api, reporter),
        AuthCommand::Status(api) => status(&api, reporter),
        AuthCommand::Logout => logout(reporter),
    }
}

/// Asks for the AppId and UserKey (the key without echo on a terminal; otherwise two lines of
/// stdin), checks them by getting a token, and saves them (mode 0600).
fn login(api: &ApiArgs, reporter: &Reporter) -> Result<(), Error> {
    let (app_id, user_key) = if std::io::stdin().is_terminal() {
        reporter.prompt("AppId: ");
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
    let options = super::api_options(api, None, crate::report::api::Waits::Nothing, reporter);
    let client = Client::with_credentials(&options, Some(credentials.clone()))?;
    crate::api::block_on(client.renew_token())??;
    let path = credentials.save()?;
    reporter.note(format!(
        "logged in as AppId {} at {}; credentials saved in {} (readable by you only)",
        credentials.app_id,
        client.base(),
        path.display()
    ));
    Ok(())
}

/// Where the credentials come from, the cached token's life, and whether the API accepts it.
fn status(api: &ApiArgs, reporter: &Reporter) -> Result<(), Error> {
    let client = super::plain_client(api, reporter)?;
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
    let (checked, token) = crate::api::block_on(async {
        let checked = client.check_token().await;
        (checked, client.current_token().await)
    })?;
    match token {
        Some(token) => out.push_str(&token_lines(&token)),
        None => out.push_str("token        none cached\n"),
    }
    reporter.out(out.as_bytes())?;
    match checked {
        Ok(true) => {
            reporter.note("the API accepts the token");
            Ok(())
        }
        Ok(false) => Err(Error::Api("the API does not accept the token".into())),
        Err(e) => Err(e.into()),
    }
}

fn token_lines(token: &CachedToken) -> String {
    let left = token.expires_at.saturating_sub(crate::api::unix_now());
    let cache = token_cache_path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    format!(
        "token        issued {}, expires {} ({}h{:02}m left)\ncache        {cache}\n",
        crate::api::rfc3339(token.issued_at),
        crate::api::rfc3339(token.expires_at),
        left / 3600,
        left % 3600 / 60
    )
}

/// Removes the saved credentials and the cached token.
fn logout(reporter: &Reporter) -> Result<(), Error> {
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
        reporter.note("nothing to remove: no saved credentials or cached token");
    } else {
        reporter.note(format!("removed {}", removed.join(" and ")));
    }
    if std::env::var_os("AISTUDIOS_USER_KEY").is_some() {
        reporter.note("note: AISTUDIOS_APP_ID/AISTUDIOS_USER_KEY are still set in the environment");
    }
    Ok(())
}

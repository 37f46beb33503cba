//! `vidspec projects list|delete|reconcile`: the account's exported projects, deleting some
//! (by id, or those a `--changed create` run replaced), and resolving a journal's unknown rows
//! by their project names.

use std::io::IsTerminal;

use crate::api::account::{self, Listed};
use crate::api::journal::Journal;
use crate::api::{Client, block_on};
use crate::cli::{
    ApiArgs, ProjectsCommand, ProjectsDeleteArgs, ProjectsListArgs, ProjectsReconcileArgs,
};
use crate::error::Error;
use crate::report::{Reporter, projects as show};

/// The vendor documents no limit on `ids`; batches of this many keep each request small.
const DELETE_BATCH: usize = 100;

pub(super) fn run(command: ProjectsCommand, reporter: &Reporter) -> Result<(), Error> {
    match command {
        ProjectsCommand::List(args) => list(&args, reporter),
        ProjectsCommand::Delete(args) => delete(&args, reporter),
        ProjectsCommand::Reconcile(args) => reconcile(&args, reporter),
    }
}

fn client(api: &ApiArgs, reporter: &Reporter) -> Result<Client, Error> {
    let client = super::plain_client(api, reporter)?;
    client.require_credentials()?;
    Ok(client)
}

fn listed(client: &Client) -> Result<Vec<Listed>, Error> {
    Ok(block_on(client.list_projects())??)
}

fn list(args: &ProjectsListArgs, reporter: &Reporter) -> Result<(), Error> {
    let projects = listed(&client(&args.api, reporter)?)?;
    if args.json {
        return reporter.out(show::list_json(&projects).as_bytes());
    }
    reporter.out(show::list_lines(&projects).as_bytes())?;
    reporter.note(show::list_note(projects.len()));
    Ok(())
}

fn delete(args: &ProjectsDeleteArgs, reporter: &Reporter) -> Result<(), Error> {
    let ids = match &args.journal {
        Some(path) => account::superseded(&Journal::read(path)?),
        None => given_ids(&args.ids)?,
    };
    if ids.is_empty() {
        reporter.note("no superseded projects in the journal; nothing to delete");
        return Ok(());
    }
    let client = client(&args.api, reporter)?;
    if !args.yes && !confirmed(&ids, reporter)? {
        reporter.note("nothing deleted");
        return Ok(());
    }
    let mut deleted = 0;
    for batch in ids.chunks(DELETE_BATCH) {
        deleted += block_on(client.delete_projects(batch))??;
    }
    reporter.note(show::deleted(ids.len(), deleted));
    if let Some(path) = &args.journal {
        journal_deleted(path, &ids, reporter)?;
    }
    Ok(())
}

/// Records in the journal that the superseded projects are gone, so that a rerun with the
/// old values creates them anew instead of finding a project that no longer exists. A run
/// holding the journal is not waited for: the deletion is then only said.
fn journal_deleted(
    path: &std::path::Path,
    ids: &[String],
    reporter: &Reporter,
) -> Result<(), Error> {
    let shown = crate::display_path(path);
    match Journal::open(path) {
        Ok(mut journal) => journal
            .deleted(ids)
            .map_err(|e| Error::io(format!("writing the journal {shown}"), e)),
        Err(error) => {
            reporter.note(format!(
                "warning: the deletions are not journaled ({error}); a rerun with the old values of those rows would find their deleted projects: run `vidspec projects delete --superseded --journal {shown} --yes` again once the journal is free"
            ));
            Ok(())
        }
    }
}

/// The ids of the command line, checked, each once.
fn given_ids(ids: &[String]) -> Result<Vec<String>, Error> {
    let mut unique = Vec::new();
    for id in ids {
        super::status::check_id(id)?;
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    Ok(unique)
}

/// Asks on the terminal; without one, deleting needs `--yes`.
fn confirmed(ids: &[String], reporter: &Reporter) -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(format!(
            "not deleting {} without confirmation: stdin is not a terminal; add --yes",
            super::plural(ids.len(), "project")
        )));
    }
    reporter.prompt(&show::delete_question(ids));
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::io("reading the answer", e))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn reconcile(args: &ProjectsReconcileArgs, reporter: &Reporter) -> Result<(), Error> {
    let shown = crate::display_path(&args.journal);
    if !args.journal.is_file() {
        return Err(Error::Usage(format!("no journal at {shown}")));
    }
    let mut journal = Journal::open(&args.journal)?;
    if account::reconcile(&journal, &[]).is_empty() {
        reporter.note(format!("no unknown rows in {shown}; nothing to reconcile"));
        return Ok(());
    }
    let projects = listed(&client(&args.api, reporter)?)?;
    let results = account::reconcile(&journal, &projects);
    for record in results.iter().filter_map(|r| r.record.clone()) {
        journal
            .append(record)
            .map_err(|e| Error::io(format!("writing the journal {shown}"), e))?;
    }
    reporter.out(show::reconciled(&results).as_bytes())?;
    reporter.note(show::reconcile_summary(&results));
    Ok(())
}

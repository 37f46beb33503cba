//! What the command line says about itself: shell completion scripts (`vidspec completions`)
//! and man pages (`vidspec man`), both from the clap definition, hidden commands left out.
//! Returned as bytes; the commands write them.

use clap::{Command, CommandFactory, ValueHint};

use super::Cli;

/// The command line without its hidden subcommands (at any depth), for generators that would
/// otherwise offer them (clap_complete's bash script lists every subcommand). `command` is
/// built, so that its subcommands' deferred arguments are there; what the build added (the
/// `--help` and `--version` flags, the `help` subcommand, global flags copied into each
/// subcommand) is left out, for the generator's own build to add again as it always does.
fn visible(command: &Command) -> Command {
    copy_visible(command, true)
}

fn copy_visible(command: &Command, root: bool) -> Command {
    let generated = |arg: &&clap::Arg| {
        matches!(arg.get_id().as_str(), "help" | "version") || (!root && arg.is_global_set())
    };
    let mut out = Command::new(command.get_name().to_owned())
        .args(command.get_arguments().filter(|a| !generated(a)).cloned())
        .groups(command.get_groups().cloned())
        .subcommands(
            command
                .get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .map(|s| copy_visible(s, false)),
        )
        .visible_aliases(command.get_visible_aliases().map(str::to_owned));
    if let Some(about) = command.get_about() {
        out = out.about(about.clone());
    }
    if let Some(about) = command.get_long_about() {
        out = out.long_about(about.clone());
    }
    if let Some(version) = command.get_version() {
        out = out.version(version.to_owned());
    }
    out
}

/// The completion script for `shell`.
pub(crate) fn completion(shell: clap_complete::Shell) -> Vec<u8> {
    let mut full = Cli::command();
    full.build();
    let mut command = visible(&full);
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "vidspec", &mut out);
    if shell == clap_complete::Shell::Bash {
        let script = String::from_utf8(out).expect("clap_complete writes UTF-8");
        return bash_paths(script, &command).into_bytes();
    }
    out
}

/// What clap_complete's bash script offers for a folder option (`--templates`): nothing, and
/// bash's `plusdirs` adds folders; with none matching, `-o default` then offers files.
const BASH_PLUSDIRS: &str = "COMPREPLY=()
                    if [[ \"${BASH_VERSINFO[0]}\" -ge 4 ]]; then
                        compopt -o plusdirs
                    fi";
/// Folders only, named as files are (a `/` after each), never files.
const BASH_DIRS: &str = "local IFS=$'\\n'
                    COMPREPLY=( $(compgen -d -- \"${cur}\") )
                    if [[ \"${BASH_VERSINFO[0]}\" -ge 4 ]]; then
                        compopt -o filenames +o default 2>/dev/null
                    fi";

/// clap_complete's bash script offers a command's flags where its positional argument goes
/// (`vidspec build <TAB>` lists `--set --vars …`, not the specs), since it ignores value hints
/// on positionals. Where a subcommand's positional is a file (or a folder), its case is
/// rewritten: flags only after a `-`, else file (or folder) names. A folder option offers
/// folders only.
fn bash_paths(script: String, command: &Command) -> String {
    let mut script = script.replace(BASH_PLUSDIRS, BASH_DIRS);
    let mut leaves = Vec::new();
    collect_paths(command, "vidspec", 1, &mut leaves);
    for (case, level, hint) in leaves {
        let Some(start) = script.find(&format!("\n        {case})\n")) else {
            continue;
        };
        let Some(len) = script[start..].find("\n            ;;\n") else {
            continue;
        };
        let block = &script[start..start + len];
        let compgen = if hint == ValueHint::DirPath {
            "-d"
        } else {
            "-f"
        };
        let rewritten = block
            .replace(
                &format!("if [[ ${{cur}} == -* || ${{COMP_CWORD}} -eq {level} ]] ; then"),
                "if [[ ${cur} == -* ]] ; then",
            )
            .replace(
                "esac\n            COMPREPLY=( $(compgen -W \"${opts}\" -- \"${cur}\") )\n            return 0",
                &format!(
                    "esac\n            \
                     if [[ \"${{BASH_VERSINFO[0]}}\" -ge 4 ]]; then\n                \
                     compopt -o filenames 2>/dev/null\n            \
                     fi\n            \
                     local IFS=$'\\n'\n            \
                     COMPREPLY=( $(compgen {compgen} -- \"${{cur}}\") )\n            \
                     return 0"
                ),
            );
        script.replace_range(start..start + len, &rewritten);
    }
    script
}

/// Each subcommand whose positional arguments take a path: its case in the bash script
/// (`vidspec__subcmd__presets__subcmd__extract`), its depth, and the path's kind.
fn collect_paths(
    command: &Command,
    case: &str,
    level: usize,
    out: &mut Vec<(String, usize, ValueHint)>,
) {
    for sub in command.get_subcommands() {
        let case = format!("{case}__subcmd__{}", sub.get_name().replace('-', "__"));
        let hint = sub
            .get_positionals()
            .map(clap::Arg::get_value_hint)
            .find(|h| matches!(h, ValueHint::FilePath | ValueHint::DirPath));
        if let Some(hint) = hint.filter(|_| sub.get_subcommands().next().is_none()) {
            out.push((case.clone(), level + 1, hint));
        }
        collect_paths(sub, &case, level + 1, out);
    }
}

/// The man pages: `vidspec.1`, then `vidspec-build.1` and one for every other visible
/// subcommand (at any depth), as (file name, roff text).
pub(crate) fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    add_pages(command, &mut pages);
    pages
}

/// What vidspec(1) says past clap's sections: the environment and the exit status.
const MAIN_PAGE_SECTIONS: &str = r#".SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
Set to anything but the empty string: no colour in diagnostics (with \fB\-\-color auto\fR).
.TP
\fBCLICOLOR_FORCE\fR
Set to anything but the empty string or 0: colour even when stderr is not a terminal,
unless \fBNO_COLOR\fR is set (with \fB\-\-color auto\fR).
.TP
\fBAISTUDIOS_APP_ID\fR, \fBAISTUDIOS_USER_KEY\fR
The AI Studios credentials, over those \fBvidspec auth login\fR saved.
.TP
\fBVIDSPEC_CACHE_DIR\fR, \fBXDG_CACHE_HOME\fR
Where the API token is cached.
.SH "EXIT STATUS"
.TP
0
Success.
.TP
1
An invalid spec, template, preset or input data; a file that could not be read or written;
a journal in use by another run; no credentials.
.TP
2
The command line is wrong.
.TP
3
A batch finished, but some rows failed.
.TP
4
The API or the network failed.
.TP
130
Interrupted (Ctrl\-C).
"#;

fn add_pages(command: Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let subcommands: Vec<Command> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let main = pages.is_empty();
    let man = clap_mangen::Man::new(command).source(concat!("vidspec ", env!("CARGO_PKG_VERSION")));
    let mut roff = Vec::new();
    man.render(&mut roff).expect("rendering into memory");
    if main {
        roff.extend_from_slice(MAIN_PAGE_SECTIONS.as_bytes());
    }
    pages.push((man.get_filename(), roff));
    for sub in subcommands {
        add_pages(sub, pages);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_without_hidden_commands() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::Elvish,
            clap_complete::Shell::PowerShell,
        ] {
            let script = String::from_utf8(completion(shell)).unwrap();
            assert!(script.contains("batch"), "{shell:?}");
            assert!(!script.contains("submit-projects"), "{shell:?}");
        }
    }

    #[test]
    fn man_pages_cover_the_visible_commands() {
        let pages = man_pages();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "vidspec.1");
        assert!(names.contains(&"vidspec-build.1"), "{names:?}");
        assert!(names.contains(&"vidspec-presets-extract.1"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("submit-projects")));
    }
}

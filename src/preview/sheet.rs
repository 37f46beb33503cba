//! `vidspec preview --csv F --rows 1-50`: a contact sheet, one strip per CSV row with each
//! scene as a small frame, on one offline page. The rows are read by the batch's row source
//! (`crate::rows`) and rendered by its row renderer (`Program::rows`, the row plan and the
//! full pipeline) with each row's lints, on one thread per core. Rows that failed come
//! first, then rows with a lint that depends on their values (`lint::is_row_aware`: a name
//! that overflows its box, a clip pushed off the canvas), each with its messages; the lints
//! every row shares are said once, above the strips.
//!
//! A page of thousands of frames stays light: the frames are small inline SVGs drawn by the
//! storyboard's own drawing without its labels, styled by shared classes and patterns, and
//! each strip is laid out only when it scrolls into view (`content-visibility: auto`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;

use super::{ESTIMATE, Esc, Estimate, LEGEND, Num, frame_body, lang_attr, page_head, speech_html};
use crate::compile::{Options, Program, RowRenderer};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::lower::canvas;
use crate::rows::{Header, RawRow, RowError};

/// Which data rows of the CSV a sheet shows (`--rows`): all, or ranges of 1-based numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RowSelection {
    All,
    /// Inclusive ranges, as given.
    Ranges(Vec<(u64, u64)>),
}

impl RowSelection {
    /// `all`, or numbers and ranges separated by commas: `1-50`, `3,7,10-20`.
    pub(crate) fn parse(text: &str) -> Result<RowSelection, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(RowSelection::All);
        }
        if text.is_empty() {
            return Err("give row numbers (`1-50`, `3,7,10-20`) or `all`".into());
        }
        let number = |part: &str, whole: &str| -> Result<u64, String> {
            match part.trim().parse::<u64>() {
                Ok(0) => Err(format!(
                    "`{whole}`: rows are numbered from 1 (the first data row, after the header)"
                )),
                Ok(n) => Ok(n),
                Err(_) => Err(format!(
                    "`{whole}` is not a row number or a range like `10-20` (or `all`)"
                )),
            }
        };
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let range = match part.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (number(first, part)?, number(last, part)?);
                    if first > last {
                        return Err(format!(
                            "`{part}`: the range ends before it starts (write `{last}-{first}`)"
                        ));
                    }
                    (first, last)
                }
                None => {
                    let n = number(part, part)?;
                    (n, n)
                }
            };
            ranges.push(range);
        }
        Ok(RowSelection::Ranges(ranges))
    }

    fn contains(&self, row: u64) -> bool {
        match self {
            RowSelection::All => true,
            RowSelection::Ranges(ranges) => ranges.iter().any(|&(a, b)| (a..=b).contains(&row)),
        }
    }

    /// The last row asked for (reading stops after it), None for all.
    fn last(&self) -> Option<u64> {
        match self {
            RowSelection::All => None,
            RowSelection::Ranges(ranges) => ranges.iter().map(|&(_, b)| b).max(),
        }
    }

    /// The rows asked for past the `read` rows the CSV has, as text (`31-50, 77`).
    fn past(&self, read: u64) -> Option<String> {
        let RowSelection::Ranges(ranges) = self else {
            return None;
        };
        let past: Vec<String> = ranges
            .iter()
            .filter(|&&(_, b)| b > read)
            .map(|&(a, b)| match a.max(read + 1) {
                a if a == b => a.to_string(),
                a => format!("{a}-{b}"),
            })
            .collect();
        (!past.is_empty()).then(|| past.join(", "))
    }
}

/// A drawn contact sheet and what it found.
pub(crate) struct Sheet {
    pub(crate) html: String,
    /// Rows drawn (selected and in the CSV).
    pub(crate) rows: usize,
    /// Rows that did not compile (drawn as their errors).
    pub(crate) failed: usize,
    /// Rows with a lint that depends on their values.
    pub(crate) flagged: usize,
    /// What holds for the whole sheet, said once: the spec's and the header's warnings, the
    /// lints every compiled row shares, rows asked for that the CSV does not have.
    pub(crate) warnings: Vec<Diagnostic>,
    /// Lints of only some rows that are not about values by their kind, each once with the
    /// number of rows (those rows are flagged too).
    pub(crate) row_warnings: Vec<Diagnostic>,
}

/// How a row came out, in the order the sheet lists them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Failed,
    Flagged,
    Clean,
}

/// One row, drawn.
struct Strip {
    number: u64,
    status: Status,
    /// The whole strip; for a compiled row, its scenes until [`Strip::finish`] puts its head
    /// and its warnings before them.
    html: String,
    /// A compiled row's title line.
    head: Option<Head>,
    /// Its warnings about its own values.
    own: Vec<Diagnostic>,
    seconds: f64,
    scenes: usize,
    /// Its lints that are not about its values, for the page to say once.
    shared: Vec<Diagnostic>,
}

/// What a compiled row's strip opens with.
struct Head {
    portrait: bool,
    /// The ` lang="…"` attribute of its first scene's language.
    lang: String,
    name: String,
}

/// The contact sheet of the `selection` rows of `csv` (fields separated by `delimiter`), each
/// built as `batch` builds it.
pub(crate) fn contact_sheet(
    spec: &Path,
    options: &Options,
    csv: &Path,
    delimiter: u8,
    selection: &RowSelection,
) -> Result<Sheet, Error> {
    let program = Program::load(spec, options)?;
    let csv_name = crate::display_path(csv);
    let (mut rows, header, header_warnings) = crate::rows::open(csv, delimiter, &program)?;
    let last = selection.last();
    let mut raws = Vec::new();
    while let Some(raw) = rows.next_row() {
        if selection.contains(raw.number) {
            raws.push(raw);
        }
        if last.is_some_and(|last| rows.read >= last) {
            break;
        }
    }
    let mut warnings = program.warnings.clone();
    warnings.extend(header_warnings);
    if let Some(past) = selection.past(rows.read) {
        let has = crate::report::plural(rows.read as usize, "data row");
        if raws.is_empty() {
            return Err(Error::Usage(format!(
                "--rows: {csv_name} has {has}; no row asked for is in it"
            )));
        }
        let past = if past.contains([',', '-']) {
            format!("rows {past} are")
        } else {
            format!("row {past} is")
        };
        warnings.push(Diagnostic::warning(format!(
            "--rows: {csv_name} has {has}; {past} not in it"
        )));
    } else if raws.is_empty() {
        return Err(Error::Usage(format!("--rows: {csv_name} has no data rows")));
    }
    let renderer = program.rows(&rows.columns);
    let mut strips = draw_rows(&program, &renderer, &header, raws);
    let (everywhere, in_some_rows) = shared_lints(&mut strips);
    warnings.extend(everywhere);
    strips.sort_by_key(|s| (s.status, s.number));
    let title = format!("Contact sheet: {} × {csv_name}", crate::display_path(spec));
    let html = page(
        &title,
        &strips,
        &[&warnings[..], &in_some_rows[..]].concat(),
    );
    Ok(Sheet {
        html,
        rows: strips.len(),
        failed: strips.iter().filter(|s| s.status == Status::Failed).count(),
        flagged: strips
            .iter()
            .filter(|s| s.status == Status::Flagged)
            .count(),
        warnings,
        row_warnings: in_some_rows,
    })
}

/// Every row rendered and drawn, on one worker per core.
fn draw_rows(
    program: &Program,
    renderer: &RowRenderer<'_>,
    header: &Header,
    raws: Vec<RawRow>,
) -> Vec<Strip> {
    let workers = crate::batch::workers(0).min(raws.len()).max(1);
    let queue = Mutex::new(raws.into_iter());
    let next = || {
        queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .next()
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut strips = Vec::new();
                    while let Some(raw) = next() {
                        strips.push(draw_row(program, renderer, header, raw));
                    }
                    strips
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// One row through the batch's row renderer, drawn as a strip (or as its errors).
fn draw_row(program: &Program, renderer: &RowRenderer<'_>, header: &Header, raw: RawRow) -> Strip {
    let (number, at) = (raw.number, raw.at());
    let rendered = header.inputs(program, raw).and_then(|inputs| {
        renderer
            .render_linted(&inputs)
            .map_err(|d| RowError::located(at, d.items))
    });
    match rendered {
        Ok((project, lints)) => {
            let (own, shared): (Vec<Diagnostic>, Vec<Diagnostic>) =
                lints.into_iter().partition(crate::lint::is_row_aware);
            let mut strip = strip(number, &project, own);
            strip.shared = shared;
            strip
        }
        Err(error) => failed_strip(number, &error),
    }
}

fn failed_strip(number: u64, error: &RowError) -> Strip {
    let mut html = format!(
        "<section class=\"strip failed\" id=\"row-{number}\" data-row=\"{number}\" data-status=\"error\">\n\
         <h2>Row {number} <small class=\"status\">does not compile</small></h2>\n<pre class=\"error\">"
    );
    for d in &error.diagnostics {
        let _ = write!(
            html,
            "{}",
            Esc(crate::report::text::diagnostic(d, false).trim_end())
        );
        html.push('\n');
    }
    html.push_str("</pre>\n</section>\n");
    Strip {
        number,
        status: Status::Failed,
        html,
        head: None,
        own: Vec::new(),
        seconds: 0.0,
        scenes: 0,
        shared: Vec::new(),
    }
}

/// A compiled row: its name, warnings, estimated speech, and a small frame per scene.
fn strip(number: u64, project: &Value, warnings: Vec<Diagnostic>) -> Strip {
    let portrait = project["orientation"] == "portrait";
    let (w, h) = canvas(portrait);
    let scenes = project["scenes"].as_array().map_or(&[][..], Vec::as_slice);
    let seconds = crate::speech::project_seconds(project);
    let mut html = String::with_capacity(1024 + scenes.len() * 1536);
    html.push_str("<div class=\"scenes\">");
    for (i, scene) in scenes.iter().enumerate() {
        let _ = write!(
            html,
            "<figure><svg class=\"frame\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"row {number}, scene {}\">",
            Num(w),
            Num(h),
            i + 1
        );
        frame_body(&mut html, scene, (w, h), None);
        let _ = write!(
            html,
            "</svg><figcaption><b>{}</b> <span class=\"duration\">{}</span><span class=\"said\">",
            i + 1,
            Estimate(crate::speech::scene_seconds(scene))
        );
        speech_html(
            &mut html,
            scene["scripts"][0]["org"].as_str().unwrap_or_default(),
        );
        html.push_str("</span></figcaption></figure>");
    }
    html.push_str("</div>\n</section>\n");
    Strip {
        number,
        status: Status::Clean,
        html,
        head: Some(Head {
            portrait,
            lang: lang_attr(scenes.first().and_then(crate::speech::scene_language)),
            name: super::text_of(&project["name"]),
        }),
        own: warnings,
        seconds,
        scenes: scenes.len(),
        shared: Vec::new(),
    }
}

impl Strip {
    /// A compiled row's strip, whole: flagged when it has warnings of its own, which are
    /// listed under its title.
    fn finish(&mut self) {
        let Some(head) = self.head.take() else {
            return;
        };
        let flagged = !self.own.is_empty();
        if flagged {
            self.status = Status::Flagged;
        }
        let number = self.number;
        let mut html = String::with_capacity(512 + self.html.len());
        let _ = write!(
            html,
            "<section class=\"strip{}{}\" id=\"row-{number}\" data-row=\"{number}\" data-status=\"{}\"{}>\n\
             <h2>Row {number} <span class=\"name\">{}</span> <small class=\"duration\">speech {}</small></h2>\n",
            if flagged { " flagged" } else { "" },
            if head.portrait { " portrait" } else { "" },
            if flagged { "warning" } else { "ok" },
            head.lang,
            Esc(&head.name),
            Estimate(self.seconds)
        );
        problems(&mut html, "problems", &self.own);
        html.push_str(&self.html);
        self.html = html;
    }
}

/// Warnings as a list of class `class` (nothing when there are none): each message, where in
/// the spec, what to do.
fn problems(out: &mut String, class: &str, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    let _ = write!(out, "<ul class=\"{class}\">");
    for warning in warnings {
        let _ = write!(out, "<li>{}", Esc(&warning.message));
        if let Some(span) = &warning.span {
            let _ = write!(out, " <span class=\"at\">{}</span>", Esc(&span.location()));
        }
        if let Some(help) = &warning.help {
            let _ = write!(out, " <span class=\"help\">{}</span>", Esc(help));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>\n");
}

/// The lints that are not about a row's values, each once (in the order first found), saying
/// in how many compiled rows it was found; and the rows' strips finished. A lint that only
/// some compiled rows have came from their values after all (markup or a URL in a column), so
/// it is also each such row's own: the row is flagged, as `batch` names it. The lints every
/// compiled row has are returned apart: they are the spec's, and `--deny-warnings` refuses
/// the whole sheet for them.
fn shared_lints(strips: &mut [Strip]) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let compiled = strips.iter().filter(|s| s.status != Status::Failed).count();
    let key = |lint: &Diagnostic| {
        (
            lint.message.clone(),
            lint.span.as_ref().map(|s| s.location()),
        )
    };
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    let mut found: Vec<(Diagnostic, usize)> = Vec::new();
    strips.sort_by_key(|s| s.number);
    for strip in strips.iter() {
        for lint in &strip.shared {
            match seen.get(&key(lint)) {
                Some(&at) => found[at].1 += 1,
                None => {
                    seen.insert(key(lint), found.len());
                    found.push((lint.clone(), 1));
                }
            }
        }
    }
    for strip in strips.iter_mut() {
        for lint in std::mem::take(&mut strip.shared) {
            if found[seen[&key(&lint)]].1 < compiled {
                strip.own.push(lint);
            }
        }
        strip.finish();
    }
    let (everywhere, some): (Vec<_>, Vec<_>) = found.into_iter().partition(|(_, n)| *n == compiled);
    let some = some
        .into_iter()
        .map(|(mut lint, n)| {
            lint.message = format!("{} (in {n} of {compiled} rows)", lint.message);
            lint
        })
        .collect();
    (everywhere.into_iter().map(|(lint, _)| lint).collect(), some)
}

const SHEET_STYLE: &str = r#"
.sheet .strip{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:8px 12px 10px;margin:0 0 10px;content-visibility:auto;contain-intrinsic-size:auto 220px}
.strip h2{font-size:14px;margin:0 0 6px}.strip h2 .name{font-weight:400}.strip h2 small{font-weight:400;color:#5a6475;margin-left:6px}
.strip.flagged{box-shadow:inset 4px 0 #e8a317,0 1px 3px #0002}.strip.failed{box-shadow:inset 4px 0 #e5484d,0 1px 3px #0002}
.strip .status{color:#b4232a!important}
.problems{margin:0 0 6px;padding:0 0 0 18px;color:#8a4b00;font-size:12.5px}.problems .at{color:#5a6475;font-family:ui-monospace,monospace;font-size:11.5px}.problems .help{color:#5a6475}
pre.error{margin:0;white-space:pre-wrap;color:#b4232a;font-size:12px}
.scenes{display:flex;flex-wrap:wrap;gap:8px 10px}
.scenes figure{width:208px}.portrait .scenes figure{width:96px}
.scenes .frame{width:100%;height:auto}
.scenes figcaption{margin-top:3px;font-size:11.5px;line-height:1.35}
.scenes figcaption b{color:#5a6475;margin-right:2px}.scenes .duration{color:#5a6475}
.scenes .said{display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
.notes{margin:0 0 12px;padding:8px 12px 8px 28px;background:#fff8e6;border-radius:8px;color:#6b4300;font-size:12.5px}
.notes .at{color:#5a6475;font-family:ui-monospace,monospace}.notes .help{color:#5a6475}
"#;

/// The page: a header with the counts, the sheet-wide warnings, then the strips in order.
fn page(title: &str, strips: &[Strip], warnings: &[Diagnostic]) -> String {
    let size: usize = strips.iter().map(|s| s.html.len()).sum();
    let mut out = String::with_capacity(16_384 + size);
    page_head(&mut out, title, SHEET_STYLE);
    let count = |status| strips.iter().filter(|s| s.status == status).count();
    let seconds: f64 = strips.iter().map(|s| s.seconds).sum();
    let scenes: usize = strips.iter().map(|s| s.scenes).sum();
    let _ = write!(
        out,
        "<header class=\"project\">\n<h1>{}</h1>\n<dl>\
         <div><dt>rows</dt><dd data-field=\"rows\">{}</dd></div>\
         <div><dt>failed</dt><dd data-field=\"failed\">{}</dd></div>\
         <div><dt>with warnings</dt><dd data-field=\"flagged\">{}</dd></div>\
         <div><dt>scenes</dt><dd data-field=\"scenes\">{scenes}</dd></div>\
         <div><dt>speech</dt><dd data-field=\"seconds\" title=\"{ESTIMATE}\">{} in all</dd></div></dl>\n{LEGEND}</header>\n",
        Esc(title),
        strips.len(),
        count(Status::Failed),
        count(Status::Flagged),
        Estimate(seconds)
    );
    problems(&mut out, "notes", warnings);
    out.push_str("<main class=\"sheet\">\n");
    for strip in strips {
        out.push_str(&strip.html);
    }
    let _ = write!(
        out,
        "</main>\n<footer>Drawn by <code>vidspec preview --rows</code>: rows that failed first, then \
         rows with warnings, then the others, each in row order. Durations are estimates ({ESTIMATE}).\
         </footer>\n</body>\n</html>\n"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbers_ranges_or_all() {
        assert_eq!(RowSelection::parse("all"), Ok(RowSelection::All));
        assert_eq!(RowSelection::parse(" ALL "), Ok(RowSelection::All));
        assert_eq!(
            RowSelection::parse("3,7,10-20"),
            Ok(RowSelection::Ranges(vec![(3, 3), (7, 7), (10, 20)]))
        );
        assert_eq!(
            RowSelection::parse("1 - 50"),
            Ok(RowSelection::Ranges(vec![(1, 50)]))
        );
        for (bad, says) in [
            ("0", "numbered from 1"),
            ("5-3", "ends before it starts (write `3-5`)"),
            ("x", "`x` is not a row number"),
            ("1-", "`1-` is not a row number"),
            ("", "give row numbers"),
            ("1,,2", "`` is not a row number"),
            ("-3", "`-3` is not a row number"),
        ] {
            let error = RowSelection::parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad:?}: {error}");
        }
    }

    #[test]
    fn a_selection_knows_its_end_and_what_lies_past_the_file() {
        let rows = RowSelection::parse("3,7,10-20,40").unwrap();
        assert!(rows.contains(3) && rows.contains(15) && !rows.contains(8));
        assert_eq!(rows.last(), Some(40));
        assert_eq!(rows.past(12).as_deref(), Some("13-20, 40"));
        assert_eq!(rows.past(40), None);
        assert_eq!(RowSelection::All.past(3), None);
        assert_eq!(RowSelection::All.last(), None);
    }
}

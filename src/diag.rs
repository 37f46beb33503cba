//! Diagnostics: source files, spans into them, and the `file:line:col` reports with a source
//! line and a caret that every stage uses to say where a problem is.

use std::fmt;
use std::sync::Arc;

/// A text that diagnostics can point into: a spec, a template, a vars file, a CSV.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(Source {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i)
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }

    pub(crate) fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }
}

/// A byte range in a [`Source`].
#[derive(Clone)]
pub struct Span {
    pub source: Arc<Source>,
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span of `start..end`, clamped to the text and to character boundaries (a parser may
    /// point one past the end of a file).
    pub fn new(source: &Arc<Source>, start: usize, end: usize) -> Span {
        let boundary = |mut at: usize| {
            at = at.min(source.text.len());
            while !source.text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = boundary(start);
        Span {
            source: Arc::clone(source),
            start,
            end: boundary(end).max(start),
        }
    }

    /// A span covering the first line of a source (used for whole-file problems).
    pub fn start_of(source: &Arc<Source>) -> Span {
        Span::new(source, 0, 0)
    }

    pub fn text(&self) -> &str {
        &self.source.text[self.start..self.end]
    }

    /// `file:line:col`.
    pub fn location(&self) -> String {
        let (line, col) = self.source.line_col(self.start);
        format!("{}:{line}:{col}", self.source.name)
    }

    /// A sub-span `start..end` bytes into this one, clamped to it.
    pub fn narrow(&self, start: usize, end: usize) -> Span {
        let s = (self.start + start).min(self.end);
        let e = (self.start + end).min(self.end).max(s);
        Span::new(&self.source, s, e)
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.location())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with where it is and what might fix it.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// Where the problem came from when it surfaced elsewhere (a template used by the spec).
    pub context: Vec<(String, Span)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            context: Vec::new(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, span: &Span) -> Diagnostic {
        self.span = Some(span.clone());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_context(mut self, what: impl Into<String>, span: &Span) -> Diagnostic {
        self.context.push((what.into(), span.clone()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic as text (see [`crate::report::text`]).
    pub fn render(&self, color: bool) -> String {
        crate::report::text::diagnostic(self, color)
    }
}

/// Diagnostics gathered by a stage; a stage fails when any is an error.
#[derive(Default, Debug)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }
}

/// The closest candidate to a misspelt name, if any is close enough to suggest.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    // A prefix of one name only (`int` for `integer`) means that name.
    let extending: Vec<&&str> = candidates
        .iter()
        .filter(|c| name.len() >= 2 && c.starts_with(name))
        .collect();
    if let [only] = extending.as_slice() {
        return Some(only);
    }
    let lower = name.to_ascii_lowercase();
    if let Some(same) = candidates.iter().find(|c| c.to_ascii_lowercase() == lower) {
        return Some(same);
    }
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3) && d < c.len().max(name.len()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `help:` text for a misspelt name, listing the choices when none is close.
pub fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match did_you_mean(name, candidates.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let all: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
            if all.is_empty() {
                "there is nothing of that kind to choose from here".to_owned()
            } else {
                format!("expected one of {}", all.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_caret() {
        let line = format!("k: {}ERR{}", "a".repeat(500_000), "b".repeat(500_000));
        let source = Source::new("t.yaml", line);
        let at = 3 + 500_000;
        let rendered = Diagnostic::error("x")
            .at(&Span::new(&source, at, at + 3))
            .render(false);
        assert!(rendered.len() < 600, "{} bytes", rendered.len());
        assert!(rendered.contains("t.yaml:1:500004"), "{rendered}");
        let lines: Vec<&str> = rendered.lines().collect();
        let text = lines[3];
        let carets = lines[4];
        let caret_at = carets.find('^').unwrap();
        let under: String = text.chars().skip(caret_at).take(3).collect();
        assert_eq!(under, "ERR", "{rendered}");
        assert!(text.contains('…'));
        // A short line is shown whole.
        let short = Source::new("s.yaml", "k: v");
        let rendered = Diagnostic::error("x")
            .at(&Span::new(&short, 3, 4))
            .render(false);
        assert!(rendered.contains("1 | k: v\n  |    ^\n"), "{rendered}");
    }

    /// A tab is shown as spaces to the next stop of four, in the line and under it alike, so the
    /// caret stays under the characters it marks; one under a tab is as wide as the tab.
    #[test]
    fn tabs_before_the_caret_move_it_as_far_as_the_text() {
        let source = Source::new("t.yaml", "k:\t\"a\tb\tERR\"");
        let at = source.text.find("ERR").unwrap();
        let rendered = Diagnostic::error("x")
            .at(&Span::new(&source, at, at + 3))
            .render(false);
        assert!(rendered.contains("t.yaml:1:9"), "{rendered}");
        assert!(
            rendered.contains("1 | k:  \"a  b   ERR\"\n  |             ^^^\n"),
            "{rendered}"
        );
        let tab = Diagnostic::error("x")
            .at(&Span::new(&source, 2, 3))
            .render(false);
        assert!(tab.contains("  |   ^^\n"), "{tab}");
        assert!(!tab.contains('\t') && !rendered.contains('\t'));
    }

    /// Hangul takes two columns in a terminal: carets under it are two a character, and text
    /// before the caret moves it by its columns.
    #[test]
    fn wide_characters_take_two_columns_in_the_line_and_under_it() {
        let source = Source::new("t.yaml", "k: 김민 ERR");
        let at = source.text.find("ERR").unwrap();
        let rendered = Diagnostic::error("x")
            .at(&Span::new(&source, at, at + 3))
            .render(false);
        assert!(rendered.contains("t.yaml:1:7"), "{rendered}");
        assert!(
            rendered.contains("1 | k: 김민 ERR\n  |         ^^^\n"),
            "{rendered}"
        );
        let name = Diagnostic::error("x")
            .at(&Span::new(&source, 3, 3 + "김민".len()))
            .render(false);
        assert!(name.contains("  |    ^^^^\n"), "{name}");
    }

    #[test]
    fn spans_past_the_end_or_inside_a_character_are_clamped() {
        let source = Source::new("t.yaml", "a: 김");
        let past = Span::new(&source, 10, 12);
        assert_eq!(
            (past.start, past.end),
            (source.text.len(), source.text.len())
        );
        let inside = Span::new(&source, 4, 5);
        assert_eq!(inside.text(), "");
        assert!(
            Diagnostic::error("x")
                .at(&past)
                .render(false)
                .contains("t.yaml:1:5")
        );
    }
}

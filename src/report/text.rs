//! Diagnostics and errors as text: `error: message`, then `--> file:line:col`, the source
//! line and a caret, then notes and help lined up under the snippet's `|`. Colour is a
//! parameter, so tests compare plain text.

use std::fmt::Write as _;

use crate::diag::{Diagnostic, Severity, Span};
use crate::error::Error;

/// One diagnostic, ending in a newline; `color` adds ANSI colours for a terminal.
pub(crate) fn diagnostic(d: &Diagnostic, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let (label, code) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let mut out = format!("{}: {}\n", paint(code, label), d.message);
    // Notes line up under the snippet's `|`, whose column depends on the line number.
    let gutter = d.span.as_ref().map_or(1, |span| {
        let (line, _) = span.source.line_col(span.start);
        line.to_string().len()
    });
    let pad = " ".repeat(gutter);
    if let Some(span) = &d.span {
        snippet(&mut out, span, &paint);
    }
    for (what, span) in &d.context {
        let _ = writeln!(out, "{pad} = {what} at {}", span.location());
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
    out
}

/// The most characters of a source line a snippet shows; a longer line is cut to a window
/// around the caret, with `…` where it was cut.
const SNIPPET_WIDTH: usize = 120;

fn snippet(out: &mut String, span: &Span, paint: &dyn Fn(&str, &str) -> String) {
    let (line, col) = span.source.line_col(span.start);
    let full = span.source.line_text(line);
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let width = span.text().lines().next().map_or(0, |l| l.chars().count());
    let (text, caret_col, line_rest) = window(full, col - 1, width);
    let (text, caret_col, caret_width) =
        in_columns(&text, caret_col, width.clamp(1, line_rest.max(1)));
    let carets = "^".repeat(caret_width);
    let _ = writeln!(
        out,
        "{pad}{} {}:{line}:{col}",
        paint("1;34", "-->"),
        span.source.name
    );
    let _ = writeln!(out, "{pad} {}", paint("1;34", "|"));
    let _ = writeln!(out, "{number} {} {text}", paint("1;34", "|"));
    let _ = writeln!(
        out,
        "{pad} {} {}{}",
        paint("1;34", "|"),
        " ".repeat(caret_col),
        paint("1;31", &carets)
    );
}

/// The columns a tab in a snippet advances to the next multiple of (as rustc shows them).
const TAB_STOP: usize = 4;

/// `text` as a terminal shows it, and the caret at character `caret` spanning `width`
/// characters given in the columns of that text: a tab is expanded to spaces up to the next
/// [`TAB_STOP`], and a wide character (Hangul, CJK, full-width forms, most emoji) takes the two
/// columns a terminal draws it in. So whatever comes before the caret moves it as far as the
/// text above it, and a caret under a tab or a wide character is as wide as it is shown. The
/// `file:line:col` of a diagnostic still counts characters, as editors do.
fn in_columns(text: &str, caret: usize, width: usize) -> (String, usize, usize) {
    let mut shown = String::with_capacity(text.len());
    // The column each character starts at, and the end of the text.
    let mut starts = Vec::with_capacity(text.len() + 1);
    let mut column = 0;
    for c in text.chars() {
        starts.push(column);
        if c == '\t' {
            let to = TAB_STOP - column % TAB_STOP;
            shown.extend(std::iter::repeat_n(' ', to));
            column += to;
        } else {
            shown.push(c);
            column += if is_wide(c) { 2 } else { 1 };
        }
    }
    starts.push(column);
    let at = |i: usize| starts[i.min(starts.len() - 1)];
    let from = at(caret);
    (shown, from, (at(caret + width) - from).max(1))
}

/// Whether a terminal draws `c` two columns wide: the blocks of Unicode's East Asian Wide and
/// Fullwidth characters that specs are written in (Korean above all), and emoji.
fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xA960..=0xA97F
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD
    )
}

/// The part of `line` to show for a caret at character `col` spanning `width` characters: the
/// text, the caret's column in it, and the characters from the caret to the end of the text.
fn window(line: &str, col: usize, width: usize) -> (String, usize, usize) {
    let chars = line.chars().count();
    if chars <= SNIPPET_WIDTH {
        return (line.to_owned(), col, chars.saturating_sub(col));
    }
    // Some context before the caret, the rest after it.
    let before = (SNIPPET_WIDTH / 4).min(col);
    let start = col - before;
    let end = (start + SNIPPET_WIDTH).min(chars);
    let start = end.saturating_sub(SNIPPET_WIDTH).min(start);
    let mut text: String = line.chars().skip(start).take(end - start).collect();
    let mut caret = col - start;
    if start > 0 {
        text.insert(0, '…');
        caret += 1;
    }
    let rest = (end - col).min(width.max(1));
    if end < chars {
        text.push('…');
    }
    (text, caret, rest)
}

/// A failed command's error: its diagnostics in source order with a count, or `error: …`.
pub(crate) fn error(error: &Error, color: bool) -> String {
    match error {
        Error::Invalid(diags) => {
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
            sorted.sort_by_key(|d| d.span.as_ref().map(|s| (s.source.name.clone(), s.start)));
            let mut out: String = sorted.iter().map(|d| diagnostic(d, color) + "\n").collect();
            if errors > 1 {
                let _ = writeln!(out, "{errors} errors");
            }
            out
        }
        Error::Interrupted => "interrupted\n".to_owned(),
        other => format!("error: {other}\n"),
    }
}

/// A failed batch row: its diagnostics one after another, without blank lines between.
pub(crate) fn row_error(diagnostics: &[Diagnostic], color: bool) -> String {
    let text: String = diagnostics.iter().map(|d| diagnostic(d, color)).collect();
    text.trim_end().to_owned() + "\n"
}

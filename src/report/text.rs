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
    let carets = "^".repeat(width.clamp(1, line_rest.max(1)));
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

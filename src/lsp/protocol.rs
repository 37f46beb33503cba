//! Conversions between the library's data and the protocol's: byte offsets and LSP positions
//! (UTF-16 columns), and a [`crate::diag::Diagnostic`] as an LSP diagnostic.

use std::path::{Path, PathBuf};

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Url,
};

use crate::diag::{Diagnostic, Severity, Span};

/// The LSP position of byte `offset` in `text`.
pub(crate) fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of an LSP position in `text` (clamped to its line).
pub(crate) fn offset(text: &str, position: Position) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= position.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

pub(crate) fn range(text: &str, start: usize, end: usize) -> Range {
    Range::new(position(text, start), position(text, end))
}

fn span_range(span: &Span) -> Range {
    range(&span.source.text, span.start, span.end)
}

/// The file a diagnostic's source name stands for, when it is one on disk.
fn file_of(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    path.is_file().then(|| path.to_path_buf())
}

fn location(span: &Span) -> Option<Location> {
    let path = file_of(&span.source.name)?;
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    Some(Location::new(
        Url::from_file_path(path).ok()?,
        span_range(span),
    ))
}

/// A diagnostic as the editor shows it on the document whose source is named `document`: at
/// its span when that is in the document, else at the place in the document it came from
/// (a `use:` line, a `presets:` entry), else on the first line; the help follows the message.
pub(crate) fn diagnostic(d: &Diagnostic, document: &str) -> lsp_types::Diagnostic {
    let in_document = |s: &&Span| s.source.name == document;
    let here = d
        .span
        .as_ref()
        .filter(in_document)
        .or_else(|| d.context.iter().map(|(_, s)| s).find(in_document));
    let range = here.map_or_else(Range::default, span_range);
    let mut related = Vec::new();
    if let Some(span) = d.span.as_ref().filter(|s| !in_document(s)) {
        if let Some(location) = location(span) {
            related.push(DiagnosticRelatedInformation {
                location,
                message: format!("at {}", span.location()),
            });
        }
    }
    for (what, span) in &d.context {
        if let Some(location) = location(span) {
            related.push(DiagnosticRelatedInformation {
                location,
                message: what.clone(),
            });
        }
    }
    let mut message = d.message.clone();
    if let Some(span) = d.span.as_ref().filter(|s| !in_document(s)) {
        message.push_str(&format!("\n  --> {}", span.location()));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: None::<NumberOrString>,
        source: Some("vidspec".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a: 김민수\nb: 😀x\n";
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x), Position::new(1, 5));
        assert_eq!(offset(text, Position::new(1, 5)), x);
        assert_eq!(offset(text, Position::new(0, 99)), text.find('\n').unwrap());
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }
}

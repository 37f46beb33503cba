//! Diagnostics as JSON: what `batch --report` records for a failed row and what an editor
//! integration reads. Lines and columns are 1-based, columns counted in characters.

use serde_json::{Value, json};

use crate::diag::{Diagnostic, Severity, Span};

/// `{severity, message, location?, help?, context?}`; `location` is
/// `{file, line, column, end_line, end_column}`.
pub(crate) fn diagnostic(d: &Diagnostic) -> Value {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = json!({ "severity": severity, "message": d.message });
    if let Some(span) = &d.span {
        out["location"] = location(span);
    }
    if let Some(help) = &d.help {
        out["help"] = Value::String(help.clone());
    }
    if !d.context.is_empty() {
        out["context"] = d
            .context
            .iter()
            .map(|(what, span)| json!({ "note": what, "location": location(span) }))
            .collect();
    }
    out
}

fn location(span: &Span) -> Value {
    let (line, column) = span.source.line_col(span.start);
    let (end_line, end_column) = span.source.line_col(span.end);
    json!({
        "file": span.source.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Source;

    #[test]
    fn a_located_diagnostic_names_its_file_line_and_columns() {
        let source = Source::new("s.yaml", "a: 1\nb: two\n");
        let d = Diagnostic::error("not a number")
            .at(&Span::new(&source, 8, 11))
            .with_help("write a number");
        assert_eq!(
            diagnostic(&d),
            json!({
                "severity": "error",
                "message": "not a number",
                "location": {"file": "s.yaml", "line": 2, "column": 4, "end_line": 2, "end_column": 7},
                "help": "write a number",
            })
        );
        assert_eq!(
            diagnostic(&Diagnostic::warning("w")),
            json!({"severity": "warning", "message": "w"})
        );
    }
}

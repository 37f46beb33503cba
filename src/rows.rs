//! The row source: a CSV file (or stdin) read as one input set per data row, for `batch`
//! (files, NDJSON, submissions) and `preview --csv`. The header is checked against the spec's
//! variables before any row runs; a row that cannot become inputs is a [`RowError`] naming
//! `row N, column C`, as data, and the other rows go on. Records are streamed one at a time.

use std::io::Read;
use std::path::Path;

use crate::compile::Program;
use crate::diag::{Diagnostic, suggestion};
use crate::error::Error;
use crate::inputs::{Inputs, Raw};

/// A row that cannot be turned into a project, and why: diagnostics whose messages name the
/// row (`row 3, column age: …`), with the spec location when the spec is at fault.
#[derive(Clone, Debug)]
pub(crate) struct RowError {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl RowError {
    /// An error of one message, which names the row itself.
    pub(crate) fn new(message: impl Into<String>) -> RowError {
        RowError {
            diagnostics: vec![Diagnostic::error(message)],
        }
    }

    /// Diagnostics of the spec (a template error, an invalid project) for this row.
    pub(crate) fn located(row: u64, diagnostics: Vec<Diagnostic>) -> RowError {
        let diagnostics = diagnostics
            .into_iter()
            .map(|mut d| {
                d.message = format!("row {row}: {}", d.message);
                d
            })
            .collect();
        RowError { diagnostics }
    }
}

/// Opens a CSV (`-` is stdin) whose fields are separated by `delimiter`, and checks its header
/// against `program`: the rows, what the header means, and warnings about it (unknown columns).
pub(crate) fn open(
    path: &Path,
    delimiter: u8,
    program: &Program,
) -> Result<(Rows, Header, Vec<Diagnostic>), Error> {
    let name = crate::display_path(path);
    let input: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        let file =
            std::fs::File::open(path).map_err(|e| Error::io(format!("opening {name}"), e))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let rows = Rows::new(input, delimiter)
        .map_err(|m| Error::Invalid(vec![Diagnostic::error(format!("{name}: {m}"))]))?;
    let (header, warnings) = Header::check(program, &rows.columns).map_err(Error::Invalid)?;
    Ok((rows, header, warnings))
}

/// A CSV source with a header row.
pub(crate) struct Rows {
    reader: csv::Reader<Box<dyn Read + Send>>,
    pub(crate) columns: Vec<String>,
    record: csv::ByteRecord,
    /// Data rows read so far (the header is not a row).
    pub(crate) read: u64,
}

/// One data row: its 1-based number and its cells (or why it could not be read).
pub(crate) struct RawRow {
    pub(crate) number: u64,
    cells: Result<Vec<String>, String>,
}

impl Rows {
    fn new(input: Box<dyn Read + Send>, delimiter: u8) -> Result<Rows, String> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(true)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|e| format!("cannot read the CSV header: {e}"))?;
        if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
            return Err("the CSV has no header row (the first line must name the columns)".into());
        }
        let mut columns = Vec::with_capacity(header.len());
        for (i, field) in header.iter().enumerate() {
            let name = std::str::from_utf8(field).map_err(|_| {
                if i == 0 && (field.starts_with(&[0xFF, 0xFE]) || field.starts_with(&[0xFE, 0xFF]))
                {
                    "the CSV is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
                        .to_owned()
                } else {
                    format!("the CSV header's column {} is not UTF-8", i + 1)
                }
            })?;
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            let name = name.trim().to_owned();
            if let Some(first) = columns.iter().position(|c| *c == name) {
                return Err(format!(
                    "the CSV header names `{name}` twice (columns {} and {})",
                    first + 1,
                    i + 1
                ));
            }
            columns.push(name);
        }
        Ok(Rows {
            reader,
            columns,
            record: csv::ByteRecord::new(),
            read: 0,
        })
    }

    /// Bytes read so far (for a progress bar over a file).
    pub(crate) fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next data row, or None at the end.
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                self.read += 1;
                Some(RawRow {
                    number: self.read,
                    cells: cells(&self.record, &self.columns),
                })
            }
            Err(e) => {
                self.read += 1;
                let cells = Err(format!("unreadable CSV record: {e}"));
                Some(RawRow {
                    number: self.read,
                    cells,
                })
            }
        }
    }
}

fn cells(record: &csv::ByteRecord, columns: &[String]) -> Result<Vec<String>, String> {
    if record.len() > columns.len() {
        return Err(format!(
            "has {} fields, but the header names {} columns",
            record.len(),
            columns.len()
        ));
    }
    record
        .iter()
        .enumerate()
        .map(|(i, field)| {
            String::from_utf8(field.to_vec())
                .map_err(|_| format!("column {}: the cell is not UTF-8", columns[i]))
        })
        .collect()
}

/// What the header means for a spec: which columns are variables, which are not.
pub(crate) struct Header {
    /// Column index → the variable it sets (None: not a variable, ignored).
    vars: Vec<Option<String>>,
}

impl Header {
    /// Checks the header: unknown columns are warnings (once); a required variable that no
    /// column, vars file or `--set` provides is an error before any row runs.
    fn check(
        program: &Program,
        columns: &[String],
    ) -> Result<(Header, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut warnings = Vec::new();
        let mut vars = Vec::with_capacity(columns.len());
        for column in columns {
            if program.vars.get(column).is_some() {
                vars.push(Some(column.clone()));
            } else {
                warnings.push(
                    Diagnostic::warning(format!(
                        "column `{column}` is not a variable of this spec; it is ignored"
                    ))
                    .with_help(suggestion(column, program.vars.names())),
                );
                vars.push(None);
            }
        }
        let provided: Inputs = columns
            .iter()
            .map(|c| (c.clone(), serde_json::Value::Null))
            .collect();
        let missing: Vec<Diagnostic> = match program.inputs(&provided) {
            Ok(_) => Vec::new(),
            Err(diags) => diags
                .items
                .into_iter()
                .map(|mut d| {
                    d.message = format!("the CSV has no column for it: {}", d.message);
                    d
                })
                .collect(),
        };
        if let [only] = columns {
            if let Some(separator) = [';', '\t', '|'].into_iter().find(|c| only.contains(*c)) {
                let shown = if separator == '\t' {
                    "\\t".to_owned()
                } else {
                    separator.to_string()
                };
                warnings.push(Diagnostic::warning(format!(
                    "the CSV header `{}` looks separated by `{shown}`, not commas; pass `--delimiter '{shown}'`",
                    only.escape_debug()
                )));
            }
        }
        if missing.is_empty() {
            Ok((Header { vars }, warnings))
        } else {
            warnings.extend(missing);
            Err(warnings)
        }
    }

    /// The row's inputs, complete: its cells over the spec's defaults and vars files, under
    /// `--set`; or why the row cannot have them.
    pub(crate) fn inputs(&self, program: &Program, raw: RawRow) -> Result<Inputs, RowError> {
        let number = raw.number;
        let cells = raw.cells.map_err(|m| match m.strip_prefix("column ") {
            Some(rest) => RowError::new(format!("row {number}, column {rest}")),
            None => RowError::new(format!("row {number}: {m}")),
        })?;
        let row = self.cells(program, number, &cells)?;
        program.resolve(&row).map_err(|missing| {
            let names: Vec<String> = missing.iter().map(|d| d.name.clone()).collect();
            let column = names.join(", ");
            RowError::new(format!(
                "row {number}, column {column}: the cell is empty, and the variable is required"
            ))
        })
    }

    /// Each non-empty cell of a variable column, converted to its type. An empty cell gives no
    /// value, so the variable's default (or a vars file) applies.
    fn cells(&self, program: &Program, number: u64, cells: &[String]) -> Result<Inputs, RowError> {
        let mut inputs = Inputs::new();
        for (cell, var) in cells.iter().zip(&self.vars) {
            let Some(var) = var else { continue };
            if cell.is_empty() {
                continue;
            }
            program
                .vars
                .set(&mut inputs, var, Raw::Text(cell))
                .map_err(|message| {
                    RowError::new(format!("row {number}, column {var}: {message}"))
                })?;
        }
        Ok(inputs)
    }
}

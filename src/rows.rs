//! The row source: a CSV file (or stdin) read as one input set per data row, for `batch`
//! (files, NDJSON, submissions) and `preview --csv`. The header is checked against the spec's
//! variables before any row runs; a row that cannot become inputs is a [`RowError`] naming
//! `row N, column C`, as data, and the other rows go on. Records are streamed one at a time.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::compile::Program;
use crate::diag::{Diagnostic, suggestion};
use crate::error::Error;
use crate::inputs::{Inputs, Raw};

/// Where a row is: its number among the data rows, and the line of the CSV its record starts
/// on (the header is line 1; a quoted cell across lines, or a blank line, makes the two
/// differ). Shown as `row 42 (line 43)`, so the row is found in a spreadsheet and in an editor;
/// a row that comes from no CSV (`submit`'s one project, `submit-projects`' NDJSON, whose row
/// is its line) has no `line` and is shown as `row 42`. This is the one place a row is
/// formatted: the batch's diagnostics, the submission's notes and the `--report` file all
/// name rows through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RowAt {
    pub(crate) number: u64,
    pub(crate) line: Option<u64>,
}

impl RowAt {
    /// A row without a CSV line.
    #[cfg_attr(not(feature = "submit"), allow(dead_code))]
    pub(crate) fn numbered(number: u64) -> RowAt {
        RowAt { number, line: None }
    }
}

impl std::fmt::Display for RowAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "row {} (line {line})", self.number),
            None => write!(f, "row {}", self.number),
        }
    }
}

/// A row that cannot be turned into a project, and why: diagnostics whose messages name the
/// row (`row 3 (line 4), column age: …`), with the spec location when the spec is at fault.
#[derive(Clone, Debug)]
pub(crate) struct RowError {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Compiled, but the submission had stopped before taking it: not started, not failed.
    #[cfg_attr(not(feature = "submit"), allow(dead_code))]
    pub(crate) unsent: bool,
    /// Compiled; what failed came after (its output path refused, its file not written): a
    /// summary does not count it as failing to compile.
    pub(crate) compiled: bool,
}

impl RowError {
    /// An error of one message, which names the row itself.
    pub(crate) fn new(message: impl Into<String>) -> RowError {
        RowError::of(Diagnostic::error(message))
    }

    /// An error of one diagnostic (its help kept), whose message names the row itself.
    pub(crate) fn of(diagnostic: Diagnostic) -> RowError {
        RowError {
            diagnostics: vec![diagnostic],
            unsent: false,
            compiled: false,
        }
    }

    /// A compiled row the stopped submission did not take.
    pub(crate) fn unsent(row: RowAt) -> RowError {
        RowError {
            unsent: true,
            ..RowError::new(format!("{row}: the submission stopped before this row"))
        }
    }

    /// The same error, of a row that compiled.
    pub(crate) fn after_compiling(self) -> RowError {
        RowError {
            compiled: true,
            ..self
        }
    }

    /// Diagnostics of the spec (a template error, an invalid project) for this row.
    pub(crate) fn located(row: RowAt, diagnostics: Vec<Diagnostic>) -> RowError {
        let diagnostics = diagnostics
            .into_iter()
            .map(|mut d| {
                d.message = format!("{row}: {}", d.message);
                d
            })
            .collect();
        RowError {
            diagnostics,
            unsent: false,
            compiled: false,
        }
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

/// The most bytes one CSV record (a row, or the header) may hold; a longer one ends the reading
/// there (`/dev/zero` as a CSV is one endless record).
pub const MAX_ROW_BYTES: usize = 1024 * 1024;
/// The most bytes the header may hold (100,000 columns of ten-odd characters fit).
pub const MAX_HEADER_BYTES: usize = 8 * 1024 * 1024;
/// The most bytes one cell may hold.
pub const MAX_CELL_BYTES: usize = 256 * 1024;
/// "not a variable" warnings shown one by one; the rest are counted in one more.
const MAX_COLUMN_WARNINGS: usize = 10;

/// A CSV source with a header row.
pub(crate) struct Rows {
    reader: csv::Reader<Tap>,
    /// The raw bytes of the record being read, shared with the reader's input.
    tail: Arc<Mutex<Tail>>,
    pub(crate) columns: Vec<String>,
    record: csv::ByteRecord,
    /// Data rows read so far (the header is not a row).
    pub(crate) read: u64,
    delimiter: u8,
    /// A record was cut or left a quote open: nothing after it is read.
    ended: bool,
}

/// What the CSV reader's input keeps of the bytes it passed on: those of the current record
/// (to find a quote left open), at most [`MAX_ROW_BYTES`] of them.
struct Tail {
    /// Bytes from the stream offset `base`; those before `start` are no longer needed.
    bytes: Vec<u8>,
    base: u64,
    /// Where the current record starts in the stream.
    start: u64,
    /// Every byte read so far.
    total: u64,
    /// The input ended.
    eof: bool,
    /// The record went past the limit: the reader was told the input ended.
    cut: bool,
    /// The most bytes of one record: the header's, then a row's.
    limit: usize,
}

impl Tail {
    /// Forgets the bytes before the stream offset `offset` (a new record starts there); they
    /// are dropped in one go once there are enough of them.
    fn keep_from(&mut self, offset: u64) {
        self.start = offset.max(self.start);
        let dead = ((self.start - self.base) as usize).min(self.bytes.len());
        if dead >= 1 << 16 {
            self.bytes.drain(..dead);
            self.base += dead as u64;
        }
    }

    /// The bytes of the record that starts at the stream offset `offset`.
    fn from(&self, offset: u64) -> &[u8] {
        let skip = (offset.saturating_sub(self.base) as usize).min(self.bytes.len());
        &self.bytes[skip..]
    }

    /// Bytes kept of the current record (and of what was read past it).
    fn current(&self) -> usize {
        self.from(self.start).len()
    }
}

/// The CSV reader's input: passes bytes on and keeps those of the current record in a [`Tail`].
struct Tap {
    input: Box<dyn Read + Send>,
    tail: Arc<Mutex<Tail>>,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut tail = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let room = (tail.limit + 1).saturating_sub(tail.current());
        if room == 0 {
            tail.cut = true;
            return Ok(0);
        }
        let len = buf.len().min(room);
        let n = self.input.read(&mut buf[..len])?;
        if n == 0 {
            tail.eof = true;
        }
        tail.bytes.extend_from_slice(&buf[..n]);
        tail.total += n as u64;
        Ok(n)
    }
}

/// A quoted field that is still open at the end of `raw` (one record's bytes): the field's
/// index and the byte offset of its opening quote.
fn open_quote(raw: &[u8], delimiter: u8) -> Option<(usize, usize)> {
    enum State {
        FieldStart,
        Unquoted,
        Quoted(usize),
        QuoteInQuoted(usize),
    }
    let mut state = State::FieldStart;
    let mut field = 0;
    for (i, &b) in raw.iter().enumerate() {
        state = match state {
            State::FieldStart | State::Unquoted if b == delimiter => {
                field += 1;
                State::FieldStart
            }
            State::FieldStart | State::Unquoted if b == b'\n' => {
                field = 0;
                State::FieldStart
            }
            State::FieldStart if b == b'"' => State::Quoted(i),
            State::FieldStart | State::Unquoted => State::Unquoted,
            State::Quoted(at) if b == b'"' => State::QuoteInQuoted(at),
            State::Quoted(at) => State::Quoted(at),
            // `""` inside quotes is one quote; anything else closes the quoted part.
            State::QuoteInQuoted(at) if b == b'"' => State::Quoted(at),
            State::QuoteInQuoted(_) if b == delimiter => {
                field += 1;
                State::FieldStart
            }
            State::QuoteInQuoted(_) if b == b'\n' => {
                field = 0;
                State::FieldStart
            }
            State::QuoteInQuoted(_) => State::Unquoted,
        };
    }
    match state {
        State::Quoted(at) => Some((field, at)),
        _ => None,
    }
}

/// One data row: its 1-based number, the line it starts on, and its cells (or why it could
/// not be read).
pub(crate) struct RawRow {
    pub(crate) number: u64,
    pub(crate) line: u64,
    cells: Result<Vec<String>, String>,
}

impl RawRow {
    pub(crate) fn at(&self) -> RowAt {
        RowAt {
            number: self.number,
            line: Some(self.line),
        }
    }
}

impl Rows {
    fn new(input: Box<dyn Read + Send>, delimiter: u8) -> Result<Rows, String> {
        let tail = Arc::new(Mutex::new(Tail {
            bytes: Vec::new(),
            base: 0,
            start: 0,
            total: 0,
            eof: false,
            cut: false,
            limit: MAX_HEADER_BYTES,
        }));
        let tap = Tap {
            input,
            tail: Arc::clone(&tail),
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(true)
            .from_reader(tap);
        let header = reader
            .byte_headers()
            .map_err(|e| format!("cannot read the CSV header: {e}"))?
            .clone();
        {
            let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
            if tail.cut {
                return Err(format!(
                    "the CSV header holds more than {MAX_HEADER_BYTES} bytes, the most it may hold"
                ));
            }
            tail.limit = MAX_ROW_BYTES;
            if tail.eof && reader.position().byte() == tail.total {
                if let Some((field, at)) = open_quote(tail.from(0), delimiter) {
                    let line = 1 + tail.from(0)[..at].iter().filter(|&&b| b == b'\n').count();
                    return Err(format!(
                        "the CSV header's column {} opens a quote on line {line} that never closes",
                        field + 1
                    ));
                }
            }
        }
        if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
            return Err("the CSV has no header row (the first line must name the columns)".into());
        }
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(header.len());
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
            if let Some(first) = seen.insert(name.clone(), i) {
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
            tail,
            columns,
            record: csv::ByteRecord::new(),
            read: 0,
            delimiter,
            ended: false,
        })
    }

    /// Bytes read so far (for a progress bar over a file).
    pub(crate) fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next data row, or None at the end.
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
        if self.ended {
            return None;
        }
        let start = self.reader.position().byte();
        self.lock_tail().keep_from(start);
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                self.read += 1;
                let number = self.read;
                // The reader's position is where it started reading: before the blank
                // lines it skipped on the way to the record.
                let line = self
                    .record
                    .position()
                    .map_or(number + 1, csv::Position::line)
                    + blank_lines(self.lock_tail().from(start));
                let cells = match self.unreadable_end(start) {
                    Some(message) => {
                        self.ended = true;
                        Err(message)
                    }
                    None => cells(&self.record, &self.columns),
                };
                Some(RawRow {
                    number,
                    line,
                    cells,
                })
            }
            Err(e) => {
                self.read += 1;
                let line = e.position().map_or(self.read + 1, csv::Position::line);
                let cells = Err(format!("unreadable CSV record: {e}"));
                Some(RawRow {
                    number: self.read,
                    line,
                    cells,
                })
            }
        }
    }
}

impl Rows {
    fn lock_tail(&self) -> std::sync::MutexGuard<'_, Tail> {
        self.tail.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Why the record just read, which started at byte `start`, ends the reading: it went past
    /// [`MAX_ROW_BYTES`], or it reached the end of the input inside a quoted field (which would
    /// otherwise swallow the rest of the file as one cell).
    fn unreadable_end(&self, start: u64) -> Option<String> {
        let tail = self.lock_tail();
        if tail.cut {
            return Some(format!(
                "the record holds more than {MAX_ROW_BYTES} bytes, the most a row may hold; nothing after it was read"
            ));
        }
        if !tail.eof || self.reader.position().byte() != tail.total {
            return None;
        }
        let raw = tail.from(start);
        let (field, at) = open_quote(raw, self.delimiter)?;
        let line = self.record.position().map_or(0, csv::Position::line)
            + raw[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        let lines = match raw[at..].iter().filter(|&&b| b == b'\n').count() {
            0 => String::new(),
            1 => " (1 more line)".to_owned(),
            n => format!(" ({n} more lines)"),
        };
        let column = self
            .columns
            .get(field)
            .map_or_else(|| format!("{}", field + 1), Clone::clone);
        Some(format!(
            "column {column}: the quote opened on line {line} never closes, so the cell would hold the rest of the file{lines}; close it with `\"`"
        ))
    }
}

/// The blank lines at the start of `raw` (which the CSV reader skips): the line breaks before
/// its first byte that is not one.
fn blank_lines(raw: &[u8]) -> u64 {
    let leading = raw.iter().take_while(|&&b| b == b'\n' || b == b'\r');
    leading.filter(|&&b| b == b'\n').count() as u64
}

fn cells(record: &csv::ByteRecord, columns: &[String]) -> Result<Vec<String>, String> {
    if let Some((i, field)) = record
        .iter()
        .enumerate()
        .find(|(_, f)| f.len() > MAX_CELL_BYTES)
    {
        let column = columns.get(i).map_or("?", String::as_str);
        return Err(format!(
            "column {column}: the cell holds {} bytes; a cell may hold at most {MAX_CELL_BYTES}",
            field.len()
        ));
    }
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
        let mut unknown = 0;
        for column in columns {
            if program.vars.get(column).is_some() {
                vars.push(Some(column.clone()));
            } else {
                unknown += 1;
                if unknown <= MAX_COLUMN_WARNINGS {
                    warnings.push(
                        Diagnostic::warning(format!(
                            "column `{column}` is not a variable of this spec; it is ignored"
                        ))
                        .with_help(suggestion(column, program.vars.names())),
                    );
                }
                vars.push(None);
            }
        }
        if unknown > MAX_COLUMN_WARNINGS {
            warnings.push(Diagnostic::warning(format!(
                "… and {} more columns that are not variables of this spec; they are ignored",
                unknown - MAX_COLUMN_WARNINGS
            )));
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
        let at = raw.at();
        let cells = raw.cells.map_err(|m| match m.strip_prefix("column ") {
            Some(rest) => RowError::new(format!("{at}, column {rest}")),
            None => RowError::new(format!("{at}: {m}")),
        })?;
        let row = self.cells(program, at, &cells)?;
        program.resolve(&row).map_err(|missing| {
            let names: Vec<String> = missing.iter().map(|d| d.name.clone()).collect();
            let column = names.join(", ");
            RowError::new(format!(
                "{at}, column {column}: the cell is empty, and the variable is required"
            ))
        })
    }

    /// Each non-empty cell of a variable column, converted to its type. An empty cell gives no
    /// value, so the variable's default (or a vars file) applies.
    fn cells(&self, program: &Program, at: RowAt, cells: &[String]) -> Result<Inputs, RowError> {
        let mut inputs = Inputs::new();
        for (cell, var) in cells.iter().zip(&self.vars) {
            let Some(var) = var else { continue };
            if cell.is_empty() {
                continue;
            }
            program
                .vars
                .set(&mut inputs, var, Raw::Text(cell))
                .map_err(|mut refused| {
                    refused.message = format!("{at}, column {var}: {}", refused.message);
                    RowError::of(refused)
                })?;
        }
        Ok(inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_left_open_is_found_and_closed_ones_are_not() {
        assert_eq!(open_quote(b"\"Ada\nBob\n", b','), Some((0, 0)));
        assert_eq!(open_quote(b"x,\"Ada", b','), Some((1, 2)));
        assert_eq!(open_quote(b"\"a \"\"b\"\" c\",d\n", b','), None);
        assert_eq!(
            open_quote(b"O\"Brien\n", b','),
            None,
            "a quote inside a cell is text"
        );
        assert_eq!(
            open_quote(b"\"a\"\"", b','),
            Some((0, 0)),
            "an escaped quote does not close"
        );
        assert_eq!(open_quote(b"a;\"b", b';'), Some((1, 2)));
    }

    fn rows(text: &'static [u8]) -> Result<Rows, String> {
        Rows::new(Box::new(text), b',')
    }

    /// The reader skips blank lines: a row after them starts on the line of its first cell,
    /// not on the blank line the reader started from.
    #[test]
    fn a_row_after_blank_lines_or_a_cell_across_lines_names_the_line_it_starts_on() {
        let mut rows = rows(b"name\r\nann\r\n\r\n\n\"bo\nb\"\ncy\n").unwrap();
        let lines: Vec<(u64, u64)> = std::iter::from_fn(|| rows.next_row())
            .map(|row| (row.number, row.line))
            .collect();
        assert_eq!(lines, [(1, 2), (2, 5), (3, 7)]);
    }

    #[test]
    fn an_unterminated_quote_is_an_error_naming_its_row_column_and_line() {
        let mut rows = rows(b"id,name\n1,Ada\n2,\"Bob\n3,Cy\n4,Di\n").unwrap();
        assert!(rows.next_row().unwrap().cells.is_ok());
        let row = rows.next_row().unwrap();
        assert_eq!(row.number, 2);
        let message = row.cells.unwrap_err();
        assert!(
            message.starts_with("column name: the quote opened on line 3 never closes"),
            "{message}"
        );
        assert!(message.contains("(3 more lines)"), "{message}");
        assert!(rows.next_row().is_none());
    }

    #[test]
    fn a_record_is_bounded_and_so_is_a_cell() {
        let endless = Box::new(std::io::repeat(b'a'));
        let err = Rows::new(endless, b',').err().unwrap();
        assert!(err.contains("more than 8388608 bytes"), "{err}");
        let long_row: &'static [u8] = Box::leak(
            format!("name\nAda\n{}\nBob\n", "x,".repeat(MAX_ROW_BYTES))
                .into_bytes()
                .into_boxed_slice(),
        );
        let mut read = rows(long_row).unwrap();
        assert!(read.next_row().unwrap().cells.is_ok());
        let cut = read.next_row().unwrap().cells.unwrap_err();
        assert!(cut.contains("the most a row may hold"), "{cut}");
        assert!(
            read.next_row().is_none(),
            "nothing after a cut record is read"
        );
        let long_cell: &'static [u8] = Box::leak(
            format!("name\n{}\nBob\n", "x".repeat(MAX_CELL_BYTES + 1))
                .into_bytes()
                .into_boxed_slice(),
        );
        let mut read = rows(long_cell).unwrap();
        let err = read.next_row().unwrap().cells.unwrap_err();
        assert!(
            err.starts_with("column name: the cell holds 262145 bytes"),
            "{err}"
        );
        assert!(
            read.next_row().unwrap().cells.is_ok(),
            "the next row is read"
        );
    }

    #[test]
    fn a_hundred_thousand_columns_are_read_and_checked_for_duplicates() {
        let header: String = (0..100_000).map(|i| format!("c{i},")).collect::<String>() + "c5\n";
        let header: &'static [u8] = Box::leak(header.into_bytes().into_boxed_slice());
        let err = rows(header).err().unwrap();
        assert_eq!(
            err,
            "the CSV header names `c5` twice (columns 6 and 100001)"
        );
    }
}

//! Reading guest lists: Microsoft's bulk-invite template and plain sheets with a header row,
//! in the encodings and shapes Excel and people produce. This crate turns bytes into rows of
//! named cells and says what it skipped; checking the values is the engine's job.
//! It never panics, whatever the bytes.

mod columns;
mod decode;
mod workbook;

pub use columns::Field;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// Which kind of file it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ListFormat {
    /// The Entra portal's bulk-invite template (`version:v1.0` first line, `[token]` headers).
    MicrosoftTemplate,
    /// Any sheet with a header row.
    Sheet,
}

/// One data row: the row number as a spreadsheet shows it, and its non-empty cells by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub row: usize,
    pub cells: BTreeMap<Field, String>,
}

impl ListRow {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.cells.get(&field).map(String::as_str)
    }
}

/// What was read, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestList {
    pub format: ListFormat,
    /// `UTF-8`, `UTF-8 with BOM`, `UTF-16LE`, `UTF-16BE`, or a legacy code page by its
    /// WHATWG name (`windows-1250`, `Shift_JIS`…).
    pub encoding: &'static str,
    /// Whether that code page was guessed from the bytes (worth a look at the names).
    pub encoding_guessed: bool,
    pub delimiter: char,
    /// The workbook sheet read (`None` for text files).
    pub sheet: Option<String>,
    /// Every sheet of the workbook, for choosing another.
    pub sheets: Vec<String>,
    /// The columns used, in file order: the field and the header as written.
    pub columns: Vec<(Field, String)>,
    /// Headers that matched nothing Guestpass uses (ignored).
    pub ignored_columns: Vec<String>,
    pub rows: Vec<ListRow>,
    /// Rows and things skipped on purpose, in plain words (the template's example row, blank rows).
    pub notes: Vec<String>,
}

/// Why a file could not be read as a guest list at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.message, self.hint)
    }
}

fn read_error(message: impl Into<String>, hint: impl Into<String>) -> ReadError {
    ReadError {
        message: message.into(),
        hint: hint.into(),
    }
}

pub use decode::encoding_for_label;

/// How to read a file when the detection is not what the admin wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    /// The text encoding, by label (`windows-1250`, `Shift_JIS`…).
    pub encoding: Option<&'a str>,
    /// A workbook's sheet, by name (the first sheet otherwise).
    pub sheet: Option<&'a str>,
}

/// Reads a guest list from the file's bytes, detecting its encoding.
pub fn read(bytes: &[u8]) -> Result<GuestList, ReadError> {
    read_with(bytes, &ReadOptions::default())
}

/// Reads a guest list from the file's bytes, in the encoding the admin named (a label such as
/// `windows-1250`), or detecting it when `None`.
pub fn read_as(bytes: &[u8], encoding: Option<&str>) -> Result<GuestList, ReadError> {
    read_with(bytes, &ReadOptions { encoding, sheet: None })
}

/// Reads a guest list: an Excel workbook (.xlsx, .xlsm, .xlsb, .ods) sheet, or text (CSV, TSV,
/// Excel's "Unicode text").
pub fn read_with(bytes: &[u8], options: &ReadOptions) -> Result<GuestList, ReadError> {
    if workbook::is_workbook(bytes) {
        let sheet = workbook::read_sheet(bytes, options.sheet)?;
        let mut records = sheet.rows.into_iter().map(Ok);
        let is_template = sheet.first_cell.as_deref().is_some_and(is_version_line);
        if is_template {
            records.next();
        }
        let mut list = read_records(records, is_template)?;
        list.encoding = "Excel workbook";
        list.sheet = Some(sheet.name);
        list.sheets = sheet.all;
        return Ok(list);
    }
    let asked = options.encoding.map(encoding_for_label).transpose()?;
    let decoded = decode::decode(bytes, asked)?;
    // One line ending everywhere (Windows CRLF, old Mac CR), so row numbers are counted right
    // and multi-line cells read the same whatever wrote the file.
    let text = decoded.text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.as_str();

    // The template's first line is `version:v1.0`, possibly padded with delimiters by Excel.
    let (first_line, rest) = split_first_line(text);
    let is_template = is_version_line(first_line);
    let (body, first_row) = if is_template { (rest, 2) } else { (text, 1) };

    let Some(header_line) = body.lines().find(|l| !is_blank_line(l)) else {
        return Err(no_header());
    };
    let delimiter = detect_delimiter(header_line);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(body.as_bytes());
    let records = reader.records().map(|r| {
        r.map(|record| {
            let line = record.position().map_or(0, |p| p.line() as usize) + first_row - 1;
            (line, record.iter().map(str::to_string).collect())
        })
        .map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize) + first_row - 1;
            read_error(
                format!("Row {line} could not be read: {e}."),
                "Save the sheet again from Excel as CSV (CSV UTF-8) and import that file.",
            )
        })
    });
    let mut list = read_records(records, is_template)?;
    list.encoding = decoded.encoding;
    list.encoding_guessed = decoded.guessed;
    list.delimiter = delimiter;
    Ok(list)
}

fn no_header() -> ReadError {
    read_error(
        "The file has no header row.",
        "The first row should name the columns, e.g. Email, Display name, Usage location.",
    )
}

/// The rows of a sheet (each with its row number as the spreadsheet shows it) into a guest
/// list: the header row names the columns, the rows after it are guests.
fn read_records(
    records: impl Iterator<Item = Result<(usize, Vec<String>), ReadError>>,
    is_template: bool,
) -> Result<GuestList, ReadError> {
    let mut header: Option<Vec<Option<Field>>> = None;
    let mut columns = Vec::new();
    let mut ignored_columns = Vec::new();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut blank_rows = 0usize;
    for record in records {
        let (line, raw) = record?;
        let cells: Vec<&str> = raw.iter().map(|c| clean_cell(c)).collect();
        if cells.iter().all(|c| c.is_empty()) {
            if header.is_some() {
                blank_rows += 1;
            }
            continue;
        }
        let Some(fields) = &header else {
            let matched = columns::match_header(&cells);
            if !matched.contains(&Some(Field::Email)) {
                return Err(no_email_column(&cells));
            }
            for (cell, field) in cells.iter().zip(&matched) {
                match field {
                    Some(f) if !columns.iter().any(|(seen, _)| seen == f) => columns.push((*f, cell.to_string())),
                    Some(_) => notes.push(format!(
                        "The column '{cell}' repeats another column's meaning; only the first is used."
                    )),
                    None if !cell.is_empty() => ignored_columns.push(cell.to_string()),
                    None => {}
                }
            }
            // Only the first column of each field counts.
            let mut seen = Vec::new();
            header = Some(
                matched
                    .into_iter()
                    .map(|m| {
                        m.filter(|f| {
                            !seen.contains(f) && {
                                seen.push(*f);
                                true
                            }
                        })
                    })
                    .collect(),
            );
            continue;
        };
        if is_example_row(&cells) {
            notes.push(format!("Row {line} is the template's example row; it was skipped."));
            continue;
        }
        let mut row_cells = BTreeMap::new();
        for (cell, field) in cells.iter().zip(fields) {
            if let Some(f) = field {
                if !cell.is_empty() {
                    row_cells.insert(*f, cell.to_string());
                }
            }
        }
        rows.push(ListRow {
            row: line,
            cells: row_cells,
        });
    }
    if header.is_none() {
        return Err(no_header());
    }
    if blank_rows > 0 {
        notes.push(format!(
            "{blank_rows} blank row{} skipped.",
            if blank_rows == 1 { " was" } else { "s were" }
        ));
    }
    if !ignored_columns.is_empty() {
        notes.push(format!(
            "Columns not used by Guestpass (ignored): {}.",
            ignored_columns.join(", ")
        ));
    }
    Ok(GuestList {
        format: if is_template {
            ListFormat::MicrosoftTemplate
        } else {
            ListFormat::Sheet
        },
        encoding: "",
        encoding_guessed: false,
        delimiter: ',',
        sheet: None,
        sheets: Vec::new(),
        columns,
        ignored_columns,
        rows,
        notes,
    })
}

fn no_email_column(cells: &[&str]) -> ReadError {
    let found: Vec<_> = cells
        .iter()
        .filter(|c| !c.is_empty())
        .take(8)
        .map(|c| format!("'{c}'"))
        .collect();
    read_error(
        format!(
            "No column holds e-mail addresses (the header row has {}).",
            if found.is_empty() {
                "no names".to_string()
            } else {
                found.join(", ")
            }
        ),
        "Name the column 'Email' (or use Microsoft's bulk-invite template), with one guest per row.",
    )
}

fn split_first_line(text: &str) -> (&str, &str) {
    match text.find('\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    }
}

/// `version:v1.0`, also padded by Excel (`version:v1.0,,,`) or quoted.
fn is_version_line(line: &str) -> bool {
    let core = line
        .trim()
        .trim_end_matches([',', ';', '\t', '\r', ' '])
        .trim_matches('"');
    core.eq_ignore_ascii_case("version:v1.0")
}

fn is_blank_line(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || matches!(c, ',' | ';' | '\t' | '"'))
}

/// The delimiter used most in the header line, outside quotes (comma on a tie or none).
fn detect_delimiter(line: &str) -> char {
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(slot) = counts.iter_mut().find(|(d, _)| *d == c) {
                slot.1 += 1;
            }
        }
    }
    counts
        .iter()
        .fold((',', 0), |best, &(d, n)| if n > best.1 { (d, n) } else { best })
        .0
}

/// Trims spaces, non-breaking spaces and invisible characters Excel and web pages leave behind.
fn clean_cell(cell: &str) -> &str {
    cell.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{feff}'))
}

/// The downloaded template carries an example row ("Example: ..."), often left in by mistake.
fn is_example_row(cells: &[&str]) -> bool {
    cells.iter().find(|c| !c.is_empty()).is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c == "example" || c.starts_with("example:") || c.starts_with("example ")
    })
}

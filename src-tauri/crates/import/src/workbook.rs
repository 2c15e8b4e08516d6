//! Excel workbooks (.xlsx, .xlsm, .xlsb, .xls) and OpenDocument sheets, read with calamine
//! (pure Rust): one sheet's rows as text, numbers and dates written the way people type them
//! (12345 not 12345.0, 2026-11-30 for a date), so the rest reads them like a CSV's cells.

use crate::{read_error, ReadError};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

/// A sheet's rows, each with its row number as the spreadsheet shows it.
pub(crate) struct Sheet {
    pub name: String,
    pub all: Vec<String>,
    /// The first row's first cell (where the bulk-invite template says `version:v1.0`).
    pub first_cell: Option<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Zip-based workbooks (xlsx, xlsm, xlsb, ods) and the old binary .xls.
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// A cell as text, the way the sheet shows it.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Whole numbers without the ".0" a float would print.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

pub(crate) fn read_sheet(bytes: &[u8], wanted: Option<&str>) -> Result<Sheet, ReadError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| {
        read_error(
            format!("This file looks like a workbook but cannot be opened ({e})."),
            "In Excel choose File > Save As > CSV UTF-8 (Comma delimited), or save it again as .xlsx, and import that file.",
        )
    })?;
    let all = book.sheet_names();
    let name = match wanted.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => all.iter().find(|n| n.eq_ignore_ascii_case(w)).cloned().ok_or_else(|| {
            read_error(
                format!("The workbook has no sheet called '{w}'."),
                format!("Its sheets are: {}.", all.join(", ")),
            )
        })?,
        None => all
            .first()
            .cloned()
            .ok_or_else(|| read_error("The workbook has no sheets.", "Choose the file that lists your guests."))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        read_error(
            format!("The sheet '{name}' cannot be read ({e})."),
            "Open it in Excel and save it again, then import that file.",
        )
    })?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let rows: Vec<(usize, Vec<String>)> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Columns before the range's first (empty in the sheet) keep the header aligned.
            let mut row = vec![String::new(); first_col as usize];
            row.extend(cells.iter().map(text));
            (first_row as usize + i + 1, row)
        })
        .collect();
    let first_cell = rows
        .iter()
        .find(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .and_then(|(_, cells)| cells.iter().find(|c| !c.trim().is_empty()).cloned());
    Ok(Sheet {
        name,
        all,
        first_cell,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_the_sheet_shows_them() {
        let bytes = std::fs::read(format!(
            "{}/../../../tests/import-files/partners.xlsx",
            std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")
        ))
        .unwrap();
        let sheet = read_sheet(&bytes, None).unwrap();
        let (_, ana) = &sheet.rows[1];
        assert_eq!(ana[6], "2026-12-01", "a date cell");
        assert_eq!(ana[7], "10452", "a whole number, without .0");
        let (_, bo) = &sheet.rows[2];
        assert_eq!(bo[7], "7.5");
        assert_eq!(sheet.first_cell.as_deref(), Some("Email"));
    }
}

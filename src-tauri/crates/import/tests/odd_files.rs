//! Every format and quirk the importer handles, read from real files under `tests/import-files/`.

use guestpass_import::{read, read_as, Field, GuestList, ListFormat};
use proptest::prelude::*;
use std::path::PathBuf;

fn file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../../tests/import-files")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn list(name: &str) -> GuestList {
    read(&file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn emails(l: &GuestList) -> Vec<&str> {
    l.rows.iter().map(|r| r.get(Field::Email).unwrap_or("")).collect()
}

#[test]
fn microsoft_template_with_its_example_row() {
    let l = list("template.csv");
    assert_eq!(l.format, ListFormat::MicrosoftTemplate);
    assert_eq!(emails(&l), ["ana@fabrikam.example", "bo@tailspin.example"]);
    // Row numbers are the spreadsheet's: version line 1, header 2, example 3.
    assert_eq!(l.rows[0].row, 4);
    assert_eq!(l.rows[0].get(Field::Message), Some("Hello Ana, welcome aboard"));
    assert_eq!(l.rows[0].get(Field::SendEmail), Some("true"));
    assert_eq!(l.rows[1].get(Field::Message), None);
    assert!(
        l.notes.iter().any(|n| n.contains("Row 3") && n.contains("example")),
        "{:?}",
        l.notes
    );
}

#[test]
fn template_padded_with_commas_and_crlf() {
    let l = list("template-padded-crlf.csv");
    assert_eq!(l.format, ListFormat::MicrosoftTemplate);
    assert_eq!(emails(&l), ["ana@fabrikam.example"]);
    assert_eq!(l.rows[0].get(Field::RedirectUrl), Some("https://myapps.microsoft.com"));
}

#[test]
fn translated_template_matched_by_token_extra_column_ignored() {
    let l = list("template-german-semicolon.csv");
    assert_eq!(l.format, ListFormat::MicrosoftTemplate);
    assert_eq!(l.delimiter, ';');
    assert_eq!(l.encoding, "UTF-8 with BOM");
    assert_eq!(emails(&l), ["jürgen@müller.example"]);
    assert_eq!(l.rows[0].get(Field::Message), Some("Grüße, Jürgen"));
    assert_eq!(l.ignored_columns, ["Abteilung"]);
}

#[test]
fn sheet_with_bom_and_semicolons() {
    let l = list("sheet-bom-semicolon.csv");
    assert_eq!(l.format, ListFormat::Sheet);
    assert_eq!(l.delimiter, ';');
    assert_eq!(l.rows[0].get(Field::UsageLocation), Some("FR"));
    assert_eq!(l.rows[0].get(Field::FirstName), None, "'Vorname' is not a known header");
}

#[test]
fn excel_unicode_text_is_utf16_with_tabs() {
    let l = list("unicode-text-utf16.txt");
    assert_eq!(l.encoding, "UTF-16LE");
    assert_eq!(l.delimiter, '\t');
    assert_eq!(emails(&l), ["søren@nordic.example", "zoë@partner.example"]);
    assert_eq!(l.rows[0].get(Field::Groups), Some("Sales EU;Partners"));
    assert_eq!(l.rows[1].get(Field::LastName), Some("Saldaña"));
}

#[test]
fn utf16_without_bom_is_recognised() {
    let text = "Email,First name\nana@fabrikam.example,Ana\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let l = read(&bytes).unwrap();
    assert_eq!(l.encoding, "UTF-16LE");
    assert_eq!(emails(&l), ["ana@fabrikam.example"]);
}

#[test]
fn excel_ansi_csv_is_windows_1252() {
    let l = list("excel-ansi-1252.csv");
    assert_eq!(l.encoding, "windows-1252");
    assert_eq!(l.rows[0].get(Field::FirstName), Some("René"));
    assert_eq!(l.rows[0].get(Field::LastName), Some("Français"));
}

/// Excel's plain "CSV" from Central European, Cyrillic, Greek, Turkish and Japanese Windows:
/// each read in its own code page, not as Windows-1252.
#[test]
fn non_western_excel_exports_are_detected() {
    for (name, encoding, first, last) in [
        (
            "excel-ansi-1250-polish-czech.csv",
            "windows-1250",
            "Łukasz",
            "Wiśniewski",
        ),
        ("excel-ansi-1251-cyrillic.csv", "windows-1251", "Иван", "Петров"),
        ("excel-ansi-1253-greek.csv", "windows-1253", "Νίκος", "Παπαδόπουλος"),
        ("excel-ansi-1254-turkish.csv", "windows-1254", "Ayşe", "Yılmaz"),
        ("excel-shift-jis-japanese.csv", "Shift_JIS", "太郎", "山田"),
    ] {
        let l = list(name);
        assert_eq!(l.encoding, encoding, "{name}");
        assert!(l.encoding_guessed, "{name}");
        assert_eq!(l.rows[0].get(Field::FirstName), Some(first), "{name}");
        assert_eq!(l.rows[0].get(Field::LastName), Some(last), "{name}");
    }
    let czech = list("excel-ansi-1250-polish-czech.csv");
    assert_eq!(czech.rows[2].get(Field::FirstName), Some("Jiří"));
    assert_eq!(czech.rows[2].get(Field::LastName), Some("Dvořák"));
}

#[test]
fn the_admin_can_name_the_encoding() {
    let bytes = file("excel-ansi-1250-polish-czech.csv");
    let l = read_as(&bytes, Some("cp1250")).unwrap();
    assert_eq!((l.encoding, l.encoding_guessed), ("windows-1250", false));
    assert_eq!(l.rows[0].get(Field::FirstName), Some("Łukasz"));
    // Named wrongly, the names come out wrong, as the admin asked; the preview shows them.
    let wrong = read_as(&bytes, Some("windows-1252")).unwrap();
    assert_eq!(wrong.rows[0].get(Field::FirstName), Some("£ukasz"));
    let e = read_as(&bytes, Some("klingon")).unwrap_err();
    assert!(e.message.contains("klingon") && e.hint.contains("windows-1250"), "{e}");
}

#[test]
fn quoted_fields_keep_commas_quotes_and_line_breaks() {
    let l = list("quoted-multiline.csv");
    assert_eq!(emails(&l), ["ana@fabrikam.example", "bo@tailspin.example"]);
    assert_eq!(l.rows[0].get(Field::DisplayName), Some("Silva, Ana"));
    assert_eq!(
        l.rows[0].get(Field::Message),
        Some("Hi Ana,\nwelcome to the \"Contoso\" portal.\nSee you soon")
    );
    // The next row starts on the spreadsheet row after the three-line cell.
    assert_eq!(l.rows[1].row, 5);
}

#[test]
fn blank_rows_and_stray_spaces() {
    let l = list("blanks-and-spaces.csv");
    assert_eq!(emails(&l), ["ana@fabrikam.example", "bo@tailspin.example"]);
    assert_eq!(
        l.rows[0].get(Field::DisplayName),
        Some("Ana Silva"),
        "non-breaking spaces trimmed"
    );
    assert!(l.notes.iter().any(|n| n.contains("blank row")), "{:?}", l.notes);
}

#[test]
fn every_column_by_its_usual_header() {
    let l = list("all-columns.csv");
    let r = &l.rows[0];
    for f in Field::ALL {
        assert!(r.get(f).is_some(), "{f:?} not read");
    }
    assert_eq!(r.get(Field::Groups), Some("Partners; Sales EU"));
    assert_eq!(l.ignored_columns, ["Phone"]);
}

#[test]
fn files_that_are_not_guest_lists_say_what_to_do() {
    let e = read(&file("workbook.xlsx")).unwrap_err();
    assert!(e.message.contains("workbook"), "{e}");
    assert!(e.hint.contains("CSV UTF-8"), "{e}");
    let e = read(&file("random.bin")).unwrap_err();
    assert!(e.message.contains("not text"), "{e}");
    let e = read(&file("no-email-column.csv")).unwrap_err();
    assert!(e.message.contains("'Name', 'Phone'"), "{e}");
    assert!(read(b"").unwrap_err().message.contains("empty"));
    assert!(read(b"version:v1.0\n").unwrap_err().message.contains("header"));
}

#[test]
fn a_single_column_of_addresses_is_a_list() {
    let l = read(b"Email\r\nana@fabrikam.example\r\nbo@tailspin.example").unwrap();
    assert_eq!(emails(&l), ["ana@fabrikam.example", "bo@tailspin.example"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read(&bytes);
    }

    #[test]
    fn never_panics_on_csv_like_text(text in "(Email|version:v1.0|[a-z@.\",;\t\r\n ]){0,80}") {
        let _ = read(text.as_bytes());
    }
}

#[test]
fn row_numbers_match_the_spreadsheet_with_any_line_ending() {
    for eol in ["\n", "\r\n", "\r"] {
        let text = ["Email", "a@x.example", "b@x.example"].join(eol) + eol;
        let l = read(text.as_bytes()).unwrap();
        let rows: Vec<usize> = l.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, [2, 3], "line ending {eol:?}");
    }
}

/// Spreadsheets as partners send them: the first sheet, or the one named; numbers and dates as
/// the sheet shows them; row numbers as Excel shows them.
#[test]
fn excel_workbooks_are_read_like_their_csv() {
    let l = list("partners.xlsx");
    assert_eq!((l.encoding, l.sheet.as_deref()), ("Excel workbook", Some("Guests")));
    assert_eq!(l.sheets, ["Guests", "Later"]);
    assert_eq!(l.format, ListFormat::Sheet);
    assert_eq!(
        emails(&l),
        [
            "ana.souza@fabrikam.example",
            "bo.li@tailspin.example",
            "not-an-address",
            "Ana.Souza@Fabrikam.example"
        ]
    );
    assert_eq!(l.rows[0].row, 2);
    assert_eq!(l.rows[2].row, 5, "the blank row 4 counts, as in Excel");
    assert_eq!(l.rows[0].get(Field::UsageLocation), Some("BR"));
    assert_eq!(l.rows[0].get(Field::Groups), Some("Partner portal users"));
    assert!(
        l.ignored_columns.contains(&"Employee no".to_string()),
        "{:?}",
        l.ignored_columns
    );
    assert!(l.notes.iter().any(|n| n.contains("1 blank row")), "{:?}", l.notes);

    let later = guestpass_import::read_with(
        &file("partners.xlsx"),
        &guestpass_import::ReadOptions {
            sheet: Some("later"),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(later.sheet.as_deref(), Some("Later"));
    assert_eq!(emails(&later), ["zoe@contoso-partners.example"]);
    assert_eq!(later.rows[0].get(Field::DisplayName), Some("Zoë Ångström"));
    let e = guestpass_import::read_with(
        &file("partners.xlsx"),
        &guestpass_import::ReadOptions {
            sheet: Some("Archive"),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        e.message.contains("'Archive'") && e.hint.contains("Guests, Later"),
        "{e}"
    );
}

#[test]
fn the_microsoft_template_saved_as_a_workbook() {
    let l = list("template.xlsx");
    assert_eq!(l.format, ListFormat::MicrosoftTemplate);
    assert_eq!(emails(&l), ["ana@fabrikam.example"]);
    assert_eq!(l.rows[0].row, 4);
    assert_eq!(l.rows[0].get(Field::SendEmail), Some("TRUE"));
    assert!(
        l.notes.iter().any(|n| n.contains("Row 3") && n.contains("example")),
        "{:?}",
        l.notes
    );
}

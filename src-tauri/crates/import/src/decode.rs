//! Bytes to text: UTF-8 (with or without BOM), UTF-16 ("Unicode text" from Excel), and
//! whatever legacy code page Excel's plain "CSV" used on the machine that saved it —
//! Windows-1252 in the West, 1250 in Central Europe, 1251 for Cyrillic, Shift_JIS in Japan… —
//! detected from the bytes (chardetng, Firefox's detector) unless the admin names it.
//! Workbooks and other binary files are named, with how to save them as CSV.

use crate::{read_error, ReadError};
use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Whether the encoding was guessed from the bytes (no BOM, not UTF-8, not named).
    pub guessed: bool,
}

/// The encoding a label names (`windows-1250`, `cp1251`, `shift_jis`, `latin2`…), as the
/// WHATWG Encoding Standard spells them.
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding, ReadError> {
    let wanted = label.trim().to_ascii_lowercase();
    // Windows' own code page names (cp1250) are common in Excel's menus and scripts.
    let wanted = match wanted.strip_prefix("cp") {
        Some(n) if n.parse::<u32>().is_ok() => format!("windows-{n}"),
        _ => wanted,
    };
    Encoding::for_label(wanted.as_bytes()).ok_or_else(|| {
        read_error(
            format!("'{}' is not an encoding Guestpass knows.", label.trim()),
            "Use a name such as UTF-8, windows-1250, windows-1251, windows-1253, windows-1254 or Shift_JIS.",
        )
    })
}

const SAVE_AS_CSV: &str = "In Excel choose File > Save As > CSV UTF-8 (Comma delimited), and import that file.";

/// Decodes the file; `asked` overrides the detection (a BOM still wins: it cannot be wrong).
pub fn decode(bytes: &[u8], asked: Option<&'static Encoding>) -> Result<Decoded, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(read_error(
            "The file is empty.",
            "Choose the file that lists your guests.",
        ));
    }
    if bytes.starts_with(b"%PDF") {
        return Err(read_error("This is a PDF, not a guest list.", SAVE_AS_CSV));
    }
    let mut guessed = false;
    let (encoding, label): (&'static Encoding, &'static str) = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (UTF_8, "UTF-8 with BOM")
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        (UTF_16LE, "UTF-16LE")
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        (UTF_16BE, "UTF-16BE")
    } else if let Some(asked) = asked {
        (asked, asked.name())
    } else if let Some(utf16) = utf16_without_bom(bytes) {
        utf16
    } else if std::str::from_utf8(bytes).is_ok() {
        (UTF_8, "UTF-8")
    } else {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        let found = detector.guess(None, Utf8Detection::Deny);
        guessed = true;
        (found, found.name())
    };
    let (text, _, _) = encoding.decode(bytes);
    let text = text.into_owned();
    if looks_binary(&text) {
        return Err(read_error(
            "This file is not text, so it cannot be a CSV guest list.",
            SAVE_AS_CSV,
        ));
    }
    Ok(Decoded {
        text,
        encoding: label,
        guessed,
    })
}

/// UTF-16 without a BOM shows as ASCII letters with a zero byte beside each.
fn utf16_without_bom(bytes: &[u8]) -> Option<(&'static Encoding, &'static str)> {
    let sample = &bytes[..bytes.len().min(400) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zeros_odd = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    if zeros_odd * 10 >= pairs * 8 && zeros_even * 10 < pairs {
        Some((UTF_16LE, "UTF-16LE"))
    } else if zeros_even * 10 >= pairs * 8 && zeros_odd * 10 < pairs {
        Some((UTF_16BE, "UTF-16BE"))
    } else {
        None
    }
}

/// Control characters other than tab and line breaks are rare in text and common in binaries.
fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(4096).collect();
    let odd = sample
        .iter()
        .filter(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || **c == '\u{fffd}')
        .count();
    odd * 20 > sample.len().max(1)
}

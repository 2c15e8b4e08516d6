//! Change-log exports for auditors: CSV that is safe to open in Excel, and JSON. Both carry
//! the hash-chain fields so the export can be checked against the chain.

use crate::{ChangeRecord, Result, StoreError};

const HEADER: [&str; 14] = [
    "seq",
    "at",
    "actor",
    "tenant",
    "action",
    "target",
    "result",
    "error_code",
    "detail",
    "request_id",
    "before",
    "after",
    "prev_hash",
    "hash",
];

/// A cell Excel would read as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage
/// return) gets a leading apostrophe, so opening the file can never run anything.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

pub fn to_csv(rows: &[ChangeRecord]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| StoreError::Export(e.to_string());
    w.write_record(HEADER).map_err(err)?;
    for r in rows {
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let result = r.result.as_str().to_string();
        let cells = [
            r.seq.to_string(),
            r.at.clone(),
            r.actor.clone(),
            r.tenant.clone(),
            r.action.clone(),
            r.target.clone(),
            result,
            r.error_code.clone().unwrap_or_default(),
            r.detail.clone().unwrap_or_default(),
            r.request_id.clone().unwrap_or_default(),
            json(&r.before),
            json(&r.after),
            r.prev_hash.clone(),
            r.hash.clone(),
        ];
        w.write_record(cells.iter().map(|c| neutralise(c))).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| StoreError::Export(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| StoreError::Export(e.to_string()))
}

pub fn to_json(rows: &[ChangeRecord]) -> Result<String> {
    Ok(serde_json::to_string_pretty(rows)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ChangeResult, NewChange, Store};

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("jane@x.example"), "jane@x.example");
    }

    #[test]
    fn csv_and_json_round_trip_with_the_chain_fields() {
        let store = Store::open_in_memory().unwrap();
        store
            .append_change(&NewChange {
                actor: "app:1".into(),
                tenant: "t".into(),
                action: "invite_guest".into(),
                target: "=cmd|' /C calc'!A0@evil.example".into(),
                before: None,
                after: Some(serde_json::json!({"note": "a, \"quoted\"\nline"})),
                result: ChangeResult::Succeeded,
                error_code: None,
                detail: Some("-2+3".into()),
                request_id: Some("r-1".into()),
            })
            .unwrap();
        let rows = store.recent_changes(10).unwrap();
        let text = to_csv(&rows).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let rec = rd.records().next().unwrap().unwrap();
        assert_eq!(&rec[5], "'=cmd|' /C calc'!A0@evil.example");
        assert_eq!(&rec[8], "'-2+3");
        assert_eq!(&rec[13], rows[0].hash);
        let after: serde_json::Value = serde_json::from_str(&rec[11]).unwrap();
        assert_eq!(after["note"], "a, \"quoted\"\nline");
        let back: Vec<ChangeRecord> = serde_json::from_str(&to_json(&rows).unwrap()).unwrap();
        assert_eq!(back, rows);
    }
}

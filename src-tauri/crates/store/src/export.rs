//! Change-log exports for auditors: CSV that is safe to open in Excel, and JSON. Both carry
//! the hash-chain fields so the export can be checked against the chain, and the events pulled
//! from Microsoft's logs beside Guestpass's changes, each marked with its source and
//! Microsoft's audit id.

use crate::{ChangeRecord, MicrosoftEvent, Result, StoreError};
use serde_json::{json, Value};

const HEADER: [&str; 16] = [
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
    "source",
    "audit_id",
];

/// Guestpass's changes and Microsoft's events as one list, newest first, each saying where it
/// comes from (`guestpass`, or `microsoft` with the log and Microsoft's audit id).
pub fn merged(rows: &[ChangeRecord], events: &[MicrosoftEvent]) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(rows.len() + events.len());
    for r in rows {
        let mut v = serde_json::to_value(r)?;
        v["source"] = json!("guestpass");
        out.push(v);
    }
    for e in events {
        out.push(json!({
            "source": "microsoft",
            "log": e.source,
            "auditId": e.audit_id,
            "at": e.at,
            "tenant": e.tenant,
            "action": e.activity,
            "target": e.user_email,
            "userId": e.user_id,
            "actor": e.initiated_by,
            "result": e.result,
        }));
    }
    // Both are RFC 3339 in UTC: as text they sort as times.
    out.sort_by(|a, b| b["at"].as_str().cmp(&a["at"].as_str()));
    Ok(out)
}

/// A cell Excel would read as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage
/// return) gets a leading apostrophe, so opening the file can never run anything.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

pub fn to_csv(rows: &[ChangeRecord], events: &[MicrosoftEvent]) -> Result<String> {
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
            "guestpass".into(),
            String::new(),
        ];
        w.write_record(cells.iter().map(|c| neutralise(c))).map_err(err)?;
    }
    for e in events {
        let cells = [
            String::new(),
            e.at.clone(),
            e.initiated_by.clone().unwrap_or_default(),
            e.tenant.clone(),
            e.activity.clone(),
            e.user_email.clone().unwrap_or_default(),
            e.result.clone().unwrap_or_default(),
            String::new(),
            "from Microsoft's log".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("microsoft:{}", e.source.as_str()),
            e.audit_id.clone(),
        ];
        w.write_record(cells.iter().map(|c| neutralise(c))).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| StoreError::Export(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| StoreError::Export(e.to_string()))
}

pub fn to_json(rows: &[ChangeRecord], events: &[MicrosoftEvent]) -> Result<String> {
    Ok(serde_json::to_string_pretty(&merged(rows, events)?)?)
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
        let text = to_csv(&rows, &[]).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let rec = rd.records().next().unwrap().unwrap();
        assert_eq!(&rec[5], "'=cmd|' /C calc'!A0@evil.example");
        assert_eq!(&rec[8], "'-2+3");
        assert_eq!(&rec[13], rows[0].hash);
        let after: serde_json::Value = serde_json::from_str(&rec[11]).unwrap();
        assert_eq!(after["note"], "a, \"quoted\"\nline");
        let back: Vec<Value> = serde_json::from_str(&to_json(&rows, &[]).unwrap()).unwrap();
        assert_eq!(back[0]["source"], "guestpass");
        let row: ChangeRecord = serde_json::from_value(back[0].clone()).unwrap();
        assert_eq!(row, rows[0]);
    }

    #[test]
    fn microsoft_events_sit_beside_the_changes_marked_with_their_audit_id() {
        let store = Store::open_in_memory().unwrap();
        store
            .append_change(&NewChange {
                actor: "app:1".into(),
                tenant: "t".into(),
                action: "invite_guest".into(),
                target: "ana@x.example".into(),
                before: None,
                after: None,
                result: ChangeResult::Succeeded,
                error_code: None,
                detail: None,
                request_id: Some("r-1".into()),
            })
            .unwrap();
        let rows = store.recent_changes(10).unwrap();
        let event = MicrosoftEvent {
            audit_id: "Directory_1".into(),
            tenant: "t".into(),
            source: crate::EventSource::DirectoryAudit,
            at: "2001-01-01T00:00:00Z".into(),
            activity: "Redeem external user invite".into(),
            user_id: Some("u".into()),
            user_email: Some("ana@x.example".into()),
            initiated_by: None,
            result: Some("success".into()),
            raw: json!({}),
        };
        let all: Vec<Value> = serde_json::from_str(&to_json(&rows, std::slice::from_ref(&event)).unwrap()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (&all[1]["source"], &all[1]["auditId"], &all[1]["log"]),
            (&json!("microsoft"), &json!("Directory_1"), &json!("directoryAudit"))
        );
        let text = to_csv(&rows, &[event]).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let recs: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(
            (&recs[1][14], &recs[1][15]),
            ("microsoft:directoryAudit", "Directory_1")
        );
        assert_eq!(&recs[0][14], "guestpass");
    }
}

//! Bulk runs: a guest list's rows and their steps, persisted before anything is sent so a run
//! resumes after any stop from exactly where it was.

use crate::Result;
use crate::Store;
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RunState {
    Running,
    Paused,
    Cancelled,
    Finished,
}

impl RunState {
    fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Cancelled => "cancelled",
            RunState::Finished => "finished",
        }
    }

    fn parse(s: &str) -> RunState {
        match s {
            "paused" => RunState::Paused,
            "cancelled" => RunState::Cancelled,
            "finished" => RunState::Finished,
            _ => RunState::Running,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    Pending,
    /// Sent (or about to be) and not yet answered: after a stop, its outcome is unknown.
    Running,
    Done,
    Unchanged,
    Failed,
    /// Not run because an earlier step of the row failed.
    Skipped,
}

impl StepState {
    fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Done => "done",
            StepState::Unchanged => "unchanged",
            StepState::Failed => "failed",
            StepState::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> StepState {
        match s {
            "running" => StepState::Running,
            "done" => StepState::Done,
            "unchanged" => StepState::Unchanged,
            "failed" => StepState::Failed,
            "skipped" => StepState::Skipped,
            _ => StepState::Pending,
        }
    }

    /// Finished for good (until the admin retries failed rows).
    pub fn is_settled(self) -> bool {
        !matches!(self, StepState::Pending | StepState::Running)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    #[ts(type = "number")]
    pub id: i64,
    pub tenant: String,
    pub actor: String,
    /// The file the rows came from.
    pub source: String,
    pub created_at: String,
    pub state: RunState,
    pub finished_at: Option<String>,
}

/// One step of a row, as planned and as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunStep {
    pub step_no: u32,
    /// `invite`, `profile`, `license`, `group`, `role`.
    pub kind: String,
    /// The group, licence or role the step is about.
    pub target: Option<String>,
    pub state: StepState,
    pub attempts: u32,
    /// What happened, in plain words (the reason, when it failed).
    pub summary: Option<String>,
    pub request_id: Option<String>,
    #[ts(type = "number | null")]
    pub change_seq: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunRow {
    /// The row number in the file, as a spreadsheet shows it.
    pub row_no: u32,
    pub email: String,
    /// The row's values as planned (JSON).
    #[ts(type = "unknown")]
    pub input: serde_json::Value,
    pub user_id: Option<String>,
    pub steps: Vec<RunStep>,
}

impl RunRow {
    /// Every step settled (done, unchanged, failed or skipped).
    pub fn is_settled(&self) -> bool {
        self.steps.iter().all(|s| s.state.is_settled())
    }

    pub fn failed(&self) -> bool {
        self.steps.iter().any(|s| s.state == StepState::Failed)
    }
}

/// A row to create a run with: its number, address, values and step list (kind, target).
pub struct NewRunRow {
    pub row_no: u32,
    pub email: String,
    pub input: serde_json::Value,
    pub steps: Vec<(String, Option<String>)>,
}

/// Counts of a run's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunCounts {
    pub total: u32,
    pub done: u32,
    pub failed: u32,
    pub left: u32,
}

/// The outcome of one step, to record.
pub struct StepUpdate<'a> {
    pub state: StepState,
    pub summary: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub change_seq: Option<i64>,
}

impl Store {
    /// Creates a run with all its rows and steps in one transaction.
    pub fn create_run(&self, tenant: &str, actor: &str, source: &str, rows: &[NewRunRow]) -> Result<i64> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO bulk_runs (tenant, actor, source, created_at, state) VALUES (?1, ?2, ?3, ?4, 'running')",
            params![tenant, actor, source, now()],
        )?;
        let run_id = tx.last_insert_rowid();
        {
            let mut row_stmt =
                tx.prepare("INSERT INTO bulk_rows (run_id, row_no, email, input) VALUES (?1, ?2, ?3, ?4)")?;
            let mut step_stmt = tx.prepare(
                "INSERT INTO bulk_steps (run_id, row_no, step_no, kind, target, state) VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
            )?;
            for r in rows {
                row_stmt.execute(params![run_id, r.row_no, r.email, serde_json::to_string(&r.input)?])?;
                for (i, (kind, target)) in r.steps.iter().enumerate() {
                    step_stmt.execute(params![run_id, r.row_no, i as u32, kind, target])?;
                }
            }
        }
        tx.commit()?;
        Ok(run_id)
    }

    pub fn run(&self, run_id: i64) -> Result<Option<RunInfo>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, tenant, actor, source, created_at, state, finished_at FROM bulk_runs WHERE id = ?1",
                [run_id],
                run_info,
            )
            .optional()?)
    }

    /// Runs, newest first.
    pub fn runs(&self, tenant: &str, limit: u32) -> Result<Vec<RunInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, tenant, actor, source, created_at, state, finished_at FROM bulk_runs
             WHERE tenant = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![tenant, limit], run_info)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest run of this tenant that is not finished or cancelled.
    pub fn unfinished_run(&self, tenant: &str) -> Result<Option<RunInfo>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, tenant, actor, source, created_at, state, finished_at FROM bulk_runs
                 WHERE tenant = ?1 AND state IN ('running', 'paused') ORDER BY id DESC LIMIT 1",
                [tenant],
                run_info,
            )
            .optional()?)
    }

    pub fn set_run_state(&self, run_id: i64, state: RunState) -> Result<()> {
        let finished = matches!(state, RunState::Finished | RunState::Cancelled).then(now);
        self.conn().execute(
            "UPDATE bulk_runs SET state = ?2, finished_at = ?3 WHERE id = ?1",
            params![run_id, state.as_str(), finished],
        )?;
        Ok(())
    }

    /// Every row of the run with its steps, in file order.
    pub fn run_rows(&self, run_id: i64) -> Result<Vec<RunRow>> {
        let conn = self.conn();
        let mut rows_stmt =
            conn.prepare("SELECT row_no, email, input, user_id FROM bulk_rows WHERE run_id = ?1 ORDER BY row_no")?;
        let mut rows: Vec<RunRow> = rows_stmt
            .query_map([run_id], |r| {
                let input: String = r.get(2)?;
                Ok(RunRow {
                    row_no: r.get(0)?,
                    email: r.get(1)?,
                    input: serde_json::from_str(&input).unwrap_or(serde_json::Value::Null),
                    user_id: r.get(3)?,
                    steps: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut steps_stmt = conn.prepare(
            "SELECT row_no, step_no, kind, target, state, attempts, summary, request_id, change_seq
             FROM bulk_steps WHERE run_id = ?1 ORDER BY row_no, step_no",
        )?;
        let steps = steps_stmt.query_map([run_id], |r| {
            let state: String = r.get(4)?;
            Ok((
                r.get::<_, u32>(0)?,
                RunStep {
                    step_no: r.get(1)?,
                    kind: r.get(2)?,
                    target: r.get(3)?,
                    state: StepState::parse(&state),
                    attempts: r.get(5)?,
                    summary: r.get(6)?,
                    request_id: r.get(7)?,
                    change_seq: r.get(8)?,
                },
            ))
        })?;
        let mut i = 0;
        for step in steps {
            let (row_no, step) = step?;
            while i < rows.len() && rows[i].row_no < row_no {
                i += 1;
            }
            if let Some(row) = rows.get_mut(i).filter(|r| r.row_no == row_no) {
                row.steps.push(step);
            }
        }
        Ok(rows)
    }

    pub fn run_counts(&self, run_id: i64) -> Result<RunCounts> {
        let conn = self.conn();
        let (total, failed, left): (u32, u32, u32) = conn.query_row(
            "SELECT COUNT(*),
                    COALESCE(SUM(failed), 0),
                    COALESCE(SUM(open > 0 AND failed = 0), 0)
             FROM (SELECT row_no,
                          SUM(state = 'failed') AS failed,
                          SUM(state IN ('pending', 'running')) AS open
                   FROM bulk_steps WHERE run_id = ?1 GROUP BY row_no)",
            [run_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(RunCounts {
            total,
            done: total - failed - left,
            failed,
            left,
        })
    }

    /// Marks a step as sent (attempt counted) before the call is made.
    pub fn start_step(&self, run_id: i64, row_no: u32, step_no: u32) -> Result<()> {
        self.conn().execute(
            "UPDATE bulk_steps SET state = 'running', attempts = attempts + 1, updated_at = ?4
             WHERE run_id = ?1 AND row_no = ?2 AND step_no = ?3",
            params![run_id, row_no, step_no, now()],
        )?;
        Ok(())
    }

    /// Records a step's outcome. A failure also marks the row's later steps skipped.
    pub fn finish_step(&self, run_id: i64, row_no: u32, step_no: u32, u: &StepUpdate) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now();
        tx.execute(
            "UPDATE bulk_steps SET state = ?4, summary = ?5, request_id = COALESCE(?6, request_id),
                    change_seq = COALESCE(?7, change_seq), updated_at = ?8
             WHERE run_id = ?1 AND row_no = ?2 AND step_no = ?3",
            params![
                run_id,
                row_no,
                step_no,
                u.state.as_str(),
                u.summary,
                u.request_id,
                u.change_seq,
                at
            ],
        )?;
        if u.state == StepState::Failed {
            tx.execute(
                "UPDATE bulk_steps SET state = 'skipped', summary = 'Not run: an earlier step of this row failed.', updated_at = ?4
                 WHERE run_id = ?1 AND row_no = ?2 AND step_no > ?3 AND state IN ('pending', 'running')",
                params![run_id, row_no, step_no, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_row_user(&self, run_id: i64, row_no: u32, user_id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE bulk_rows SET user_id = ?3 WHERE run_id = ?1 AND row_no = ?2",
            params![run_id, row_no, user_id],
        )?;
        Ok(())
    }

    /// Puts failed and skipped steps back to pending so the run can try those rows again.
    /// Returns how many rows will be retried.
    pub fn retry_failed(&self, run_id: i64) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let rows = tx.query_row(
            "SELECT COUNT(DISTINCT row_no) FROM bulk_steps WHERE run_id = ?1 AND state = 'failed'",
            [run_id],
            |r| r.get::<_, i64>(0),
        )? as usize;
        tx.execute(
            "UPDATE bulk_steps SET state = 'pending', updated_at = ?2
             WHERE run_id = ?1 AND state IN ('failed', 'skipped')",
            params![run_id, now()],
        )?;
        if rows > 0 {
            tx.execute(
                "UPDATE bulk_runs SET state = 'running', finished_at = NULL WHERE id = ?1",
                [run_id],
            )?;
        }
        tx.commit()?;
        Ok(rows)
    }

    /// The run and row a change-log entry was made for, if it was part of a bulk run.
    pub fn run_of_change(&self, seq: i64) -> Result<Option<(i64, u32)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT run_id, row_no FROM bulk_steps WHERE change_seq = ?1 LIMIT 1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

fn run_info(r: &rusqlite::Row) -> rusqlite::Result<RunInfo> {
    let state: String = r.get(5)?;
    Ok(RunInfo {
        id: r.get(0)?,
        tenant: r.get(1)?,
        actor: r.get(2)?,
        source: r.get(3)?,
        created_at: r.get(4)?,
        state: RunState::parse(&state),
        finished_at: r.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_run() -> (Store, i64) {
        let s = Store::open_in_memory().unwrap();
        let rows = vec![
            NewRunRow {
                row_no: 2,
                email: "a@x.example".into(),
                input: serde_json::json!({"email": "a@x.example"}),
                steps: vec![("invite".into(), None), ("group".into(), Some("Sales".into()))],
            },
            NewRunRow {
                row_no: 3,
                email: "b@x.example".into(),
                input: serde_json::json!({"email": "b@x.example"}),
                steps: vec![("invite".into(), None), ("license".into(), Some("E3".into()))],
            },
        ];
        let id = s.create_run("t", "admin", "guests.csv", &rows).unwrap();
        (s, id)
    }

    fn update(state: StepState) -> StepUpdate<'static> {
        StepUpdate {
            state,
            summary: Some("x"),
            request_id: None,
            change_seq: None,
        }
    }

    #[test]
    fn a_run_keeps_rows_steps_and_counts() {
        let (s, id) = store_with_run();
        assert_eq!(s.unfinished_run("t").unwrap().unwrap().id, id);
        assert_eq!(
            s.run_counts(id).unwrap(),
            RunCounts {
                total: 2,
                done: 0,
                failed: 0,
                left: 2
            }
        );
        s.start_step(id, 2, 0).unwrap();
        s.finish_step(id, 2, 0, &update(StepState::Done)).unwrap();
        s.start_step(id, 2, 1).unwrap();
        s.finish_step(id, 2, 1, &update(StepState::Unchanged)).unwrap();
        s.start_step(id, 3, 0).unwrap();
        s.finish_step(id, 3, 0, &update(StepState::Failed)).unwrap();
        let rows = s.run_rows(id).unwrap();
        assert_eq!(rows[0].steps[0].attempts, 1);
        assert_eq!(
            rows[1].steps[1].state,
            StepState::Skipped,
            "later steps are skipped after a failure"
        );
        assert_eq!(
            s.run_counts(id).unwrap(),
            RunCounts {
                total: 2,
                done: 1,
                failed: 1,
                left: 0
            }
        );

        assert_eq!(s.retry_failed(id).unwrap(), 1);
        let rows = s.run_rows(id).unwrap();
        assert!(rows[1].steps.iter().all(|st| st.state == StepState::Pending));
        assert_eq!(rows[0].steps[0].state, StepState::Done, "succeeded rows are left alone");
        s.set_run_state(id, RunState::Finished).unwrap();
        assert!(s.unfinished_run("t").unwrap().is_none());
        assert!(s.run(id).unwrap().unwrap().finished_at.is_some());
    }

    #[test]
    fn a_step_left_running_is_visible_after_a_stop() {
        let (s, id) = store_with_run();
        s.start_step(id, 2, 0).unwrap();
        let rows = s.run_rows(id).unwrap();
        assert_eq!(rows[0].steps[0].state, StepState::Running);
        assert!(!rows[0].is_settled());
    }
}

//! A bulk run's results file: one line per row with each step's status, the reason in plain
//! words and Graph's request-ids. Cells that Excel would run as formulas are neutralised.

use crate::onboarding::OnboardingStep;
use guestpass_store::export::neutralise;
use guestpass_store::{RunRow, StepState};

fn state_word(s: StepState) -> &'static str {
    match s {
        StepState::Pending | StepState::Running => "not done yet",
        StepState::Done => "done",
        StepState::Unchanged => "already so",
        StepState::Failed => "failed",
        StepState::Skipped => "skipped",
    }
}

/// The row's overall status: done, failed, or not finished.
pub fn row_status(row: &RunRow) -> &'static str {
    if row.failed() {
        "failed"
    } else if row.is_settled() {
        "done"
    } else {
        "not finished"
    }
}

/// The reason a row failed (or why it waits), in plain words.
pub fn row_reason(row: &RunRow) -> String {
    row.steps
        .iter()
        .find(|s| s.state == StepState::Failed)
        .or_else(|| row.steps.iter().find(|s| !s.state.is_settled() && s.summary.is_some()))
        .and_then(|s| s.summary.clone())
        .unwrap_or_default()
}

pub fn to_csv(rows: &[RunRow]) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["Row", "Email", "Status"]
        .into_iter()
        .chain(OnboardingStep::ORDER.map(OnboardingStep::column))
        .chain(["Reason", "Request IDs"]);
    w.write_record(header).map_err(|e| e.to_string())?;
    for row in rows {
        let of = |step: OnboardingStep| {
            let words: Vec<String> = row
                .steps
                .iter()
                .filter(|s| s.kind == step.name())
                .map(|s| match (&s.target, step) {
                    (Some(t), OnboardingStep::Group) => format!("{t}: {}", state_word(s.state)),
                    (Some(t), _) => format!("{} ({t})", state_word(s.state)),
                    (None, _) => state_word(s.state).to_string(),
                })
                .collect();
            words.join("; ")
        };
        let ids: Vec<&str> = row.steps.iter().filter_map(|s| s.request_id.as_deref()).collect();
        let cells = [row.row_no.to_string(), row.email.clone(), row_status(row).to_string()]
            .into_iter()
            .chain(OnboardingStep::ORDER.map(of))
            .chain([row_reason(row), ids.join(" ")]);
        w.write_record(cells.map(|c| neutralise(&c)))
            .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use guestpass_store::RunStep;

    #[test]
    fn failed_row_names_the_reason_and_formulas_are_neutralised() {
        let step = |kind: &str, target: Option<&str>, state, summary: Option<&str>| RunStep {
            step_no: 0,
            kind: kind.into(),
            target: target.map(str::to_string),
            state,
            attempts: 1,
            summary: summary.map(str::to_string),
            request_id: Some("rid-1".into()),
            change_seq: None,
        };
        let rows = vec![RunRow {
            row_no: 7,
            email: "=cmd@x.example".into(),
            input: serde_json::Value::Null,
            user_id: None,
            steps: vec![
                step("invite", None, StepState::Done, Some("Invited")),
                step(
                    "group",
                    Some("Sales"),
                    StepState::Failed,
                    Some("-No group is called 'Sales'."),
                ),
                step("group", Some("Ops"), StepState::Skipped, None),
            ],
        }];
        let csv = to_csv(&rows).unwrap();
        let line = csv.lines().nth(1).unwrap();
        assert!(
            line.starts_with("7,'=cmd@x.example,failed,done,,,Sales: failed; Ops: skipped,,'-No group"),
            "{line}"
        );
        assert!(line.ends_with("rid-1 rid-1 rid-1"), "{line}");
    }
}

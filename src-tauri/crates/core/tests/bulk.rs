//! Bulk runs against the sandbox tenant: the preview's tenant checks, a full run, faults,
//! throttling, stop-and-resume, and retrying failed rows.

mod common;

use common::{reconnect, setup};
use guestpass_core::bulk::run::BulkPolicy;
use guestpass_core::bulk::{ImportDefaults, IssueLevel, RunControl};
use guestpass_core::{ChangeFilter, ChangeResult};
use guestpass_sandbox::{Fault, SandboxConfig};
use guestpass_store::{RunState, StepState};
use std::time::Duration;

fn defaults() -> ImportDefaults {
    ImportDefaults {
        redirect_url: Some("https://myapps.microsoft.com".into()),
        ..Default::default()
    }
}

fn quick(engine: guestpass_core::Engine) -> guestpass_core::Engine {
    engine.with_bulk_policy(BulkPolicy {
        retry_delay: Duration::from_millis(20),
        ..Default::default()
    })
}

fn issues(p: &guestpass_core::bulk::ImportPreview, row: u32) -> String {
    p.rows
        .iter()
        .find(|r| r.row == row)
        .unwrap()
        .issues
        .iter()
        .map(|i| format!("{:?} {}: {}", i.level, i.column, i.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn preview_checks_rows_against_the_tenant() {
    let s = setup(SandboxConfig::default()).await;
    let csv = "Email,License,Groups,Environment,Role\n\
        ana.souza@fabrikam.example,,,,\n\
        megan.bowen@northwind.example,,,,\n\
        someone@gmail.com,,,,\n\
        new1@partner.example,NO_SUCH_SKU,,,\n\
        new2@partner.example,DYN365_ENTERPRISE_SALES,,,\n\
        new3@partner.example,,Partner portal users;No such group,,\n\
        new4@partner.example,,,Northwind Sales,Space Pilot\n\
        new5@partner.example,O365_BUSINESS_ESSENTIALS,Partner portal users,Northwind Sales,Basic User\n";
    // No default redirect: only the existing guest may go without one.
    let p = s
        .engine
        .preview_import("guests.csv", csv.as_bytes(), &ImportDefaults::default())
        .await
        .unwrap();
    assert!(p.tenant_checked);
    let ana = p.rows.iter().find(|r| r.row == 2).unwrap();
    assert_eq!(ana.existing_guest.as_deref(), Some("Accepted"));
    assert!(!ana.has_errors(), "{}", issues(&p, 2));
    assert!(issues(&p, 3).contains("member"), "{}", issues(&p, 3));
    assert!(issues(&p, 4).contains("redirect URL"), "{}", issues(&p, 4));

    let p = s
        .engine
        .preview_import("guests.csv", csv.as_bytes(), &defaults())
        .await
        .unwrap();
    assert!(
        issues(&p, 4).contains("Warning Email: Google federation is off"),
        "{}",
        issues(&p, 4)
    );
    assert!(issues(&p, 5).contains("no licence 'NO_SUCH_SKU'"), "{}", issues(&p, 5));
    assert!(
        issues(&p, 6).contains("No seat of DYN365_ENTERPRISE_SALES"),
        "{}",
        issues(&p, 6)
    );
    assert!(
        issues(&p, 7).contains("No group is called 'No such group'"),
        "{}",
        issues(&p, 7)
    );
    assert!(
        issues(&p, 8).contains("no security role 'Space Pilot'"),
        "{}",
        issues(&p, 8)
    );
    let last = p.rows.iter().find(|r| r.row == 9).unwrap();
    assert!(!last.has_errors(), "{}", issues(&p, 9));
    assert!(issues(&p, 9).contains("Warning Usage location: A licence needs a usage location"));
    let sales = p.seats.iter().find(|s| s.license == "DYN365_ENTERPRISE_SALES").unwrap();
    assert_eq!((sales.needed, sales.free), (1, 0));
    assert_eq!(p.already_guests, 1);
    assert!(p.rows.iter().all(|r| r
        .issues
        .iter()
        .all(|i| i.level == IssueLevel::Warning || r.has_errors())));
}

#[tokio::test]
async fn blocked_domains_are_errors_before_anything_is_sent() {
    let s = setup(SandboxConfig::default()).await;
    s.engine
        .apply_settings(&guestpass_core::SettingsRequest {
            domains: Some(guestpass_core::DomainList {
                mode: guestpass_core::DomainMode::BlockListed,
                domains: vec!["rival.example".into()],
            }),
            ..Default::default()
        })
        .await
        .unwrap();
    let p = s
        .engine
        .preview_import("g.csv", b"Email\nx@rival.example\ny@friend.example\n", &defaults())
        .await
        .unwrap();
    assert!(
        issues(&p, 2).contains("block invitations to rival.example"),
        "{}",
        issues(&p, 2)
    );
    assert!(issues(&p, 3).is_empty());
}

const FIVE: &str = "Email,Display name,First name,Last name,Country,License,Groups\n\
    g1@partner.example,Guest One,Guest,One,GB,O365_BUSINESS_ESSENTIALS,Partner portal users\n\
    g2@partner.example,Guest Two,Guest,Two,DE,O365_BUSINESS_ESSENTIALS,Partner portal users\n\
    g3@partner.example,Guest Three,Guest,Three,FR,,Partner portal users\n\
    g4@partner.example,Guest Four,Guest,Four,IE,,\n\
    ana.souza@fabrikam.example,,Ana,Souza,BR,,Partner portal users\n";

/// Previews [`FIVE`] and starts its run; returns the run id.
async fn start_five(engine: &guestpass_core::Engine) -> i64 {
    let preview = engine
        .preview_import("five.csv", FIVE.as_bytes(), &defaults())
        .await
        .unwrap();
    engine.start_import(&preview).unwrap()
}

#[tokio::test]
async fn a_run_onboards_every_row_and_records_every_change() {
    let s = setup(SandboxConfig {
        replication_delay_ms: 200,
        ..Default::default()
    })
    .await;
    let engine = quick(s.engine.clone());
    let preview = engine
        .preview_import("five.csv", FIVE.as_bytes(), &defaults())
        .await
        .unwrap();
    assert_eq!(preview.ready, 5);
    let run = engine.start_import(&preview).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let done = engine
        .run_import(run, RunControl::new(), &|p| seen.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.done, done.failed, done.left),
        (RunState::Finished, 5, 0, 0)
    );
    assert!(!seen.lock().unwrap().is_empty(), "progress was reported");

    let rows = engine.run_rows(run).unwrap();
    for r in &rows {
        assert!(
            r.steps
                .iter()
                .all(|st| matches!(st.state, StepState::Done | StepState::Unchanged)),
            "{r:?}"
        );
    }
    let ana = rows.iter().find(|r| r.email == "ana.souza@fabrikam.example").unwrap();
    assert_eq!(
        ana.steps[0].state,
        StepState::Unchanged,
        "an existing guest is not invited again"
    );
    assert_eq!(s.sb.stats().invitations_created, 4);

    // Every change is in the change log, and the run knows its entries.
    let invited = engine
        .query_changes(&ChangeFilter {
            action: Some("invite_guest".into()),
            result: Some(ChangeResult::Succeeded),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(invited.len(), 4);
    let seq = rows[0].steps[0].change_seq.unwrap();
    assert_eq!(engine.store().run_of_change(seq).unwrap(), Some((run, rows[0].row_no)));

    // The results file: one line per row.
    let csv = guestpass_core::bulk::results::to_csv(&rows).unwrap();
    assert_eq!(csv.lines().count(), 6);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains(",done,done,done,done (O365_BUSINESS_ESSENTIALS),Partner portal users: done"),
        "{csv}"
    );

    // Running a finished run again sends nothing.
    let before = s.sb.stats().requests;
    engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    assert!(s.sb.stats().requests - before <= 3, "only bookkeeping reads");
}

#[tokio::test]
async fn throttling_5xx_timeouts_and_lost_answers_fail_no_row_and_invite_nobody_twice() {
    let s = setup(SandboxConfig {
        replication_delay_ms: 300,
        ..Default::default()
    })
    .await;
    for fault in [
        Fault::answer(429, "/v1.0/invitations")
            .on("POST")
            .code("TooManyRequests")
            .message("Too many requests")
            .retry_after(1)
            .times(3),
        Fault::answer(503, "/v1.0/invitations")
            .on("POST")
            .code("ServiceUnavailable")
            .message("The service is temporarily unavailable.")
            .times(2)
            .after_applying(),
        Fault::answer(504, "/v1.0/groups")
            .on("POST")
            .code("GatewayTimeout")
            .message("The operation timed out.")
            .times(2)
            .after_applying(),
        Fault::answer(503, "/v1.0/users")
            .on("PATCH")
            .code("ServiceUnavailable")
            .message("Try again later.")
            .times(6),
    ] {
        s.sb.push_fault(fault);
    }
    let engine = quick(s.engine.clone());
    let run = start_five(&engine).await;
    let done = engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    let rows = engine.run_rows(run).unwrap();
    assert_eq!((done.done, done.failed), (5, 0), "{rows:#?}");
    assert!(done.throttled >= 1, "the 429s were seen");
    // Two invitations were applied with their answers lost: each guest exists once.
    let guests = s.sb.user_mails();
    for g in ["g1", "g2", "g3", "g4"] {
        assert_eq!(
            guests.iter().filter(|m| m.starts_with(&format!("{g}@"))).count(),
            1,
            "{guests:?}"
        );
    }
    assert_eq!(s.sb.stats().guests_created, 4);
}

#[tokio::test]
async fn a_stopped_run_resumes_where_it_was_after_a_restart() {
    let s = setup(SandboxConfig {
        latency_ms: 40,
        ..Default::default()
    })
    .await;
    let engine = s.engine.clone().with_bulk_policy(BulkPolicy {
        start_concurrency: 1,
        max_concurrency: 1,
        ..Default::default()
    });
    let run = start_five(&engine).await;
    // Cancel as soon as the first row is settled.
    let control = RunControl::new();
    let c = control.clone();
    let stopped = engine
        .run_import(run, control, &move |p| {
            if p.done > 0 {
                c.cancel();
            }
        })
        .await
        .unwrap();
    assert_eq!(stopped.state, RunState::Cancelled);
    assert!(stopped.left > 0);

    // As after a restart: a new engine finds the run and finishes it.
    let engine = quick(reconnect(&s).await);
    let again = engine.bulk_run(run).unwrap();
    assert_eq!(again.state, RunState::Cancelled);
    let done = engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    assert_eq!((done.done, done.failed, done.left), (5, 0, 0));
    assert_eq!(s.sb.stats().invitations_created, 4, "nobody invited twice");
}

#[tokio::test]
async fn failed_rows_keep_their_reason_and_can_be_retried() {
    let s = setup(SandboxConfig::default()).await;
    let engine = quick(s.engine.clone());
    // No seat of Dynamics 365 Sales is free: the licence step fails, with the reason.
    let csv = "Email,Country,License\nseat@partner.example,GB,DYN365_ENTERPRISE_SALES\nok@partner.example,GB,\n";
    let preview = engine
        .preview_import("s.csv", csv.as_bytes(), &defaults())
        .await
        .unwrap();
    let run = engine.start_import(&preview).unwrap();
    let done = engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    assert_eq!((done.done, done.failed), (1, 1));
    let rows = engine.run_rows(run).unwrap();
    let failed = &rows[0];
    assert_eq!(failed.steps[2].state, StepState::Failed);
    assert!(
        guestpass_core::bulk::results::row_reason(failed).contains("seats"),
        "{failed:?}"
    );
    assert_eq!(failed.steps[0].state, StepState::Done, "the invitation stays done");

    // Retrying runs only the failed row's unfinished steps.
    assert_eq!(engine.retry_failed_rows(run).unwrap(), 1);
    let invitations = s.sb.stats().invitations_created;
    let again = engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    assert_eq!((again.done, again.failed), (1, 1));
    assert_eq!(
        s.sb.stats().invitations_created,
        invitations,
        "done steps are not repeated"
    );
}

#[tokio::test]
async fn pause_holds_the_run_until_resumed() {
    let s = setup(SandboxConfig {
        latency_ms: 20,
        ..Default::default()
    })
    .await;
    let engine = quick(s.engine.clone());
    let run = start_five(&engine).await;
    let control = RunControl::new();
    control.pause();
    let c = control.clone();
    let store_engine = engine.clone();
    let resumer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let state = store_engine.bulk_run(run).unwrap().state;
        c.resume();
        state
    });
    let done = engine.run_import(run, control, &|_| {}).await.unwrap();
    assert_eq!(resumer.await.unwrap(), RunState::Paused);
    assert_eq!(done.done, 5);
}

#[tokio::test]
async fn a_lost_network_pauses_the_run_instead_of_failing_rows() {
    let s = setup(SandboxConfig::default()).await;
    let engine = quick(s.engine.clone()).with_bulk_policy(BulkPolicy {
        retry_delay: Duration::from_millis(10),
        transient_attempts: 2,
        ..Default::default()
    });
    let run = start_five(&engine).await;
    // The tenant goes away (the sandbox stops): every call fails to connect.
    let url = s.sb.url();
    drop(s.sb);
    let control = RunControl::new();
    let c = control.clone();
    let runner = engine.clone();
    let task = tokio::spawn(async move { runner.run_import(run, c, &|_| {}).await });
    // The run pauses (rather than failing rows); stop it there.
    for _ in 0..200 {
        if engine.bulk_run(run).unwrap().state == RunState::Paused {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        engine.bulk_run(run).unwrap().state,
        RunState::Paused,
        "{url} is gone, so the run waits"
    );
    control.cancel();
    let stopped = task.await.unwrap().unwrap();
    assert_eq!(stopped.failed, 0, "no row failed because of the network");
    assert!(stopped.left > 0);
}

/// A list of `n` addresses: the seeded guest Ana, a member, and new people.
fn long_list(n: usize) -> String {
    let mut csv = String::from("Email\nANA.SOUZA@fabrikam.example\nperson70@northwind.example\n");
    for i in 2..n {
        csv.push_str(&format!("new{i}@partner.example\n"));
    }
    csv
}

fn stages(seen: &std::sync::Mutex<Vec<guestpass_core::bulk::PreviewProgress>>) -> Vec<String> {
    let mut s: Vec<String> = seen.lock().unwrap().iter().map(|p| format!("{:?}", p.stage)).collect();
    s.dedup();
    s
}

#[tokio::test]
async fn a_long_list_is_matched_against_the_directory_read_once_and_a_short_one_looked_up() {
    let s = setup(SandboxConfig::default()).await;
    s.sb.add_members(1500).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let report = |p| seen.lock().unwrap().push(p);
    let none = RunControl::default();
    // Round trips that look addresses up: `$batch`es, and pages of `GET /users`.
    let counts = || {
        let by = s.sb.stats().by_route;
        let n = |k: &str| by.get(k).copied().unwrap_or(0);
        (n("POST /v1.0/$batch"), n("GET /v1.0/users"))
    };
    let since = |(b0, u0): (u64, u64)| {
        let (b, u) = counts();
        (b - b0, u - u0)
    };

    // 20 addresses: one batch (of 20 user queries), and no directory page at all.
    let before = counts();
    s.engine
        .preview_import_with("one.csv", long_list(20).as_bytes(), &defaults(), &report, &none)
        .await
        .unwrap();
    assert_eq!(since(before), (1, 20));
    assert_eq!(stages(&seen), ["LookingUp"]);

    // 200 addresses: 10 batches of lookups, or 2 pages of the directory.
    seen.lock().unwrap().clear();
    let before = counts();
    let p = s
        .engine
        .preview_import_with("long.csv", long_list(200).as_bytes(), &defaults(), &report, &none)
        .await
        .unwrap();
    assert_eq!(since(before), (0, 2), "two pages of 999, no lookups");
    assert_eq!(stages(&seen), ["ReadingDirectory"]);
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!((last.done, last.total), (1500 + 14, 1500 + 14));
    assert_eq!(
        p.rows[0].existing_guest.as_deref(),
        Some("Accepted"),
        "any case, as Graph matches"
    );
    assert!(issues(&p, 3).contains("member"), "{}", issues(&p, 3));
    assert_eq!(p.ready, 199, "all but the member");

    // 40 addresses against 3,014 users: the first page shows 3 more pages are left, dearer
    // than 2 batches.
    s.sb.add_members(1500).unwrap();
    seen.lock().unwrap().clear();
    let before = counts();
    let p = s
        .engine
        .preview_import_with("short.csv", long_list(40).as_bytes(), &defaults(), &report, &none)
        .await
        .unwrap();
    assert_eq!(since(before), (2, 1 + 40), "the first page, then 2 batches");
    assert_eq!(stages(&seen), ["LookingUp"]);
    assert_eq!(p.rows[0].existing_guest.as_deref(), Some("Accepted"));
    assert!(issues(&p, 3).contains("member"));
}

#[tokio::test]
async fn stopping_the_check_ends_it_with_nothing_changed() {
    let s = setup(SandboxConfig::default()).await;
    let control = RunControl::new();
    let stop = control.clone();
    // Stopped after the first progress report: the rest is never read.
    let report = move |_| stop.cancel();
    s.sb.add_members(1500).unwrap();
    let err = s
        .engine
        .preview_import_with("long.csv", long_list(500).as_bytes(), &defaults(), &report, &control)
        .await
        .unwrap_err();
    assert_eq!(err.kind, guestpass_core::ProblemKind::Cancelled);
    assert!(err.message.contains("Nothing was changed"), "{}", err.message);
    let users_read = s.sb.stats().by_route["GET /v1.0/users"];
    assert_eq!(users_read, 1, "stopped after the first page of two");
}

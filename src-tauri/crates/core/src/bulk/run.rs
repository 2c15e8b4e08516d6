//! Running a bulk run: several rows at once, each row's steps in order, every step written
//! down before it is sent and its outcome after, so a run stopped at any moment resumes from
//! exactly where it was. Concurrency adapts to throttling: it halves whenever Microsoft
//! answers 429 and grows by one after a stretch without.

use crate::action::StepStatus;
use crate::bulk::plan::ImportPreview;
use crate::engine::Engine;
use crate::guests::OffboardStep;
use crate::onboarding::guest::GuestRef;
use crate::onboarding::{OnboardingStep, PlannedGuest};
use crate::problem::{Problem, ProblemKind};
use guestpass_store::{NewRunRow, RunInfo, RunRow, RunState, StepState, StepUpdate};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use ts_rs::TS;

/// Marks a step whose last attempt may have been made even though no answer came.
const ANSWER_LOST: &str = "No clear answer; checking before trying again: ";

/// How a bulk run paces itself.
#[derive(Debug, Clone)]
pub struct BulkPolicy {
    /// Rows worked on at once when a run starts.
    pub start_concurrency: usize,
    pub max_concurrency: usize,
    /// Tries of one step that keeps failing for a passing reason (throttling, 5xx, network,
    /// replication) before the row is marked failed.
    pub transient_attempts: u32,
    /// First wait before trying such a step again; doubles per attempt.
    pub retry_delay: Duration,
}

impl Default for BulkPolicy {
    fn default() -> Self {
        BulkPolicy {
            start_concurrency: 16,
            max_concurrency: 64,
            transient_attempts: 8,
            retry_delay: Duration::from_secs(2),
        }
    }
}

/// Pause, resume and cancel, from the app or a signal handler.
#[derive(Default)]
pub struct RunControl {
    paused: AtomicBool,
    cancelled: AtomicBool,
    wake: Notify,
}

impl RunControl {
    pub fn new() -> Arc<RunControl> {
        Arc::new(RunControl::default())
    }

    /// Rows in flight finish their current step; no new step starts until [`Self::resume`].
    pub fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    /// Stops the run after the steps in flight; what is left stays pending (resumable).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    fn holding(&self) -> bool {
        self.is_paused() || self.is_cancelled()
    }
}

/// Which bulk run and row a change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunLink {
    #[ts(type = "number")]
    pub run_id: i64,
    pub row: u32,
}

/// Where a run stands, streamed while it works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunProgress {
    #[ts(type = "number")]
    pub run_id: i64,
    pub state: RunState,
    pub total: u32,
    /// Rows finished with every step done or already so.
    pub done: u32,
    pub failed: u32,
    pub left: u32,
    /// Rows being worked on right now.
    pub in_flight: u32,
    pub rows_per_minute: f64,
    pub eta_seconds: Option<u32>,
    /// 429 answers received during this session of the run.
    #[ts(type = "number")]
    pub throttled: u64,
    /// Why the run is waiting or stopped, in plain words.
    pub message: Option<String>,
}

impl RunProgress {
    fn empty(run_id: i64, state: RunState) -> RunProgress {
        RunProgress {
            run_id,
            state,
            total: 0,
            done: 0,
            failed: 0,
            left: 0,
            in_flight: 0,
            rows_per_minute: 0.0,
            eta_seconds: None,
            throttled: 0,
            message: None,
        }
    }
}

enum RowOutcome {
    /// Every step is settled (done, unchanged, failed or skipped).
    Settled,
    /// Try the row again after this long (a passing problem, or the run is pausing).
    Again(Duration),
    /// Something the admin must sort out (sign-in, the network, the disk): the run pauses
    /// with this message, and the row waits in line.
    Pause(String),
}

impl Engine {
    /// Creates a persisted run from the preview's rows without errors. Returns its id.
    pub fn start_import(&self, preview: &ImportPreview) -> Result<i64, Problem> {
        if self.dry_run {
            return Err(Problem::internal("a dry run cannot start a bulk run"));
        }
        let rows: Vec<NewRunRow> = preview
            .rows
            .iter()
            .filter(|r| !r.has_errors())
            .map(|r| NewRunRow {
                row_no: r.row,
                email: r.guest.email.clone(),
                input: serde_json::to_value(&r.guest).unwrap_or_default(),
                steps: r
                    .guest
                    .steps()
                    .into_iter()
                    .map(|(step, target)| (step.name().to_string(), target))
                    .collect(),
            })
            .collect();
        if rows.is_empty() {
            return Err(Problem::field(
                "file",
                "No row of the list can run: every row has an error.".into(),
                "Fix the rows listed in the preview, then import the file again.",
            ));
        }
        self.store
            .create_run(&self.info.tenant_id, &self.info.actor, &preview.file_name, &rows)
            .map_err(Problem::local)
    }

    /// The newest run of this tenant that is not finished.
    pub fn unfinished_run(&self) -> Result<Option<RunInfo>, Problem> {
        self.store.unfinished_run(&self.info.tenant_id).map_err(Problem::local)
    }

    pub fn bulk_run(&self, run_id: i64) -> Result<RunInfo, Problem> {
        self.store.run(run_id).map_err(Problem::local)?.ok_or_else(|| {
            Problem::field(
                "run",
                format!("There is no bulk run #{run_id}."),
                "Check the run number.",
            )
        })
    }

    /// This tenant's runs, newest first.
    pub fn bulk_runs(&self, limit: u32) -> Result<Vec<RunInfo>, Problem> {
        self.store.runs(&self.info.tenant_id, limit).map_err(Problem::local)
    }

    /// The run (and row) a change-log entry was made by, if it was part of one.
    pub fn run_of_change(&self, seq: i64) -> Result<Option<RunLink>, Problem> {
        Ok(self
            .store
            .run_of_change(seq)
            .map_err(Problem::local)?
            .map(|(run_id, row)| RunLink { run_id, row }))
    }

    /// Writes the run's results CSV to `path` (the admin chose it); returns the path.
    pub fn save_run_results(&self, run_id: i64, path: &std::path::Path) -> Result<String, Problem> {
        let rows = self.run_rows(run_id)?;
        let csv = crate::bulk::results::to_csv(&rows).map_err(Problem::internal)?;
        std::fs::write(path, csv)
            .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }

    pub fn run_rows(&self, run_id: i64) -> Result<Vec<RunRow>, Problem> {
        self.store.run_rows(run_id).map_err(Problem::local)
    }

    /// Puts the failed rows back in line (once the admin fixed the cause). Returns how many.
    pub fn retry_failed_rows(&self, run_id: i64) -> Result<usize, Problem> {
        self.bulk_run(run_id)?;
        self.store.retry_failed(run_id).map_err(Problem::local)
    }

    /// The run's progress as stored (no work done).
    pub fn run_progress(&self, run_id: i64) -> Result<RunProgress, Problem> {
        let info = self.bulk_run(run_id)?;
        let c = self.store.run_counts(run_id).map_err(Problem::local)?;
        Ok(RunProgress {
            total: c.total,
            done: c.done,
            failed: c.failed,
            left: c.left,
            ..RunProgress::empty(run_id, info.state)
        })
    }

    /// Works through every unsettled row of the run until all are settled, the run is paused
    /// and then cancelled, or sign-in fails. `on_progress` hears about every change.
    pub async fn run_import(
        &self,
        run_id: i64,
        control: Arc<RunControl>,
        on_progress: &(dyn Fn(RunProgress) + Send + Sync),
    ) -> Result<RunProgress, Problem> {
        let info = self.bulk_run(run_id)?;
        if info.tenant != self.info.tenant_id {
            return Err(Problem::field(
                "run",
                format!(
                    "Bulk run #{run_id} belongs to tenant {}, not the one connected.",
                    info.tenant
                ),
                "Connect to that tenant to resume it.",
            ));
        }
        self.store
            .set_run_state(run_id, RunState::Running)
            .map_err(Problem::local)?;
        let mut queue: VecDeque<(RunRow, Instant)> = self
            .run_rows(run_id)?
            .into_iter()
            .filter(|r| !r.is_settled())
            .map(|r| (r, Instant::now()))
            .collect();
        let policy = self.bulk.clone();
        let run_engine = self.clone().with_run_cache();
        let started = Instant::now();
        let throttled_at_start = self.graph.throttled_count();
        let mut seen_throttled = throttled_at_start;
        let mut limit = policy.start_concurrency.max(1);
        let mut last_cut = Instant::now() - Duration::from_secs(60);
        let mut settled_here = 0u32;
        let mut set = tokio::task::JoinSet::new();
        let mut message: Option<String> = None;
        let mut last_emit = Instant::now() - Duration::from_secs(1);

        let progress = |state: RunState, in_flight: usize, settled_here: u32, message: &Option<String>| {
            let mut p = self.run_progress(run_id).unwrap_or(RunProgress::empty(run_id, state));
            p.state = state;
            p.in_flight = in_flight as u32;
            let minutes = started.elapsed().as_secs_f64() / 60.0;
            if settled_here > 0 && minutes > 0.0 {
                p.rows_per_minute = f64::from(settled_here) / minutes;
                p.eta_seconds = Some((f64::from(p.left) / p.rows_per_minute * 60.0).ceil() as u32);
            }
            p.throttled = self.graph.throttled_count() - throttled_at_start;
            p.message = message.clone();
            p
        };

        loop {
            let holding = control.holding();
            if !holding {
                let now = Instant::now();
                while set.len() < limit {
                    let Some(pos) = queue.iter().position(|(_, at)| *at <= now) else {
                        break;
                    };
                    let (row, _) = queue.remove(pos).expect("position is in range");
                    let (engine, control) = (run_engine.clone(), control.clone());
                    set.spawn(async move { engine.run_row(run_id, row, &control).await });
                }
            }
            if set.is_empty() {
                if control.is_cancelled() {
                    self.store
                        .set_run_state(run_id, RunState::Cancelled)
                        .map_err(Problem::local)?;
                    let p = progress(
                        RunState::Cancelled,
                        0,
                        settled_here,
                        &Some("Cancelled. The rows not yet done stay in the run: resume it to finish them.".into()),
                    );
                    on_progress(p.clone());
                    return Ok(p);
                }
                if control.is_paused() {
                    self.store
                        .set_run_state(run_id, RunState::Paused)
                        .map_err(Problem::local)?;
                    on_progress(progress(RunState::Paused, 0, settled_here, &message));
                    while control.is_paused() && !control.is_cancelled() {
                        let woken = control.wake.notified();
                        if control.is_paused() && !control.is_cancelled() {
                            woken.await;
                        }
                    }
                    if !control.is_cancelled() {
                        message = None;
                        self.store
                            .set_run_state(run_id, RunState::Running)
                            .map_err(Problem::local)?;
                    }
                    continue;
                }
                if queue.is_empty() {
                    self.store
                        .set_run_state(run_id, RunState::Finished)
                        .map_err(Problem::local)?;
                    let p = progress(RunState::Finished, 0, settled_here, &None);
                    on_progress(p.clone());
                    return Ok(p);
                }
            }
            let next_ready = queue.iter().map(|(_, at)| *at).min();
            let tick = next_ready
                .map(|t| t.saturating_duration_since(Instant::now()))
                .unwrap_or(Duration::from_millis(500))
                .clamp(Duration::from_millis(20), Duration::from_millis(500));
            tokio::select! {
                Some(joined) = set.join_next(), if !set.is_empty() => {
                    let (row, outcome) = match joined {
                        Ok(x) => x,
                        Err(e) => return Err(Problem::internal(format!("a bulk worker stopped: {e}"))),
                    };
                    match outcome {
                        RowOutcome::Settled => {
                            settled_here += 1;
                            // Report settled rows promptly (but not more than 20 times a second).
                            if last_emit.elapsed() >= Duration::from_millis(50) {
                                last_emit = Instant::now();
                                on_progress(progress(RunState::Running, set.len(), settled_here, &message));
                            }
                        }
                        RowOutcome::Again(wait) => queue.push_back((row, Instant::now() + wait)),
                        RowOutcome::Pause(why) => {
                            queue.push_back((row, Instant::now()));
                            message = Some(why);
                            control.pause();
                        }
                    }
                    // Fewer rows at once after a throttling episode, one more per calm row.
                    // Every call already waits out the Retry-After (the client's shared gate),
                    // so one cut per episode is enough; cutting per 429 would crawl afterwards.
                    let throttled = self.graph.throttled_count();
                    if throttled > seen_throttled {
                        seen_throttled = throttled;
                        if last_cut.elapsed() >= Duration::from_secs(1) {
                            limit = (limit * 3 / 4).max(2);
                            last_cut = Instant::now();
                        }
                    } else {
                        limit = (limit + 1).min(policy.max_concurrency);
                    }
                }
                _ = tokio::time::sleep(tick) => {}
                _ = control.wake.notified() => {}
            }
            if last_emit.elapsed() >= Duration::from_millis(200) {
                last_emit = Instant::now();
                on_progress(progress(RunState::Running, set.len(), settled_here, &message));
            }
        }
    }

    /// One row: its unsettled steps in order. Returns the row (with states updated) and whether
    /// it is settled or should come back later.
    async fn run_row(&self, run_id: i64, mut row: RunRow, control: &RunControl) -> (RunRow, RowOutcome) {
        let guest: PlannedGuest = match serde_json::from_value(row.input.clone()) {
            Ok(g) => g,
            Err(e) => {
                let why = format!("The stored row could not be read ({e}); import the file again.");
                let _ = self.settle(run_id, &mut row, 0, StepState::Failed, Some(&why), None, None);
                return (row, RowOutcome::Settled);
            }
        };
        for i in 0..row.steps.len() {
            let step = row.steps[i].clone();
            if step.state.is_settled() {
                continue;
            }
            if control.holding() {
                return (row, RowOutcome::Again(Duration::ZERO));
            }
            // Sent before but never answered (a stop, a lost connection, a 5xx): it may have
            // been made, so the step waits to see it before repeating anything.
            let uncertain =
                step.state == StepState::Running || step.summary.as_deref().is_some_and(|s| s.starts_with(ANSWER_LOST));
            if let Err(p) = self.store.start_step(run_id, row.row_no, step.step_no) {
                let why = format!("Paused: {} Then resume the run.", Problem::local(p).message);
                return (row, RowOutcome::Pause(why));
            }
            row.steps[i].attempts += 1;
            let (onboarding, offboarding) = (OnboardingStep::parse(&step.kind), OffboardStep::parse(&step.kind));
            let result = match (onboarding, offboarding) {
                (Some(kind), _) => {
                    self.run_bulk_step(run_id, &mut row, &guest, kind, step.target.as_deref(), uncertain)
                        .await
                }
                (None, Some(kind)) => {
                    self.run_offboard_step(&row.email, row.user_id.as_deref(), kind, step.target.as_deref())
                        .await
                }
                (None, None) => {
                    let why = format!(
                        "The stored step '{}' is not one Guestpass knows; start the run again.",
                        step.kind
                    );
                    let _ = self.settle(run_id, &mut row, i, StepState::Failed, Some(&why), None, None);
                    return (row, RowOutcome::Settled);
                }
            };
            // A removal not due yet stays pending; the row's other steps are done.
            if matches!(&result, Ok((StepState::Pending, ..))) {
                if let Ok((state, summary, ..)) = &result {
                    let _ = self.settle(run_id, &mut row, i, *state, Some(summary), None, None);
                }
                continue;
            }
            let kind = onboarding;
            match result {
                Ok((state, summary, request_id, seq)) => {
                    let _ = self.settle(run_id, &mut row, i, state, Some(&summary), request_id.as_deref(), seq);
                }
                Err(p) if p.kind == ProblemKind::SignIn => {
                    let why = format!("{} {}", p.message, p.hint);
                    let _ = self.settle(run_id, &mut row, i, StepState::Pending, Some(&why), None, None);
                    let why = format!(
                        "Paused: sign-in failed ({}). Sign in again, then resume the run.",
                        p.message
                    );
                    return (row, RowOutcome::Pause(why));
                }
                Err(p) if self.worth_another_try(&p, kind) && row.steps[i].attempts < self.bulk.transient_attempts => {
                    // A throttled call was not processed; after a 5xx or a broken connection
                    // nobody knows.
                    let why = if p.kind == ProblemKind::Throttled {
                        format!("Waiting to try again: {}", p.message)
                    } else {
                        format!("{ANSWER_LOST}{}", p.message)
                    };
                    let _ = self.settle(
                        run_id,
                        &mut row,
                        i,
                        StepState::Pending,
                        Some(&why),
                        p.request_id.as_deref(),
                        None,
                    );
                    let wait =
                        self.bulk.retry_delay * 2u32.saturating_pow(row.steps[i].attempts.saturating_sub(1).min(5));
                    return (row, RowOutcome::Again(wait));
                }
                // A network down for all the retries is no reason to fail the row: wait for the admin.
                Err(p) if p.kind == ProblemKind::Network => {
                    let why = format!("{ANSWER_LOST}{}", p.message);
                    let _ = self.settle(run_id, &mut row, i, StepState::Pending, Some(&why), None, None);
                    let why = format!(
                        "Paused: Microsoft cannot be reached ({}). Check the connection, then resume the run.",
                        p.message
                    );
                    return (row, RowOutcome::Pause(why));
                }
                Err(p) => {
                    let why = format!("{} {}", p.message, p.hint);
                    let _ = self.settle(
                        run_id,
                        &mut row,
                        i,
                        StepState::Failed,
                        Some(why.trim()),
                        p.request_id.as_deref(),
                        None,
                    );
                    return (row, RowOutcome::Settled);
                }
            }
        }
        (row, RowOutcome::Settled)
    }

    /// Passing problems, and a guest not yet visible right after their invitation (replication).
    /// `step` is `None` for an off-boarding step.
    fn worth_another_try(&self, p: &Problem, step: Option<OnboardingStep>) -> bool {
        p.is_transient()
            || (step != Some(OnboardingStep::Invite)
                && p.kind == ProblemKind::Microsoft
                && p.code.as_deref().is_some_and(|c| c == "Request_ResourceNotFound"))
    }

    #[allow(clippy::too_many_arguments)] // one stored step outcome, named at each call
    fn settle(
        &self,
        run_id: i64,
        row: &mut RunRow,
        i: usize,
        state: StepState,
        summary: Option<&str>,
        request_id: Option<&str>,
        change_seq: Option<i64>,
    ) -> Result<(), Problem> {
        let step_no = row.steps[i].step_no;
        self.store
            .finish_step(
                run_id,
                row.row_no,
                step_no,
                &StepUpdate {
                    state,
                    summary,
                    request_id,
                    change_seq,
                },
            )
            .map_err(Problem::local)?;
        row.steps[i].state = state;
        row.steps[i].summary = summary.map(str::to_string);
        if state == StepState::Failed {
            for later in row.steps.iter_mut().skip(i + 1) {
                if !later.state.is_settled() {
                    later.state = StepState::Skipped;
                }
            }
        }
        Ok(())
    }

    /// Runs one step through the same engine actions as the wizard (plan, apply, verify, log).
    async fn run_bulk_step(
        &self,
        run_id: i64,
        row: &mut RunRow,
        guest: &PlannedGuest,
        step: OnboardingStep,
        target: Option<&str>,
        uncertain: bool,
    ) -> Result<(StepState, String, Option<String>, Option<i64>), Problem> {
        let who = GuestRef {
            email: guest.email.clone(),
            user_id: row.user_id.clone(),
        };
        if step == OnboardingStep::Invite && uncertain {
            // An earlier invitation's answer never arrived: give Entra time to show the person
            // (if it was made) before the step looks them up, so nobody is invited twice.
            self.until_replicated(
                || self.graph.find_users_by_email(&guest.email),
                |r| matches!(r, Ok(found) if found.is_empty()),
            )
            .await
            .map_err(|e| Problem::from_graph(&format!("Looking up {}", guest.email), &e))?;
        }
        let done = self.onboarding_step(guest, &who, step, target).await?;
        if let Some(invited) = done.invite.filter(|i| !i.user_id.is_empty()) {
            self.store
                .set_row_user(run_id, row.row_no, &invited.user_id)
                .map_err(Problem::local)?;
            row.user_id = Some(invited.user_id);
        }
        let o = done.outcome;
        let state = match o.status {
            StepStatus::Changed => StepState::Done,
            _ => StepState::Unchanged,
        };
        let seq = (o.change_seq > 0).then_some(o.change_seq);
        Ok((state, o.summary, o.request_id, seq))
    }
}

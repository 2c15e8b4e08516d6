//! `guestpass-cli import`: a guest list, previewed and run as a resumable bulk run.
//!
//! Exit codes: 0 every row succeeded (or, with `--dry-run`, no row has an error); 1 a row failed
//! at Microsoft, or the run was stopped before the end; 2 bad input (rows with errors were
//! skipped, or the file could not be read).

use crate::{fail, Problem};
use guestpass_core::bulk::results;
use guestpass_core::bulk::{
    ImportDefaults, ImportPreview, IssueLevel, PreviewProgress, PreviewStage, RunControl, RunProgress,
};
use guestpass_core::Engine;
use guestpass_store::RunState;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The guest list: Microsoft's bulk-invite template, or any CSV/TSV with a header row.
    #[arg(required_unless_present_any = ["resume", "retry_failed"])]
    file: Option<PathBuf>,
    /// Print the preview (errors and warnings per row); send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Continue the last unfinished run (after a crash, a kill or Ctrl-C).
    #[arg(long, conflicts_with_all = ["file", "retry_failed"])]
    resume: bool,
    /// Run the failed rows of the last run again (after fixing the cause).
    #[arg(long, conflicts_with = "file")]
    retry_failed: bool,
    /// Which run --resume or --retry-failed means (default: the latest).
    #[arg(long, value_name = "RUN")]
    run: Option<i64>,
    /// Also write the results file (CSV) here.
    #[arg(long, value_name = "OUT.csv")]
    results: Option<PathBuf>,
    /// Print the preview or the results as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Default redirect URL for rows without one.
    #[arg(long)]
    redirect_url: Option<String>,
    /// Default usage location (two-letter country code).
    #[arg(long, value_name = "CC")]
    usage_location: Option<String>,
    /// Default licence (part number or SKU id).
    #[arg(long)]
    license: Option<String>,
    /// Default group (name or id); repeat for several.
    #[arg(long = "group", value_name = "NAME_OR_ID")]
    groups: Vec<String>,
    /// Default Power Platform environment, with --role.
    #[arg(long, requires = "role")]
    environment: Option<String>,
    /// Default Dataverse security role, with --environment.
    #[arg(long, requires = "environment")]
    role: Option<String>,
    /// Have Microsoft e-mail the invitations (for rows that do not say).
    #[arg(long)]
    send_email: bool,
    /// Default personal note for the invitation e-mails.
    #[arg(long)]
    message: Option<String>,
    /// The file's encoding (e.g. windows-1250, windows-1251, Shift_JIS) when the detected one
    /// shows the names wrong.
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// The sheet of an Excel workbook to read (the first otherwise).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
}

impl ImportArgs {
    fn defaults(&self) -> ImportDefaults {
        ImportDefaults {
            encoding: self.encoding.clone(),
            sheet: self.sheet.clone(),
            redirect_url: self.redirect_url.clone(),
            usage_location: self.usage_location.clone(),
            license: self.license.clone(),
            groups: self.groups.clone(),
            environment: self.environment.clone(),
            role: self.role.clone(),
            send_email: self.send_email.then_some(true),
            message: self.message.clone(),
        }
    }
}

pub async fn import(engine: Engine, args: ImportArgs) -> ExitCode {
    let json = args.json;
    if args.resume || args.retry_failed {
        let run = match args.run.map(Ok).unwrap_or_else(|| latest_run(&engine, args.resume)) {
            Ok(r) => r,
            Err(p) => return fail(&p, json),
        };
        if args.retry_failed {
            match engine.retry_failed_rows(run) {
                Ok(0) => eprintln!("Run #{run} has no failed rows."),
                Ok(n) => eprintln!("Retrying {n} failed row(s) of run #{run}."),
                Err(p) => return fail(&p, json),
            }
        } else {
            eprintln!("Resuming run #{run}.");
        }
        return execute(&engine, run, &args, 0).await;
    }

    let path = args.file.clone().expect("clap requires FILE here");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            let p = Problem::field(
                "file",
                format!("{} cannot be read: {e}.", path.display()),
                "Check the path and that the file is readable.",
            );
            return fail(&p, json);
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let preview = match check_list(&engine, &name, &bytes, &args).await {
        Ok(p) => p,
        Err(p) => return fail(&p, json),
    };
    if args.dry_run || !json {
        print_preview(&preview, json);
    }
    if args.dry_run {
        return if preview.with_errors == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        };
    }
    if preview.ready == 0 {
        eprintln!("error: no row can run; fix the rows above and import the file again.");
        return ExitCode::from(2);
    }
    let run = match engine.start_import(&preview) {
        Ok(r) => r,
        Err(p) => return fail(&p, json),
    };
    eprintln!("Run #{run}: {} row(s) to onboard. Ctrl-C stops after the steps in flight; `guestpass-cli import --resume` continues.", preview.ready);
    execute(&engine, run, &args, preview.with_errors).await
}

fn latest_run(engine: &Engine, unfinished: bool) -> Result<i64, Problem> {
    let run = if unfinished {
        engine.unfinished_run()?
    } else {
        engine
            .store()
            .runs(&engine.info().tenant_id, 1)
            .map_err(Problem::local)?
            .into_iter()
            .next()
    };
    run.map(|r| r.id).ok_or_else(|| {
        Problem::field(
            "run",
            if unfinished {
                "There is no unfinished run to resume.".into()
            } else {
                "There is no run yet.".into()
            },
            "Start one with `guestpass-cli import FILE`.",
        )
    })
}

fn print_preview(p: &ImportPreview, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "preview": p }));
        return;
    }
    let read_as = match &p.sheet {
        Some(sheet) if p.sheets.len() > 1 => format!(
            "{}, sheet '{sheet}' of {}: choose another with --sheet",
            p.encoding,
            p.sheets.join(", ")
        ),
        Some(sheet) => format!("{}, sheet '{sheet}'", p.encoding),
        None if p.encoding_guessed => format!(
            "{}, detected: if names look wrong, name the encoding with --encoding; '{}'-separated",
            p.encoding, p.delimiter
        ),
        None => format!("{}, '{}'-separated", p.encoding, p.delimiter),
    };
    println!(
        "{}: {} ({read_as}). {} row(s): {} ready, {} with errors (skipped), {} with warnings, {} already guests.",
        p.file_name,
        p.format,
        p.rows.len(),
        p.ready,
        p.with_errors,
        p.with_warnings,
        p.already_guests
    );
    for note in &p.notes {
        println!("note: {note}");
    }
    for s in &p.seats {
        println!(
            "licence {}: {} row(s) need it, {} seat(s) free",
            s.license,
            s.needed,
            s.free.max(0)
        );
    }
    for r in &p.rows {
        for i in &r.issues {
            let level = match i.level {
                IssueLevel::Error => "error",
                IssueLevel::Warning => "warning",
            };
            println!("row {} ({}) {level}: {}: {}", r.row, r.guest.email, i.column, i.message);
        }
    }
}

/// Reads the list and checks it against the tenant, with a progress line on stderr for long
/// lists; Ctrl-C stops the check (nothing has changed by then).
async fn check_list(engine: &Engine, name: &str, bytes: &[u8], args: &ImportArgs) -> Result<ImportPreview, Problem> {
    let control = RunControl::new();
    let on_signal = control.clone();
    let listener = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let tty = std::io::stderr().is_terminal();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let show = |p: PreviewProgress| {
        let what = match p.stage {
            PreviewStage::LookingUp => "Looking up the list's addresses",
            PreviewStage::ReadingDirectory => "Reading the directory's users to match the list",
        };
        let line = format!("{what}: {} of {}", p.done, p.total);
        shown.store(true, std::sync::atomic::Ordering::Relaxed);
        if tty {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
    };
    let outcome = engine
        .preview_import_with(name, bytes, &args.defaults(), &show, &control)
        .await;
    listener.abort();
    if tty && shown.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!();
    }
    outcome
}

/// Runs (or resumes) the run with a progress line on stderr, writes the results, picks the exit code.
async fn execute(engine: &Engine, run: i64, args: &ImportArgs, skipped_rows: u32) -> ExitCode {
    let control = RunControl::new();
    let on_signal = control.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the steps in flight (resume with `guestpass-cli import --resume`)...");
            on_signal.cancel();
        }
    });
    let tty = std::io::stderr().is_terminal();
    let last_line = std::sync::Mutex::new(std::time::Instant::now() - std::time::Duration::from_secs(60));
    let show = move |p: RunProgress| {
        let line = progress_line(&p);
        if tty {
            eprint!("\r{line}\x1b[K");
        } else {
            let mut last = last_line.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed().as_secs() >= 5 || p.state != RunState::Running {
                *last = std::time::Instant::now();
                eprintln!("{line}");
            }
        }
    };
    let outcome = engine.run_import(run, Arc::clone(&control), &show).await;
    if tty {
        eprintln!();
    }
    let progress = match outcome {
        Ok(p) => p,
        Err(p) => return fail(&p, args.json),
    };
    let rows = match engine.run_rows(run) {
        Ok(r) => r,
        Err(p) => return fail(&p, args.json),
    };
    let csv = match results::to_csv(&rows) {
        Ok(c) => c,
        Err(e) => return fail(&Problem::internal(e), args.json),
    };
    let runs_dir = PathBuf::from(&engine.info().data_dir).join("runs");
    let kept = runs_dir.join(format!("run-{run}-results.csv"));
    let written = std::fs::create_dir_all(&runs_dir).and_then(|_| std::fs::write(&kept, &csv));
    if let Err(e) = written {
        eprintln!("warning: the results could not be kept in {}: {e}", kept.display());
    }
    if let Some(out) = &args.results {
        if let Err(e) = std::fs::write(out, &csv) {
            return fail(
                &Problem::on_this_computer(format!("cannot write {}: {e}", out.display())),
                args.json,
            );
        }
    }
    if args.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "row": r.row_no, "email": r.email, "status": results::row_status(r),
                    "reason": results::row_reason(r), "userId": r.user_id, "steps": r.steps,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({ "run": run, "progress": progress, "rows": rows })
        );
    } else {
        for r in rows.iter().filter(|r| r.failed()) {
            println!("row {} ({}) failed: {}", r.row_no, r.email, results::row_reason(r));
        }
        println!(
            "Run #{run} {}: {} done, {} failed, {} left. Results: {}",
            match progress.state {
                RunState::Finished => "finished",
                RunState::Cancelled => "stopped",
                RunState::Paused => "paused",
                RunState::Running => "running",
            },
            progress.done,
            progress.failed,
            progress.left,
            args.results.as_ref().unwrap_or(&kept).display()
        );
    }
    if progress.failed > 0 || progress.left > 0 {
        ExitCode::from(1)
    } else if skipped_rows > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn progress_line(p: &RunProgress) -> String {
    let settled = p.done + p.failed;
    let pct = (settled * 100).checked_div(p.total).unwrap_or(100);
    let mut line = format!(
        "[{pct:>3}%] {settled}/{} rows: {} done, {} failed, {} left",
        p.total, p.done, p.failed, p.left
    );
    if p.rows_per_minute > 0.0 {
        line.push_str(&format!(", {:.0} rows/min", p.rows_per_minute));
    }
    if let Some(eta) = p.eta_seconds.filter(|_| p.left > 0) {
        line.push_str(&format!(", about {}m{:02}s left", eta / 60, eta % 60));
    }
    if p.throttled > 0 {
        line.push_str(&format!(", throttled {}x", p.throttled));
    }
    if let Some(m) = &p.message {
        line.push_str(&format!(" - {m}"));
    }
    line
}

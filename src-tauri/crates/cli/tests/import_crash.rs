//! Kill -9 a bulk import at random moments, several times, then resume: every guest is invited
//! exactly once and every row ends done (or failed with a reason).

use assert_cmd::cargo::cargo_bin;
use rand::Rng;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Served(Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve() -> Served {
    let mut child = Command::new(cargo_bin("guestpass-cli"))
        .args([
            "sandbox",
            "serve",
            "--memory",
            "--latency-ms",
            "25",
            "--replication-delay-ms",
            "300",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_string();
    Served(child, url)
}

fn cli(data: &std::path::Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(cargo_bin("guestpass-cli"));
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GUESTPASS_DATA_DIR", data)
        .env("GUESTPASS_TENANT", "sandbox")
        .env("GUESTPASS_GRAPH_URL", url)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn runs(data: &std::path::Path) -> i64 {
    if !data.join("guestpass.sqlite").exists() {
        return 0;
    }
    let db = rusqlite::Connection::open(data.join("guestpass.sqlite")).unwrap();
    db.query_row("SELECT COUNT(*) FROM bulk_runs", [], |r| r.get(0))
        .unwrap_or(0)
}

fn stats(url: &str) -> serde_json::Value {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::get(format!("{url}/_sandbox/stats"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

#[test]
fn killed_runs_resume_and_invite_everyone_exactly_once() {
    const ROWS: usize = 24;
    let served = serve();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("guests.csv");
    let mut csv = String::from("Email,First name,Last name,Country,Groups\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "crash{i}@partner.example,Crash,Guest{i},GB,Partner portal users\n"
        ));
    }
    std::fs::write(&list, csv).unwrap();
    let data = dir.path().join("data");
    let list_arg = list.to_str().unwrap();

    let mut rng = rand::rng();
    let mut kills = Vec::new();
    for _ in 0..5 {
        let args: Vec<&str> = if runs(&data) == 0 {
            vec!["import", list_arg, "--redirect-url", "https://myapps.microsoft.com"]
        } else {
            vec!["import", "--resume"]
        };
        let mut child = cli(&data, &served.1, &args).spawn().unwrap();
        let after = Duration::from_millis(rng.random_range(300..1500));
        std::thread::sleep(after);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL: no chance to record anything
        child.wait().unwrap();
        kills.push((after, finished));
        if finished {
            break;
        }
    }
    // Finish the run.
    let status = cli(&data, &served.1, &["import", "--resume"]).status().unwrap();
    let finished_early = kills.iter().any(|(_, f)| *f);
    assert!(
        status.success() || finished_early,
        "kills at {kills:?}: final resume exited {status}"
    );

    let s = stats(&served.1);
    assert_eq!(s["guestsCreated"], ROWS as u64, "kills at {kills:?}: {s}");
    assert_eq!(
        s["invitationsCreated"], ROWS as u64,
        "each person invited exactly once; kills at {kills:?}: {s}"
    );

    let db = rusqlite::Connection::open(data.join("guestpass.sqlite")).unwrap();
    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM bulk_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, ROWS as i64, "no row lost");
    let open: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM bulk_steps WHERE state IN ('pending', 'running')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let unexplained: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM bulk_steps WHERE state = 'failed' AND COALESCE(summary, '') = ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let failed: i64 = db
        .query_row("SELECT COUNT(*) FROM bulk_steps WHERE state = 'failed'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        (open, unexplained),
        (0, 0),
        "every step settled, every failure explained"
    );
    assert_eq!(failed, 0, "no fault was injected, so nothing should fail");
    // The change log is intact and holds one successful invitation per guest.
    let invited: i64 = db
        .query_row(
            "SELECT COUNT(DISTINCT target) FROM change_log WHERE action = 'invite_guest' AND result = 'succeeded'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let recorded: i64 = db
        .query_row("SELECT COUNT(DISTINCT target) FROM change_log WHERE action = 'invite_guest' AND result IN ('succeeded', 'unchanged')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(recorded, ROWS as i64, "every guest's invitation is in the change log");
    assert!(invited <= ROWS as i64);
    let interrupted: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM change_log WHERE error_code = 'Interrupted'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    eprintln!("kills (after, run had finished): {kills:?}; changes recorded as interrupted: {interrupted}");
    let verify = cli(&data, &served.1, &["history", "verify"]).status().unwrap();
    assert!(verify.success(), "the hash chain survived the kills");
}

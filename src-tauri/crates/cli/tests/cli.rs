//! `guestpass-cli` against `guestpass-cli sandbox serve`, as a script would use them.

use assert_cmd::cargo::cargo_bin;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// A `sandbox serve` process, killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Served {
    let mut child = Command::new(cargo_bin("guestpass-cli"))
        .args(["sandbox", "serve", "--memory"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    Served { child, url }
}

struct Env {
    data: tempfile::TempDir,
    served: Served,
}

fn env() -> Env {
    Env {
        data: tempfile::tempdir().unwrap(),
        served: serve(&[]),
    }
}

/// Runs the CLI with only these variables (and this machine's PATH unless they set one).
fn cli_with(vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(cargo_bin("guestpass-cli"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

impl Env {
    fn cli(&self, args: &[&str]) -> Output {
        let data = self.data.path().to_string_lossy();
        cli_with(
            &[
                ("GUESTPASS_DATA_DIR", &data),
                ("GUESTPASS_TENANT", "sandbox"),
                ("GUESTPASS_GRAPH_URL", &self.served.url),
            ],
            args,
        )
    }

    fn post(&self, path: &str, body: serde_json::Value) {
        let url = format!("{}{path}", self.served.url);
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let r = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
            assert!(r.status().is_success());
        });
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ONBOARD: &[&str] = &[
    "onboard",
    "--email",
    "jane@partner.example",
    "--redirect-url",
    "https://myapps.microsoft.com",
    "--display-name",
    "Jane Partner",
];

#[test]
fn onboard_invites_then_a_rerun_changes_nothing() {
    let e = env();
    let o = e.cli(&[ONBOARD, &["--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status"], "invited");
    assert_eq!(v["email"], "jane@partner.example");
    assert!(v["requestId"].as_str().is_some());
    assert!(v["redeemUrl"].as_str().unwrap().starts_with("https://"));

    let o = e.cli(ONBOARD);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("already a guest"), "{}", stdout(&o));

    let o = e.cli(&["history", "--json"]);
    assert!(o.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["result"], "unchanged");
    assert_eq!(rows[1]["result"], "succeeded");
    assert_eq!(rows[1]["tenant"], guestpass_sandbox::TENANT_ID);
    assert_eq!(rows[1]["target"], "jane@partner.example");

    let o = e.cli(&["history"]);
    let text = stdout(&o);
    assert!(text.starts_with("TIME"), "{text}");
    assert!(
        text.contains("invite_guest") && text.contains("jane@partner.example"),
        "{text}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_fix() {
    let e = env();
    let o = e.cli(&[
        "onboard",
        "--email",
        "jane(at)partner.example",
        "--redirect-url",
        "http://myapps.microsoft.com",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("'('") && err.contains("https://"), "{err}");
    // Nothing reached the tenant, nothing was logged.
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    assert!(rows.is_empty());
}

#[test]
fn a_server_failure_exits_1_and_is_logged_with_its_request_id() {
    let e = env();
    e.post(
        "/_sandbox/faults",
        serde_json::json!({"pathPrefix": "/v1.0/invitations", "status": 500, "count": 1}),
    );
    let o = e.cli(ONBOARD);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("request-id"), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["result"], "failed");
    assert_eq!(rows[0]["errorCode"], "InternalServerError");
    assert!(rows[0]["requestId"].as_str().is_some());
    // Once the service recovers, the same command succeeds.
    assert!(e.cli(ONBOARD).status.success());
}

#[test]
fn a_wrong_secret_says_what_to_check() {
    let e = env();
    let o = Command::new(cargo_bin("guestpass-cli"))
        .args(ONBOARD)
        .env("GUESTPASS_DATA_DIR", e.data.path())
        .env("GUESTPASS_TENANT", "sandbox")
        .env("GUESTPASS_GRAPH_URL", &e.served.url)
        .env("GUESTPASS_CLIENT_SECRET", "not-the-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("client secret was rejected"), "{}", stderr(&o));
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let o = Command::new(cargo_bin("guestpass-cli"))
        .args(ONBOARD)
        .env("GUESTPASS_DATA_DIR", data.path())
        .env("GUESTPASS_GRAPH_URL", "http://graph.example.com")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("https"), "{}", stderr(&o));
}

#[test]
fn history_verify_detects_tampering() {
    let e = env();
    assert!(e.cli(ONBOARD).status.success());
    assert!(e
        .cli(&[
            "onboard",
            "--email",
            "li@partner.example",
            "--redirect-url",
            "https://myapps.microsoft.com"
        ])
        .status
        .success());
    let o = e.cli(&["history", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 rows"));

    let db = rusqlite::Connection::open(e.data.path().join("guestpass.sqlite")).unwrap();
    db.execute(
        "UPDATE change_log SET target = 'someone-else@partner.example' WHERE seq = 1",
        [],
    )
    .unwrap();
    drop(db);
    let o = e.cli(&["history", "verify"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("row 1"), "{}", stderr(&o));
}

#[test]
fn the_embedded_sandbox_is_the_default() {
    let data = tempfile::tempdir().unwrap();
    let o = Command::new(cargo_bin("guestpass-cli"))
        .args([ONBOARD, &["--json"]].concat())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GUESTPASS_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(data.path().join("sandbox.sqlite").exists());
}

#[test]
fn onboard_runs_every_asked_step_in_order_and_reruns_cleanly() {
    let e = env();
    let args = [
        ONBOARD,
        &[
            "--first-name",
            "Jane",
            "--last-name",
            "Partner",
            "--usage-location",
            "ie",
            "--license",
            "O365_BUSINESS_ESSENTIALS",
            "--group",
            "Partner portal users",
            "--group",
            "Dynamics 365 Sales - environment access",
            "--environment",
            "Northwind Sales",
            "--role",
            "External Users",
            "--json",
        ],
    ]
    .concat();
    let o = e.cli(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status"], "invited", "the invitation stays at the top level");
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["invite", "profile", "license", "group", "group", "role"]);
    assert!(v["steps"].as_array().unwrap()[1..]
        .iter()
        .all(|s| s["status"] == "changed"));

    let o = e.cli(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status"], "alreadyGuest");
    assert!(
        v["steps"].as_array().unwrap()[1..]
            .iter()
            .all(|s| s["status"] == "unchanged"),
        "{v}"
    );
}

#[test]
fn a_licence_without_usage_location_stops_with_the_fix() {
    let e = env();
    let o = e.cli(&[ONBOARD, &["--license", "O365_BUSINESS_ESSENTIALS"]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("usage location"), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("invite: Invited"),
        "the invitation before it stands: {}",
        stdout(&o)
    );
}

#[test]
fn onboard_with_nothing_to_do_says_what_it_can_do() {
    let e = env();
    let o = e.cli(&["onboard", "--email", "jane@partner.example"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--redirect-url"), "{}", stderr(&o));
}

#[test]
fn onboard_dry_run_prints_the_plan_and_changes_nothing() {
    let e = env();
    let o = e.cli(
        &[
            ONBOARD,
            &["--usage-location", "GB", "--group", "Partner portal users", "--dry-run"],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Would invite jane@partner.example"), "{out}");
    assert!(out.contains("group: Would run after the invitation"), "{out}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    assert!(rows.is_empty(), "a dry run logs nothing");
    // For an existing guest the dry run reads the tenant and says exactly what would change.
    assert!(e.cli(ONBOARD).status.success());
    let o = e.cli(&[
        "onboard",
        "--email",
        "jane@partner.example",
        "--usage-location",
        "GB",
        "--license",
        "O365_BUSINESS_ESSENTIALS",
        "--dry-run",
    ]);
    let out = stdout(&o);
    assert!(out.contains("profile: Would set usage location GB"), "{out}");
    assert!(out.contains("license: Would assign O365_BUSINESS_ESSENTIALS"), "{out}");
}

#[test]
fn settings_show_apply_and_dry_run() {
    let e = env();
    let o = e.cli(&["settings", "show"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Domains that can be invited:    any domain"),
        "{}",
        stdout(&o)
    );

    let o = e.cli(&[
        "settings",
        "apply",
        "--allow-domains",
        "partner.example,fabrikam.example",
        "--guest-access",
        "same-as-members",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Would change"), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&e.cli(&["settings", "show", "--json"]))).unwrap();
    assert_eq!(v["domains"]["mode"], "anyDomain", "the dry run changed nothing");

    let o = e.cli(&[
        "settings",
        "apply",
        "--allow-domains",
        "partner.example,fabrikam.example",
        "--guest-access",
        "same-as-members",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["changes"].as_array().unwrap().len(), 2);
    let v: serde_json::Value = serde_json::from_str(&stdout(&e.cli(&["settings", "show", "--json"]))).unwrap();
    assert_eq!(
        v["domains"]["domains"],
        serde_json::json!(["partner.example", "fabrikam.example"])
    );
    assert_eq!(v["guestAccess"], "sameAsMembers");

    let o = e.cli(&["settings", "apply", "--allow-domains", "not a domain"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn google_setup_takes_the_secret_from_the_environment_only() {
    let e = env();
    let o = e.cli(&["google", "setup", "--client-id", "1-a.apps.googleusercontent.com"]);
    assert_eq!(o.status.code(), Some(2), "no secret and no terminal");
    assert!(stderr(&o).contains("GUESTPASS_GOOGLE_CLIENT_SECRET"), "{}", stderr(&o));

    let o = Command::new(cargo_bin("guestpass-cli"))
        .args(["google", "setup", "--client-id", "1-a.apps.googleusercontent.com"])
        .env("GUESTPASS_DATA_DIR", e.data.path())
        .env("GUESTPASS_TENANT", "sandbox")
        .env("GUESTPASS_GRAPH_URL", &e.served.url)
        .env("GUESTPASS_GOOGLE_CLIENT_SECRET", "GOCSPX-from-the-environment")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Google federation is set up"), "{}", stdout(&o));
    let log = stdout(&e.cli(&["history", "--json"]));
    assert!(!log.contains("GOCSPX-from-the-environment"));
    let o = e.cli(&["google", "show"]);
    assert!(stdout(&o).contains("/oauth2/authresp"), "{}", stdout(&o));
}

#[test]
fn check_prints_the_readiness_card() {
    let e = env();
    assert!(e
        .cli(
            &[
                ONBOARD,
                &["--usage-location", "GB", "--license", "O365_BUSINESS_ESSENTIALS"]
            ]
            .concat()
        )
        .status
        .success());
    let o = e.cli(&["check", "--email", "jane@partner.example", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let card: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(card["ready"], false);
    let red: Vec<&str> = card["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ok"] == false)
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(red, ["Invitation accepted", "Groups"]);
    let o = e.cli(&["check", "--email", "jane@partner.example"]);
    assert!(stdout(&o).contains("[!!] Groups"), "{}", stdout(&o));
}

#[test]
fn history_filters_and_exports_for_auditors() {
    let e = env();
    assert!(e.cli(ONBOARD).status.success());
    assert!(
        e.cli(&[
            "onboard",
            "--email",
            "=evil@partner.example",
            "--redirect-url",
            "https://myapps.microsoft.com"
        ])
        .status
        .code()
            == Some(2)
    );
    assert!(e
        .cli(&[
            "onboard",
            "--email",
            "li@partner.example",
            "--redirect-url",
            "https://myapps.microsoft.com"
        ])
        .status
        .success());

    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&e.cli(&["history", "--json", "--email", "li@"]))).unwrap();
    assert_eq!(rows.len(), 1);
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&e.cli(&["history", "--json", "--since", "2999-01-01"]))).unwrap();
    assert!(rows.is_empty());
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&[
        "history",
        "--json",
        "--tenant",
        guestpass_sandbox::TENANT_ID,
    ])))
    .unwrap();
    assert_eq!(rows.len(), 2);

    let csv_path = e.data.path().join("audit.csv");
    let o = e.cli(&["history", "--export", csv_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with("seq,at,actor,tenant,action,target,result"), "{text}");
    assert!(text.contains("prev_hash,hash"));
    let json_path = e.data.path().join("audit.json");
    assert!(e
        .cli(&["history", "--export", json_path.to_str().unwrap()])
        .status
        .success());
    let back: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(back.len(), 2);
    assert!(back[0]["hash"].as_str().unwrap().len() == 64);
}

#[test]
fn history_undo_previews_then_reverses_once() {
    let e = env();
    assert!(e
        .cli(&[ONBOARD, &["--group", "Partner portal users"]].concat())
        .status
        .success());
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    let seq = rows.iter().find(|r| r["action"] == "add_to_group").unwrap()["seq"]
        .as_i64()
        .unwrap()
        .to_string();

    let o = e.cli(&["history", "undo", &seq, "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Would remove jane@partner.example from Partner portal users"),
        "{}",
        stdout(&o)
    );
    let o = e.cli(&["history", "undo", &seq]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Removed jane@partner.example from Partner portal users"),
        "{}",
        stdout(&o)
    );
    let o = e.cli(&["history", "undo", &seq]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already undone"), "{}", stderr(&o));
    assert!(e.cli(&["history", "verify"]).status.success());
}

fn odd_file(name: &str) -> String {
    format!(
        "{}/../../../tests/import-files/{name}",
        std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")
    )
}

#[test]
fn import_dry_run_exits_0_when_clean_and_2_naming_rows_with_errors() {
    let e = env();
    let o = e.cli(&["import", &odd_file("template.csv"), "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Microsoft bulk-invite template") && out.contains("2 ready"),
        "{out}"
    );
    assert!(out.contains("Row 3 is the template's example row"), "{out}");

    let o = e.cli(&[
        "import",
        &odd_file("duplicates-and-bad.csv"),
        "--dry-run",
        "--json",
        "--redirect-url",
        "https://myapps.microsoft.com",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["preview"]["withErrors"], 4);
    let row3 = &v["preview"]["rows"][1];
    assert_eq!(row3["row"], 3);
    assert_eq!(row3["issues"][0]["column"], "Email");
    assert!(row3["issues"][0]["message"].as_str().unwrap().contains("also on row 2"));
    // Nothing was sent or recorded.
    assert_eq!(e.cli(&["history", "--json"]).stdout, b"[]\n");

    let o = e.cli(&["import", &odd_file("workbook.xlsx")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Save As > CSV UTF-8"), "{}", stderr(&o));
}

#[test]
fn a_long_list_is_checked_with_a_progress_line() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("long.csv");
    let mut csv = String::from("Email\n");
    for i in 0..100 {
        csv.push_str(&format!("guest{i}@partner.example\n"));
    }
    std::fs::write(&list, csv).unwrap();
    let o = e.cli(&[
        "import",
        list.to_str().unwrap(),
        "--dry-run",
        "--redirect-url",
        "https://myapps.microsoft.com",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The sandbox's few users are one page: cheaper than 5 batches of lookups.
    let err = stderr(&o);
    assert!(
        err.contains("Reading the directory's users to match the list: 14 of 14"),
        "{err}"
    );
    assert!(stdout(&o).contains("100 ready"), "{}", stdout(&o));
}

#[test]
fn import_runs_writes_results_and_reruns_failed_rows_only() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "Email,First name,Country,License\nok@partner.example,Ok,GB,\nnoseat@partner.example,No,GB,DYN365_ENTERPRISE_SALES\n",
    )
    .unwrap();
    let results = dir.path().join("results.csv");
    let o = e.cli(&[
        "import",
        list.to_str().unwrap(),
        "--redirect-url",
        "https://myapps.microsoft.com",
        "--results",
        results.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "a failed row means exit 1: {}", stderr(&o));
    assert!(
        stdout(&o).contains("row 3 (noseat@partner.example) failed"),
        "{}",
        stdout(&o)
    );
    let csv = std::fs::read_to_string(&results).unwrap();
    assert!(
        csv.starts_with("Row,Email,Status,Invite,Profile,License,Groups,Role,Reason,Request IDs"),
        "{csv}"
    );
    assert!(csv.contains("2,ok@partner.example,done,done,done"), "{csv}");
    assert!(
        csv.contains("3,noseat@partner.example,failed,done,done,failed (DYN365_ENTERPRISE_SALES)"),
        "{csv}"
    );
    assert!(csv.contains("seats"), "the reason is in plain words: {csv}");
    // The change log has every change.
    let o = e.cli(&["history", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(rows.iter().filter(|r| r["action"] == "invite_guest").count() == 2);

    let o = e.cli(&["import", "--resume"]);
    assert_eq!(o.status.code(), Some(2), "nothing unfinished: {}", stderr(&o));
    let o = e.cli(&["import", "--retry-failed", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["progress"]["failed"], 1);
    assert_eq!(v["rows"][1]["status"], "failed");
    let invites = rows.iter().filter(|r| r["action"] == "invite_guest").count();
    let o = e.cli(&["history", "--json"]);
    let after: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        after.iter().filter(|r| r["action"] == "invite_guest").count(),
        invites,
        "retrying a failed licence does not invite again"
    );
}

#[test]
fn login_with_a_device_code_signs_in_as_the_admin() {
    use std::io::Read;
    let e = env();
    let mut child = Command::new(cargo_bin("guestpass-cli"))
        .args([
            "login",
            "--tenant",
            guestpass_sandbox::TENANT_DOMAIN,
            "--client-id",
            guestpass_sandbox::CLIENT_ID,
            "--device-code",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GUESTPASS_DATA_DIR", e.data.path())
        .env("GUESTPASS_GRAPH_URL", &e.served.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let code = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(line.contains("/devicelogin"), "{line}");
    let url = format!("{}/devicelogin", e.served.url);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::new()
            .post(url)
            .form(&[("user_code", code.as_str()), ("decision", "accept")])
            .send()
            .await
            .unwrap();
    });
    let status = child.wait().unwrap();
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(
        out.contains("Signed in to Northwind Traders (sandbox) as megan.bowen@northwind.example"),
        "{out}{rest}"
    );
    // With a keychain the sign-in is kept (exit 0); without one the CLI says it cannot keep it.
    assert!(
        status.success() || rest.contains("cannot keep this sign-in"),
        "{status} {rest}"
    );
}

#[test]
fn the_embedded_sandbox_starts_in_a_data_folder_that_does_not_exist_yet() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new").join("folder");
    let o = Command::new(cargo_bin("guestpass-cli"))
        .args(["check", "--email", "ana.souza@fabrikam.example"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GUESTPASS_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

fn certificate(name: &str) -> String {
    std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../../tests/certificates")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn login_app_only_with_a_certificate_checks_it_against_the_tenant() {
    let data = tempfile::tempdir().unwrap();
    let served = serve(&["--app-certificate", &certificate("app-cert.pem")]);
    let dir = data.path().to_string_lossy();
    let login = |file: &str| {
        cli_with(
            &[("GUESTPASS_DATA_DIR", &dir), ("GUESTPASS_GRAPH_URL", &served.url)],
            &[
                "login",
                "--tenant",
                guestpass_sandbox::TENANT_DOMAIN,
                "--client-id",
                guestpass_sandbox::CLIENT_ID,
                "--app-only",
                "--certificate",
                &certificate(file),
            ],
        )
    };
    let unknown = login("other.pem");
    assert_eq!(unknown.status.code(), Some(1), "{}", stderr(&unknown));
    assert!(
        stderr(&unknown).contains("Certificates & secrets"),
        "{}",
        stderr(&unknown)
    );
    let encrypted = login("app-encrypted.pem");
    assert_eq!(encrypted.status.code(), Some(2), "{}", stderr(&encrypted));
    assert!(stderr(&encrypted).contains("openssl pkcs8"), "{}", stderr(&encrypted));

    let ok = login("app.pem");
    assert!(
        stdout(&ok).contains(&format!("as the app {}", guestpass_sandbox::CLIENT_ID)),
        "{}{}",
        stdout(&ok),
        stderr(&ok)
    );
    assert!(
        stdout(&ok).contains("Invite                   ready"),
        "{}",
        stdout(&ok)
    );
    // Kept in the keychain (exit 0), or, with no keychain here, a warning that it was not (exit 1).
    assert!(
        ok.status.success() || stderr(&ok).contains("private key was not kept"),
        "{}",
        stderr(&ok)
    );
    let tenants = cli_with(&[("GUESTPASS_DATA_DIR", &dir)], &["tenants"]);
    assert!(stdout(&tenants).contains("(clientCertificate)"), "{}", stdout(&tenants));
    assert!(
        stdout(&tenants).contains("certificate 7DB57E1C67909507E0E91C98170AB8D62B9BBC3E"),
        "{}",
        stdout(&tenants)
    );
}

#[test]
fn login_needs_a_client_id_unless_it_reuses_the_azure_cli() {
    let e = env();
    let o = e.cli(&["login", "--tenant", "contoso.onmicrosoft.com"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--client-id"), "{}", stderr(&o));
    let o = e.cli(&[
        "login",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--azure-cli",
        "--client-id",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Slips are named before anything is sent.
    let o = e.cli(&["login", "--tenant", "admin@contoso.com", "--client-id", "Guestpass"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is an e-mail address"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not an application (client) id"), "{}", stderr(&o));
    // No az on this PATH: the CLI says what to install.
    let o = cli_with(
        &[
            ("PATH", "/nonexistent"),
            ("GUESTPASS_DATA_DIR", &e.data.path().to_string_lossy()),
            ("GUESTPASS_GRAPH_URL", &e.served.url),
        ],
        &["login", "--tenant", guestpass_sandbox::TENANT_DOMAIN, "--azure-cli"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("Install the Azure CLI"), "{}", stderr(&o));
}

#[test]
fn a_certificate_named_in_the_environment_signs_scripts_in_without_a_keychain() {
    let data = tempfile::tempdir().unwrap();
    let served = serve(&["--app-certificate", &certificate("app-cert.pem")]);
    let dir = data.path().to_string_lossy();
    let run = |cert: &str, args: &[&str]| {
        cli_with(
            &[
                ("GUESTPASS_DATA_DIR", &dir),
                ("GUESTPASS_TENANT", guestpass_sandbox::TENANT_DOMAIN),
                ("GUESTPASS_GRAPH_URL", &served.url),
                ("GUESTPASS_CLIENT_ID", guestpass_sandbox::CLIENT_ID),
                ("GUESTPASS_CLIENT_CERTIFICATE", cert),
            ],
            args,
        )
    };
    let o = run(&certificate("app.pem"), ONBOARD);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Invited jane@partner.example"), "{}", stdout(&o));

    let o = run("/nonexistent/app.pem", ONBOARD);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("GUESTPASS_CLIENT_CERTIFICATE"), "{}", stderr(&o));
    let o = run(&certificate("other.pem"), ONBOARD);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("Certificates & secrets"), "{}", stderr(&o));
}

#[test]
fn resend_sends_a_pending_guest_a_new_invitation() {
    let e = env();
    assert!(e.cli(ONBOARD).status.success());
    let o = e.cli(&["resend", "--email", "jane@partner.example", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("resend: Would send jane@partner.example a new invitation"),
        "{}",
        stdout(&o)
    );

    let o = e.cli(&["resend", "--email", "jane@partner.example", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status"], "resent");
    assert!(v["redeemUrl"].as_str().unwrap().starts_with("https://"));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    assert_eq!(rows[0]["action"], "resend_invitation");
    assert_eq!(rows[0]["result"], "succeeded");

    let o = e.cli(&["resend", "--email", "nobody@partner.example"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a guest"), "{}", stderr(&o));
}

/// `import FILE --dry-run` of one of the odd files, with more arguments: the output, and the
/// preview when `--json` is among them.
fn preview_of(e: &Env, name: &str, more: &[&str]) -> (Output, serde_json::Value) {
    let file = odd_file(name);
    let base = [
        "import",
        &file,
        "--dry-run",
        "--redirect-url",
        "https://myapps.microsoft.com",
    ];
    let o = e.cli(&[&base[..], more].concat());
    let preview = serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .map(|v| v["preview"].clone())
        .unwrap_or_default();
    (o, preview)
}

#[test]
fn import_detects_a_central_european_excel_file_and_takes_an_encoding_named() {
    let e = env();
    let name = "excel-ansi-1250-polish-czech.csv";
    let (o, _) = preview_of(&e, name, &[]);
    assert!(stdout(&o).contains("windows-1250, detected"), "{}", stdout(&o));
    let (_, p) = preview_of(&e, name, &["--json"]);
    assert_eq!(
        (&p["encoding"], &p["encodingGuessed"]),
        (&"windows-1250".into(), &true.into())
    );
    assert_eq!(p["rows"][0]["guest"]["firstName"], "Łukasz");

    let (_, p) = preview_of(&e, name, &["--json", "--encoding", "windows-1252"]);
    assert_eq!(p["encodingGuessed"], false);
    assert_eq!(p["rows"][0]["guest"]["firstName"], "£ukasz", "as the admin asked");

    let (o, _) = preview_of(&e, name, &["--encoding", "klingon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'klingon' is not an encoding"), "{}", stderr(&o));
}

#[test]
fn import_reads_an_excel_workbook_and_the_sheet_named() {
    let e = env();
    let (o, _) = preview_of(&e, "partners.xlsx", &[]);
    assert_eq!(o.status.code(), Some(2), "two rows have errors: {}", stdout(&o));
    assert!(stdout(&o).contains("sheet 'Guests' of Guests, Later"), "{}", stdout(&o));
    let (_, p) = preview_of(&e, "partners.xlsx", &["--json"]);
    assert_eq!(p["ready"], 2);
    let row5 = &p["rows"][2];
    assert_eq!(
        (row5["row"].as_u64(), row5["issues"][0]["column"].as_str()),
        (Some(5), Some("Email"))
    );

    let (o, p) = preview_of(&e, "partners.xlsx", &["--sheet", "Later", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(p["sheet"], "Later");
    assert_eq!(p["rows"][0]["guest"]["email"], "zoe@contoso-partners.example");
}

#[test]
fn partners_set_list_remove_and_undo() {
    let e = env();
    let o = e.cli(&["partners"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("No partner has settings of its own"),
        "{}",
        stdout(&o)
    );

    let o = e.cli(&[
        "partners",
        "set",
        "--domain",
        "fabrikam.example",
        "--trust-mfa",
        "true",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Would add settings for Fabrikam, Inc."),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        e.cli(&["history", "--json"]).stdout,
        b"[]\n",
        "a dry run records nothing"
    );

    let o = e.cli(&[
        "partners",
        "set",
        "--domain",
        "fabrikam.example",
        "--trust-mfa",
        "true",
        "--direct-connect",
        "true",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("must allow B2B direct connect"), "{}", stdout(&o));
    // Flags not given keep their values.
    let o = e.cli(&[
        "partners",
        "set",
        "--domain",
        "fabrikam.example",
        "--auto-redeem",
        "true",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["steps"][0]["status"], "changed");
    let o = e.cli(&["partners", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let settings = &v["partners"][0]["settings"];
    assert_eq!(
        (settings["trustMfa"].as_bool(), settings["autoRedeem"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(v["partners"][0]["guests"][0], "ana.souza@fabrikam.example");

    let o = e.cli(&["partners", "set", "--domain", "gmail.com", "--trust-mfa", "true"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("personal-mail domain"), "{}", stderr(&o));
    let o = e.cli(&[
        "partners",
        "set",
        "--domain",
        "fabrikam.example",
        "--trust-mfa",
        "maybe",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "clap refuses a value that is not true or false"
    );

    let o = e.cli(&["partners", "remove", "--domain", "fabrikam.example", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let seq = v["steps"][0]["changeSeq"].as_i64().unwrap().to_string();
    let o = e.cli(&["history", "undo", &seq]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = e.cli(&["partners", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["partners"][0]["settings"]["autoRedeem"], true, "the undo put it back");
}

#[test]
fn login_with_a_managed_identity_keeps_no_secret_and_later_commands_use_it() {
    let data = tempfile::tempdir().unwrap();
    let served = serve(&[]);
    let dir = data.path().to_string_lossy();
    let endpoint = format!("{}/msi/token", served.url);
    let vars = |header: &'static str| {
        vec![
            ("GUESTPASS_DATA_DIR", dir.to_string()),
            ("GUESTPASS_GRAPH_URL", served.url.clone()),
            ("IDENTITY_ENDPOINT", endpoint.clone()),
            ("IDENTITY_HEADER", header.to_string()),
        ]
    };
    let run = |vars: &[(&str, String)], args: &[&str]| {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cli_with(&vars, args)
    };

    let refused = run(&vars("wrong"), &["login", "--managed-identity"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("managed identity"), "{}", stderr(&refused));

    let ok = run(
        &vars(guestpass_sandbox::MANAGED_IDENTITY_HEADER),
        &["login", "--managed-identity"],
    );
    assert!(ok.status.success(), "{}{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).contains("as the managed identity (system-assigned)"),
        "{}",
        stdout(&ok)
    );
    assert!(stdout(&ok).contains("Nothing secret is kept"), "{}", stdout(&ok));
    let tenants = run(&vars(guestpass_sandbox::MANAGED_IDENTITY_HEADER), &["tenants"]);
    assert!(stdout(&tenants).contains("(managedIdentity)"), "{}", stdout(&tenants));

    // A later command in the same script: the profile, and Azure's identity again.
    let mut later = vars(guestpass_sandbox::MANAGED_IDENTITY_HEADER);
    later.push(("GUESTPASS_TENANT", guestpass_sandbox::TENANT_DOMAIN.to_string()));
    let settings = run(&later, &["settings", "show"]);
    assert!(settings.status.success(), "{}{}", stdout(&settings), stderr(&settings));
}

#[test]
fn protect_show_says_guests_reach_dataverse_without_mfa_until_a_policy_asks() {
    let e = env();
    let o = e.cli(&["protect", "show"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Entra ID P1 (Conditional Access): yes"), "{text}");
    assert!(text.contains("Security defaults: off"), "{text}");
    assert!(
        text.contains("Missing: Guests can reach Dataverse without MFA"),
        "{text}"
    );

    // A report-only policy made in the portal (the legacy way of naming guests) is read, and
    // the gap says it enforces nothing yet. (Each side waits out Microsoft's 1 call per second.)
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let policy = serde_json::json!({
        "displayName": "Portal: guests MFA", "state": "enabledForReportingButNotEnforced",
        "conditions": {"users": {"includeUsers": ["GuestsOrExternalUsers"]}, "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    });
    let root = guestpass_graph::Endpoints::parse_base("sandbox", &e.served.url).unwrap();
    let endpoints = guestpass_graph::Endpoints::loopback(&root);
    let app = guestpass_graph::AppOnlyCredential::with_secret(
        &endpoints.login,
        guestpass_sandbox::TENANT_DOMAIN,
        guestpass_sandbox::CLIENT_ID,
        guestpass_sandbox::CLIENT_SECRET,
    );
    let graph = guestpass_graph::GraphClient::new(endpoints, std::sync::Arc::new(app));
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(graph.create_conditional_access_policy(&policy))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let o = e.cli(&["protect", "show", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let view: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(view["policies"][0]["displayName"], "Portal: guests MFA");
    assert_eq!(
        view["policies"][0]["guests"],
        "every guest and external user (older setting)"
    );
    assert!(view["gaps"][0].as_str().unwrap().contains("only reports"), "{view}");
}

#[test]
fn protect_mfa_is_created_report_only_tried_with_what_if_then_switched_on() {
    let e = env();
    // Refused before anything is sent: a group of guests only, or switching on untried.
    let o = e.cli(&["protect", "mfa", "--exclude-group", "Partner portal users"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has no member who is not a guest"),
        "{}",
        stderr(&o)
    );
    let o = e.cli(&[
        "protect",
        "mfa",
        "--exclude-group",
        "Emergency access accounts",
        "--state",
        "on",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has not been tried on the guests"),
        "{}",
        stderr(&o)
    );
    let o = e.cli(&[
        "protect",
        "mfa",
        "--exclude-group",
        "Emergency access accounts",
        "--apps",
        "power-platform",
        "--dry-run",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let preview: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(preview["steps"][0]["status"], "wouldChange", "{preview}");

    let o = e.cli(&[
        "protect",
        "mfa",
        "--exclude-group",
        "Emergency access accounts",
        "--apps",
        "power-platform",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("(report-only)"), "{}", stdout(&o));

    // What-If, in the shape scripts read.
    let o = e.cli(&["protect", "what-if", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let found: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ana = found["guests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["email"] == "ana.souza@fabrikam.example")
        .unwrap();
    assert_eq!(ana["verdict"], "mfa");
    let policy = &ana["policies"][0];
    assert_eq!(policy["displayName"], "Guestpass: guests must use MFA");
    assert_eq!(policy["state"], "enabledForReportingButNotEnforced");
    assert_eq!(policy["applies"], true);
    assert!(policy["id"].is_string() && policy["reasons"].is_array());

    let o = e.cli(&[
        "protect",
        "mfa",
        "--exclude-group",
        "Emergency access accounts",
        "--apps",
        "power-platform",
        "--state",
        "on",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("from report-only to on"), "{}", stdout(&o));
}

#[test]
fn makers_are_shown_switched_and_the_switch_previewed() {
    let e = env();
    let o = e.cli(&["makers", "show", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let view: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(view["guestsCanMake"], false);
    let o = e.cli(&["makers", "enable", "--dry-run", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("wouldChange"), "{}", stdout(&o));
    let o = e.cli(&["makers", "enable"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Guests now may make Power Apps"), "{}", stdout(&o));
    let o = e.cli(&["makers", "show"]);
    assert!(stdout(&o).contains("Guests may make Power Apps: yes"), "{}", stdout(&o));
    let o = e.cli(&[
        "makers",
        "grant",
        "--email",
        "nobody@nowhere.example",
        "--environment",
        "https://northwindsales.crm4.dynamics.com",
    ]);
    assert_ne!(o.status.code(), Some(0));
}

#[test]
fn guests_are_listed_with_who_is_stale_filtered_and_exported() {
    let e = env();
    let o = e.cli(&["guests", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(list["signInActivity"], "available");
    let ana = list["guests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["email"] == "ana.souza@fabrikam.example")
        .unwrap();
    for key in [
        "id",
        "displayName",
        "state",
        "createdDateTime",
        "lastSignIn",
        "sponsors",
        "licenses",
        "groups",
    ] {
        assert!(ana.get(key).is_some(), "{key} missing: {ana}");
    }
    assert_eq!(ana["stale"], true);
    assert_eq!(ana["pendingTooLong"], false);

    let out = e.data.path().join("guests.csv");
    let o = e.cli(&[
        "guests",
        "--domain",
        "contoso-partners.example",
        "--export",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 guests: 0 stale"), "{}", stdout(&o));
    assert!(stdout(&o).contains("PENDING TOO LONG"), "{}", stdout(&o));
    let csv = std::fs::read_to_string(out).unwrap();
    assert!(csv.starts_with("email,display name,state"), "{csv}");
    assert!(csv.contains("li.wei@contoso-partners.example"), "{csv}");
}

#[test]
fn stale_guests_are_blocked_then_unblocked_and_a_missing_one_fails_alone() {
    let e = env();
    let o = e.cli(&["guests", "block", "--stale", "--dry-run", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let preview: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(preview["results"][0]["email"], "ana.souza@fabrikam.example");
    assert_eq!(preview["results"][0]["outcome"]["status"], "wouldChange");
    let o = e.cli(&["guests", "block", "--stale", "--stale-days", "120"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("ana.souza@fabrikam.example now is blocked from signing in"),
        "{}",
        stdout(&o)
    );
    let o = e.cli(&[
        "guests",
        "unblock",
        "--email",
        "ana.souza@fabrikam.example",
        "--email",
        "nobody@nowhere.example",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("ana.souza@fabrikam.example now can sign in"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("nobody@nowhere.example: FAILED"), "{}", stdout(&o));
}

#[test]
fn a_sponsor_is_added_and_guests_are_filtered_by_sponsor() {
    let e = env();
    let o = e.cli(&[
        "guests",
        "sponsor",
        "--email",
        "ana.souza@fabrikam.example",
        "--sponsor",
        "diego.siciliani@northwind.example",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("now sponsors"), "{}", stdout(&o));
    let o = e.cli(&["guests", "--sponsor", "diego.siciliani@northwind.example", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let guests = list["guests"].as_array().unwrap();
    assert_eq!(guests.len(), 1, "{list}");
    assert_eq!(guests[0]["sponsors"][0], "diego.siciliani@northwind.example");
}

#[test]
fn audit_pull_keeps_microsofts_events_once_and_history_shows_them_marked() {
    let e = env();
    assert!(e.cli(ONBOARD).status.success());
    let o = e.cli(&["audit", "pull", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["directoryAuditsNew"], 1, "the invitation: {report}");
    assert_eq!(report["signIns"], "available");
    let o = e.cli(&["audit", "pull"]);
    assert!(
        stdout(&o).contains("1 event(s) about guests, 0 new here"),
        "{}",
        stdout(&o)
    );

    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&e.cli(&["history", "--json", "--email", "jane@"]))).unwrap();
    let from_microsoft: Vec<&serde_json::Value> = rows.iter().filter(|r| r["source"] == "microsoft").collect();
    assert_eq!(from_microsoft.len(), 1, "{rows:?}");
    assert_eq!(from_microsoft[0]["action"], "Invite external user");
    assert!(from_microsoft[0]["auditId"].as_str().unwrap().starts_with("Directory_"));
    assert!(rows
        .iter()
        .any(|r| r["source"] == "guestpass" && r["action"] == "invite_guest"));
    let text = stdout(&e.cli(&["history", "--email", "jane@"]));
    assert!(text.contains("[Microsoft] Invite external user"), "{text}");

    let csv_path = e.data.path().join("evidence.csv");
    assert!(e
        .cli(&["history", "--export", csv_path.to_str().unwrap()])
        .status
        .success());
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.contains("microsoft:directoryAudit,Directory_"), "{csv}");
    let o = e.cli(&["audit", "pull", "--since", "yesterday"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn sponsors_are_named_on_onboard_and_in_a_lists_sponsors_column() {
    let e = env();
    let o = e.cli(&[ONBOARD, &["--sponsor", "diego.siciliani@northwind.example"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Sponsored by diego.siciliani@northwind.example"),
        "{}",
        stdout(&o)
    );
    let o = e.cli(&["guests", "--json", "--sponsor", "diego.siciliani@northwind.example"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let emails: Vec<&str> = list["guests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["jane@partner.example"]);
    // Unsponsored by an app: warned.
    let o = e.cli(&[
        "onboard",
        "--email",
        "sam@partner.example",
        "--redirect-url",
        "https://myapps.microsoft.com",
    ]);
    assert!(stdout(&o).contains("No sponsor"), "{}", stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("sponsored.csv");
    std::fs::write(
        &list,
        "Email,Sponsors\nkim@partner.example,megan.bowen@northwind.example; diego.siciliani@northwind.example\nlou@partner.example,nobody@northwind.example\n",
    )
    .unwrap();
    let o = e.cli(&[
        "import",
        list.to_str().unwrap(),
        "--dry-run",
        "--json",
        "--redirect-url",
        "https://myapps.microsoft.com",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a row with an unknown sponsor: {}",
        stdout(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["preview"]["rows"][0]["guest"]["sponsors"].as_array().unwrap().len(),
        2
    );
    let bad = &v["preview"]["rows"][1]["issues"][0];
    assert_eq!(bad["column"], "Sponsors");
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("Nobody in this tenant is at nobody@northwind.example"),
        "{bad}"
    );
}

#[test]
fn reviews_are_refused_without_p2_then_created_listed_and_undone() {
    let e = Env {
        data: tempfile::tempdir().unwrap(),
        served: serve(&["--without-governance"]),
    };
    let args = [
        "reviews",
        "create",
        "--group",
        "Partner portal users",
        "--fallback-reviewer",
        "megan.bowen@northwind.example",
    ];
    let o = e.cli(&args);
    assert_eq!(o.status.code(), Some(2), "refused before anything is sent");
    assert!(stderr(&o).contains("Entra ID P2"), "{}", stderr(&o));

    let e = env();
    let o = e.cli(&["reviews", "create", "--group", "Partner portal users"]);
    assert_eq!(o.status.code(), Some(2), "owners need a fallback");
    let o = e.cli(&[&args[..], &["--dry-run", "--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(plan["steps"][0]["status"], "wouldChange");
    let o = e.cli(&[&args[..], &["--every-months", "6"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = e.cli(&["reviews", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(list["reviews"][0]["recurrence"], "every 6 months", "{list}");
    assert_eq!(list["reviews"][0]["scope"], "guests of Partner portal users");
    let text = stdout(&e.cli(&["reviews", "list"]));
    assert!(text.contains("Guests of Partner portal users"), "{text}");

    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    let seq = rows.iter().find(|r| r["action"] == "create_guest_review").unwrap()["seq"].to_string();
    assert!(e.cli(&["history", "undo", &seq]).status.success());
    let list: serde_json::Value = serde_json::from_str(&stdout(&e.cli(&["reviews", "list", "--json"]))).unwrap();
    assert_eq!(list["reviews"].as_array().unwrap().len(), 0);
}

#[test]
fn offboard_previews_then_takes_a_partners_access_and_writes_evidence() {
    let e = env();
    let o = e.cli(&[
        "onboard",
        "--email",
        "pat@fabrikam.example",
        "--redirect-url",
        "https://myapps.microsoft.com",
        "--group",
        "Partner portal users",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = e.cli(&[
        "offboard",
        "--domain",
        "fabrikam.example",
        "--delete-after-days",
        "30",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("pat@fabrikam.example") && text.contains("take the group Partner portal users"),
        "{text}"
    );
    assert!(text.contains("remove the account 30 day(s) later"), "{text}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&e.cli(&["history", "--json"]))).unwrap();
    assert!(
        rows.iter().all(|r| r["action"] != "remove_from_group"),
        "a dry run changes nothing"
    );

    let evidence = e.data.path().join("evidence.json");
    let o = e.cli(&[
        "offboard",
        "--domain",
        "fabrikam.example",
        "--delete-after-days",
        "30",
        "--evidence",
        evidence.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pat = out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "pat@fabrikam.example")
        .unwrap();
    assert_eq!(pat["steps"][0]["kind"], "leave-group");
    assert_eq!(pat["steps"][0]["state"], "done");
    assert_eq!(pat["steps"][2]["state"], "pending", "the removal is due in 30 days");
    let ev: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&evidence).unwrap()).unwrap();
    assert_eq!(ev["kind"], "guestpass-offboarding-evidence");
    assert_eq!(ev["chain"]["firstBreak"], serde_json::Value::Null);

    // Run again: the same run resumes (nothing is taken twice).
    let o = e.cli(&["offboard", "--domain", "fabrikam.example"]);
    assert!(stderr(&o).contains("Resuming off-boarding run"), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&e.cli(&["history", "--json", "--limit", "200"]))).unwrap();
    assert_eq!(rows.iter().filter(|r| r["action"] == "remove_from_group").count(), 1);
    assert!(e.cli(&["history", "verify"]).status.success());
}

#[test]
fn extranet_is_refused_without_p2_then_created_with_its_link_listed_and_removed() {
    let e = Env {
        data: tempfile::tempdir().unwrap(),
        served: serve(&["--without-governance"]),
    };
    let args = [
        "extranet",
        "create",
        "--partner-domain",
        "fabrikam.example",
        "--name",
        "Falcon partner access",
        "--group",
        "Partner portal users",
        "--approver",
        "alex.wilber@northwind.example",
        "--sponsor",
        "megan.bowen@northwind.example",
        "--review-every-months",
        "3",
        "--hidden",
    ];
    let o = e.cli(&args);
    assert_eq!(o.status.code(), Some(2), "refused before anything is sent");
    assert!(stderr(&o).contains("Entra ID P2"), "{}", stderr(&o));

    let e = env();
    let mut gmail = args.to_vec();
    gmail[3] = "gmail.com";
    let o = e.cli(&gmail);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("personal-mail"), "{}", stderr(&o));
    let o = e.cli(&[&args[..], &["--dry-run", "--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(plan["steps"].as_array().unwrap().len(), 6, "{plan}");
    assert!(plan["myAccessLink"].is_null());
    let o = e.cli(&[&args[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let made: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let link = made["myAccessLink"].as_str().unwrap();
    let package = made["packageId"].as_str().unwrap();
    assert!(link.starts_with("https://myaccess.microsoft.com/@"), "{link}");
    assert!(link.ends_with(&format!("#/access-packages/{package}")));

    let text = stdout(&e.cli(&["extranet", "list"]));
    assert!(
        text.contains("Fabrikam, Inc. (fabrikam.example) — configured"),
        "{text}"
    );
    assert!(text.contains("Falcon partner access (hidden)"), "{text}");
    assert!(text.contains(link), "{text}");
    let o = e.cli(&[
        "extranet",
        "lifecycle",
        "--action",
        "block-and-delete",
        "--delete-after-days",
        "45",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("not guests invited directly") || stdout(&o).contains("Guests invited directly"));
    let list: serde_json::Value = serde_json::from_str(&stdout(&e.cli(&["extranet", "list", "--json"]))).unwrap();
    assert_eq!(list["lifecycle"]["action"], "blockSignInAndDelete", "{list}");
    assert_eq!(list["lifecycle"]["deleteAfterDays"], 45);

    let o = e.cli(&["extranet", "remove", "--package", package]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&e.cli(&["extranet", "list", "--json"]))).unwrap();
    assert_eq!(list["partners"].as_array().unwrap().len(), 0, "{list}");
}
